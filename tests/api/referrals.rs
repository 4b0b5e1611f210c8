//! Referrals from a case to the cooperative's member organisations: the consent they need, their
//! lifecycle (allowed and refused steps), the first organisation to accept an open offer winning
//! it, what member staff can and cannot see, the inbox, notifications, overdue referrals, the
//! stall monitor, the figures per organisation, audit and tenant isolation.

use sqlx::PgConnection;
use time::{Date, Duration};
use uuid::Uuid;

use crate::common::{TestApp, location};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A logged-in user with their own cookies, CSRF token and id.
pub struct User {
    pub app: TestApp,
    token: String,
    pub id: Uuid,
}

/// What a request answered: its status, where it redirects to, and its body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = location(&response).to_owned();
        let body = response.text().await.unwrap();
        Answer {
            status,
            location,
            body,
        }
    }
}

impl User {
    pub async fn login(app: &TestApp, tenant: &str, email: &str) -> User {
        let client = app.other_client();
        client.login(tenant, email).await;
        let token = client.csrf_token(&format!("/{tenant}/")).await;
        let id = app.user_id(tenant, email).await.parse().unwrap();
        User {
            app: client,
            token,
            id,
        }
    }

    /// The status and the body of the page at `path`.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.app.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    pub async fn status(&self, path: &str) -> u16 {
        self.page(path).await.0
    }

    /// Posts a form with this user's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form = vec![("csrf_token", self.token.as_str())];
        form.extend_from_slice(fields);
        Answer::of(self.app.post_raw(path, &form).await).await
    }

    /// A step of member staff on a referral: accept, decline, start, finish, return, notes.
    pub async fn step(&self, referral: Uuid, action: &str, fields: &[(&str, &str)]) -> Answer {
        self.post(&format!("/demo/referrals/{referral}/{action}"), fields)
            .await
    }
}

/// A finished referral's report.
pub const REPORT: &[(&str, &str)] = &[
    ("outcome", "geslaagd"),
    ("outcome_reason", ""),
    ("delivered", "yes"),
    ("report", "Wim wandelt nu elke dinsdag met een vrijwilliger."),
];

pub const RESIDENT: &str = "Wim Welkoop";
/// The resident's question to the social team: the organisation never sees it.
const QUESTION: &str = "Schulden en ruzie met de buren, graag discreet";
const PHONE: &str = "06-12345678";

/// A cooperative arranged for referrals: two member organisations, two services, member staff,
/// and a case led by team@demo.test.
pub struct World {
    pub app: TestApp,
    pub tenant: Uuid,
    pub case: Uuid,
    pub resident: Uuid,
    /// "Boodschappenhulp", offered by both organisations.
    pub shared: Uuid,
    /// "Maatjescontact", offered by Zorgcirkel Testdorp only.
    pub own: Uuid,
    /// "Zorgcirkel Testdorp": lid@demo.test and collega@demo.test work there.
    pub org_a: Uuid,
    /// "Hulp Dichtbij Testdorp": hulp@demo.test works there.
    pub org_b: Uuid,
}

impl World {
    pub async fn new() -> World {
        let app = TestApp::spawn().await;
        let tenant = app.tenant_id("demo").await;
        let mut db = app.owner_connection().await;
        let org_a = organisation(&mut db, tenant, "Zorgcirkel Testdorp", "ouderenzorg").await;
        let org_b = organisation(&mut db, tenant, "Hulp Dichtbij Testdorp", "thuishulp").await;
        let shared = service(&mut db, tenant, "Boodschappenhulp").await;
        let own = service(&mut db, tenant, "Maatjescontact").await;
        offers(&mut db, tenant, org_a, shared).await;
        offers(&mut db, tenant, org_a, own).await;
        offers(&mut db, tenant, org_b, shared).await;
        sqlx::query("UPDATE users SET organisation_id = $2 WHERE tenant_id = $1 AND email = 'lid@demo.test'")
            .bind(tenant)
            .bind(org_a)
            .execute(&mut db)
            .await
            .unwrap();
        add_member(&mut db, tenant, "collega@demo.test", "Carla Collega", Some(org_a)).await;
        add_member(&mut db, tenant, "hulp@demo.test", "Hans Hulp", Some(org_b)).await;
        let (case, resident) = new_case(&mut db, tenant, "Wim", "Welkoop", "team@demo.test").await;
        World {
            app,
            tenant,
            case,
            resident,
            shared,
            own,
            org_a,
            org_b,
        }
    }

    pub async fn login(&self, email: &str) -> User {
        User::login(&self.app, "demo", email).await
    }

    /// The value of the referral form's target for one organisation, or for everyone offering
    /// the service.
    pub fn target(&self, service: Uuid, organisation: Option<Uuid>) -> String {
        match organisation {
            Some(organisation) => format!("{service}:{organisation}"),
            None => format!("{service}:open"),
        }
    }

    pub fn case_path(&self) -> String {
        format!("/demo/cases/{}", self.case)
    }

    /// Records a consent through the case page; its id.
    pub async fn consent(&self, by: &User, recipient: &str, given_on: &str, expires_on: &str) -> Uuid {
        let answer = by
            .post(
                &format!("{}/consents", self.case_path()),
                &[
                    ("recipient", recipient),
                    ("purpose", "Hulp thuis regelen"),
                    ("given_on", given_on),
                    ("expires_on", expires_on),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar("SELECT id FROM consents WHERE case_id = $1 ORDER BY recorded_at DESC LIMIT 1")
            .bind(self.case)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    /// Submits the referral form of the case.
    pub async fn try_refer(&self, by: &User, target: &str, purpose: &str, extra: &[(&str, &str)]) -> Answer {
        let mut fields = vec![
            ("target", target),
            ("purpose", purpose),
            (
                "summary",
                "Wim (82) woont alleen en komt weinig buiten. Hij wil graag wekelijks iemand zien.",
            ),
            ("expected_start", ""),
            ("goal_id", ""),
        ];
        fields.extend_from_slice(extra);
        by.post(&format!("{}/referrals", self.case_path()), &fields).await
    }

    /// Sends a referral that must go out; its id.
    pub async fn refer(&self, by: &User, target: &str, purpose: &str) -> Uuid {
        let answer = self.try_refer(by, target, purpose, &[]).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location, format!("{}#referrals", self.case_path()));
        self.referral(purpose).await
    }

    /// The referral of this case with `purpose`.
    pub async fn referral(&self, purpose: &str) -> Uuid {
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar("SELECT id FROM referrals WHERE case_id = $1 AND purpose = $2")
            .bind(self.case)
            .bind(purpose)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    async fn status_of(&self, referral: Uuid) -> String {
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar("SELECT status FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    /// Runs a query with `id` as `$1` that returns one number.
    async fn count(&self, sql: &'static str, id: Uuid) -> i64 {
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar(sql).bind(id).fetch_one(&mut db).await.unwrap()
    }

    /// Who received a notification of `kind` about `referral`, one id per row.
    async fn notified(&self, referral: Uuid, kind: &str) -> Vec<Uuid> {
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar(
            "SELECT user_id FROM notifications WHERE referral_id = $1 AND kind = $2 ORDER BY user_id",
        )
        .bind(referral)
        .bind(kind)
        .fetch_all(&mut db)
        .await
        .unwrap()
    }

    async fn user(&self, email: &str) -> Uuid {
        self.app.user_id("demo", email).await.parse().unwrap()
    }

    /// Moves a referral's answer date `days` days from today.
    async fn answer_due_in(&self, referral: Uuid, days: i32) {
        let mut db = self.app.owner_connection().await;
        sqlx::query(
            "UPDATE referrals SET answer_due_on = (now() AT TIME ZONE 'Europe/Amsterdam')::date + $2 WHERE id = $1",
        )
        .bind(referral)
        .bind(days)
        .execute(&mut db)
        .await
        .unwrap();
    }
}

async fn organisation(db: &mut PgConnection, tenant: Uuid, name: &str, kind: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since, member_since)
         VALUES ($1, $2, $3, 'lid', date '2020-01-01', date '2020-01-01') RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .bind(kind)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn service(db: &mut PgConnection, tenant: Uuid, name: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO services (tenant_id, name, domains) VALUES ($1, $2, '{wmo}') RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn offers(db: &mut PgConnection, tenant: Uuid, organisation: Uuid, service: Uuid) {
    sqlx::query(
        "INSERT INTO organisation_services (tenant_id, organisation_id, service_id) VALUES ($1, $2, $3)",
    )
    .bind(tenant)
    .bind(organisation)
    .bind(service)
    .execute(db)
    .await
    .unwrap();
}

/// A member organisation's staff member (role `member`) with the demo password.
async fn add_member(
    db: &mut PgConnection,
    tenant: Uuid,
    email: &str,
    name: &str,
    organisation: Option<Uuid>,
) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO users (tenant_id, email, name, roles, password_hash, organisation_id)
         SELECT tenant_id, $2, $3, ARRAY['member'], password_hash, $4
         FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test'
         RETURNING id",
    )
    .bind(tenant)
    .bind(email)
    .bind(name)
    .bind(organisation)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A resident with a request sent to the team and its case, led by the user with `lead`.
/// Returns (case, resident).
async fn new_case(
    db: &mut PgConnection,
    tenant: Uuid,
    first_names: &str,
    surname: &str,
    lead: &str,
) -> (Uuid, Uuid) {
    let (case, resident): (Uuid, Uuid) = sqlx::query_as(
        "WITH r AS (INSERT INTO residents (tenant_id, first_names, surname, phone, email, street, house_number,
                                           postcode, place)
                    VALUES ($1, $2, $3, $5, 'inwoner@example.test', 'Dorpsstraat', '12', '3931 AB', 'Woudenberg')
                    RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency,
                                     form_token, status, triage, triaged_at, unsafe_at_home)
               SELECT tenant_id, id, now() - interval '3 days', 'desk', ARRAY['wmo'], $4, 'normal',
                      gen_random_uuid(), 'with_team', 'to_team', now() - interval '3 days', false
               FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency, created_at)
         SELECT tenant_id, id, resident_id, 'normal', now() - interval '3 days' FROM q
         RETURNING id, resident_id",
    )
    .bind(tenant)
    .bind(first_names)
    .bind(surname)
    .bind(QUESTION)
    .bind(PHONE)
    .fetch_one(&mut *db)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE cases c SET lead_id = u.id FROM users u
         WHERE u.tenant_id = c.tenant_id AND u.email = $2 AND c.id = $1",
    )
    .bind(case)
    .bind(lead)
    .execute(&mut *db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by)
         SELECT tenant_id, id, lead_id, lead_id FROM cases WHERE id = $1",
    )
    .bind(case)
    .execute(&mut *db)
    .await
    .unwrap();
    (case, resident)
}

