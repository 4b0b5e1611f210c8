//! Case handling by the social team: the status workflow, the lead, concurrent saves, the
//! statutory clocks, the stall monitor, confidentiality, the journal, audit, who sees what,
//! tenant isolation, tasks and the queue.

use sqlx::{ConnectOptions, Connection, PgConnection, Row};
use time::{Date, Duration};
use uuid::Uuid;

use crate::common::{TestApp, field_value, generic_plan, hidden_value, location};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A logged-in user with their own cookies, CSRF token and id.
struct User {
    app: TestApp,
    token: String,
    id: String,
}

impl User {
    async fn login(app: &TestApp, tenant: &str, email: &str) -> User {
        let client = app.other_client();
        client.login(tenant, email).await;
        let token = client.csrf_token(&format!("/{tenant}/")).await;
        let id = app.user_id(tenant, email).await;
        User {
            app: client,
            token,
            id,
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.app.get(path).await
    }

    /// The status and the body of the page at `path`.
    async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Posts a form with this user's CSRF token.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf_token", self.token.as_str())];
        form.extend_from_slice(fields);
        self.app.post_raw(path, &form).await
    }

    /// Posts a form; the status and the body of the answer.
    async fn send(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.post(path, fields).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Posts the journal form as a browser does: multipart, to the action of the form on the
    /// case page (which carries the CSRF token in its query).
    async fn journal(&self, case: &str, fields: &[(&str, &str)], files: &[Upload<'_>]) -> (u16, String) {
        let path = self.journal_action(case).await;
        assert!(path.contains(&format!("csrf_token={}", self.token)), "{path}");
        self.multipart(&path, fields, files).await
    }

    /// The action of the journal form on the case page.
    async fn journal_action(&self, case: &str) -> String {
        let (status, page) = self.page(&format!("/demo/cases/{case}")).await;
        assert_eq!(status, 200, "{page}");
        let form = page
            .split("<form ")
            .find(|form| form.contains("id=\"journal-form\""))
            .expect("the journal form on the case page");
        let action = form.split("action=\"").nth(1).unwrap();
        action[..action.find('"').unwrap()].replace("&amp;", "&")
    }

    async fn multipart(&self, path: &str, fields: &[(&str, &str)], files: &[Upload<'_>]) -> (u16, String) {
        let (content_type, body) = multipart_body(fields, files);
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// A file in a multipart form: (file name, content type the browser claims, content).
type Upload<'a> = (&'a str, &'a str, &'a [u8]);

/// A multipart/form-data body built by hand (the reqwest of the tests has no multipart).
fn multipart_body(fields: &[(&str, &str)], files: &[Upload<'_>]) -> (String, Vec<u8>) {
    let boundary = "----schakel-test-boundary-5f2c9a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    for (filename, content_type, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
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

/// Today in the Netherlands, as the application sees it.
async fn today(db: &mut PgConnection) -> Date {
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date")
        .fetch_one(db)
        .await
        .unwrap()
}

/// A date as the pages show it, `05-03-2026`.
fn nl(date: Date) -> String {
    schakel::shared::format::format_date(date)
}

/// The value of the hidden `lock_version` field of a page.
fn lock_version(html: &str) -> String {
    hidden_value(html, "lock_version").expect("a lock_version field on the page")
}

/// The message shown beside the field whose error paragraph has id `{id}-error`.
fn field_error(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}-error\">");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find("</p>")? + start;
    let inner = &html[start..end];
    let text = inner.rsplit("</span>").next().unwrap_or(inner);
    Some(text.trim().to_owned())
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

/// The value of the input with id `id` (whatever its name).
fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let rest = &rest[rest.find("value=\"")? + 7..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// The text of an HTML fragment without its tags.
fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_owned()
}

/// Where the link to a case is on a page.
fn link_position(html: &str, case: &str) -> Option<usize> {
    html.find(&format!("href=\"/demo/cases/{case}\""))
}

fn lists(html: &str, case: &str) -> bool {
    link_position(html, case).is_some()
}

/// The number of case rows in a queue page.
fn row_count(html: &str) -> usize {
    html.matches("<td><a href=\"/demo/cases/").count()
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

/// (started_on, statutory_due_on, due_on, completed_on) of a clock.
async fn clock_dates(db: &mut PgConnection, case: &str, kind: &str) -> (Date, Date, Date, Option<Date>) {
    sqlx::query_as(
        "SELECT started_on, statutory_due_on, due_on, completed_on FROM case_clocks
         WHERE case_id = $1::uuid AND kind = $2",
    )
    .bind(case)
    .bind(kind)
    .fetch_one(db)
    .await
    .unwrap()
}

fn date(iso: &str) -> Date {
    Date::parse(iso, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

/// Adds a goal to the case's plan and agrees the plan today.
async fn agree_plan(user: &User, case: &str) {
    let plan = format!("/demo/cases/{case}/plan");
    let (status, page) = user.page(&plan).await;
    assert_eq!(status, 200);
    let (status, body) = user
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&page)),
                ("description", "Ik wil zelf boodschappen doen."),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = user.page(&plan).await;
    let agreed_on = input_value(&page, "agree-agreed_on").expect("the date of agreement");
    let (status, body) = user
        .send(
            &format!("{plan}/agree"),
            &[("lock_version", &lock_version(&page)), ("agreed_on", &agreed_on)],
        )
        .await;
    assert_eq!(status, 303, "{body}");
}

// ---------------------------------------------------------------------------------------------
// 1. The status workflow

#[tokio::test]
async fn the_workflow_enforces_each_transition_and_records_who_made_it() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let (case, _) = desk_case(&desk, "Workflow", &["wmo"], None).await;
    let mut db = app.owner_connection().await;

    // Refused: skipping steps.
    let (status, body) = change_status(&pm, &mut db, &case, &[("to", "in_uitvoering")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "status-to").as_deref(),
        Some("Deze stap is vanuit de huidige status niet mogelijk.")
    );
    // Refused: leaving "aangemeld" without a lead.
    let (status, body) = change_status(&pm, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "status-to").as_deref(),
        Some("Wijs eerst een regisseur aan.")
    );
    // Refused: a status that does not exist.
    let (status, _) = change_status(&pm, &mut db, &case, &[("to", "gearchiveerd")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        status_of(&mut db, &case).await,
        ("aangemeld".to_owned(), 1),
        "a refused step changes nothing"
    );
    assert!(status_events(&mut db, &case).await.is_empty());

    take(&team, &mut db, &case).await;
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 303);
    assert_eq!(status_of(&mut db, &case).await.0, "in_onderzoek");

    // Refused: "plan vastgesteld" without a plan agreed with the resident, even with a draft.
    let (status, body) = change_status(&team, &mut db, &case, &[("to", "plan_vastgesteld")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "status-to").as_deref(),
        Some("Stel eerst het ondersteuningsplan vast met de inwoner.")
    );
    let plan = format!("/demo/cases/{case}/plan");
    let (_, page) = team.page(&plan).await;
    let (status, _) = team
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&page)),
                ("description", "Zelf douchen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "plan_vastgesteld")]).await;
    assert_eq!(status, 422, "a draft plan is not agreed");
    assert_eq!(status_of(&mut db, &case).await.0, "in_onderzoek");
    agree_plan(&team, &case).await;

    for to in [
        "plan_vastgesteld",
        "in_uitvoering",
        "evaluatie",
        "in_uitvoering",
        "evaluatie",
    ] {
        let (status, body) = change_status(&team, &mut db, &case, &[("to", to)]).await;
        assert_eq!(status, 303, "to {to}: {body}");
        assert_eq!(status_of(&mut db, &case).await.0, to);
    }
    // Refused: evaluation back to the investigation.
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 422);

    // Closing takes a closing result.
    let (status, body) = change_status(
        &team,
        &mut db,
        &case,
        &[("to", "afgesloten"), ("closing_result", "")],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "status-closing_result").as_deref(),
        Some("Kies waarom de casus wordt afgesloten.")
    );
    assert_eq!(status_of(&mut db, &case).await.0, "evaluatie");
    let (status, _) = change_status(
        &team,
        &mut db,
        &case,
        &[("to", "afgesloten"), ("closing_result", "doel_bereikt")],
    )
    .await;
    assert_eq!(status, 303);
    let (result, closed): (Option<String>, bool) =
        sqlx::query_as("SELECT closing_result, closed_at IS NOT NULL FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((result.as_deref(), closed), (Some("doel_bereikt"), true));

    // A closed case only reopens, into the investigation, with a reason.
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "in_uitvoering")]).await;
    assert_eq!(status, 422);
    let (status, body) =
        change_status(&team, &mut db, &case, &[("to", "in_onderzoek"), ("reason", " ")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "status-reason").as_deref(),
        Some("Geef aan waarom de casus weer opengaat.")
    );
    assert_eq!(status_of(&mut db, &case).await.0, "afgesloten");
    let (status, _) = change_status(
        &team,
        &mut db,
        &case,
        &[("to", "in_onderzoek"), ("reason", "Nieuwe vraag over vervoer.")],
    )
    .await;
    assert_eq!(status, 303);
    let (status_now, result, closed): (String, Option<String>, bool) =
        sqlx::query_as("SELECT status, closing_result, closed_at IS NOT NULL FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(
        (status_now.as_str(), result, closed),
        ("in_onderzoek", None, false)
    );

    // Every step that was taken, and only those, with who took it.
    let steps = [
        ("aangemeld", "in_onderzoek"),
        ("in_onderzoek", "plan_vastgesteld"),
        ("plan_vastgesteld", "in_uitvoering"),
        ("in_uitvoering", "evaluatie"),
        ("evaluatie", "in_uitvoering"),
        ("in_uitvoering", "evaluatie"),
        ("evaluatie", "afgesloten"),
        ("afgesloten", "in_onderzoek"),
    ];
    let expected: Vec<(String, String, String)> = steps
        .iter()
        .map(|(from, to)| (from.to_string(), to.to_string(), team.id.clone()))
        .collect();
    assert_eq!(status_events(&mut db, &case).await, expected);
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM case_events WHERE case_id = $1::uuid AND to_value = 'in_onderzoek' AND from_value = 'afgesloten'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(reason, "Nieuwe vraag over vervoer.");
    let (_, page) = team.page(&format!("/demo/cases/{case}/history")).await;
    assert!(
        page.contains("Tom Teamlid · Status: Afgesloten → In onderzoek"),
        "{page}"
    );
    assert!(page.contains("Tom Teamlid · Status: Evaluatie → Afgesloten (Doel bereikt)"));
}

