//! The status workflow: each transition allowed or refused, who made it, and closing from
//! every open state.

use crate::common::TestApp;
use crate::common::pages::field_error;
use crate::common::users::User;

use super::{
    change_status, desk_case, exec, give_lead, insert_case, lock_version, status_events, status_of, take,
};

/// The value of the input with id `id` (whatever its name).
fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    let rest = &rest[rest.find("value=\"")? + 7..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Adds a goal to the case's plan and agrees the plan today.
pub(super) async fn agree_plan(user: &User, case: &str) {
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
        .map(|(from, to)| (from.to_string(), to.to_string(), team.id.to_string()))
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
            [(from.to_owned(), "afgesloten".to_owned(), team.id.to_string())]
        );
    }
}

#[tokio::test]
async fn closing_a_case_stops_its_clocks_and_reopening_lets_them_run_again() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let (case, _) = desk_case(&desk, "Klokstop", &["wmo", "jeugd"], None).await;
    let mut db = app.owner_connection().await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");
    let (_, page) = team.page(&path).await;
    assert!(page.contains("Eerstvolgende termijn"), "two clocks run");

    let (status, body) = change_status(
        &team,
        &mut db,
        &case,
        &[("to", "afgesloten"), ("closing_result", "verhuisd")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let today = crate::common::records::today(&app).await;
    let clocks: Vec<(String, Option<time::Date>, Option<time::Date>)> = sqlx::query_as(
        "SELECT kind, completed_on, stopped_on FROM case_clocks WHERE case_id = $1::uuid ORDER BY kind",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        clocks,
        [
            ("jeugd_decision".to_owned(), None, Some(today)),
            ("wmo_investigation".to_owned(), None, Some(today)),
        ],
        "stopped on the closing date, not decided"
    );
    let next: Option<time::Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, None, "no term runs for the queue");
    let (_, page) = team.page(&format!("{path}/tab/terms")).await;
    assert!(!page.contains("Eerstvolgende termijn"), "{page}");
    assert_eq!(page.matches("Gestopt: de casus is afgesloten").count(), 2);
    assert!(
        !page.contains("name=\"action\" value=\"pause\""),
        "a stopped clock is not paused or extended"
    );

    let (status, body) = change_status(
        &team,
        &mut db,
        &case,
        &[("to", "in_onderzoek"), ("reason", "Toch niet verhuisd.")],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let stopped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_clocks WHERE case_id = $1::uuid AND stopped_on IS NOT NULL",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(stopped, 0, "reopened, the clocks run again");
    let (_, page) = team.page(&path).await;
    assert!(page.contains("Eerstvolgende termijn"));
}