/// Today in the Netherlands, as the application sees it.
async fn today(app: &TestApp) -> Date {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar("SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

/// A date as the pages show it, `05-03-2026`.
fn nl(date: Date) -> String {
    schakel::shared::format::format_date(date)
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

/// The part of a page from the element with id `id` to the end of its section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id} on the page"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// The count on the inbox tab labelled `label`.
fn tab_count(html: &str, label: &str) -> i64 {
    let marker = format!("{label} <span class=\"count\">(");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no tab {label}")) + marker.len();
    let end = start + html[start..].find(')').unwrap();
    html[start..end].parse().unwrap()
}

/// The count beside the navigation item linking to `href`, if one is shown.
fn nav_count(html: &str, href: &str) -> Option<i64> {
    let start = html.find(&format!("<a href=\"{href}\""))?;
    let item = &html[start..start + html[start..].find("</a>")?];
    let count = item.split("class=\"nav-count\"").nth(1)?;
    let count = &count[count.find('>')? + 1..];
    count[..count.find('<')?].trim().parse().ok()
}

/// The cells of the table row that starts with the cell `first`, as text.
fn row_cells(html: &str, first: &str) -> Vec<String> {
    let start = html
        .find(&format!("<td>{first}</td>"))
        .unwrap_or_else(|| panic!("no row for {first}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let cell = &cell[cell.find('>').unwrap() + 1..];
            strip_tags(&cell[..cell.find("</td>").unwrap()])
        })
        .collect()
}

const ALREADY_TAKEN: &str = "Deze doorverwijzing is al door een andere organisatie opgepakt.";

/// The message of a step refused because the referral moved on.
fn not_now(status: &str) -> String {
    format!("Dit kan nu niet meer: de doorverwijzing staat op ‘{status}’.")
}

// ---------------------------------------------------------------------------------------------
// The lifecycle

#[tokio::test]
async fn a_referral_goes_from_sent_to_finished_and_every_step_shows_on_the_case() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let consent = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;

    let (status, form) = lead.page(&format!("{}/referrals", w.case_path())).await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("De organisatie heeft 5 werkdagen om te antwoorden."));
    let target = w.target(w.own, Some(w.org_a));
    assert!(
        form.contains(&format!("value=\"{target}\"")),
        "the form offers the organisation"
    );
    assert!(
        form.contains(&format!("value=\"{}\"", w.target(w.shared, None))),
        "and the open offer"
    );
    assert!(
        !form.contains("referral-override_reason"),
        "only process managers may send without consent"
    );

    let referral = w
        .refer(&lead, &target, "Maatje voor een wekelijkse wandeling")
        .await;
    let (sent_by, consent_id, due, open_offer): (Uuid, Option<Uuid>, Date, bool) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT sent_by, consent_id, answer_due_on, open_offer FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(sent_by, lead.id);
    assert_eq!(
        consent_id,
        Some(consent),
        "sent under the consent for the organisation"
    );
    assert!(!open_offer);
    let today = today(&w.app).await;
    assert_eq!(
        due,
        schakel::calendar::WorkingCalendar::dutch_default().add_working_days(today, 5),
        "the organisation has five working days to answer"
    );
    let (status, case_page) = lead.page(&w.case_path()).await;
    assert_eq!(status, 200);
    let listed = section(&case_page, "referrals");
    assert!(listed.contains("Maatjescontact") && listed.contains("Zorgcirkel Testdorp"));
    assert!(listed.contains("Verstuurd"));

    // The organisation's staff see the resident, the contact data and the summary: nothing else.
    let (status, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(status, 200);
    assert!(inbox.contains(RESIDENT) && inbox.contains("Maatje voor een wekelijkse wandeling"));
    let (status, page) = lid.page(&format!("/demo/referrals/{referral}")).await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        RESIDENT,
        PHONE,
        "inwoner@example.test",
        "Dorpsstraat 12",
        "Wim (82) woont alleen",
    ] {
        assert!(page.contains(shown), "the member sees {shown}");
    }
    assert!(!page.contains(QUESTION), "the member does not see the request");

    let answer = lid.step(referral, "accept", &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, format!("/demo/referrals/{referral}"));
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("Je hebt de doorverwijzing geaccepteerd."));
    assert!(page.contains("Geaccepteerd"));

    // The accepted referral is an action in the support plan.
    let action: Option<Uuid> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT plan_action_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    let actions = w
        .count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            referral,
        )
        .await;
    assert_eq!(actions, 1, "one plan action for the referral");
    let action = action.expect("the referral knows its plan action");
    let (action_referral, description): (Option<Uuid>, String) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT referral_id, description FROM plan_actions WHERE id = $1")
            .bind(action)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(action_referral, Some(referral));
    assert!(description.contains("Maatjescontact"), "{description}");

    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("De ondersteuning is gestart."));
    let answer = lid.step(referral, "finish", REPORT).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&answer.location).await;
    assert!(page.contains("Het verslag is verstuurd en de doorverwijzing is afgerond."));

    let (status, outcome, delivered, report, handled_by, stamped): (
        String,
        Option<String>,
        Option<bool>,
        String,
        Option<Uuid>,
        bool,
    ) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT status, outcome, delivered, report, handled_by,
                    answered_at IS NOT NULL AND started_at IS NOT NULL AND finished_at IS NOT NULL
                    AND sent_at <= answered_at AND answered_at <= started_at AND started_at <= finished_at
             FROM referrals WHERE id = $1",
        )
        .bind(referral)
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(status, "afgerond");
    assert_eq!(outcome.as_deref(), Some("geslaagd"));
    assert_eq!(delivered, Some(true));
    assert_eq!(report, "Wim wandelt nu elke dinsdag met een vrijwilliger.");
    assert_eq!(handled_by, Some(lid.id));
    assert!(stamped, "every step is timestamped, in order");

    // Every step timestamped and attributed.
    let events: Vec<(String, Uuid)> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT kind, actor_id FROM referral_events WHERE referral_id = $1 ORDER BY occurred_at, kind",
        )
        .bind(referral)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        events,
        vec![
            ("verstuurd".to_owned(), lead.id),
            ("geaccepteerd".to_owned(), lid.id),
            ("gestart".to_owned(), lid.id),
            ("afgerond".to_owned(), lid.id),
        ]
    );

    // The lead sees it all on the case.
    let (status, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "Afgerond",
        "Geslaagd",
        "Wim wandelt nu elke dinsdag met een vrijwilliger.",
        "Lars Lidorganisatie",
        "Tom Teamlid",
        "Gestart",
        "Geaccepteerd",
    ] {
        assert!(page.contains(shown), "the case's referral page shows {shown}");
    }
    let (_, case_page) = lead.page(&w.case_path()).await;
    assert!(section(&case_page, "referrals").contains("Afgerond"));
}

#[tokio::test]
async fn the_answer_period_is_the_cooperatives_setting_in_working_days() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    {
        let mut db = w.app.owner_connection().await;
        sqlx::query("UPDATE tenant_settings SET referral_answer_days = 2 WHERE tenant_id = $1")
            .bind(w.tenant)
            .execute(&mut db)
            .await
            .unwrap();
    }
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let (_, form) = lead.page(&format!("{}/referrals", w.case_path())).await;
    assert!(form.contains("De organisatie heeft 2 werkdagen om te antwoorden."));
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let due: Date = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT answer_due_on FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        due,
        schakel::calendar::WorkingCalendar::dutch_default().add_working_days(today(&w.app).await, 2)
    );
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(page.contains(&nl(due)), "the answer date is shown");
}

