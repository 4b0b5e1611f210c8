//! The social team's forms on a case, the referral forms of the case's lead and the steps of
//! member staff: spoiled texts are refused beside their field and nothing is stored.

use super::{Form, date_in, refuses_spoiled_texts};
use crate::api::referrals::World;
use crate::common::TestApp;
use crate::common::hidden_value;
use crate::common::users::User;

/// The case's and its plan's versions, as their forms carry them.
async fn versions(app: &TestApp, case: uuid::Uuid) -> (String, String) {
    let mut db = app.owner_connection().await;
    sqlx::query_as(
        "SELECT c.lock_version::text, coalesce((SELECT p.lock_version::text FROM support_plans p
                                                 WHERE p.case_id = c.id), '0')
         FROM cases c WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(&mut db)
    .await
    .unwrap()
}

/// The action of the journal form on the case's journal.
async fn journal_action(team: &User, case: &str) -> String {
    let (_, page) = team.page(&format!("{case}/tab/journal")).await;
    let form = page
        .split("<form ")
        .find(|form| form.contains("id=\"journal-form\""))
        .expect("the journal form");
    let action = form.split("action=\"").nth(1).unwrap();
    action[..action.find('"').unwrap()].replace("&amp;", "&")
}

#[tokio::test]
async fn the_forms_of_a_case_refuse_control_characters_and_long_texts_beside_the_field() {
    let world = World::new().await;
    let app = &world.app;
    let team = world.login("team@demo.test").await;
    let case = world.case_path();
    let today = date_in(app, 0).await;
    // A conversation to report on, a goal to work on and a consent to withdraw.
    let answer = team
        .submit(
            &format!("{case}/conversations"),
            &[
                ("date", &today),
                ("time", "10:00"),
                ("place", "Bij de inwoner thuis"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let (_, plan) = team.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").expect("the plan's version");
    let answer = team
        .submit(
            &format!("{case}/plan/goals"),
            &[
                ("description", "Weer zelf boodschappen doen"),
                ("lock_version", &version),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    // Agreed with the resident, so that results can be recorded.
    let (_, plan) = team.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").expect("the plan's version");
    let answer = team
        .submit(
            &format!("{case}/plan/agree"),
            &[("agreed_on", &today), ("lock_version", &version)],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let consent = world
        .consent(&team, &format!("org:{}", world.org_a), &today, "")
        .await;
    let mut db = app.owner_connection().await;
    let conversation: String = sqlx::query_scalar("SELECT id::text FROM conversations WHERE case_id = $1")
        .bind(world.case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let goal: String = sqlx::query_scalar(
        "SELECT g.id::text FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = $1",
    )
    .bind(world.case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    let colleague = app.user_id("demo", "procesmanager@demo.test").await;
    let (case_version, plan_version) = versions(app, world.case).await;
    let forms = [
        Form::new(
            "conversation",
            format!("{case}/conversations"),
            &[
                ("date", &today),
                ("time", "11:00"),
                ("place", "Op kantoor"),
                ("participants", "Wim en zijn dochter"),
            ],
        )
        .texts(&["place", "participants"]),
        Form::new(
            "conversation report",
            format!("{case}/conversations/{conversation}"),
            &[
                ("report_on", &today),
                ("housing", "Woont alleen"),
                ("wishes", "Meer contact"),
            ],
        )
        .texts(&[
            "housing",
            "finances",
            "health",
            "social_network",
            "daytime",
            "parenting",
            "safety",
            "wishes",
        ]),
        Form::new(
            "network",
            format!("{case}/network"),
            &[
                ("name", "Joke Jansen"),
                ("role", "buurvrouw"),
                ("phone", "06-87654321"),
                ("email", "joke@example.test"),
                ("relation", "buur"),
            ],
        )
        .texts(&["name", "role", "phone", "email"]),
        Form {
            multipart: true,
            ..Form::new(
                "journal",
                journal_action(&team, &case).await,
                &[
                    ("kind", "notitie"),
                    ("body", "Gebeld met Wim"),
                    ("date", &today),
                    ("time", "09:00"),
                ],
            )
        }
        .texts(&["body"]),
        Form::new(
            "task",
            format!("{case}/tasks"),
            &[
                ("title", "Terugbellen"),
                ("assignee", &team.id.to_string()),
                ("due_on", &today),
            ],
        )
        .texts(&["title"]),
        Form::new(
            "handing over",
            format!("{case}/lead"),
            &[
                ("lead", &colleague),
                ("note", "Graag overnemen"),
                ("lock_version", &case_version),
            ],
        )
        .texts(&["note"]),
        Form::new(
            "status",
            format!("{case}/status"),
            &[
                ("to", "in_onderzoek"),
                ("reason", "Gesprek gepland"),
                ("lock_version", &case_version),
            ],
        )
        .texts(&["reason"]),
        Form::new(
            "escalation",
            format!("{case}/escalation"),
            &[
                ("level", "opgeschaald"),
                ("reason", "Zorgen"),
                ("coordinator", ""),
                ("lock_version", &case_version),
            ],
        )
        .texts(&["reason"]),
        Form::new(
            "goal",
            format!("{case}/plan/goals"),
            &[("description", "Veilig wonen"), ("lock_version", &plan_version)],
        )
        .texts(&["description"]),
        Form::new(
            "action",
            format!("{case}/plan/goals/{goal}/actions"),
            &[
                ("description", "Boodschappenlijst maken"),
                ("performer", "netwerk"),
                ("performer_name", "Dochter"),
                ("target_on", ""),
                ("lock_version", &plan_version),
            ],
        )
        .texts(&["description", "performer_name"]),
        Form::new(
            "goal result",
            format!("{case}/plan/goals/{goal}/result"),
            &[
                ("result", "behaald"),
                ("result_note", "Gaat goed"),
                ("lock_version", &plan_version),
            ],
        )
        .texts(&["result_note"]),
        Form::new(
            "consent",
            format!("{case}/consents"),
            &[
                ("recipient", &format!("org:{}", world.org_b)),
                ("purpose", "Hulp regelen"),
                ("given_on", &today),
            ],
        )
        .texts(&["purpose"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&team, form).await;
    }
    // A one-field form in a row of the consent table: its message stands at the top.
    let long = "x".repeat(100_000);
    let withdraw = format!("{case}/consents/{consent}/withdraw");
    for note in ["Proef\0zin", long.as_str()] {
        let (status, body) = team.send(&withdraw, &[("note", note)]).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("error-summary"));
    }
    let mut db = app.owner_connection().await;
    let withdrawn: bool = sqlx::query_scalar("SELECT withdrawn_at IS NOT NULL FROM consents WHERE id = $1")
        .bind(consent)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(!withdrawn);

    // A professional not involved states a reason to open the case.
    sqlx::query(
        "INSERT INTO users (tenant_id, email, name, roles, password_hash)
         SELECT tenant_id, 'anders@demo.test', 'Anna Anders', ARRAY['professional'], password_hash
         FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test'",
    )
    .bind(world.tenant)
    .execute(&mut db)
    .await
    .unwrap();
    let anders = world.login("anders@demo.test").await;
    let access =
        Form::new("access", format!("{case}/access"), &[("reason", "Waarneming")]).texts(&["reason"]);
    refuses_spoiled_texts(&anders, &access).await;
}

#[tokio::test]
async fn the_referral_forms_refuse_control_characters_and_long_texts_beside_the_field() {
    let world = World::new().await;
    let app = &world.app;
    let team = world.login("team@demo.test").await;
    let member = world.login("lid@demo.test").await;
    let case = world.case_path();
    let today = date_in(app, 0).await;
    world
        .consent(&team, &format!("org:{}", world.org_a), &today, "")
        .await;
    let target = world.target(world.shared, Some(world.org_a));
    let referral = world.refer(&team, &target, "Boodschappen doen").await;
    let forms = [
        Form::new(
            "referral",
            format!("{case}/referrals"),
            &[
                ("target", &world.target(world.own, Some(world.org_a))),
                ("purpose", "Maatje zoeken"),
                ("summary", "Wim wil graag iemand om mee te wandelen."),
                ("expected_start", ""),
                ("goal_id", ""),
            ],
        )
        .texts(&["purpose", "summary"]),
        Form::new(
            "withdrawing a referral",
            format!("{case}/referrals/{referral}/withdraw"),
            &[("reason", "Niet meer nodig")],
        )
        .texts(&["reason"]),
        Form::new(
            "lead's note",
            format!("{case}/referrals/{referral}/notes"),
            &[("body", "Bel eerst de dochter")],
        )
        .texts(&["body"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&team, form).await;
    }
    let steps = format!("/demo/referrals/{referral}");
    let declining = Form::new(
        "declining",
        format!("{steps}/decline"),
        &[("reason", "anders"), ("note", "Geen vrijwilligers")],
    )
    .texts(&["note"]);
    refuses_spoiled_texts(&member, &declining).await;
    for step in ["accept", "start"] {
        let answer = member.submit(&format!("{steps}/{step}"), &[]).await;
        assert_eq!(answer.status, 303, "{step}: {}", answer.body);
    }
    let forms = [
        Form::new(
            "finishing",
            format!("{steps}/finish"),
            &[
                ("outcome", "niet_geslaagd"),
                ("outcome_reason", "Verhuisd"),
                ("delivered", "no"),
                ("report", "Kort contact"),
            ],
        )
        .texts(&["outcome_reason", "report"]),
        Form::new("returning", format!("{steps}/return"), &[("reason", "Past niet")]).texts(&["reason"]),
        Form::new(
            "member's note",
            format!("{steps}/notes"),
            &[("body", "Wij bellen morgen")],
        )
        .texts(&["body"]),
    ];
    for form in &forms {
        refuses_spoiled_texts(&member, form).await;
    }
}
