//! Flexible support per resident (maatwerkbudget): from a case, the lead pays for what the
//! resident needs whoever provides it — a few weeks of home help before an indication, a
//! bicycle, a course — from a budget line the treasurer marked for it. Above the treasurer's
//! threshold a process manager approves it first, never the one who asked.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::choices::choice;
use crate::shared::format::format_date;
use crate::shared::money::Cents;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

choice!(
    /// Where a flexible support entry stands.
    SupportStatus { Requested => "aangevraagd", Approved => "goedgekeurd", Refused => "afgewezen" }
);

pub const PAGE_SIZE: i64 = 50;

/// What a provider select sends for a provider outside the member organisations.
pub const OTHER_PROVIDER: &str = "anders";

/// One entry of flexible support.
pub struct FlexibleSupport {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_reference: String,
    pub budget_line: String,
    pub goal: Option<String>,
    pub amount_cents: i64,
    pub provider: String,
    pub description: String,
    pub spent_on: Date,
    pub status: String,
    pub requested_by: Uuid,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decision_note: String,
}

impl FlexibleSupport {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn date(&self) -> String {
        format_date(self.spent_on)
    }

    pub fn status(&self) -> SupportStatus {
        SupportStatus::parse(&self.status).unwrap_or(SupportStatus::Requested)
    }

    pub fn status_key(&self) -> String {
        self.status().label_key()
    }

    pub fn is_waiting(&self) -> bool {
        self.status() == SupportStatus::Requested
    }
}

/// Which entries a list shows.
#[derive(Clone, Copy)]
pub enum SupportOf {
    Case(Uuid),
    One(Uuid),
    /// Entries waiting for a process manager.
    Waiting,
    /// Every entry, for whoever keeps the money.
    All,
}

impl SupportOf {
    fn filters(self) -> (Option<Uuid>, Option<Uuid>, bool) {
        match self {
            SupportOf::Case(case) => (Some(case), None, false),
            SupportOf::One(id) => (None, Some(id), false),
            SupportOf::Waiting => (None, None, true),
            SupportOf::All => (None, None, false),
        }
    }
}