#[tokio::test]
async fn steps_out_of_order_are_refused_and_change_nothing() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let events = "SELECT count(*) FROM referral_events WHERE referral_id = $1";

    // Start, finish or give back before accepting.
    for (action, fields) in [
        ("start", &[][..]),
        ("finish", REPORT),
        ("return", &[("reason", "Past niet")][..]),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} before accepting: {}", answer.body);
        assert!(
            answer.body.contains(&not_now("Verstuurd")),
            "{action}: {}",
            answer.body
        );
    }
    assert_eq!(w.status_of(referral).await, "verstuurd");
    assert_eq!(w.count(events, referral).await, 1);

    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    // Accepting twice, declining what was accepted, finishing before starting.
    for (action, fields) in [
        ("accept", &[][..]),
        ("decline", &[("reason", "geen_capaciteit"), ("note", "")][..]),
        ("finish", REPORT),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} after accepting: {}", answer.body);
        assert!(
            answer.body.contains(&not_now("Geaccepteerd")),
            "{action}: {}",
            answer.body
        );
    }
    assert_eq!(w.status_of(referral).await, "geaccepteerd");
    assert_eq!(
        w.count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            referral
        )
        .await,
        1,
        "accepting twice adds no second plan action"
    );

    assert_eq!(lid.step(referral, "start", &[]).await.status, 303);
    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 409, "starting twice");
    assert!(answer.body.contains(&not_now("Gestart")));

    // A report with mistakes keeps what was typed.
    let answer = lid
        .step(
            referral,
            "finish",
            &[
                ("outcome", "niet_geslaagd"),
                ("outcome_reason", " "),
                ("report", "Wim deed niet open."),
            ],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "finish-outcome_reason").as_deref(),
        Some("Vul in waarom het niet geslaagd is.")
    );
    assert_eq!(
        field_error(&answer.body, "finish-delivered").as_deref(),
        Some("Geef aan of de dienst geleverd is.")
    );
    assert!(answer.body.contains("Wim deed niet open.</textarea>"));
    assert!(answer.body.contains("value=\"niet_geslaagd\" checked"));
    assert_eq!(w.status_of(referral).await, "gestart");

    assert_eq!(lid.step(referral, "finish", REPORT).await.status, 303);
    for (action, fields) in [
        ("finish", REPORT),
        ("start", &[][..]),
        ("return", &[("reason", "Toch niet")][..]),
        ("accept", &[][..]),
    ] {
        let answer = lid.step(referral, action, fields).await;
        assert_eq!(answer.status, 409, "{action} after finishing: {}", answer.body);
        assert!(answer.body.contains(&not_now("Afgerond")), "{action}");
    }
    assert_eq!(w.status_of(referral).await, "afgerond");
    // verstuurd, geaccepteerd, gestart, afgerond: the refused steps left no trace.
    assert_eq!(w.count(events, referral).await, 4);
    // The case cannot withdraw what is finished.
    let answer = lead
        .post(
            &format!("{}/referrals/{referral}/withdraw", w.case_path()),
            &[("reason", "Niet meer nodig")],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("Deze doorverwijzing loopt niet meer."));
    assert_eq!(w.status_of(referral).await, "afgerond");
}

/// A confirmation ("flash") set by a step must reach the next page even when the one before it
/// was never shown, e.g. when a second form is sent before the first redirect was followed.
#[tokio::test]
async fn a_steps_confirmation_is_not_lost_when_the_previous_one_was_never_shown() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    // The accept's redirect is not followed: its confirmation is still waiting in the cookie.
    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    let answer = lid.step(referral, "start", &[]).await;
    assert_eq!(answer.status, 303);
    let (_, page) = lid.page(&answer.location).await;
    assert!(
        page.contains("De ondersteuning is gestart."),
        "the start's confirmation is shown; the middleware's clearing of the old flash cookie \
         must not undo the flash the handler just set"
    );
}

#[tokio::test]
async fn declining_for_another_reason_needs_a_note_and_keeps_what_was_typed() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;

    let answer = lid
        .step(referral, "decline", &[("reason", "anders"), ("note", "  ")])
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "decline-note").as_deref(),
        Some("Licht toe waarom, als de reden ‘anders’ is.")
    );
    assert!(answer.body.contains("aria-describedby=\"decline-note-error\""));
    assert!(
        answer.body.contains("<option value=\"anders\" selected>"),
        "the chosen reason stays chosen"
    );
    assert!(
        answer.body.contains("<details open>"),
        "the decline form stays open"
    );
    let answer = lid
        .step(
            referral,
            "decline",
            &[("reason", "weet-niet"), ("note", "Geen idee")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "decline-reason").as_deref(),
        Some("Kies een reden.")
    );
    assert!(answer.body.contains("Geen idee</textarea>"), "the note is kept");
    assert_eq!(w.status_of(referral).await, "verstuurd");
    assert!(w.notified(referral, "referral_declined").await.is_empty());

    let answer = lid
        .step(
            referral,
            "decline",
            &[
                ("reason", "anders"),
                ("note", "Wim heeft al een maatje via de kerk."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, "/demo/inbox");
    let (reason, note, status): (Option<String>, String, String) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT decline_reason, decline_note, status FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        (reason.as_deref(), note.as_str(), status.as_str()),
        (
            Some("anders"),
            "Wim heeft al een maatje via de kerk.",
            "afgewezen"
        )
    );
    assert_eq!(w.notified(referral, "referral_declined").await, vec![lead.id]);
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(page.contains("Afgewezen") && page.contains("Anders — Wim heeft al een maatje via de kerk."));
}

#[tokio::test]
async fn the_organisation_gives_back_and_the_case_withdraws_with_a_reason() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;

    let returned = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.step(returned, "accept", &[]).await.status, 303);
    let answer = lid.step(returned, "return", &[("reason", "")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "return-reason").as_deref(),
        Some("Vul de reden van teruggeven in.")
    );
    let answer = lid
        .step(
            returned,
            "return",
            &[("reason", "Onze vrijwilliger is verhuisd.")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(w.status_of(returned).await, "teruggegeven");
    assert_eq!(w.notified(returned, "referral_returned").await, vec![lead.id]);
    let (_, page) = lead
        .page(&format!("{}/referrals/{returned}", w.case_path()))
        .await;
    assert!(page.contains("Teruggegeven") && page.contains("Onze vrijwilliger is verhuisd."));

    let withdrawn = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Boodschappen")
        .await;
    let path = format!("{}/referrals/{withdrawn}/withdraw", w.case_path());
    let answer = lead.post(&path, &[("reason", " ")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "withdraw-reason").as_deref(),
        Some("Vul de reden van intrekken in.")
    );
    let answer = lead
        .post(&path, &[("reason", "Dochter doet de boodschappen.")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.location,
        format!("{}/referrals/{withdrawn}", w.case_path())
    );
    assert_eq!(w.status_of(withdrawn).await, "ingetrokken");
    let answer = lid.step(withdrawn, "accept", &[]).await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body.contains(&not_now("Ingetrokken")));
    assert_eq!(
        w.count(
            "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
            withdrawn
        )
        .await,
        0
    );

    // Progress notes go both ways.
    let noted = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede maatje")
        .await;
    assert_eq!(lid.step(noted, "accept", &[]).await.status, 303);
    let answer = lid.step(noted, "notes", &[("body", "")]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "note-body").as_deref(),
        Some("Schrijf de notitie.")
    );
    let answer = lid
        .step(noted, "notes", &[("body", "Kennismaking gepland op dinsdag.")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(w.notified(noted, "referral_note").await, vec![lead.id]);
    let (_, page) = lead.page(&format!("{}/referrals/{noted}", w.case_path())).await;
    assert!(page.contains("Kennismaking gepland op dinsdag."));
    let answer = lead
        .post(
            &format!("{}/referrals/{noted}/notes", w.case_path()),
            &[("body", "Let op: Wim hoort slecht.")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, page) = lid.page(&format!("/demo/referrals/{noted}")).await;
    assert!(page.contains("Let op: Wim hoort slecht."));
}

#[tokio::test]
async fn only_the_lead_the_coordinator_or_a_process_manager_sends_and_only_to_who_offers_it() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_b), "01-01-2026", "")
        .await;
    let form = format!("{}/referrals", w.case_path());
    {
        let mut db = w.app.owner_connection().await;
        sqlx::query(
            "INSERT INTO users (tenant_id, email, name, roles, password_hash)
             SELECT tenant_id, 'anders@demo.test', 'Anna Anders', ARRAY['professional'], password_hash
             FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test'",
        )
        .bind(w.tenant)
        .execute(&mut db)
        .await
        .unwrap();
    }
    for email in ["anders@demo.test", "balie@demo.test", "lid@demo.test"] {
        let user = w.login(email).await;
        // A member organisation's staff are not even told the case exists.
        let refused = if email == "lid@demo.test" { 404 } else { 403 };
        assert_eq!(user.status(&form).await, refused, "{email} opens the form");
        let answer = w
            .try_refer(&user, &w.target(w.shared, Some(w.org_b)), "Boodschappen", &[])
            .await;
        assert_eq!(answer.status, refused, "{email} sends");
    }
    // Hulp Dichtbij does not offer Maatjescontact.
    let answer = w
        .try_refer(&lead, &w.target(w.own, Some(w.org_b)), "Maatje", &[])
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some("Deze organisatie biedt deze dienst niet (meer) aan.")
    );
    let answer = w.try_refer(&lead, "", " ", &[]).await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some("Kies een dienst en organisatie.")
    );
    assert_eq!(
        field_error(&answer.body, "referral-purpose").as_deref(),
        Some("Vul het doel van de doorverwijzing in.")
    );
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );
    w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "Boodschappen")
        .await;
}

