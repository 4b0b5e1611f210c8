//! The quarterly account (verantwoording) of a contract for the council: per budget line what
//! it holds and what was spent in the quarter and up to its end, and per joint pot what the
//! assembly put in, what was granted and spent. Amounts are exact; the CSV has them as numbers
//! a Dutch spreadsheet reads.

use time::{Date, Month};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::money::Cents;

/// A quarter of a year: `2026-3` is July to September 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub number: u8,
}

impl Quarter {
    pub fn of(date: Date) -> Quarter {
        Quarter {
            year: date.year(),
            number: (u8::from(date.month()) - 1) / 3 + 1,
        }
    }

    pub fn parse(code: &str) -> Option<Quarter> {
        let (year, number) = code.split_once('-')?;
        let quarter = Quarter {
            year: year.parse().ok().filter(|y| (2000..=2100).contains(y))?,
            number: number.parse().ok().filter(|n| (1..=4).contains(n))?,
        };
        Some(quarter)
    }

    pub fn code(self) -> String {
        format!("{}-{}", self.year, self.number)
    }

    pub fn start(self) -> Date {
        let month = Month::try_from(self.number * 3 - 2).unwrap_or(Month::January);
        Date::from_calendar_date(self.year, month, 1).unwrap_or(Date::MIN)
    }

    pub fn end(self) -> Date {
        self.next().start().previous_day().unwrap_or(Date::MAX)
    }

    pub fn next(self) -> Quarter {
        if self.number == 4 {
            Quarter {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                number: self.number + 1,
                ..self
            }
        }
    }

    pub fn previous(self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                number: self.number - 1,
                ..self
            }
        }
    }

    pub fn span(self) -> String {
        format!("{} – {}", format_date(self.start()), format_date(self.end()))
    }

    /// Whether the quarter lies (partly) within `from`..=`until`.
    pub fn overlaps(self, from: Date, until: Date) -> bool {
        self.start() <= until && self.end() >= from
    }
}

/// A budget line in the account.
pub struct LineAccount {
    pub id: Uuid,
    pub name: String,
    pub budget_cents: i64,
    pub spent_in_quarter_cents: i64,
    pub spent_to_date_cents: i64,
}

impl LineAccount {
    pub fn budget(&self) -> Cents {
        Cents(self.budget_cents)
    }

    pub fn spent_in_quarter(&self) -> Cents {
        Cents(self.spent_in_quarter_cents)
    }

    pub fn spent_to_date(&self) -> Cents {
        Cents(self.spent_to_date_cents)
    }

    pub fn left(&self) -> Cents {
        self.budget() - self.spent_to_date()
    }
}

/// What was spent per budget line of the contract, in the quarter and up to its end: the
/// expenses of grants from pots that count towards the line, and the approved flexible
/// support paid from it.
pub async fn lines(tx: &mut TenantTx, contract_id: Uuid, quarter: Quarter) -> sqlx::Result<Vec<LineAccount>> {
    sqlx::query_as!(
        LineAccount,
        r#"SELECT b.id, b.name, b.amount_cents AS budget_cents,
                  (coalesce(x.in_quarter, 0) + coalesce(f.in_quarter, 0))::bigint AS "spent_in_quarter_cents!",
                  (coalesce(x.to_date, 0) + coalesce(f.to_date, 0))::bigint AS "spent_to_date_cents!"
           FROM budget_lines b
           LEFT JOIN LATERAL (
               SELECT sum(e.amount_cents) FILTER (WHERE e.spent_on >= $3) AS in_quarter, sum(e.amount_cents) AS to_date
               FROM pots p
               JOIN grants g ON g.tenant_id = p.tenant_id AND g.pot_id = p.id
               JOIN grant_expenses e ON e.tenant_id = g.tenant_id AND e.grant_id = g.id
               WHERE p.tenant_id = b.tenant_id AND p.budget_line_id = b.id AND e.spent_on <= $4) x ON true
           LEFT JOIN LATERAL (
               SELECT sum(s.amount_cents) FILTER (WHERE s.spent_on >= $3) AS in_quarter, sum(s.amount_cents) AS to_date
               FROM flexible_support s
               WHERE s.tenant_id = b.tenant_id AND s.budget_line_id = b.id AND s.status = 'goedgekeurd'
                 AND s.spent_on <= $4) f ON true
           WHERE b.tenant_id = $1 AND b.contract_id = $2
           ORDER BY b.created_at, b.id"#,
        tx.tenant_id(),
        contract_id,
        quarter.start(),
        quarter.end()
    )
    .fetch_all(&mut **tx)
    .await
}

/// A joint pot in the account.
pub struct PotAccount {
    pub id: Uuid,
    pub name: String,
    pub budget_line: Option<String>,
    pub allocated_cents: i64,
    pub granted_in_quarter_cents: i64,
    pub granted_to_date_cents: i64,
    pub spent_in_quarter_cents: i64,
    pub spent_to_date_cents: i64,
}

