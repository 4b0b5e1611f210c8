//! Notifications by email: off unless configured, sent once, and free of personal data.

use schakel::mail::Mailer;
use schakel::referrals::notifications::send_emails;

use crate::common::{TestApp, smtp};

/// A referral for a member organisation whose staff member is lid@demo.test, with the
/// notification the sending wrote for that staff member.
async fn referral_with_notice(app: &TestApp) {
    let mut db = app.owner_connection().await;
    sqlx::query(
        "WITH t AS (SELECT id FROM tenants WHERE slug = 'demo'),
         o AS (INSERT INTO organisations (tenant_id, name, kind, status, status_since)
               SELECT id, 'Thuishulp De Vallei', 'thuishulp', 'lid', current_date FROM t RETURNING tenant_id, id),
         s AS (INSERT INTO services (tenant_id, name) SELECT id, 'Huishoudelijke hulp' FROM t RETURNING tenant_id, id),
         os AS (INSERT INTO organisation_services SELECT o.tenant_id, o.id, s.id FROM o, s),
         u AS (UPDATE users SET organisation_id = (SELECT id FROM o)
               WHERE email = 'lid@demo.test' AND tenant_id = (SELECT id FROM t) RETURNING tenant_id, id),
         lead AS (SELECT id FROM users WHERE email = 'team@demo.test' AND tenant_id = (SELECT id FROM t)),
         r AS (INSERT INTO residents (tenant_id, surname) SELECT id, 'Vermeulen-Geheim' FROM t RETURNING tenant_id, id),
         q AS (INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency,
                                     form_token, status, triage, triaged_at, unsafe_at_home)
               SELECT tenant_id, id, now(), 'desk', ARRAY['wmo'], 'Hulp in huis', 'normal',
                      gen_random_uuid(), 'with_team', 'to_team', now(), false FROM r
               RETURNING tenant_id, id, resident_id),
         c AS (INSERT INTO cases (tenant_id, request_id, resident_id, urgency, lead_id)
               SELECT tenant_id, id, resident_id, 'normal', (SELECT id FROM lead) FROM q RETURNING tenant_id, id),
         f AS (INSERT INTO referrals (tenant_id, case_id, service_id, organisation_id, purpose, summary,
                                      override_reason, answer_due_on, sent_by)
               SELECT c.tenant_id, c.id, s.id, o.id, 'Schoonmaak', 'Mevrouw Vermeulen-Geheim kan niet meer stofzuigen.',
                      'test', current_date + 5, (SELECT id FROM lead)
               FROM c, s, o RETURNING tenant_id, id)
         INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
         SELECT f.tenant_id, u.id, 'referral_new', f.id FROM f, u",
    )
    .execute(&mut db)
    .await
    .unwrap();
}

#[tokio::test]
async fn notices_are_emailed_once_without_personal_data() {
    let app = TestApp::spawn().await;
    referral_with_notice(&app).await;
    let (url, inbox) = smtp::start().await;
    let mailer = Mailer::smtp(&url, "Schakel <noreply@demo.test>").unwrap();

    let sent = send_emails(&app.pool, &mailer, Some("https://schakel.example.nl"))
        .await
        .unwrap();
    assert_eq!(sent, 1);
    let messages = inbox.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains("lid@demo.test"), "{message}");
    assert!(message.contains("Huishoudelijke hulp"), "{message}");
    assert!(
        message.contains("https://schakel.example.nl/demo/notifications"),
        "{message}"
    );
    assert!(
        !message.contains("Vermeulen"),
        "the resident's name must not travel by email: {message}"
    );

    // Sent once: a second run finds nothing left.
    assert_eq!(send_emails(&app.pool, &mailer, None).await.unwrap(), 0);
    assert_eq!(inbox.messages().len(), 1);
}

#[tokio::test]
async fn without_mail_configured_nothing_is_sent_or_marked() {
    let app = TestApp::spawn().await;
    referral_with_notice(&app).await;
    assert_eq!(send_emails(&app.pool, &Mailer::Disabled, None).await.unwrap(), 0);
    let mut db = app.owner_connection().await;
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM notifications WHERE emailed_at IS NULL")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(unsent, 1);
}