// ---------------------------------------------------------------------------------------------
// First accept wins

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_organisations_accepting_an_open_offer_at_the_same_moment_give_it_to_exactly_one() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let mut unclear = Vec::new();

    for round in 0..8 {
        let purpose = format!("Boodschappen, ronde {round}");
        let referral = w.refer(&lead, &w.target(w.shared, None), &purpose).await;
        let page = format!("/demo/referrals/{referral}");
        assert_eq!(a.status(&page).await, 200, "offered to Zorgcirkel");
        assert_eq!(b.status(&page).await, 200, "offered to Hulp Dichtbij");

        let accept = format!("{page}/accept");
        let (answer_a, answer_b) = tokio::join!(a.post(&accept, &[]), b.post(&accept, &[]));
        let won_a = answer_a.status == 303 && answer_a.location == page;
        let won_b = answer_b.status == 303 && answer_b.location == page;
        assert!(
            won_a != won_b,
            "round {round}: exactly one wins: {} {} / {} {}",
            answer_a.status,
            answer_a.location,
            answer_b.status,
            answer_b.location
        );
        let (winner, winner_org, loser, lost) = if won_a {
            (&a, w.org_a, &b, answer_b)
        } else {
            (&b, w.org_b, &a, answer_a)
        };
        // The other is told clearly that someone else was first.
        let told = match lost.status {
            303 if lost.location == "/demo/inbox" => {
                let (_, inbox) = loser.page("/demo/inbox").await;
                inbox.contains(ALREADY_TAKEN)
            }
            409 => lost.body.contains("Dit kan nu niet meer"),
            _ => false,
        };
        if !told {
            unclear.push(format!("round {round}: {} {}", lost.status, lost.location));
        }
        let (status, organisation, handled_by): (String, Option<Uuid>, Option<Uuid>) = {
            let mut db = w.app.owner_connection().await;
            sqlx::query_as("SELECT status, organisation_id, handled_by FROM referrals WHERE id = $1")
                .bind(referral)
                .fetch_one(&mut db)
                .await
                .unwrap()
        };
        assert_eq!(status, "geaccepteerd");
        assert_eq!(organisation, Some(winner_org), "round {round}");
        assert_eq!(handled_by, Some(winner.id));
        assert_eq!(
            w.count(
                "SELECT count(*) FROM plan_actions WHERE referral_id = $1",
                referral
            )
            .await,
            1,
            "round {round}: exactly one plan action"
        );
        assert_eq!(
            w.count(
                "SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'geaccepteerd'",
                referral
            )
            .await,
            1
        );
        assert_eq!(w.notified(referral, "referral_accepted").await, vec![lead.id]);
        // For the other organisation it has disappeared.
        assert_eq!(loser.status(&page).await, 404);
        let (_, inbox) = loser.page("/demo/inbox").await;
        assert!(!inbox.contains(&purpose));
        assert_eq!(winner.status(&page).await, 200);
    }
    assert!(
        unclear.is_empty(),
        "the organisation that was second must be told the referral was taken, not get \
         'Pagina niet gevonden' (404): {unclear:?}"
    );
}

#[tokio::test]
async fn an_organisation_accepting_an_open_offer_just_taken_by_another_is_told_so() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    // Both have the referral open; Zorgcirkel accepts first.
    let page = format!("/demo/referrals/{referral}");
    assert_eq!(a.status(&page).await, 200);
    assert_eq!(b.status(&page).await, 200);
    assert_eq!(a.step(referral, "accept", &[]).await.status, 303);

    // A moment later Hulp Dichtbij presses "Accepteren" on the page it still has open.
    let late = b.step(referral, "accept", &[]).await;
    assert!(
        (late.status == 303 && late.location == "/demo/inbox") || late.status == 409,
        "the late organisation is told the referral was taken, not 'page not found': {} {}",
        late.status,
        late.body
    );
    if late.status == 303 {
        let (_, inbox) = b.page("/demo/inbox").await;
        assert!(inbox.contains(ALREADY_TAKEN));
    }
    let organisation: Option<Uuid> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT organisation_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(organisation, Some(w.org_a));
}

#[tokio::test]
async fn an_organisation_passing_on_an_open_offer_leaves_it_to_the_others() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let a = w.login("lid@demo.test").await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;

    let answer = b
        .step(
            referral,
            "decline",
            &[("reason", "geen_capaciteit"), ("note", "")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location, "/demo/inbox");
    assert_eq!(b.status(&format!("/demo/referrals/{referral}")).await, 404);
    let (_, inbox) = b.page("/demo/inbox").await;
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    let (status, organisation): (String, Option<Uuid>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT status, organisation_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!((status.as_str(), organisation), ("verstuurd", None), "still open");
    assert_eq!(
        w.count(
            "SELECT count(*) FROM referral_passes WHERE referral_id = $1",
            referral
        )
        .await,
        1
    );
    assert_eq!(a.status(&format!("/demo/referrals/{referral}")).await, 200);
    let (_, inbox) = a.page("/demo/inbox").await;
    assert!(inbox.contains("Boodschappen"));

    // The last organisation offering it says no too: now it is declined.
    let answer = a
        .step(referral, "decline", &[("reason", "past_niet"), ("note", "")])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (status, organisation, reason): (String, Option<Uuid>, Option<String>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT status, organisation_id, decline_reason FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(status, "afgewezen");
    assert_eq!(organisation, Some(w.org_a));
    assert_eq!(reason.as_deref(), Some("past_niet"));
    assert!(w.notified(referral, "referral_declined").await.contains(&lead.id));
}

#[tokio::test]
async fn one_organisation_passing_on_an_open_offer_does_not_tell_the_lead_it_was_declined() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let b = w.login("hulp@demo.test").await;
    let referral = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    let answer = b
        .step(
            referral,
            "decline",
            &[("reason", "geen_capaciteit"), ("note", "")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        w.status_of(referral).await,
        "verstuurd",
        "still open for Zorgcirkel"
    );
    assert!(
        w.notified(referral, "referral_declined").await.is_empty(),
        "the lead is told 'Doorverwijzing afgewezen' while the offer is still open for others"
    );
}

// ---------------------------------------------------------------------------------------------
// Consent

#[tokio::test]
async fn without_valid_consent_nothing_is_sent() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let to_a = w.target(w.own, Some(w.org_a));
    let no_consent = "Er is geen geldige toestemming van de inwoner om met deze organisatie of dienst te delen. \
                      Leg eerst de toestemming vast.";

    let answer = w.try_refer(&lead, &to_a, "Zonder toestemming", &[]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-target").as_deref(),
        Some(no_consent)
    );
    assert!(
        answer.body.contains("value=\"Zonder toestemming\""),
        "what was typed stays"
    );
    assert!(
        answer
            .body
            .contains(&format!("<option value=\"{to_a}\" selected>"))
    );
    let nothing = [
        "SELECT count(*) FROM referrals WHERE case_id = $1",
        "SELECT count(*) FROM referral_events e JOIN referrals r ON r.id = e.referral_id WHERE r.case_id = $1",
        "SELECT count(*) FROM notifications n JOIN referrals r ON r.id = n.referral_id WHERE r.case_id = $1",
        "SELECT count(*) FROM audit_events WHERE case_id = $1 AND kind = 'referral_sent'",
    ];
    for sql in nothing {
        assert_eq!(w.count(sql, w.case).await, 0, "{sql}");
    }

    // Consent for one organisation does not cover an open offer.
    let for_a = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let answer = w
        .try_refer(&lead, &w.target(w.shared, None), "Open aanbod", &[])
        .await;
    assert_eq!(
        answer.status, 422,
        "an organisation's consent is not for everyone"
    );
    // An expired consent does not count, nor does a withdrawn one.
    w.consent(&lead, &format!("org:{}", w.org_b), "01-01-2025", "31-01-2025")
        .await;
    let answer = w
        .try_refer(&lead, &w.target(w.shared, Some(w.org_b)), "Verlopen", &[])
        .await;
    assert_eq!(answer.status, 422, "expired consent");
    let (_, page) = lead.page(&w.case_path()).await;
    assert!(section(&page, "consents").contains("Verlopen"));
    let withdrawn = w
        .consent(&lead, &format!("org:{}", w.org_b), "01-01-2026", "")
        .await;
    let answer = lead
        .post(
            &format!("{}/consents/{withdrawn}/withdraw", w.case_path()),
            &[("note", "Wil het toch niet")],
        )
        .await;
    assert_eq!(answer.status, 303);
    let answer = w
        .try_refer(&lead, &w.target(w.shared, Some(w.org_b)), "Ingetrokken", &[])
        .await;
    assert_eq!(answer.status, 422, "withdrawn consent");
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );

    // With consent it goes out, under that consent.
    let sent = w.refer(&lead, &to_a, "Met toestemming").await;
    let per_service = w
        .consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open aanbod").await;
    let to_b = w
        .refer(&lead, &w.target(w.shared, Some(w.org_b)), "Voor Hulp Dichtbij")
        .await;
    for (referral, consent) in [(sent, for_a), (open, per_service), (to_b, per_service)] {
        let used: Option<Uuid> = {
            let mut db = w.app.owner_connection().await;
            sqlx::query_scalar("SELECT consent_id FROM referrals WHERE id = $1")
                .bind(referral)
                .fetch_one(&mut db)
                .await
                .unwrap()
        };
        assert_eq!(used, Some(consent));
    }
}

