use askama::Template;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use crate::audit::file_views::{self, FileView};
use crate::audit::{self, AuditEntry, AuditFilter, AuditKind};
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::web::context::RequestContext;
use crate::web::forms::Query;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};
use crate::web::{self, forms};

#[derive(Deserialize)]
pub struct BrowseQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    resident: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit/browse.html")]
struct BrowsePage {
    l: Layout,
    entries: Vec<AuditEntry>,
    users: Vec<(Uuid, String)>,
    kinds: Vec<(&'static str, String)>,
    user: String,
    kind: String,
    resident: String,
    from: String,
    to: String,
    pagination: Pagination,
    chain: Option<audit::chain::ChainState>,
}

pub async fn browse(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<BrowseQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Admin])?;
    let filter = AuditFilter {
        user_id: query.user.parse().ok(),
        resident_id: query.resident.parse().ok(),
        kind: AuditKind::parse(&query.kind),
        from: forms::parse_date(&query.from),
        to: forms::parse_date(&query.to),
    };
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let mut entries = audit::search(&mut tx, &filter, page).await?;
    let total = audit::count(&mut tx, &filter).await?;
    let users = crate::auth::users::names(&mut tx).await?;
    let chain = audit::chain::state(&mut tx).await?;
    tx.commit().await?;

    let has_next = trim_page(&mut entries, audit::PAGE_SIZE);
    let base = format!(
        "/{}/admin/audit?user={}&kind={}&resident={}&from={}&to={}",
        ctx.tenant.slug,
        web::query_encode(&query.user),
        web::query_encode(&query.kind),
        web::query_encode(&query.resident),
        web::query_encode(&query.from),
        web::query_encode(&query.to)
    );
    let page = BrowsePage {
        entries,
        users,
        kinds: AuditKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_key()))
            .collect(),
        user: query.user,
        kind: query.kind,
        resident: query.resident,
        from: query.from,
        to: query.to,
        pagination: Pagination::new(base, page, audit::PAGE_SIZE, has_next, total),
        chain,
        l: ctx.layout(),
    };
    web::render(&page)
}

#[derive(Template)]
#[template(path = "audit/file_views.html")]
struct FileViewsPage {
    l: Layout,
    resident_id: Uuid,
    resident_name: String,
    views: Vec<FileView>,
    pagination: Pagination,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

/// Who looked at a resident's file, for the desk to print when the resident asks (and for
/// administrators). Reading the list is itself on the resident's trail.
pub async fn file_views(
    ctx: RequestContext,
    user: CurrentUser,
    crate::web::ids::PathId(id): crate::web::ids::PathId,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    user.require_any(&[Role::Desk, Role::Admin])?;
    let page = query.page.unwrap_or(1).max(1);
    let mut tx = ctx.tx().await?;
    let resident_name = file_views::resident_name(&mut tx, id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let mut views = file_views::list(&mut tx, id, None, page).await?;
    let total = file_views::count(&mut tx, id, None).await?;
    audit::record_for_resident(
        &mut tx,
        &audit::Actor::user(&user, ctx.client_ip),
        AuditKind::ResidentViewed,
        id,
        serde_json::json!({ "who_looked": true }),
    )
    .await?;
    tx.commit().await?;
    let has_next = trim_page(&mut views, file_views::PAGE_SIZE);
    web::render(&FileViewsPage {
        l: ctx.layout(),
        pagination: Pagination::new(
            format!("/{}/residents/{id}/inzage?", ctx.tenant.slug),
            page,
            file_views::PAGE_SIZE,
            has_next,
            total,
        ),
        resident_id: id,
        resident_name,
        views,
    })
}
