//! Grants from a pot: a member applies for its project, the board grants or refuses (never
//! whoever applied), the member records what it spent with a receipt and reports the result.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::finance::pots::Pot;
use crate::shared::choices::choice;
use crate::shared::money::Cents;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

choice!(
    /// Where an application stands.
    GrantStatus { Requested => "aangevraagd", Granted => "toegekend", Refused => "afgewezen" }
);

pub const PAGE_SIZE: i64 = 25;

pub struct Grant {
    pub id: Uuid,
    pub pot_id: Uuid,
    pub pot: String,
    pub organisation_id: Uuid,
    pub organisation: String,
    pub project: String,
    pub amount_cents: i64,
    pub purpose: String,
    pub expected_result: String,
    pub status: String,
    pub requested_by: Uuid,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decision_note: String,
    pub over_commitment: String,
    pub result: String,
    pub spent_cents: i64,
    /// The assembly's decision it rests on (`ALV-2026-07`), when the assembly decided it.
    pub decision_number: Option<String>,
}

impl Grant {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn spent(&self) -> Cents {
        Cents(self.spent_cents)
    }

    /// What is left to spend of a granted amount.
    pub fn left(&self) -> Cents {
        self.amount() - self.spent()
    }

    pub fn status(&self) -> GrantStatus {
        GrantStatus::parse(&self.status).unwrap_or(GrantStatus::Requested)
    }

    pub fn status_key(&self) -> String {
        self.status().label_key()
    }

    pub fn is_open(&self) -> bool {
        self.status() == GrantStatus::Requested
    }

    pub fn is_granted(&self) -> bool {
        self.status() == GrantStatus::Granted
    }
}

/// Which grants a list shows.
#[derive(Clone, Copy)]
pub enum GrantsOf {
    Pot(Uuid),
    /// One member's grants, from one pot or all.
    Member(Uuid, Option<Uuid>),
    One(Uuid),
    /// Every application waiting for a decision.
    Waiting,
}

impl GrantsOf {
    /// (pot, organisation, grant) to filter on.
    fn filters(self) -> (Option<Uuid>, Option<Uuid>, Option<Uuid>, bool) {
        match self {
            GrantsOf::Pot(pot) => (Some(pot), None, None, false),
            GrantsOf::Member(organisation, pot) => (pot, Some(organisation), None, false),
            GrantsOf::One(id) => (None, None, Some(id), false),
            GrantsOf::Waiting => (None, None, None, true),
        }
    }
}

