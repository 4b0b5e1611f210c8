//! The public online form (hulpvraag): residents ask for help without logging in.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::error::AppResult;
use crate::intake::requests::{self, OnlineInput};
use crate::shared::clock::local_now;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Fields;
use crate::web::layout::{FormErrors, Layout};

#[derive(Template)]
#[template(path = "intake/online.html")]
struct OnlinePage {
    l: Layout,
    input: OnlineInput,
    reference: Option<String>,
    errors: FormErrors,
}

pub(in crate::intake) async fn online_form(ctx: RequestContext) -> AppResult<Response> {
    web::render(&OnlinePage {
        input: OnlineInput::fresh(),
        reference: None,
        errors: FormErrors::default(),
        l: ctx.layout(),
    })
}

/// A question for help submitted by a resident, without logging in. It lands in the desk's
/// queue; the answer page shows only a reference number.
pub(in crate::intake) async fn online_submit(
    ctx: RequestContext,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    let mut page = OnlinePage {
        input: OnlineInput::from_fields(&fields),
        reference: None,
        errors: fields.errors(),
        l: ctx.layout(),
    };
    let honeypot_filled = !fields.get("website").is_empty();
    let mut tx = ctx.tx().await?;
    if requests::online_limit_reached(&mut tx, ctx.client_ip).await? {
        tx.commit().await?;
        page.errors.form("online.error.too_many");
        return web::render_with_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    let now = local_now(&mut tx).await?;
    let Some(new) = page.input.validate(now, &mut page.errors) else {
        tx.commit().await?;
        return web::render_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    // A bot that filled the hidden field gets the same answer, and nothing is stored.
    let reference = if honeypot_filled {
        // A made-up number in the cooperative's form, so the bot learns nothing.
        format!("M-{}-{:04}", now.year(), Uuid::new_v4().as_u128() % 10_000)
    } else {
        let registered = requests::create(&mut tx, None, &new, None, page.input.contact()).await?;
        audit::record(
            &mut tx,
            &Actor::anonymous(ctx.client_ip),
            AuditKind::OnlineRequestReceived,
            None,
            json!({ "request": registered.reference }),
        )
        .await?;
        registered.reference
    };
    tx.commit().await?;
    page.reference = Some(reference);
    web::render(&page)
}
