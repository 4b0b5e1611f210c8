//! The general assembly: the notice period, quorum, majorities, proxies, one vote per member,
//! nothing after the close, secret ballots, re-votes, decision numbering, the member register
//! following decisions, and who may see and do what.

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
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

pub fn date_in(days: i64) -> String {
    let day = (OffsetDateTime::now_utc() + Duration::days(days)).date();
    format!("{:02}-{:02}-{}", day.day(), u8::from(day.month()), day.year())
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
        user.send(&format!("/demo/assembly/{meeting}/status"), &[("to", to)])
            .await
    }

    /// Convenes (three weeks ahead, within the notice period) and opens the meeting.
    async fn in_session(&self, meeting: &str) {
        let (status, body) = self.set_status(&self.admin, meeting, "uitgeschreven").await;
        assert_eq!(status, 303, "{body}");
        let (status, body) = self.set_status(&self.chair, meeting, "geopend").await;
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
        self.chair
            .send(&format!("/demo/assembly/{meeting}/polls/{poll}/{step}"), fields)
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

#[tokio::test]
async fn convening_later_than_the_notice_period_allows_is_refused_with_the_date_to_move_to() {
    let a = Assembly::new(1).await;
    let late = a.meeting(5).await;
    let (status, body) = a.set_status(&a.admin, &late, "uitgeschreven").await;
    assert_eq!(status, 422, "{body}");
    let earliest: String = {
        let mut db = a.db().await;
        sqlx::query_scalar("SELECT to_char((now() AT TIME ZONE 'Europe/Amsterdam')::date + 14, 'DD-MM-YYYY')")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert!(
        body.contains(&earliest),
        "the first possible date is shown: {body}"
    );
    let (_, page) = a.admin.page(&format!("/demo/assembly/{late}")).await;
    assert!(page.contains("in voorbereiding"), "still a concept");
    // Members do not see a meeting in preparation.
    let member = a.rep(0).await;
    assert_eq!(member.page(&format!("/demo/assembly/{late}")).await.0, 404);

    let timely = a.meeting(14).await;
    let (status, body) = a.set_status(&a.admin, &timely, "uitgeschreven").await;
    assert_eq!(status, 303, "{body}");
    let (status, page) = member.page(&format!("/demo/assembly/{timely}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Notulen vorige vergadering"),
        "the standard items are published"
    );
    // Only the chair opens a meeting.
    assert_eq!(a.set_status(&a.admin, &timely, "geopend").await.0, 403);
}

#[tokio::test]
async fn a_meeting_form_with_mistakes_keeps_what_was_typed_and_stores_nothing() {
    let a = Assembly::new(0).await;
    let (status, body) = a
        .admin
        .send(
            "/demo/assembly",
            &[
                ("title", "Extra ALV"),
                ("date", "31-02-2027"),
                ("time", "19:30"),
                ("place", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains("value=\"Extra ALV\""), "the title is kept");
    assert!(body.contains("id=\"date-error\""), "an error next to the date");
    assert!(body.contains("id=\"place-error\""), "an error next to the place");
    let mut db = a.db().await;
    let meetings: i64 = sqlx::query_scalar("SELECT count(*) FROM meetings")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(meetings, 0);
}

#[tokio::test]
async fn a_poll_opens_only_when_the_quorum_is_met() {
    let a = Assembly::new(4).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    a.attend(&meeting, 0, "aanwezig", None).await;
    let (status, body) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 409);
    assert!(body.contains("1 van 4 stemgerechtigde leden"), "{body}");
    // Half of the voting members is the default quorum.
    a.attend(&meeting, 1, "volmacht", Some(0)).await;
    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let mut db = a.db().await;
    let (electorate, present): (i32, i32) =
        sqlx::query_as("SELECT electorate, present FROM polls WHERE id = $1::uuid")
            .bind(&poll)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!((electorate, present), (4, 2));
}

#[tokio::test]
async fn each_kind_of_decision_needs_its_majority_and_abstentions_count_only_when_the_statutes_say_so() {
    let a = Assembly::new(6).await;
    // An admission needs two thirds: 4 of 6 is enough, 3 for and 2 against is not.
    let candidate = {
        let mut db = a.db().await;
        add_member(&mut db, a.tenant, "Aspirant", "aspirant").await
    };
    let (meeting, item) = a.ready("toelating", Some(candidate)).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps: Vec<User> = futures_reps(&a, 6).await;
    for (i, choice) in ["voor", "voor", "voor", "tegen", "tegen", "onthouding"]
        .iter()
        .enumerate()
    {
        assert_eq!(a.vote(&reps[i], &meeting, &poll, i, choice).await, 303);
    }
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(
        a.result(&poll).await,
        (3, 2, 1, false),
        "60% of the votes cast is less than two thirds"
    );

    // An ordinary decision: more than half of the votes cast, abstentions not counted.
    let item = a.decision_item_in_session(&meeting, "gewoon").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "tegen", "onthouding", "onthouding", "onthouding"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 1, 3, true));

    // When the statutes count abstentions, the same votes reject the proposal.
    let (status, body) = a
        .admin
        .send(
            "/demo/assembly/rules",
            &[
                ("notice_days", "14"),
                ("quorum_percent", "50"),
                ("majority_ordinary", "meerderheid"),
                ("majority_statutes", "twee_derde"),
                ("majority_admission", "twee_derde"),
                ("majority_expulsion", "twee_derde"),
                ("majority_notice", "meerderheid"),
                ("proxies_allowed", "on"),
                ("max_proxies", "1"),
                ("abstentions_count", "on"),
                ("appeal_days", "30"),
            ],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let item = a.decision_item_in_session(&meeting, "gewoon").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "tegen", "onthouding", "onthouding", "onthouding"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 1, 3, false));

    // A statute amendment with exactly two thirds is adopted.
    let item = a.decision_item_in_session(&meeting, "statutenwijziging").await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    for (i, choice) in ["voor", "voor", "voor", "voor", "tegen", "tegen"]
        .iter()
        .enumerate()
    {
        a.vote(&reps[i], &meeting, &poll, i, choice).await;
    }
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (4, 2, 0, true));
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