impl PotAccount {
    pub fn allocated(&self) -> Cents {
        Cents(self.allocated_cents)
    }

    pub fn granted_in_quarter(&self) -> Cents {
        Cents(self.granted_in_quarter_cents)
    }

    pub fn granted_to_date(&self) -> Cents {
        Cents(self.granted_to_date_cents)
    }

    pub fn spent_in_quarter(&self) -> Cents {
        Cents(self.spent_in_quarter_cents)
    }

    pub fn spent_to_date(&self) -> Cents {
        Cents(self.spent_to_date_cents)
    }

    pub fn available(&self) -> Cents {
        self.allocated() - self.granted_to_date()
    }
}

/// Every pot as it stood at the quarter's end: put in by decisions taken by then, granted
/// (by the day of the grant in the Netherlands) and spent in the quarter and up to its end.
pub async fn pots(tx: &mut TenantTx, quarter: Quarter) -> sqlx::Result<Vec<PotAccount>> {
    sqlx::query_as!(
        PotAccount,
        r#"SELECT p.id, p.name, b.name AS "budget_line?",
                  coalesce((SELECT sum(a.amount_cents) FROM pot_allocations a
                            JOIN decisions d ON d.tenant_id = a.tenant_id AND d.id = a.decision_id
                            WHERE a.tenant_id = p.tenant_id AND a.pot_id = p.id AND d.decided_on <= $3), 0)::bigint
                      AS "allocated_cents!",
                  coalesce(g.in_quarter, 0)::bigint AS "granted_in_quarter_cents!",
                  coalesce(g.to_date, 0)::bigint AS "granted_to_date_cents!",
                  coalesce(s.in_quarter, 0)::bigint AS "spent_in_quarter_cents!",
                  coalesce(s.to_date, 0)::bigint AS "spent_to_date_cents!"
           FROM pots p
           LEFT JOIN budget_lines b ON b.tenant_id = p.tenant_id AND b.id = p.budget_line_id
           LEFT JOIN LATERAL (
               SELECT sum(gr.amount_cents) FILTER (WHERE (gr.decided_at AT TIME ZONE 'Europe/Amsterdam')::date >= $2) AS in_quarter,
                      sum(gr.amount_cents) AS to_date
               FROM grants gr
               WHERE gr.tenant_id = p.tenant_id AND gr.pot_id = p.id AND gr.status = 'toegekend'
                 AND (gr.decided_at AT TIME ZONE 'Europe/Amsterdam')::date <= $3) g ON true
           LEFT JOIN LATERAL (
               SELECT sum(e.amount_cents) FILTER (WHERE e.spent_on >= $2) AS in_quarter, sum(e.amount_cents) AS to_date
               FROM grants gr
               JOIN grant_expenses e ON e.tenant_id = gr.tenant_id AND e.grant_id = gr.id
               WHERE gr.tenant_id = p.tenant_id AND gr.pot_id = p.id AND e.spent_on <= $3) s ON true
           WHERE p.tenant_id = $1
           ORDER BY lower(p.name)"#,
        tx.tenant_id(),
        quarter.start(),
        quarter.end()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Links a pot to the budget line its spending counts towards (or none).
pub async fn link_pot(tx: &mut TenantTx, pot_id: Uuid, budget_line_id: Option<Uuid>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE pots SET budget_line_id = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        pot_id,
        budget_line_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A budget line to choose for a pot, named with its contract.
pub struct LineOption {
    pub id: Uuid,
    pub label: String,
}

pub async fn line_options(tx: &mut TenantTx) -> sqlx::Result<Vec<LineOption>> {
    sqlx::query_as!(
        LineOption,
        r#"SELECT b.id, c.title || ' – ' || b.name AS "label!"
           FROM budget_lines b JOIN contracts c ON c.tenant_id = b.tenant_id AND c.id = b.contract_id
           WHERE b.tenant_id = $1
           ORDER BY c.starts_on DESC, b.created_at, b.id
           LIMIT 200"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn quarters_run_three_months_and_follow_each_other() {
        let q = Quarter::of(date!(2026 - 08 - 15));
        assert_eq!(
            q,
            Quarter {
                year: 2026,
                number: 3
            }
        );
        assert_eq!(
            (q.start(), q.end()),
            (date!(2026 - 07 - 01), date!(2026 - 09 - 30))
        );
        assert_eq!(q.next().end(), date!(2026 - 12 - 31));
        assert_eq!(
            q.next().next(),
            Quarter {
                year: 2027,
                number: 1
            }
        );
        assert_eq!(
            Quarter::parse("2026-1").map(Quarter::previous),
            Some(Quarter {
                year: 2025,
                number: 4
            })
        );
        assert_eq!(Quarter::parse("2026-5"), None);
        assert!(q.overlaps(date!(2026 - 01 - 01), date!(2026 - 07 - 01)));
        assert!(!q.overlaps(date!(2026 - 10 - 01), date!(2026 - 12 - 31)));
    }
}
