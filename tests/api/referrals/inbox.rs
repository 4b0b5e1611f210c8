//! What member staff see: only their organisation's referrals and nothing of the case, and
//! the inbox tabs.

use uuid::Uuid;

use super::{QUESTION, REPORT, RESIDENT, World, add_member, nav_count, tab_count};

#[tokio::test]
async fn a_member_sees_only_its_organisations_referrals_and_nothing_of_the_case() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.own), "01-01-2026", "")
        .await;
    let to_a = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Maatje voor Zorgcirkel")
        .await;
    // Only Zorgcirkel offers Maatjescontact: an open offer of it is not for Hulp Dichtbij.
    let open_own = w.refer(&lead, &w.target(w.own, None), "Open maatjesaanbod").await;
    let lid = w.login("lid@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    assert_eq!(lid.status(&format!("/demo/referrals/{open_own}")).await, 200);

    for referral in [to_a, open_own] {
        let page = format!("/demo/referrals/{referral}");
        let (status, body) = hulp.page(&page).await;
        assert_eq!(status, 404, "{page}");
        assert!(!body.contains(RESIDENT));
        for action in ["accept", "start", "notes"] {
            let answer = hulp.step(referral, action, &[("body", "Ik kijk even mee")]).await;
            assert_eq!(answer.status, 404, "{action} on {page}");
        }
        let answer = hulp
            .step(
                referral,
                "decline",
                &[("reason", "geen_capaciteit"), ("note", "")],
            )
            .await;
        assert_eq!(answer.status, 404);
        assert_eq!(w.status_of(referral).await, "verstuurd");
    }
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert!(!inbox.contains(RESIDENT) && !inbox.contains("Maatje"));
    assert_eq!(tab_count(&inbox, "Nieuw"), 0);
    assert_eq!(
        w.count(
            "SELECT count(*) FROM referral_events WHERE referral_id = $1",
            to_a
        )
        .await,
        1,
        "nothing was added"
    );

    // Neither organisation sees the case, its journal, its plan or the resident.
    let request: Uuid = {
        let mut db = w.app.owner_connection().await;
        sqlx::query_scalar("SELECT request_id FROM cases WHERE id = $1")
            .bind(w.case)
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    let case = w.case_path();
    let forbidden = [
        case.clone(),
        format!("{case}/journal"),
        format!("{case}/history"),
        format!("{case}/plan"),
        format!("{case}/referrals"),
        format!("{case}/referrals/{to_a}"),
        format!("/demo/residents/{}", w.resident),
        "/demo/residents?q=Welkoop".to_owned(),
        format!("/demo/requests/{request}"),
        "/demo/team".to_owned(),
        "/demo/desk".to_owned(),
    ];
    for member in [&lid, &hulp] {
        for path in &forbidden {
            let (status, body) = member.page(path).await;
            assert!(status == 403 || status == 404, "{path}: {status}");
            assert!(!body.contains("Welkoop"), "{path} shows nothing of the resident");
            assert!(!body.contains(QUESTION));
        }
        let answer = member
            .submit(
                &format!("{case}/referrals/{to_a}/notes"),
                &[("body", "Via de achterdeur")],
            )
            .await;
        assert!(answer.status == 403 || answer.status == 404);
        let answer = member
            .submit(
                &format!("{case}/consents"),
                &[
                    ("recipient", &format!("org:{}", w.org_b)),
                    ("purpose", "x"),
                    ("given_on", "01-01-2026"),
                ],
            )
            .await;
        assert!(answer.status == 403 || answer.status == 404);
    }

    // A member user without an organisation has no inbox; nor does the team.
    {
        let mut db = w.app.owner_connection().await;
        add_member(&mut db, w.tenant, "los@demo.test", "Loes Los", None).await;
    }
    let loose = w.login("los@demo.test").await;
    assert_eq!(loose.status("/demo/inbox").await, 403);
    assert_eq!(loose.status(&format!("/demo/referrals/{to_a}")).await, 403);
    assert_eq!(loose.step(to_a, "accept", &[]).await.status, 403);
    assert_eq!(lead.status("/demo/inbox").await, 403);
    assert_eq!(lead.status(&format!("/demo/referrals/{to_a}")).await, 403);
}

#[tokio::test]
async fn the_inbox_tabs_count_new_accepted_and_waiting_for_a_report() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    let one = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Tweede verzoek")
        .await;
    let open = w.refer(&lead, &w.target(w.shared, None), "Open verzoek").await;
    let lid = w.login("lid@demo.test").await;
    let collega = w.login("collega@demo.test").await;
    let hulp = w.login("hulp@demo.test").await;
    let tabs = |html: &str| {
        (
            tab_count(html, "Nieuw"),
            tab_count(html, "Mijn geaccepteerde, nog te starten"),
            tab_count(html, "Wacht op mijn verslag"),
        )
    };

    let (status, inbox) = lid.page("/demo/inbox").await;
    assert_eq!(status, 200);
    assert_eq!(tabs(&inbox), (3, 0, 0));
    assert_eq!(
        nav_count(&inbox, "/demo/inbox"),
        Some(3),
        "the count in the navigation"
    );
    for purpose in ["Eerste verzoek", "Tweede verzoek", "Open verzoek"] {
        assert!(inbox.contains(purpose));
    }
    let (_, home) = lid.page("/demo/").await;
    assert_eq!(nav_count(&home, "/demo/inbox"), Some(3), "on every page");
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert_eq!(tabs(&inbox), (1, 0, 0), "Hulp Dichtbij sees the open offer only");
    assert!(inbox.contains("Open verzoek") && !inbox.contains("Eerste verzoek"));

    assert_eq!(lid.step(one, "accept", &[]).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=mine").await;
    assert_eq!(tabs(&inbox), (2, 1, 0));
    let table = &inbox[inbox.find("<tbody>").unwrap()..];
    assert!(table.contains("Eerste verzoek") && !table.contains("Tweede verzoek"));
    let (_, inbox) = collega.page("/demo/inbox?tab=mine").await;
    assert_eq!(tabs(&inbox), (2, 0, 0), "'mine' is the person's own");

    assert_eq!(lid.step(one, "start", &[]).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=report").await;
    assert_eq!(tabs(&inbox), (2, 0, 1));
    let table = &inbox[inbox.find("<tbody>").unwrap()..];
    assert!(table.contains("Eerste verzoek"));

    assert_eq!(lid.step(open, "accept", &[]).await.status, 303);
    let (_, inbox) = hulp.page("/demo/inbox").await;
    assert_eq!(
        tabs(&inbox),
        (0, 0, 0),
        "the open offer disappeared for Hulp Dichtbij"
    );
    assert_eq!(nav_count(&inbox, "/demo/inbox"), None);
    let (_, inbox) = lid.page("/demo/inbox?tab=new").await;
    assert_eq!(tabs(&inbox), (1, 1, 1));

    assert_eq!(lid.step(one, "finish", REPORT).await.status, 303);
    let (_, inbox) = lid.page("/demo/inbox?tab=report").await;
    assert_eq!(tabs(&inbox), (1, 1, 0));
    assert!(inbox.contains("Hier staat niets."));
}

#[tokio::test]
async fn a_finished_referral_stays_findable_under_afgerond_for_the_whole_organisation() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    let one = w
        .refer(&lead, &w.target(w.own, Some(w.org_a)), "Afgerond verzoek")
        .await;
    let lid = w.login("lid@demo.test").await;
    for step in ["accept", "start"] {
        assert_eq!(lid.step(one, step, &[]).await.status, 303);
    }
    let (_, done) = lid.page("/demo/inbox?tab=done").await;
    assert!(done.contains("Afgerond</a>"), "the tab is offered");
    assert!(!done[done.find("<h2").unwrap()..].contains("Afgerond verzoek"));

    assert_eq!(lid.step(one, "finish", REPORT).await.status, 303);
    for member in ["lid@demo.test", "collega@demo.test"] {
        let (status, done) = w.login(member).await.page("/demo/inbox?tab=done").await;
        assert_eq!(status, 200);
        let list = &done[done.find("<h2").unwrap()..];
        assert!(list.contains("Afgerond verzoek"), "{member} finds it again");
        assert!(list.contains(&format!("/demo/referrals/{one}")));
    }
    let (_, other) = w.login("hulp@demo.test").await.page("/demo/inbox?tab=done").await;
    assert!(
        !other.contains("Afgerond verzoek"),
        "another organisation does not"
    );

    // The tab reads its index in its order, also under a generic plan.
    let sql = crate::api::kept_pages::queries_marked("-- kept: member inbox")
        .into_iter()
        .find(|query| query.contains("'afgerond'"))
        .expect("the finished tab's query");
    let plan = crate::common::generic_plan(
        &w.app,
        w.tenant,
        &sql,
        &format!("'{}', '{}', 26, 0", w.tenant, w.org_a),
    )
    .await;
    assert!(plan.contains("referrals_organisation_status"), "{plan}");
    assert!(!plan.contains("Sort"), "{plan}");
}