#[tokio::test]
async fn proxies_are_limited_and_whoever_gave_one_votes_only_through_its_holder() {
    let a = Assembly::new(4).await;
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "gewoon", None).await;
    a.in_session(&meeting).await;
    assert_eq!(a.attend(&meeting, 1, "aanwezig", None).await.0, 303);
    assert_eq!(a.attend(&meeting, 0, "volmacht", Some(1)).await.0, 303);
    // One proxy per attendee by default.
    let (status, body) = a.attend(&meeting, 2, "volmacht", Some(1)).await;
    assert_eq!(status, 422);
    assert!(body.contains("al het maximum aantal volmachten"), "{body}");
    // A member that gave a proxy cannot hold one.
    let (status, _) = a.attend(&meeting, 2, "volmacht", Some(0)).await;
    assert_eq!(status, 422);
    // A proxy without a written note is refused.
    let (status, _) = a
        .admin
        .send(
            &format!("/demo/assembly/{meeting}/attendance"),
            &[
                ("organisation", &a.members[3].to_string()),
                ("presence", "volmacht"),
                ("proxy_holder", &a.members[2].to_string()),
                ("proxy_note", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    let mut db = a.db().await;
    let proxies: i64 = sqlx::query_scalar("SELECT count(*) FROM attendance WHERE presence = 'volmacht'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(proxies, 1, "nothing of the refused proxies is stored");

    let (status, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(status, 303, "{poll}");
    let giver = a.rep(0).await;
    let holder = a.rep(1).await;
    assert_eq!(
        a.vote(&giver, &meeting, &poll, 0, "tegen").await,
        403,
        "the giver cannot vote itself"
    );
    assert_eq!(
        a.vote(&holder, &meeting, &poll, 0, "voor").await,
        303,
        "the holder votes for it"
    );
    assert_eq!(a.vote(&holder, &meeting, &poll, 1, "voor").await, 303);
    assert_eq!(
        a.vote(&holder, &meeting, &poll, 2, "voor").await,
        403,
        "not for anyone else"
    );
    let (_, page) = holder
        .page(&format!("/demo/assembly/{meeting}/polls/{poll}"))
        .await;
    assert!(page.contains("met volmacht"), "the holder sees the vote it holds");
    a.chair_step(&meeting, &poll, "close", &[]).await;
    assert_eq!(a.result(&poll).await, (2, 0, 0, true));
}

#[tokio::test]
async fn one_vote_per_member_changeable_until_the_close_and_nothing_after_it() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let rep = a.rep(0).await;
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "tegen").await, 303);
    // Results stay hidden while the poll is open.
    let (_, page) = rep.page(&format!("/demo/assembly/{meeting}/polls/{poll}")).await;
    assert!(page.contains("1 van 2 leden hebben gestemd"), "{page}");
    assert!(!page.contains("id=\"poll-counts\""));
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    assert_eq!(
        a.vote(&rep, &meeting, &poll, 0, "voor").await,
        409,
        "no vote after the close"
    );
    let other = a.rep(1).await;
    assert_eq!(a.vote(&other, &meeting, &poll, 1, "voor").await, 409);
    assert_eq!(a.result(&poll).await, (0, 1, 0, false));
    let mut db = a.db().await;
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(votes, 1);
    // After the close the named result shows who voted what.
    let (_, page) = rep.page(&format!("/demo/assembly/{meeting}/polls/{poll}")).await;
    assert!(
        page.contains("id=\"named-votes\"") && page.contains("Lid 00"),
        "{page}"
    );
}

#[tokio::test]
async fn many_concurrent_votes_are_counted_exactly_once_per_member() {
    let a = Assembly::new(6).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 6).await;
    // Every representative votes five times at once, the last choice being "voor" for even
    // members; the others keep changing between "tegen" and "onthouding".
    let mut attempts = Vec::new();
    for (i, rep) in reps.iter().enumerate() {
        for round in 0..5 {
            let choice = if i % 2 == 0 {
                "voor"
            } else if round % 2 == 0 {
                "tegen"
            } else {
                "onthouding"
            };
            attempts.push(a.vote(rep, &meeting, &poll, i, choice));
        }
    }
    let statuses = futures::future::join_all(attempts).await;
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(a.chair_step(&meeting, &poll, "close", &[]).await.0, 303);
    let (for_, against, abstentions, _) = a.result(&poll).await;
    assert_eq!(for_, 3);
    assert_eq!(
        against + abstentions,
        3,
        "one vote for each of the other three members"
    );
    let mut db = a.db().await;
    let votes: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(votes, 6);
}