#[tokio::test]
async fn a_process_manager_may_send_without_consent_with_a_reason_that_is_audited() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    let target = w.target(w.own, Some(w.org_a));

    let (status, form) = pm.page(&format!("{}/referrals", w.case_path())).await;
    assert_eq!(status, 200);
    assert!(form.contains("id=\"referral-override_reason\""));
    let answer = w.try_refer(&pm, &target, "Spoed", &[]).await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert_eq!(
        field_error(&answer.body, "referral-override_reason").as_deref(),
        Some(
            "Er is geen geldige toestemming. Leg die vast, of vul de reden in om zonder toestemming te versturen."
        )
    );
    // The lead cannot override.
    let answer = w
        .try_refer(&lead, &target, "Spoed", &[("override_reason", "Ik wil het")])
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(
        w.count("SELECT count(*) FROM referrals WHERE case_id = $1", w.case)
            .await,
        0
    );

    let reason = "Acuut risico op verwaarlozing, inwoner niet bereikbaar voor toestemming";
    let answer = w
        .try_refer(&pm, &target, "Spoed", &[("override_reason", reason)])
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let referral = w.referral("Spoed").await;
    let (override_reason, consent, sent_by): (Option<String>, Option<Uuid>, Uuid) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT override_reason, consent_id, sent_by FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(override_reason.as_deref(), Some(reason));
    assert_eq!(consent, None);
    assert_eq!(sent_by, pm.id);
    let audited: Vec<(Option<Uuid>, Option<String>, Option<String>)> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT actor_id, details->>'override_reason', details->>'referral' FROM audit_events
             WHERE kind = 'referral_sent' AND case_id = $1",
        )
        .bind(w.case)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        audited,
        vec![(Some(pm.id), Some(reason.to_owned()), Some(referral.to_string()))]
    );
    let (_, page) = lead
        .page(&format!("{}/referrals/{referral}", w.case_path()))
        .await;
    assert!(
        page.contains(reason),
        "the lead sees why it went out without consent"
    );
}