/// Entries, the latest request first, one page (and one more to tell a next page).
pub async fn list(tx: &mut TenantTx, of: SupportOf, page: i64) -> sqlx::Result<Vec<FlexibleSupport>> {
    let (case, id, waiting) = of.filters();
    sqlx::query_as!(
        FlexibleSupport,
        r#"SELECT f.id, f.case_id, c.reference AS case_reference, b.name AS budget_line, g.description AS "goal?",
                  f.amount_cents, coalesce(o.name, f.provider_name) AS "provider!", f.description, f.spent_on,
                  f.status, f.requested_by, coalesce(r.name, '') AS "requested_by_name!", f.requested_at,
                  d.name AS "decided_by_name?", f.decision_note
           FROM flexible_support f
           JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
           JOIN budget_lines b ON b.tenant_id = f.tenant_id AND b.id = f.budget_line_id
           LEFT JOIN plan_goals g ON g.tenant_id = f.tenant_id AND g.id = f.goal_id
           LEFT JOIN organisations o ON o.tenant_id = f.tenant_id AND o.id = f.provider_organisation_id
           LEFT JOIN users r ON r.tenant_id = f.tenant_id AND r.id = f.requested_by
           LEFT JOIN users d ON d.tenant_id = f.tenant_id AND d.id = f.decided_by
           WHERE f.tenant_id = $1
             AND ($2::uuid IS NULL OR f.case_id = $2)
             AND ($3::uuid IS NULL OR f.id = $3)
             AND (NOT $4 OR f.status = 'aangevraagd')
           ORDER BY f.requested_at DESC, f.id
           LIMIT $5 OFFSET $6"#,
        tx.tenant_id(),
        case,
        id,
        waiting,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn count(tx: &mut TenantTx, of: SupportOf) -> sqlx::Result<i64> {
    let (case, id, waiting) = of.filters();
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM flexible_support f
           WHERE f.tenant_id = $1
             AND ($2::uuid IS NULL OR f.case_id = $2)
             AND ($3::uuid IS NULL OR f.id = $3)
             AND (NOT $4 OR f.status = 'aangevraagd')"#,
        tx.tenant_id(),
        case,
        id,
        waiting
    )
    .fetch_one(&mut **tx)
    .await
}

/// What was approved for a case in all.
pub async fn approved_total(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Cents> {
    let cents = sqlx::query_scalar!(
        r#"SELECT coalesce(sum(amount_cents), 0)::bigint AS "cents!" FROM flexible_support
           WHERE tenant_id = $1 AND case_id = $2 AND status = 'goedgekeurd'"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Cents(cents))
}

/// The entry locked while it is decided.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<FlexibleSupport>> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM flexible_support WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    match found {
        Some(id) => Ok(list(tx, SupportOf::One(id), 1).await?.pop()),
        None => Ok(None),
    }
}

/// Above this amount a process manager approves first; the treasurer sets it.
pub async fn approval_threshold(tx: &mut TenantTx) -> sqlx::Result<Cents> {
    let cents = sqlx::query_scalar!(
        "SELECT flexible_approval_cents FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(Cents(cents.unwrap_or(100_000)))
}

pub async fn set_approval_threshold(tx: &mut TenantTx, threshold: Cents) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE tenant_settings SET flexible_approval_cents = $2 WHERE tenant_id = $1",
        tx.tenant_id(),
        threshold.0
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A budget line flexible support may be paid from, with its contract's period and what is
/// left on it (approved and waiting entries, and spending of pots counted towards it, off).
pub struct FlexibleLine {
    pub id: Uuid,
    pub label: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub left_cents: i64,
}

impl FlexibleLine {
    pub fn left(&self) -> Cents {
        Cents(self.left_cents)
    }
}

/// The lines marked for flexible support of contracts running on `day` or since.
pub async fn lines(tx: &mut TenantTx, day: Date) -> sqlx::Result<Vec<FlexibleLine>> {
    sqlx::query_as!(
        FlexibleLine,
        r#"SELECT b.id, c.title || ' – ' || b.name AS "label!", c.starts_on, c.ends_on,
                  (b.amount_cents
                   - coalesce((SELECT sum(f.amount_cents) FROM flexible_support f
                               WHERE f.tenant_id = b.tenant_id AND f.budget_line_id = b.id
                                 AND f.status <> 'afgewezen'), 0)
                   - coalesce((SELECT sum(g.spent_cents) FROM pots p
                               JOIN grants g ON g.tenant_id = p.tenant_id AND g.pot_id = p.id
                               WHERE p.tenant_id = b.tenant_id AND p.budget_line_id = b.id), 0))::bigint AS "left_cents!"
           FROM budget_lines b JOIN contracts c ON c.tenant_id = b.tenant_id AND c.id = b.contract_id
           WHERE b.tenant_id = $1 AND b.flexible AND c.ends_on >= $2
           ORDER BY c.starts_on, b.created_at, b.id
           LIMIT 20"#,
        tx.tenant_id(),
        day
    )
    .fetch_all(&mut **tx)
    .await
}

/// Locks a flexible line while an entry is paid from it, so two entries cannot both take
/// the last of it.
pub async fn lock_line(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "SELECT id FROM budget_lines WHERE tenant_id = $1 AND id = $2 AND flexible FOR UPDATE",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(())
}

/// The support form as typed.
#[derive(Debug, Clone, Default)]
pub struct SupportInput {
    pub budget_line: String,
    pub goal: String,
    pub amount: String,
    pub provider: String,
    pub provider_name: String,
    pub description: String,
    pub spent_on: String,
    pub submission: String,
}

/// A checked entry, with who provides it.
pub struct NewSupport {
    pub budget_line_id: Uuid,
    pub goal_id: Uuid,
    pub amount: Cents,
    pub provider_organisation_id: Option<Uuid>,
    pub provider_name: String,
    pub description: String,
    pub spent_on: Date,
    pub submission: Uuid,
}

/// What the form is checked against: the lines, the plan's goals, the member organisations.
pub struct Choices<'a> {
    pub lines: &'a [FlexibleLine],
    pub goals: &'a [Uuid],
    pub organisations: &'a [Uuid],
}

impl SupportInput {
    pub fn from_fields(fields: &Fields) -> SupportInput {
        SupportInput {
            budget_line: fields.get("budget_line").to_owned(),
            goal: fields.get("goal").to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            provider: fields.get("provider").to_owned(),
            provider_name: fields.get("provider_name").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
            spent_on: fields.get("spent_on").trim().to_owned(),
            submission: fields.get("submission").to_owned(),
        }
    }

    /// A fresh form: today's date, the only line preselected, a new submission key.
    pub fn fresh(today: Date, lines: &[FlexibleLine]) -> SupportInput {
        SupportInput {
            spent_on: format_date(today),
            budget_line: match lines {
                [only] => only.id.to_string(),
                _ => String::new(),
            },
            submission: Uuid::new_v4().to_string(),
            ..SupportInput::default()
        }
    }

    pub fn validate(&self, choices: &Choices, errors: &mut FormErrors) -> Option<NewSupport> {
        let line = self
            .budget_line
            .parse::<Uuid>()
            .ok()
            .and_then(|id| choices.lines.iter().find(|l| l.id == id));
        if line.is_none() {
            errors.field("budget_line", "flexible.error.budget_line");
        }
        let goal = self
            .goal
            .parse::<Uuid>()
            .ok()
            .filter(|g| choices.goals.contains(g));
        if goal.is_none() {
            errors.field("goal", "flexible.error.goal");
        }
        let amount = match Cents::parse(&self.amount) {
            Ok(Cents(0)) => {
                errors.field("amount", "money.error.zero");
                None
            }
            Ok(amount) if line.is_some_and(|l| amount > l.left()) => {
                errors.field("amount", "flexible.error.more_than_left");
                None
            }
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.field("amount", e.message_key());
                None
            }
        };
        let provider_organisation_id = if self.provider == OTHER_PROVIDER {
            if self.provider_name.is_empty() {
                errors.field("provider_name", "flexible.error.provider_name");
            }
            None
        } else {
            let organisation = self
                .provider
                .parse::<Uuid>()
                .ok()
                .filter(|o| choices.organisations.contains(o));
            if organisation.is_none() {
                errors.field("provider", "flexible.error.provider");
            }
            organisation
        };
        if self.description.is_empty() {
            errors.field("description", "flexible.error.description");
        }
        let spent_on = parse_date(&self.spent_on);
        match (spent_on, line) {
            (None, _) => errors.field("spent_on", "flexible.error.date"),
            (Some(day), Some(line)) if day < line.starts_on || day > line.ends_on => {
                errors.field("spent_on", "flexible.error.outside_contract")
            }
            _ => {}
        }
        let submission = self.submission.parse::<Uuid>().ok();
        if submission.is_none() {
            errors.form("expense.error.stale_form");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewSupport {
            budget_line_id: line?.id,
            goal_id: goal?,
            amount: amount?,
            provider_name: if provider_organisation_id.is_some() {
                String::new()
            } else {
                self.provider_name.clone()
            },
            provider_organisation_id,
            description: self.description.clone(),
            spent_on: spent_on?,
            submission: submission?,
        })
    }
}

