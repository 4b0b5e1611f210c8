//! The case page and the team's queue kept between views: every change shows at once, each
//! viewer's page is their own, and a page is read afresh only when a change was noted.

use crate::common::TestApp;
use crate::common::users::User;

use super::{add_user, anders, exec, give_lead, insert_case, yesterday};

/// Changes, each picking a case and a row to change (`$1` in the change), and what the case page
/// then shows. Made straight in the database, as any write path would, so that what is checked
/// is that PostgreSQL notes the change, not that a handler remembers to.
const SHOWN_CHANGES: &[(&str, &str, &str, &str)] = &[
    (
        "the case row",
        "SELECT id::text, id::text FROM cases ORDER BY id LIMIT 1",
        "UPDATE cases SET lock_version = 917 WHERE id = $1::uuid",
        "name=\"lock_version\" value=\"917\"",
    ),
    (
        "the request's question",
        "SELECT id::text, id::text FROM cases ORDER BY id DESC LIMIT 1",
        "UPDATE requests SET question = 'Markering van de hulpvraag' WHERE id = (SELECT request_id FROM cases WHERE id = $1::uuid)",
        "Markering van de hulpvraag",
    ),
    (
        "the resident's name",
        "SELECT id::text, id::text FROM cases WHERE resident_id IS NOT NULL ORDER BY created_at LIMIT 1",
        "UPDATE residents SET surname = 'Markeringa' WHERE id = (SELECT resident_id FROM cases WHERE id = $1::uuid)",
        "Markeringa",
    ),
    (
        "a statutory clock",
        "SELECT case_id::text, id::text FROM case_clocks WHERE completed_on IS NULL ORDER BY id LIMIT 1",
        "UPDATE case_clocks SET due_on = '2031-03-17', statutory_due_on = '2031-03-17' WHERE id = $1::uuid",
        "17-03-2031",
    ),
    (
        "a conversation",
        "SELECT case_id::text, id::text FROM conversations ORDER BY planned_at DESC LIMIT 1",
        "UPDATE conversations SET place = 'Buurthuis De Markering' WHERE id = $1::uuid",
        "Buurthuis De Markering",
    ),
    (
        "the resident's network",
        "SELECT c.id::text, n.id::text FROM network_contacts n
         JOIN cases c ON c.tenant_id = n.tenant_id AND c.resident_id = n.resident_id
         WHERE n.removed_at IS NULL ORDER BY n.id LIMIT 1",
        "UPDATE network_contacts SET name = 'Nel Markering' WHERE id = $1::uuid",
        "Nel Markering",
    ),
    (
        "a new task",
        "SELECT id::text, id::text FROM cases WHERE lead_id IS NOT NULL ORDER BY id LIMIT 1",
        "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on)
         SELECT tenant_id, 'case', id, 'Markering nabellen', lead_id, current_date FROM cases WHERE id = $1::uuid",
        "Markering nabellen",
    ),
    (
        "someone involved",
        "SELECT id::text, id::text FROM cases ORDER BY id DESC LIMIT 1",
        "INSERT INTO case_members (tenant_id, case_id, user_id, added_by)
         SELECT c.tenant_id, c.id, u.id, u.id FROM cases c JOIN users u ON u.tenant_id = c.tenant_id
         WHERE c.id = $1::uuid AND u.email = 'balie@demo.test'",
        "<li>Bente Balie</li>",
    ),
    (
        "a consent",
        "SELECT case_id::text, id::text FROM consents ORDER BY id LIMIT 1",
        "UPDATE consents SET purpose = 'Markering van de toestemming' WHERE id = $1::uuid",
        "Markering van de toestemming",
    ),
    (
        "a referral",
        "SELECT case_id::text, id::text FROM referrals ORDER BY id LIMIT 1",
        "UPDATE referrals SET purpose = 'Markering van de verwijzing' WHERE id = $1::uuid",
        "Markering van de verwijzing",
    ),
    (
        "the support plan",
        "SELECT case_id::text, id::text FROM support_plans ORDER BY id LIMIT 1",
        "UPDATE support_plans SET evaluation_on = '2031-05-19' WHERE id = $1::uuid",
        "19-05-2031",
    ),
    (
        "a goal of the plan",
        "SELECT p.case_id::text, g.id::text FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id ORDER BY g.id LIMIT 1",
        "UPDATE plan_goals SET description = 'Markering: zelf boodschappen doen' WHERE id = $1::uuid",
        "Markering: zelf boodschappen doen",
    ),
    (
        "the newest journal entry",
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "UPDATE journal_entries SET body = 'Markering in het journaal' WHERE id = $1::uuid",
        "Markering in het journaal",
    ),
    (
        "an attachment",
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "INSERT INTO journal_attachments (tenant_id, entry_id, filename, content_type, size_bytes, content)
         SELECT tenant_id, id, 'markering.pdf', 'application/pdf', 5, '%PDF-' FROM journal_entries WHERE id = $1::uuid",
        "markering.pdf",
    ),
    (
        "the name of a journal entry's author",
        "SELECT case_id::text, author_id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
        "UPDATE users SET name = 'Mees Markering' WHERE id = $1::uuid",
        "Mees Markering",
    ),
    (
        "the name of a referral's organisation",
        "SELECT case_id::text, organisation_id::text FROM referrals WHERE organisation_id IS NOT NULL ORDER BY id LIMIT 1",
        "UPDATE organisations SET name = 'Stichting Markering' WHERE id = $1::uuid",
        "Stichting Markering",
    ),
    (
        "the name of a referral's service",
        "SELECT case_id::text, service_id::text FROM referrals ORDER BY id LIMIT 1",
        "UPDATE services SET name = 'Markeringshulp' WHERE id = $1::uuid",
        "Markeringshulp",
    ),
];

