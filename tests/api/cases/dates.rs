//! No event of a case is dated before its request came in, nor what has happened after today:
//! each form says so beside the field, and the database refuses it too. (A referral's expected
//! start: `api::referrals::lifecycle`.)

use sqlx::PgConnection;

use crate::common::TestApp;
use crate::common::pages::field_error;
use crate::common::users::User;

use super::{desk_case, lock_version, take};

const BEFORE: &str = "Deze datum ligt vóór de melding van deze casus.";

/// The id of the one row of `table` (with a `case_id`) for the case.
async fn row_of(db: &mut PgConnection, table: &str, case: &str) -> String {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id::text FROM {table} WHERE case_id = $1::uuid"
    )))
    .bind(case)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_date_on_a_case_is_refused_before_its_request_came_in() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    // The request came in on Saturday 4 October 2025 at 10:00.
    let (case, _) = desk_case(&desk, "Vroegdatum", &["wmo"], Some("2025-10-04")).await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");

    // The conversation: planned before the request (the day before, or that morning), refused.
    for (date, time) in [("2025-10-03", "14:00"), ("2025-10-04", "09:30")] {
        let (status, body) = team
            .send(
                &format!("{path}/conversations"),
                &[("date", date), ("time", time), ("place", "Thuis")],
            )
            .await;
        assert_eq!(status, 422, "{date} {time}");
        assert_eq!(field_error(&body, "conversation-date").as_deref(), Some(BEFORE));
        assert!(body.contains("value=\"Thuis\""), "what was typed stays");
    }
    let (status, body) = team
        .send(
            &format!("{path}/conversations"),
            &[("date", "2025-10-06"), ("time", "10:00"), ("place", "Thuis")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let conversation = row_of(&mut db, "conversations", &case).await;

    // Its report, dated before the request: refused, and the figures never see it.
    let report = format!("{path}/conversations/{conversation}");
    let (status, body) = team
        .send(
            &report,
            &[("report_on", "03-10-2025"), ("wishes", "Thuis blijven wonen.")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "report_on").as_deref(), Some(BEFORE));
    let reported: i64 = sqlx::query_scalar("SELECT count(*) FROM conversations WHERE report_on IS NOT NULL")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(reported, 0);

    // A journal entry.
    let (status, body) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", "2025-10-04"),
                ("time", "09:00"),
                ("body", "Gebeld."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "journal-date").as_deref(), Some(BEFORE));

    // A task.
    let (status, body) = team
        .send(
            &format!("{path}/tasks"),
            &[
                ("title", "Huisarts bellen"),
                ("assignee", &team.id.to_string()),
                ("due_on", "01-10-2025"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "task-due_on").as_deref(), Some(BEFORE));

    // A step on a statutory clock: the application, a pause.
    let (status, body) = team
        .send(
            &format!("{path}/clocks"),
            &[("action", "application"), ("date", "03-10-2025")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "application-date").as_deref(), Some(BEFORE));
    let (status, body) = team
        .send(
            &format!("{path}/clocks"),
            &[
                ("action", "pause"),
                ("kind", "wmo_investigation"),
                ("date", "03-10-2025"),
                ("reason", "Wacht op de huisarts."),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains(BEFORE), "{body}");

    // The plan: its evaluation, an action's target date, the day it was agreed.
    let plan = format!("{path}/plan");
    let (_, page) = team.page(&plan).await;
    let (status, body) = team
        .send(
            &format!("{plan}/dates"),
            &[
                ("lock_version", &lock_version(&page)),
                ("evaluation_on", "01-10-2025"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "dates-evaluation_on").as_deref(), Some(BEFORE));
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
    let (_, page) = team.page(&plan).await;
    let goal: String = sqlx::query_scalar("SELECT id::text FROM plan_goals")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, body) = team
        .send(
            &format!("{plan}/goals/{goal}/actions"),
            &[
                ("lock_version", &lock_version(&page)),
                ("description", "Douchestoel regelen"),
                ("performer", "inwoner"),
                ("target_on", "02-10-2025"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(body.contains(BEFORE), "{body}");
    let (status, body) = team
        .send(
            &format!("{plan}/agree"),
            &[
                ("lock_version", &lock_version(&page)),
                ("agreed_on", "03-10-2025"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "agree-agreed_on").as_deref(), Some(BEFORE));

    // On and after the request's day (and its moment) all of it is fine.
    let (status, body) = team
        .send(
            &report,
            &[("report_on", "06-10-2025"), ("wishes", "Thuis blijven wonen.")],
        )
        .await;
    assert_eq!(status, 303, "{body}");
    let (status, body) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", "2025-10-04"),
                ("time", "10:30"),
                ("body", "Gebeld."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303, "{body}");
}

#[tokio::test]
async fn the_database_refuses_events_of_a_case_dated_before_its_request_or_in_the_future() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Databank", &["wmo"], Some("2025-10-04")).await;
    take(&team, &mut db, &case).await;
    let path = format!("/demo/cases/{case}");
    let (status, _) = team
        .send(
            &format!("{path}/conversations"),
            &[("date", "2025-10-06"), ("time", "10:00"), ("place", "Thuis")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _) = team
        .journal(
            &case,
            &[
                ("kind", "notitie"),
                ("date", "2025-10-06"),
                ("time", "10:00"),
                ("body", "Gesproken."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);

    for statement in [
        "UPDATE conversations SET report_on = date '2025-10-03' WHERE case_id = $1::uuid",
        "UPDATE conversations SET planned_at = timestamptz '2025-10-04 09:00 Europe/Amsterdam' WHERE case_id = $1::uuid",
        "UPDATE conversations SET report_on = local_now()::date + 1 WHERE case_id = $1::uuid",
        "UPDATE journal_entries SET occurred_at = timestamptz '2025-10-03 12:00 Europe/Amsterdam' WHERE case_id = $1::uuid",
        "UPDATE journal_entries SET occurred_at = now() + interval '1 day' WHERE case_id = $1::uuid",
        "UPDATE case_clocks SET completed_on = date '2025-10-03' WHERE case_id = $1::uuid",
        "UPDATE case_clocks SET paused_on = local_now()::date + 1, pause_reason = 'x' WHERE case_id = $1::uuid",
        "INSERT INTO support_plans (tenant_id, case_id, version, agreed_on)
         SELECT tenant_id, id, 1, date '2025-10-01' FROM cases WHERE id = $1::uuid",
        "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on)
         SELECT tenant_id, 'case', id, 'Bellen', lead_id, date '2025-10-01' FROM cases WHERE id = $1::uuid",
    ] {
        let refused = sqlx::query(sqlx::AssertSqlSafe(statement))
            .bind(&case)
            .execute(&mut db)
            .await
            .expect_err(statement);
        let code = refused
            .as_database_error()
            .and_then(|e| e.code())
            .map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some("23514"), "{statement}: {refused}");
    }
    // Texts may change (as retention clears them) whatever the dates.
    sqlx::query("UPDATE conversations SET place = 'Elders' WHERE case_id = $1::uuid")
        .bind(&case)
        .execute(&mut db)
        .await
        .unwrap();
}