#[tokio::test]
async fn an_override_reason_given_while_consent_exists_is_not_audited_as_an_override() {
    let w = World::new().await;
    let pm = w.login("procesmanager@demo.test").await;
    let consent = w
        .consent(&pm, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let answer = w
        .try_refer(
            &pm,
            &w.target(w.own, Some(w.org_a)),
            "Met toestemming",
            &[("override_reason", "Voor de zekerheid")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let referral = w.referral("Met toestemming").await;
    let (override_reason, consent_id): (Option<String>, Option<Uuid>) = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as("SELECT override_reason, consent_id FROM referrals WHERE id = $1")
            .bind(referral)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(
        (override_reason, consent_id),
        (None, Some(consent)),
        "sent under the consent"
    );
    let audited: Option<String> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar(
            "SELECT details->>'override_reason' FROM audit_events WHERE kind = 'referral_sent'",
        )
        .fetch_one(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(
        audited, None,
        "the audit trail must not record an override for a referral that was sent with consent"
    );
}

#[tokio::test]
async fn withdrawing_consent_closes_the_organisation_out_at_once_and_stops_running_referrals() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let consent = w
        .consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let finished = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Afgerond maatje")
        .await;
    for (action, fields) in [("accept", &[][..]), ("start", &[][..]), ("finish", REPORT)] {
        assert_eq!(lid.step(finished, action, fields).await.status, 303);
    }
    let running = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Lopende boodschappen")
        .await;
    assert_eq!(lid.step(running, "accept", &[]).await.status, 303);
    let waiting = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Wachtend maatje")
        .await;
    for referral in [finished, running, waiting] {
        assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);
    }

    let answer = lead
        .post(
            &format!("{}/consents/{consent}/withdraw", w.case_path()),
            &[("note", "Inwoner wil niet meer dat Zorgcirkel meekijkt")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    assert_eq!(
        w.status_of(finished).await,
        "afgerond",
        "what is finished stays finished"
    );
    assert_eq!(w.status_of(running).await, "ingetrokken");
    assert_eq!(w.status_of(waiting).await, "ingetrokken");
    for referral in [finished, running, waiting] {
        let page = format!("/demo/referrals/{referral}");
        assert_eq!(lid.status(&page).await, 404, "access ends at once");
        assert_eq!(
            w.count(
                "SELECT count(*) FROM referrals WHERE id = $1 AND access_revoked_at IS NOT NULL",
                referral
            )
            .await,
            1
        );
    }
    assert_eq!(lid.step(running, "start", &[]).await.status, 404);
    assert_eq!(lid.step(waiting, "accept", &[]).await.status, 404);
    let (_, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert_eq!(tab_count(&inbox, "Mijn geaccepteerde, nog te starten"), 0);
    assert!(!inbox.contains(RESIDENT));

    let stopped = "SELECT count(*) FROM referral_events WHERE referral_id = $1 AND kind = 'ingetrokken'";
    assert_eq!(w.count(stopped, running).await, 1);
    assert_eq!(w.count(stopped, waiting).await, 1);
    assert_eq!(w.count(stopped, finished).await, 0);
    let audited: Vec<serde_json::Value> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar(
            "SELECT details->'referrals_stopped' FROM audit_events WHERE kind = 'consent_withdrawn' AND case_id = $1",
        )
        .bind(w.case)
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    assert_eq!(audited.len(), 1);
    let mut stopped_ids: Vec<String> = audited[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    stopped_ids.sort();
    let mut expected = vec![running.to_string(), waiting.to_string()];
    expected.sort();
    assert_eq!(stopped_ids, expected);

    let (_, page) = lead.page(&w.case_path()).await;
    let listed = section(&page, "referrals");
    assert!(listed.contains("Ingetrokken") && listed.contains("(toegang ingetrokken)"));
    assert!(section(&page, "consents").contains("Inwoner wil niet meer dat Zorgcirkel meekijkt"));
    let answer = w
        .try_refer(&lead, &w.target(w.own, Some(w.org_a)), "Opnieuw", &[])
        .await;
    assert_eq!(answer.status, 422, "no consent any more");
}

// ---------------------------------------------------------------------------------------------
// What member staff see

#[tokio::test]
async fn a_member_sees_only_its_organisations_referrals_and_nothing_of_the_case() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.own), "01-01-2026", "")
        .await;
    let to_a = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje voor Zorgcirkel")
        .await;
    // Only Zorgcirkel offers Maatjescontact: an open offer of it is not for Hulp Dichtbij.
    let open_own = w.refer(&lead, &w.target(w.own, None), "Open maatjesaanbod").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{open_own}")).await, 200);

    for referral in [to_a, open_own] {
        let page = format!("/demo/referrals/{referral}");
        let (status, body) = hulp.page(&page).await;
        assert_eq!(status, 404, "{page}");
        assert!(!body.contains(RESIDENT));
        for action in ["accept", "start", "notes"] {
            let answer = hulp.step(referral, action, &[("body", "Ik kijk even mee")]).await;
            assert_eq!(answer.status, 404, "{action} on {page}");
        }
        let answer = hulp
            .step(
                referral,
                "decline",
                &[("reason", "geen_capaciteit"), ("note", "")],
            )
            .await;
        assert_eq!(answer.status, 404);
        assert_eq!(w.status_of(referral).await, "verstuurd");
    }
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert!(!inbox.contains(RESIDENT) && !inbox.contains("Maatje"));
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert_eq!(
        w.count(
            "SELECT count(*) FROM referral_events WHERE referral_id = $1",
            to_a
        )
        .await,
        1,
        "nothing was added"
    );

    // Neither organisation sees the case, its journal, its plan or the resident.
    let request: Uuid = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT request_id FROM cases WHERE id = $1")
            .bind(w.case)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    let case = w.case_path();
    let forbidden = [
        case.clone(),
        format!("{case}/journal"),
        format!("{case}/history"),
        format!("{case}/plan"),
        format!("{case}/referrals"),
        format!("{case}/referrals/{to_a}"),
        format!("/demo/residents/{}", w.resident),
        "/demo/residents?q=Welkoop".to_owned(),
        format!("/demo/requests/{request}"),
        "/demo/team".to_owned(),
        "/demo/desk".to_owned(),
    ];
    for member in [&lid, &hulp] {
        for path in &forbidden {
            let (status, body) = member.page(path).await;
            assert!(status == 403 || status == 404, "{path}: {status}");
            assert!(!body.contains("Welkoop"), "{path} shows nothing of the resident");
            assert!(!body.contains(QUESTION));
        }
        let answer = member
            .post(
                &format!("{case}/referrals/{to_a}/notes"),
                &[("body", "Via de achterdeur")],
            )
            .await;
        assert!(answer.status == 403 || answer.status == 404);
        let answer = member
            .post(
                &format!("{case}/consents"),
                &[
                    ("recipient", &format!("org:{}", w.org_b)),
                    ("purpose", "x"),
                    ("given_on", "01-01-2026"),
                ],
            )
            .await;
        assert!(answer.status == 403 || answer.status == 404);
    }

    // A member user without an organisation has no inbox; nor does the team.
    {
        let mut db = w.app.owner_connection().await;
        add_member(&mut db, w.tenant, "los@demo.test", "Loes Los", None).await;
    }
    let loose = w.login("los@demo.test").await;
    assert_eq!(loose.status("/demo/inbox").await, 403);
    assert_eq!(loose.status(&format!("/demo/referrals/{to_a}")).await, 403);
    assert_eq!(loose.step(to_a, "accept", &[]).await.status, 403);
    assert_eq!(lead.status("/demo/inbox").await, 403);
    assert_eq!(lead.status(&format!("/demo/referrals/{to_a}")).await, 403);
}

#[tokio::test]
async fn the_inbox_tabs_count_new_accepted_and_waiting_for_a_report() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let one = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Tweede verzoek")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open verzoek").await;
    let lid = w.login("lid@demo.test").await;
    let collega = w.login("collega@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    let tabs = |html: &str| {
        (
            tab_count(html, "Nieuw"),
            tab_count(html, "Mijn geaccepteerde, nog te starten"),
            tab_count(html, "Wacht op mijn verslag"),
        )
    };

    let (status, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(tabs(&inbox), (3, 0, 0));
    assert_eq!(
        nav_count(&inbox, "/demo/inbox"),
        Some(3),
        "the count in the navigation"
    );
    for purpose in ["Eerste verzoek", "Tweede verzoek", "Open verzoek"] {
        assert!(inbox.contains(purpose));
    }
    let (_, home) = lid.page("/demo/").await;
    assert_eq!(nav_count(&home, "/demo/inbox"), Some(3), "on every page");
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert_eq!(tabs(&inbox), (1, 0, 0), "Hulp Dichtbij sees the open offer only");
    assert!(inbox.contains("Open verzoek") && !inbox.contains("Eerste verzoek"));

    assert_eq!(lid.step(one, "accept", &[]).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=mine").await;
    assert_eq!(tabs(&inbox), (2, 1, 0));
    let table = &inbox[inbox.find("<tbody>").unwrap()..];
    assert!(table.contains("Eerste verzoek") && !table.contains("Tweede verzoek"));
    let (_, inbox) = collega.page("/demo/inbox?tab=mine").await;
    assert_eq!(tabs(&inbox), (2, 0, 0), "'mine' is the person's own");

    assert_eq!(lid.step(one, "start", &[]).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=report").await;
    assert_eq!(tabs(&inbox), (2, 0, 1));
    let table = &inbox[inbox.find("<tbody>").unwrap()..];
    assert!(table.contains("Eerste verzoek"));

    assert_eq!(lid.step(open, "accept", &[]).await.status, 303);
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert_eq!(
        tabs(&inbox),
        (0, 0, 0),
        "the open offer disappeared for Hulp Dichtbij"
    );
    assert_eq!(nav_count(&inbox, "/demo/inbox"), None);
    let (_, inbox) = lid.page("/demo/inbox?tab=new").await;
    assert_eq!(tabs(&inbox), (1, 1, 1));

    assert_eq!(lid.step(one, "finish", REPORT).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=report").await;
    assert_eq!(tabs(&inbox), (1, 1, 0));
    assert!(inbox.contains("Hier staat niets."));
}

// ---------------------------------------------------------------------------------------------
// The inbox kept between views

/// Changes to what an inbox shows, made straight in the database as any write path would (so
/// what is checked is that PostgreSQL notes them, not that a handler remembers to): what changed,
/// the change, the tab, the text that then shows (or no longer shows), and the navigation's count.
struct InboxChange {
    what: &'static str,
    change: &'static str,
    tab: &'static str,
    text: &'static str,
    shows: bool,
    count: Option<i64>,
}

const INBOX_CHANGES: &[InboxChange] = &[
    InboxChange {
        what: "a referral's purpose",
        change: "UPDATE referrals SET purpose = 'Markering van het verzoek' WHERE purpose = 'Eerste verzoek'",
        tab: "new",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "the name of a referral's service",
        change: "UPDATE services SET name = 'Markeringshulp' WHERE name = 'Maatjescontact'",
        tab: "new",
        text: "Markeringshulp",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "the resident's name",
        change: "UPDATE residents SET surname = 'Markeringa' WHERE surname = 'Welkoop'",
        tab: "new",
        text: "Markeringa",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "an open offer passed on by a colleague",
        change: "INSERT INTO referral_passes (tenant_id, referral_id, organisation_id, reason, passed_by)
         SELECT r.tenant_id, r.id, u.organisation_id, 'geen_capaciteit', u.id FROM referrals r, users u
         WHERE r.purpose = 'Open verzoek' AND u.email = 'collega@demo.test'",
        tab: "new",
        text: "Open verzoek",
        shows: false,
        count: Some(3),
    },
    InboxChange {
        what: "consent withdrawn",
        change: "UPDATE referrals SET access_revoked_at = now() WHERE purpose = 'Tweede verzoek'",
        tab: "new",
        text: "Tweede verzoek",
        shows: false,
        count: Some(2),
    },
    InboxChange {
        what: "the case's resident erased",
        change: "UPDATE cases SET resident_id = NULL WHERE id IN (SELECT case_id FROM referrals WHERE purpose = 'Nog een open verzoek')",
        tab: "new",
        text: "Markeringa",
        shows: false,
        count: Some(2),
    },
    InboxChange {
        what: "a referral accepted by this person",
        change: "UPDATE referrals SET status = 'geaccepteerd', answered_at = now(),
                              handled_by = (SELECT id FROM users WHERE email = 'lid@demo.test')
         WHERE purpose = 'Markering van het verzoek'",
        tab: "mine",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(1),
    },
    InboxChange {
        what: "a referral started",
        change: "UPDATE referrals SET status = 'gestart', started_at = now() WHERE purpose = 'Markering van het verzoek'",
        tab: "report",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(1),
    },
    InboxChange {
        what: "a service no longer offered",
        change: "DELETE FROM organisation_services WHERE service_id IN (SELECT id FROM services WHERE name = 'Boodschappenhulp')
           AND organisation_id = (SELECT organisation_id FROM users WHERE email = 'lid@demo.test')",
        tab: "new",
        text: "Nog een open verzoek",
        shows: false,
        count: None,
    },
    InboxChange {
        what: "the person moved to another organisation",
        change: "UPDATE users SET organisation_id = (SELECT id FROM organisations WHERE name = 'Hulp Dichtbij Testdorp')
         WHERE email = 'lid@demo.test'",
        tab: "report",
        text: "Markering van het verzoek",
        shows: false,
        // The other organisation's: both open offers (only a colleague at the first passed one).
        count: Some(2),
    },
];

#[tokio::test]
async fn an_inbox_seen_before_shows_every_change_at_once() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Tweede verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, None), "Open verzoek").await;
    w.refer(&lead, &w.target(w.shared, None), "Nog een open verzoek")
        .await;
    let lid = w.login("lid@demo.test").await;
    let mut db = w.app.owner_connection().await;

    for InboxChange {
        what,
        change,
        tab,
        text,
        shows,
        count,
    } in INBOX_CHANGES
    {
        let path = format!("/demo/inbox?tab={tab}");
        // Seen twice, so that the second view is served from the kept page and counts.
        for _ in 0..2 {
            let (status, page) = lid.page(&path).await;
            assert_eq!(status, 200, "{what}: {page}");
            assert_eq!(page.contains(text), !shows, "{what}: {text:?} before the change");
        }
        sqlx::query(sqlx::AssertSqlSafe(*change))
            .execute(&mut db)
            .await
            .unwrap();
        let (status, page) = lid.page(&path).await;
        assert_eq!(status, 200, "{what}: {page}");
        assert_eq!(page.contains(text), *shows, "{what}: {text:?} after the change");
        assert_eq!(
            nav_count(&page, "/demo/inbox"),
            *count,
            "{what}: the navigation's count"
        );
    }
}

#[tokio::test]
async fn a_transaction_raises_the_inbox_revision_once_however_many_rows_it_changes() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede verzoek")
        .await;
    let mut db = w.app.owner_connection().await;
    let revision =
        "SELECT inbox FROM list_revisions WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')";
    let before: i64 = sqlx::query_scalar(revision).fetch_one(&mut db).await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut db).await.unwrap();
    for _ in 0..3 {
        sqlx::query("UPDATE referrals SET purpose = purpose || '.'")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query_scalar(revision).fetch_one(&mut db).await.unwrap();
    assert_eq!(after, before + 1, "six rows changed in one transaction");
}

#[tokio::test]
async fn an_inbox_is_read_afresh_only_when_a_change_was_noted() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    let lid = w.login("lid@demo.test").await;
    let (_, before) = lid.page("/demo/inbox").await;
    assert!(before.contains("Eerste verzoek"), "{before}");
    assert_eq!(nav_count(&before, "/demo/inbox"), Some(1));

    // A change that bypasses the triggers (only a superuser can) is not seen: the page and the
    // count are the kept ones, so they really are kept.
    let mut db = w.app.owner_connection().await;
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE referrals SET purpose = 'Stil gewijzigd' WHERE purpose = 'Eerste verzoek'",
        "UPDATE referrals SET status = 'ingetrokken' WHERE purpose = 'Stil gewijzigd'",
        "RESET session_replication_role",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut db)
            .await
            .unwrap();
    }
    let (_, kept) = lid.page("/demo/inbox").await;
    assert!(
        kept.contains("Eerste verzoek") && !kept.contains("Stil gewijzigd"),
        "read afresh"
    );
    assert_eq!(nav_count(&kept, "/demo/inbox"), Some(1), "counted afresh");

    // The next noted change brings both up to date, the silent change included.
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede verzoek")
        .await;
    let (_, fresh) = lid.page("/demo/inbox").await;
    assert!(
        fresh.contains("Tweede verzoek") && !fresh.contains("Eerste verzoek"),
        "{fresh}"
    );
    assert_eq!(nav_count(&fresh, "/demo/inbox"), Some(1));
}

