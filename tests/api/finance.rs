//! The cooperative's money: a pot opened by a decision of the assembly, a member's grant from
//! it spent with receipts to the cent, amounts as people type them, and who may see and do what.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::api::assembly::Assembly;
use crate::common::pages::{element_text, field_error};
use crate::common::users::User;
use crate::common::{TestApp, location};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

async fn pot_id(db: &mut PgConnection, name: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM pots WHERE name = $1")
        .bind(name)
        .fetch_one(db)
        .await
        .unwrap()
}

/// A user of `tenant` with `roles` (and the organisation, for a member), logging in with the
/// demo password.
pub(crate) async fn add_user(
    app: &TestApp,
    tenant: &str,
    email: &str,
    roles: &[&str],
    organisation: Option<Uuid>,
) -> User {
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO users (tenant_id, email, name, roles, password_hash, organisation_id)
         SELECT u.tenant_id, $2, $2, $3, u.password_hash, $4
         FROM users u JOIN tenants t ON t.id = u.tenant_id
         WHERE t.slug = $1 AND u.email = 'balie@demo.test'",
    )
    .bind(tenant)
    .bind(email)
    .bind(roles)
    .bind(organisation)
    .execute(&mut db)
    .await
    .unwrap();
    User::login(app, tenant, email).await
}

async fn apply(member: &User, pot: Uuid, amount: &str) -> (u16, String) {
    let response = member
        .post(
            &format!("/demo/finance/pots/{pot}/grants"),
            &[
                ("project", "Maaltijden aan huis"),
                ("amount", amount),
                ("purpose", "Koks en vervoer voor twee jaar."),
                ("expected_result", "Veertig ouderen eten warm."),
            ],
        )
        .await;
    let status = response.status().as_u16();
    if status == 303 {
        (status, location(&response).rsplit('/').next().unwrap().to_owned())
    } else {
        (status, response.text().await.unwrap())
    }
}

async fn decide(user: &User, grant: &str, outcome: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("outcome", outcome)];
    all.extend_from_slice(fields);
    user.send(&format!("/demo/finance/grants/{grant}/decision"), &all)
        .await
}

async fn spend(member: &User, grant: &str, amount: &str, submission: &str, receipt: &[u8]) -> (u16, String) {
    member
        .multipart_as(
            &format!("/demo/finance/grants/{grant}/expenses"),
            &[
                ("csrf_token", &member.token),
                ("submission", submission),
                ("spent_on", &crate::api::assembly::date_in(0)),
                ("amount", amount),
                ("description", "Boodschappen voor de kookgroep"),
            ],
            "receipt",
            &[("bon.pdf", "application/pdf", receipt)],
        )
        .await
}

/// This year's subsidy of € 500.000 with a line of € 455.000 for the joint projects; its path.
pub(crate) async fn subsidy_with_projects_line(treasurer: &User, year: i32) -> String {
    let response = treasurer
        .post(
            "/demo/finance/contracts/new",
            &[
                ("kind", "subsidie"),
                ("title", "Subsidie coöperatie"),
                ("commissioner", "Gemeente Woudenberg"),
                ("amount", "500.000"),
                ("starts_on", &format!("01-01-{year}")),
                ("ends_on", &format!("31-12-{year}")),
            ],
        )
        .await;
    assert_eq!(response.status(), 303);
    let contract = location(&response).to_owned();
    let (status, _) = treasurer
        .send(
            &format!("{contract}/lines"),
            &[("name", "Gezamenlijke projecten"), ("amount", "455.000")],
        )
        .await;
    assert_eq!(status, 303);
    contract
}

impl Assembly {
    /// This year in the Netherlands.
    async fn app_year(&self) -> i32 {
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar("SELECT extract(year FROM local_now())::int")
            .fetch_one(&mut db)
            .await
            .unwrap()
    }
}

fn shown(page: &str, id: &str) -> String {
    element_text(page, id).unwrap_or_else(|| panic!("no #{id} in {page}"))
}