#[tokio::test]
async fn votes_racing_the_close_are_either_counted_or_refused_never_lost() {
    let a = Assembly::new(6).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, true).await;
    let reps = futures_reps(&a, 6).await;
    let votes = reps
        .iter()
        .enumerate()
        .map(|(i, rep)| a.vote(rep, &meeting, &poll, i, "voor"));
    let (statuses, (closed, _)) = tokio::join!(
        futures::future::join_all(votes),
        a.chair_step(&meeting, &poll, "close", &[])
    );
    assert_eq!(closed, 303);
    let accepted = statuses.iter().filter(|s| **s == 303).count() as i32;
    assert!(statuses.iter().all(|s| *s == 303 || *s == 409), "{statuses:?}");
    let (for_, _, _, _) = a.result(&poll).await;
    assert_eq!(for_, accepted, "exactly the accepted votes are counted");
    let mut db = a.db().await;
    let ballots: i64 = sqlx::query_scalar("SELECT count(*) FROM ballots WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(ballots, i64::from(accepted), "no ballot landed after the close");
}

#[tokio::test]
async fn a_secret_ballot_cannot_be_linked_to_the_member_and_cannot_be_cast_twice() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, true).await;
    let rep = a.rep(0).await;
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "voor").await, 303);
    assert_eq!(a.vote(&rep, &meeting, &poll, 0, "tegen").await, 409);
    let mut db = a.db().await;
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'ballots' ORDER BY ordinal_position",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(columns, ["tenant_id", "id", "poll_id", "choice"]);
    let (ballots, participants, named): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ballots WHERE poll_id = $1::uuid),
                (SELECT count(*) FROM poll_participation WHERE poll_id = $1::uuid),
                (SELECT count(*) FROM votes WHERE poll_id = $1::uuid)",
    )
    .bind(&poll)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((ballots, participants, named), (1, 1, 0));
    a.chair_step(&meeting, &poll, "close", &[]).await;
    let (_, page) = a
        .chair
        .page(&format!("/demo/assembly/{meeting}/polls/{poll}"))
        .await;
    assert!(!page.contains("id=\"named-votes\""), "no one's choice is shown");
}

