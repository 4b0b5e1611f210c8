//! The general assembly: the notice period, quorum, majorities, proxies, one vote per member,
//! nothing after the close, secret ballots, re-votes, decision numbering, the member register
//! following decisions, and who may see and do what.
//!
//! This module holds the arranged cooperative the assembly tests share.

mod confirmation;
mod decisions;
mod electorate;
mod meetings;
mod voting;

use sqlx::PgConnection;

use uuid::Uuid;

use crate::common::pages::last_segment;
use crate::common::users::User;
use crate::common::{TestApp, location};

/// A cooperative with `n` voting members, each with a representative (`rep{i}@demo.test`)
/// holding a mandate, and the administrator and chair logged in.
pub struct Assembly {
    pub app: TestApp,
    tenant: Uuid,
    pub members: Vec<Uuid>,
    admin: User,
    chair: User,
}

/// The day `days` from today in the Netherlands, as forms write it (`16-12-2026`).
pub fn date_in(days: i64) -> String {
    // The Netherlands' day, not UTC's: between 23:00 and 0:00 UTC they differ.
    let output = std::process::Command::new("date")
        .env("TZ", "Europe/Amsterdam")
        .args([&format!("--date={days} days"), "+%d-%m-%Y"])
        .output()
        .expect("date runs");
    String::from_utf8(output.stdout)
        .expect("a date")
        .trim()
        .to_owned()
}

impl Assembly {
    pub async fn new(n: usize) -> Assembly {
        let app = TestApp::spawn().await;
        let tenant = app.tenant_id("demo").await;
        let mut db = app.owner_connection().await;
        let mut members = Vec::new();
        for i in 0..n {
            let organisation = add_member(&mut db, tenant, &format!("Lid {i:02}"), "lid").await;
            add_representative(&mut db, tenant, organisation, &format!("rep{i}@demo.test")).await;
            members.push(organisation);
        }
        let admin = User::login(&app, "demo", "beheer@demo.test").await;
        let chair = User::login(&app, "demo", "voorzitter@demo.test").await;
        Assembly {
            app,
            tenant,
            members,
            admin,
            chair,
        }
    }

    async fn db(&self) -> PgConnection {
        self.app.owner_connection().await
    }

    async fn rep(&self, i: usize) -> User {
        User::login(&self.app, "demo", &format!("rep{i}@demo.test")).await
    }

