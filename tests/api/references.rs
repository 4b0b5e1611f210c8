//! References people read out on the phone (issue 21, point 2): `M-2026-0412` for requests and
//! `C-2026-0087` for cases, numbered per cooperative, kind and Dutch year; shown on the pages
//! and found by the desk's search and the team's queue.

use sqlx::PgConnection;

use crate::common::users::User;
use crate::common::{TestApp, generic_plan, location};

/// A request of the cooperative `slug` received at `at` (a timestamptz literal), without a
/// resident, not yet triaged; its id and reference.
async fn insert_request(db: &mut PgConnection, slug: &str, at: &str) -> (String, String) {
    sqlx::query_as(
        "INSERT INTO requests (tenant_id, received_at, channel, domains, question, form_token, contact_name)
         SELECT id, $2::timestamptz, 'phone', ARRAY['wmo'], 'Hulp in huis', gen_random_uuid(), 'Bel Terug'
         FROM tenants WHERE slug = $1
         RETURNING id::text, reference",
    )
    .bind(slug)
    .bind(at)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The request `request` sent to the team, and its case, created now; the case's id and reference.
async fn insert_case(db: &mut PgConnection, request: &str) -> (String, String) {
    sqlx::query_as(
        "WITH q AS (UPDATE requests SET status = 'with_team', triage = 'to_team', triaged_at = now(),
                                        unsafe_at_home = false
                    WHERE id = $1::uuid RETURNING tenant_id, id)
         INSERT INTO cases (tenant_id, request_id, urgency)
         SELECT tenant_id, id, 'normal' FROM q
         RETURNING id::text, reference",
    )
    .bind(request)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The number at the end of a reference.
fn number(reference: &str) -> u32 {
    reference.rsplit('-').next().unwrap().parse().unwrap()
}

fn this_year(reference: &str) -> &str {
    &reference[2..6]
}

#[tokio::test]
async fn references_count_per_cooperative_kind_and_dutch_year() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;

    let (_, first) = insert_request(&mut db, "demo", "now").await;
    let (_, second) = insert_request(&mut db, "demo", "now").await;
    let (_, third) = insert_request(&mut db, "demo", "now").await;
    let year = this_year(&first).to_owned();
    assert!(first.starts_with(&format!("M-{year}-")), "{first}");
    assert_eq!(first.len(), "M-2026-0001".len(), "{first}");
    assert_eq!(number(&second), number(&first) + 1);
    assert_eq!(number(&third), number(&first) + 2);

    // The other cooperative counts on its own: its first request of a year it has none of is 1.
    let (_, elsewhere) = insert_request(&mut db, "demo2", "2019-06-01 12:00+00").await;
    assert_eq!(elsewhere, "M-2019-0001");
    let (_, elsewhere) = insert_request(&mut db, "demo2", "2019-06-02 12:00+00").await;
    assert_eq!(elsewhere, "M-2019-0002");

    // The year is the one in the Netherlands: 23:30 UTC on New Year's Eve is already next year.
    let (_, eve) = insert_request(&mut db, "demo", "2019-12-31 22:30+00").await;
    assert_eq!(eve, "M-2019-0001");
    let (_, new_year) = insert_request(&mut db, "demo", "2019-12-31 23:30+00").await;
    assert_eq!(new_year, "M-2020-0001");

    // Cases have their own counter, beside the requests'.
    let (request, _) = insert_request(&mut db, "demo", "now").await;
    let (_, case) = insert_case(&mut db, &request).await;
    let (request, _) = insert_request(&mut db, "demo", "now").await;
    let (_, next_case) = insert_case(&mut db, &request).await;
    assert!(case.starts_with(&format!("C-{year}-")), "{case}");
    assert_eq!(number(&next_case), number(&case) + 1);
}

#[tokio::test]
async fn requests_created_at_the_same_time_get_distinct_consecutive_numbers() {
    let app = TestApp::spawn().await;
    let mut created = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let mut db = app.owner_connection().await;
        tasks.push(tokio::spawn(async move {
            insert_request(&mut db, "demo", "now").await.1
        }));
    }
    for task in tasks {
        created.push(number(&task.await.unwrap()));
    }
    created.sort_unstable();
    let first = created[0];
    assert_eq!(created, (first..first + 8).collect::<Vec<_>>());
}

