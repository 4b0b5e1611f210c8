//! The stall monitor: cases without a lead, crises, quiet leads and late evaluations.

use crate::common::TestApp;
use crate::common::users::User;

use super::{exec, give_lead, insert_case, monitor_section};

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
        // Old enough to have agreed its plan a month ago.
        let case = insert_case(&mut db, name, "normal", 40).await;
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

#[tokio::test]
async fn administrators_see_only_what_assigning_a_lead_needs_in_the_queue_and_the_monitor() {
    let app = TestApp::spawn().await;
    let admin = User::login(&app, "demo", "beheer@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let crisis = insert_case(&mut db, "Geheimnaam", "crisis", 10).await;
    exec(
        &mut db,
        "UPDATE cases SET status = 'in_onderzoek' WHERE id = $1::uuid",
        &crisis,
    )
    .await;
    let quiet = insert_case(&mut db, "Stilletjes", "normal", 60).await;
    give_lead(&mut db, &quiet, "team@demo.test").await;
    exec(
        &mut db,
        "UPDATE cases SET status = 'in_uitvoering', last_journal_at = now() - interval '31 days' WHERE id = $1::uuid",
        &quiet,
    )
    .await;
    let crisis_reference = crate::common::records::reference(&app, "cases", &crisis).await;
    let quiet_reference = crate::common::records::reference(&app, "cases", &quiet).await;
    let personal = [
        "Geheimnaam",
        "Stilletjes",
        "<td>Wmo",
        "In onderzoek",
        "In uitvoering",
    ];

    for path in [
        "/demo/team?tab=unassigned",
        "/demo/team?tab=open",
        "/demo/team/monitor",
    ] {
        let (status, page) = admin.page(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            page.contains(&crisis_reference),
            "{path}: the case reference\n{page}"
        );
        assert!(page.contains(" (10 dagen)"), "{path}: when it came in");
        assert!(page.contains(">crisis<"), "{path}: its urgency");
        for text in personal {
            assert!(!page.contains(text), "{path} shows an administrator {text:?}");
        }
        assert!(
            !page.contains(&format!("href=\"/demo/cases/{crisis}")),
            "{path}: no link to a case an administrator may not open"
        );
    }
    let (_, page) = admin.page("/demo/team/monitor").await;
    assert!(monitor_section(&page, "quiet").contains(&quiet_reference));
    assert!(
        monitor_section(&page, "crisis").contains(&format!("action=\"/demo/cases/{crisis}/lead\"")),
        "the administrator assigns a lead from here"
    );

    // The social team keeps seeing the whole queue.
    let (_, page) = team.page("/demo/team?tab=open").await;
    for text in personal {
        assert!(page.contains(text), "the team sees {text:?}");
    }
}
