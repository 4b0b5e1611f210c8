//! The social team's pages, one file per page group; here only what the groups share.

pub mod clocks;
pub mod consent;
pub mod conversations;
pub mod guardians;
pub mod journal;
pub mod network;
pub mod page;
pub mod plan;
pub mod queue;
pub mod steer;
pub mod tasks;

use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::cases::CasePart;
use crate::cases::record::{self, Colleague};
use crate::db::TenantTx;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

/// What a form on the case page (or plan page) sent, to show again with its errors.
#[derive(Default)]
struct Submitted {
    form: &'static str,
    fields: Fields,
    errors: FormErrors,
    conflict: bool,
}

impl Submitted {
    /// The form as sent, its messages starting with those of the checks every field passed.
    fn new(form: &'static str, fields: Fields) -> Submitted {
        Submitted {
            form,
            errors: fields.errors(),
            fields,
            conflict: false,
        }
    }

    /// Whether a field was refused on the way in (a control character, an over-long text).
    fn refused(&self) -> bool {
        !self.errors.is_empty()
    }

    /// What was typed in `field` of `form`, when that form is being shown again.
    fn typed(&self, form: &str, field: &str) -> &str {
        if self.form == form {
            self.fields.get(field)
        } else {
            ""
        }
    }

    fn errors_for(&self, form: &str) -> &FormErrors {
        static NONE: FormErrors = FormErrors::new();
        if self.form == form { &self.errors } else { &NONE }
    }

    fn typed_or(&self, form: &str, field: &str, default: String) -> String {
        match self.typed(form, field) {
            "" => default,
            typed => typed.to_owned(),
        }
    }

    /// The part of the case page the form is on, where it is shown again.
    fn part(&self) -> CasePart {
        match self.form {
            "conversation" => CasePart::Conversations,
            "clock" => CasePart::Terms,
            "network" => CasePart::Network,
            "journal" => CasePart::Journal,
            "withdraw" => CasePart::Referrals,
            _ => CasePart::Overview,
        }
    }

    /// 409 for a conflict, 422 for a form with errors.
    fn status(&self) -> StatusCode {
        if self.conflict {
            StatusCode::CONFLICT
        } else if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

fn case_path(ctx: &RequestContext, case_id: Uuid) -> String {
    format!("/{}/cases/{case_id}", ctx.tenant.slug)
}

/// Back to the part of the case page a form was on, scrolled to the confirmation at its top
/// (`#flash`, which the layout gives the message), so it is in view and focused.
fn done(ctx: &RequestContext, case_id: Uuid, part: CasePart, flash: &'static str) -> Response {
    web::redirect_with_flash(&format!("{}#flash", part.path(&ctx.tenant.slug, case_id)), flash)
}

/// The version of the case (or plan) the form was shown with; none matches a missing one.
fn lock_version(fields: &Fields) -> i32 {
    fields.get("lock_version").parse().unwrap_or(-1)
}

/// The colleague a form's select names; none for an unknown or malformed id.
async fn named_colleague(tx: &mut TenantTx, raw: &str) -> sqlx::Result<Option<Colleague>> {
    match raw.parse() {
        Ok(id) => record::colleague(tx, id).await,
        Err(_) => Ok(None),
    }
}
