//! The case page's parts: an overview with the next step first and a tab per part of the work,
//! each its own address; every save returns to its part with the confirmation in view; the
//! next status is suggested once its conditions are met; urgency travels with the case.

use crate::common::TestApp;
use crate::common::users::User;

use super::workflow::agree_plan;
use super::{
    CASE_TABS, change_status, desk_case, give_lead, insert_case, link_position, lock_of, status_of, take,
};

/// The suggested status of an overview page: the value its one-click form sends.
fn suggested(page: &str) -> Option<&str> {
    let form = &page[page.find("id=\"suggested-status\"")?..];
    let form = &form[..form.find("</form>")?];
    let value = &form[form.find("name=\"to\" value=\"")? + 17..];
    Some(&value[..value.find('"')?])
}

#[tokio::test]
async fn every_part_of_a_case_has_its_own_address_and_its_view_is_audited() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Tabbladen", &["wmo"], None).await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");

    let (status, overview) = team.page(&path).await;
    assert_eq!(status, 200);
    assert!(overview.contains("aria-current=\"page\">Overzicht<"));
    let next_step = overview.find("id=\"next-step\"").expect("the next step");
    assert!(
        next_step < overview.find("id=\"status\"").unwrap(),
        "the next step comes first"
    );
    for tab in CASE_TABS {
        assert!(
            overview.contains(&format!("href=\"{path}/tab/{tab}\"")),
            "a link to {tab}"
        );
    }
    for (tab, label, shows, hides) in [
        (
            "conversations",
            "Gesprek",
            "id=\"conversations\"",
            "id=\"journal-form\"",
        ),
        ("plan", "Plan", "id=\"plan\"", "id=\"conversations\""),
        ("journal", "Journaal", "id=\"journal-form\"", "id=\"status\""),
        ("referrals", "Verwijzingen", "id=\"consents\"", "id=\"clocks\""),
        ("terms", "Termijnen", "id=\"clocks\"", "id=\"referrals\""),
        ("network", "Netwerk", "id=\"network\"", "id=\"next-step\""),
    ] {
        let (status, page) = team.page(&format!("{path}/tab/{tab}")).await;
        assert_eq!(status, 200, "{tab}");
        assert!(page.contains(&format!("aria-current=\"page\">{label}<")), "{tab}");
        assert!(
            page.contains(shows) && !page.contains(hides),
            "{tab} shows only its part"
        );
        assert!(
            page.contains("<h1>Fenna Tabbladen</h1>"),
            "{tab} has the case's header"
        );
    }
    for unknown in ["overview", "nope"] {
        assert_eq!(team.status(&format!("{path}/tab/{unknown}")).await, 404);
    }
    let stranger = uuid::Uuid::new_v4();
    assert_eq!(
        team.status(&format!("/demo/cases/{stranger}/tab/plan")).await,
        404
    );

    let parts: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT details->>'part' FROM audit_events
         WHERE kind = 'case_viewed' AND case_id = $1::uuid ORDER BY occurred_at, id",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut expected = vec![None];
    expected.extend(CASE_TABS.iter().map(|tab| Some(tab.to_string())));
    assert_eq!(parts, expected, "every view of a part is audited");
}

#[tokio::test]
async fn a_save_returns_to_its_part_with_the_confirmation_at_the_top() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Bevestiging", &["wmo"], Some("2025-10-20")).await;
    let path = format!("/demo/cases/{case}");
    let lock = lock_of(&mut db, &case).await;

    for (action, fields, back) in [
        (
            "lead",
            vec![("lock_version", lock.as_str()), ("lead", "me")],
            path.clone(),
        ),
        (
            "conversations",
            vec![("date", "2025-10-27"), ("time", "10:00"), ("place", "Thuis")],
            format!("{path}/tab/conversations"),
        ),
        (
            "network",
            vec![("name", "Nel Buur"), ("relation", "buur")],
            format!("{path}/tab/network"),
        ),
        (
            "clocks",
            vec![("action", "application"), ("date", "2025-10-28")],
            format!("{path}/tab/terms"),
        ),
    ] {
        let answer = team.submit(&format!("{path}/{action}"), &fields).await;
        assert_eq!(answer.status, 303, "{action}: {}", answer.body);
        assert_eq!(answer.location, format!("{back}#flash"), "{action}");
        let (_, page) = team.page(&answer.location).await;
        let flash = page.find("id=\"flash\"").expect("the confirmation");
        assert!(
            flash < page.find("<h1>").unwrap(),
            "{action}: the confirmation is at the top of its part"
        );
        assert!(page.contains("role=\"status\" id=\"flash\" tabindex=\"-1\""));
    }
}

#[tokio::test]
async fn the_overview_suggests_the_next_status_once_its_conditions_are_met() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Suggestie", &["wmo"], Some("2025-10-20")).await;
    let path = format!("/demo/cases/{case}");
    take(&team, &mut db, &case).await;
    assert_eq!(suggested(&team.page(&path).await.1), None, "no report yet");

    let (status, _) = team
        .send(
            &format!("{path}/conversations"),
            &[("date", "2025-10-27"), ("time", "10:00"), ("place", "Thuis")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        suggested(&team.page(&path).await.1),
        None,
        "planned, not reported"
    );
    let conversation: String =
        sqlx::query_scalar("SELECT id::text FROM conversations WHERE case_id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let (status, body) = team
        .send(
            &format!("{path}/conversations/{conversation}"),
            &[("report_on", "27-10-2025"), ("wishes", "Thuis blijven wonen.")],
        )
        .await;
    assert_eq!(status, 303, "{body}");

    // One click, as the form on the overview sends it.
    let (_, page) = team.page(&path).await;
    assert_eq!(suggested(&page), Some("in_onderzoek"));
    assert!(page.contains("Status naar ‘In onderzoek’"));
    let (status, body) = change_status(&team, &mut db, &case, &[("to", "in_onderzoek")]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(suggested(&team.page(&path).await.1), None, "no agreed plan yet");

    agree_plan(&team, &case).await;
    assert_eq!(suggested(&team.page(&path).await.1), Some("plan_vastgesteld"));
    let (status, body) = change_status(&team, &mut db, &case, &[("to", "plan_vastgesteld")]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(status_of(&mut db, &case).await.0, "plan_vastgesteld");
    assert_eq!(suggested(&team.page(&path).await.1), None);
}

#[tokio::test]
async fn an_urgent_case_shows_its_urgency_and_goes_before_older_normal_ones() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let old = insert_case(&mut db, "Oudgeval", "normal", 9).await;
    let urgent = insert_case(&mut db, "Spoedgeval", "urgent", 2).await;
    let crisis = insert_case(&mut db, "Noodgeval", "crisis", 1).await;

    for sort in ["age", "deadline"] {
        let (status, queue) = team.page(&format!("/demo/team?tab=unassigned&sort={sort}")).await;
        assert_eq!(status, 200);
        let (crisis_at, urgent_at, old_at) = (
            link_position(&queue, &crisis).unwrap(),
            link_position(&queue, &urgent).unwrap(),
            link_position(&queue, &old).unwrap(),
        );
        assert!(
            crisis_at < urgent_at && urgent_at < old_at,
            "{sort}: crisis, spoed, then the older case"
        );
        let row = &queue[urgent_at..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("badge--warning\">spoed<"), "{row}");
    }

    give_lead(&mut db, &urgent, "team@demo.test").await;
    let (_, page) = team.page(&format!("/demo/cases/{urgent}/tab/plan")).await;
    assert!(
        page.contains("id=\"case-urgency\">spoed<"),
        "the header of every part says so"
    );
}