#[tokio::test]
async fn a_case_page_seen_before_shows_every_change_at_once() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;

    for (what, pick, change, shows) in SHOWN_CHANGES {
        let (case, row): (String, String) = sqlx::query_as(sqlx::AssertSqlSafe(*pick))
            .fetch_one(&mut db)
            .await
            .unwrap_or_else(|error| panic!("{what}: the demo history has none ({error})"));
        // Every part seen twice, so that the second view of each is served from the kept
        // lists and its kept body.
        for _ in 0..2 {
            let (statuses, page) = manager.whole_case(&case).await;
            assert!(statuses.iter().all(|s| *s == 200), "{what}: {statuses:?}");
            assert!(!page.contains(shows), "{what}: {shows:?} shows before the change");
        }
        exec(&mut db, change, &row).await;
        let (statuses, page) = manager.whole_case(&case).await;
        assert!(statuses.iter().all(|s| *s == 200), "{what}: {statuses:?}");
        assert!(
            page.contains(shows),
            "{what}: the page does not show {shows:?} after the change"
        );
    }
}

/// The CSRF tokens in the forms of `page`, each as often as it occurs.
fn csrf_tokens(page: &str) -> Vec<&str> {
    let mut tokens: Vec<&str> = page
        .split("name=\"csrf_token\" value=\"")
        .skip(1)
        .chain(page.split("csrf_token=").skip(1))
        .map(|rest| &rest[..rest.find(['"', '&']).unwrap()])
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

#[tokio::test]
async fn a_kept_case_page_is_each_viewers_own() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE users SET language = 'en' WHERE email = 'procesmanager@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    let team = User::login(&app, "demo", "team@demo.test").await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;
    let anna = anders(&app).await;
    add_user(&app, "demo", "bert@demo.test", "Bert Bos", "professional").await;
    let bert = User::login(&app, "demo", "bert@demo.test").await;
    let case = insert_case(&mut db, "Gedeeld", "normal", 3).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let path = format!("/demo/cases/{case}");
    for reader in [&anna, &bert] {
        let (status, _) = reader
            .send(
                &format!("{path}/access"),
                &[("reason", "Ik vervang Tom deze week.")],
            )
            .await;
        assert_eq!(status, 303);
    }

    // Each views the page twice, so that the second view of each is a kept body (the case does
    // not change in between).
    for round in 0..2 {
        let (status, lead_page) = team.page(&path).await;
        assert_eq!(status, 200, "{lead_page}");
        assert_eq!(csrf_tokens(&lead_page), [team.token.as_str()], "round {round}");
        assert!(
            lead_page.contains("Onderdelen van de casus"),
            "Dutch for the lead"
        );
        assert!(
            lead_page.contains(&format!("action=\"{path}/status\"")),
            "the lead steers"
        );

        let (status, manager_page) = manager.page(&path).await;
        assert_eq!(status, 200, "{manager_page}");
        assert_eq!(
            csrf_tokens(&manager_page),
            [manager.token.as_str()],
            "round {round}"
        );
        assert!(manager_page.contains(r#"<html lang="en">"#));
        assert!(
            manager_page.contains("Parts of the case"),
            "English for the process manager"
        );

        // Two readers of the same shape share the kept body, each with their own token.
        for reader in [&anna, &bert] {
            let (status, reader_page) = reader.page(&path).await;
            assert_eq!(status, 200, "{reader_page}");
            assert_eq!(
                csrf_tokens(&reader_page),
                [reader.token.as_str()],
                "round {round}"
            );
            assert!(reader_page.contains("Onderdelen van de casus"));
            assert!(
                !reader_page.contains(&format!("action=\"{path}/status\"")),
                "reading with a reason does not steer"
            );
        }
    }

    // The token of a kept page is the viewer's own, so its forms work (`journal` takes the
    // form's action and token from the page), and the next view shows what was written.
    let (status, page) = team
        .journal(
            &case,
            &[
                ("kind", "notitie"),
                ("date", &yesterday(&app).await),
                ("time", "10:00"),
                ("body", "Gebeld met de inwoner."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303, "{page}");
    assert!(
        manager
            .page(&format!("{path}/tab/journal"))
            .await
            .1
            .contains("Gebeld met de inwoner.")
    );
}

#[tokio::test]
async fn a_case_page_is_read_afresh_only_when_a_change_was_noted() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let manager = User::login(&app, "demo", "procesmanager@demo.test").await;
    let (case, entry): (String, String) = sqlx::query_as(
        "SELECT case_id::text, id::text FROM journal_entries ORDER BY occurred_at DESC, id DESC LIMIT 1",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let path = format!("/demo/cases/{case}/tab/journal");
    let (_, before) = manager.page(&path).await;

    // A change that bypasses the triggers (only a superuser can) is not seen: the page is the
    // kept one, so it really is kept.
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE journal_entries SET body = 'Stil gewijzigd' WHERE id = $1::uuid",
        "RESET session_replication_role",
    ] {
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = if sql.contains("$1") {
            query.bind(&entry)
        } else {
            query
        };
        query.execute(&mut db).await.unwrap();
    }
    let (_, kept) = manager.page(&path).await;
    assert!(before.contains("timeline__meta"), "{before}");
    assert!(!kept.contains("Stil gewijzigd"), "the page was read afresh");

    // The next noted change to the case brings the page up to date, that change included.
    exec(
        &mut db,
        "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id)
         SELECT tenant_id, case_id, 'notitie', 'Genoteerde wijziging', now(), author_id FROM journal_entries
         WHERE id = $1::uuid",
        &entry,
    )
    .await;
    let (_, fresh) = manager.page(&path).await;
    assert!(fresh.contains("Genoteerde wijziging") && fresh.contains("Stil gewijzigd"));
}

// ---------------------------------------------------------------------------------------------
// The team's queue kept between views

struct QueueChange {
    what: &'static str,
    /// `$1` is the case watched.
    change: &'static str,
    /// What the case's row then shows; the row's own link stands for the row being there.
    text: &'static str,
    shows: bool,
}

/// Changes to a case as the queue shows it, made straight in the database as any write path
/// would, so that what is checked is that PostgreSQL notes them, not that a handler remembers to.
const QUEUE_CHANGES: &[QueueChange] = &[
    QueueChange {
        what: "the case's age",
        change: "UPDATE cases SET created_at = '2001-02-03 10:00+01' WHERE id = $1::uuid",
        text: "03-02-2001",
        shows: true,
    },
    QueueChange {
        what: "the resident's name",
        change: "UPDATE residents SET surname = 'Markeringa' WHERE id = (SELECT resident_id FROM cases WHERE id = $1::uuid)",
        text: "Markeringa",
        shows: true,
    },
    QueueChange {
        what: "the request's domains",
        change: "UPDATE requests SET domains = '{leerplicht}' WHERE id = (SELECT request_id FROM cases WHERE id = $1::uuid)",
        text: "Leerplicht",
        shows: true,
    },
    QueueChange {
        what: "the lead's name",
        change: "UPDATE users SET name = 'Mees Markering' WHERE id = (SELECT lead_id FROM cases WHERE id = $1::uuid)",
        text: "Mees Markering",
        shows: true,
    },
    QueueChange {
        what: "the next deadline",
        change: "UPDATE cases SET next_deadline = '2031-03-17' WHERE id = $1::uuid",
        text: "17-03-2031",
        shows: true,
    },
    QueueChange {
        what: "the escalation",
        change: "UPDATE cases SET escalation = 'opgeschaald' WHERE id = $1::uuid",
        text: "Opgeschaald",
        shows: true,
    },
    QueueChange {
        what: "very confidential",
        change: "UPDATE cases SET confidentiality = 'zeer_vertrouwelijk' WHERE id = $1::uuid",
        text: "/cases/",
        shows: false,
    },
    QueueChange {
        what: "the viewer involved",
        change: "INSERT INTO case_members (tenant_id, case_id, user_id, added_by)
                 SELECT c.tenant_id, c.id, u.id, u.id FROM cases c JOIN users u ON u.tenant_id = c.tenant_id
                 WHERE c.id = $1::uuid AND u.email = 'team@demo.test'",
        text: "/cases/",
        shows: true,
    },
    QueueChange {
        what: "the case closed",
        change: "UPDATE cases SET status = 'afgesloten', closing_result = 'anders', closed_at = now() WHERE id = $1::uuid",
        text: "/cases/",
        shows: false,
    },
];

/// The queue's table row of `case`, if the page has one.
pub(crate) fn queue_row<'a>(page: &'a str, case: &str) -> Option<&'a str> {
    let start = page.find(&format!("/cases/{case}\""))?;
    let start = page[..start].rfind("<tr")?;
    let end = start + page[start..].find("</tr>")?;
    Some(&page[start..end])
}

/// An open case of another lead that the team member is not involved in, whose request is not
/// about compulsory education.
const WATCHED_CASE: &str = "SELECT c.id::text FROM cases c
    JOIN users u ON u.id = c.lead_id JOIN requests q ON q.id = c.request_id
    WHERE c.status <> 'afgesloten' AND c.confidentiality = 'normaal' AND c.escalation = 'normaal'
      AND c.resident_id IS NOT NULL AND c.coordinator_id IS NULL AND u.email <> 'team@demo.test'
      AND NOT 'leerplicht' = ANY (q.domains)
      AND NOT EXISTS (SELECT FROM case_members m WHERE m.case_id = c.id)
    ORDER BY c.created_at DESC LIMIT 1";

#[tokio::test]
async fn a_queue_page_seen_before_shows_every_change_at_once() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let case: String = sqlx::query_scalar(WATCHED_CASE).fetch_one(&mut db).await.unwrap();
    let team = User::login(&app, "demo", "team@demo.test").await;
    let path = "/demo/team?tab=open&sort=age";

    for QueueChange {
        what,
        change,
        text,
        shows,
    } in QUEUE_CHANGES
    {
        // Seen twice, so that the second view is served from the kept page.
        for _ in 0..2 {
            let (status, page) = team.page(path).await;
            assert_eq!(status, 200, "{what}: {page}");
            let row = queue_row(&page, &case);
            assert_eq!(
                row.is_some_and(|row| row.contains(text)),
                !shows,
                "{what}: {text:?} before the change"
            );
        }
        exec(&mut db, change, &case).await;
        let (status, page) = team.page(path).await;
        assert_eq!(status, 200, "{what}: {page}");
        let row = queue_row(&page, &case);
        assert_eq!(
            row.is_some_and(|row| row.contains(text)),
            *shows,
            "{what}: {text:?} after the change: {row:?}"
        );
    }
}

