//! A resident on their own pages, on a phone: the desk hands over a sign-in code; the resident
//! sets up an account, sees their request and plan, agrees to the plan, withdraws a consent
//! (the member organisation then no longer finds the referral), writes to their lead and sees
//! the lead's looks of this morning — with axe-core finding nothing on any of the pages.

use anyhow::ensure;
use fantoccini::Locator;

use super::accessibility::expect_no_violations;
use crate::api::referrals::World;
use crate::common::browser::{
    ENTER, expect_heading, log_in, submit_and_wait_for, type_into, wait_for_text, with_browser,
};
use crate::common::hidden_value;
use crate::common::pages::nl;
use crate::common::records::today;

const PASSWORD: &str = "een lange zin als wachtwoord";

#[tokio::test(flavor = "multi_thread")]
async fn a_resident_signs_in_with_the_desks_code_and_takes_part_on_a_phone() {
    let w = World::new().await;
    let mut db = w.app.owner_connection().await;
    sqlx::query("UPDATE residents SET date_of_birth = '1944-02-29' WHERE id = $1")
        .bind(w.resident)
        .execute(&mut db)
        .await
        .unwrap();
    // This morning the lead worked on the case: a goal agreed with Wim, a consent and a
    // referral under it.
    let lead = w.login("team@demo.test").await;
    let case = w.case_path();
    let day = nl(today(&w.app).await);
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").unwrap();
    let answer = lead
        .submit(
            &format!("{case}/plan/goals"),
            &[
                ("description", "Elke week een keer naar buiten"),
                ("lock_version", &version),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    let version = hidden_value(&plan, "lock_version").unwrap();
    let answer = lead
        .submit(
            &format!("{case}/plan/agree"),
            &[("agreed_on", &day), ("lock_version", &version)],
        )
        .await;
    assert_eq!(answer.status, 303);
    w.consent(&lead, &format!("org:{}", w.org_a), &day, "").await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    let lid = w.login("lid@demo.test").await;
    let referral_path = format!("/demo/referrals/{referral}");
    assert_eq!(lid.status(&referral_path).await, 200);

    let w = &w;
    with_browser("resident_pages", |browser| async move {
        // The desk makes the code and prints the card.
        log_in(&browser, &w.app, "balie@demo.test", "Welkom, Bente Balie").await?;
        browser
            .goto(&w.app.url(&format!("/demo/residents/{}", w.resident)))
            .await?;
        browser
            .find(Locator::Id("issue-sign-in-code"))
            .await?
            .send_keys(ENTER)
            .await?;
        expect_heading(&browser, "Inlogcode voor Mijn pagina's").await?;
        expect_no_violations(&browser, "the code card").await?;
        let code = browser
            .find(Locator::Css("[data-testid=sign-in-code]"))
            .await?
            .text()
            .await?;

        // Wim, on his phone.
        browser.delete_all_cookies().await?;
        browser.set_window_size(390, 844).await?;
        browser.goto(&w.app.url("/demo/mijn")).await?;
        expect_heading(&browser, "Inloggen op Mijn pagina's").await?;
        expect_no_violations(&browser, "/demo/mijn/inloggen").await?;
        browser
            .find(Locator::LinkText("Account maken met mijn inlogcode"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Account maken").await?;
        expect_no_violations(&browser, "/demo/mijn/activeren").await?;
        type_into(&browser, "code", &code.to_lowercase()).await?;
        type_into(&browser, "date_of_birth", "29-02-1944").await?;
        type_into(&browser, "email", "wim@example.test").await?;
        type_into(&browser, "password", PASSWORD).await?;
        type_into(&browser, "confirmation", &format!("{PASSWORD}{ENTER}")).await?;
        expect_heading(&browser, "Mijn overzicht").await?;
        expect_no_violations(&browser, "/demo/mijn").await?;
        let overview = browser.find(Locator::Css("main")).await?.text().await?;
        ensure!(
            overview.contains("Schulden en ruzie met de buren")
                && overview.contains("Het sociaal team helpt u verder"),
            "his request and what became of it: {overview}"
        );
        ensure!(overview.contains("Tom Teamlid"), "his lead");
        let wide = browser
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth",
                vec![],
            )
            .await?;
        ensure!(
            wide == serde_json::Value::Bool(true),
            "nothing wider than the phone"
        );

        // His plan: he agrees to it.
        browser
            .find(Locator::LinkText("Mijn plan"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Mijn plan").await?;
        expect_no_violations(&browser, "/demo/mijn/plan").await?;
        wait_for_text(&browser, "Elke week een keer naar buiten").await?;
        submit_and_wait_for(
            &browser,
            "/mijn/plan/akkoord",
            "We hebben vastgelegd dat u het eens bent met het plan.",
        )
        .await?;

        // He withdraws his consent for Zorgcirkel.
        browser.goto(&w.app.url("/demo/mijn")).await?;
        browser.execute("window.confirm = () => true", vec![]).await?;
        submit_and_wait_for(&browser, "/intrekken", "Uw toestemming is ingetrokken.").await?;

        // He writes to Tom.
        browser
            .find(Locator::LinkText("Bericht sturen"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Bericht sturen").await?;
        expect_no_violations(&browser, "/demo/mijn/bericht").await?;
        type_into(&browser, "body", "Dank je wel, Tom. Dinsdag past mij goed.").await?;
        submit_and_wait_for(&browser, "/mijn/bericht", "Uw bericht is verstuurd.").await?;
        wait_for_text(&browser, "Dinsdag past mij goed.").await?;

        // Who looked: Tom, this morning.
        browser
            .find(Locator::LinkText("Wie keek in mijn dossier"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Wie keek in mijn dossier").await?;
        expect_no_violations(&browser, "/demo/mijn/inzage").await?;
        let looks = browser
            .find(Locator::Css("#file-views tbody"))
            .await?
            .text()
            .await?;
        ensure!(
            looks.contains("Tom Teamlid") && looks.contains(&day),
            "the lead's looks of today: {looks}"
        );
        ensure!(!looks.contains("Wim Welkoop"), "not his own");

        browser
            .find(Locator::LinkText("Mijn gegevens"))
            .await?
            .click()
            .await?;
        expect_heading(&browser, "Mijn gegevens").await?;
        expect_no_violations(&browser, "/demo/mijn/gegevens").await?;
        Ok(())
    })
    .await;

    // The member organisation no longer finds the referral; the case shows the agreement and
    // the message.
    assert_eq!(lid.status(&referral_path).await, 404);
    let (_, plan) = lead.page(&format!("{case}/plan")).await;
    assert!(plan.contains("id=\"resident-agreement\""));
    let (_, journal) = lead.page(&format!("{case}/tab/journal")).await;
    assert!(journal.contains("Dinsdag past mij goed."));
}