// ---------------------------------------------------------------------------------------------
// Notifications and closing the loop

/// Who was told that `referral` is overdue, and how often.
async fn overdue_recipients(w: &World, referral: Uuid) -> Vec<(Uuid, i64)> {
    let mut db = w.app.owner_connection().await;
    sqlx::query_as(
        "SELECT user_id, count(*) FROM notifications
         WHERE referral_id = $1 AND kind = 'referral_overdue' GROUP BY user_id ORDER BY user_id",
    )
    .bind(referral)
    .fetch_all(&mut db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_new_referral_notifies_the_organisations_staff_and_answers_notify_the_lead() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let lid_id = w.user("lid@demo.test").await;
    let collega_id = w.user("collega@demo.test").await;
    let hulp_id = w.user("hulp@demo.test").await;
    let sorted = |mut ids: Vec<Uuid>| {
        ids.sort();
        ids
    };

    // A process manager sends on the case Tom leads.
    let direct = w.refer(&pm, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(
        w.notified(direct, "referral_new").await,
        sorted(vec![lid_id, collega_id]),
        "everyone at Zorgcirkel, nobody at Hulp Dichtbij"
    );
    let open = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    assert_eq!(
        w.notified(open, "referral_new").await,
        sorted(vec![lid_id, collega_id, hulp_id]),
        "an open offer reaches everyone offering the service"
    );

    let lid = w.login("lid@demo.test").await;
    let (_, page) = lid.page("/demo/notifications").await;
    assert!(page.contains("Nieuwe doorverwijzing voor je organisatie"));
    assert!(page.contains(&format!("href=\"/demo/referrals/{direct}\"")));
    assert_eq!(nav_count(&page, "/demo/notifications"), Some(2));

    assert_eq!(lid.step(direct, "accept", &[]).await.status, 303);
    assert_eq!(
        w.notified(direct, "referral_accepted").await,
        vec![lead.id],
        "the case's lead is told, not the process manager who sent it"
    );
    assert_eq!(lid.step(direct, "start", &[]).await.status, 303);
    assert_eq!(lid.step(direct, "finish", REPORT).await.status, 303);
    assert_eq!(w.notified(direct, "referral_finished").await, vec![lead.id]);
    let hulp = w.login("hulp@demo.test").await;
    assert_eq!(
        hulp.step(open, "decline", &[("reason", "geen_capaciteit"), ("note", "")])
            .await
            .status,
        303
    );
    assert_eq!(
        lid.step(open, "decline", &[("reason", "wil_niet"), ("note", "")])
            .await
            .status,
        303
    );
    assert!(w.notified(open, "referral_declined").await.contains(&lead.id));

    let (_, page) = lead.page("/demo/notifications").await;
    for text in [
        "Doorverwijzing geaccepteerd",
        "Doorverwijzing afgerond, verslag ontvangen",
        "Doorverwijzing afgewezen",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert!(page.contains(&format!("href=\"{}/referrals/{direct}\"", w.case_path())));
    assert!(nav_count(&page, "/demo/notifications").is_some());
    let answer = lead.post("/demo/notifications", &[]).await;
    assert_eq!(answer.status, 303);
    let (_, page) = lead.page("/demo/notifications").await;
    assert!(page.contains("Alle meldingen zijn als gelezen gemarkeerd."));
    assert_eq!(nav_count(&page, "/demo/notifications"), None);
    assert_eq!(
        w.count(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            lead.id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_unanswered_referral_past_its_date_is_overdue_everywhere_and_notified_once() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let late = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Te laat").await;
    let due_today = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Vandaag")
        .await;
    let answered = w
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Beantwoord")
        .await;
    assert_eq!(lid.step(answered, "accept", &[]).await.status, 303);
    w.answer_due_in(late, -1).await;
    w.answer_due_in(due_today, 0).await;
    w.answer_due_in(answered, -3).await;
    let yesterday = nl(today(&w.app).await - Duration::days(1));
    let overdue_text = format!("Antwoord was uiterlijk {yesterday}");

    // The lead sees it on the case and on the referral.
    let (_, page) = lead.page(&w.case_path()).await;
    let listed = section(&page, "referrals");
    assert_eq!(listed.matches("class=\"overdue\"").count(), 1, "{listed}");
    assert!(listed.contains(&overdue_text));
    let (_, page) = lead.page(&format!("{}/referrals/{late}", w.case_path())).await;
    assert!(page.contains(&overdue_text));
    let (_, page) = lead
        .page(&format!("{}/referrals/{due_today}", w.case_path()))
        .await;
    assert!(!page.contains("class=\"overdue\""), "due today is not late yet");

    // The organisation sees it in its inbox and on the referral.
    let (_, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(inbox.matches("Te laat beantwoord").count(), 1);
    let late_row = &inbox[inbox.find(&format!("/demo/referrals/{late}")).unwrap()..];
    let late_row = &late_row[..late_row.find("</tr>").unwrap()];
    assert!(late_row.contains("Te laat beantwoord"));
    let (_, page) = lid.page(&format!("/demo/referrals/{late}")).await;
    assert!(page.contains("<strong class=\"overdue\">Te laat beantwoord</strong>"));

    // The administrator's overview lists it.
    let admin = w.login("beheer@demo.test").await;
    let (status, page) = admin.page("/demo/referrals/overview").await;
    assert_eq!(status, 200);
    let overdue = section(&page, "overdue-title");
    assert!(overdue.contains("Maatjescontact") && overdue.contains("Zorgcirkel Testdorp"));
    assert!(overdue.contains("Tom Teamlid"));
    assert!(
        !overdue.contains("Boodschappenhulp"),
        "neither due today nor answered"
    );
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp")
            .last()
            .map(String::as_str),
        Some("1"),
        "overdue now"
    );

    // One notice per referral and recipient, however often the notifier runs.
    let notified = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert!(notified >= 1);
    let mut expected = vec![(lead.id, 1), (lid.id, 1), (w.user("collega@demo.test").await, 1)];
    expected.sort();
    assert_eq!(overdue_recipients(&w, late).await, expected);
    assert!(overdue_recipients(&w, due_today).await.is_empty());
    assert!(overdue_recipients(&w, answered).await.is_empty());
    let again = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(again, 0, "nothing new on a second run");
    assert_eq!(overdue_recipients(&w, late).await, expected);

    // Tomorrow's overdue referral gets its own notice.
    w.answer_due_in(due_today, -1).await;
    let next = schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    assert_eq!(next, 1);
    assert_eq!(overdue_recipients(&w, due_today).await, expected);
    assert_eq!(overdue_recipients(&w, late).await, expected);
}

#[tokio::test]
async fn an_organisation_that_passed_on_an_open_offer_gets_no_overdue_notice() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let hulp = w.login("hulp@demo.test").await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Boodschappen").await;
    assert_eq!(
        hulp.step(open, "decline", &[("reason", "geen_capaciteit"), ("note", "")])
            .await
            .status,
        303
    );
    w.answer_due_in(open, -1).await;
    schakel::referrals::notifications::notify_overdue_everywhere(&w.app.pool)
        .await
        .unwrap();
    let notified = w.notified(open, "referral_overdue").await;
    assert!(notified.contains(&lead.id));
    assert!(notified.contains(&w.user("lid@demo.test").await));
    assert!(
        !notified.contains(&hulp.id),
        "Hulp Dichtbij passed on it and can no longer open it (404), yet is told it is overdue"
    );
}

/// The stall monitor's list of cases whose referrals were declined more than once.
async fn declined_section(pm: &User) -> String {
    let (status, page) = pm.page("/demo/team/monitor").await;
    assert_eq!(status, 200);
    section(&page, "monitor-declined").to_owned()
}

#[tokio::test]
async fn a_case_whose_referrals_were_declined_twice_shows_in_the_stall_monitor() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    let pm = w.login("procesmanager@demo.test").await;
    let decline = [("reason", "geen_capaciteit"), ("note", "")];
    let (case, resident) = {
        let mut db = w.app.owner_connection().await;
        new_case(&mut db, w.tenant, "Greetje", "Gansevoort", "team@demo.test").await
    };
    let greetje = World {
        app: w.app.other_client(),
        case,
        resident,
        ..w
    };
    for world in [&w, &greetje] {
        world
            .consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
            .await;
    }
    let first = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Eerste").await;
    let second = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "Tweede").await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open").await;
    let greetjes = greetje
        .refer(&lead, &w.target(w.shared, Some(w.org_a)), "Greetje")
        .await;

    assert_eq!(lid.step(first, "decline", &decline).await.status, 303);
    assert_eq!(lid.step(greetjes, "decline", &decline).await.status, 303);
    // One organisation passing on an open offer is no decline.
    assert_eq!(hulp.step(open, "decline", &decline).await.status, 303);
    let declined = declined_section(&pm).await;
    assert!(!declined.contains(RESIDENT), "declined once: {declined}");
    assert!(!declined.contains("Greetje Gansevoort"));

    assert_eq!(hulp.step(second, "decline", &decline).await.status, 303);
    let declined = declined_section(&pm).await;
    assert!(declined.contains(RESIDENT), "declined twice: {declined}");
    assert!(declined.contains(&format!("/demo/cases/{}#referrals", w.case)));
    assert!(!declined.contains("Greetje Gansevoort"), "declined once");
}

#[tokio::test]
async fn the_overview_gives_each_organisations_figures() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let decline = [("reason", "geen_capaciteit"), ("note", "")];

    // Zorgcirkel: five received, three accepted (one finished), one declined, one waiting.
    let a1 = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "a1").await;
    let a2 = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "a2").await;
    let a3 = w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "a3").await;
    let a4 = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "a4").await;
    let o1 = w.refer(&lead, &w.target(w.shared, None), "o1").await;
    // Hulp Dichtbij: two received, one accepted, one declined.
    let b1 = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "b1").await;
    let b2 = w.refer(&lead, &w.target(w.shared, Some(w.org_b)), "b2").await;
    // Still open to everyone: nobody's yet.
    w.refer(&lead, &w.target(w.shared, None), "o2").await;

    for referral in [a1, a2, o1] {
        assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    }
    assert_eq!(lid.step(a2, "start", &[]).await.status, 303);
    assert_eq!(lid.step(a2, "finish", REPORT).await.status, 303);
    assert_eq!(lid.step(a3, "decline", &decline).await.status, 303);
    assert_eq!(hulp.step(b1, "decline", &decline).await.status, 303);
    assert_eq!(hulp.step(b2, "accept", &[]).await.status, 303);

    // Known times: accepted after 2, 4 and 9 hours (median 4), finished after 3 days; Hulp
    // Dichtbij accepted after 1.5 hours.
    {
        let mut db = w.app.owner_connection().await;
        for (referral, accepted_after) in [
            (a1, "2 hours"),
            (a2, "4 hours"),
            (o1, "9 hours"),
            (b2, "90 minutes"),
        ] {
            sqlx::query(
                "UPDATE referrals SET
                     sent_at = make_timestamptz(extract(year FROM now() AT TIME ZONE 'Europe/Amsterdam')::int, 3, 2, 9, 0, 0,
                                                'Europe/Amsterdam'),
                     answered_at = make_timestamptz(extract(year FROM now() AT TIME ZONE 'Europe/Amsterdam')::int, 3, 2, 9, 0, 0,
                                                    'Europe/Amsterdam') + $2::interval
                 WHERE id = $1",
            )
            .bind(referral)
            .bind(accepted_after)
            .execute(&mut db)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE referrals SET started_at = answered_at, finished_at = sent_at + interval '3 days' WHERE id = $1")
            .bind(a2)
            .execute(&mut db)
            .await
            .unwrap();
    }
    w.answer_due_in(a4, -2).await;

    let admin = w.login("beheer@demo.test").await;
    let (status, page) = admin.page("/demo/referrals/overview").await;
    assert_eq!(status, 200, "{page}");
    // Organisation, received, accepted, declined, median hours to accept, median days to
    // finish, overdue now.
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp"),
        ["Zorgcirkel Testdorp", "5", "3", "1", "4,0", "3,0", "1"]
    );
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Hulp Dichtbij Testdorp"),
        ["Hulp Dichtbij Testdorp", "2", "1", "1", "1,5", "—", "0"]
    );
    // Another year: nothing sent then, but what is overdue now stays overdue.
    let (status, page) = admin.page("/demo/referrals/overview?year=2020").await;
    assert_eq!(status, 200);
    assert_eq!(
        row_cells(section(&page, "figures-title"), "Zorgcirkel Testdorp"),
        ["Zorgcirkel Testdorp", "0", "0", "0", "—", "—", "1"]
    );

    let pm = w.login("procesmanager@demo.test").await;
    assert_eq!(pm.status("/demo/referrals/overview").await, 200);
    assert_eq!(lead.status("/demo/referrals/overview").await, 403);
    assert_eq!(lid.status("/demo/referrals/overview").await, 403);
}

