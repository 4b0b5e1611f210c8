//! Flexible support per resident: the lead pays from the flexible budget line from the case,
//! above the treasurer's threshold a process manager approves first (never whoever asked),
//! a form sent twice is stored once, and only those with a reason see what it was for.

use uuid::Uuid;

use crate::api::referrals::World;
use crate::common::hidden_value;
use crate::common::pages::{element_text, field_error};

/// A goal on the case's plan, so that spending can serve it; its id.
async fn goal(world: &World, lead: &crate::common::users::User) -> Uuid {
    let case = world.case_path();
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").expect("the plan's version");
    let answer = lead
        .submit(
            &format!("{case}/plan/goals"),
            &[("description", "Zelf naar het werk"), ("lock_version", &version)],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let mut db = world.app.owner_connection().await;
    sqlx::query_scalar(
        "SELECT g.id FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = $1",
    )
    .bind(world.case)
    .fetch_one(&mut db)
    .await
    .unwrap()
}

/// This year's contract, with a line of € 245.000 for flexible support that the treasurer
/// marks as such; the line's id.
async fn flexible_line(world: &World) -> Uuid {
    let treasurer = world.login("penningmeester@demo.test").await;
    let year = crate::common::records::today(&world.app).await.year();
    let response = treasurer
        .post(
            "/demo/finance/contracts/new",
            &[
                ("kind", "opdracht"),
                ("title", "Opdracht sociaal domein"),
                ("commissioner", "Gemeente Woudenberg"),
                ("amount", "1.850.000"),
                ("starts_on", &format!("01-01-{year}")),
                ("ends_on", &format!("31-12-{year}")),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let contract = crate::common::location(&response).to_owned();
    for (name, amount, flexible) in [
        ("Loket en sociaal team", "1.150.000", "0"),
        ("Maatwerkbudget", "245.000", "1"),
    ] {
        let (status, page) = treasurer
            .send(
                &format!("{contract}/lines"),
                &[("name", name), ("amount", amount), ("flexible", flexible)],
            )
            .await;
        assert_eq!(status, 303, "{page}");
    }
    let mut db = world.app.owner_connection().await;
    sqlx::query_scalar("SELECT id FROM budget_lines WHERE tenant_id = $1 AND flexible")
        .bind(world.tenant)
        .fetch_one(&mut db)
        .await
        .unwrap()
}

struct Spending<'a> {
    line: Uuid,
    goal: Uuid,
    amount: &'a str,
    submission: String,
}

impl Spending<'_> {
    async fn send(&self, world: &World, by: &crate::common::users::User) -> (u16, String) {
        let line = self.line.to_string();
        let goal = self.goal.to_string();
        by.send(
            &format!("{}/maatwerk", world.case_path()),
            &[
                ("budget_line", &line),
                ("goal", &goal),
                ("amount", self.amount),
                ("provider", "anders"),
                ("provider_name", "Fietsenmaker Van Dijk"),
                ("description", "Een fiets om zelf naar het werk te gaan"),
                ("spent_on", &crate::api::assembly::date_in(0)),
                ("submission", &self.submission),
            ],
        )
        .await
    }
}

async fn entries(world: &World) -> Vec<(i64, String, Option<Uuid>)> {
    let mut db = world.app.owner_connection().await;
    sqlx::query_as(
        "SELECT amount_cents, status, decided_by FROM flexible_support WHERE case_id = $1 ORDER BY requested_at",
    )
    .bind(world.case)
    .fetch_all(&mut db)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_lead_spends_and_a_process_manager_approves_what_lies_above_the_threshold() {
    let world = World::new().await;
    let lead = world.login("team@demo.test").await;
    let goal = goal(&world, &lead).await;
    let line = flexible_line(&world).await;
    let case = world.case_path();

    let (status, page) = lead.page(&format!("{case}/maatwerk")).await;
    assert_eq!(status, 200);
    assert!(page.contains("name=\"budget_line\""), "the lead gets the form");

    // Below the threshold (€ 1.000 unless the treasurer sets it): approved at once, stored
    // once however often the form is sent.
    let small = Spending {
        line,
        goal,
        amount: "120,50",
        submission: Uuid::new_v4().to_string(),
    };
    assert_eq!(small.send(&world, &lead).await.0, 303);
    assert_eq!(small.send(&world, &lead).await.0, 303);
    assert_eq!(entries(&world).await, vec![(12_050, "goedgekeurd".into(), None)]);

    // Bad amounts are refused beside the field, with what was typed kept, and nothing stored.
    for (amount, message) in [
        ("twintig", "money.error.not_an_amount"),
        ("-20", "money.error.negative"),
        ("12,3456", "money.error.decimals"),
    ] {
        let (status, page) = Spending {
            amount,
            submission: Uuid::new_v4().to_string(),
            ..small
        }
        .send(&world, &lead)
        .await;
        assert_eq!(status, 422, "{amount}");
        assert_eq!(
            field_error(&page, "amount").as_deref(),
            Some(schakel::web::i18n::Lang::Nl.t(message)),
            "{amount}"
        );
        assert!(
            page.contains("Fietsenmaker Van Dijk"),
            "the form keeps what was typed"
        );
    }
    assert_eq!(entries(&world).await.len(), 1);

    // Above the threshold it waits; whoever asked cannot approve it.
    let large = Spending {
        amount: "1.500",
        submission: Uuid::new_v4().to_string(),
        ..small
    };
    assert_eq!(large.send(&world, &lead).await.0, 303);
    let mut db = world.app.owner_connection().await;
    let waiting: Uuid = sqlx::query_scalar("SELECT id FROM flexible_support WHERE status = 'aangevraagd'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let decision = format!("{case}/maatwerk/{waiting}/decision");
    let (status, _) = lead.send(&decision, &[("outcome", "goedgekeurd")]).await;
    assert_eq!(status, 403, "a professional approves nothing");

    let manager = world.login("procesmanager@demo.test").await;
    let (_, home) = manager.page("/demo/").await;
    assert!(
        element_text(&home, "waiting-flexible").is_some(),
        "the process manager is told: {home}"
    );
    let (status, page) = manager.send(&decision, &[("outcome", "afgewezen")]).await;
    assert_eq!(status, 422, "refusing needs a reason");
    assert!(field_error(&page, &format!("decision-{waiting}-note")).is_some());
    let (status, _) = manager.send(&decision, &[("outcome", "goedgekeurd")]).await;
    assert_eq!(status, 303);
    let (status, _) = manager.send(&decision, &[("outcome", "goedgekeurd")]).await;
    assert_eq!(status, 422, "decided once");
    let manager_id = manager.id;
    assert_eq!(
        entries(&world).await,
        vec![
            (12_050, "goedgekeurd".into(), None),
            (150_000, "goedgekeurd".into(), Some(manager_id)),
        ]
    );
    let (_, page) = lead.page(&format!("{case}/maatwerk")).await;
    assert_eq!(
        element_text(&page, "flexible-approved").as_deref(),
        Some("€ 1.620,50")
    );

    // A process manager who asks is approved by another, not by themselves.
    let own = Spending {
        amount: "2.000",
        submission: Uuid::new_v4().to_string(),
        ..small
    };
    assert_eq!(own.send(&world, &manager).await.0, 303);
    let own_id: Uuid = sqlx::query_scalar("SELECT id FROM flexible_support WHERE status = 'aangevraagd'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, _) = manager
        .send(
            &format!("{case}/maatwerk/{own_id}/decision"),
            &[("outcome", "goedgekeurd")],
        )
        .await;
    assert_eq!(status, 403);

    // Every change is on the case's trail with old and new value.
    let changes: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE kind = 'finance_changed' AND case_id = $1 ORDER BY occurred_at",
    )
    .bind(world.case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(changes.len(), 4, "{changes:?}");
    assert_eq!(changes[2]["old"]["status"], "aangevraagd");
    assert_eq!(changes[2]["new"]["status"], "goedgekeurd");

    // The quarterly account counts approved spending on the flexible line.
    let treasurer = world.login("penningmeester@demo.test").await;
    let contract: Uuid = sqlx::query_scalar("SELECT contract_id FROM budget_lines WHERE id = $1")
        .bind(line)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let (status, csv) = treasurer
        .page(&format!("/demo/finance/contracts/{contract}/account?csv=1"))
        .await;
    assert_eq!(status, 200);
    let row = csv
        .lines()
        .find(|l| l.contains(";Maatwerkbudget;"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains(";1620,50"), "{row}");
}

#[tokio::test]
async fn only_those_with_a_reason_see_what_flexible_support_was_for() {
    let world = World::new().await;
    let lead = world.login("team@demo.test").await;
    let goal = goal(&world, &lead).await;
    let spending = Spending {
        line: flexible_line(&world).await,
        goal,
        amount: "80",
        submission: Uuid::new_v4().to_string(),
    };
    assert_eq!(spending.send(&world, &lead).await.0, 303);
    let path = format!("{}/maatwerk", world.case_path());

    // The treasurer sees the amount in the list, not what it was for, and not the case.
    let treasurer = world.login("penningmeester@demo.test").await;
    let (status, list) = treasurer.page("/demo/finance/maatwerk").await;
    assert_eq!(status, 200);
    assert!(list.contains("€ 80,00"), "{list}");
    assert!(!list.contains("Een fiets"), "no description for the treasurer");
    assert_ne!(treasurer.status(&path).await, 200);
    // The threshold is the treasurer's: a bad amount is refused beside the field.
    let (status, page) = treasurer
        .send("/demo/finance/maatwerk/threshold", &[("threshold", "tien euro")])
        .await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "threshold").is_some());
    let (status, _) = treasurer
        .send("/demo/finance/maatwerk/threshold", &[("threshold", "50")])
        .await;
    assert_eq!(status, 303);
    let (status, _) = lead
        .send("/demo/finance/maatwerk/threshold", &[("threshold", "5000")])
        .await;
    assert_eq!(status, 403, "a professional sets no threshold");
    let again = Spending {
        amount: "60",
        submission: Uuid::new_v4().to_string(),
        ..spending
    };
    assert_eq!(again.send(&world, &lead).await.0, 303);
    assert_eq!(
        entries(&world).await.last().map(|e| e.1.clone()).as_deref(),
        Some("aangevraagd"),
        "above the new threshold it waits"
    );

    // A professional of the team who is not involved sees no case's money (reading the case
    // needs a reason first, and a reason opens the case, not a list of spending elsewhere).
    let colleague = crate::api::finance::add_user(
        &world.app,
        "demo",
        "collega-team@demo.test",
        &["professional"],
        None,
    )
    .await;
    assert_eq!(colleague.status(&path).await, 403);
    assert_eq!(colleague.status("/demo/finance/maatwerk").await, 403);
    // A member organisation's staff and the chair do not reach the case's money; another
    // cooperative does not find it.
    for email in ["lid@demo.test", "voorzitter@demo.test"] {
        let user = world.login(email).await;
        assert!(
            matches!(user.status(&path).await, 403 | 404),
            "{email} sees no case"
        );
        assert_eq!(user.status("/demo/finance/maatwerk").await, 403, "{email}");
    }
    let stranger = crate::api::finance::add_user(
        &world.app,
        "demo2",
        "procesmanager@demo2.test",
        &["process_manager"],
        None,
    )
    .await;
    assert_eq!(
        stranger
            .status(&format!("/demo2/cases/{}/maatwerk", world.case))
            .await,
        404
    );
    let (status, _) = stranger
        .send(
            &format!("/demo2/cases/{}/maatwerk", world.case),
            &[("amount", "10")],
        )
        .await;
    assert_eq!(status, 404);

    // The lead sees what it was for; reading the case's money is on the resident's trail.
    let (status, page) = lead.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Een fiets om zelf naar het werk te gaan"));
    let mut db = world.app.owner_connection().await;
    let viewed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE kind = 'case_viewed' AND case_id = $1
           AND details ? 'flexible_support'",
    )
    .bind(world.case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(viewed >= 1);
}

#[tokio::test]
async fn the_flexible_support_form_refuses_control_characters_and_long_texts_beside_the_field() {
    let world = World::new().await;
    let lead = world.login("team@demo.test").await;
    let goal = goal(&world, &lead).await.to_string();
    let line = flexible_line(&world).await.to_string();
    let today = crate::api::assembly::date_in(0);
    let form = crate::api::limits::Form::new(
        "flexible support",
        format!("{}/maatwerk", world.case_path()),
        &[
            ("budget_line", &line),
            ("goal", &goal),
            ("amount", "80"),
            ("provider", "anders"),
            ("provider_name", "Fietsenmaker Van Dijk"),
            ("description", "Een fiets"),
            ("spent_on", &today),
            ("submission", "3f2e1d0c-9b8a-4765-8432-10fedcba9876"),
        ],
    )
    .texts(&["provider_name", "description"]);
    crate::api::limits::refuses_spoiled_texts(&lead, &form).await;
    assert!(entries(&world).await.is_empty(), "nothing stored");
}
