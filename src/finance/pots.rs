//! Joint project pots: opened and raised only by decisions of the general assembly (migration
//! 0035 adds a decision's amount to its pot when the decision is adopted), spent through
//! grants to members' projects.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::money::Cents;

/// A pot with its totals: what the assembly put in, what the board granted of it, what is
/// asked and not yet decided, and what the members spent of their grants.
pub struct Pot {
    pub id: Uuid,
    pub name: String,
    /// The budget line its spending counts towards.
    pub budget_line_id: Option<Uuid>,
    pub allocated_cents: i64,
    pub granted_cents: i64,
    pub requested_cents: i64,
    pub spent_cents: i64,
}

impl Pot {
    pub fn allocated(&self) -> Cents {
        Cents(self.allocated_cents)
    }

    pub fn granted(&self) -> Cents {
        Cents(self.granted_cents)
    }

    pub fn requested(&self) -> Cents {
        Cents(self.requested_cents)
    }

    pub fn spent(&self) -> Cents {
        Cents(self.spent_cents)
    }

    /// What can still be granted; negative only after an explicit over-commitment.
    pub fn available(&self) -> Cents {
        self.allocated() - self.granted()
    }
}

/// Every pot with its totals, by name. A cooperative has a handful.
pub async fn list(tx: &mut TenantTx) -> sqlx::Result<Vec<Pot>> {
    with_totals(tx, None).await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Pot>> {
    Ok(with_totals(tx, Some(id)).await?.pop())
}

async fn with_totals(tx: &mut TenantTx, only: Option<Uuid>) -> sqlx::Result<Vec<Pot>> {
    sqlx::query_as!(
        Pot,
        r#"SELECT p.id, p.name, p.budget_line_id,
                  coalesce(a.total, 0)::bigint AS "allocated_cents!",
                  coalesce(g.granted, 0)::bigint AS "granted_cents!",
                  coalesce(g.requested, 0)::bigint AS "requested_cents!",
                  coalesce(g.spent, 0)::bigint AS "spent_cents!"
           FROM pots p
           LEFT JOIN LATERAL (SELECT sum(amount_cents) AS total FROM pot_allocations
                              WHERE tenant_id = p.tenant_id AND pot_id = p.id) a ON true
           LEFT JOIN LATERAL (
               SELECT sum(gr.amount_cents) FILTER (WHERE gr.status = 'toegekend') AS granted,
                      sum(gr.amount_cents) FILTER (WHERE gr.status = 'aangevraagd') AS requested,
                      sum(gr.spent_cents) AS spent
               FROM grants gr WHERE gr.tenant_id = p.tenant_id AND gr.pot_id = p.id) g ON true
           WHERE p.tenant_id = $1 AND ($2::uuid IS NULL OR p.id = $2)
           ORDER BY lower(p.name)"#,
        tx.tenant_id(),
        only
    )
    .fetch_all(&mut **tx)
    .await
}

/// The pot locked while one of its grants is decided, so that two decisions at once cannot
/// both spend the same money.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Pot>> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM pots WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(id) => find(tx, id).await,
        None => Ok(None),
    }
}

/// A decision of the assembly that put money in the pot.
pub struct Allocation {
    pub decision_id: Uuid,
    pub year: i32,
    pub seq: i32,
    pub title: String,
    pub decided_on: Date,
    pub amount_cents: i64,
}

impl Allocation {
    /// The decision's number as the decision list writes it: `ALV-2026-07`.
    pub fn number(&self) -> String {
        crate::assembly::decisions::number(self.year, self.seq)
    }

    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn date(&self) -> String {
        crate::shared::format::format_date(self.decided_on)
    }
}

pub async fn allocations(tx: &mut TenantTx, pot_id: Uuid) -> sqlx::Result<Vec<Allocation>> {
    sqlx::query_as!(
        Allocation,
        "SELECT a.decision_id, d.year, d.seq, d.title, d.decided_on, a.amount_cents
         FROM pot_allocations a
         JOIN decisions d ON d.tenant_id = a.tenant_id AND d.id = a.decision_id
         WHERE a.tenant_id = $1 AND a.pot_id = $2
         ORDER BY d.decided_on, d.year, d.seq",
        tx.tenant_id(),
        pot_id
    )
    .fetch_all(&mut **tx)
    .await
}
