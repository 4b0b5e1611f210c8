//! The start page after login: what waits for the user (counts from the areas, each a link to
//! where the work is done), then one section per role the user holds.

use askama::Template;
use axum::Router;
use axum::response::{Redirect, Response};
use axum::routing::get;

use crate::assembly::{self, meetings, polls};
use crate::auth::{CurrentUser, Role};
use crate::cases::queue;
use crate::db::TenantTx;
use crate::error::AppResult;
use crate::finance::{
    self,
    flexible::{self, SupportOf},
    grants::{self, GrantsOf},
};
use crate::intake::requests;
use crate::referrals;
use crate::todos::{self, Task};
use crate::web;
use crate::web::context::RequestContext;
use crate::web::layout::Layout;
use crate::web::layout::NavEntry;

pub const NAV: NavEntry = NavEntry {
    path: "/",
    label_key: "nav.home",
    roles: &Role::ALL,
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/", get(start_page))
        .route("/{tenant}", get(to_start_page))
}

/// One role's part of the start page.
struct RoleSection {
    role: Role,
    title_key: &'static str,
    intro_key: &'static str,
}

impl RoleSection {
    fn for_role(role: Role) -> RoleSection {
        let (title_key, intro_key) = match role {
            Role::Desk => ("home.desk.title", "home.desk.intro"),
            Role::Professional => ("home.professional.title", "home.professional.intro"),
            Role::ProcessManager => ("home.process_manager.title", "home.process_manager.intro"),
            Role::Member => ("home.member.title", "home.member.intro"),
            Role::Admin => ("home.admin.title", "home.admin.intro"),
            Role::Chair => ("home.chair.title", "home.chair.intro"),
            Role::Treasurer => ("home.treasurer.title", "home.treasurer.intro"),
        };
        RoleSection {
            role,
            title_key,
            intro_key,
        }
    }

    fn id(&self) -> &'static str {
        self.role.as_str()
    }

    /// Where this role's work is.
    fn link(&self) -> (&'static str, &'static str) {
        match self.role {
            Role::Desk => ("/desk", "home.desk.link"),
            Role::Professional => ("/team", "home.professional.link"),
            Role::ProcessManager => ("/team/monitor", "home.process_manager.link"),
            Role::Member => ("/inbox", "home.member.link"),
            Role::Admin => ("/admin/users", "home.admin.link"),
            Role::Chair => ("/assembly", "home.chair.link"),
            Role::Treasurer => ("/finance", "home.treasurer.link"),
        }
    }
}

/// One line of what waits for the user: a count or a date, linked to where the work is.
struct WaitingLine {
    /// The element id, so that a guide (and a test) can point at it.
    id: &'static str,
    text: String,
    href: String,
}

#[derive(Template)]
#[template(path = "home/start.html")]
struct StartPage {
    l: Layout,
    welcome: String,
    sections: Vec<RoleSection>,
    /// Open tasks assigned to the user, the most urgent first.
    tasks: Vec<Task>,
    waiting: Vec<WaitingLine>,
}

async fn to_start_page(ctx: RequestContext) -> Redirect {
    Redirect::permanent(&ctx.home_path())
}

async fn start_page(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let tasks = todos::open_for(&mut tx, user.id).await?;
    let l = ctx.layout();
    let waiting = waiting_for(&mut tx, &ctx, &l, &user).await?;
    tx.commit().await?;
    let page = StartPage {
        tasks,
        waiting,
        welcome: ctx.lang.tf("home.welcome", &[("name", &user.name)]),
        sections: user.roles.iter().copied().map(RoleSection::for_role).collect(),
        l,
    };
    web::render(&page)
}

/// What waits for the user's roles; nothing is listed that counts zero.
async fn waiting_for(
    tx: &mut TenantTx,
    ctx: &RequestContext,
    l: &Layout,
    user: &CurrentUser,
) -> AppResult<Vec<WaitingLine>> {
    let slug = &ctx.tenant.slug;
    let mut lines = Vec::new();
    let mut add = |id, key: &str, count: i64, href: String| {
        if count > 0 {
            let text = ctx.lang.tf(key, &[("count", &count.to_string())]);
            lines.push(WaitingLine { id, text, href });
        }
    };
    if user.has(Role::Desk) {
        let untriaged = requests::untriaged_count(tx).await?;
        add(
            "waiting-untriaged",
            "home.waiting.untriaged",
            untriaged,
            format!("/{slug}/desk"),
        );
        let due = todos::desk_due_count(tx).await?;
        add(
            "waiting-follow-ups",
            "home.follow_ups_due",
            due,
            format!("/{slug}/desk#follow-ups"),
        );
    }
    if user.has(Role::Professional) || user.has(Role::ProcessManager) {
        let team = queue::team_waiting(tx).await?;
        let tab = |tab: &str| format!("/{slug}/team?tab={tab}");
        add(
            "waiting-unassigned",
            "home.waiting.unassigned",
            team.unassigned,
            tab("unassigned"),
        );
        add(
            "waiting-overdue-terms",
            "home.waiting.overdue",
            team.overdue,
            tab("overdue"),
        );
    }
    if user.has(Role::Member) {
        // The inbox's count as the navigation shows it: the session check has read it already.
        let inbox = format!("/{slug}{}", referrals::waiting::INBOX_PATH);
        let new = l
            .nav
            .iter()
            .find(|item| item.href == inbox)
            .and_then(|item| item.count);
        add(
            "waiting-new-referrals",
            "home.waiting.new_referrals",
            new.unwrap_or(0),
            inbox,
        );
    }
    if user.roles.iter().any(|role| finance::MONEY_ROLES.contains(role)) {
        let applications = grants::count(tx, GrantsOf::Waiting).await?;
        add(
            "waiting-applications",
            "home.waiting.applications",
            applications,
            format!("/{slug}/finance#waiting"),
        );
    }
    if user.has(Role::ProcessManager) {
        let flexible = flexible::count(tx, SupportOf::Waiting).await?;
        add(
            "waiting-flexible",
            "home.waiting.flexible",
            flexible,
            format!("/{slug}/finance/maatwerk"),
        );
    }
    let takes_part = user.roles.iter().any(|role| assembly::READ_ROLES.contains(role));
    if takes_part && let Some(vote) = polls::first_open(tx).await? {
        lines.push(WaitingLine {
            id: "waiting-open-vote",
            text: ctx.lang.tf(
                "home.waiting.open_vote",
                &[("item", &vote.item), ("meeting", &vote.meeting)],
            ),
            href: format!("/{slug}/assembly/{}", vote.meeting_id),
        });
    }
    if takes_part && let Some(meeting) = meetings::next_convened(tx).await? {
        let text = ctx.lang.tf(
            "home.waiting.meeting",
            &[
                ("title", &meeting.title),
                ("date", &meeting.starts()),
                ("items", &meeting.items.to_string()),
            ],
        );
        lines.push(WaitingLine {
            id: "waiting-meeting",
            text,
            href: format!("/{slug}/assembly/{}", meeting.id),
        });
    }
    Ok(lines)
}
