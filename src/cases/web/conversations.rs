//! The kitchen-table conversation: scheduling it, and recording its report.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::page::case_form_failed;
use super::{Submitted, done};
use crate::audit::AuditKind;
use crate::auth::CurrentUser;
use crate::cases::CasePart;
use crate::cases::access::{audit_case, case_to_write, open_case};
use crate::cases::conversations::{self, Conversation, ReportInput};
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::local_now;
use crate::shared::format::{format_date, format_timestamp};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::ids::{PathId, PathIds};
use crate::web::layout::{FormErrors, Layout};

pub async fn schedule_conversation(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let mut submitted = Submitted::new("conversation", fields);
    if submitted.refused() {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    }
    let Some(appointment) = conversations::parse_appointment(&case, &submitted.fields, &mut submitted.errors)
    else {
        return case_form_failed(tx, &ctx, &user, case, submitted).await;
    };
    conversations::schedule(&mut tx, case.id, &appointment, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConversationScheduled,
        &case,
        json!({ "planned_at": format_timestamp(appointment.at) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        CasePart::Conversations,
        "flash.conversation_scheduled",
    ))
}

#[derive(Template)]
#[template(path = "cases/conversation.html")]
struct ConversationPage {
    l: Layout,
    case: CaseView,
    conversation: Conversation,
    input: ReportInput,
    errors: FormErrors,
}

async fn load_conversation(tx: &mut TenantTx, case: &CaseView, id: Uuid) -> AppResult<Conversation> {
    conversations::find(tx, case.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn conversation_form(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, conversation): PathIds,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = open_case(&mut tx, id, &user).await?;
    let conversation = load_conversation(&mut tx, &case, conversation).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::CaseViewed,
        &case,
        json!({ "conversation": conversation.id }),
    )
    .await?;
    let today = local_now(&mut tx).await?.date();
    tx.commit().await?;
    web::render(&ConversationPage {
        input: ReportInput::of(&conversation, today),
        case,
        conversation,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

/// Records the report of the conversation; the first report stops the Wmo investigation clock.
pub async fn record_conversation(
    ctx: RequestContext,
    user: CurrentUser,
    PathIds(id, conversation): PathIds,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let case = case_to_write(&mut tx, id, &user).await?;
    let conversation = load_conversation(&mut tx, &case, conversation).await?;
    let input = ReportInput::from_fields(&fields);
    let mut errors = fields.errors();
    let today = local_now(&mut tx).await?.date();
    let Some(report_on) = input.validate(&case, today, &mut errors) else {
        tx.commit().await?;
        return web::render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ConversationPage {
                case,
                conversation,
                input,
                errors,
                l: ctx.layout(),
            },
        );
    };
    conversations::record(&mut tx, case.id, conversation.id, report_on, &input, user.id).await?;
    audit_case(
        &mut tx,
        &ctx,
        &user,
        AuditKind::ConversationRecorded,
        &case,
        json!({ "conversation": conversation.id, "report_on": format_date(report_on) }),
    )
    .await?;
    tx.commit().await?;
    Ok(done(
        &ctx,
        case.id,
        CasePart::Conversations,
        "flash.conversation_recorded",
    ))
}
