//! In-app notifications about referrals: one row per recipient, so each person reads (and
//! marks read) their own. Written in the same transaction as the step they report. When email
//! is switched on, the server sends them on from this table (an outbox), after the commit.

use sqlx::PgPool;
use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::db::{self, TenantTx};
use crate::mail::Mailer;
use crate::shared::format::format_timestamp;
use crate::web::i18n::Lang;
use crate::web::pagination::COUNT_LIMIT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    New,
    Accepted,
    Declined,
    Finished,
    Returned,
    Overdue,
    Note,
    Withdrawn,
    /// The resident wrote to their lead on their own pages.
    ResidentMessage,
    /// The resident withdrew a consent on their own pages.
    ResidentWithdrewConsent,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::New => "referral_new",
            Kind::Accepted => "referral_accepted",
            Kind::Declined => "referral_declined",
            Kind::Finished => "referral_finished",
            Kind::Returned => "referral_returned",
            Kind::Overdue => "referral_overdue",
            Kind::Note => "referral_note",
            Kind::Withdrawn => "referral_withdrawn",
            Kind::ResidentMessage => "resident_message",
            Kind::ResidentWithdrewConsent => "resident_withdrew_consent",
        }
    }
}

/// To the active staff of the organisation the referral was sent to, or, for an open offer,
/// of every current organisation offering its service.
pub async fn to_organisation_staff(tx: &mut TenantTx, referral_id: Uuid, kind: Kind) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
         SELECT r.tenant_id, u.id, $3, r.id
         FROM referrals r
         JOIN users u ON u.tenant_id = r.tenant_id AND u.active AND 'member' = ANY (u.roles)
         JOIN organisations o ON o.tenant_id = u.tenant_id AND o.id = u.organisation_id AND o.status IN ('aspirant', 'lid')
         WHERE r.tenant_id = $1 AND r.id = $2
           AND (o.id = r.organisation_id
                OR (r.organisation_id IS NULL AND EXISTS (
                      SELECT FROM organisation_services os
                      WHERE os.tenant_id = r.tenant_id AND os.service_id = r.service_id AND os.organisation_id = o.id)))",
        tx.tenant_id(),
        referral_id,
        kind.code()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// To the case's lead, or to whoever sent the referral while the case has no lead.
pub async fn to_lead(tx: &mut TenantTx, referral_id: Uuid, kind: Kind) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
         SELECT r.tenant_id, coalesce(c.lead_id, r.sent_by), $3, r.id
         FROM referrals r JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
         WHERE r.tenant_id = $1 AND r.id = $2",
        tx.tenant_id(),
        referral_id,
        kind.code()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// To the lead of a case about something the resident did on their own pages (nobody, while
/// the case has no lead: the team's queue shows such cases).
pub async fn to_case_lead(tx: &mut TenantTx, case_id: Uuid, kind: Kind) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO notifications (tenant_id, user_id, kind, case_id)
         SELECT c.tenant_id, c.lead_id, $3, c.id FROM cases c
         WHERE c.tenant_id = $1 AND c.id = $2 AND c.lead_id IS NOT NULL",
        tx.tenant_id(),
        case_id,
        kind.code()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Referrals whose answer date has passed get one overdue notice, to the lead and to the
/// organisation's staff, in one statement. Returns how many referrals were newly overdue.
pub async fn notify_overdue(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"WITH overdue AS (
               UPDATE referrals SET overdue_notified_at = now()
               WHERE tenant_id = $1 AND status = 'verstuurd' AND overdue_notified_at IS NULL
                 AND answer_due_on < local_now()::date
               RETURNING id, case_id, sent_by, organisation_id, service_id
           ), to_leads AS (
               INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
               SELECT $1, coalesce(c.lead_id, r.sent_by), 'referral_overdue', r.id
               FROM overdue r JOIN cases c ON c.tenant_id = $1 AND c.id = r.case_id
           ), to_staff AS (
               INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
               SELECT $1, u.id, 'referral_overdue', r.id
               FROM overdue r
               JOIN organisations o ON o.tenant_id = $1 AND o.status IN ('aspirant', 'lid')
                AND (o.id = r.organisation_id
                     OR (r.organisation_id IS NULL AND EXISTS (
                           SELECT FROM organisation_services os
                           WHERE os.tenant_id = $1 AND os.service_id = r.service_id AND os.organisation_id = o.id)
                         AND NOT EXISTS (SELECT FROM referral_passes p WHERE p.tenant_id = $1
                                           AND p.referral_id = r.id AND p.organisation_id = o.id)))
               JOIN users u ON u.tenant_id = $1 AND u.organisation_id = o.id AND u.active AND 'member' = ANY (u.roles)
           )
           SELECT count(*) AS "count!" FROM overdue"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// The overdue notices of every cooperative; run periodically by the server.