#[tokio::test]
async fn a_case_closes_from_every_open_state_with_a_closing_result() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    for from in [
        "aangemeld",
        "in_onderzoek",
        "plan_vastgesteld",
        "in_uitvoering",
        "evaluatie",
    ] {
        let case = insert_case(&mut db, &format!("Sluit {from}"), "normal", 3).await;
        give_lead(&mut db, &case, "team@demo.test").await;
        exec(
            &mut db,
            &format!("UPDATE cases SET status = '{from}' WHERE id = $1::uuid"),
            &case,
        )
        .await;
        let (status, body) = change_status(
            &team,
            &mut db,
            &case,
            &[("to", "afgesloten"), ("closing_result", "verhuisd")],
        )
        .await;
        assert_eq!(status, 303, "from {from}: {body}");
        let (now, result): (String, Option<String>) =
            sqlx::query_as("SELECT status, closing_result FROM cases WHERE id = $1::uuid")
                .bind(&case)
                .fetch_one(&mut db)
                .await
                .unwrap();
        assert_eq!(
            (now.as_str(), result.as_deref()),
            ("afgesloten", Some("verhuisd"))
        );
        assert_eq!(
            status_events(&mut db, &case).await,
            [(from.to_owned(), "afgesloten".to_owned(), team.id.clone())]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The lead

#[tokio::test]
async fn a_professional_takes_a_case_and_hands_it_over_only_with_a_note() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Overdracht", "normal", 1).await;
    let path = format!("/demo/cases/{case}");

    let (status, page) = team.page(&path).await;
    assert_eq!(status, 200, "an unassigned case is the team's shared intake");
    assert!(page.contains("Ik neem de regie"));
    take(&team, &mut db, &case).await;
    let lead: Option<String> = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead.as_deref(), Some(team.id.as_str()));

    // Anna cannot take a case that has a lead.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = anna
        .send(
            &format!("{path}/lead"),
            &[("lock_version", &lock), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 403);

    // Handing over takes a note for the colleague.
    let (status, body) = team
        .send(
            &format!("{path}/lead"),
            &[("lock_version", &lock), ("lead", &anna.id), ("note", "  ")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "lead-note").as_deref(),
        Some("Schrijf een overdrachtsnotitie voor je collega.")
    );
    let leads: i64 = sqlx::query_scalar("SELECT count(*) FROM case_leads WHERE case_id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(leads, 1, "nothing changed");

    let (status, _) = team
        .send(
            &format!("{path}/lead"),
            &[
                ("lock_version", &lock),
                ("lead", &anna.id),
                ("note", "Dochter belt graag na vieren."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let history: Vec<(String, bool, String)> = sqlx::query_as(
        "SELECT user_id::text, ended_at IS NULL, handover_note FROM case_leads
         WHERE case_id = $1::uuid ORDER BY started_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        history,
        [
            (team.id.clone(), false, String::new()),
            (anna.id.clone(), true, "Dochter belt graag na vieren.".to_owned())
        ],
        "the old lead's period ended, exactly one is current"
    );
    let lead: String = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead, anna.id);

    let (status, page) = anna.page(&format!("{path}/history")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Eerdere regisseurs") && page.contains("Dochter belt graag na vieren."));
    assert!(page.contains("Anna Anders (") && page.contains("Tom Teamlid ("));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE case_id = $1::uuid AND kind = 'case_lead_changed'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    // The former lead stays involved, and still opens the case without stating a reason.
    assert_eq!(team.page(&path).await.0, 200);
}

#[tokio::test]
async fn an_administrator_assigns_from_the_monitor_and_the_desk_cannot_assign() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let member = User::login(&app, "demo", "lid@demo.test").await;
    let team_id = app.user_id("demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Toewijzen", "normal", 10).await;

    let (status, page) = admin.page("/demo/team/monitor").await;
    assert_eq!(status, 200);
    let unassigned = monitor_section(&page, "unassigned");
    assert!(unassigned.contains("Toewijzen"));
    assert!(unassigned.contains(&format!("action=\"/demo/cases/{case}/lead\"")));
    let lock = hidden_value(unassigned, "lock_version").unwrap();

    for user in [&desk, &member] {
        let (status, _) = user
            .send(
                &format!("/demo/cases/{case}/lead"),
                &[("lock_version", &lock), ("lead", &team_id), ("from", "monitor")],
            )
            .await;
        assert_eq!(status, 403);
    }
    let response = admin
        .post(
            &format!("/demo/cases/{case}/lead"),
            &[("lock_version", &lock), ("lead", &team_id), ("from", "monitor")],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/team/monitor");
    let (lead, assigned_by): (String, String) = sqlx::query_as(
        "SELECT user_id::text, assigned_by::text FROM case_leads WHERE case_id = $1::uuid AND ended_at IS NULL",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((lead, assigned_by), (team_id, admin.id.clone()));
    let (_, page) = admin.page("/demo/team/monitor").await;
    assert!(!monitor_section(&page, "unassigned").contains("Toewijzen"));
}

// ---------------------------------------------------------------------------------------------
// 3. Two people saving at once

#[tokio::test]
async fn the_second_of_two_simultaneous_status_changes_is_refused_as_a_conflict() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Gelijktijdig", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    let (_, team_page) = team.page(&path).await;
    let (_, pm_page) = pm.page(&path).await;
    assert_eq!(lock_version(&team_page), lock_version(&pm_page));

    let (status, _) = team
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&team_page)),
                ("to", "in_onderzoek"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, body) = pm
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&pm_page)),
                ("to", "afgesloten"),
                ("closing_result", "anders"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(body.contains("Iemand anders heeft deze casus intussen gewijzigd"));
    assert!(body.contains("Laatst gewijzigd door Tom Teamlid"), "{body}");
    assert!(
        body.contains("id=\"case-status\">In onderzoek<"),
        "the page shows the case as it is now"
    );
    assert!(
        body.contains("value=\"anders\" selected"),
        "what was chosen is still in the form"
    );
    assert_eq!(status_of(&mut db, &case).await.0, "in_onderzoek");
    assert_eq!(status_events(&mut db, &case).await.len(), 1);

    // With the version shown on the refreshed page it goes through.
    let (status, _) = pm
        .send(
            &format!("{path}/status"),
            &[
                ("lock_version", &lock_version(&body)),
                ("to", "afgesloten"),
                ("closing_result", "anders"),
            ],
        )
        .await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn the_second_of_two_simultaneous_plan_edits_is_refused_and_only_one_goal_is_kept() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Planconflict", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let plan = format!("/demo/cases/{case}/plan");
    let (status, team_page) = team.page(&plan).await;
    assert_eq!(status, 200);
    let (_, pm_page) = pm.page(&plan).await;
    assert_eq!(lock_version(&team_page), lock_version(&pm_page));

    let (status, _) = team
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&team_page)),
                ("description", "Ik wil weer zelf koken."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, body) = pm
        .send(
            &format!("{plan}/goals"),
            &[
                ("lock_version", &lock_version(&pm_page)),
                ("description", "Ik wil weer fietsen."),
            ],
        )
        .await;
    assert_eq!(status, 409);
    assert!(body.contains("Iemand anders heeft het plan intussen gewijzigd."));
    assert!(
        body.contains("Het plan is intussen gewijzigd door Tom Teamlid"),
        "{body}"
    );
    assert!(
        body.contains("Ik wil weer zelf koken."),
        "the page shows the plan as it is now"
    );
    assert!(body.contains("Ik wil weer fietsen."), "what was typed is kept");
    let goals: Vec<String> = sqlx::query_scalar(
        "SELECT g.description FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(goals, ["Ik wil weer zelf koken."]);
}

// ---------------------------------------------------------------------------------------------
// 4. Statutory clocks

#[tokio::test]
async fn statutory_terms_move_past_weekends_and_new_years_day() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;

    // Six weeks after Saturday 04-10-2025 is Saturday 15-11-2025: due Monday 17-11-2025.
    let (saturday, _) = desk_case(&desk, "Zaterdag", &["wmo"], Some("2025-10-04")).await;
    assert_eq!(
        clock_dates(&mut db, &saturday, "wmo_investigation").await,
        (date("2025-10-04"), date("2025-11-17"), date("2025-11-17"), None)
    );
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_clocks WHERE case_id = $1::uuid")
        .bind(&saturday)
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(kinds, ["wmo_investigation"], "a Wmo request has no Jeugd clock");

    // Eight weeks after Thursday 06-11-2025 is New Year's Day 2026: due Friday 02-01-2026.
    let (new_year, _) = desk_case(&desk, "Nieuwjaar", &["wmo", "jeugd"], Some("2025-11-06")).await;
    assert_eq!(
        clock_dates(&mut db, &new_year, "jeugd_decision").await,
        (date("2025-11-06"), date("2026-01-02"), date("2026-01-02"), None)
    );
    assert_eq!(
        clock_dates(&mut db, &new_year, "wmo_investigation").await.2,
        date("2025-12-18")
    );
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&new_year)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, Some(date("2025-12-18")), "the nearest running term");

    let (_, page) = team.page(&format!("/demo/cases/{saturday}")).await;
    assert!(page.contains("17-11-2025"));
    let (_, page) = team.page(&format!("/demo/cases/{new_year}")).await;
    assert!(page.contains("02-01-2026") && page.contains("Jeugd: beschikking"));
}

