//! Finding the resident behind an inzageverzoek by name, for that purpose only: the page says
//! so, each search is in the audit log with the purpose the administrator gave, and a result
//! leads to the export, not to the resident's file.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::intake::residents::ResidentSummary;
use crate::intake::search;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::{FormErrors, Layout};
use crate::web::pagination::{Pagination, trim_page};

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    resident_name: String,
    #[serde(default)]
    purpose: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "admin/privacy_search.html")]
struct SearchPage {
    l: Layout,
    resident_name: String,
    purpose: String,
    errors: FormErrors,
    searched: bool,
    found: Vec<ResidentSummary>,
    pagination: Pagination,
}

pub async fn search(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<SearchQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let page = query.page.unwrap_or(1).max(1);
    let name = query.resident_name.trim();
    let purpose = query.purpose.trim();
    let submitted = !name.is_empty() || !purpose.is_empty();
    let parsed = search::Query::parse(name);
    let mut errors = FormErrors::default();
    if submitted && parsed.is_none() {
        errors.field("resident_name", "privacy.search.error.name");
    }
    if submitted && purpose.is_empty() {
        errors.field("purpose", "privacy.search.error.purpose");
    }
    let mut found = Vec::new();
    let mut total = 0;
    let searched = submitted && errors.is_empty();
    if let (Some(parsed), true) = (parsed, searched) {
        let mut tx = ctx.tx().await?;
        found = search::search(&mut tx, &parsed, page).await?;
        total = search::count(&mut tx, &parsed).await?;
        audit::record(
            &mut tx,
            &Actor::user(&user, ctx.client_ip),
            AuditKind::PrivacySearch,
            None,
            json!({ "search": name, "purpose": purpose, "found": found.len().min(search::PAGE_SIZE as usize) }),
        )
        .await?;
        tx.commit().await?;
    }
    let has_next = trim_page(&mut found, search::PAGE_SIZE);
    let base = format!(
        "/{}/admin/privacy?resident_name={}&purpose={}",
        ctx.tenant.slug,
        web::query_encode(name),
        web::query_encode(purpose)
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &SearchPage {
            resident_name: name.to_owned(),
            purpose: purpose.to_owned(),
            errors,
            searched,
            found,
            pagination: Pagination::new(base, page, search::PAGE_SIZE, has_next, total)
                .counted_up_to(search::COUNT_LIMIT),
            l: ctx.layout(),
        },
    )
}
