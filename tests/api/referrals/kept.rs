//! The inbox kept between views: every change shows at once, a transaction raises its revision
//! once, and an inbox is read afresh only when a change was noted.

use super::{World, nav_count};

/// Changes to what an inbox shows, made straight in the database as any write path would (so
/// what is checked is that PostgreSQL notes them, not that a handler remembers to): what changed,
/// the change, the tab, the text that then shows (or no longer shows), and the navigation's count.
struct InboxChange {
    what: &'static str,
    change: &'static str,
    tab: &'static str,
    text: &'static str,
    shows: bool,
    count: Option<i64>,
}

const INBOX_CHANGES: &[InboxChange] = &[
    InboxChange {
        what: "a referral's purpose",
        change: "UPDATE referrals SET purpose = 'Markering van het verzoek' WHERE purpose = 'Eerste verzoek'",
        tab: "new",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "the name of a referral's service",
        change: "UPDATE services SET name = 'Markeringshulp' WHERE name = 'Maatjescontact'",
        tab: "new",
        text: "Markeringshulp",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "the resident's name",
        change: "UPDATE residents SET surname = 'Markeringa' WHERE surname = 'Welkoop'",
        tab: "new",
        text: "Markeringa",
        shows: true,
        count: Some(4),
    },
    InboxChange {
        what: "an open offer passed on by a colleague",
        change: "INSERT INTO referral_passes (tenant_id, referral_id, organisation_id, reason, passed_by)
         SELECT r.tenant_id, r.id, u.organisation_id, 'geen_capaciteit', u.id FROM referrals r, users u
         WHERE r.purpose = 'Open verzoek' AND u.email = 'collega@demo.test'",
        tab: "new",
        text: "Open verzoek",
        shows: false,
        count: Some(3),
    },
    InboxChange {
        what: "consent withdrawn",
        change: "UPDATE referrals SET access_revoked_at = now() WHERE purpose = 'Tweede verzoek'",
        tab: "new",
        text: "Tweede verzoek",
        shows: false,
        count: Some(2),
    },
    InboxChange {
        what: "the case's resident erased",
        change: "UPDATE cases SET resident_id = NULL WHERE id IN (SELECT case_id FROM referrals WHERE purpose = 'Nog een open verzoek')",
        tab: "new",
        text: "Markeringa",
        shows: false,
        count: Some(2),
    },
    InboxChange {
        what: "a referral accepted by this person",
        change: "UPDATE referrals SET status = 'geaccepteerd', answered_at = now(),
                              handled_by = (SELECT id FROM users WHERE email = 'lid@demo.test')
         WHERE purpose = 'Markering van het verzoek'",
        tab: "mine",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(1),
    },
    InboxChange {
        what: "a referral started",
        change: "UPDATE referrals SET status = 'gestart', started_at = now() WHERE purpose = 'Markering van het verzoek'",
        tab: "report",
        text: "Markering van het verzoek",
        shows: true,
        count: Some(1),
    },
    InboxChange {
        what: "a service no longer offered",
        change: "DELETE FROM organisation_services WHERE service_id IN (SELECT id FROM services WHERE name = 'Boodschappenhulp')
           AND organisation_id = (SELECT organisation_id FROM users WHERE email = 'lid@demo.test')",
        tab: "new",
        text: "Nog een open verzoek",
        shows: false,
        count: None,
    },
    InboxChange {
        what: "the person moved to another organisation",
        change: "UPDATE users SET organisation_id = (SELECT id FROM organisations WHERE name = 'Hulp Dichtbij Testdorp')
         WHERE email = 'lid@demo.test'",
        tab: "report",
        text: "Markering van het verzoek",
        shows: false,
        // The other organisation's: both open offers (only a colleague at the first passed one).
        count: Some(2),
    },
];