#[tokio::test]
async fn references_show_on_the_desk_request_queue_and_case_pages() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let (request, request_reference) = insert_request(&mut db, "demo", "now").await;

    let (status, page) = desk.page("/demo/desk").await;
    assert_eq!(status, 200);
    assert!(page.contains(&request_reference), "desk\n{page}");
    let (status, page) = desk.page(&format!("/demo/requests/{request}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("Melding {request_reference}")), "{page}");

    let (case, case_reference) = insert_case(&mut db, &request).await;
    let (_, page) = desk.page(&format!("/demo/requests/{request}")).await;
    assert!(page.contains(&format!("Casus {case_reference}")), "{page}");
    let (status, page) = pm.page(&format!("/demo/cases/{case}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&case_reference), "case page\n{page}");
    let (status, page) = pm.page("/demo/team?tab=unassigned").await;
    assert_eq!(status, 200);
    assert!(page.contains(&case_reference), "queue\n{page}");
}

#[tokio::test]
async fn a_reference_typed_in_the_search_leads_to_its_request_or_case() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let pm = User::login(&app, "demo", "procesmanager@demo.test").await;
    let mut db = app.owner_connection().await;
    let (request, request_reference) = insert_request(&mut db, "demo", "now").await;
    let (case, case_reference) = insert_case(&mut db, &request).await;
    // As read out on the phone: lower case, without dashes or leading zeros.
    let spoken = |reference: &str| {
        let (letter, rest) = reference.split_at(1);
        let (year, number) = rest[1..].split_at(4);
        format!(
            "{} {year} {}",
            letter.to_lowercase(),
            number[1..].trim_start_matches('0')
        )
    };

    for typed in [
        request_reference.clone(),
        spoken(&request_reference),
        case_reference.clone(),
    ] {
        let response = desk
            .get(&format!("/demo/residents?q={}", typed.replace(' ', "+")))
            .await;
        assert_eq!(response.status(), 303, "{typed}");
        assert_eq!(
            location(&response),
            format!("/demo/requests/{request}"),
            "{typed}"
        );
    }
    for typed in [
        case_reference.to_lowercase(),
        spoken(&case_reference),
        request_reference.clone(),
    ] {
        let response = pm.get(&format!("/demo/team?q={}", typed.replace(' ', "+"))).await;
        assert_eq!(response.status(), 303, "{typed}");
        assert_eq!(location(&response), format!("/demo/cases/{case}"), "{typed}");
    }

    // Another cooperative's reference, or none at all, finds nothing.
    // (demo2 gets three cases, so its third has a number demo has not reached.)
    let (mut other_request, mut other_case) = (String::new(), String::new());
    for _ in 0..3 {
        other_request = insert_request(&mut db, "demo2", "now").await.0;
        other_case = insert_case(&mut db, &other_request).await.1;
    }
    let other_reference = crate::common::records::reference(&app, "requests", &other_request).await;
    let unknown = format!("C-{}-9999", this_year(&case_reference));
    for typed in [other_case, unknown] {
        let (status, page) = pm.page(&format!("/demo/team?q={typed}")).await;
        assert_eq!(status, 200, "{typed}");
        assert!(
            page.contains(&format!("Geen casus met kenmerk {typed}")),
            "{page}"
        );
    }
    let (status, page) = desk.page(&format!("/demo/residents?q={other_reference}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains(&other_request), "{page}");

    // Read off the unique indexes, also under the generic plan sqlx's prepared statements get.
    let tenant = app.tenant_id("demo").await;
    for (sql, index) in [
        (
            "SELECT id FROM requests WHERE tenant_id = $1 AND reference = $2",
            "requests_reference_key",
        ),
        (
            "SELECT id, request_id FROM cases WHERE tenant_id = $1 AND reference = $2",
            "cases_reference_key",
        ),
    ] {
        let plan = generic_plan(&app, tenant, sql, &format!("'{tenant}', 'M-2026-0001'")).await;
        assert!(plan.contains(index), "{sql}\n{plan}");
    }
}

#[tokio::test]
async fn a_reference_never_changes() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let (request, _) = insert_request(&mut db, "demo", "now").await;
    let changed = sqlx::query("UPDATE requests SET reference = 'M-2000-0001' WHERE id = $1::uuid")
        .bind(&request)
        .execute(&mut db)
        .await;
    assert!(changed.is_err());
}
