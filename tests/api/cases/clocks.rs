//! The statutory clocks: terms past weekends and holidays, stopping, pausing and extending,
//! the decision clock, and overdue terms.

use sqlx::PgConnection;
use time::{Date, Duration};

use crate::common::TestApp;
use crate::common::pages::{field_error, strip_tags};
use crate::common::records::today;
use crate::common::users::User;

use super::{clock, date, desk_case, lists, take};

/// (started_on, statutory_due_on, due_on, completed_on) of a clock.
async fn clock_dates(db: &mut PgConnection, case: &str, kind: &str) -> (Date, Date, Date, Option<Date>) {
    sqlx::query_as(
        "SELECT started_on, statutory_due_on, due_on, completed_on FROM case_clocks
         WHERE case_id = $1::uuid AND kind = $2",
    )
    .bind(case)
    .bind(kind)
    .fetch_one(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn statutory_terms_move_past_weekends_and_new_years_day() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;

    // Six weeks after Saturday 04-10-2025 is Saturday 15-11-2025: due Monday 17-11-2025.
    let (saturday, _) = desk_case(&desk, "Zaterdag", &["wmo"], Some("2025-10-04")).await;
    assert_eq!(
        clock_dates(&mut db, &saturday, "wmo_investigation").await,
        (date("2025-10-04"), date("2025-11-17"), date("2025-11-17"), None)
    );
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM case_clocks WHERE case_id = $1::uuid")
        .bind(&saturday)
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(kinds, ["wmo_investigation"], "a Wmo request has no Jeugd clock");

    // Eight weeks after Thursday 06-11-2025 is New Year's Day 2026: due Friday 02-01-2026.
    let (new_year, _) = desk_case(&desk, "Nieuwjaar", &["wmo", "jeugd"], Some("2025-11-06")).await;
    assert_eq!(
        clock_dates(&mut db, &new_year, "jeugd_decision").await,
        (date("2025-11-06"), date("2026-01-02"), date("2026-01-02"), None)
    );
    assert_eq!(
        clock_dates(&mut db, &new_year, "wmo_investigation").await.2,
        date("2025-12-18")
    );
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&new_year)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, Some(date("2025-12-18")), "the nearest running term");

    let (_, page) = team.page(&format!("/demo/cases/{saturday}/tab/terms")).await;
    assert!(page.contains("17-11-2025"));
    let (_, page) = team.page(&format!("/demo/cases/{new_year}/tab/terms")).await;
    assert!(page.contains("02-01-2026") && page.contains("Jeugd: beschikking"));
}