#[tokio::test]
async fn the_conversation_report_stops_the_investigation_clock_on_its_date() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Keukentafel", &["wmo"], Some("2025-10-04")).await;
    take(&team, &mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("/demo/cases/{case}/conversations"),
            &[
                ("date", "2025-11-05"),
                ("time", "10:00"),
                ("place", "Bij mevrouw thuis"),
                ("participants", "dochter"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let conversation: String =
        sqlx::query_scalar("SELECT id::text FROM conversations WHERE case_id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let report = format!("/demo/cases/{case}/conversations/{conversation}");
    assert_eq!(team.page(&report).await.0, 200);

    let (status, body) = team
        .send(
            &report,
            &[("report_on", "2025-11-12"), ("housing", "De trap is lastig.")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "wishes").as_deref(),
        Some("Schrijf de wensen van de inwoner op.")
    );
    assert_eq!(clock_dates(&mut db, &case, "wmo_investigation").await.3, None);

    let (status, _) = team
        .send(
            &report,
            &[
                ("report_on", "2025-11-12"),
                ("housing", "De trap is lastig."),
                ("wishes", "Ik wil thuis blijven wonen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "wmo_investigation").await.3,
        Some(date("2025-11-12")),
        "stopped on the report date, not today"
    );
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, None);

    // Saving the report again later does not move the date the term was met.
    let (status, _) = team
        .send(
            &report,
            &[
                ("report_on", "2025-11-20"),
                ("wishes", "Ik wil thuis blijven wonen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "wmo_investigation").await.3,
        Some(date("2025-11-12"))
    );
    let (_, page) = team.page(&format!("/demo/cases/{case}")).await;
    assert!(page.contains("Op tijd afgerond"));
    assert!(page.contains("Ik wil thuis blijven wonen."));
}

#[tokio::test]
async fn a_clock_pauses_once_and_extends_once_within_the_cooperatives_maximum() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "UPDATE tenant_settings SET max_extension_weeks = 4 FROM tenants t WHERE t.id = tenant_id AND t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let (case, _) = desk_case(&desk, "Opschorting", &["jeugd"], Some("2025-11-06")).await;
    take(&team, &mut db, &case).await;
    let jeugd = [("kind", "jeugd_decision")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut fields = jeugd.to_vec();
        fields.extend_from_slice(extra);
        fields
    };

    let (status, body) = clock(
        &team,
        &case,
        &with(&[("action", "pause"), ("date", "2025-12-01"), ("reason", "")]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "pause-jeugd_decision-reason").as_deref(),
        Some("Geef een reden op.")
    );
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-01"),
            ("reason", "Wachten op gegevens van school."),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, None, "a paused clock is not a running deadline");
    let (_, page) = team.page(&format!("/demo/cases/{case}")).await;
    assert!(page.contains("Opgeschort"));
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-02"),
            ("reason", "Nog eens."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze termijn is al eens opgeschort; dat kan maar één keer."));

    // Resumed after ten days: ten days later, Friday 02-01-2026 becomes Monday 12-01-2026.
    let (status, _) = clock(
        &team,
        &case,
        &with(&[("action", "resume"), ("date", "2025-12-11")]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "jeugd_decision").await,
        (date("2025-11-06"), date("2026-01-02"), date("2026-01-12"), None)
    );
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-15"),
            ("reason", "Opnieuw."),
        ]),
    )
    .await;
    assert_eq!(status, 422, "once, also after resuming");
    assert!(body.contains("al eens opgeschort"));

    // Extending: at most the cooperative's maximum, with a reason, once.
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "5"),
            ("reason", "Advies nodig."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "extend-jeugd_decision-weeks").as_deref(),
        Some("Kies een aantal weken binnen het maximum.")
    );
    assert!(body.contains("ten hoogste 4 weken"));
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "4"),
            ("reason", ""),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "4"),
            ("reason", "Advies nodig."),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "jeugd_decision").await.2,
        date("2026-02-09"),
        "four weeks after Monday 12-01-2026"
    );
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "1"),
            ("reason", "Nog eens."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze termijn is al eens verlengd; dat kan maar één keer."));
    let (weeks, reason): (i32, Option<String>) = sqlx::query_as(
        "SELECT extended_weeks, extension_reason FROM case_clocks WHERE case_id = $1::uuid AND kind = 'jeugd_decision'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((weeks, reason.as_deref()), (4, Some("Advies nodig.")));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT details->>'action' FROM audit_events WHERE case_id = $1::uuid AND kind = 'clock_changed' ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(actions, ["pause", "resume", "extend"]);
    let (_, page) = team.page(&format!("/demo/cases/{case}")).await;
    assert!(page.contains("09-02-2026") && page.contains("wettelijk: 02-01-2026"));
}

#[tokio::test]
async fn the_application_starts_the_decision_clock_and_the_terms_report_counts_decisions() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let tomorrow = today(&mut db).await + Duration::days(1);
    let (on_time, _) = desk_case(&desk, "Optijd", &["wmo"], Some("2025-10-20")).await;
    let (late, _) = desk_case(&desk, "Telaat", &["wmo"], Some("2025-10-20")).await;
    take(&team, &mut db, &on_time).await;
    take(&team, &mut db, &late).await;

    let (status, body) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", &tomorrow.to_string())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("De datum ligt in de toekomst."));
    // The application arrives on Wednesday 05-11-2025: decision due two weeks later.
    let (status, _) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", "2025-11-05")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &on_time, "wmo_decision").await,
        (date("2025-11-05"), date("2025-11-19"), date("2025-11-19"), None)
    );
    let (status, body) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", "2025-11-06")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("De beslistermijn loopt al."));
    let (status, _) = clock(
        &team,
        &on_time,
        &[
            ("action", "decision"),
            ("kind", "wmo_decision"),
            ("date", "2025-11-18"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    let (status, _) = clock(&team, &late, &[("action", "application"), ("date", "2025-11-03")]).await;
    assert_eq!(status, 303);
    let (status, _) = clock(
        &team,
        &late,
        &[
            ("action", "decision"),
            ("kind", "wmo_decision"),
            ("date", "2025-11-20"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = team.page(&format!("/demo/cases/{late}")).await;
    assert!(page.contains("3 dagen te laat afgerond"), "{page}");

    let (status, report) = team.page("/demo/team/terms?year=2025").await;
    assert_eq!(status, 200);
    let row = |kind: &str| -> Vec<String> {
        let start = report
            .find(&format!("<tr id=\"terms-{kind}\">"))
            .unwrap_or_else(|| panic!("no row {kind}"));
        let rest = &report[start..];
        let row = &rest[..rest.find("</tr>").unwrap()];
        row.split("<td>")
            .skip(1)
            .map(|cell| strip_tags(&cell[..cell.find("</td>").unwrap()]))
            .collect()
    };
    assert_eq!(row("wmo_decision")[..3], ["1", "1", "50%"]);
    // Both investigation clocks are still open and long past their date.
    assert_eq!(row("wmo_investigation")[..2], ["0", "0"]);
    assert_eq!(row("wmo_investigation")[4], "2");
    let (_, report) = team.page("/demo/team/terms?year=2024").await;
    assert!(report.contains("<tr id=\"terms-wmo_decision\">"));
    assert!(!report.contains("50%"), "nothing decided in 2024");
}

#[tokio::test]
async fn a_case_whose_term_has_passed_is_listed_under_overdue_terms() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let long_ago = (today(&mut db).await - Duration::days(50)).to_string();
    let (overdue, _) = desk_case(&desk, "Verlopen", &["wmo"], Some(&long_ago)).await;
    let (running, _) = desk_case(&desk, "Lopend", &["wmo"], None).await;

    let (status, page) = team.page("/demo/team?tab=overdue").await;
    assert_eq!(status, 200);
    assert!(lists(&page, &overdue) && !lists(&page, &running));
    assert!(page.contains("dagen over de termijn"));
    let (_, page) = team.page("/demo/team?tab=open").await;
    assert!(lists(&page, &overdue) && lists(&page, &running));
    let (_, page) = team.page(&format!("/demo/cases/{overdue}")).await;
    assert!(page.contains("dagen over de termijn") && page.contains("badge--danger"));
}

// ---------------------------------------------------------------------------------------------
// 5. The stall monitor

#[tokio::test]
async fn the_stall_monitor_lists_cases_without_lead_crises_quiet_leads_and_late_evaluations() {
    let app = TestApp::spawn().await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let waiting = insert_case(&mut db, "Wachtlang", "normal", 10).await;
    insert_case(&mut db, "Vandaag", "normal", 0).await;
    let crisis = insert_case(&mut db, "Crisislang", "crisis", 10).await;
    insert_case(&mut db, "Crisisnu", "crisis", 0).await;
    let quiet = insert_case(&mut db, "Stilletjes", "normal", 60).await;
    give_lead(&mut db, &quiet, "team@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET status = 'in_uitvoering', last_journal_at = now() - interval '31 days' WHERE id = $1::uuid",
        &quiet,
    )
    .await;
    let active = insert_case(&mut db, "Bedrijvig", "normal", 60).await;
    give_lead(&mut db, &active, "team@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET status = 'in_uitvoering', last_journal_at = now() - interval '1 day' WHERE id = $1::uuid",
        &active,
    )
    .await;
    for (name, evaluation) in [
        ("Evaluatieverleden", "current_date - 1"),
        ("Evaluatielater", "current_date + 10"),
    ] {
        let case = insert_case(&mut db, name, "normal", 0).await;
        give_lead(&mut db, &case, "team@demo.test").await;
        exec(
            &mut db,
            "UPDATE cases SET status = 'in_uitvoering', last_journal_at = now() WHERE id = $1::uuid",
            &case,
        )
        .await;
        exec(
            &mut db,
            &format!(
                "INSERT INTO support_plans (tenant_id, case_id, version, agreed_on, evaluation_on)
                 SELECT tenant_id, id, 1, current_date - 30, {evaluation} FROM cases WHERE id = $1::uuid"
            ),
            &case,
        )
        .await;
    }

    let (status, page) = pm.page("/demo/team/monitor").await;
    assert_eq!(status, 200);
    let names = [
        "Wachtlang",
        "Vandaag",
        "Crisislang",
        "Crisisnu",
        "Stilletjes",
        "Bedrijvig",
        "Evaluatieverleden",
        "Evaluatielater",
    ];
    let listed = |section: &str| -> Vec<&'static str> {
        let rows = monitor_section(&page, section);
        names.into_iter().filter(|n| rows.contains(n)).collect()
    };
    let section = |name: &str| monitor_section(&page, name).to_owned();
    assert_eq!(listed("unassigned"), ["Wachtlang", "Crisislang"]);
    assert_eq!(listed("crisis"), ["Crisislang"]);
    assert_eq!(listed("quiet"), ["Stilletjes"]);
    assert_eq!(listed("evaluation"), ["Evaluatieverleden"]);
    // Each row leads to what resolves it.
    assert!(section("unassigned").contains(&format!("action=\"/demo/cases/{waiting}/lead\"")));
    assert!(section("crisis").contains(&format!("action=\"/demo/cases/{crisis}/lead\"")));
    assert!(section("quiet").contains(&format!("href=\"/demo/cases/{quiet}#lead\"")));
    assert!(section("quiet").contains(&format!("href=\"/demo/cases/{quiet}#escalation\"")));

    assert_eq!(team.page("/demo/team/monitor").await.0, 403);
    let member = User::login(&app, "demo", "lid@demo.test").await;
    assert_eq!(member.page("/demo/team/monitor").await.0, 403);
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    assert_eq!(admin.page("/demo/team/monitor").await.0, 200);
}

// ---------------------------------------------------------------------------------------------
// 6. Confidentiality

#[tokio::test]
async fn a_highly_confidential_case_is_seen_only_by_its_lead_process_managers_and_named_professionals() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Geheimhouding", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/confidentiality"),
            &[("lock_version", &lock), ("level", "zeer_vertrouwelijk")],
        )
        .await;
    assert_eq!(status, 303);
    let event: (String, String) = sqlx::query_as(
        "SELECT from_value, to_value FROM case_events WHERE case_id = $1::uuid AND kind = 'confidentiality'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(event, ("normaal".to_owned(), "zeer_vertrouwelijk".to_owned()));

    let (status, body) = anna.page(&path).await;
    assert_eq!(status, 403);
    assert!(
        !body.contains("Geheimhouding") && !body.contains("/access\""),
        "no way in by stating a reason"
    );
    let (status, _) = anna
        .send(&format!("{path}/access"), &[("reason", "Ik ben nieuwsgierig.")])
        .await;
    assert_eq!(status, 403);
    let grants: i64 = sqlx::query_scalar("SELECT count(*) FROM case_access_grants")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(grants, 0);
    for tab in ["open", "unassigned", "mine", "overdue", "escalated"] {
        let (_, queue) = anna.page(&format!("/demo/team?tab={tab}")).await;
        assert!(!lists(&queue, &case) && !queue.contains("Geheimhouding"), "{tab}");
    }

    assert_eq!(team.page(&path).await.0, 200);
    let (status, page) = pm.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Zeer vertrouwelijk"));
    let (_, queue) = pm.page("/demo/team?tab=open").await;
    assert!(lists(&queue, &case));

    // A professional the lead names as involved sees it.
    let (status, _) = team
        .send(&format!("{path}/members"), &[("member", &anna.id)])
        .await;
    assert_eq!(status, 303);
    assert_eq!(anna.page(&path).await.0, 200);
    let (_, queue) = anna.page("/demo/team?tab=open").await;
    assert!(lists(&queue, &case));
}

#[tokio::test]
async fn a_professional_cannot_take_a_highly_confidential_case_they_may_not_see() {
    let app = TestApp::spawn().await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Verborgen", "normal", 1).await;
    let path = format!("/demo/cases/{case}");
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = pm
        .send(
            &format!("{path}/confidentiality"),
            &[("lock_version", &lock), ("level", "zeer_vertrouwelijk")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(team.page(&path).await.0, 403);

    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/lead"),
            &[("lock_version", &lock), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 403, "taking the case would open it");
    let lead: Option<String> = sqlx::query_scalar("SELECT lead_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(lead, None);
    assert_eq!(team.page(&path).await.0, 403);
}

#[tokio::test]
async fn a_professional_not_involved_opens_a_case_only_after_stating_a_reason() {
    let app = TestApp::spawn().await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Inzage", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");

    let (status, body) = anna.page(&path).await;
    assert_eq!(status, 403);
    assert!(body.contains("Inzage met reden"));
    assert!(body.contains(&format!("action=\"{path}/access\"")));
    assert!(
        !body.contains("Inzage<") && !body.contains("Hulp in huis"),
        "nothing of the case shows"
    );

    let (status, body) = anna.send(&format!("{path}/access"), &[("reason", "   ")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "reason").as_deref(),
        Some("Geef een reden op.")
    );
    assert_eq!(anna.page(&path).await.0, 403);

    let reason = "Ik neem waar tijdens de vakantie van Tom.";
    let response = anna.post(&format!("{path}/access"), &[("reason", reason)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), path);
    let (status, page) = anna.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Hulp in huis"));
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, details->>'reason' FROM audit_events
         WHERE kind = 'case_access_granted' AND case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(audited, [(anna.id.clone(), Some(reason.to_owned()))]);

    // Seeing is not steering: the lead moves the case along.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = anna
        .send(
            &format!("{path}/status"),
            &[("lock_version", &lock), ("to", "in_onderzoek")],
        )
        .await;
    assert_eq!(status, 403);
    // Nor writing in it: the journal, tasks and the plan are for those involved.
    let (status, _) = anna
        .send(
            &format!("{path}/tasks"),
            &[
                ("title", "Bellen"),
                ("assignee", &anna.id),
                ("due_on", "01-12-2026"),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = anna
        .send(
            &format!("{path}/plan/goals"),
            &[("lock_version", "1"), ("description", "Iets")],
        )
        .await;
    assert_eq!(status, 403);
}

// ---------------------------------------------------------------------------------------------
// 7. Escalation, journal

#[tokio::test]
async fn scaling_up_to_care_and_safety_takes_a_reason_and_a_coordinating_process_manager() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Opschalen", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}/escalation");

    let lock = lock_of(&mut db, &case).await;
    let (status, body) = team
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "zorg_en_veiligheid"),
                ("coordinator", &pm.id),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "escalation-reason").as_deref(),
        Some("Geef de reden voor opschalen naar zorg en veiligheid.")
    );
    for coordinator in ["", team.id.as_str()] {
        let (status, body) = team
            .send(
                &path,
                &[
                    ("lock_version", &lock),
                    ("level", "zorg_en_veiligheid"),
                    ("coordinator", coordinator),
                    ("reason", "Zorgen over de veiligheid van de kinderen."),
                ],
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(
            field_error(&body, "escalation-coordinator").as_deref(),
            Some("Kies de procesmanager die de coördinatie overneemt.")
        );
    }
    let (status, _) = team
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "zorg_en_veiligheid"),
                ("coordinator", &pm.id),
                ("reason", "Zorgen over de veiligheid van de kinderen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (level, coordinator): (String, Option<String>) =
        sqlx::query_as("SELECT escalation, coordinator_id::text FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(
        (level.as_str(), coordinator.as_deref()),
        ("zorg_en_veiligheid", Some(pm.id.as_str()))
    );
    let (_, mine) = pm.page("/demo/team?tab=mine").await;
    assert!(lists(&mine, &case), "in the process manager's own queue");
    let (_, escalated) = team.page("/demo/team?tab=escalated").await;
    assert!(lists(&escalated, &case));

    // Scaling down hands coordination back to the team, recorded too.
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = pm
        .send(
            &path,
            &[
                ("lock_version", &lock),
                ("level", "normaal"),
                ("reason", "Veilig thuis."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let coordinator: Option<String> =
        sqlx::query_scalar("SELECT coordinator_id::text FROM cases WHERE id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(coordinator, None);
    let events: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT from_value, to_value, actor_id::text FROM case_events
         WHERE case_id = $1::uuid AND kind = 'escalation' ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        events,
        [
            (
                "normaal".to_owned(),
                "zorg_en_veiligheid".to_owned(),
                team.id.clone()
            ),
            (
                "zorg_en_veiligheid".to_owned(),
                "normaal".to_owned(),
                pm.id.clone()
            )
        ]
    );
    let (_, mine) = pm.page("/demo/team?tab=mine").await;
    assert!(!lists(&mine, &case));
}

#[tokio::test]
async fn a_journal_correction_is_a_new_entry_and_the_old_one_stays_unchanged() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Journaal", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let other = insert_case(&mut db, "Anderjournaal", "normal", 1).await;
    give_lead(&mut db, &other, "team@demo.test").await;

    let (status, body) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", "2026-01-05"),
                ("time", "10:00"),
                ("body", " "),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "journal-body").as_deref(),
        Some("Schrijf de notitie.")
    );
    let (status, _) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", "2026-01-05"),
                ("time", "10:00"),
                ("body", "Dochter gebeld: zij komt dinsdag."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);
    let old: String = sqlx::query_scalar("SELECT id::text FROM journal_entries WHERE case_id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let last_journal: bool = sqlx::query_scalar(
        "SELECT last_journal_at > now() - interval '1 minute' FROM cases WHERE id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(last_journal, "the stall monitor sees the lead wrote something");

    let (status, form) = team.page(&format!("/demo/cases/{case}?corrects={old}")).await;
    assert_eq!(status, 200);
    assert_eq!(hidden_value(&form, "corrects").as_deref(), Some(old.as_str()));
    let (status, _) = team
        .journal(
            &case,
            &[
                ("corrects", &old),
                ("kind", "telefoon"),
                ("date", "2026-01-05"),
                ("time", "10:05"),
                ("body", "Correctie: zij komt woensdag."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);
    let entries: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id::text, body, corrects_id::text FROM journal_entries WHERE case_id = $1::uuid ORDER BY created_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (
            entries[0].0.as_str(),
            entries[0].1.as_str(),
            entries[0].2.as_deref()
        ),
        (old.as_str(), "Dochter gebeld: zij komt dinsdag.", None),
        "the old entry is unchanged"
    );
    assert_eq!(entries[1].2.as_deref(), Some(old.as_str()));

    let (_, page) = team.page(&format!("/demo/cases/{case}")).await;
    let old_entry = &page[page.find(&format!("id=\"entry-{old}\"")).unwrap()..];
    let old_entry = &old_entry[..old_entry.find("</li>").unwrap()];
    assert!(old_entry.contains("Gecorrigeerd") && old_entry.contains("Dochter gebeld: zij komt dinsdag."));
    assert!(
        !old_entry.contains("?corrects="),
        "a corrected entry is not corrected twice"
    );
    assert!(page.contains(&format!("href=\"#entry-{old}\">Correctie op een eerdere notitie")));

    // An entry of another case cannot be corrected from here.
    let (status, _) = team
        .journal(
            &other,
            &[
                ("corrects", &old),
                ("kind", "notitie"),
                ("date", "2026-01-05"),
                ("time", "11:00"),
                ("body", "Mis."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 404);

    // The web role cannot rewrite or remove the journal at all.
    let mut web = app.app.connect().await.unwrap();
    for statement in [
        "UPDATE journal_entries SET body = 'herschreven'",
        "DELETE FROM journal_entries",
    ] {
        let mut tx = web.begin().await.unwrap();
        sqlx::query(
            "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'demo'), true)",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        let refused = sqlx::query(statement).execute(&mut *tx).await;
        assert!(refused.is_err(), "{statement}");
        tx.rollback().await.unwrap();
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM journal_entries")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn journal_attachments_are_accepted_by_content_downloadable_and_audited() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Bijlage", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let fields = [
        ("kind", "huisbezoek"),
        ("date", "2026-01-05"),
        ("time", "14:00"),
        ("body", "Huisbezoek; brief van de huisarts meegenomen."),
    ];
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

    // Not a PDF or an image, whatever the name or the claimed type says.
    let refused: [Upload<'_>; 3] = [
        (
            "setup.exe",
            "application/octet-stream",
            b"MZ\x90\x00\x03\x00\x00\x00 an executable",
        ),
        (
            "pagina.html",
            "text/html",
            b"<html><script>alert(1)</script></html>",
        ),
        (
            "brief.pdf",
            "application/pdf",
            b"<html><script>alert(1)</script></html>",
        ),
    ];
    for file in refused {
        let (status, body) = team.journal(&case, &fields, &[file]).await;
        assert_eq!(status, 422, "{}", file.0);
        assert_eq!(
            field_error(&body, "journal-attachment").as_deref(),
            Some("Alleen PDF-bestanden en afbeeldingen (PNG, JPEG, GIF, WebP) kunnen worden toegevoegd."),
            "{}",
            file.0
        );
        assert!(
            body.contains("Huisbezoek; brief van de huisarts meegenomen."),
            "what was typed stays"
        );
    }
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM journal_entries")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(entries, 0, "a refused file stores nothing");

    // Without the CSRF token in the address nothing is stored either.
    let action = team.journal_action(&case).await;
    let (status, _) = team
        .multipart(
            action.split('?').next().unwrap(),
            &fields,
            &[("brief.pdf", "application/pdf", pdf)],
        )
        .await;
    assert_eq!(status, 403);

    let (status, _) = team
        .journal(&case, &fields, &[("brief huisarts.pdf", "application/pdf", pdf)])
        .await;
    assert_eq!(status, 303);
    let (attachment, content_type, size): (String, String, i32) = sqlx::query_as(
        "SELECT a.id::text, a.content_type, a.size_bytes FROM journal_attachments a
         JOIN journal_entries e ON e.id = a.entry_id WHERE e.case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (content_type.as_str(), size as usize),
        ("application/pdf", pdf.len())
    );
    let download = format!("/demo/cases/{case}/attachments/{attachment}");
    let (_, page) = team.page(&format!("/demo/cases/{case}")).await;
    assert!(page.contains(&format!("href=\"{download}\">brief huisarts.pdf</a>")));

    let response = team.get(&download).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf);
    let viewed: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, details->>'filename' FROM audit_events
         WHERE kind = 'attachment_viewed' AND case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(viewed, [(team.id.clone(), Some("brief huisarts.pdf".to_owned()))]);

    // Someone who may not see the case cannot fetch its files either.
    assert_eq!(anna.get(&download).await.status(), 403);
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    assert_eq!(desk.get(&download).await.status(), 403);
}

// ---------------------------------------------------------------------------------------------
// 8. Audit

#[tokio::test]
async fn viewing_and_changing_a_case_is_audited_with_the_case_and_the_resident() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Logboek", &["wmo"], None).await;
    let resident: String = sqlx::query_scalar("SELECT resident_id::text FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/cases/{case}");

    assert_eq!(team.page(&path).await.0, 200);
    let viewed: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, case_id::text, resident_id::text FROM audit_events WHERE kind = 'case_viewed'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        viewed,
        [(team.id.clone(), Some(case.clone()), Some(resident.clone()))]
    );

    take(&team, &mut db, &case).await;
    let (status, _) = change_status(&team, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 303);
    let lock = lock_of(&mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("{path}/escalation"),
            &[
                ("lock_version", &lock),
                ("level", "opgeschaald"),
                ("reason", "Schulden lopen op."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/network"),
            &[
                ("name", "Dokter Bos"),
                ("relation", "huisarts"),
                ("phone", "0318 111 222"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/tasks"),
            &[
                ("title", "Huisarts bellen"),
                ("assignee", &team.id),
                ("due_on", "2030-01-07"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .send(
            &format!("{path}/conversations"),
            &[("date", "2030-01-08"), ("time", "10:00"), ("place", "Thuis")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, plan) = team.page(&format!("{path}/plan")).await;
    let (status, _) = team
        .send(
            &format!("{path}/plan/goals"),
            &[
                ("lock_version", &lock_version(&plan)),
                ("description", "Rust in de financiën."),
            ],
        )
        .await;
    assert_eq!(status, 303);

    let events: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT kind, actor_id::text, resident_id::text FROM audit_events WHERE case_id = $1::uuid ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    for kind in [
        "case_viewed",
        "case_lead_changed",
        "case_status_changed",
        "case_escalation_changed",
        "network_changed",
        "task_changed",
        "conversation_scheduled",
        "plan_changed",
    ] {
        assert!(events.iter().any(|(k, _, _)| k == kind), "{kind} in {events:?}");
    }
    assert!(
        events
            .iter()
            .all(|(_, actor, r)| *actor == team.id && r.as_deref() == Some(resident.as_str())),
        "{events:?}"
    );
    let details: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE case_id = $1::uuid AND kind = 'case_status_changed'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(details["from"], "aangemeld");
    assert_eq!(details["to"], "in_onderzoek");
}

// ---------------------------------------------------------------------------------------------
// 9. Who sees what

#[tokio::test]
async fn only_the_team_opens_a_case_and_the_desk_sees_its_status_and_lead() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, request) = desk_case(&desk, "Zichtbaar", &["wmo"], None).await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");

    for email in [
        "lid@demo.test",
        "balie@demo.test",
        "beheer@demo.test",
        "voorzitter@demo.test",
    ] {
        let user = User::login(&app, "demo", email).await;
        // A member organisation's staff are not even told the case exists.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        for page in [path.clone(), format!("{path}/plan"), format!("{path}/journal")] {
            assert_eq!(user.page(&page).await.0, refused, "{email} {page}");
        }
        let lock = lock_of(&mut db, &case).await;
        let (status, _) = user
            .send(
                &format!("{path}/status"),
                &[("lock_version", &lock), ("to", "in_onderzoek")],
            )
            .await;
        assert_eq!(status, refused, "{email}");
        if email != "beheer@demo.test" {
            assert_eq!(user.page("/demo/team").await.0, 403, "{email}");
        }
    }
    assert_eq!(status_of(&mut db, &case).await.0, "aangemeld");
    let viewed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'case_viewed'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(viewed, 0, "a refused look is no view");

    assert_eq!(team.page(&format!("/demo/cases/{}", Uuid::new_v4())).await.0, 404);
    assert_eq!(team.page("/demo/cases/geen-casus").await.0, 404);

    // The desk sees that there is a case, where it stands and who leads it; no link to it.
    let (status, page) = desk.page(&request).await;
    assert_eq!(status, 200);
    let summary = &page[page
        .find("id=\"case-summary\"")
        .expect("the case on the request page")..];
    let summary = &summary[..summary.find("</p>").unwrap()];
    assert!(
        summary.contains("Aangemeld") && summary.contains("Tom Teamlid"),
        "{summary}"
    );
    assert!(!page.contains("/demo/cases/"), "no link to the case for the desk");
    let (_, page) = team.page(&request).await;
    assert!(lists(&page, &case), "the team follows the link");
}

// ---------------------------------------------------------------------------------------------
// 10. Tenant isolation

#[tokio::test]
async fn another_cooperative_cannot_reach_a_case_not_even_in_the_database() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Isolatie", &["wmo", "jeugd"], None).await;
    take(&team, &mut db, &case).await;
    let (status, _) = team
        .journal(
            &case,
            &[
                ("kind", "notitie"),
                ("date", "2026-01-05"),
                ("time", "09:00"),
                ("body", "Eerste contact."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);

    add_user(&app, "demo2", "team@demo2.test", "Ruud Tweede", "professional").await;
    let foreign = User::login(&app, "demo2", "team@demo2.test").await;
    let foreign_desk = User::login(&app, "demo2", "balie@demo.test").await;
    for page in [
        format!("/demo2/cases/{case}"),
        format!("/demo2/cases/{case}/plan"),
        format!("/demo2/cases/{case}/journal"),
        format!("/demo/cases/{case}"),
    ] {
        assert_eq!(foreign.page(&page).await.0, 404, "{page}");
    }
    let (status, _) = foreign
        .send(
            &format!("/demo2/cases/{case}/lead"),
            &[("lock_version", "2"), ("lead", "me")],
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = foreign
        .send(
            &format!("/demo2/cases/{case}/access"),
            &[("reason", "Even kijken.")],
        )
        .await;
    assert_eq!(status, 404);
    // The other cooperative's desk may not open cases at all; it learns nothing either way.
    let existing = foreign_desk.page(&format!("/demo2/cases/{case}")).await.0;
    let unknown = foreign_desk
        .page(&format!("/demo2/cases/{}", Uuid::new_v4()))
        .await
        .0;
    assert!(existing == 403 || existing == 404, "{existing}");
    assert_eq!(existing, unknown);
    assert_eq!(foreign_desk.page(&format!("/demo/cases/{case}")).await.0, 404);
    let (_, queue) = foreign.page("/demo2/team?tab=open").await;
    assert!(!queue.contains(&case) && !queue.contains("Isolatie"));

    // The database itself shows the web role nothing of demo when it acts for demo2.
    let mut web = app.app.connect().await.unwrap();
    for (tenant, expect_rows) in [("demo2", false), ("demo", true)] {
        let mut tx = web.begin().await.unwrap();
        sqlx::query(
            "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = $1), true)",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .unwrap();
        for table in [
            "cases",
            "case_clocks",
            "case_leads",
            "journal_entries",
            "audit_events",
        ] {
            let count: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT count(*) FROM {table} WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')"
            )))
            .fetch_one(&mut *tx)
            .await
            .unwrap()
            .get(0);
            assert_eq!(count > 0, expect_rows, "{table} as {tenant}: {count}");
        }
        tx.rollback().await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// 11. Tasks

#[tokio::test]
async fn a_case_task_is_on_the_assignees_start_page_until_it_is_done() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Taken", "normal", 1).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let today = today(&mut db).await;
    let (late, soon) = (today - Duration::days(3), today + Duration::days(7));
    let tasks = format!("/demo/cases/{case}/tasks");

    let (status, body) = team
        .send(
            &tasks,
            &[
                ("title", ""),
                ("assignee", &team.id),
                ("due_on", &soon.to_string()),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "task-title").as_deref(),
        Some("Beschrijf de taak.")
    );
    for (title, who, due) in [
        ("Verslag naar de huisarts", &team.id, soon),
        ("Huisarts terugbellen", &team.id, late),
        ("Buurvrouw spreken", &anna.id, soon),
    ] {
        let (status, body) = team
            .send(
                &tasks,
                &[("title", title), ("assignee", who), ("due_on", &due.to_string())],
            )
            .await;
        assert_eq!(status, 303, "{body}");
    }

    let my_tasks = |page: &str| -> String {
        let start = page
            .find("id=\"my-tasks\"")
            .expect("the task list on the start page");
        let rest = &page[start..];
        rest[..rest.find("</section>").unwrap()].to_owned()
    };
    let (_, start) = team.page("/demo/").await;
    let list = my_tasks(&start);
    assert!(!list.contains("Buurvrouw spreken"), "only the user's own tasks");
    let overdue = list.find("Huisarts terugbellen").unwrap();
    let upcoming = list.find("Verslag naar de huisarts").unwrap();
    assert!(overdue < upcoming, "the overdue task first");
    assert!(list.contains(&format!("te laat, was {}", nl(late))));
    assert!(list.contains(&format!("uiterlijk {}", nl(soon))));
    assert!(list.contains(&format!("/demo/cases/{case}#tasks")));
    let (_, start) = anna.page("/demo/").await;
    assert!(my_tasks(&start).contains("Buurvrouw spreken"));

    let task: String = sqlx::query_scalar("SELECT id::text FROM tasks WHERE title = 'Huisarts terugbellen'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, _) = team.send(&format!("{tasks}/{task}/done"), &[]).await;
    assert_eq!(status, 303);
    let (_, start) = team.page("/demo/").await;
    let list = my_tasks(&start);
    assert!(!list.contains("Huisarts terugbellen") && list.contains("Verslag naar de huisarts"));
    let done_by: Option<String> = sqlx::query_scalar("SELECT done_by::text FROM tasks WHERE id = $1::uuid")
        .bind(&task)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(done_by.as_deref(), Some(team.id.as_str()));
    let (status, _) = team.send(&format!("{tasks}/{task}/done"), &[]).await;
    assert_eq!(status, 404, "a task is finished once");
}

// ---------------------------------------------------------------------------------------------
// 12. The queue

#[tokio::test]
async fn the_queue_tabs_list_the_right_cases_with_crises_first() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    add_user(&app, "demo", "anders@demo.test", "Anna Anders", "professional").await;
    let mut db = app.owner_connection().await;
    let new = insert_case(&mut db, "Nieuwkomer", "normal", 5).await;
    let crisis = insert_case(&mut db, "Noodgeval", "crisis", 1).await;
    let mine = insert_case(&mut db, "Eigen", "normal", 3).await;
    give_lead(&mut db, &mine, "team@demo.test").await;
    let overdue = insert_case(&mut db, "Termijnvoorbij", "normal", 3).await;
    give_lead(&mut db, &overdue, "anders@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET next_deadline = current_date - 1 WHERE id = $1::uuid",
        &overdue,
    )
    .await;
    let raised = insert_case(&mut db, "Opgeschaald", "normal", 3).await;
    give_lead(&mut db, &raised, "anders@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET escalation = 'opgeschaald' WHERE id = $1::uuid",
        &raised,
    )
    .await;
    let closed = insert_case(&mut db, "Afgerond", "normal", 3).await;
    give_lead(&mut db, &closed, "team@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET status = 'afgesloten', closing_result = 'doel_bereikt', closed_at = now() WHERE id = $1::uuid",
        &closed,
    )
    .await;
    let all = [&new, &crisis, &mine, &overdue, &raised, &closed];
    let shown = |page: &str| -> Vec<&str> {
        all.iter()
            .filter(|c| lists(page, c))
            .map(|c| c.as_str())
            .collect()
    };

    for sort in ["deadline", "age"] {
        let (status, page) = team.page(&format!("/demo/team?tab=unassigned&sort={sort}")).await;
        assert_eq!(status, 200);
        assert_eq!(shown(&page), [new.as_str(), crisis.as_str()]);
        assert!(
            link_position(&page, &crisis) < link_position(&page, &new),
            "the crisis first ({sort}), although newer"
        );
        assert!(page.contains("badge--danger\">crisis<"));
    }
    let (_, page) = team.page("/demo/team").await;
    assert_eq!(
        shown(&page),
        [mine.as_str()],
        "a professional starts on their own cases"
    );
    let (_, page) = team.page("/demo/team?tab=mine").await;
    assert_eq!(shown(&page), [mine.as_str()]);
    let (_, page) = team.page("/demo/team?tab=open").await;
    assert_eq!(
        shown(&page),
        [
            new.as_str(),
            crisis.as_str(),
            mine.as_str(),
            overdue.as_str(),
            raised.as_str()
        ]
    );
    let (_, page) = team.page("/demo/team?tab=overdue").await;
    assert_eq!(shown(&page), [overdue.as_str()]);
    let (_, page) = team.page("/demo/team?tab=escalated").await;
    assert_eq!(shown(&page), [raised.as_str()]);
    let (_, page) = pm.page("/demo/team").await;
    assert_eq!(
        shown(&page),
        [new.as_str(), crisis.as_str()],
        "a process manager starts on the unassigned cases"
    );
}

#[tokio::test]
async fn the_queue_sorts_by_deadline_or_age_and_pages_by_twenty_five() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let old = insert_case(&mut db, "Oudgediende", "normal", 20).await;
    exec(
        &mut db,
        "UPDATE cases SET next_deadline = current_date + 30 WHERE id = $1::uuid",
        &old,
    )
    .await;
    let young = insert_case(&mut db, "Jonkie", "normal", 2).await;
    exec(
        &mut db,
        "UPDATE cases SET next_deadline = current_date + 5 WHERE id = $1::uuid",
        &young,
    )
    .await;

    let (_, page) = team.page("/demo/team?tab=open&sort=age").await;
    assert!(
        link_position(&page, &old) < link_position(&page, &young),
        "oldest first"
    );
    assert!(page.contains("20 dagen"));
    let (_, page) = team.page("/demo/team?tab=open&sort=deadline").await;
    assert!(
        link_position(&page, &young) < link_position(&page, &old),
        "nearest deadline first"
    );
    assert!(page.contains("nog 5 dagen"));

    sqlx::query(
        "WITH t AS (SELECT id FROM tenants WHERE slug = 'demo'),
         r AS (INSERT INTO residents (tenant_id, surname) SELECT t.id, 'Reeks ' || n FROM t, generate_series(1, 30) n
               RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, channel, domains, question, form_token, status, triage,
                                     triaged_at, unsafe_at_home)
               SELECT tenant_id, id, 'desk', ARRAY['jeugd'], 'Opvoeden', gen_random_uuid(), 'with_team', 'to_team',
                      now(), false
               FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency) SELECT tenant_id, id, resident_id, 'normal' FROM q",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let (_, first) = team.page("/demo/team?tab=open&sort=age").await;
    assert_eq!(row_count(&first), 25);
    assert!(first.contains("/demo/team?tab=open&amp;sort=age&amp;page=2") || first.contains("page=2"));
    assert!(first.contains("Volgende pagina") && !first.contains("Vorige pagina"));
    let (status, second) = team.page("/demo/team?tab=open&sort=age&page=2").await;
    assert_eq!(status, 200);
    assert_eq!(row_count(&second), 7, "32 open cases in all");
    assert!(second.contains("Vorige pagina") && !second.contains("Volgende pagina"));
    assert!(lists(&first, &old) && !lists(&second, &old));
}

// ---------------------------------------------------------------------------------------------
// 13. Plans

/// The rows of a queue page as the queue selects them, with the tab's filter and order.
fn queue_sql(filter_and_order: &str) -> String {
    format!(
        "SELECT c.id, r.surname, q.domains, l.name
         FROM cases c
         JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
         LEFT JOIN residents r ON r.tenant_id = c.tenant_id AND r.id = c.resident_id
         LEFT JOIN users l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
         WHERE c.tenant_id = $1
           AND (c.confidentiality <> 'zeer_vertrouwelijk' OR $3 OR c.lead_id = $2 OR c.coordinator_id = $2
                OR (SELECT true FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $2))
           AND {filter_and_order} LIMIT $4 OFFSET $5"
    )
}

#[tokio::test]
async fn team_queries_use_their_indexes_under_a_generic_plan() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let tenant = app.tenant_id("demo").await;
    {
        let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
        let mut tx = schakel::db::tenant_tx(&owner, tenant).await.unwrap();
        let today = time::OffsetDateTime::now_utc().date();
        schakel::demo::generate::intake(
            &mut tx,
            11,
            10_000,
            20_000,
            8_000,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        schakel::demo::generate::case_histories(
            &mut tx,
            11,
            10,
            today,
            &schakel::demo::generate::Progress::hidden(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::raw_sql("ANALYZE").execute(&mut db).await.unwrap();
    let team = app.user_id("demo", "team@demo.test").await;
    let args = format!("'{tenant}', '{team}', false, 26, 0");

    for (filter_and_order, index) in [
        ("c.status <> 'afgesloten' ORDER BY c.created_at", "cases_open_age"),
        (
            "c.status <> 'afgesloten' ORDER BY c.next_deadline NULLS LAST, c.created_at",
            "cases_open_deadline",
        ),
        (
            "c.lead_id IS NULL AND c.status <> 'afgesloten' ORDER BY c.urgency = 'crisis' DESC, c.created_at",
            "cases_unassigned",
        ),
        (
            "c.escalation <> 'normaal' AND c.status <> 'afgesloten'
             ORDER BY c.escalation = 'zorg_en_veiligheid' DESC, c.created_at",
            "cases_escalated",
        ),
        (
            // A caseload is a good share of the open cases: walking them in order finds a
            // page soon.
            "(c.lead_id = $2 OR c.coordinator_id = $2) AND c.status <> 'afgesloten' ORDER BY c.created_at",
            "cases_open_age",
        ),
    ] {
        let plan = generic_plan(&app, tenant, &queue_sql(filter_and_order), &args).await;
        assert!(plan.contains(index), "{filter_and_order}:\n{plan}");
        assert!(!plan.contains("Seq Scan on cases"), "{filter_and_order}:\n{plan}");
        // Being named in a confidential case is probed per row, never by hashing all of them.
        assert!(!plan.contains("hashed SubPlan"), "{filter_and_order}:\n{plan}");
    }

    // A page of the journal of a long-running case: read off the index, however long it is.
    let case: String = sqlx::query_scalar(
        "SELECT case_id::text FROM journal_entries GROUP BY case_id ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let journal = generic_plan(
        &app,
        tenant,
        "SELECT e.id, e.body, u.name,
                EXISTS (SELECT FROM journal_entries x WHERE x.tenant_id = e.tenant_id AND x.corrects_id = e.id)
         FROM journal_entries e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.author_id
         WHERE e.tenant_id = $1 AND e.case_id = $2
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT 21 OFFSET $3",
        &format!("'{tenant}', '{case}', 0"),
    )
    .await;
    assert!(journal.contains("journal_entries_case"), "{journal}");
    assert!(!journal.contains("Seq Scan on journal_entries"), "{journal}");
}

// ---------------------------------------------------------------------------------------------
// The case page's lists kept between views

/// Changes, each picking a case and a row to change (`$1` in the change), and what the case page
/// then shows. Made straight in the database, as any write path would, so that what is checked
/// is that PostgreSQL notes the change, not that a handler remembers to.
const SHOWN_CHANGES: &[(&str, &str, &str, &str)] = &[
    (
        "the case row",
        "SELECT id::text, id::text FROM cases ORDER BY id LIMIT 1",
        "UPDATE cases SET lock_version = 917 WHERE id = $1::uuid",
        "name=\"lock_version\" value=\"917\"",
    ),
    (
        "the request's question",
        "SELECT id::text, id::text FROM cases ORDER BY id DESC LIMIT 1",
        "UPDATE requests SET question = 'Markering van de hulpvraag' WHERE id = (SELECT request_id FROM cases WHERE id = $1::uuid)",
        "Markering van de hulpvraag",
    ),
    (
        "the resident's name",
        "SELECT id::text, id::text FROM cases WHERE resident_id IS NOT NULL ORDER BY created_at LIMIT 1",
        "UPDATE residents SET surname = 'Markeringa' WHERE id = (SELECT resident_id FROM cases WHERE id = $1::uuid)",
        "Markeringa",
    ),
    (
        "a statutory clock",
        "SELECT case_id::text, id::text FROM case_clocks WHERE completed_on IS NULL ORDER BY id LIMIT 1",
        "UPDATE case_clocks SET due_on = '2031-03-17', statutory_due_on = '2031-03-17' WHERE id = $1::uuid",
        "17-03-2031",
    ),
    (
        "a conversation",
        "SELECT case_id::text, id::text FROM conversations ORDER BY planned_at DESC LIMIT 1",
        "UPDATE conversations SET place = 'Buurthuis De Markering' WHERE id = $1::uuid",
        "Buurthuis De Markering",
    ),
    (
        "the resident's network",
        "SELECT c.id::text, n.id::text FROM network_contacts n
         JOIN cases c ON c.tenant_id = n.tenant_id AND c.resident_id = n.resident_id
         WHERE n.removed_at IS NULL ORDER BY n.id LIMIT 1",
        "UPDATE network_contacts SET name = 'Nel Markering' WHERE id = $1::uuid",
        "Nel Markering",
    ),
    (
        "a new task",
        "SELECT id::text, id::text FROM cases WHERE lead_id IS NOT NULL ORDER BY id LIMIT 1",
        "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on)
         SELECT tenant_id, 'case', id, 'Markering nabellen', lead_id, current_date FROM cases WHERE id = $1::uuid",
        "Markering nabellen",
    ),
    (
        "someone involved",
        "SELECT id::text, id::text FROM cases ORDER BY id DESC LIMIT 1",
        "INSERT INTO case_members (tenant_id, case_id, user_id, added_by)
         SELECT c.tenant_id, c.id, u.id, u.id FROM cases c JOIN users u ON u.tenant_id = c.tenant_id
         WHERE c.id = $1::uuid AND u.email = 'balie@demo.test'",
        "<li>Bente Balie</li>",
    ),
    (
        "a consent",
        "SELECT case_id::text, id::text FROM consents ORDER BY id LIMIT 1",
        "UPDATE consents SET purpose = 'Markering van de toestemming' WHERE id = $1::uuid",
        "Markering van de toestemming",
    ),
    (
        "a referral",
        "SELECT case_id::text, id::text FROM referrals ORDER BY id LIMIT 1",
        "UPDATE referrals SET purpose = 'Markering van de verwijzing' WHERE id = $1::uuid",
        "Markering van de verwijzing",
    ),
    (
        "the support plan",
        "SELECT case_id::text, id::text FROM support_plans ORDER BY id LIMIT 1",
        "UPDATE support_plans SET evaluation_on = '2031-05-19' WHERE id = $1::uuid",
        "19-05-2031",
    ),
    (
        "a goal of the plan",
        "SELECT p.case_id::text, g.id::text FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id ORDER BY g.id LIMIT 1",
        "UPDATE plan_goals SET description = 'Markering: zelf boodschappen doen' WHERE id = $1::uuid",
        "Markering: zelf boodschappen doen",
    ),
    (
        "the newest journal entry",
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "UPDATE journal_entries SET body = 'Markering in het journaal' WHERE id = $1::uuid",
        "Markering in het journaal",
    ),
    (
        "an attachment",
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "INSERT INTO journal_attachments (tenant_id, entry_id, filename, content_type, size_bytes, content)
         SELECT tenant_id, id, 'markering.pdf', 'application/pdf', 5, '%PDF-' FROM journal_entries WHERE id = $1::uuid",
        "markering.pdf",
    ),
    (
        "the name of a journal entry's author",
        "SELECT case_id::text, author_id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "UPDATE users SET name = 'Mees Markering' WHERE id = $1::uuid",
        "Mees Markering",
    ),
    (
        "the name of a referral's organisation",
        "SELECT case_id::text, organisation_id::text FROM referrals WHERE organisation_id IS NOT NULL ORDER BY id LIMIT 1",
        "UPDATE organisations SET name = 'Stichting Markering' WHERE id = $1::uuid",
        "Stichting Markering",
    ),
    (
        "the name of a referral's service",
        "SELECT case_id::text, service_id::text FROM referrals ORDER BY id LIMIT 1",
        "UPDATE services SET name = 'Markeringshulp' WHERE id = $1::uuid",
        "Markeringshulp",
    ),
];

#[tokio::test]
async fn a_case_page_seen_before_shows_every_change_at_once() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;

    for (what, pick, change, shows) in SHOWN_CHANGES {
        let (case, row): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(*pick))
            .fetch_one(&mut db)
            .await
            .unwrap_or_else(|error| panic!("{what}: the demo history has none ({error})"));
        let path = format!("/demo/cases/{case}");
        // Seen twice, so that the second view is served from the kept lists.
        for _ in 0..2 {
            let (status, page) = manager.page(&path).await;
            assert_eq!(status, 200, "{what}: {page}");
            assert!(!page.contains(shows), "{what}: {shows:?} shows before the change");
        }
        exec(&mut db, change, &row).await;
        let (status, page) = manager.page(&path).await;
        assert_eq!(status, 200, "{what}: {page}");
        assert!(
            page.contains(shows),
            "{what}: the page does not show {shows:?} after the change"
        );
    }
}

/// The CSRF tokens in the forms of `page`, each as often as it occurs.
fn csrf_tokens(page: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = page
        .split("name=\"csrf_token\" value=\"")
        .skip(1)
        .chain(page.split("csrf_token=").skip(1))
        .map(|rest| &rest[..rest.find(['"', '&']).unwrap()])
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

#[tokio::test]
async fn a_kept_case_page_is_each_viewers_own() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET language = 'en' WHERE email = 'procesmanager@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    let team = User::login(&app, "demo", "team@demo.test").await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;
    let anna = anders(&app).await;
    add_user(&app, "demo", "bert@demo.test", "Bert Bos", "professional").await;
    let bert = User::login(&app, "demo", "bert@demo.test").await;
    let case = insert_case(&mut db, "Gedeeld", "normal", 3).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    for reader in [&anna, &bert] {
        let (status, _) = reader
            .send(
                &format!("{path}/access"),
                &[("reason", "Ik vervang Tom deze week.")],
            )
            .await;
        assert_eq!(status, 303);
    }

    // Each views the page twice, so that the second view of each is a kept body (the case does
    // not change in between).
    for round in 0..2 {
        let (status, lead_page) = team.page(&path).await;
        assert_eq!(status, 200, "{lead_page}");
        assert_eq!(csrf_tokens(&lead_page), [team.token.as_str()], "round {round}");
        assert!(
            lead_page.contains("Onderdelen van de casus"),
            "Dutch for the lead"
        );
        assert!(
            lead_page.contains(&format!("action=\"{path}/status\"")),
            "the lead steers"
        );

        let (status, manager_page) = manager.page(&path).await;
        assert_eq!(status, 200, "{manager_page}");
        assert_eq!(
            csrf_tokens(&manager_page),
            [manager.token.as_str()],
            "round {round}"
        );
        assert!(manager_page.contains(r#"<html lang="en">"#));
        assert!(
            manager_page.contains("Parts of the case"),
            "English for the process manager"
        );

        // Two readers of the same shape share the kept body, each with their own token.
        for reader in [&anna, &bert] {
            let (status, reader_page) = reader.page(&path).await;
            assert_eq!(status, 200, "{reader_page}");
            assert_eq!(
                csrf_tokens(&reader_page),
                [reader.token.as_str()],
                "round {round}"
            );
            assert!(reader_page.contains("Onderdelen van de casus"));
            assert!(
                !reader_page.contains(&format!("action=\"{path}/status\"")),
                "reading with a reason does not steer"
            );
        }
    }

    // The token of a kept page is the viewer's own, so its forms work (`journal` takes the
    // form's action, token and all, from the page), and the next view shows what was written.
    let (status, page) = team
        .journal(
            &case,
            &[
                ("kind", "notitie"),
                ("date", "2026-01-05"),
                ("time", "10:00"),
                ("body", "Gebeld met de inwoner."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    assert!(manager.page(&path).await.1.contains("Gebeld met de inwoner."));
}

#[tokio::test]
async fn a_case_page_is_read_afresh_only_when_a_change_was_noted() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;
    let (case, entry): (String, String) = sqlx::query_as(
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let path = format!("/demo/cases/{case}");
    let (_, before) = manager.page(&path).await;

    // A change that bypasses the triggers (only a superuser can) is not seen: the page is the
    // kept one, so it really is kept.
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE journal_entries SET body = 'Stil gewijzigd' WHERE id = $1::uuid",
        "RESET session_replication_role",
    ] {
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = if sql.contains("$1") {
            query.bind(&entry)
        } else {
            query
        };
        query.execute(&mut db).await.unwrap();
    }
    let (_, kept) = manager.page(&path).await;
    assert!(before.contains("timeline__meta"), "{before}");
    assert!(!kept.contains("Stil gewijzigd"), "the page was read afresh");

    // The next noted change to the case brings the page up to date, that change included.
    exec(
        &mut db,
        "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id)
         SELECT tenant_id, case_id, 'notitie', 'Genoteerde wijziging', now(), author_id FROM journal_entries
         WHERE id = $1::uuid",
        &entry,
    )
    .await;
    let (_, fresh) = manager.page(&path).await;
    assert!(fresh.contains("Genoteerde wijziging") && fresh.contains("Stil gewijzigd"));
}

// ---------------------------------------------------------------------------------------------
// The team's queue kept between views

struct QueueChange {
    what: &'static str,
    /// `$1` is the case watched.
    change: &'static str,
    /// What the case's row then shows; the row's own link stands for the row being there.
    text: &'static str,
    shows: bool,
}

/// Changes to a case as the queue shows it, made straight in the database as any write path
/// would, so that what is checked is that PostgreSQL notes them, not that a handler remembers to.
const QUEUE_CHANGES: &[QueueChange] = &[
    QueueChange {
        what: "the case's age",
        change: "UPDATE cases SET created_at = '2001-02-03 10:00+01' WHERE id = $1::uuid",
        text: "03-02-2001",
        shows: true,
    },
    QueueChange {
        what: "the resident's name",
        change: "UPDATE residents SET surname = 'Markeringa' WHERE id = (SELECT resident_id FROM cases WHERE id = $1::uuid)",
        text: "Markeringa",
        shows: true,
    },
    QueueChange {
        what: "the request's domains",
        change: "UPDATE requests SET domains = '{leerplicht}' WHERE id = (SELECT request_id FROM cases WHERE id = $1::uuid)",
        text: "Leerplicht",
        shows: true,
    },
    QueueChange {
        what: "the lead's name",
        change: "UPDATE users SET name = 'Mees Markering' WHERE id = (SELECT lead_id FROM cases WHERE id = $1::uuid)",
        text: "Mees Markering",
        shows: true,
    },
    QueueChange {
        what: "the next deadline",
        change: "UPDATE cases SET next_deadline = '2031-03-17' WHERE id = $1::uuid",
        text: "17-03-2031",
        shows: true,
    },
    QueueChange {
        what: "the escalation",
        change: "UPDATE cases SET escalation = 'opgeschaald' WHERE id = $1::uuid",
        text: "Opgeschaald",
        shows: true,
    },
    QueueChange {
        what: "very confidential",
        change: "UPDATE cases SET confidentiality = 'zeer_vertrouwelijk' WHERE id = $1::uuid",
        text: "/cases/",
        shows: false,
    },
    QueueChange {
        what: "the viewer involved",
        change: "INSERT INTO case_members (tenant_id, case_id, user_id, added_by)
                 SELECT c.tenant_id, c.id, u.id, u.id FROM cases c JOIN users u ON u.tenant_id = c.tenant_id
                 WHERE c.id = $1::uuid AND u.email = 'team@demo.test'",
        text: "/cases/",
        shows: true,
    },
    QueueChange {
        what: "the case closed",
        change: "UPDATE cases SET status = 'afgesloten', closing_result = 'anders', closed_at = now() WHERE id = $1::uuid",
        text: "/cases/",
        shows: false,
    },
];

/// The queue's table row of `case`, if the page has one.
fn queue_row<'a>(page: &'a str, case: &str) -> Option<&'a str> {
    let start = page.find(&format!("/cases/{case}\""))?;
    let start = page[..start].rfind("<tr")?;
    let end = start + page[start..].find("</tr>")?;
    Some(&page[start..end])
}

/// An open case of another lead that the team member is not involved in, whose request is not
/// about compulsory education.
const WATCHED_CASE: &str = "SELECT c.id::text FROM cases c
    JOIN users u ON u.id = c.lead_id JOIN requests q ON q.id = c.request_id
    WHERE c.status <> 'afgesloten' AND c.confidentiality = 'normaal' AND c.escalation = 'normaal'
      AND c.resident_id IS NOT NULL AND c.coordinator_id IS NULL AND u.email <> 'team@demo.test'
      AND NOT 'leerplicht' = ANY (q.domains)
      AND NOT EXISTS (SELECT FROM case_members m WHERE m.case_id = c.id)
    ORDER BY c.created_at DESC LIMIT 1";

#[tokio::test]
async fn a_queue_page_seen_before_shows_every_change_at_once() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let case: String = sqlx::query_scalar(WATCHED_CASE).fetch_one(&mut db).await.unwrap();
    let team = User::login(&app, "demo", "team@demo.test").await;
    let path = "/demo/team?tab=open&sort=age";

    for QueueChange {
        what,
        change,
        text,
        shows,
    } in QUEUE_CHANGES
    {
        // Seen twice, so that the second view is served from the kept page.
        for _ in 0..2 {
            let (status, page) = team.page(path).await;
            assert_eq!(status, 200, "{what}: {page}");
            let row = queue_row(&page, &case);
            assert_eq!(
                row.is_some_and(|row| row.contains(text)),
                !shows,
                "{what}: {text:?} before the change"
            );
        }
        exec(&mut db, change, &case).await;
        let (status, page) = team.page(path).await;
        assert_eq!(status, 200, "{what}: {page}");
        let row = queue_row(&page, &case);
        assert_eq!(
            row.is_some_and(|row| row.contains(text)),
            *shows,
            "{what}: {text:?} after the change: {row:?}"
        );
    }
}

#[tokio::test]
async fn a_queue_page_is_read_afresh_only_when_a_change_was_noted() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let case: String = sqlx::query_scalar(WATCHED_CASE).fetch_one(&mut db).await.unwrap();
    exec(
        &mut db,
        "UPDATE cases SET created_at = '2001-02-03 10:00+01' WHERE id = $1::uuid",
        &case,
    )
    .await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let path = "/demo/team?tab=open&sort=age";
    let (_, before) = team.page(path).await;
    assert!(queue_row(&before, &case).is_some(), "{before}");

    // A change that bypasses the triggers (only a superuser can) is not seen: the page is the
    // kept one, so it really is kept.
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE cases SET next_deadline = '2031-03-17' WHERE id = $1::uuid",
        "RESET session_replication_role",
    ] {
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = if sql.contains("$1") {
            query.bind(&case)
        } else {
            query
        };
        query.execute(&mut db).await.unwrap();
    }
    let (_, kept) = team.page(path).await;
    assert!(
        !queue_row(&kept, &case).unwrap().contains("17-03-2031"),
        "read afresh"
    );

    // The next noted change brings the page up to date, the silent change included.
    exec(
        &mut db,
        "UPDATE cases SET escalation = 'opgeschaald' WHERE id = $1::uuid",
        &case,
    )
    .await;
    let (_, fresh) = team.page(path).await;
    let row = queue_row(&fresh, &case).unwrap();
    assert!(row.contains("17-03-2031") && row.contains("Opgeschaald"), "{row}");
}