#[tokio::test]
async fn a_pot_adopted_by_the_assembly_is_granted_and_spent_to_the_cent() {
    let a = Assembly::new(2).await;
    let number = a.adopt_pot("Ouderen langer thuis", "455.000").await;
    let mut db = a.app.owner_connection().await;
    let pot = pot_id(&mut db, "Ouderen langer thuis").await;
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    let (status, page) = treasurer.page(&format!("/demo/finance/pots/{pot}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&number), "the decision that opened it: {page}");
    assert_eq!(shown(&page, "pot-allocated"), "€ 455.000,00");

    let member = User::login(&a.app, "demo", "rep0@demo.test").await;
    for refused in ["twintig", "-5", "1.234,567", "0"] {
        let (status, page) = apply(&member, pot, refused).await;
        assert_eq!(status, 422, "{refused}");
        assert!(field_error(&page, "amount").is_some(), "{refused}: {page}");
        assert!(
            page.contains("Koks en vervoer voor twee jaar."),
            "what was typed stays"
        );
    }
    let (status, grant) = apply(&member, pot, "20.000").await;
    assert_eq!(status, 303, "{grant}");
    let (_, start) = treasurer.page("/demo/").await;
    assert!(
        start.contains("id=\"waiting-applications\""),
        "the treasurer's start page: {start}"
    );
    let (_, overview) = treasurer.page("/demo/finance").await;
    assert!(
        overview.contains("id=\"waiting\"") && overview.contains("Maaltijden aan huis"),
        "{overview}"
    );
    let (status, _) = decide(
        &treasurer,
        &grant,
        "toegekend",
        &[("note", "Past in het jaarplan.")],
    )
    .await;
    assert_eq!(status, 303);

    // Two expenses, written the Dutch and the English way; the second form sent twice.
    let first = Uuid::new_v4().to_string();
    let second = Uuid::new_v4().to_string();
    assert_eq!(spend(&member, &grant, "1.234,5", &first, PDF).await.0, 303);
    assert_eq!(spend(&member, &grant, "1234.50", &second, PDF).await.0, 303);
    assert_eq!(spend(&member, &grant, "1234.50", &second, PDF).await.0, 303);
    let stored: Vec<i64> = sqlx::query_scalar("SELECT amount_cents FROM grant_expenses ORDER BY recorded_at")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(stored, [123_450, 123_450], "the form sent twice is stored once");
    // The grant's kept total follows its expenses, also when one is corrected or removed.
    let kept = "SELECT g.spent_cents = coalesce((SELECT sum(amount_cents) FROM grant_expenses e WHERE e.grant_id = g.id), 0)
                FROM grants g WHERE g.id = $1::uuid";
    let holds: bool = sqlx::query_scalar(kept)
        .bind(&grant)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(holds);
    sqlx::query("UPDATE grant_expenses SET amount_cents = 100 WHERE amount_cents = 123450 AND spent_on = (SELECT min(spent_on) FROM grant_expenses) AND id = (SELECT min(id::text)::uuid FROM grant_expenses)")
        .execute(&mut db)
        .await
        .unwrap();
    let holds: bool = sqlx::query_scalar(kept)
        .bind(&grant)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(holds, "after a correction");
    sqlx::query("UPDATE grant_expenses SET amount_cents = 123450 WHERE amount_cents = 100")
        .execute(&mut db)
        .await
        .unwrap();
    let holds: bool = sqlx::query_scalar(kept)
        .bind(&grant)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(holds, "after the correction is undone");
    let (status, page) = spend(&member, &grant, "18.000", &Uuid::new_v4().to_string(), PDF).await;
    assert_eq!(status, 422, "more than is left of the grant");
    assert!(field_error(&page, "expense-amount").is_some(), "{page}");
    let (status, page) = spend(
        &member,
        &grant,
        "10",
        &Uuid::new_v4().to_string(),
        b"MZ executable",
    )
    .await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "expense-receipt").is_some(), "{page}");

    // The pot, the member's view and the treasurer's view agree to the cent.
    let (_, page) = treasurer.page(&format!("/demo/finance/pots/{pot}")).await;
    assert_eq!(shown(&page, "pot-granted"), "€ 20.000,00");
    assert_eq!(shown(&page, "pot-available"), "€ 435.000,00");
    assert_eq!(shown(&page, "pot-spent"), "€ 2.469,00");
    let (_, page) = member.page(&format!("/demo/finance/grants/{grant}")).await;
    assert_eq!(shown(&page, "grant-spent"), "€ 2.469,00");
    assert_eq!(shown(&page, "grant-left"), "€ 17.531,00");
    let (_, page) = member.page("/demo/finance").await;
    assert!(
        page.contains("€ 435.000,00") && page.contains("Maaltijden aan huis"),
        "{page}"
    );

    // The quarterly account of this year's contract agrees, on screen and in the CSV.
    let year = a.app_year().await;
    let contract = subsidy_with_projects_line(&treasurer, year).await;
    let line: Uuid = sqlx::query_scalar("SELECT id FROM budget_lines WHERE name = 'Gezamenlijke projecten'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let link = format!("/demo/finance/pots/{pot}/line");
    assert_eq!(
        member.send(&link, &[("budget_line", &line.to_string())]).await.0,
        403
    );
    assert_eq!(
        treasurer
            .send(&link, &[("budget_line", &line.to_string())])
            .await
            .0,
        303
    );
    let (status, page) = treasurer.page(&format!("{contract}/account")).await;
    assert_eq!(status, 200);
    assert_eq!(shown(&page, "account-spent-to-date"), "€ 2.469,00");
    assert_eq!(shown(&page, "account-spent-quarter"), "€ 2.469,00");
    let (status, csv) = treasurer.page(&format!("{contract}/account?csv=1")).await;
    assert_eq!(status, 200);
    assert!(csv.starts_with('\u{feff}'), "Excel reads it as UTF-8");
    assert!(
        csv.contains("budget;Gezamenlijke projecten;455000,00;2469,00;2469,00;\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains("pot;Ouderen langer thuis;455000,00;2469,00;2469,00;20000,00\r\n"),
        "{csv}"
    );
    assert_eq!(member.status(&format!("{contract}/account")).await, 403);

    // Each change is audited with what it was and what it became.
    let decided: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM audit_events WHERE kind = 'finance_changed' AND details->>'what' = 'grant_decided'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(decided["old"]["status"], "aangevraagd");
    assert_eq!(decided["new"]["status"], "toegekend");
    assert_eq!(decided["old"]["pot_available_cents"], 45_500_000);
}

#[tokio::test]
async fn money_is_seen_and_changed_only_by_whom_it_concerns() {
    let a = Assembly::new(2).await;
    a.adopt_pot("Jeugd", "10.000").await;
    let mut db = a.app.owner_connection().await;
    let pot = pot_id(&mut db, "Jeugd").await;
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    let member = User::login(&a.app, "demo", "rep0@demo.test").await;
    let other_member = User::login(&a.app, "demo", "rep1@demo.test").await;
    let chair = User::login(&a.app, "demo", "voorzitter@demo.test").await;
    let desk = User::login(&a.app, "demo", "balie@demo.test").await;
    let (_, grant) = apply(&member, pot, "12.000").await;
    let grant_path = format!("/demo/finance/grants/{grant}");

    // Whoever keeps the money sees every grant; the chair the totals; a member its own.
    assert_eq!(treasurer.status(&grant_path).await, 200);
    assert_eq!(chair.status("/demo/finance").await, 200);
    let (status, page) = chair.page(&format!("/demo/finance/pots/{pot}")).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("Maaltijden aan huis"),
        "the chair sees totals, not applications"
    );
    assert_eq!(chair.status(&grant_path).await, 403);
    assert_eq!(
        other_member.status(&grant_path).await,
        404,
        "another member's grant is not there"
    );
    assert_eq!(desk.status("/demo/finance").await, 403);
    assert_eq!(
        treasurer
            .status(&format!("/demo/finance/grants/{}", Uuid::new_v4()))
            .await,
        404
    );

    // Only whoever keeps the money decides, never on its own application, and only members apply.
    assert_eq!(decide(&member, &grant, "toegekend", &[]).await.0, 403);
    assert_eq!(decide(&chair, &grant, "toegekend", &[]).await.0, 403);
    assert_eq!(apply(&treasurer, pot, "100").await.0, 403);
    let both = add_user(
        &a.app,
        "demo",
        "bestuur-en-lid@demo.test",
        &["admin", "member"],
        Some(a.members[1]),
    )
    .await;
    let (status, own) = apply(&both, pot, "500").await;
    assert_eq!(status, 303);
    let (_, page) = both.page(&format!("/demo/finance/grants/{own}")).await;
    assert!(page.contains("id=\"own-application\""), "{page}");
    assert_eq!(
        decide(&both, &own, "toegekend", &[]).await.0,
        403,
        "nobody decides on their own application"
    );
    // A chair who works for a member organisation applies for it and sees that application only.
    let chairing = add_user(
        &a.app,
        "demo",
        "voorzitter-en-lid@demo.test",
        &["chair", "member"],
        Some(a.members[1]),
    )
    .await;
    let (status, theirs) = apply(&chairing, pot, "250").await;
    assert_eq!(status, 303);
    assert_eq!(
        chairing.status(&format!("/demo/finance/grants/{theirs}")).await,
        200
    );
    assert_eq!(chairing.status(&grant_path).await, 403);

    // Granting more than the pot holds needs the over-commitment said, with a reason.
    let (status, page) = decide(&treasurer, &grant, "toegekend", &[]).await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "decision-over_commitment").is_some(), "{page}");
    let (status, _) = decide(
        &treasurer,
        &grant,
        "toegekend",
        &[("over_commitment", "Tweede tranche volgt in juni.")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = treasurer.page(&format!("/demo/finance/pots/{pot}")).await;
    assert_eq!(shown(&page, "pot-available"), "-€ 2.000,00");
    assert_eq!(
        decide(&treasurer, &grant, "afgewezen", &[("note", "x")]).await.0,
        422,
        "decided once"
    );

    // Only the member spends, with its receipt, which others cannot read.
    assert_eq!(
        spend(&other_member, &grant, "10", &Uuid::new_v4().to_string(), PDF)
            .await
            .0,
        404
    );
    assert_eq!(
        spend(&member, &grant, "10", &Uuid::new_v4().to_string(), PDF)
            .await
            .0,
        303
    );
    let expense: Uuid = sqlx::query_scalar("SELECT id FROM grant_expenses")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let receipt = format!("{grant_path}/expenses/{expense}/receipt");
    assert_eq!(member.status(&receipt).await, 200);
    assert_eq!(treasurer.status(&receipt).await, 200);
    assert_eq!(other_member.status(&receipt).await, 404);

    // Another cooperative's treasurer finds nothing of it.
    let foreign = add_user(&a.app, "demo2", "penningmeester@demo.test", &["treasurer"], None).await;
    assert_eq!(foreign.status(&format!("/demo2/finance/pots/{pot}")).await, 404);
    assert_eq!(
        foreign.status(&format!("/demo2/finance/grants/{grant}")).await,
        404
    );
    let (_, page) = foreign.page("/demo2/finance").await;
    assert!(!page.contains("Jeugd"), "{page}");
}

#[tokio::test]
async fn a_contract_is_divided_into_budget_lines_never_more_than_it_holds() {
    let app = TestApp::spawn().await;
    let treasurer = User::login(&app, "demo", "penningmeester@demo.test").await;
    let chair = User::login(&app, "demo", "voorzitter@demo.test").await;
    let fields = |amount: &'static str| {
        vec![
            ("kind", "opdracht"),
            ("title", "Opdracht sociaal domein 2026"),
            ("commissioner", "Gemeente Woudenberg"),
            ("amount", amount),
            ("starts_on", "01-01-2026"),
            ("ends_on", "31-12-2026"),
            ("conditions", "Jaarlijkse verantwoording per kwartaal."),
        ]
    };
    let (status, page) = treasurer
        .send("/demo/finance/contracts/new", &fields("1.2.3"))
        .await;
    assert_eq!(status, 422);
    assert!(field_error(&page, "amount").is_some(), "{page}");
    assert!(page.contains("Gemeente Woudenberg"), "what was typed stays");
    assert_eq!(
        chair.send("/demo/finance/contracts/new", &fields("100")).await.0,
        403
    );
    let response = treasurer
        .post("/demo/finance/contracts/new", &fields("1.250.000"))
        .await;
    assert_eq!(response.status(), 303);
    let contract = location(&response).to_owned();
    let lines = format!("{contract}/lines");
    assert_eq!(
        treasurer
            .send(&lines, &[("name", "Loket en sociaal team"), ("amount", "900000")])
            .await
            .0,
        303
    );
    let (status, page) = treasurer
        .send(&lines, &[("name", "Maatwerk"), ("amount", "350.000,01")])
        .await;
    assert_eq!(status, 422, "more than the contract holds");
    assert!(field_error(&page, "line-amount").is_some(), "{page}");
    assert_eq!(
        treasurer
            .send(&lines, &[("name", "Maatwerk"), ("amount", "350.000")])
            .await
            .0,
        303
    );
    let (status, page) = chair.page(&contract).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<title>Opdracht sociaal domein 2026 · "),
        "the title is the contract's"
    );
    assert_eq!(shown(&page, "contract-amount"), "€ 1.250.000,00");
    assert_eq!(shown(&page, "contract-unbudgeted"), "€ 0,00");
    assert!(!page.contains("/lines\""), "the chair reads, does not change");

    // Performance agreements, each tied to a figure Schakel keeps, shown against its target.
    let agreements = format!("{contract}/agreements");
    let agreement = |measure: &'static str, target: &'static str| {
        vec![
            ("measure", measure),
            ("target", target),
            ("description", "Uit de opdrachtbrief."),
        ]
    };
    let (status, page) = treasurer
        .send(&agreements, &agreement("wmo_besluit_op_tijd", "101"))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&page, "agreement-target").as_deref(),
        Some("Vul een percentage in van 0 tot 100.")
    );
    assert_eq!(
        chair
            .send(&agreements, &agreement("wmo_besluit_op_tijd", "95"))
            .await
            .0,
        403
    );
    for (measure, target) in [
        ("wmo_besluit_op_tijd", "95"),
        ("balie_afgehandeld", "60"),
        ("kinderen_jeugd", "40"),
    ] {
        assert_eq!(
            treasurer.send(&agreements, &agreement(measure, target)).await.0,
            303,
            "{measure}"
        );
    }
    let (status, page) = treasurer
        .send(&agreements, &agreement("balie_afgehandeld", "70"))
        .await;
    assert_eq!(status, 422, "one agreement per figure");
    assert!(field_error(&page, "agreement-measure").is_some(), "{page}");
    let (_, page) = chair.page(&contract).await;
    for (row, target) in [
        ("agreement-wmo_besluit_op_tijd", "≥ 95%"),
        ("agreement-balie_afgehandeld", "≥ 60%"),
        ("agreement-kinderen_jeugd", "≤ 40"),
    ] {
        let start = page
            .find(&format!("id=\"{row}\""))
            .unwrap_or_else(|| panic!("no {row}: {page}"));
        let shown = &page[start..start + page[start..].find("</tr>").unwrap()];
        assert!(shown.contains(target), "{shown}");
        assert!(
            shown.contains("op schema") || shown.contains("achter") || shown.contains("nog niet te zeggen"),
            "{shown}"
        );
    }
    let (status, page) = chair.page(&format!("{contract}/account?kwartaal=2026-1")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<title>Verantwoording 2026-1 — Opdracht sociaal domein 2026 · "),
        "{page}"
    );
    assert!(
        page.contains("id=\"agreement-kinderen_jeugd\""),
        "the account reports the agreements"
    );
    assert_eq!(
        chair.page(&format!("{contract}/account?kwartaal=2027-1")).await.0,
        404,
        "outside the contract"
    );

    // The municipality's contact (staff of the member that is the municipality) reads its
    // contracts and accounts, and changes nothing.
    let mut db = app.owner_connection().await;
    let kinds: Vec<(String, Uuid)> = sqlx::query_as(
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since, member_since)
         SELECT id, o.name, o.kind, 'lid', '2020-01-01', '2020-01-01' FROM tenants,
                (VALUES ('Gemeente Testdorp', 'gemeente'), ('Welzijn Testdorp', 'welzijn')) AS o(name, kind)
         WHERE slug = 'demo' RETURNING kind, id",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let of = |kind: &str| kinds.iter().find(|(k, _)| k == kind).map(|(_, id)| *id);
    let municipality = add_user(&app, "demo", "gemeente@demo.test", &["member"], of("gemeente")).await;
    assert_eq!(municipality.status(&contract).await, 200);
    assert_eq!(municipality.status(&format!("{contract}/account")).await, 200);
    let (_, overview) = municipality.page("/demo/finance").await;
    assert!(overview.contains("Opdracht sociaal domein 2026"), "{overview}");
    assert_eq!(
        municipality
            .send(&lines, &[("name", "Extra"), ("amount", "1")])
            .await
            .0,
        403
    );
    let member = add_user(&app, "demo", "welzijn@demo.test", &["member"], of("welzijn")).await;
    assert_eq!(
        member.status(&contract).await,
        403,
        "another member does not read contracts"
    );
}

