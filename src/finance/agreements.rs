//! Performance agreements (prestatieafspraken) of a contract: each tied to a figure Schakel
//! already computes, with its target, measured over the contract's period so far. Counts under
//! five are not shown, as on the municipality's figures.

use time::Date;
use uuid::Uuid;

use crate::cases::clocks;
use crate::db::TenantTx;
use crate::reports::figures;
use crate::reports::kept::PeriodFigures;
use crate::reports::period::{Period, PeriodKind};
use crate::shared::choices::choice;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

choice!(
    /// The figure an agreement is about.
    Measure {
        WmoOnTime => "wmo_besluit_op_tijd",
        YouthOnTime => "jeugd_besluit_op_tijd",
        DeskHandled => "balie_afgehandeld",
        SignpostingWorked => "wegwijzer_gelukt",
        YouthChildren => "kinderen_jeugd",
    }
);

/// Below this many the figure is not shown ("< 5"): it could point at a person.
const SMALL: i64 = 5;

impl Measure {
    /// A share in percent that should be at least the target; otherwise a count that should
    /// be at most the target.
    pub fn is_share(self) -> bool {
        !matches!(self, Measure::YouthChildren)
    }
}

pub struct Agreement {
    pub id: Uuid,
    pub measure: String,
    pub target: i32,
    pub description: String,
}

impl Agreement {
    pub fn measure(&self) -> Measure {
        Measure::parse(&self.measure).unwrap_or(Measure::DeskHandled)
    }

    /// Met, behind, or not to say, by what was measured.
    pub fn met(&self, measured: &Measured) -> Option<bool> {
        measured.met(self.measure(), self.target)
    }
}

/// What an agreement measures now: the figure, how many it is taken over, and whether the
/// target is met.
pub struct Measured {
    pub value: Option<i64>,
    pub basis: i64,
}

impl Measured {
    /// Whether the figure is too small to show.
    pub fn suppressed(&self) -> bool {
        self.basis < SMALL
    }

    /// Met, behind, or not to say (nothing measured, or too few).
    pub fn met(&self, measure: Measure, target: i32) -> Option<bool> {
        let value = self.value.filter(|_| !self.suppressed())?;
        Some(if measure.is_share() {
            value >= i64::from(target)
        } else {
            value <= i64::from(target)
        })
    }
}

