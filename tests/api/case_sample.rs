//! The made-up case histories (demo, benchmark) obey the schema and hang together.

use schakel::demo::generate::{self, Progress};

use crate::common::TestApp;

async fn count(db: &mut sqlx::PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn generated_case_histories_pass_row_level_security_and_hang_together() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    let tenant = app.tenant_id("demo").await;
    // As the web role, so that row-level security checks every row written.
    let mut tx = schakel::db::tenant_tx(&app.pool, tenant).await.unwrap();
    let today = schakel::shared::clock::local_now(&mut tx).await.unwrap().date();
    let hidden = Progress::hidden();
    generate::intake(&mut tx, 3, 1_000, 3_000, 1_000, today, &hidden)
        .await
        .unwrap();
    let done = generate::case_histories(&mut tx, 3, 8, today, &hidden)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done, (1_000, 8_000));
    assert_eq!(
        count(&mut db, "SELECT count(*) FROM journal_entries").await,
        8_000
    );
    assert_eq!(
        count(&mut db, "SELECT count(DISTINCT status) FROM cases").await,
        6
    );

    for (what, sql) in [
        (
            "a case with a lead has that lead's open case_leads row",
            "SELECT count(*) FROM cases c WHERE lead_id IS NOT NULL AND NOT EXISTS (
                 SELECT FROM case_leads l WHERE l.case_id = c.id AND l.user_id = c.lead_id AND l.ended_at IS NULL)",
        ),
        (
            "only registered cases have no lead",
            "SELECT count(*) FROM cases WHERE (lead_id IS NULL) <> (status = 'aangemeld')",
        ),
        (
            "the status is the last status event's",
            "SELECT count(*) FROM cases c WHERE status <> coalesce((
                 SELECT to_value FROM case_events e WHERE e.case_id = c.id AND e.kind = 'status'
                 ORDER BY occurred_at DESC LIMIT 1), 'aangemeld')",
        ),
        (
            "every case with a statutory term has its clock",
            "SELECT count(*) FROM cases c JOIN requests q ON q.id = c.request_id
             WHERE q.wmo_deadline IS NOT NULL AND NOT EXISTS (
                 SELECT FROM case_clocks k WHERE k.case_id = c.id AND k.kind = 'wmo_investigation')",
        ),
        (
            "a closed case's clocks are decided or stopped",
            "SELECT count(*) FROM case_clocks k JOIN cases c ON c.id = k.case_id
             WHERE c.status = 'afgesloten' AND k.completed_on IS NULL AND k.stopped_on IS NULL",
        ),
        (
            "next_deadline is the earliest running clock",
            "SELECT count(*) FROM cases c WHERE next_deadline IS DISTINCT FROM (
                 SELECT min(due_on) FROM case_clocks k WHERE k.case_id = c.id AND k.completed_on IS NULL
                   AND k.stopped_on IS NULL AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL))",
        ),
        (
            "last_journal_at is the latest entry",
            "SELECT count(*) FROM cases c WHERE last_journal_at IS DISTINCT FROM (
                 SELECT max(occurred_at) FROM journal_entries j WHERE j.case_id = c.id)",
        ),
        (
            "entries fall within their case's life",
            "SELECT count(*) FROM journal_entries j JOIN cases c ON c.id = j.case_id
             WHERE j.occurred_at < c.created_at OR j.occurred_at > coalesce(c.closed_at, now())",
        ),
        (
            "a correction follows an entry of its own case",
            "SELECT count(*) FROM journal_entries j JOIN journal_entries o ON o.id = j.corrects_id
             WHERE o.case_id <> j.case_id OR j.occurred_at < o.occurred_at OR j.body NOT LIKE 'Correctie: %'",
        ),
        (
            "agreed plans belong to cases past the investigation",
            "SELECT count(*) FROM support_plans p JOIN cases c ON c.id = p.case_id
             WHERE p.version > 0 AND c.status IN ('aangemeld', 'in_onderzoek')",
        ),
        (
            "tasks are the open case's lead's",
            "SELECT count(*) FROM tasks t JOIN cases c ON c.id = t.case_id
             WHERE t.assignee_id <> c.lead_id OR c.status = 'afgesloten'",
        ),
    ] {
        assert_eq!(count(&mut db, sql).await, 0, "{what}");
    }

    for (what, sql) in [
        (
            "open cases gone quiet for a month",
            "SELECT count(*) FROM cases WHERE status <> 'afgesloten' AND lead_id IS NOT NULL
               AND last_journal_at < now() - interval '30 days'",
        ),
        (
            "cases in zorg en veiligheid",
            "SELECT count(*) FROM cases WHERE escalation = 'zorg_en_veiligheid'",
        ),
        (
            "very confidential cases",
            "SELECT count(*) FROM cases WHERE confidentiality = 'zeer_vertrouwelijk'",
        ),
        (
            "handovers",
            "SELECT count(*) FROM case_leads WHERE ended_at IS NOT NULL AND handover_note <> ''",
        ),
        (
            "investigations completed late",
            "SELECT count(*) FROM case_clocks WHERE completed_on > due_on",
        ),
        (
            "paused clocks",
            "SELECT count(*) FROM case_clocks WHERE paused_on IS NOT NULL",
        ),
        (
            "extended clocks",
            "SELECT count(*) FROM case_clocks WHERE extended_weeks > 0",
        ),
        (
            "plans overdue for evaluation",
            "SELECT count(*) FROM support_plans p JOIN cases c ON c.id = p.case_id
             WHERE c.status = 'in_uitvoering' AND p.evaluation_on < now()",
        ),
        (
            "goal results",
            "SELECT count(*) FROM plan_goals WHERE result IS NOT NULL",
        ),
        ("network contacts", "SELECT count(*) FROM network_contacts"),
        (
            "overdue tasks",
            "SELECT count(*) FROM tasks WHERE done_at IS NULL AND due_on < now()",
        ),
        (
            "corrections",
            "SELECT count(*) FROM journal_entries WHERE corrects_id IS NOT NULL",
        ),
    ] {
        assert!(count(&mut db, sql).await > 0, "there are {what}");
    }
}
