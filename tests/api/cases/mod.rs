//! Case handling by the social team: the status workflow, the lead, concurrent saves, the
//! statutory clocks, the stall monitor, confidentiality, the journal, audit, who sees what,
//! tenant isolation, tasks and the queue.
//!
//! This module holds the fixtures the case tests share.

mod access;
mod audit;
mod clocks;
mod concurrent_saves;
mod confidentiality;
mod dates;
mod escalation;
mod journal;
pub(crate) mod kept;
mod lead;
mod monitor;
mod parts;
mod queue;
mod tasks;
mod workflow;

use sqlx::PgConnection;
use time::Date;

use crate::common::users::{Upload, User};
use crate::common::{TestApp, field_value, hidden_value, location};

/// The parts of a case page after its overview, as in their addresses.
const CASE_TABS: [&str; 6] = [
    "conversations",
    "plan",
    "journal",
    "referrals",
    "terms",
    "network",
];

/// The journal form of the case page, and the case page as a whole.
impl User {
    /// Every part of a case page — the overview and each tab — one after the other, and the
    /// status of each view (all the same when the case may be seen at all).
    async fn whole_case(&self, case: &str) -> (Vec<u16>, String) {
        let mut statuses = Vec::new();
        let mut whole = String::new();
        let paths = std::iter::once(format!("/demo/cases/{case}")).chain(
            CASE_TABS
                .iter()
                .map(|tab| format!("/demo/cases/{case}/tab/{tab}")),
        );
        for path in paths {
            let (status, page) = self.page(&path).await;
            statuses.push(status);
            whole.push_str(&page);
        }
        (statuses, whole)
    }

