//! The audit log is a chain per cooperative: `schakel audit verify` passes on what Schakel
//! wrote, names the event after one is altered, removed or moved straight in the database, and
//! passes again after retention erased and removed what had passed its term.

use schakel::admin::retention::{self, Mode};

use crate::api::cli::schakel;
use crate::common::TestApp;

fn verify(app: &TestApp) -> (bool, String) {
    let output = schakel(app, &["audit", "verify"], "");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// The place in the demo chain of the `n`th event (from its start).
async fn event_at(db: &mut sqlx::PgConnection, n: i64) -> (uuid::Uuid, i64) {
    sqlx::query_as(
        "SELECT a.id, a.chain_seq FROM audit_events a JOIN tenants t ON t.id = a.tenant_id
         WHERE t.slug = 'demo' AND a.chain_seq IS NOT NULL ORDER BY a.chain_seq OFFSET $1 LIMIT 1",
    )
    .bind(n)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn set_place(db: &mut sqlx::PgConnection, id: uuid::Uuid, place: i64) {
    sqlx::query("UPDATE audit_events SET chain_seq = $2 WHERE id = $1")
        .bind(id)
        .bind(place)
        .execute(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_audit_log_verifies_and_names_the_first_event_that_was_tampered_with() {
    let app = TestApp::spawn().await;
    // Some events of everyday work: a desk login and a look at a resident.
    let desk = crate::common::users::User::login(&app, "demo", "balie@demo.test").await;
    assert_eq!(desk.status("/demo/desk").await, 200);
    let mut db = app.owner_connection().await;
    let resident: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO residents (tenant_id, first_names, surname) SELECT id, 'Wim', 'Welkoop' FROM tenants
         WHERE slug = 'demo' RETURNING id",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(desk.status(&format!("/demo/residents/{resident}")).await, 200);
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, kind, actor_name, details, occurred_at)
         SELECT t.id, 'resident_viewed', 'Bente Balie', '{}'::jsonb, now() - make_interval(mins => n)
         FROM tenants t, generate_series(1, 6) n WHERE t.slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
    assert!(
        text.contains("demo: ok: ") && text.contains("demo2: ok: "),
        "{text}"
    );

    let mut db = app.owner_connection().await;
    let (altered, place) = event_at(&mut db, 1).await;
    sqlx::query("UPDATE audit_events SET details = '{\"reason\": \"rewritten\"}' WHERE id = $1")
        .bind(altered)
        .execute(&mut db)
        .await
        .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&altered.to_string()) && text.contains(&format!("event {place} ")),
        "{text}"
    );
    sqlx::query("UPDATE audit_events SET details = '{}' WHERE id = $1")
        .bind(altered)
        .execute(&mut db)
        .await
        .unwrap();
    // (The original details were empty, so the chain is whole again.)
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");

    // Two events moved: their places swapped.
    let (first, first_place) = event_at(&mut db, 2).await;
    let (second, second_place) = event_at(&mut db, 3).await;
    for (id, place) in [(first, -1), (second, first_place), (first, second_place)] {
        set_place(&mut db, id, place).await;
    }
    let (ok, text) = verify(&app);
    assert!(!ok && text.contains(&format!("event {first_place} ")), "{text}");
    for (id, place) in [(first, -1), (second, second_place), (first, first_place)] {
        set_place(&mut db, id, place).await;
    }
    assert!(verify(&app).0, "moved back");

    // The role someone looked in is part of the event (NEN 7513): changing it shows.
    let (looked, looked_place): (uuid::Uuid, i64) = sqlx::query_as(
        "SELECT id, chain_seq FROM audit_events
         WHERE resident_id = $1 AND kind = 'resident_viewed' AND actor_roles = '{desk}' AND chain_seq IS NOT NULL",
    )
    .bind(resident)
    .fetch_one(&mut db)
    .await
    .unwrap();
    sqlx::query("UPDATE audit_events SET actor_roles = '{admin}' WHERE id = $1")
        .bind(looked)
        .execute(&mut db)
        .await
        .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok && text.contains(&format!("event {looked_place} ")), "{text}");
    sqlx::query("UPDATE audit_events SET actor_roles = '{desk}' WHERE id = $1")
        .bind(looked)
        .execute(&mut db)
        .await
        .unwrap();
    assert!(verify(&app).0, "the role put back");

    // One event removed.
    let (removed, removed_place) = event_at(&mut db, 4).await;
    sqlx::query("DELETE FROM audit_events WHERE id = $1")
        .bind(removed)
        .execute(&mut db)
        .await
        .unwrap();
    let (ok, text) = verify(&app);
    assert!(!ok && text.contains(&format!("place {removed_place}")), "{text}");
}

#[tokio::test]
async fn the_chain_still_verifies_after_retention_erased_and_removed_old_events() {
    let app = TestApp::spawn().await;
    let mut db = app.owner_connection().await;
    // Events of long ago, one about a resident with details, and a recent one.
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, kind, actor_name, details, occurred_at)
         SELECT id, 'case_viewed', 'Tom Teamlid', '{\"reason\": \"Vervanging\"}'::jsonb, now() - interval '9 years'
         FROM tenants WHERE slug = 'demo'
         UNION ALL
         SELECT id, 'case_viewed', 'Tom Teamlid', '{\"reason\": \"Overleg\"}', now() - interval '8 years'
         FROM tenants WHERE slug = 'demo'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    assert!(verify(&app).0);
    let owner = sqlx::PgPool::connect_with(app.owner.clone()).await.unwrap();
    retention::run(&owner, Mode::Apply).await.unwrap();
    let old: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE occurred_at < now() - interval '7 years'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(old, 0, "what passed its term is gone");
    let (ok, text) = verify(&app);
    assert!(ok, "{text}");
}
