//! Referrals from a case to the cooperative's member organisations: the consent they need, their
//! lifecycle (allowed and refused steps), the first organisation to accept an open offer winning
//! it, what member staff can and cannot see, the inbox, notifications, overdue referrals, the
//! stall monitor, the figures per organisation, audit and tenant isolation.
//!
//! This module holds the world the referral tests share and its fixtures.

mod audit;
mod consent;
mod inbox;
mod kept;
mod lifecycle;
mod member_steps;
mod notifications;
mod open_offers;
mod overview;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::common::TestApp;
use crate::common::pages::strip_tags;
use crate::common::users::{Answer, User};

/// The steps of member staff.
impl User {
    /// A step of member staff on a referral: accept, decline, start, finish, return, notes.
    async fn step(&self, referral: Uuid, action: &str, fields: &[(&str, &str)]) -> Answer {
        self.submit(&format!("/demo/referrals/{referral}/{action}"), fields)
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
            .submit(
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
        by.submit(&format!("{}/referrals", self.case_path()), &fields)
            .await
    }

    /// Sends a referral that must go out; its id.
    pub async fn refer(&self, by: &User, target: &str, purpose: &str) -> Uuid {
        let answer = self.try_refer(by, target, purpose, &[]).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(
            answer.location,
            format!("{}/tab/referrals#flash", self.case_path())
        );
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
