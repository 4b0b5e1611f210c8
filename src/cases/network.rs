//! The resident's network (meterkastkaart): the people and organisations involved and how to
//! reach them. It belongs to the resident, so it outlives a case and feeds the contact card.

use uuid::Uuid;

use crate::cases::NetworkRelation;
use crate::db::TenantTx;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Contact {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub relation: String,
}

impl Contact {
    pub fn relation(&self) -> NetworkRelation {
        NetworkRelation::parse(&self.relation).unwrap_or(NetworkRelation::Other)
    }

    pub fn relation_key(&self) -> String {
        self.relation().label_key()
    }

    pub fn is_formal(&self) -> bool {
        self.relation().is_formal()
    }
}

/// The resident's current network: informal relations first, then professionals.
pub async fn of_resident(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<Contact>> {
    sqlx::query_as!(
        Contact,
        "SELECT id, name, role, phone, email, relation FROM network_contacts
         WHERE tenant_id = $1 AND resident_id = $2 AND removed_at IS NULL
         ORDER BY relation IN ('huisarts', 'lidorganisatie', 'school', 'wijkverpleging'), name LIMIT 200",
        tx.tenant_id(),
        resident_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A contact as typed, kept for re-display.
#[derive(Default)]
pub struct ContactInput {
    pub name: String,
    pub role: String,
    pub phone: String,
    pub email: String,
    pub relation: String,
}

impl ContactInput {
    pub fn from_fields(fields: &Fields) -> ContactInput {
        ContactInput {
            name: fields.get("name").trim().to_owned(),
            role: fields.get("role").trim().to_owned(),
            phone: fields.get("phone").trim().to_owned(),
            email: fields.get("email").trim().to_owned(),
            relation: fields.get("relation").to_owned(),
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<NetworkRelation> {
        if self.name.is_empty() {
            errors.field("name", "network.error.name");
        }
        let relation = NetworkRelation::parse(&self.relation);
        if relation.is_none() {
            errors.field("relation", "network.error.relation");
        }
        if !self.email.is_empty() && crate::auth::users::Email::parse(&self.email).is_none() {
            errors.field("email", "users.error.email");
        }
        relation.filter(|_| errors.is_empty())
    }
}

pub async fn add(
    tx: &mut TenantTx,
    resident_id: Uuid,
    input: &ContactInput,
    relation: NetworkRelation,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO network_contacts (tenant_id, resident_id, name, role, phone, email, relation, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        tx.tenant_id(),
        resident_id,
        input.name,
        input.role,
        input.phone,
        input.email,
        relation.code(),
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes someone off the card; the row stays, for the record.
pub async fn remove(tx: &mut TenantTx, resident_id: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let removed = sqlx::query!(
        "UPDATE network_contacts SET removed_at = now()
         WHERE tenant_id = $1 AND resident_id = $2 AND id = $3 AND removed_at IS NULL",
        tx.tenant_id(),
        resident_id,
        id
    )
    .execute(&mut **tx)
    .await?;
    Ok(removed.rows_affected() == 1)
}