#[tokio::test]
async fn a_challenged_result_is_replaced_by_a_revote_under_the_same_decision_number() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, first) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 2).await;
    a.vote(&reps[0], &meeting, &first, 0, "tegen").await;
    a.chair_step(&meeting, &first, "close", &[]).await;
    assert_eq!(a.chair_step(&meeting, &first, "declare", &[]).await.0, 303);
    let (status, _) = a.chair_step(&meeting, &first, "challenge", &[("note", "")]).await;
    assert_eq!(status, 422, "a challenge needs a note");
    let response = a
        .chair
        .post(
            &format!("/demo/assembly/{meeting}/polls/{first}/challenge"),
            &[("note", "Lid 01 was niet op tijd binnen.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let second = last_segment(location(&response));
    assert_ne!(second, first);
    a.vote(&reps[0], &meeting, &second, 0, "voor").await;
    a.vote(&reps[1], &meeting, &second, 1, "voor").await;
    a.chair_step(&meeting, &second, "close", &[]).await;
    a.chair_step(&meeting, &second, "declare", &[]).await;
    let mut db = a.db().await;
    let decisions: Vec<(i32, bool, Uuid)> =
        sqlx::query_as("SELECT seq, adopted, poll_id FROM decisions WHERE agenda_item_id = $1::uuid")
            .bind(&item)
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(decisions.len(), 1, "one decision per item");
    assert_eq!((decisions[0].0, decisions[0].1), (1, true));
    assert_eq!(
        decisions[0].2.to_string(),
        second,
        "the re-vote is what the decision rests on"
    );
    let rounds: Vec<(i32, bool)> = sqlx::query_as(
        "SELECT round, challenged_at IS NOT NULL FROM polls WHERE agenda_item_id = $1::uuid ORDER BY round",
    )
    .bind(&item)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(rounds, [(1, true), (2, false)], "both polls stay in the record");
}

#[tokio::test]
async fn decisions_are_numbered_per_year_and_listed_and_exported() {
    let a = Assembly::new(2).await;
    let (meeting, first) = a.ready("gewoon", None).await;
    let second = a.decision_item_in_session(&meeting, "gewoon").await;
    let rep = a.rep(0).await;
    for item in [&first, &second] {
        let (_, poll) = a.open_poll(&meeting, item, false).await;
        a.vote(&rep, &meeting, &poll, 0, "voor").await;
        a.chair_step(&meeting, &poll, "close", &[]).await;
        assert_eq!(a.chair_step(&meeting, &poll, "declare", &[]).await.0, 303);
    }
    let year = (OffsetDateTime::now_utc() + Duration::days(21)).year();
    let (status, list) = rep.page("/demo/assembly/decisions").await;
    assert_eq!(status, 200);
    assert!(
        list.contains(&format!("ALV-{year}-01")) && list.contains(&format!("ALV-{year}-02")),
        "{list}"
    );
    let response = rep.app.get("/demo/assembly/decisions.csv").await;
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}besluitnummer;datum;"), "{csv}");
    assert!(csv.contains(&format!("ALV-{year}-02;{};", date_in(21))), "{csv}");
}

#[tokio::test]
async fn admission_and_expulsion_change_the_member_register_when_the_meeting_closes() {
    let a = Assembly::new(3).await;
    let candidate = {
        let mut db = a.db().await;
        add_member(&mut db, a.tenant, "Nieuw Lid", "aspirant").await
    };
    let expelled = a.members[2];
    let meeting = a.meeting(21).await;
    let admission = a.decision_item(&meeting, "toelating", Some(candidate)).await;
    let expulsion = a.decision_item(&meeting, "ontzetting", Some(expelled)).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let reps = futures_reps(&a, 2).await;
    for item in [&admission, &expulsion] {
        let (status, poll) = a.open_poll(&meeting, item, true).await;
        assert_eq!(status, 303, "{poll}");
        a.vote(&reps[0], &meeting, &poll, 0, "voor").await;
        a.vote(&reps[1], &meeting, &poll, 1, "voor").await;
        a.chair_step(&meeting, &poll, "close", &[]).await;
        a.chair_step(&meeting, &poll, "declare", &[]).await;
    }
    let mut db = a.db().await;
    let status =
        |id: Uuid| sqlx::query_scalar::<_, String>("SELECT status FROM organisations WHERE id = $1").bind(id);
    assert_eq!(
        status(candidate).fetch_one(&mut db).await.unwrap(),
        "aspirant",
        "not before the close"
    );
    assert_eq!(a.set_status(&a.chair, &meeting, "gesloten").await.0, 303);
    assert_eq!(status(candidate).fetch_one(&mut db).await.unwrap(), "lid");
    assert_eq!(
        status(expelled).fetch_one(&mut db).await.unwrap(),
        "geschorst",
        "suspended during the appeal"
    );
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM organisation_statuses s JOIN decisions d ON d.id = s.decision_id
         WHERE s.organisation_id IN ($1, $2)",
    )
    .bind(candidate)
    .bind(expelled)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(linked, 2, "each change links to its decision");
    let (appeal_until, reasons): (time::Date, String) =
        sqlx::query_as("SELECT appeal_until, reasons FROM expulsions WHERE organisation_id = $1")
            .bind(expelled)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(reasons, "Contributie niet betaald.");

    // After the month of appeal the expulsion takes effect.
    let mut tx = schakel::db::tenant_tx(&a.app.pool, a.tenant).await.unwrap();
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until)
        .await
        .unwrap();
    assert_eq!(done, 0, "not on the last day of the term");
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until + Duration::days(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, 1);
    assert_eq!(status(expelled).fetch_one(&mut db).await.unwrap(), "ontzet");
}

