//! Everyone's notifications about referrals, each leading to the referral as the reader sees it.

use crate::web::forms::Query;
use askama::Template;
use axum::response::Response;

use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::referrals::notifications::{self, Notification};
use crate::referrals::waiting::NOTIFICATIONS_PATH;
use crate::referrals::web::PageQuery;
use crate::web;
use crate::web::context::RequestContext;
use crate::web::layout::Layout;
use crate::web::pagination::{Pagination, trim_page};

#[derive(Template)]
#[template(path = "referrals/notifications.html")]
struct NotificationsPage {
    l: Layout,
    notifications: Vec<Notification>,
    is_member: bool,
    pagination: Pagination,
}

impl NotificationsPage {
    fn href(&self, notification: &Notification) -> Option<String> {
        let slug = self.l.tenant_slug();
        let Some(referral) = notification.referral_id else {
            // From the resident's own pages: to the case's journal, where it was written.
            let case = notification.case_id?;
            return Some(format!("/{slug}/cases/{case}/journal"));
        };
        if self.is_member {
            Some(format!("/{slug}/referrals/{referral}"))
        } else {
            let case = notification.case_id?;
            Some(format!("/{slug}/cases/{case}/referrals/{referral}"))
        }
    }
}

pub async fn notifications(
    ctx: RequestContext,
    user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let page = query.page();
    let is_member = user.has(Role::Member) && user.organisation_id.is_some();
    let mut tx = ctx.tx().await?;
    let mut found = notifications::page(&mut tx, user.id, !is_member, page).await?;
    let total = notifications::count(&mut tx, user.id).await?;
    tx.commit().await?;
    let has_next = trim_page(&mut found, notifications::PAGE_SIZE);
    web::render(&NotificationsPage {
        notifications: found,
        is_member,
        pagination: Pagination::new(
            format!("/{}/notifications?", ctx.tenant.slug),
            page,
            notifications::PAGE_SIZE,
            has_next,
            total,
        ),
        l: ctx.layout(),
    })
}

pub async fn notifications_read(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    notifications::mark_all_read(&mut tx, user.id).await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/notifications", ctx.tenant.slug),
        "flash.notifications_read",
    ))
}

/// Opening a referral reads what the user was notified about it: those notifications are
/// marked read, and this page's navigation already counts them so.
pub async fn opened(
    tx: &mut TenantTx,
    ctx: &mut RequestContext,
    user: &CurrentUser,
    referral_id: Uuid,
) -> AppResult<()> {
    let read = notifications::mark_referral_read(tx, user.id, referral_id).await?;
    ctx.waiting.add(NOTIFICATIONS_PATH, -read);
    Ok(())
}