    /// Posts the journal form as a browser does: multipart, to the action of the form on the
    /// case page, with the form's own CSRF token as its first field.
    async fn journal(&self, case: &str, fields: &[(&str, &str)], files: &[Upload<'_>]) -> (u16, String) {
        let (path, token) = self.journal_form(case).await;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.multipart(&path, &form, files).await
    }

    /// The action of the journal form on the case's journal tab, and the CSRF token the form
    /// carries.
    async fn journal_form(&self, case: &str) -> (String, String) {
        let (status, page) = self.page(&format!("/demo/cases/{case}/tab/journal")).await;
        assert_eq!(status, 200, "{page}");
        let form = page
            .split("<form ")
            .find(|form| form.contains("id=\"journal-form\""))
            .expect("the journal form on the case page");
        let action = form.split("action=\"").nth(1).unwrap();
        let action = action[..action.find('"').unwrap()].replace("&amp;", "&");
        let token = hidden_value(form, "csrf_token").expect("a CSRF field in the journal form");
        (action, token)
    }
}

/// Yesterday in the Netherlands, as the forms take dates: a day on which a case inserted two
/// or more days ago (`insert_case`) had come in, and never in the future.
async fn yesterday(app: &TestApp) -> String {
    (crate::common::records::today(app).await - time::Duration::days(1)).to_string()
}

/// Adds a user to a cooperative with the password of the demo accounts.
async fn add_user(app: &TestApp, tenant: &str, email: &str, name: &str, role: &str) -> String {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar(
        "INSERT INTO users (tenant_id, email, name, roles, password_hash)
         SELECT u.tenant_id, $2, $3, ARRAY[$4], u.password_hash
         FROM users u JOIN tenants t ON t.id = u.tenant_id
         WHERE t.slug = $1 AND u.email = 'balie@demo.test'
         RETURNING id::text",
    )
    .bind(tenant)
    .bind(email)
    .bind(name)
    .bind(role)
    .fetch_one(&mut db)
    .await
    .unwrap()
}

/// A second professional of the demo team: Anna Anders.
async fn anders(app: &TestApp) -> User {
    add_user(app, "demo", "anders@demo.test", "Anna Anders", "professional").await;
    User::login(app, "demo", "anders@demo.test").await
}

/// A case as the desk makes it: a resident, a request with `domains` received on `received`
/// (ISO date; today when `None`), triaged to the team. Returns (case id, request page).
async fn desk_case(desk: &User, surname: &str, domains: &[&str], received: Option<&str>) -> (String, String) {
    let response = desk
        .post(
            "/demo/residents",
            &[
                ("first_names", "Fenna"),
                ("surname", surname),
                ("confirm_new", "yes"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let resident = location(&response).to_owned();
    let form_page = format!("{resident}/requests");
    let (_, form) = desk.page(&form_page).await;
    let form_token = hidden_value(&form, "form_token").unwrap();
    let today = field_value(&form, "received_date").unwrap();
    let time = field_value(&form, "received_time").unwrap();
    let mut fields: Vec<(&str, &str)> = domains.iter().map(|d| ("domains", *d)).collect();
    fields.extend_from_slice(&[
        ("form_token", form_token.as_str()),
        ("received_date", received.unwrap_or(&today)),
        ("received_time", if received.is_some() { "10:00" } else { &time }),
        ("channel", "desk"),
        ("question", "Mijn moeder kan niet meer zelf douchen."),
        ("urgency", "normal"),
    ]);
    let response = desk.post(&form_page, &fields).await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let request = location(&response).to_owned();
    let response = desk
        .post(
            &format!("{request}/triage"),
            &[("unsafe_at_home", "no"), ("triage", "to_team")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let mut db = desk.app.owner_connection().await;
    let case: String = sqlx::query_scalar("SELECT id::text FROM cases WHERE request_id = $1::uuid")
        .bind(request.rsplit('/').next().unwrap())
        .fetch_one(&mut db)
        .await
        .unwrap();
    (case, request)
}

/// A case arranged in the database, for dates in the past: a resident called `surname`, a
/// Wmo request sent to the team and its case, both `days_ago` days old, without a lead.
async fn insert_case(db: &mut PgConnection, surname: &str, urgency: &str, days_ago: i32) -> String {
    sqlx::query_scalar(
        "WITH t AS (SELECT id FROM tenants WHERE slug = 'demo'),
         r AS (INSERT INTO residents (tenant_id, surname) SELECT id, $1 FROM t RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency,
                                     form_token, status, triage, triaged_at, unsafe_at_home)
               SELECT tenant_id, id, now() - make_interval(days => $3), 'desk', ARRAY['wmo'], 'Hulp in huis', $2,
                      gen_random_uuid(), 'with_team', 'to_team', now() - make_interval(days => $3), false
               FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency, created_at)
         SELECT tenant_id, id, resident_id, $2, now() - make_interval(days => $3) FROM q
         RETURNING id::text",
    )
    .bind(surname)
    .bind(urgency)
    .bind(days_ago)
    .fetch_one(db)
    .await
    .unwrap()
}

/// Makes the user with `email` the case's lead, with the history row the application keeps.
async fn give_lead(db: &mut PgConnection, case: &str, email: &str) {
    sqlx::query(
        "UPDATE cases c SET lead_id = u.id FROM users u
         WHERE u.tenant_id = c.tenant_id AND u.email = $2 AND c.id = $1::uuid",
    )
    .bind(case)
    .bind(email)
    .execute(&mut *db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by)
         SELECT tenant_id, id, lead_id, lead_id FROM cases WHERE id = $1::uuid",
    )
    .bind(case)
    .execute(db)
    .await
    .unwrap();
}

/// Runs `sql` with the case id as `$1`.
async fn exec(db: &mut PgConnection, sql: &str, case: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(case)
        .execute(db)
        .await
        .unwrap();
}

/// The case's status and lock version.
async fn status_of(db: &mut PgConnection, case: &str) -> (String, i32) {
    sqlx::query_as("SELECT status, lock_version FROM cases WHERE id = $1::uuid")
        .bind(case)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn lock_of(db: &mut PgConnection, case: &str) -> String {
    status_of(db, case).await.1.to_string()
}

/// The status changes of a case as (from, to, actor id), oldest first.
async fn status_events(db: &mut PgConnection, case: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT from_value, to_value, actor_id::text FROM case_events
         WHERE case_id = $1::uuid AND kind = 'status' ORDER BY occurred_at",
    )
    .bind(case)
    .fetch_all(db)
    .await
    .unwrap()
}

/// The value of the hidden `lock_version` field of a page.
fn lock_version(html: &str) -> String {
    hidden_value(html, "lock_version").expect("a lock_version field on the page")
}

/// The part of a monitor page under the heading `monitor-{name}`.
fn monitor_section<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"monitor-{name}\""))
        .unwrap_or_else(|| panic!("no section {name}"));
    let rest = &html[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

/// Where the link to a case is on a page.
fn link_position(html: &str, case: &str) -> Option<usize> {
    html.find(&format!("href=\"/demo/cases/{case}\""))
}

fn lists(html: &str, case: &str) -> bool {
    link_position(html, case).is_some()
}

async fn take(user: &User, db: &mut PgConnection, case: &str) {
    let lock = lock_of(db, case).await;
    let (status, body) = user
        .send(
            &format!("/demo/cases/{case}/lead"),
            &[("lock_version", &lock), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
}

/// Posts a status change with the case's current lock version.
async fn change_status(
    user: &User,
    db: &mut PgConnection,
    case: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let lock = lock_of(db, case).await;
    let mut form = vec![("lock_version", lock.as_str())];
    form.extend_from_slice(fields);
    user.send(&format!("/demo/cases/{case}/status"), &form).await
}

/// Posts a clock action.
async fn clock(user: &User, case: &str, fields: &[(&str, &str)]) -> (u16, String) {
    user.send(&format!("/demo/cases/{case}/clocks"), fields).await
}

fn date(iso: &str) -> Date {
    Date::parse(iso, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}
