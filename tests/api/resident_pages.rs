//! A resident's own pages (`/demo/mijn`): the desk hands over a sign-in code that, with the
//! date of birth, sets up the account once; the resident sees and does only what is theirs; a
//! resident session reaches no staff page and a staff session no resident page; guessing is
//! slowed down as at the staff login.

use uuid::Uuid;

use crate::api::admin::link_in;
use crate::api::referrals::World;
use crate::common::users::User;
use crate::common::{TestApp, hidden_value, location};

const BORN: &str = "17-03-1956";
const PASSWORD: &str = "een lange zin als wachtwoord";

/// The code on the card the desk printed.
fn code_on(card: &str) -> String {
    let marker = "data-testid=\"sign-in-code\">";
    let start = card.find(marker).expect("a code on the card") + marker.len();
    card[start..start + 14].to_owned()
}

async fn set_born(w: &World, resident: Uuid) {
    let mut db = w.app.owner_connection().await;
    sqlx::query("UPDATE residents SET date_of_birth = '1956-03-17' WHERE id = $1")
        .bind(resident)
        .execute(&mut db)
        .await
        .unwrap();
}

/// The desk hands `resident` a new sign-in code.
async fn issue_code(desk: &User, resident: Uuid) -> String {
    let (status, card) = desk
        .send(&format!("/demo/residents/{resident}/inlogcode"), &[])
        .await;
    assert_eq!(status, 200, "{card}");
    code_on(&card)
}

/// Sets up the account on a client of its own; the answer's status and body.
async fn activate(app: &TestApp, code: &str, born: &str, email: &str) -> (u16, String, String) {
    let response = app
        .post_form(
            "/demo/mijn/activeren",
            "/demo/mijn/activeren",
            &[
                ("code", code),
                ("date_of_birth", born),
                ("email", email),
                ("password", PASSWORD),
                ("confirmation", PASSWORD),
            ],
        )
        .await;
    let status = response.status().as_u16();
    let to = location(&response).to_owned();
    (status, to, response.text().await.unwrap())
}

/// A resident signed in on their own pages, with the CSRF token their pages carry.
struct Resident {
    app: TestApp,
}

impl Resident {
    async fn set_up(w: &World, code: &str, email: &str) -> Resident {
        let app = w.app.other_client();
        let (status, to, body) = activate(&app, code, BORN, email).await;
        assert_eq!(status, 303, "{body}");
        assert_eq!(to, "/demo/mijn");
        Resident { app }
    }

    async fn page(&self, path: &str) -> (u16, String) {
        let response = self.app.get(path).await;
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let response = self.app.post_form("/demo/mijn", path, fields).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

/// Every staff route of the application, from the sources, with the world's case and resident
/// in place of ids: a resident's session must reach none of them.
fn staff_paths(w: &World) -> Vec<String> {
    let public = [
        "/{tenant}",
        "/{tenant}/login",
        "/{tenant}/logout",
        "/{tenant}/password-forgotten",
        "/{tenant}/invitation/{token}",
        "/{tenant}/password-reset/{token}",
        "/{tenant}/hulpvraag",
    ];
    let mut paths = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (i, _) in source.match_indices(".route(") {
                let rest = &source[i..];
                let Some(start) = rest.find('"') else { continue };
                let Some(len) = rest[start + 1..].find('"') else {
                    continue;
                };
                let route = &rest[start + 1..start + 1 + len];
                if route.starts_with("/{tenant}")
                    && !route.starts_with("/{tenant}/mijn")
                    && !public.contains(&route)
                {
                    paths.push(route.to_owned());
                }
            }
        }
    }
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .map(|route| {
            let id = if route.starts_with("/{tenant}/residents/") {
                w.resident.to_string()
            } else {
                w.case.to_string()
            };
            let mut path = route.replace("{tenant}", "demo").replace("{id}", &id);
            while let Some(start) = path.find('{') {
                let end = path[start..].find('}').unwrap() + start;
                path.replace_range(start..=end, &Uuid::new_v4().to_string());
            }
            path
        })
        .collect()
}

