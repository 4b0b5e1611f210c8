//! Audit and tenant isolation: sending, viewing and answering are audited, and another
//! cooperative's member reaches nothing.

use uuid::Uuid;

use crate::common::users::User;

use super::{RESIDENT, World, add_member, offers, organisation, service, tab_count};

#[tokio::test]
async fn sending_viewing_and_answering_a_referral_are_audited() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let referral = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{referral}")).await, 200);
    assert_eq!(hulp.status(&format!("/demo/referrals/{referral}")).await, 404);
    assert_eq!(lid.step(referral, "accept", &[]).await.status, 303);
    assert_eq!(
        lead.status(&format!("{}/referrals/{referral}", w.case_path()))
            .await,
        200
    );

    type Row = (
        String,
        Option<Uuid>,
        Option<Uuid>,
        Option<Uuid>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_as(
            "SELECT kind, actor_id, case_id, resident_id, details->>'referral', details->>'step' FROM audit_events
             WHERE kind LIKE 'referral%' OR kind LIKE 'consent%' ORDER BY occurred_at",
        )
        .fetch_all(&mut db)
        .await
        .unwrap()
    };
    let on_case = |kind: &str, actor: Uuid, referral: Option<String>, step: Option<&str>| -> Row {
        (
            kind.to_owned(),
            Some(actor),
            Some(w.case),
            Some(w.resident),
            referral,
            step.map(str::to_owned),
        )
    };
    let id = Some(referral.to_string());
    assert_eq!(
        rows,
        vec![
            on_case("consent_recorded", lead.id, None, None),
            on_case("referral_sent", lead.id, id.clone(), None),
            on_case("referral_viewed", lid.id, id.clone(), None),
            on_case("referral_changed", lid.id, id.clone(), Some("accept")),
            on_case("referral_viewed", lead.id, id, None),
        ],
        "nothing for the refused view by Hulp Dichtbij"
    );
    let details: serde_json::Value = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT details FROM audit_events WHERE kind = 'referral_sent'")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(details["organisation"], w.org_a.to_string());
    assert_eq!(details["service"], w.own.to_string());
}

#[tokio::test]
async fn another_cooperatives_member_can_neither_see_nor_accept_a_referral() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open aanbod").await;
    let direct = w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Direct").await;

    // The second cooperative has an organisation offering a service of the same name.
    let demo2 = w.app.tenant_id("demo2").await;
    let foreign = {
        let mut db = w.app.owner_connection().await;
        let organisation = organisation(&mut db, demo2, "Zorgcirkel Testdorp", "ouderenzorg").await;
        let boodschappen = service(&mut db, demo2, "Boodschappenhulp").await;
        offers(&mut db, demo2, organisation, boodschappen).await;
        add_member(
            &mut db,
            demo2,
            "lid2@demo.test",
            "Lotte Lidtwee",
            Some(organisation),
        )
        .await
    };
    let outsider = User::login(&w.app, "demo2", "lid2@demo.test").await;
    assert_eq!(outsider.id, foreign);

    let (status, inbox) = outsider.page("/demo2/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert!(!inbox.contains(RESIDENT));
    for referral in [open, direct] {
        for path in [
            format!("/demo2/referrals/{referral}"),
            format!("/demo/referrals/{referral}"),
        ] {
            let (status, body) = outsider.page(&path).await;
            assert_eq!(status, 404, "{path}");
            assert!(!body.contains(RESIDENT));
        }
        for tenant in ["demo2", "demo"] {
            let answer = outsider
                .submit(&format!("/{tenant}/referrals/{referral}/accept"), &[])
                .await;
            assert_eq!(answer.status, 404, "{tenant} accept");
        }
        assert_eq!(w.status_of(referral).await, "verstuurd");
    }
    assert_eq!(
        w.count("SELECT count(*) FROM notifications WHERE user_id = $1", foreign)
            .await,
        0,
        "the open offer reached nobody in the other cooperative"
    );
    assert_eq!(
        w.count(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND kind LIKE 'referral%'",
            foreign
        )
        .await,
        0
    );
}
