//! Money received: the tranches the municipality paid on a contract, as the treasurer records
//! them from the bank statement. A form sent twice is one payment.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::finance::account::Quarter;
use crate::finance::contracts::Contract;
use crate::shared::format::format_date;
use crate::shared::money::Cents;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

/// How many of a contract's payments its page lists, the latest first.
pub const SHOWN: i64 = 24;

pub struct Payment {
    pub id: Uuid,
    pub received_on: Date,
    pub amount_cents: i64,
    pub note: String,
}

impl Payment {
    pub fn amount(&self) -> Cents {
        Cents(self.amount_cents)
    }

    pub fn date(&self) -> String {
        format_date(self.received_on)
    }
}

/// The latest payments on a contract.
pub async fn latest(tx: &mut TenantTx, contract_id: Uuid) -> sqlx::Result<Vec<Payment>> {
    sqlx::query_as!(
        Payment,
        "SELECT id, received_on, amount_cents, note FROM contract_payments
         WHERE tenant_id = $1 AND contract_id = $2
         ORDER BY received_on DESC, id
         LIMIT $3",
        tx.tenant_id(),
        contract_id,
        SHOWN
    )
    .fetch_all(&mut **tx)
    .await
}

/// What was received on a contract: how many payments, in the quarter and up to its end (or
/// in all, without a quarter).
pub struct Received {
    pub payments: i64,
    pub in_quarter_cents: i64,
    pub to_date_cents: i64,
}

impl Received {
    pub fn in_quarter(&self) -> Cents {
        Cents(self.in_quarter_cents)
    }

    pub fn to_date(&self) -> Cents {
        Cents(self.to_date_cents)
    }
}

pub async fn received(
    tx: &mut TenantTx,
    contract_id: Uuid,
    quarter: Option<Quarter>,
) -> sqlx::Result<Received> {
    let (from, until) = match quarter {
        Some(q) => (Some(q.start()), Some(q.end())),
        None => (None, None),
    };
    sqlx::query_as!(
        Received,
        r#"SELECT count(*) AS "payments!",
                  coalesce(sum(amount_cents) FILTER (WHERE received_on >= $3::date), 0)::bigint AS "in_quarter_cents!",
                  coalesce(sum(amount_cents), 0)::bigint AS "to_date_cents!"
           FROM contract_payments
           WHERE tenant_id = $1 AND contract_id = $2 AND ($4::date IS NULL OR received_on <= $4)"#,
        tx.tenant_id(),
        contract_id,
        from,
        until
    )
    .fetch_one(&mut **tx)
    .await
}

/// The payment form as typed.
#[derive(Debug, Clone, Default)]
pub struct PaymentInput {
    pub received_on: String,
    pub amount: String,
    pub note: String,
    pub submission: String,
}

pub struct NewPayment {
    pub received_on: Date,
    pub amount: Cents,
    pub note: String,
    pub submission: Uuid,
}

impl PaymentInput {
    pub fn from_fields(fields: &Fields) -> PaymentInput {
        PaymentInput {
            received_on: fields.get("received_on").trim().to_owned(),
            amount: fields.get("amount").trim().to_owned(),
            note: fields.get("note").trim().to_owned(),
            submission: fields.get("submission").to_owned(),
        }
    }

    pub fn fresh(today: Date) -> PaymentInput {
        PaymentInput {
            received_on: format_date(today),
            submission: Uuid::new_v4().to_string(),
            ..PaymentInput::default()
        }
    }

    /// A day not in the future and not before the contract began; an amount above nothing.
    pub fn validate(&self, contract: &Contract, today: Date, errors: &mut FormErrors) -> Option<NewPayment> {
        let received_on = parse_date(&self.received_on);
        match received_on {
            None => errors.field("received_on", "payment.error.date"),
            Some(day) if day > today => errors.field("received_on", "payment.error.future"),
            Some(day) if day < contract.starts_on => {
                errors.field("received_on", "payment.error.before_contract")
            }
            _ => {}
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
        let submission = self.submission.parse::<Uuid>().ok();
        if submission.is_none() {
            errors.form("expense.error.stale_form");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewPayment {
            received_on: received_on?,
            amount: amount?,
            note: self.note.clone(),
            submission: submission?,
        })
    }
}

/// Stores the payment once; a form sent again stores nothing and answers `None`.
pub async fn record(
    tx: &mut TenantTx,
    contract_id: Uuid,
    new: &NewPayment,
    by: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "INSERT INTO contract_payments (tenant_id, contract_id, received_on, amount_cents, note, recorded_by, submission)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, submission) DO NOTHING
         RETURNING id",
        tx.tenant_id(),
        contract_id,
        new.received_on,
        new.amount.0,
        new.note,
        by,
        new.submission
    )
    .fetch_optional(&mut **tx)
    .await
}