#[tokio::test]
async fn a_resident_sets_up_an_account_with_a_code_and_reaches_only_their_own_pages() {
    let w = World::new().await;
    set_born(&w, w.resident).await;
    let desk = w.login("balie@demo.test").await;
    let (_, resident_page) = desk.page(&format!("/demo/residents/{}", w.resident)).await;
    assert!(resident_page.contains("id=\"issue-sign-in-code\""));
    let code = issue_code(&desk, w.resident).await;

    // Nobody signed in is sent to the resident's sign-in page.
    let anonymous = w.app.other_client();
    let response = anonymous.get("/demo/mijn").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/mijn/inloggen");

    // A wrong date of birth, an unreadable code, a missing address: 422 with what was typed.
    let (status, _, body) = activate(&anonymous, &code, "18-03-1956", "wim@example.test").await;
    assert_eq!(status, 422);
    assert!(body.contains("horen niet bij elkaar"), "{body}");
    assert!(
        body.contains("value=\"wim@example.test\""),
        "keeps what was typed"
    );
    let (status, _, body) = activate(&anonymous, "ABC", BORN, "").await;
    assert_eq!(status, 422);
    assert!(body.contains("id=\"code-error\"") && body.contains("id=\"email-error\""));

    let wim = Resident::set_up(&w, &code, "Wim@Example.test").await;
    // The code was used: it sets up nothing a second time.
    let (status, _, _) = activate(&w.app.other_client(), &code, BORN, "ander@example.test").await;
    assert_eq!(status, 422);
    // Only a keyed digest of the code is stored.
    let mut db = w.app.owner_connection().await;
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT code_digest FROM resident_sign_in_codes WHERE resident_id = $1")
            .bind(w.resident)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains(&code.replace('-', "")));

    let (status, page) = wim.page("/demo/mijn").await;
    assert_eq!(status, 200);
    assert!(page.contains("Schulden en ruzie met de buren"), "their request");
    assert!(page.contains("Tom Teamlid"), "their lead");

    // Signing in again with the address (in any case) and the password.
    let again = w.app.other_client();
    let response = again
        .post_form(
            "/demo/mijn/inloggen",
            "/demo/mijn/inloggen",
            &[("email", "wim@example.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(again.get("/demo/mijn").await.status(), 200);

    // A resident session reaches no staff page: every route, read or sent.
    for path in staff_paths(&w) {
        let response = wim.app.get(&path).await;
        let status = response.status().as_u16();
        let status = if status == 405 {
            wim.post(&path, &[]).await.0
        } else {
            status
        };
        assert!(
            status == 403 || status == 404,
            "{path} answered {status} to a resident"
        );
    }
    // A staff session reaches no resident page.
    for path in [
        "/demo/mijn",
        "/demo/mijn/plan",
        "/demo/mijn/inzage",
        "/demo/mijn/gegevens.json",
    ] {
        assert_eq!(desk.status(path).await, 403, "{path}");
    }
    // Another cooperative's pages: nothing there for this session.
    assert_eq!(wim.app.get("/demo2/mijn").await.status(), 404);

    // Another resident's things are not found.
    let (other_case, other) = other_case(&w).await;
    let lead = w.login("team@demo.test").await;
    let _ = other_case;
    let consent: Uuid = sqlx::query_scalar(
        "INSERT INTO consents (tenant_id, case_id, organisation_id, purpose, given_on, recorded_by)
         SELECT tenant_id, $1, $2, 'Delen met de zorgcirkel', current_date, $3 FROM cases WHERE id = $1 RETURNING id",
    )
    .bind(other_case)
    .bind(w.org_a)
    .bind(lead.id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let (status, _) = wim
        .post(&format!("/demo/mijn/toestemmingen/{consent}/intrekken"), &[])
        .await;
    assert_eq!(status, 404);
    let (status, _) = wim
        .post("/demo/mijn/wie", &[("resident", &other.to_string())])
        .await;
    assert_eq!(status, 404);
    let (status, _) = wim
        .post(
            "/demo/mijn/bericht",
            &[("case", &other_case.to_string()), ("body", "Hallo")],
        )
        .await;
    assert_eq!(status, 422, "not a case to write to");
    let withdrawn: bool = sqlx::query_scalar("SELECT withdrawn_at IS NOT NULL FROM consents WHERE id = $1")
        .bind(consent)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(!withdrawn);

    // Signing out ends the session.
    let (status, _) = wim.post("/demo/mijn/uitloggen", &[]).await;
    assert_eq!(status, 303);
    assert_eq!(wim.app.get("/demo/mijn").await.status(), 303);
}

/// A second resident with a case of their own.
async fn other_case(w: &World) -> (Uuid, Uuid) {
    let mut db = w.app.owner_connection().await;
    sqlx::query_as(
        "WITH r AS (INSERT INTO residents (tenant_id, first_names, surname, date_of_birth)
                    VALUES ($1, 'Anna', 'Anders', '1956-03-17') RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, channel, domains, question, form_token, status, triage,
                                     triaged_at, unsafe_at_home)
               SELECT tenant_id, id, 'desk', ARRAY['wmo'], 'Hulp bij de administratie', gen_random_uuid(),
                      'with_team', 'to_team', now(), false FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency)
         SELECT tenant_id, id, resident_id, 'normal' FROM q RETURNING id, resident_id",
    )
    .bind(w.tenant)
    .fetch_one(&mut db)
    .await
    .unwrap()
}

#[tokio::test]
async fn codes_expire_and_guessing_is_slowed_down() {
    let w = World::new().await;
    set_born(&w, w.resident).await;
    let desk = w.login("balie@demo.test").await;
    let first = issue_code(&desk, w.resident).await;
    // A new code replaces the one before.
    let code = issue_code(&desk, w.resident).await;
    let (status, _, _) = activate(&w.app.other_client(), &first, BORN, "wim@example.test").await;
    assert_eq!(status, 422, "the replaced code");
    let mut db = w.app.owner_connection().await;
    sqlx::query("UPDATE resident_sign_in_codes SET issued_at = now() - interval '15 days', expires_at = now() - interval '1 day'")
        .execute(&mut db)
        .await
        .unwrap();
    let (status, _, _) = activate(&w.app.other_client(), &code, BORN, "wim@example.test").await;
    assert_eq!(status, 422, "an expired code");

    // Wrong dates of birth for one code: after five, the sixth must wait.
    let code = issue_code(&desk, w.resident).await;
    let guesser = w.app.other_client();
    for day in 1..=5 {
        let (status, _, _) = activate(&guesser, &code, &format!("{day:02}-01-1990"), "x@example.test").await;
        assert_eq!(status, 422);
    }
    let (status, _, body) = activate(&guesser, &code, BORN, "wim@example.test").await;
    assert_eq!(status, 429, "{body}");

    // Wrong passwords for one address: the same.
    let code = issue_code(&desk, w.resident).await;
    Resident::set_up(&w, &code, "wim@example.test").await;
    let client = w.app.other_client();
    for _ in 0..5 {
        let response = client
            .post_form(
                "/demo/mijn/inloggen",
                "/demo/mijn/inloggen",
                &[("email", "wim@example.test"), ("password", "fout fout fout fout")],
            )
            .await;
        assert_eq!(response.status(), 422);
    }
    let response = client
        .post_form(
            "/demo/mijn/inloggen",
            "/demo/mijn/inloggen",
            &[("email", "wim@example.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn a_resident_agrees_to_the_plan_withdraws_a_consent_writes_and_sees_who_looked() {
    let w = World::new().await;
    set_born(&w, w.resident).await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let case = w.case_path();
    assert_eq!(lead.status(&case).await, 200);

    // The plan: a goal, agreed with the resident as version 1.
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").unwrap();
    let answer = lead
        .submit(
            &format!("{case}/plan/goals"),
            &[
                ("description", "Weer zelf boodschappen doen"),
                ("lock_version", &version),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").unwrap();
    let today = crate::common::pages::nl(crate::common::records::today(&w.app).await);
    let answer = lead
        .submit(
            &format!("{case}/plan/agree"),
            &[("agreed_on", &today), ("lock_version", &version)],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    // A consent and a referral under it that the member organisation works on.
    w.consent(&lead, &format!("org:{}", w.org_a), &today, "").await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);

    let desk = w.login("balie@demo.test").await;
    let code = issue_code(&desk, w.resident).await;
    let wim = Resident::set_up(&w, &code, "wim@example.test").await;

    let (status, page) = wim.page("/demo/mijn/plan").await;
    assert_eq!(status, 200);
    assert!(page.contains("Weer zelf boodschappen doen"));
    assert!(page.contains("id=\"agree-plan\""));
    let (status, _) = wim
        .post(
            "/demo/mijn/plan/akkoord",
            &[("case", &w.case.to_string()), ("version", "1")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = wim.page("/demo/mijn/plan").await;
    assert!(!page.contains("id=\"agree-plan\""), "agreed once");
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    assert!(plan.contains("id=\"resident-agreement\""), "the case shows it");

    // The referral shows without anything internal; the consent is withdrawn at once.
    let (_, page) = wim.page("/demo/mijn").await;
    assert!(page.contains("Maatjescontact") && page.contains("Zorgcirkel Testdorp"));
    assert!(!page.contains("Maatje<"), "not the referral's purpose");
    let withdraw = crate::common::actions_ending_with(&page, "/intrekken");
    assert_eq!(withdraw.len(), 1);
    let (status, _) = wim.post(&withdraw[0], &[]).await;
    assert_eq!(status, 303);
    assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 404);
    let (_, consents) = lead.page(&format!("{case}/tab/referrals")).await;
    assert!(consents.contains("door de inwoner"), "{consents}");

    // A message to the lead: into the journal as the resident's, and the lead is told.
    let (status, page) = wim
        .post(
            "/demo/mijn/bericht",
            &[("case", &w.case.to_string()), ("body", "  ")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"body-error\""));
    let (status, _) = wim
        .post(
            "/demo/mijn/bericht",
            &[
                ("case", &w.case.to_string()),
                ("body", "Ik ben volgende week op vakantie."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, journal) = lead.page(&format!("{case}/journal")).await;
    assert!(journal.contains("Ik ben volgende week op vakantie."));
    assert!(journal.contains("Wim Welkoop"), "from the resident");
    let (_, notices) = lead.page("/demo/notifications").await;
    assert!(notices.contains("Bericht van een inwoner"));
    assert!(notices.contains("Een inwoner trok een toestemming in"));

    // Who looked: the lead and the member organisation, not the resident's own visits.
    let (status, page) = wim.page("/demo/mijn/inzage").await;
    assert_eq!(status, 200);
    assert!(page.contains("Tom Teamlid"));
    assert!(page.contains("Zorgcirkel Testdorp"));
    assert!(!page.contains("Lars Lidorganisatie"));
    assert!(!page.contains("<td>Wim Welkoop</td>"), "not their own looks");

    // Their data, with the same list; the download is on their trail.
    let response = wim.app.get("/demo/mijn/gegevens.json").await;
    assert_eq!(response.status(), 200);
    let export: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    let views = export["file_views"].as_array().unwrap();
    assert!(views.iter().any(|v| v["who"] == "Tom Teamlid"));
    assert!(views.iter().all(|v| v["who"] != "Wim Welkoop"));
    let mut db = w.app.owner_connection().await;
    let exports: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE resident_id = $1 AND kind = 'privacy_export' AND actor_resident_id = $1",
    )
    .bind(w.resident)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(exports, 1);
}

#[tokio::test]
async fn the_lead_gives_a_parent_their_childs_pages_and_takes_them_back() {
    let w = World::new().await;
    set_born(&w, w.resident).await;
    let mut db = w.app.owner_connection().await;
    // Wim's daughter, 11, with a case of her own led by Tom; and a neighbour who is no parent.
    let (child_case, child): (Uuid, Uuid) = sqlx::query_as(
        "WITH r AS (INSERT INTO residents (tenant_id, first_names, surname, date_of_birth)
                    VALUES ($1, 'Sanne', 'Welkoop', (now() - interval '11 years')::date) RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, channel, domains, question, form_token, status, triage,
                                     triaged_at, unsafe_at_home)
               SELECT tenant_id, id, 'desk', ARRAY['jeugd'], 'Sanne gaat niet meer naar school', gen_random_uuid(),
                      'with_team', 'to_team', now(), false FROM r RETURNING tenant_id, id, resident_id)
         INSERT INTO cases (tenant_id, request_id, resident_id, urgency, lead_id)
         SELECT q.tenant_id, q.id, q.resident_id, 'normal', u.id FROM q
         JOIN users u ON u.tenant_id = q.tenant_id AND u.email = 'team@demo.test'
         RETURNING id, resident_id",
    )
    .bind(w.tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO household_members (tenant_id, resident_id, member_id, relation) VALUES ($1, $2, $3, 'parent')",
    )
    .bind(w.tenant)
    .bind(child)
    .bind(w.resident)
    .execute(&mut db)
    .await
    .unwrap();
    let (_, neighbour) = other_case(&w).await;

    let desk = w.login("balie@demo.test").await;
    let code = issue_code(&desk, w.resident).await;
    let wim = Resident::set_up(&w, &code, "wim@example.test").await;
    let (_, page) = wim.page("/demo/mijn").await;
    assert!(!page.contains("/mijn/wie"), "nothing to switch to yet");

    let lead = w.login("team@demo.test").await;
    let path = format!("/demo/cases/{child_case}/ouders");
    let (status, page) = lead.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Wim Welkoop"));
    let answer = lead
        .submit(&path, &[("parent", &neighbour.to_string()), ("give", "yes")])
        .await;
    assert_eq!(answer.status, 404, "not a parent in the household");
    let answer = lead
        .submit(&path, &[("parent", &w.resident.to_string()), ("give", "yes")])
        .await;
    assert_eq!(answer.status, 303);
    // Only those who write in the case give access.
    assert_eq!(w.login("lid@demo.test").await.status(&path).await, 404);

    let (status, _) = wim
        .post("/demo/mijn/wie", &[("resident", &child.to_string())])
        .await;
    assert_eq!(status, 303);
    let (_, page) = wim.page("/demo/mijn").await;
    assert!(
        page.contains("Sanne gaat niet meer naar school"),
        "the child's request"
    );
    assert!(page.contains("van Sanne Welkoop"));
    assert!(
        !page.contains("Schulden en ruzie met de buren"),
        "not his own now"
    );
    let given: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE case_id = $1 AND kind = 'guardian_changed'",
    )
    .bind(child_case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(given, 1);

    // Taken back: the session shows his own pages again.
    let answer = lead
        .submit(&path, &[("parent", &w.resident.to_string()), ("give", "no")])
        .await;
    assert_eq!(answer.status, 303);
    let (status, page) = wim.page("/demo/mijn").await;
    assert_eq!(status, 200);
    assert!(page.contains("Schulden en ruzie met de buren"));
    assert!(!page.contains("Sanne gaat niet meer naar school"));
    let (status, _) = wim
        .post("/demo/mijn/wie", &[("resident", &child.to_string())])
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn with_mail_a_resident_signs_in_with_a_one_time_link() {
    let (app, inbox) = TestApp::spawn_with_mail().await;
    let tenant = app.tenant_id("demo").await;
    let mut db = app.owner_connection().await;
    let resident: Uuid = sqlx::query_scalar(
        "INSERT INTO residents (tenant_id, first_names, surname, date_of_birth)
         VALUES ($1, 'Wim', 'Welkoop', '1956-03-17') RETURNING id",
    )
    .bind(tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let code = issue_code(&desk, resident).await;
    let (status, _, _) = activate(&app.other_client(), &code, BORN, "wim@example.test").await;
    assert_eq!(status, 303);

    let visitor = app.other_client();
    let (_, page) = (
        200,
        visitor.get("/demo/mijn/inloggen").await.text().await.unwrap(),
    );
    assert!(
        page.contains("name=\"link_email\""),
        "offered when mail is configured"
    );
    let ask = |email: &'static str| {
        let visitor = &visitor;
        async move {
            visitor
                .post_form(
                    "/demo/mijn/inloggen",
                    "/demo/mijn/inloglink",
                    &[("link_email", email)],
                )
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let known = ask("Wim@example.test").await;
    let unknown = ask("niemand@example.test").await;
    assert!(known.contains("id=\"link-sent\""));
    assert_eq!(known, unknown, "the same answer either way");
    let messages = inbox.messages();
    assert_eq!(messages.len(), 1, "only the known address gets mail");
    assert!(messages[0].contains("wim@example.test"));
    let path = link_in(&messages[0], "/demo/mijn/inloglink/");

    // Opening the link signs nobody in (a mail scanner may open it); its button does, once.
    let wim = app.other_client();
    let page = wim.get(&path).await.text().await.unwrap();
    assert!(page.contains("id=\"use-link\""), "{path}: {page}");
    assert_eq!(wim.get("/demo/mijn").await.status(), 303);
    let response = wim.post_form(&path, &path, &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/demo/mijn");
    assert_eq!(wim.get("/demo/mijn").await.status(), 200);
    let again = app.other_client();
    assert_eq!(
        again.post_form(&path, &path, &[]).await.status(),
        404,
        "used once"
    );

    // A second link within five minutes is not sent (no flooding), and the answer is the same.
    assert_eq!(ask("wim@example.test").await, unknown);
    assert_eq!(inbox.messages().len(), 1);
    let (status, body) = {
        let response = app
            .other_client()
            .post_form(
                "/demo/mijn/inloggen",
                "/demo/mijn/inloglink",
                &[("link_email", "geen adres")],
            )
            .await;
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(status, 422);
    assert!(body.contains("id=\"link_email-error\""));
}

#[tokio::test]
async fn without_mail_no_sign_in_link_is_offered() {
    let app = TestApp::spawn().await;
    let page = app.get("/demo/mijn/inloggen").await.text().await.unwrap();
    assert!(!page.contains("name=\"link_email\""));
    let response = app
        .post_form(
            "/demo/mijn/inloggen",
            "/demo/mijn/inloglink",
            &[("link_email", "wim@example.test")],
        )
        .await;
    assert_eq!(response.status(), 404);
}