// ---------------------------------------------------------------------------------------------
// Audit and tenant isolation

#[tokio::test]
async fn sending_viewing_and_answering_a_referral_are_audited() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);
    assert_eq!(hulp.status(&format!("/demo/referrals/{referral}")).await, 404);
    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    assert_eq!(
        lead.status(&format!("{}/referrals/{referral}", w.case_path()))
            .await,
        200
    );

    type Row = (
        String,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT kind, actor_id, case_id, resident_id, details->>'referral', details->>'step' FROM audit_events
             WHERE kind LIKE 'referral%' OR kind LIKE 'consent%' ORDER BY occurred_at",
        )
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    let on_case = |kind: &str, actor: Uuid, referral: Option<String>, step: Option<&str>| -> Row {
        (
            kind.to_owned(),
            Some(actor),
            Some(w.case),
            Some(w.resident),
            referral,
            step.map(str::to_owned),
        )
    };
    let id = Some(referral.to_string());
    assert_eq!(
        rows,
        vec![
            on_case("consent_recorded", lead.id, None, None),
            on_case("referral_sent", lead.id, id.clone(), None),
            on_case("referral_viewed", lid.id, id.clone(), None),
            on_case("referral_changed", lid.id, id.clone(), Some("accept")),
            on_case("referral_viewed", lead.id, id, None),
        ],
        "nothing for the refused view by Hulp Dichtbij"
    );
    let details: serde_json::Value = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT details FROM audit_events WHERE kind = 'referral_sent'")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(details["organisation"], w.org_a.to_string());
    assert_eq!(details["service"], w.own.to_string());
}

#[tokio::test]
async fn another_cooperatives_member_can_neither_see_nor_accept_a_referral() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open aanbod").await;
    let direct = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Direct").await;

    // The second cooperative has an organisation offering a service of the same name.
    let demo2 = w.app.tenant_id("demo2").await;
    let foreign = {
        let mut db = w.app.owner_connection().await;
        let organisation = organisation(&mut db, demo2, "Zorgcirkel Testdorp", "ouderenzorg").await;
        let boodschappen = service(&mut db, demo2, "Boodschappenhulp").await;
        offers(&mut db, demo2, organisation, boodschappen).await;
        add_member(
            &mut db,
            demo2,
            "lid2@demo.test",
            "Lotte Lidtwee",
            Some(organisation),
        )
        .await
    };
    let outsider = User::login(&w.app, "demo2", "lid2@demo.test").await;
    assert_eq!(outsider.id, foreign);

    let (status, inbox) = outsider.page("/demo2/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert!(!inbox.contains(RESIDENT));
    for referral in [open, direct] {
        for path in [
            format!("/demo2/referrals/{referral}"),
            format!("/demo/referrals/{referral}"),
        ] {
            let (status, body) = outsider.page(&path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains(RESIDENT));
        }
        for tenant in ["demo2", "demo"] {
            let answer = outsider
                .post(&format!("/{tenant}/referrals/{referral}/accept"), &[])
                .await;
            assert_eq!(answer.status, 404, "{tenant} accept");
        }
        assert_eq!(w.status_of(referral).await, "verstuurd");
    }
    assert_eq!(
        w.count("SELECT count(*) FROM notifications WHERE user_id = $1", foreign)
            .await,
        0,
        "the open offer reached nobody in the other cooperative"
    );
    assert_eq!(
        w.count(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND kind LIKE 'referral%'",
            foreign
        )
        .await,
        0
    );
}