pub async fn notify_overdue_everywhere(pool: &PgPool) -> sqlx::Result<i64> {
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants WHERE disabled_at IS NULL")
        .fetch_all(pool)
        .await?;
    let mut notified = 0;
    for tenant_id in tenants {
        let mut tx = db::tenant_tx(pool, tenant_id).await?;
        notified += notify_overdue(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(notified)
}

/// A notification in the user's list.
pub struct Notification {
    pub id: Uuid,
    pub kind: String,
    pub referral_id: Option<Uuid>,
    /// The referral's reference: all a member organisation's notice says of whom it is about.
    pub reference: Option<String>,
    pub case_id: Option<Uuid>,
    pub service: Option<String>,
    pub organisation: Option<String>,
    /// The resident the referral is about; only on the social team's own notifications, as a
    /// member organisation's notice may be read before (or after) it may see the resident.
    pub resident: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub unread: bool,
}

impl Notification {
    pub fn kind_key(&self) -> String {
        format!("notification.{}", self.kind)
    }

    pub fn at(&self) -> String {
        format_timestamp(self.created_at)
    }
}

pub const PAGE_SIZE: i64 = 25;

/// One page of the user's notifications, newest first; one row more tells whether there is a
/// next page. `with_resident` names the resident, for the social team.
pub async fn page(
    tx: &mut TenantTx,
    user_id: Uuid,
    with_resident: bool,
    page: i64,
) -> sqlx::Result<Vec<Notification>> {
    sqlx::query_as!(
        Notification,
        r#"SELECT n.id, n.kind, n.referral_id, r.reference AS "reference?", coalesce(r.case_id, n.case_id) AS "case_id?", s.name AS "service?", o.name AS "organisation?",
                  CASE WHEN p.id IS NOT NULL THEN
                      concat_ws(' ', nullif(coalesce(nullif(p.first_names, ''), p.initials), ''),
                                nullif(p.surname_prefix, ''), p.surname) END AS "resident?",
                  local_time(n.created_at) AS "created_at!", n.read_at IS NULL AS "unread!"
           FROM notifications n
           LEFT JOIN referrals r ON r.tenant_id = n.tenant_id AND r.id = n.referral_id
           LEFT JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           LEFT JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           LEFT JOIN cases c ON $5 AND c.tenant_id = n.tenant_id AND c.id = coalesce(r.case_id, n.case_id)
           LEFT JOIN residents p ON p.tenant_id = c.tenant_id AND p.id = c.resident_id
           WHERE n.tenant_id = $1 AND n.user_id = $2
           ORDER BY n.created_at DESC, n.id DESC LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        user_id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
        with_resident
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many notifications the user has in all, counted up to the limit of a list's count.
pub async fn count(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
               SELECT 1 FROM notifications WHERE tenant_id = $1 AND user_id = $2 LIMIT $3
           ) AS counted"#,
        tx.tenant_id(),
        user_id,
        COUNT_LIMIT + 1
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn mark_all_read(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE notifications SET read_at = now() WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL",
        tx.tenant_id(),
        user_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks the user's notifications about `referral_id` read: opening the referral is reading
/// them. Returns how many were unread.
pub async fn mark_referral_read(tx: &mut TenantTx, user_id: Uuid, referral_id: Uuid) -> sqlx::Result<i64> {
    let done = sqlx::query!(
        "UPDATE notifications SET read_at = now()
         WHERE tenant_id = $1 AND user_id = $2 AND referral_id = $3 AND read_at IS NULL",
        tx.tenant_id(),
        user_id,
        referral_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or_default())
}

/// How long an unsent notice is still worth an email.
const EMAIL_WITHIN_HOURS: i32 = 24;
const EMAIL_BATCH: i64 = 200;

/// Emails the notices not yet emailed, in each recipient's language and without any personal
/// data: what happened, to which service, and a link to log in. Returns how many went out.
pub async fn send_emails(pool: &PgPool, mailer: &Mailer, base_url: Option<&str>) -> anyhow::Result<usize> {
    if !mailer.is_enabled() {
        return Ok(0);
    }
    let tenants = sqlx::query!("SELECT id, slug, name FROM tenants WHERE disabled_at IS NULL")
        .fetch_all(pool)
        .await?;
    let mut sent = 0;
    for tenant in tenants {
        let mut tx = db::tenant_tx(pool, tenant.id).await?;
        // Locked, so that two servers never send the same notice twice.
        let pending = sqlx::query!(
            r#"SELECT n.id, n.kind, u.name, u.email, u.language, s.name AS "service?"
               FROM notifications n
               JOIN users u ON u.tenant_id = n.tenant_id AND u.id = n.user_id AND u.active
               LEFT JOIN referrals r ON r.tenant_id = n.tenant_id AND r.id = n.referral_id
               LEFT JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
               WHERE n.tenant_id = $1 AND n.emailed_at IS NULL
                 AND n.created_at > now() - make_interval(hours => $2)
               ORDER BY n.created_at LIMIT $3
               FOR UPDATE OF n SKIP LOCKED"#,
            tenant.id,
            EMAIL_WITHIN_HOURS,
            EMAIL_BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        let link = match base_url {
            Some(base) => format!("{}/{}/notifications", base.trim_end_matches('/'), tenant.slug),
            None => format!("/{}/notifications", tenant.slug),
        };
        let mut done = Vec::new();
        for notice in pending {
            let lang = notice
                .language
                .as_deref()
                .and_then(Lang::from_code)
                .unwrap_or_default();
            let what = lang.t(&format!("notification.{}", notice.kind)).to_owned();
            let subject = lang.tf("mail.notification.subject", &[("what", &what)]);
            let body = lang.tf(
                "mail.notification.body",
                &[
                    ("name", &notice.name),
                    ("what", &what),
                    ("service", notice.service.as_deref().unwrap_or("")),
                    ("link", &link),
                    ("cooperative", &tenant.name),
                ],
            );
            match mailer.send(&notice.name, &notice.email, &subject, body).await {
                Ok(_) => done.push(notice.id),
                Err(error) => tracing::warn!(%error, "could not email a notification"),
            }
        }
        sqlx::query!(
            "UPDATE notifications SET emailed_at = now() WHERE tenant_id = $1 AND id = ANY($2)",
            tenant.id,
            &done
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        sent += done.len();
    }
    Ok(sent)
}