#[tokio::test]
async fn the_conversation_report_stops_the_investigation_clock_on_its_date() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Keukentafel", &["wmo"], Some("2025-10-04")).await;
    take(&team, &mut db, &case).await;
    let (status, _) = team
        .send(
            &format!("/demo/cases/{case}/conversations"),
            &[
                ("date", "2025-11-05"),
                ("time", "10:00"),
                ("place", "Bij mevrouw thuis"),
                ("participants", "dochter"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let conversation: String =
        sqlx::query_scalar("SELECT id::text FROM conversations WHERE case_id = $1::uuid")
            .bind(&case)
            .fetch_one(&mut db)
            .await
            .unwrap();
    let report = format!("/demo/cases/{case}/conversations/{conversation}");
    assert_eq!(team.page(&report).await.0, 200);

    let (status, body) = team
        .send(
            &report,
            &[("report_on", "2025-11-12"), ("housing", "De trap is lastig.")],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "wishes").as_deref(),
        Some("Schrijf de wensen van de inwoner op.")
    );
    assert_eq!(clock_dates(&mut db, &case, "wmo_investigation").await.3, None);

    let (status, _) = team
        .send(
            &report,
            &[
                ("report_on", "2025-11-12"),
                ("housing", "De trap is lastig."),
                ("wishes", "Ik wil thuis blijven wonen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "wmo_investigation").await.3,
        Some(date("2025-11-12")),
        "stopped on the report date, not today"
    );
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, None);

    // Saving the report again later does not move the date the term was met.
    let (status, _) = team
        .send(
            &report,
            &[
                ("report_on", "2025-11-20"),
                ("wishes", "Ik wil thuis blijven wonen."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "wmo_investigation").await.3,
        Some(date("2025-11-12"))
    );
    let (_, page) = team.whole_case(&case).await;
    assert!(page.contains("Op tijd afgerond"));
    assert!(page.contains("Ik wil thuis blijven wonen."));
}

#[tokio::test]
async fn a_clock_pauses_once_and_extends_once_within_the_cooperatives_maximum() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "UPDATE tenant_settings SET max_extension_weeks = 4 FROM tenants t WHERE t.id = tenant_id AND t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let (case, _) = desk_case(&desk, "Opschorting", &["jeugd"], Some("2025-11-06")).await;
    take(&team, &mut db, &case).await;
    let jeugd = [("kind", "jeugd_decision")];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut fields = jeugd.to_vec();
        fields.extend_from_slice(extra);
        fields
    };

    let (status, body) = clock(
        &team,
        &case,
        &with(&[("action", "pause"), ("date", "2025-12-01"), ("reason", "")]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "pause-jeugd_decision-reason").as_deref(),
        Some("Geef een reden op.")
    );
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-01"),
            ("reason", "Wachten op gegevens van school."),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    let next: Option<Date> = sqlx::query_scalar("SELECT next_deadline FROM cases WHERE id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(next, None, "a paused clock is not a running deadline");
    let (_, page) = team.page(&format!("/demo/cases/{case}/tab/terms")).await;
    assert!(page.contains("Opgeschort"));
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-02"),
            ("reason", "Nog eens."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze termijn is al eens opgeschort; dat kan maar één keer."));

    // Resumed after ten days: ten days later, Friday 02-01-2026 becomes Monday 12-01-2026.
    let (status, _) = clock(
        &team,
        &case,
        &with(&[("action", "resume"), ("date", "2025-12-11")]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "jeugd_decision").await,
        (date("2025-11-06"), date("2026-01-02"), date("2026-01-12"), None)
    );
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "pause"),
            ("date", "2025-12-15"),
            ("reason", "Opnieuw."),
        ]),
    )
    .await;
    assert_eq!(status, 422, "once, also after resuming");
    assert!(body.contains("al eens opgeschort"));

    // Extending: at most the cooperative's maximum, with a reason, once.
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "5"),
            ("reason", "Advies nodig."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "extend-jeugd_decision-weeks").as_deref(),
        Some("Kies een aantal weken binnen het maximum.")
    );
    assert!(body.contains("ten hoogste 4 weken"));
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "4"),
            ("reason", ""),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "4"),
            ("reason", "Advies nodig."),
        ]),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &case, "jeugd_decision").await.2,
        date("2026-02-09"),
        "four weeks after Monday 12-01-2026"
    );
    let (status, body) = clock(
        &team,
        &case,
        &with(&[
            ("action", "extend"),
            ("date", "2025-12-15"),
            ("weeks", "1"),
            ("reason", "Nog eens."),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("Deze termijn is al eens verlengd; dat kan maar één keer."));
    let (weeks, reason): (i32, Option<String>) = sqlx::query_as(
        "SELECT extended_weeks, extension_reason FROM case_clocks WHERE case_id = $1::uuid AND kind = 'jeugd_decision'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((weeks, reason.as_deref()), (4, Some("Advies nodig.")));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT details->>'action' FROM audit_events WHERE case_id = $1::uuid AND kind = 'clock_changed' ORDER BY occurred_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(actions, ["pause", "resume", "extend"]);
    let (_, page) = team.page(&format!("/demo/cases/{case}/tab/terms")).await;
    assert!(page.contains("09-02-2026") && page.contains("wettelijk: 02-01-2026"));
}

#[tokio::test]
async fn the_application_starts_the_decision_clock_and_the_terms_report_counts_decisions() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let tomorrow = today(&app).await + Duration::days(1);
    let (on_time, _) = desk_case(&desk, "Optijd", &["wmo"], Some("2025-10-20")).await;
    let (late, _) = desk_case(&desk, "Telaat", &["wmo"], Some("2025-10-20")).await;
    take(&team, &mut db, &on_time).await;
    take(&team, &mut db, &late).await;

    let (status, body) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", &tomorrow.to_string())],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("De datum ligt in de toekomst."));
    // The application arrives on Wednesday 05-11-2025: decision due two weeks later.
    let (status, _) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", "2025-11-05")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        clock_dates(&mut db, &on_time, "wmo_decision").await,
        (date("2025-11-05"), date("2025-11-19"), date("2025-11-19"), None)
    );
    let (status, body) = clock(
        &team,
        &on_time,
        &[("action", "application"), ("date", "2025-11-06")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("De beslistermijn loopt al."));
    let (status, _) = clock(
        &team,
        &on_time,
        &[
            ("action", "decision"),
            ("kind", "wmo_decision"),
            ("date", "2025-11-18"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    let (status, _) = clock(&team, &late, &[("action", "application"), ("date", "2025-11-03")]).await;
    assert_eq!(status, 303);
    let (status, _) = clock(
        &team,
        &late,
        &[
            ("action", "decision"),
            ("kind", "wmo_decision"),
            ("date", "2025-11-20"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = team.page(&format!("/demo/cases/{late}/tab/terms")).await;
    assert!(page.contains("3 dagen te laat afgerond"), "{page}");

    let (status, report) = team.page("/demo/team/terms?year=2025").await;
    assert_eq!(status, 200);
    let row = |kind: &str| -> Vec<String> {
        let start = report
            .find(&format!("<tr id=\"terms-{kind}\">"))
            .unwrap_or_else(|| panic!("no row {kind}"));
        let rest = &report[start..];
        let row = &rest[..rest.find("</tr>").unwrap()];
        row.split("<td>")
            .skip(1)
            .map(|cell| strip_tags(&cell[..cell.find("</td>").unwrap()]))
            .collect()
    };
    assert_eq!(row("wmo_decision")[..3], ["1", "1", "50%"]);
    // Both investigation clocks are still open and long past their date.
    assert_eq!(row("wmo_investigation")[..2], ["0", "0"]);
    assert_eq!(row("wmo_investigation")[4], "2");
    let (_, report) = team.page("/demo/team/terms?year=2024").await;
    assert!(report.contains("<tr id=\"terms-wmo_decision\">"));
    assert!(!report.contains("50%"), "nothing decided in 2024");
}

#[tokio::test]
async fn a_case_whose_term_has_passed_is_listed_under_overdue_terms() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let long_ago = (today(&app).await - Duration::days(50)).to_string();
    let (overdue, _) = desk_case(&desk, "Verlopen", &["wmo"], Some(&long_ago)).await;
    let (running, _) = desk_case(&desk, "Lopend", &["wmo"], None).await;

    let (status, page) = team.page("/demo/team?tab=overdue").await;
    assert_eq!(status, 200);
    assert!(lists(&page, &overdue) && !lists(&page, &running));
    assert!(page.contains("dagen over de termijn"));
    let (_, page) = team.page("/demo/team?tab=open").await;
    assert!(lists(&page, &overdue) && lists(&page, &running));
    let (_, page) = team.page(&format!("/demo/cases/{overdue}/tab/terms")).await;
    assert!(page.contains("dagen over de termijn") && page.contains("badge--danger"));
}

#[tokio::test]
async fn the_application_date_is_typed_deliberately_never_offered_as_today() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let (case, _) = desk_case(&desk, "Aanvraag", &["wmo"], Some("2025-10-20")).await;
    take(&team, &mut db, &case).await;

    let (status, page) = team.page(&format!("/demo/cases/{case}/tab/terms")).await;
    assert_eq!(status, 200);
    let field = &page[page
        .find("id=\"application-date\"")
        .expect("the application form")..];
    let field = &field[..field.find('>').unwrap()];
    assert!(
        field.contains("value=\"\"") && field.contains(" required"),
        "an empty, required date: {field}"
    );

    // Sent without a date it is refused next to the field, and no decision term starts.
    let (status, body) = clock(&team, &case, &[("action", "application"), ("date", "")]).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "application-date").as_deref(),
        Some("Vul een geldige datum in (dd-mm-jjjj).")
    );
    assert!(
        body.contains("aria-current=\"page\">Termijnen<"),
        "shown again on its tab"
    );
    let decision: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_clocks WHERE case_id = $1::uuid AND kind = 'wmo_decision'",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(decision, 0);
}
