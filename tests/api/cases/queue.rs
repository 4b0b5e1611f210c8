//! The team's queue: its tabs, crises first, sorting, paging, and its queries' indexes.

use crate::common::users::User;
use crate::common::{TestApp, generic_plan};

use super::{add_user, exec, give_lead, insert_case, link_position, lists};

/// The number of case rows in a queue page.
fn row_count(html: &str) -> usize {
    html.matches("<td><a href=\"/demo/cases/").count()
}

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
        "UPDATE cases SET next_deadline = local_now()::date - 1 WHERE id = $1::uuid",
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
        "UPDATE cases SET next_deadline = local_now()::date + 30 WHERE id = $1::uuid",
        &old,
    )
    .await;
    let young = insert_case(&mut db, "Jonkie", "normal", 2).await;
    exec(
        &mut db,
        "UPDATE cases SET next_deadline = local_now()::date + 5 WHERE id = $1::uuid",
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
// Query plans

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
            "c.lead_id IS NULL AND c.status <> 'afgesloten'
             ORDER BY c.urgency = 'crisis' DESC, c.urgency = 'urgent' DESC, c.created_at",
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

#[tokio::test]
async fn the_queue_says_since_when_a_case_is_open_not_its_age() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Wachtend", "normal", 12).await;
    let (status, page) = team.page("/demo/team?tab=open").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<th scope="col">Open sinds</th>"#), "{page}");
    assert!(!page.contains("Leeftijd") && !page.contains("leeftijd"), "{page}");
    assert!(
        page.contains("open sinds (oudste eerst)"),
        "the sort option: {page}"
    );
    let opened: String = sqlx::query_scalar(
        "SELECT to_char(local_time(created_at), 'DD-MM-YYYY') FROM cases WHERE id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        page.contains(&format!("<td>{opened} (12 dagen)</td>")),
        "the date it opened, then how long ago: {page}"
    );
}
