//! What a referral cost: the tariff of its service when it was finished, the units the
//! organisation delivered, and their cost to the cent. The tariff is kept on the referral, so
//! that a later tariff does not rewrite what was spent.

use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::money::{self, Cents, TariffUnit, Units};

/// A service's tariff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tariff {
    pub amount: Cents,
    pub unit: TariffUnit,
}

impl Tariff {
    fn from_row(cents: Option<i64>, unit: Option<&str>) -> Option<Tariff> {
        Some(Tariff {
            amount: Cents(cents?),
            unit: TariffUnit::parse(unit?)?,
        })
    }

    pub fn unit_key(&self) -> String {
        self.unit.label_key()
    }
}

/// The current tariff of the referral's service, if it has one.
pub async fn tariff_of(tx: &mut TenantTx, referral_id: Uuid) -> sqlx::Result<Option<Tariff>> {
    let row = sqlx::query!(
        "SELECT s.tariff_cents, s.tariff_unit FROM referrals r
         JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
         WHERE r.tenant_id = $1 AND r.id = $2",
        tx.tenant_id(),
        referral_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|r| Tariff::from_row(r.tariff_cents, r.tariff_unit.as_deref())))
}

/// Records on a finished referral what was delivered at `tariff` and what it cost; a tariff
/// per referral is one unit.
pub async fn record(
    tx: &mut TenantTx,
    referral_id: Uuid,
    tariff: Tariff,
    units: Option<Units>,
) -> sqlx::Result<()> {
    let units = if tariff.unit.counts_units() {
        units.unwrap_or_default()
    } else {
        Units::ONE
    };
    let cost = money::cost(tariff.amount, units);
    sqlx::query!(
        "UPDATE referrals SET units = $3::bigint / 100.0, tariff_cents = $4, tariff_unit = $5, cost_cents = $6
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        referral_id,
        units.0,
        tariff.amount.0,
        tariff.unit.code(),
        cost.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a finished referral delivered and cost.
pub struct Delivered {
    pub units: Units,
    pub tariff: Tariff,
    pub cost: Cents,
}

pub async fn delivered(tx: &mut TenantTx, referral_id: Uuid) -> sqlx::Result<Option<Delivered>> {
    let row = sqlx::query!(
        r#"SELECT (units * 100)::bigint AS units, tariff_cents, tariff_unit, cost_cents FROM referrals
           WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        referral_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|r| {
        Some(Delivered {
            units: Units(r.units?),
            tariff: Tariff::from_row(r.tariff_cents, r.tariff_unit.as_deref())?,
            cost: Cents(r.cost_cents?),
        })
    }))
}
