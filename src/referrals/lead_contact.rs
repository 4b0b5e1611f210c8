//! How a member organisation reaches the social team about a referral: the case's lead (or,
//! while the case has none, who sent it), by e-mail, and the cooperative's telephone number
//! (staff have no number of their own in Schakel).

use uuid::Uuid;

use crate::db::TenantTx;

pub struct LeadContact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

pub async fn of_referral(tx: &mut TenantTx, referral_id: Uuid) -> sqlx::Result<Option<LeadContact>> {
    sqlx::query_as!(
        LeadContact,
        r#"SELECT u.name, u.email, coalesce(ts.contact_phone, '') AS "phone!"
           FROM referrals r
           JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
           JOIN users u ON u.tenant_id = r.tenant_id AND u.id = coalesce(c.lead_id, r.sent_by)
           LEFT JOIN tenant_settings ts ON ts.tenant_id = r.tenant_id
           WHERE r.tenant_id = $1 AND r.id = $2"#,
        tx.tenant_id(),
        referral_id
    )
    .fetch_optional(&mut **tx)
    .await
}