/// Whether an amount waits for a process manager: above the threshold it does.
pub fn needs_approval(amount: Cents, threshold: Cents) -> bool {
    amount > threshold
}

/// Stores the entry once, approved at once or waiting; a form sent again stores nothing and
/// answers `None`.
pub async fn record(
    tx: &mut TenantTx,
    case_id: Uuid,
    new: &NewSupport,
    status: SupportStatus,
    by: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO flexible_support (tenant_id, case_id, budget_line_id, goal_id, amount_cents,
                                       provider_organisation_id, provider_name, description, spent_on,
                                       status, requested_by, decided_at, submission)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                 CASE WHEN $10 = 'aangevraagd' THEN NULL ELSE now() END, $12)
         ON CONFLICT (tenant_id, submission) DO NOTHING
         RETURNING id",
        tx.tenant_id(),
        case_id,
        new.budget_line_id,
        new.goal_id,
        new.amount.0,
        new.provider_organisation_id,
        new.provider_name,
        new.description,
        new.spent_on,
        status.code(),
        by,
        new.submission
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A process manager's decision as typed.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub outcome: String,
    pub note: String,
}

impl DecisionInput {
    pub fn from_fields(fields: &Fields) -> DecisionInput {
        DecisionInput {
            outcome: fields.get("outcome").to_owned(),
            note: fields.get("note").trim().to_owned(),
        }
    }