#[tokio::test]
async fn a_suspended_member_votes_only_on_the_item_about_itself() {
    let a = Assembly::new(3).await;
    let mut db = a.db().await;
    sqlx::query("UPDATE organisations SET status = 'geschorst' WHERE id = $1")
        .bind(a.members[2])
        .execute(&mut db)
        .await
        .unwrap();
    let meeting = a.meeting(21).await;
    let other = a.decision_item(&meeting, "gewoon", None).await;
    let own = a.decision_item(&meeting, "opzegging", Some(a.members[2])).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let suspended = a.rep(2).await;
    let (_, poll) = a.open_poll(&meeting, &other, false).await;
    assert_eq!(
        a.vote(&suspended, &meeting, &poll, 2, "tegen").await,
        422,
        "not in the electorate"
    );
    let electorate: i32 = sqlx::query_scalar("SELECT electorate FROM polls WHERE id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(electorate, 2);
    a.chair_step(&meeting, &poll, "close", &[]).await;
    let (_, poll) = a.open_poll(&meeting, &own, false).await;
    assert_eq!(
        a.vote(&suspended, &meeting, &poll, 2, "tegen").await,
        303,
        "on its own case it votes"
    );
}

#[tokio::test]
async fn other_cooperatives_and_other_roles_cannot_reach_the_assembly() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let path = format!("/demo/assembly/{meeting}");
    assert_eq!(a.admin.page(&path).await.0, 200);
    let desk = User::login(&a.app, "demo", "balie@demo.test").await;
    assert_eq!(desk.page("/demo/assembly").await.0, 403);
    // A member cannot prepare meetings or change the rules.
    let rep = a.rep(0).await;
    assert_eq!(rep.page("/demo/assembly/new").await.0, 403);
    assert_eq!(
        rep.send("/demo/assembly/rules", &[("notice_days", "1")]).await.0,
        403
    );
    // In another cooperative the meeting does not exist.
    let other = User::login(&a.app, "demo2", "balie@demo.test").await;
    {
        let mut db = a.db().await;
        sqlx::query(
            "UPDATE users SET roles = ARRAY['admin'] WHERE email = 'balie@demo.test' AND tenant_id <> $1",
        )
        .bind(a.tenant)
        .execute(&mut db)
        .await
        .unwrap();
    }
    assert_eq!(other.page(&format!("/demo2/assembly/{meeting}")).await.0, 404);
    assert_eq!(
        other
            .send(
                &format!("/demo2/assembly/{meeting}/status"),
                &[("to", "uitgeschreven")]
            )
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_agenda_moves_items_without_script_and_numbers_sub_items() {
    let a = Assembly::new(0).await;
    let meeting = a.meeting(21).await;
    let mut db = a.db().await;
    let first: Uuid =
        sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1::uuid AND position = 1")
            .bind(&meeting)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let response = a
        .admin
        .post(
            &format!("/demo/assembly/{meeting}/items"),
            &[
                ("parent", &first.to_string()),
                ("kind", "mededeling"),
                ("title", "Welkom nieuwe leden"),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let second: Uuid = sqlx::query_scalar(
        "SELECT id FROM agenda_items WHERE meeting_id = $1::uuid AND position = 2 AND parent_id IS NULL",
    )
    .bind(&meeting)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let response = a
        .admin
        .post(
            &format!("/demo/assembly/{meeting}/items/{second}/move"),
            &[("direction", "up")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    let notulen = page.find("2.</span> Opening").expect("Opening is now item 2");
    let welcome = page
        .find("2a.</span> Welkom nieuwe leden")
        .expect("its sub-item moved along");
    assert!(notulen < welcome);
    assert!(page.contains("1.</span> Notulen vorige vergadering"), "{page}");
    // A decision item without a proposal is refused next to the field, keeping the title.
    let (status, body) = a
        .admin
        .send(
            &format!("/demo/assembly/{meeting}/items"),
            &[
                ("parent", ""),
                ("kind", "besluit"),
                ("title", "Begroting 2027"),
                ("decision_kind", "gewoon"),
                ("proposal", ""),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("id=\"item-proposal-error\"") && body.contains("value=\"Begroting 2027\""),
        "{body}"
    );
}

#[tokio::test]
async fn the_demo_cooperative_has_held_meetings_and_one_ahead_with_a_representative_for_every_member() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    for _ in 0..2 {
        schakel::demo::load_history(&owner).await.unwrap();
    }
    let mut db = app.owner_connection().await;
    let meetings: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.status, (SELECT count(*) FROM minutes n WHERE n.meeting_id = m.id)
         FROM meetings m JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'demo' ORDER BY m.starts_at",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        meetings,
        [
            ("notulen_vastgesteld".to_owned(), 1),
            ("gesloten".to_owned(), 1),
            ("uitgeschreven".to_owned(), 0)
        ],
        "loaded once"
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT kind FROM decisions WHERE adopted ORDER BY year, seq")
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(kinds, ["gewoon", "toelating", "gewoon", "ontzetting"]);
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM organisations WHERE name IN ('Mantelzorgcafé Woudenberg', 'Stichting Boodschappenbus Woudenberg')
         ORDER BY name",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(statuses, ["lid", "ontzet"], "the register followed the decisions");
    let unrepresented: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM organisations o JOIN tenants t ON t.id = o.tenant_id
         WHERE t.slug = 'demo' AND o.status IN ('aspirant', 'lid')
           AND NOT EXISTS (SELECT FROM representatives r WHERE r.organisation_id = o.id AND r.valid_until IS NULL)",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(unrepresented, 0);
    let representative = User::login(&app, "demo", "welzijn-woudenberg@demo.test").await;
    let (status, page) = representative.page("/demo/assembly").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Je vertegenwoordigt: Welzijn Woudenberg."),
        "{page}"
    );
}

#[tokio::test]
async fn a_working_groups_proposal_is_put_on_the_agenda_and_leads_to_a_decision() {
    let a = Assembly::new(1).await;
    let mut db = a.db().await;
    let group: Uuid = sqlx::query_scalar(
        "INSERT INTO working_groups (tenant_id, topic) VALUES ($1, 'Ouderen langer thuis') RETURNING id",
    )
    .bind(a.tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    sqlx::query("INSERT INTO working_group_members (tenant_id, working_group_id, organisation_id) VALUES ($1, $2, $3)")
        .bind(a.tenant)
        .bind(group)
        .bind(a.members[0])
        .execute(&mut db)
        .await
        .unwrap();
    // Staff of a member taking part submit it; an empty proposal is refused next to the field.
    let rep = a.rep(0).await;
    let path = format!("/demo/groups/{group}/proposals");
    let (status, body) = rep
        .send(&path, &[("title", "Meterkastkaart"), ("proposal", "")])
        .await;
    assert_eq!(status, 422);
    assert!(
        body.contains("id=\"proposal-proposal-error\"") && body.contains("value=\"Meterkastkaart\""),
        "{body}"
    );
    let (status, _) = rep
        .send(
            &path,
            &[
                ("title", "Meterkastkaart"),
                ("proposal", "Alle leden geven de meterkastkaart uit."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let proposal: Uuid =
        sqlx::query_scalar("SELECT id FROM working_group_proposals WHERE working_group_id = $1")
            .bind(group)
            .fetch_one(&mut db)
            .await
            .unwrap();
    // Only an administrator promotes it, to a meeting in preparation.
    let meeting = a.meeting(21).await;
    let promote = format!("/demo/assembly/proposals/{proposal}/promote");
    assert_eq!(rep.send(&promote, &[("meeting", &meeting)]).await.0, 403);
    assert_eq!(a.admin.send(&promote, &[("meeting", &meeting)]).await.0, 303);
    assert_eq!(
        a.admin.send(&promote, &[("meeting", &meeting)]).await.0,
        404,
        "once"
    );
    let item: Uuid = sqlx::query_scalar("SELECT id FROM agenda_items WHERE proposal_id = $1")
        .bind(proposal)
        .fetch_one(&mut db)
        .await
        .unwrap();
    a.in_session(&meeting).await;
    a.attend(&meeting, 0, "aanwezig", None).await;
    let (_, poll) = a.open_poll(&meeting, &item.to_string(), false).await;
    a.vote(&rep, &meeting, &poll, 0, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    // The group's page shows the decision; the secretary tracks how it is carried out.
    let (_, page) = rep.page(&format!("/demo/groups/{group}")).await;
    assert!(page.contains("ALV-") && page.contains("aangenomen"), "{page}");
    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE agenda_item_id = $1")
        .bind(item)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, _) = a
        .admin
        .send(
            &format!("/demo/assembly/decisions/{decision}/actions"),
            &[
                ("description", "Kaart drukken"),
                ("owner", "Welzijn Woudenberg"),
                ("due_on", "01-03-2027"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = rep.page(&format!("/demo/assembly/decisions/{decision}")).await;
    assert!(
        page.contains("Kaart drukken") && page.contains("01-03-2027"),
        "{page}"
    );
}

#[tokio::test]
async fn meeting_documents_must_be_pdfs_and_members_read_them_once_convened() {
    let a = Assembly::new(1).await;
    let meeting = a.meeting(21).await;
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str("application/pdf")
            .unwrap();
        let form = reqwest::multipart::Form::new()
            .text("item", "")
            .part("document", part);
        a.admin
            .app
            .client
            .post(a.app.url(&format!(
                "/demo/assembly/{meeting}/documents?csrf_token={}",
                a.admin.token
            )))
            .multipart(form)
            .send()
    };
    let refused = upload("begroting.pdf", b"<html>not a pdf</html>").await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Alleen PDF-bestanden"));
    let accepted = upload("begroting.pdf", b"%PDF-1.7\n%%EOF\n").await.unwrap();
    assert_eq!(accepted.status(), 303);
    let mut db = a.db().await;
    let document: Uuid = sqlx::query_scalar("SELECT id FROM agenda_documents")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/assembly/{meeting}/documents/{document}");
    let rep = a.rep(0).await;
    assert_eq!(rep.page(&path).await.0, 404, "not before the meeting is convened");
    a.set_status(&a.admin, &meeting, "uitgeschreven").await;
    let response = rep.app.get(&path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
}

#[tokio::test]
async fn a_representative_registers_its_own_attendance_or_proxy_before_the_meeting_only() {
    let a = Assembly::new(2).await;
    let meeting = a.meeting(21).await;
    a.set_status(&a.admin, &meeting, "uitgeschreven").await;
    let rep = a.rep(0).await;
    let path = format!("/demo/assembly/{meeting}/attendance");
    let proxy = [
        ("organisation", a.members[0].to_string()),
        ("presence", "volmacht".to_owned()),
        ("proxy_holder", a.members[1].to_string()),
        ("proxy_note", "Getekende volmacht, 1 december".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = proxy.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 303);
    // Not for another member.
    let other = [
        ("organisation", a.members[1].to_string()),
        ("presence", "aanwezig".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = other.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 403);
    // Once the meeting is open, the secretary keeps the list.
    a.set_status(&a.chair, &meeting, "geopend").await;
    let fields: Vec<(&str, &str)> = proxy.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(rep.send(&path, &fields).await.0, 403);
    let mut db = a.db().await;
    let holder: Uuid =
        sqlx::query_scalar("SELECT proxy_holder_id FROM attendance WHERE organisation_id = $1")
            .bind(a.members[0])
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(holder, a.members[1]);
}

#[tokio::test]
async fn the_secretary_records_a_vote_given_by_show_of_hands() {
    let a = Assembly::new(2).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    assert_eq!(a.vote(&a.admin, &meeting, &poll, 1, "voor").await, 303);
    // The chair leads; it does not vote for members.
    assert_eq!(a.vote(&a.chair, &meeting, &poll, 0, "voor").await, 403);
    let mut db = a.db().await;
    let by_secretary: bool = sqlx::query_scalar("SELECT by_secretary FROM votes WHERE poll_id = $1::uuid")
        .bind(&poll)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(by_secretary);
}

#[tokio::test]
async fn an_appeal_within_the_term_holds_the_expulsion_until_the_assembly_rules() {
    let a = Assembly::new(3).await;
    let expelled = a.members[2];
    let meeting = a.meeting(21).await;
    let item = a.decision_item(&meeting, "ontzetting", Some(expelled)).await;
    a.in_session(&meeting).await;
    for i in 0..3 {
        a.attend(&meeting, i, "aanwezig", None).await;
    }
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let reps = futures_reps(&a, 2).await;
    a.vote(&reps[0], &meeting, &poll, 0, "voor").await;
    a.vote(&reps[1], &meeting, &poll, 1, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    a.set_status(&a.chair, &meeting, "gesloten").await;
    let mut db = a.db().await;
    let decision: Uuid = sqlx::query_scalar("SELECT id FROM decisions WHERE agenda_item_id = $1::uuid")
        .bind(&item)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let path = format!("/demo/assembly/decisions/{decision}/appeal");
    let (status, body) = a.admin.send(&path, &[("appealed_on", &date_in(200))]).await;
    assert_eq!(status, 422, "outside the term");
    assert!(body.contains("id=\"appealed_on-error\""), "{body}");
    let (status, _) = a.admin.send(&path, &[("appealed_on", &date_in(25))]).await;
    assert_eq!(status, 303);
    let appeal_until: time::Date =
        sqlx::query_scalar("SELECT appeal_until FROM expulsions WHERE decision_id = $1")
            .bind(decision)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let mut tx = schakel::db::tenant_tx(&a.app.pool, a.tenant).await.unwrap();
    let done = schakel::assembly::decisions::complete_expulsions(&mut tx, appeal_until + Duration::days(10))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, 0);
    let status: String = sqlx::query_scalar("SELECT status FROM organisations WHERE id = $1")
        .bind(expelled)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(status, "geschorst");
}

#[tokio::test]
async fn minutes_are_drafted_approved_by_chair_and_secretary_and_adopted_by_the_next_meeting() {
    let a = Assembly::new(1).await;
    let (meeting, item) = a.ready("gewoon", None).await;
    let (status, _) = a
        .admin
        .send(
            &format!("/demo/assembly/{meeting}/items/{item}/notes"),
            &[("notes", "Unaniem zonder discussie.")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, poll) = a.open_poll(&meeting, &item, false).await;
    let rep = a.rep(0).await;
    a.vote(&rep, &meeting, &poll, 0, "voor").await;
    a.chair_step(&meeting, &poll, "close", &[]).await;
    a.chair_step(&meeting, &poll, "declare", &[]).await;
    a.set_status(&a.chair, &meeting, "gesloten").await;
    let minutes = format!("/demo/assembly/{meeting}/minutes");
    assert_eq!(a.admin.send(&minutes, &[]).await.0, 303);
    let (_, page) = a.admin.page(&minutes).await;
    assert!(
        page.contains("Unaniem zonder discussie.") && page.contains("1 voor, 0 tegen"),
        "{page}"
    );
    assert!(
        page.contains("Quorum: 50%"),
        "the minutes cite the statute rules: {page}"
    );
    // Members read minutes only once adopted.
    let (_, member_view) = rep.page(&minutes).await;
    assert!(!member_view.contains("Unaniem zonder discussie."));
    let approve = format!("{minutes}/approve");
    assert_eq!(
        a.admin
            .send(&approve, &[("version", "1"), ("as", "chair")])
            .await
            .0,
        403,
        "only the chair approves as chair"
    );
    assert_eq!(
        a.admin
            .send(&approve, &[("version", "1"), ("as", "secretary")])
            .await
            .0,
        303
    );
    // Not adopted before the chair approved too, and only in a later meeting in session.
    let next = a.meeting(42).await;
    a.in_session(&next).await;
    let adopt = format!("{minutes}/adopt");
    assert_eq!(a.chair.send(&adopt, &[("in_meeting", &next)]).await.0, 422);
    assert_eq!(
        a.chair
            .send(&approve, &[("version", "1"), ("as", "chair")])
            .await
            .0,
        303
    );
    assert_eq!(a.chair.send(&adopt, &[("in_meeting", &next)]).await.0, 303);
    let (_, member_view) = rep.page(&minutes).await;
    assert!(member_view.contains("Unaniem zonder discussie."), "{member_view}");
    let (_, page) = a.admin.page(&format!("/demo/assembly/{meeting}")).await;
    assert!(page.contains("notulen vastgesteld"));
    // Adopted minutes are read-only, even for the database's own users.
    let mut db = a.db().await;
    let changed = sqlx::query("UPDATE minutes SET version = version WHERE meeting_id = $1::uuid")
        .bind(&meeting)
        .execute(&mut db)
        .await;
    assert!(changed.is_err(), "the trigger refuses the change");
    assert_eq!(
        a.admin.send(&minutes, &[]).await.0,
        403,
        "no new version after adoption"
    );
}
