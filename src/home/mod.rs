//! The start page after login: one section per role the user holds, each pointing to the
//! work waiting for that role.

use askama::Template;
use axum::Router;
use axum::response::{Redirect, Response};
use axum::routing::get;

use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
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
        }
    }
}

#[derive(Template)]
#[template(path = "home/start.html")]
struct StartPage {
    l: Layout,
    welcome: String,
    sections: Vec<RoleSection>,
    /// Open tasks assigned to the user, the most urgent first.
    tasks: Vec<Task>,
    /// The desk's follow-up calls that are due (for desk staff).
    follow_ups_due: Option<i64>,
}

async fn to_start_page(ctx: RequestContext) -> Redirect {
    Redirect::permanent(&ctx.home_path())
}

async fn start_page(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    let mut tx = ctx.tx().await?;
    let tasks = todos::open_for(&mut tx, user.id).await?;
    let follow_ups_due = match user.has(Role::Desk) {
        true => Some(todos::desk_due_count(&mut tx).await?),
        false => None,
    };
    tx.commit().await?;
    let page = StartPage {
        tasks,
        follow_ups_due,
        welcome: ctx.lang.tf("home.welcome", &[("name", &user.name)]),
        sections: user.roles.iter().copied().map(RoleSection::for_role).collect(),
        l: ctx.layout(),
    };
    web::render(&page)
}