pub async fn list(tx: &mut TenantTx, contract_id: Uuid) -> sqlx::Result<Vec<Agreement>> {
    sqlx::query_as!(
        Agreement,
        "SELECT id, measure, target, description FROM performance_agreements
         WHERE tenant_id = $1 AND contract_id = $2 ORDER BY created_at, id",
        tx.tenant_id(),
        contract_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Each agreement with its figure over `from`..=`to`, `today` being the day it is read.
pub async fn measured(
    tx: &mut TenantTx,
    agreements: Vec<Agreement>,
    (from, to): (Date, Date),
    today: Date,
) -> sqlx::Result<Vec<(Agreement, Measured)>> {
    let kept = kept_year(tx, from, to, today).await?;
    let mut out = Vec::with_capacity(agreements.len());
    for agreement in agreements {
        let figure = measure(tx, agreement.measure(), (from, to), kept.as_ref()).await?;
        out.push((agreement, figure));
    }
    Ok(out)
}

/// The dearest figures (decisions on time, children in youth care) of a calendar year measured
/// from its first day up to today, as the server keeps them for the dashboard
/// (`reports::kept`, at most ten minutes old); none for any other span, or when none are kept.
async fn kept_year(
    tx: &mut TenantTx,
    from: Date,
    to: Date,
    today: Date,
) -> sqlx::Result<Option<PeriodFigures>> {
    let year = Period::around(PeriodKind::Year, from);
    if year.from != from || to != today {
        return Ok(None);
    }
    Ok(PeriodFigures::fresh(tx, year).await?.map(|(figures, _)| figures))
}

async fn measure(
    tx: &mut TenantTx,
    measure: Measure,
    (from, to): (Date, Date),
    kept: Option<&PeriodFigures>,
) -> sqlx::Result<Measured> {
    Ok(match measure {
        Measure::WmoOnTime | Measure::YouthOnTime => {
            let kind = match measure {
                Measure::WmoOnTime => "wmo_decision",
                _ => "jeugd_decision",
            };
            let computed;
            let figures = match kept {
                Some(kept) => &kept.terms,
                None => {
                    computed = clocks::term_figures(tx, from, to).await?;
                    &computed
                }
            };
            let clock = figures.iter().find(|f| f.kind == kind);
            Measured {
                value: clock.and_then(|f| f.on_time_percent()),
                basis: clock.map_or(0, |f| f.on_time + f.late),
            }
        }
        Measure::SignpostingWorked => {
            let calls = figures::follow_ups(
                tx,
                Period {
                    kind: PeriodKind::Custom,
                    from,
                    to,
                },
            )
            .await?;
            let worked: i64 = calls.iter().filter(|t| t.key == "gelukt").map(|t| t.count).sum();
            let all: i64 = calls.iter().map(|t| t.count).sum();
            Measured {
                value: (all > 0).then(|| (worked * 100 + all / 2) / all),
                basis: all,
            }
        }
        Measure::DeskHandled => {
            let period = Period {
                kind: PeriodKind::Custom,
                from,
                to,
            };
            let tallies = figures::triage(tx, period).await?;
            let triage = |key: &str| {
                tallies
                    .iter()
                    .filter(|t| t.dimension == "triage" && t.key == key)
                    .map(|t| t.count)
                    .sum::<i64>()
            };
            let at_desk = triage("handled_at_desk") + triage("signposted");
            let decided = at_desk + triage("to_team");
            Measured {
                value: (decided > 0).then(|| (at_desk * 100 + decided / 2) / decided),
                basis: decided,
            }
        }
        Measure::YouthChildren => {
            let children = match kept {
                Some(kept) => kept.youth.last().map_or(0, |y| y.children),
                None => figures::youth(tx, to.year())
                    .await?
                    .last()
                    .map_or(0, |y| y.children),
            };
            Measured {
                value: Some(children),
                basis: children,
            }
        }
    })
}

/// The agreement form as typed.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub measure: String,
    pub target: String,
    pub description: String,
}

impl AgreementInput {
    pub fn from_fields(fields: &Fields) -> AgreementInput {
        AgreementInput {
            measure: fields.get("measure").to_owned(),
            target: fields.get("target").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
        }
    }

    /// A measure once per contract; a share between 0 and 100, a count from 0.
    pub fn validate(&self, existing: &[Agreement], errors: &mut FormErrors) -> Option<(Measure, i32)> {
        let measure = Measure::parse(&self.measure);
        match measure {
            None => errors.field("measure", "agreement.error.measure"),
            Some(m) if existing.iter().any(|a| a.measure() == m) => {
                errors.field("measure", "agreement.error.measure_taken")
            }
            _ => {}
        }
        let limit = if measure.is_none_or(Measure::is_share) {
            100
        } else {
            1_000_000
        };
        let target = self
            .target
            .parse::<i32>()
            .ok()
            .filter(|t| (0..=limit).contains(t));
        if target.is_none() {
            errors.field(
                "target",
                if limit == 100 {
                    "agreement.error.percent"
                } else {
                    "agreement.error.count"
                },
            );
        }
        if !errors.is_empty() {
            return None;
        }
        Some((measure?, target?))
    }
}

pub async fn add(
    tx: &mut TenantTx,
    contract_id: Uuid,
    measure: Measure,
    target: i32,
    description: &str,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO performance_agreements (tenant_id, contract_id, measure, target, description)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tx.tenant_id(),
        contract_id,
        measure.code(),
        target,
        description
    )
    .fetch_one(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_met_at_or_above_its_target_and_a_count_at_or_below_and_small_numbers_say_nothing() {
        let share = Measured {
            value: Some(95),
            basis: 40,
        };
        assert_eq!(share.met(Measure::WmoOnTime, 95), Some(true));
        assert_eq!(share.met(Measure::WmoOnTime, 96), Some(false));
        let count = Measured {
            value: Some(30),
            basis: 30,
        };
        assert_eq!(count.met(Measure::YouthChildren, 30), Some(true));
        assert_eq!(count.met(Measure::YouthChildren, 29), Some(false));
        let few = Measured {
            value: Some(100),
            basis: 3,
        };
        assert!(few.suppressed());
        assert_eq!(few.met(Measure::WmoOnTime, 95), None);
        let mut errors = FormErrors::new();
        let input = AgreementInput {
            measure: "wmo_besluit_op_tijd".into(),
            target: "101".into(),
            description: String::new(),
        };
        assert!(input.validate(&[], &mut errors).is_none());
        assert_eq!(errors.for_field("target"), Some("agreement.error.percent"));
    }
}