#[tokio::test]
async fn a_queue_page_is_read_afresh_only_when_a_change_was_noted() {
    let app = TestApp::spawn().await;
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    let mut db = app.owner_connection().await;
    let case: String = sqlx::query_scalar(WATCHED_CASE).fetch_one(&mut db).await.unwrap();
    exec(
        &mut db,
        "UPDATE cases SET created_at = '2001-02-03 10:00+01' WHERE id = $1::uuid",
        &case,
    )
    .await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let path = "/demo/team?tab=open&sort=age";
    let (_, before) = team.page(path).await;
    assert!(queue_row(&before, &case).is_some(), "{before}");

    // A change that bypasses the triggers (only a superuser can) is not seen: the page is the
    // kept one, so it really is kept.
    for sql in [
        "SET session_replication_role = replica",
        "UPDATE cases SET next_deadline = '2031-03-17' WHERE id = $1::uuid",
        "RESET session_replication_role",
    ] {
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = if sql.contains("$1") {
            query.bind(&case)
        } else {
            query
        };
        query.execute(&mut db).await.unwrap();
    }
    let (_, kept) = team.page(path).await;
    assert!(
        !queue_row(&kept, &case).unwrap().contains("17-03-2031"),
        "read afresh"
    );

    // The next noted change brings the page up to date, the silent change included.
    exec(
        &mut db,
        "UPDATE cases SET escalation = 'opgeschaald' WHERE id = $1::uuid",
        &case,
    )
    .await;
    let (_, fresh) = team.page(path).await;
    let row = queue_row(&fresh, &case).unwrap();
    assert!(row.contains("17-03-2031") && row.contains("Opgeschaald"), "{row}");
}
