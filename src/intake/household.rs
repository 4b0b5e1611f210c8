//! A resident's household: the people they live with, and what they are to them.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::intake::residents::display_name;
use crate::intake::values::Relation;

/// A member of the resident's household.
pub struct HouseholdMember {
    pub id: Uuid,
    pub name: String,
    pub relation: String,
    pub date_of_birth: Option<Date>,
}

impl HouseholdMember {
    pub fn relation_key(&self) -> String {
        Relation::parse(&self.relation)
            .map(Relation::label_key)
            .unwrap_or_default()
    }

    /// What the member is to the resident, in words: "is kind van {resident}".
    pub fn phrase_key(&self) -> String {
        Relation::parse(&self.relation)
            .map(Relation::phrase_key)
            .unwrap_or_default()
    }

    pub fn birth(&self) -> String {
        self.date_of_birth
            .map(crate::shared::format::format_date)
            .unwrap_or_default()
    }
}

/// The members of the resident's household, eldest first.
pub async fn of_resident(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<HouseholdMember>> {
    let rows = sqlx::query!(
        "SELECT r.id, r.first_names, r.initials, r.surname_prefix, r.surname, r.date_of_birth, h.relation
         FROM household_members h
         JOIN residents r ON r.tenant_id = h.tenant_id AND r.id = h.member_id
         WHERE h.tenant_id = $1 AND h.resident_id = $2
         ORDER BY r.date_of_birth NULLS LAST
         LIMIT 50",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HouseholdMember {
            id: r.id,
            name: display_name(&r.first_names, &r.initials, &r.surname_prefix, &r.surname),
            relation: r.relation,
            date_of_birth: r.date_of_birth,
        })
        .collect())
}

/// A grown-up of the household who can be called: the contact card lists them as helpers.
pub struct HouseholdHelper {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

impl HouseholdHelper {
    pub fn relation_key(&self) -> String {
        Relation::parse(&self.relation)
            .map(Relation::label_key)
            .unwrap_or_default()
    }
}

/// The adults of the resident's household, eldest first. Children are no helpers; whoever has
/// no date of birth counts as an adult unless they are the resident's child.
pub async fn helpers_of_resident(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<HouseholdHelper>> {
    let rows = sqlx::query!(
        "SELECT r.first_names, r.initials, r.surname_prefix, r.surname, r.phone, h.relation
         FROM household_members h
         JOIN residents r ON r.tenant_id = h.tenant_id AND r.id = h.member_id
         WHERE h.tenant_id = $1 AND h.resident_id = $2
           AND CASE WHEN r.date_of_birth IS NULL THEN h.relation <> 'child'
                    ELSE r.date_of_birth <= (local_now()::date - interval '18 years')::date END
         ORDER BY r.date_of_birth NULLS LAST
         LIMIT 50",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HouseholdHelper {
            name: display_name(&r.first_names, &r.initials, &r.surname_prefix, &r.surname),
            relation: r.relation,
            phone: r.phone,
        })
        .collect())
}

/// Links two residents as one household, both ways (a child's parent is the parent's child).
pub async fn link(tx: &mut TenantTx, resident: Uuid, member: Uuid, relation: Relation) -> sqlx::Result<()> {
    for (from, to, rel) in [
        (resident, member, relation),
        (member, resident, relation.inverse()),
    ] {
        sqlx::query!(
            "INSERT INTO household_members (tenant_id, resident_id, member_id, relation) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, resident_id, member_id) DO UPDATE SET relation = EXCLUDED.relation",
            tx.tenant_id(),
            from,
            to,
            rel.code()
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
