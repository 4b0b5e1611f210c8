//! Every paginated list says how many rows it holds and how many pages ("1–50 van 60",
//! "Pagina 1 van 2"), and its count is a short read of an index under a generic plan.

use crate::common::{TestApp, generic_plan};

#[tokio::test]
async fn a_list_shows_its_rows_of_the_total_and_its_page_of_the_pages() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    // Sixty requests in March 2020, long before the demo's own.
    sqlx::query(
        "INSERT INTO requests (tenant_id, channel, domains, question, form_token, received_at)
         SELECT id, 'phone', '{wmo}', 'Vraag', gen_random_uuid(), '2020-03-02 10:00'::timestamptz + n * interval '1 hour'
         FROM tenants, generate_series(1, 60) AS n WHERE slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    app.login("demo", "beheer@demo.test").await;
    let list = "/demo/reports/requests?period=month&at=2020-03-01";
    let first = app.get(list).await.text().await.unwrap();
    assert!(
        first.contains(r#"<p class="pagination__count">1–50 van 60</p>"#),
        "{first}"
    );
    assert!(first.contains(r#"<span aria-current="page">Pagina 1 van 2</span>"#));
    let second = app.get(&format!("{list}&page=2")).await.text().await.unwrap();
    assert!(second.contains("51–60 van 60") && second.contains("Pagina 2 van 2"));
    // A page past the end has no rows to number.
    let past = app.get(&format!("{list}&page=3")).await.text().await.unwrap();
    assert!(!past.contains("pagination__count"));

    // A list on one page says how many it holds too.
    let users = app.get("/demo/admin/users").await.text().await.unwrap();
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = 'demo'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(
        users.contains(&format!("1–{count} van {count}")),
        "{count} users: {users}"
    );
    assert!(
        !users.contains(r#"aria-current="page">Pagina"#),
        "no page links for one page"
    );
}

#[tokio::test]
async fn list_counts_read_their_indexes_under_a_generic_plan() {
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
        tx.commit().await.unwrap();
    }
    sqlx::raw_sql("ANALYZE").execute(&mut db).await.unwrap();
    let team = app.user_id("demo", "team@demo.test").await;

    // The team queue's own tab, counted as the viewer may see them. The tabs of all open cases,
    // of those without a lead and of escalations are left out: here one cooperative holds every
    // generated case, all open and without a lead, so reading the table is the right plan.
    for filter in ["(c.lead_id = $2 OR c.coordinator_id = $2) AND c.status <> 'afgesloten'"] {
        let sql = format!(
            "SELECT count(*) FROM cases c
             WHERE c.tenant_id = $1
               AND (c.confidentiality <> 'zeer_vertrouwelijk' OR $3 OR c.lead_id = $2 OR c.coordinator_id = $2
                    OR (SELECT true FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $2))
               AND {filter}"
        );
        let plan = generic_plan(&app, tenant, &sql, &format!("'{tenant}', '{team}', false")).await;
        assert!(!plan.contains("Seq Scan on cases"), "{filter}:\n{plan}");
        assert!(!plan.contains("hashed SubPlan"), "{filter}:\n{plan}");
    }

    // The figures' list of requests, and the desk's search by name: each stops at its limit.
    let requests = generic_plan(
        &app,
        tenant,
        "SELECT count(*) FROM (
             SELECT 1 FROM requests
             WHERE tenant_id = $1
               AND received_at >= local_moment($2::date::timestamp)
               AND received_at < local_moment(($3::date + 1)::timestamp)
               AND ($4::text IS NULL OR $4 = ANY (domains))
               AND ($5::text IS NULL OR channel = $5)
               AND ($6::text IS NULL OR coalesce(triage, 'open') = $6)
             LIMIT $7) AS counted",
        &format!("'{tenant}', '2025-01-01', '2025-12-31', NULL, NULL, NULL, 10001"),
    )
    .await;
    assert!(!requests.contains("Seq Scan on requests"), "{requests}");
    assert!(requests.contains("Limit"), "{requests}");
    let names = generic_plan(
        &app,
        tenant,
        "SELECT (SELECT count(*) FROM (
                     SELECT 1 FROM residents
                     WHERE tenant_id = $1
                       AND search_surname >= search_text($2) AND search_surname < search_text($2) || chr(1114111)
                       AND search_full_name LIKE ALL (ARRAY(SELECT '%' || search_text(w) || '%' FROM unnest($3::text[]) w))
                     LIMIT $4) AS by_surname)
              + (SELECT count(*) FROM (
                     SELECT 1 FROM residents
                     WHERE tenant_id = $1
                       AND search_first_names >= search_text($2) AND search_first_names < search_text($2) || chr(1114111)
                       AND NOT (search_surname >= search_text($2) AND search_surname < search_text($2) || chr(1114111))
                       AND search_full_name LIKE ALL (ARRAY(SELECT '%' || search_text(w) || '%' FROM unnest($3::text[]) w))
                     LIMIT $4) AS by_first_name)",
        &format!("'{tenant}', 'jan', ARRAY['jan'], 201"),
    )
    .await;
    assert!(!names.contains("Seq Scan on residents"), "{names}");

    // The audit log, which grows without end.
    let audit = generic_plan(
        &app,
        tenant,
        "SELECT count(*) FROM (
             SELECT 1 FROM audit_events
             WHERE tenant_id = $1
               AND ($2::uuid IS NULL OR actor_id = $2 OR subject_user_id = $2)
               AND ($3::text IS NULL OR kind = $3)
               AND ($4::date IS NULL OR occurred_at >= (local_moment($4::date::timestamp)))
               AND ($5::date IS NULL OR occurred_at < (local_moment(($5::date + 1)::timestamp)))
               AND ($7::uuid IS NULL OR resident_id = $7)
             LIMIT $6) AS counted",
        &format!("'{tenant}', NULL, NULL, NULL, NULL, 10001, NULL"),
    )
    .await;
    assert!(audit.contains("Limit"), "{audit}");
}