#[tokio::test]
async fn an_inbox_seen_before_shows_every_change_at_once() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.consent(&lead, &format!("service:{}", w.shared), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, Some(w.org_a)), "Tweede verzoek")
        .await;
    w.refer(&lead, &w.target(w.shared, None), "Open verzoek").await;
    w.refer(&lead, &w.target(w.shared, None), "Nog een open verzoek")
        .await;
    let lid = w.login("lid@demo.test").await;
    let mut db = w.app.owner_connection().await;

    for InboxChange {
        what,
        change,
        tab,
        text,
        shows,
        count,
    } in INBOX_CHANGES
    {
        let path = format!("/demo/inbox?tab={tab}");
        // Seen twice, so that the second view is served from the kept page and counts.
        for _ in 0..2 {
            let (status, page) = lid.page(&path).await;
            assert_eq!(status, 200, "{what}: {page}");
            assert_eq!(page.contains(text), !shows, "{what}: {text:?} before the change");
        }
        sqlx::query(sqlx::AssertSqlSafe(*change))
            .execute(&mut db)
            .await
            .unwrap();
        let (status, page) = lid.page(&path).await;
        assert_eq!(status, 200, "{what}: {page}");
        assert_eq!(page.contains(text), *shows, "{what}: {text:?} after the change");
        assert_eq!(
            nav_count(&page, "/demo/inbox"),
            *count,
            "{what}: the navigation's count"
        );
    }
}

#[tokio::test]
async fn a_transaction_raises_the_inbox_revision_once_however_many_rows_it_changes() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede verzoek")
        .await;
    let mut db = w.app.owner_connection().await;
    let revision =
        "SELECT inbox FROM list_revisions WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')";
    let before: i64 = sqlx::query_scalar(revision).fetch_one(&mut db).await.unwrap();
    let mut tx = sqlx::Connection::begin(&mut db).await.unwrap();
    for _ in 0..3 {
        sqlx::query("UPDATE referrals SET purpose = purpose || '.'")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let after: i64 = sqlx::query_scalar(revision).fetch_one(&mut db).await.unwrap();
    assert_eq!(after, before + 1, "six rows changed in one transaction");
}

#[tokio::test]
async fn an_inbox_is_read_afresh_only_when_a_change_was_noted() {
    let w = World::new().await;
    let lead = w.login("team@demo.test").await;
    w.consent(&lead, &format!("org:{}", w.org_a), "01-01-2026", "")
        .await;
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Eerste verzoek")
        .await;
    let lid = w.login("lid@demo.test").await;
    let (_, before) = lid.page("/demo/inbox").await;
    assert!(before.contains("Eerste verzoek"), "{before}");
    assert_eq!(nav_count(&before, "/demo/inbox"), Some(1));

    // A change that bypasses the triggers (only a superuser can) is not seen: the page and the
    // count are the kept ones, so they really are kept.
    let mut db = w.app.owner_connection().await;
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE referrals SET purpose = 'Stil gewijzigd' WHERE purpose = 'Eerste verzoek'",
        "UPDATE referrals SET status = 'ingetrokken' WHERE purpose = 'Stil gewijzigd'",
        "RESET session_replication_role",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut db)
            .await
            .unwrap();
    }
    let (_, kept) = lid.page("/demo/inbox").await;
    assert!(
        kept.contains("Eerste verzoek") && !kept.contains("Stil gewijzigd"),
        "read afresh"
    );
    assert_eq!(nav_count(&kept, "/demo/inbox"), Some(1), "counted afresh");

    // The next noted change brings both up to date, the silent change included.
    w.refer(&lead, &w.target(w.own, Some(w.org_a)), "Tweede verzoek")
        .await;
    let (_, fresh) = lid.page("/demo/inbox").await;
    assert!(
        fresh.contains("Tweede verzoek") && !fresh.contains("Eerste verzoek"),
        "{fresh}"
    );
    assert_eq!(nav_count(&fresh, "/demo/inbox"), Some(1));
}