/// Grants, the latest application first, one page of them (one more to tell a next page).
/// The page is chosen from the grants alone, then joined to names: a pot of ten years joins
/// one page, not every grant.
pub async fn list(tx: &mut TenantTx, of: GrantsOf, page: i64) -> sqlx::Result<Vec<Grant>> {
    let (pot, organisation, id, waiting) = of.filters();
    sqlx::query_as!(
        Grant,
        r#"SELECT g.id, g.pot_id, p.name AS pot, g.organisation_id, o.name AS organisation, g.project,
                  g.amount_cents, g.purpose, g.expected_result, g.status, g.requested_by,
                  coalesce(r.name, '') AS "requested_by_name!", g.requested_at,
                  d.name AS "decided_by_name?", g.decision_note, g.over_commitment, g.result,
                  g.spent_cents,
                  (SELECT 'ALV-' || x.year || '-' || lpad(x.seq::text, 2, '0') FROM decisions x
                   WHERE x.tenant_id = g.tenant_id AND x.id = g.decision_id) AS "decision_number?"
           FROM (SELECT * FROM grants g
                 WHERE g.tenant_id = $1
                   AND ($2::uuid IS NULL OR g.pot_id = $2)
                   AND ($3::uuid IS NULL OR g.organisation_id = $3)
                   AND ($4::uuid IS NULL OR g.id = $4)
                   AND (NOT $7 OR g.status = 'aangevraagd')
                 ORDER BY g.requested_at DESC, g.id
                 LIMIT $5 OFFSET $6) g
           JOIN pots p ON p.tenant_id = g.tenant_id AND p.id = g.pot_id
           JOIN organisations o ON o.tenant_id = g.tenant_id AND o.id = g.organisation_id
           LEFT JOIN users r ON r.tenant_id = g.tenant_id AND r.id = g.requested_by
           LEFT JOIN users d ON d.tenant_id = g.tenant_id AND d.id = g.decided_by
           ORDER BY g.requested_at DESC, g.id"#,
        tx.tenant_id(),
        pot,
        organisation,
        id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
        waiting
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many grants a list has in all.
pub async fn count(tx: &mut TenantTx, of: GrantsOf) -> sqlx::Result<i64> {
    let (pot, organisation, id, waiting) = of.filters();
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM grants g
           WHERE g.tenant_id = $1
             AND ($2::uuid IS NULL OR g.pot_id = $2)
             AND ($3::uuid IS NULL OR g.organisation_id = $3)
             AND ($4::uuid IS NULL OR g.id = $4)
             AND (NOT $5 OR g.status = 'aangevraagd')"#,
        tx.tenant_id(),
        pot,
        organisation,
        id,
        waiting
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Grant>> {
    Ok(list(tx, GrantsOf::One(id), 1).await?.pop())
}

/// The grant locked while it is decided or spent from.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Grant>> {
    let found = sqlx::query_scalar!(
        "SELECT id FROM grants WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
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

/// The application form as typed.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub project: String,
    pub amount: String,
    pub purpose: String,
    pub expected_result: String,
}

pub struct Application {
    pub project: String,
    pub amount: Cents,
    pub purpose: String,
    pub expected_result: String,
}

impl ApplicationInput {
    pub fn from_fields(fields: &Fields) -> ApplicationInput {
        ApplicationInput {
            project: fields.get("project").trim().to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            purpose: fields.get("purpose").trim().to_owned(),
            expected_result: fields.get("expected_result").trim().to_owned(),
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<Application> {
        if self.project.is_empty() {
            errors.field("project", "grant.error.project");
        }
        let amount = match Cents::parse(&self.amount) {
            Ok(Cents(0)) => {
                errors.field("amount", "money.error.zero");
                None
            }
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.field("amount", e.message_key());
                None
            }
        };
        if self.purpose.is_empty() {
            errors.field("purpose", "grant.error.purpose");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(Application {
            project: self.project.clone(),
            amount: amount?,
            purpose: self.purpose.clone(),
            expected_result: self.expected_result.clone(),
        })
    }
}

pub async fn apply(
    tx: &mut TenantTx,
    pot_id: Uuid,
    organisation_id: Uuid,
    application: &Application,
    by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO grants (tenant_id, pot_id, organisation_id, project, amount_cents, purpose, expected_result, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        tx.tenant_id(),
        pot_id,
        organisation_id,
        application.project,
        application.amount.0,
        application.purpose,
        application.expected_result,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// The decision form as typed: grant or refuse, a note, and the reason for granting more
/// than the pot holds.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub outcome: String,
    pub note: String,
    pub over_commitment: String,
    /// The assembly's decision (`ALV-2026-07`), when the statutes leave the grant to it.
    pub decision_number: String,
}

impl DecisionInput {
    pub fn from_fields(fields: &Fields) -> DecisionInput {
        DecisionInput {
            outcome: fields.get("outcome").to_owned(),
            note: fields.get("note").trim().to_owned(),
            over_commitment: fields.get("over_commitment").trim().to_owned(),
            decision_number: fields.get("decision_number").trim().to_owned(),
        }
    }

    /// Checks the decision against the pot as it stands (locked): granting more than is
    /// available needs the over-commitment said with a reason; refusing needs a note.
    pub fn validate(&self, grant: &Grant, pot: &Pot, errors: &mut FormErrors) -> Option<GrantStatus> {
        let outcome = match GrantStatus::parse(&self.outcome) {
            Some(GrantStatus::Requested) | None => {
                errors.field("outcome", "grant.error.outcome");
                return None;
            }
            Some(outcome) => outcome,
        };
        if outcome == GrantStatus::Refused && self.note.is_empty() {
            errors.field("note", "grant.error.refusal_note");
        }
        if outcome == GrantStatus::Granted
            && grant.amount() > pot.available()
            && self.over_commitment.is_empty()
        {
            errors.field("over_commitment", "grant.error.over_commitment");
        }
        errors.is_empty().then_some(outcome)
    }
}

/// Records the decision; `assembly_decision` is the assembly's decision it rests on, when the
/// statutes leave the grant to the assembly.
pub async fn decide(
    tx: &mut TenantTx,
    grant_id: Uuid,
    outcome: GrantStatus,
    input: &DecisionInput,
    (over_committed, assembly_decision): (bool, Option<Uuid>),
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE grants SET status = $3, decided_by = $4, decided_at = now(), decision_note = $5, over_commitment = $6,
                decision_id = $7
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        grant_id,
        outcome.code(),
        by,
        input.note,
        if over_committed { input.over_commitment.as_str() } else { "" },
        assembly_decision
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn report_result(tx: &mut TenantTx, grant_id: Uuid, result: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE grants SET result = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        grant_id,
        result
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a member spent of a grant.
pub struct Expense {
    pub id: Uuid,
    pub spent_on: Date,
    pub amount_cents: i64,
    pub description: String,
    pub receipt_name: String,
    pub recorded_by_name: String,
}

impl Expense {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn date(&self) -> String {
        crate::shared::format::format_date(self.spent_on)
    }
}

pub async fn expenses(tx: &mut TenantTx, grant_id: Uuid, page: i64) -> sqlx::Result<Vec<Expense>> {
    sqlx::query_as!(
        Expense,
        r#"SELECT e.id, e.spent_on, e.amount_cents, e.description, e.receipt_name,
                  coalesce(u.name, '') AS "recorded_by_name!"
           FROM grant_expenses e
           LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.recorded_by
           WHERE e.tenant_id = $1 AND e.grant_id = $2
           ORDER BY e.spent_on DESC, e.id
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        grant_id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn expense_count(tx: &mut TenantTx, grant_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM grant_expenses WHERE tenant_id = $1 AND grant_id = $2"#,
        tx.tenant_id(),
        grant_id
    )
    .fetch_one(&mut **tx)
    .await
}

/// The expense form as typed, with the key that makes a form sent twice one expense.
#[derive(Debug, Clone, Default)]
pub struct ExpenseInput {
    pub spent_on: String,
    pub amount: String,
    pub description: String,
    pub submission: String,
}

/// A receipt whose content was checked to be a PDF or an image.
pub struct Receipt {
    pub name: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

pub const MAX_RECEIPT_BYTES: usize = 10 * 1024 * 1024;

pub struct NewExpense {
    pub spent_on: Date,
    pub amount: Cents,
    pub description: String,
    pub submission: Uuid,
}

impl ExpenseInput {
    pub fn from_fields(fields: &Fields) -> ExpenseInput {
        ExpenseInput {
            spent_on: fields.get("spent_on").trim().to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
            submission: fields.get("submission").to_owned(),
        }
    }

    /// A fresh form: today's date and a new submission key.
    pub fn fresh(today: Date) -> ExpenseInput {
        ExpenseInput {
            spent_on: crate::shared::format::format_date(today),
            submission: Uuid::new_v4().to_string(),
            ..ExpenseInput::default()
        }
    }

    /// Checks the expense against the grant (granted, and no more spent than granted) and
    /// the day (not in the future).
    pub fn validate(
        &self,
        grant: &Grant,
        today: Date,
        receipt: Option<&Receipt>,
        errors: &mut FormErrors,
    ) -> Option<NewExpense> {
        let spent_on = parse_date(&self.spent_on);
        match spent_on {
            None => errors.field("spent_on", "expense.error.date"),
            Some(day) if day > today => errors.field("spent_on", "expense.error.future"),
            _ => {}
        }
        let amount = match Cents::parse(&self.amount) {
            Ok(Cents(0)) => {
                errors.field("amount", "money.error.zero");
                None
            }
            Ok(amount) if amount > grant.left() => {
                errors.field("amount", "expense.error.more_than_left");
                None
            }
            Ok(amount) => Some(amount),
            Err(e) => {
                errors.field("amount", e.message_key());
                None
            }
        };
        if self.description.is_empty() {
            errors.field("description", "expense.error.description");
        }
        if receipt.is_none() && !errors.has("receipt") {
            errors.field("receipt", "expense.error.receipt");
        }
        let submission = self.submission.parse::<Uuid>().ok();
        if submission.is_none() {
            errors.form("expense.error.stale_form");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewExpense {
            spent_on: spent_on?,
            amount: amount?,
            description: self.description.clone(),
            submission: submission?,
        })
    }
}

/// Stores the expense once: a form sent again with the same key stores nothing and answers
/// `false`.
pub async fn record_expense(
    tx: &mut TenantTx,
    grant_id: Uuid,
    new: &NewExpense,
    receipt: &Receipt,
    by: Uuid,
) -> sqlx::Result<bool> {
    let stored = sqlx::query!(
        "INSERT INTO grant_expenses (tenant_id, grant_id, spent_on, amount_cents, description,
                                     receipt_name, receipt_type, receipt, submission, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, submission) DO NOTHING",
        tx.tenant_id(),
        grant_id,
        new.spent_on,
        new.amount.0,
        new.description,
        receipt.name,
        receipt.content_type,
        receipt.content,
        new.submission,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// Whether an expense with this submission key is stored already (the form was sent before).
pub async fn submitted_before(tx: &mut TenantTx, submission: &str) -> sqlx::Result<bool> {
    let Ok(submission) = submission.parse::<Uuid>() else {
        return Ok(false);
    };
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM grant_expenses WHERE tenant_id = $1 AND submission = $2) AS "exists!""#,
        tx.tenant_id(),
        submission
    )
    .fetch_one(&mut **tx)
    .await
}

pub struct StoredReceipt {
    pub receipt_name: String,
    pub receipt_type: String,
    pub receipt: Vec<u8>,
}

pub async fn receipt(
    tx: &mut TenantTx,
    grant_id: Uuid,
    expense_id: Uuid,
) -> sqlx::Result<Option<StoredReceipt>> {
    sqlx::query_as!(
        StoredReceipt,
        "SELECT receipt_name, receipt_type, receipt FROM grant_expenses
         WHERE tenant_id = $1 AND grant_id = $2 AND id = $3",
        tx.tenant_id(),
        grant_id,
        expense_id
    )
    .fetch_optional(&mut **tx)
    .await
}
