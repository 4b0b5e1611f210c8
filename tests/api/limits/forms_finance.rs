//! The money forms: spoiled texts are refused beside their field and nothing is stored.

use super::{Form, refuses_spoiled_texts};
use crate::api::assembly::Assembly;
use crate::api::finance::subsidy_with_projects_line;
use crate::common::location;
use crate::common::users::User;

#[tokio::test]
async fn the_money_forms_refuse_control_characters_and_long_texts_beside_the_field() {
    let a = Assembly::new(1).await;
    a.adopt_pot("Ouderen langer thuis", "455.000").await;
    let treasurer = User::login(&a.app, "demo", "penningmeester@demo.test").await;
    let member = User::login(&a.app, "demo", "rep0@demo.test").await;
    let contract = subsidy_with_projects_line(&treasurer, 2026).await;
    let mut db = a.app.owner_connection().await;
    let pot: String = sqlx::query_scalar("SELECT id::text FROM pots")
        .fetch_one(&mut db)
        .await
        .unwrap();
    let application = [
        ("project", "Maaltijden aan huis"),
        ("amount", "20.000"),
        ("purpose", "Koks en vervoer."),
        ("expected_result", "Veertig ouderen eten warm."),
    ];
    let response = member
        .post(&format!("/demo/finance/pots/{pot}/grants"), &application)
        .await;
    let grant = location(&response).to_owned();
    let open = member
        .post(&format!("/demo/finance/pots/{pot}/grants"), &application)
        .await;
    let open = location(&open).to_owned();
    let (status, _) = treasurer
        .send(&format!("{grant}/decision"), &[("outcome", "toegekend")])
        .await;
    assert_eq!(status, 303);

    let contract_fields = [
        ("kind", "opdracht"),
        ("title", "Opdracht"),
        ("commissioner", "Gemeente Woudenberg"),
        ("amount", "1000"),
        ("starts_on", "01-01-2026"),
        ("ends_on", "31-12-2026"),
        ("conditions", "Per kwartaal verantwoorden."),
    ];
    let mut expense = Form::new(
        "expense",
        format!("{grant}/expenses"),
        &[
            ("submission", "7d1c4b52-8d3e-4f61-9a0b-2c5e8f7a6b10"),
            ("spent_on", "01-06-2026"),
            ("amount", "10"),
            ("description", "Boodschappen"),
        ],
    )
    .text_at("description", "expense-description");
    expense.multipart = true;
    let forms = [
        Form::new("new contract", "/demo/finance/contracts/new", &contract_fields).texts(&[
            "title",
            "commissioner",
            "conditions",
        ]),
        Form::new(
            "budget line",
            format!("{contract}/lines"),
            &[("name", "Loket"), ("amount", "10")],
        )
        .text_at("name", "line-name"),
        Form::new(
            "agreement",
            format!("{contract}/agreements"),
            &[
                ("measure", "wmo_besluit_op_tijd"),
                ("target", "95"),
                ("description", "Uit de brief."),
            ],
        )
        .text_at("description", "agreement-description"),
        Form::new(
            "decision",
            format!("{open}/decision"),
            &[
                ("outcome", "afgewezen"),
                ("note", "Past niet."),
                ("over_commitment", ""),
            ],
        )
        .text_at("note", "decision-note")
        .text_at("over_commitment", "decision-over_commitment"),
        Form::new(
            "payment",
            format!("{contract}/payments"),
            &[
                ("submission", "0b6f3c1e-2a4d-4e5f-8a9b-1c2d3e4f5a6b"),
                ("received_on", "01-01-2026"),
                ("amount", "10"),
                ("note", "Eerste tranche"),
            ],
        )
        .text_at("note", "payment-note"),
    ];
    for form in &forms {
        refuses_spoiled_texts(&treasurer, form).await;
    }
    let apply = Form::new(
        "application",
        format!("/demo/finance/pots/{pot}/grants"),
        &application,
    )
    .texts(&["project", "purpose", "expected_result"]);
    let result = Form::new(
        "result",
        format!("{grant}/result"),
        &[("result", "Veertig ouderen aten warm.")],
    )
    .text_at("result", "result-result");
    for form in [&apply, &result, &expense] {
        refuses_spoiled_texts(&member, form).await;
    }
}