#[tokio::test]
async fn above_the_statutes_amount_the_assembly_decides_and_the_board_records_its_decision() {
    let a = Assembly::new(2).await;
    let number = a.adopt_pot("Ouderen langer thuis", "455.000").await;
    a.set_rules(&[("grants_by_assembly_above", "10.000")]).await;
    let mut db = a.app.owner_connection().await;
    let limit: Option<i64> = sqlx::query_scalar("SELECT grants_by_assembly_above_cents FROM statute_rules s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'demo'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(limit, Some(1_000_000));
    let pot = pot_id(&mut db, "Ouderen langer thuis").await;
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    let member = User::login(&a.app, "demo", "rep0@demo.test").await;
    let (status, grant) = apply(&member, pot, "20.000").await;
    assert_eq!(status, 303, "{grant}");
    let (_, page) = treasurer.page(&format!("/demo/finance/grants/{grant}")).await;
    assert!(page.contains("id=\"for-assembly\""), "{page}");

    // The assembly's decision is named, exists, and says what is recorded.
    for (outcome, typed) in [
        ("toegekend", ""),
        ("toegekend", "ALV-1999-01"),
        ("toegekend", "besluit van gisteren"),
        ("afgewezen", number.as_str()),
    ] {
        let (status, page) = decide(
            &treasurer,
            &grant,
            outcome,
            &[("note", "Volgens de ALV."), ("decision_number", typed)],
        )
        .await;
        assert_eq!(status, 422, "{outcome} {typed}");
        assert!(
            field_error(&page, "decision-decision_number").is_some(),
            "{outcome} {typed}: {page}"
        );
    }
    let typed = format!(" {} ", number.to_lowercase());
    let (status, _) = decide(&treasurer, &grant, "toegekend", &[("decision_number", &typed)]).await;
    assert_eq!(status, 303);
    let (_, page) = treasurer.page(&format!("/demo/finance/grants/{grant}")).await;
    assert_eq!(shown(&page, "grant-decision"), number);

    // Up to the amount the board decides alone.
    let (status, small) = apply(&member, pot, "5.000").await;
    assert_eq!(status, 303);
    let (_, page) = treasurer.page(&format!("/demo/finance/grants/{small}")).await;
    assert!(!page.contains("id=\"for-assembly\""));
    let (status, _) = decide(&treasurer, &small, "toegekend", &[]).await;
    assert_eq!(status, 303);
}

#[tokio::test]
async fn what_the_municipality_paid_is_recorded_once_and_shown_beside_what_was_spent() {
    let a = Assembly::new(1).await;
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    let year = a.app_year().await;
    let contract = subsidy_with_projects_line(&treasurer, year).await;
    let (_, page) = treasurer.page(&contract).await;
    let submission = crate::common::hidden_value(&page, "submission").expect("the payment form's key");
    let payments = format!("{contract}/payments");
    let first_day = format!("01-01-{year}");
    for (received_on, amount, field) in [
        (first_day.as_str(), "honderd", "payment-amount"),
        (first_day.as_str(), "12,3456", "payment-amount"),
        ("01-01-2099", "125.000", "payment-received_on"),
        ("31-12-1999", "125.000", "payment-received_on"),
    ] {
        let (status, page) = treasurer
            .send(
                &payments,
                &[
                    ("received_on", received_on),
                    ("amount", amount),
                    ("note", "Eerste tranche"),
                    ("submission", &submission),
                ],
            )
            .await;
        assert_eq!(status, 422, "{received_on} {amount}");
        assert!(field_error(&page, field).is_some(), "{received_on} {amount}");
        assert!(page.contains("Eerste tranche"), "what was typed stays");
    }
    for _ in 0..2 {
        let (status, _) = treasurer
            .send(
                &payments,
                &[
                    ("received_on", &first_day),
                    ("amount", "125.000"),
                    ("note", "Eerste tranche"),
                    ("submission", &submission),
                ],
            )
            .await;
        assert_eq!(status, 303);
    }
    let (_, page) = treasurer.page(&contract).await;
    assert_eq!(shown(&page, "contract-received"), "€ 125.000,00", "stored once");
    assert_eq!(shown(&page, "contract-outstanding"), "€ 375.000,00");
    let (_, account) = treasurer
        .page(&format!("{contract}/account?kwartaal={year}-1"))
        .await;
    assert_eq!(shown(&account, "account-received-quarter"), "€ 125.000,00");
    let (_, csv) = treasurer
        .page(&format!("{contract}/account?kwartaal={year}-1&csv=1"))
        .await;
    assert!(
        csv.contains("ontvangen;Subsidie coöperatie;500000,00;125000,00;125000,00;"),
        "{csv}"
    );
    // The chair reads it and records nothing.
    let chair = User::login(&a.app, "demo", "voorzitter@demo.test").await;
    let (status, page) = chair.page(&contract).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"contract-received\"") && !page.contains("name=\"received_on\""));
    let (status, _) = chair
        .send(
            &payments,
            &[
                ("received_on", &first_day),
                ("amount", "1"),
                ("submission", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(status, 403);
}
