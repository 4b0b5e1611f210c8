//! The referral pages, by who uses them: the member organisation's inbox and its view of one
//! referral, the case's side (sending, following, withdrawing), everyone's notifications and
//! the process managers' overview.

pub(super) mod case_referrals;
pub(super) mod inbox;
pub(super) mod member_referral;
pub(super) mod notifications;
pub(super) mod overview;

use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};

/// The query of the paged lists (inbox, notifications, overview).
#[derive(Deserialize)]
pub(super) struct PageQuery {
    tab: Option<String>,
    page: Option<i64>,
    year: Option<i32>,
}

impl PageQuery {
    fn page(&self) -> i64 {
        self.page.unwrap_or(1).max(1)
    }
}

/// The organisation a `member` user acts for; anyone else has no inbox.
fn organisation_of(user: &CurrentUser) -> AppResult<Uuid> {
    user.require_any(&[Role::Member])?;
    user.organisation_id.ok_or(AppError::Forbidden)
}
