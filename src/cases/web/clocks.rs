//! The statutory clocks: one form for the application, a decision, pausing, resuming and
//! extending.

use axum::response::Response;
use serde_json::json;

use super::page::case_form_failed;
use super::{Submitted, done};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::ClockKind;
use crate::cases::access::{audit_case, case_to_write};
use crate::cases::clocks::{self, ClockStep};
use crate::error::AppResult;
use crate::shared::clock::local_now;
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::forms::{Fields, parse_date, parse_in_range};
use crate::web::ids::PathId;

pub async fn clock_action(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let action = fields.get("action").to_owned();
    let kind = ClockKind::parse(fields.get("kind"));
    let mut submitted = Submitted::new("clock", fields);
    if submitted.refused() {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    let date = parse_date(submitted.fields.get("date"));
    let reason = submitted.fields.get("reason").to_owned();
    let weeks = parse_in_range(submitted.fields.get("weeks"), 1, 52).unwrap_or(0);
    let today = local_now(&mut tx).await?.date();
    let outcome = match (
        clocks::step_date(date, today, case.received_at.date()),
        ClockStep::parse(&action, kind),
    ) {
        (Err(refused), _) => Err(refused),
        (Ok(_), None) => Err(("kind", "clock.error.unknown")),
        (Ok(on), Some(step)) => clocks::take_step(&mut tx, case.id, step, on, &reason, weeks).await?,
    };
    match outcome {
        Ok(()) => {
            audit_case(
                &mut tx,
                &ctx,
                &user,
                AuditKind::ClockChanged,
                &case,
                json!({ "action": action, "kind": kind.map(ClockKind::code), "date": date.map(format_date), "reason": reason }),
            )
            .await?;
            tx.commit().await?;
            Ok(done(&ctx, case.id, CasePart::Terms, "flash.clock_changed"))
        }
        Err((field, message)) => {
            submitted.errors.field(field, message);
            case_form_failed(tx, &ctx, &user, case, submitted).await
        }
    }
}