    /// Approve, or refuse with a reason.
    pub fn validate(&self, errors: &mut FormErrors) -> Option<SupportStatus> {
        let outcome = match SupportStatus::parse(&self.outcome) {
            Some(SupportStatus::Requested) | None => {
                errors.field("outcome", "flexible.error.outcome");
                return None;
            }
            Some(outcome) => outcome,
        };
        if outcome == SupportStatus::Refused && self.note.is_empty() {
            errors.field("note", "flexible.error.refusal_note");
        }
        errors.is_empty().then_some(outcome)
    }
}

pub async fn decide(
    tx: &mut TenantTx,
    id: Uuid,
    outcome: SupportStatus,
    note: &str,
    by: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE flexible_support SET status = $3, decision_note = $4, decided_by = $5, decided_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status = 'aangevraagd' AND requested_by <> $5",
        tx.tenant_id(),
        id,
        outcome.code(),
        note,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn line() -> FlexibleLine {
        FlexibleLine {
            id: Uuid::from_u128(1),
            label: "Opdracht 2026 – Maatwerk".into(),
            starts_on: date!(2026 - 01 - 01),
            ends_on: date!(2026 - 12 - 31),
            left_cents: 50_000,
        }
    }

    fn typed() -> SupportInput {
        SupportInput {
            budget_line: Uuid::from_u128(1).to_string(),
            goal: Uuid::from_u128(2).to_string(),
            amount: "120,50".into(),
            provider: OTHER_PROVIDER.into(),
            provider_name: "Fietsenmaker Van Dijk".into(),
            description: "Fiets om naar het werk te gaan".into(),
            spent_on: "03-11-2026".into(),
            submission: Uuid::from_u128(9).to_string(),
        }
    }

    fn check(input: &SupportInput) -> (Option<NewSupport>, FormErrors) {
        let lines = [line()];
        let choices = Choices {
            lines: &lines,
            goals: &[Uuid::from_u128(2)],
            organisations: &[Uuid::from_u128(3)],
        };
        let mut errors = FormErrors::new();
        let new = input.validate(&choices, &mut errors);
        (new, errors)
    }

    #[test]
    fn a_complete_entry_is_read_exactly() {
        let (new, errors) = check(&typed());
        assert!(errors.is_empty());
        let new = new.expect("valid");
        assert_eq!(new.amount, Cents(12_050));
        assert_eq!(new.provider_organisation_id, None);
        assert_eq!(new.spent_on, date!(2026 - 11 - 03));
    }

    #[test]
    fn each_field_is_checked_beside_itself() {
        let wrong = SupportInput {
            budget_line: "x".into(),
            goal: Uuid::from_u128(7).to_string(),
            amount: "12,3456".into(),
            provider_name: String::new(),
            description: String::new(),
            spent_on: "morgen".into(),
            ..typed()
        };
        let (new, errors) = check(&wrong);
        assert!(new.is_none());
        for field in [
            "budget_line",
            "goal",
            "amount",
            "provider_name",
            "description",
            "spent_on",
        ] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn no_more_than_the_line_has_left_and_only_within_the_contract() {
        let (_, errors) = check(&SupportInput {
            amount: "500,01".into(),
            ..typed()
        });
        assert_eq!(errors.for_field("amount"), Some("flexible.error.more_than_left"));
        let (_, errors) = check(&SupportInput {
            spent_on: "02-01-2027".into(),
            ..typed()
        });
        assert_eq!(
            errors.for_field("spent_on"),
            Some("flexible.error.outside_contract")
        );
        let (new, _) = check(&SupportInput {
            provider: Uuid::from_u128(3).to_string(),
            ..typed()
        });
        assert_eq!(new.map(|n| n.provider_name), Some(String::new()));
    }

    #[test]
    fn only_amounts_above_the_threshold_wait() {
        assert!(!needs_approval(Cents(100_000), Cents(100_000)));
        assert!(needs_approval(Cents(100_001), Cents(100_000)));
    }
}