    /// A meeting `days` from today; its id.
    async fn meeting(&self, days: i64) -> String {
        let response = self
            .admin
            .post(
                "/demo/assembly",
                &[
                    ("title", "Algemene ledenvergadering"),
                    ("date", &date_in(days)),
                    ("time", "19:30"),
                    ("place", "Het Cultuurhuis"),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        last_segment(location(&response))
    }

    /// Adds a decision item; its id.
    async fn decision_item(&self, meeting: &str, kind: &str, organisation: Option<Uuid>) -> String {
        let organisation = organisation.map(|o| o.to_string()).unwrap_or_default();
        let response = self
            .admin
            .post(
                &format!("/demo/assembly/{meeting}/items"),
                &[
                    ("parent", ""),
                    ("kind", "besluit"),
                    ("title", &format!("Besluit {kind}")),
                    ("description", ""),
                    ("decision_kind", kind),
                    ("proposal", "De vergadering besluit zoals voorgesteld."),
                    ("organisation", &organisation),
                    (
                        "reasons",
                        if kind == "ontzetting" {
                            "Contributie niet betaald."
                        } else {
                            ""
                        },
                    ),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        let mut db = self.db().await;
        sqlx::query_scalar::<_, Uuid>(
            "SELECT id FROM agenda_items WHERE meeting_id = $1::uuid ORDER BY created_at DESC, position DESC LIMIT 1",
        )
        .bind(meeting)
        .fetch_one(&mut db)
        .await
        .unwrap()
        .to_string()
    }

    async fn set_status(&self, user: &User, meeting: &str, to: &str) -> (u16, String) {
        user.send(
            &format!("/demo/assembly/{meeting}/status"),
            &[("to", to), ("confirmed", "ja")],
        )
        .await
    }

    /// Convenes the meeting (three weeks ahead, within the notice period), lets its day come
    /// and opens it.
    async fn in_session(&self, meeting: &str) {
        let (status, body) = self.set_status(&self.admin, meeting, "uitgeschreven").await;
        assert_eq!(status, 303, "{body}");
        self.its_day(meeting).await;
        let (status, body) = self.set_status(&self.chair, meeting, "geopend").await;
        assert_eq!(status, 303, "{body}");
    }

    /// The day of the meeting has come: it starts now (a meeting opens only on its date).
    pub(crate) async fn its_day(&self, meeting: &str) {
        let mut db = self.db().await;
        sqlx::query("UPDATE meetings SET starts_at = now() WHERE id = $1::uuid")
            .bind(meeting)
            .execute(&mut db)
            .await
            .unwrap();
    }

    /// Today in the Netherlands, as the pages write it (`16-12-2026`).
    async fn today(&self) -> String {
        let mut db = self.db().await;
        sqlx::query_scalar("SELECT to_char(local_now(), 'DD-MM-YYYY')")
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    /// Saves the statute rules: the defaults, with `changes`.
    pub(crate) async fn set_rules(&self, changes: &[(&str, &str)]) {
        let mut fields = vec![
            ("notice_days", "14"),
            ("quorum_percent", "50"),
            ("majority_ordinary", "meerderheid"),
            ("majority_statutes", "twee_derde"),
            ("majority_admission", "twee_derde"),
            ("majority_expulsion", "twee_derde"),
            ("majority_notice", "meerderheid"),
            ("proxies_allowed", "on"),
            ("max_proxies", "1"),
            ("appeal_days", "30"),
        ];
        fields.extend_from_slice(changes);
        let (status, body) = self.admin.send("/demo/assembly/rules", &fields).await;
        assert_eq!(status, 303, "{body}");
    }

    async fn attend(
        &self,
        meeting: &str,
        member: usize,
        presence: &str,
        holder: Option<usize>,
    ) -> (u16, String) {
        let holder = holder.map(|h| self.members[h].to_string()).unwrap_or_default();
        self.admin
            .send(
                &format!("/demo/assembly/{meeting}/attendance"),
                &[
                    ("organisation", &self.members[member].to_string()),
                    ("presence", presence),
                    ("proxy_holder", &holder),
                    (
                        "proxy_note",
                        if presence == "volmacht" {
                            "Brief van 1 december"
                        } else {
                            ""
                        },
                    ),
                ],
            )
            .await
    }

    /// Opens a poll; (status, poll id or body).
    async fn open_poll(&self, meeting: &str, item: &str, secret: bool) -> (u16, String) {
        let fields: &[(&str, &str)] = if secret { &[("secret", "on")] } else { &[] };
        let response = self
            .chair
            .post(&format!("/demo/assembly/{meeting}/items/{item}/polls"), fields)
            .await;
        let status = response.status().as_u16();
        if status == 303 {
            (status, last_segment(location(&response)))
        } else {
            (status, response.text().await.unwrap())
        }
    }

    async fn vote(&self, user: &User, meeting: &str, poll: &str, member: usize, choice: &str) -> u16 {
        user.post(
            &format!("/demo/assembly/{meeting}/polls/{poll}"),
            &[
                ("organisation", &self.members[member].to_string()),
                ("choice", choice),
            ],
        )
        .await
        .status()
        .as_u16()
    }

    async fn chair_step(
        &self,
        meeting: &str,
        poll: &str,
        step: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        // Closing is only taken from its confirmation page, which sends `confirmed`.
        let mut fields = fields.to_vec();
        if step == "close" {
            fields.push(("confirmed", "ja"));
        }
        self.chair
            .send(&format!("/demo/assembly/{meeting}/polls/{poll}/{step}"), &fields)
            .await
    }

    /// (for, against, abstentions, adopted) of a closed poll.
    async fn result(&self, poll: &str) -> (i32, i32, i32, bool) {
        let mut db = self.db().await;
        sqlx::query_as("SELECT votes_for, votes_against, abstentions, adopted FROM polls WHERE id = $1::uuid")
            .bind(poll)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }

    /// A meeting in session with one decision item and every member present.
    async fn ready(&self, kind: &str, organisation: Option<Uuid>) -> (String, String) {
        let meeting = self.meeting(21).await;
        let item = self.decision_item(&meeting, kind, organisation).await;
        self.in_session(&meeting).await;
        for i in 0..self.members.len() {
            let (status, body) = self.attend(&meeting, i, "aanwezig", None).await;
            assert_eq!(status, 303, "{body}");
        }
        (meeting, item)
    }
}

async fn add_member(db: &mut PgConnection, tenant: Uuid, name: &str, status: &str) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since, member_since)
         VALUES ($1, $2, 'welzijn', $3, '2020-01-01', '2020-01-01') RETURNING id",
    )
    .bind(tenant)
    .bind(name)
    .bind(status)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A member user of `organisation` with a mandate since 2020.
async fn add_representative(db: &mut PgConnection, tenant: Uuid, organisation: Uuid, email: &str) {
    sqlx::query(
        "WITH u AS (INSERT INTO users (tenant_id, email, name, roles, password_hash, organisation_id)
                    SELECT tenant_id, $2, $2, ARRAY['member'], password_hash, $3
                    FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test' RETURNING id)
         INSERT INTO representatives (tenant_id, organisation_id, user_id, valid_from)
         SELECT $1, $3, id, '2020-01-01' FROM u",
    )
    .bind(tenant)
    .bind(email)
    .bind(organisation)
    .execute(db)
    .await
    .unwrap();
}

async fn futures_reps(a: &Assembly, n: usize) -> Vec<User> {
    let mut reps = Vec::new();
    for i in 0..n {
        reps.push(a.rep(i).await);
    }
    reps
}

impl Assembly {
    /// A decision item added to a meeting already in session (straight into the database: the
    /// agenda is fixed once convened).
    async fn decision_item_in_session(&self, meeting: &str, kind: &str) -> String {
        let mut db = self.db().await;
        sqlx::query_scalar::<_, Uuid>(
            "INSERT INTO agenda_items (tenant_id, meeting_id, position, kind, title, proposal, decision_kind)
             SELECT tenant_id, id, (SELECT max(position) + 1 FROM agenda_items WHERE meeting_id = $1::uuid AND parent_id IS NULL),
                    'besluit', 'Nog een besluit', 'Voorstel', $2
             FROM meetings WHERE id = $1::uuid RETURNING id",
        )
        .bind(meeting)
        .bind(kind)
        .fetch_one(&mut db)
        .await
        .unwrap()
        .to_string()
    }
}

impl Assembly {
    /// A meeting that adopts a decision putting `amount` (as typed) in the pot `pot`; the
    /// decision's number.
    pub(crate) async fn adopt_pot(&self, pot: &str, amount: &str) -> String {
        let meeting = self.meeting(21).await;
        let (status, body) = self
            .admin
            .send(
                &format!("/demo/assembly/{meeting}/items"),
                &[
                    ("parent", ""),
                    ("kind", "besluit"),
                    ("title", &format!("Pot {pot}")),
                    ("decision_kind", "gewoon"),
                    ("proposal", "De vergadering stelt de pot in."),
                    ("pot_name", pot),
                    ("pot_amount", amount),
                ],
            )
            .await;
        assert_eq!(status, 303, "{body}");
        let mut db = self.db().await;
        let item: Uuid = sqlx::query_scalar(
            "SELECT id FROM agenda_items WHERE meeting_id = $1::uuid AND pot_name IS NOT NULL",
        )
        .bind(&meeting)
        .fetch_one(&mut db)
        .await
        .unwrap();
        let item = item.to_string();
        self.in_session(&meeting).await;
        for i in 0..self.members.len() {
            assert_eq!(self.attend(&meeting, i, "aanwezig", None).await.0, 303);
        }
        let (_, poll) = self.open_poll(&meeting, &item, false).await;
        for i in 0..self.members.len() {
            let rep = self.rep(i).await;
            assert_eq!(self.vote(&rep, &meeting, &poll, i, "voor").await, 303);
        }
        self.chair_step(&meeting, &poll, "close", &[]).await;
        self.chair_step(&meeting, &poll, "declare", &[]).await;
        sqlx::query_scalar("SELECT 'ALV-' || year || '-' || lpad(seq::text, 2, '0') FROM decisions WHERE agenda_item_id = $1::uuid AND adopted")
            .bind(&item)
            .fetch_one(&mut db)
            .await
            .unwrap()
    }
}
