//! The figures: every number on the dashboard against a small cooperative built here with
//! known answers (period boundaries in Europe/Amsterdam, the year-earlier comparison, small
//! counts hidden from the municipality), the CSV format, the lists behind the numbers, who may
//! see what, and the plans of the dashboard's queries.

use crate::common::TestApp;

/// The hand-made cooperative `demo2`, with an administrator, a process manager and a chair.
/// Its figures for 2025 (compared with 2024) are written out in the tests below.
async fn fixture() -> TestApp {
    let app = TestApp::spawn().await;
    let tenant = app.tenant_id("demo2").await;
    let mut db = app.owner_connection().await;
    let script = r#"
INSERT INTO users (tenant_id, id, email, name, roles, password_hash)
SELECT u.tenant_id, v.id::uuid, v.email, v.name, ARRAY[v.role], u.password_hash
FROM users u JOIN tenants t ON t.id = u.tenant_id AND t.slug = 'demo2' AND u.email = 'balie@demo.test',
     (VALUES ('00000000-0000-0000-0000-0000000000a1', 'beheer@demo.test', 'Anna Beheer', 'admin'),
             ('00000000-0000-0000-0000-0000000000a2', 'procesmanager@demo.test', 'Piet Proces', 'process_manager'),
             ('00000000-0000-0000-0000-0000000000a3', 'voorzitter@demo.test', 'Vera Voorzitter', 'chair'),
             ('00000000-0000-0000-0000-0000000000a4', 'team@demo.test', 'Tom Team', 'professional'))
       AS v(id, email, name, role);

INSERT INTO residents (tenant_id, id, surname, date_of_birth) VALUES
  (@tenant, '00000000-0000-0000-0000-0000000000b1', 'Kind', '2012-05-01'),
  (@tenant, '00000000-0000-0000-0000-0000000000b2', 'Volwassen', '1990-02-02'),
  (@tenant, '00000000-0000-0000-0000-0000000000b3', 'Tiener', '2010-03-01');

-- Received times are Amsterdam local time.
INSERT INTO requests (tenant_id, id, resident_id, received_at, channel, domains, question, form_token, status, triage, triaged_at)
SELECT @tenant, v.id::uuid, v.resident::uuid, v.local::timestamp AT TIME ZONE 'Europe/Amsterdam', v.channel, v.domains::text[],
       'Vraag', gen_random_uuid(),
       CASE v.triage WHEN 'to_team' THEN 'with_team' WHEN '' THEN 'open' ELSE 'closed' END,
       nullif(v.triage, ''),
       CASE WHEN v.triage <> '' THEN v.local::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '1 minute' END
FROM (VALUES
  ('00000000-0000-0000-0000-000000000c01', NULL, '2025-12-31 23:59', 'phone', '{wmo}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c02', NULL, '2026-01-01 00:00:30', 'phone', '{wmo}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c03', '00000000-0000-0000-0000-0000000000b1', '2025-01-01 00:10', 'desk', '{jeugd,wonen}', 'to_team'),
  ('00000000-0000-0000-0000-000000000c04', '00000000-0000-0000-0000-0000000000b2', '2025-06-15 12:00', 'desk', '{jeugd}', 'to_team'),
  ('00000000-0000-0000-0000-000000000c05', NULL, '2025-03-10 09:00', 'email', '{wmo}', 'signposted'),
  ('00000000-0000-0000-0000-000000000c06', NULL, '2025-04-01 09:00', 'online', '{schulden}', ''),
  ('00000000-0000-0000-0000-000000000c07', NULL, '2024-05-05 09:00', 'desk', '{wmo}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c08', '00000000-0000-0000-0000-0000000000b3', '2024-12-31 23:30', 'phone', '{jeugd}', 'to_team'),
  ('00000000-0000-0000-0000-000000000c09', '00000000-0000-0000-0000-0000000000b1', '2025-07-01 10:00', 'desk', '{jeugd}', 'to_team'),
  ('00000000-0000-0000-0000-000000000c10', NULL, '2025-09-01 09:00', 'referrer', '{participatie}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c11', NULL, '2025-09-02 09:00', 'referrer', '{participatie}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c12', NULL, '2025-09-03 09:00', 'referrer', '{participatie}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c13', NULL, '2025-09-04 09:00', 'referrer', '{participatie}', 'handled_at_desk'),
  ('00000000-0000-0000-0000-000000000c14', NULL, '2025-09-05 09:00', 'referrer', '{participatie}', 'handled_at_desk')
) AS v(id, resident, local, channel, domains, triage);

-- A: the child's first case; C: the teenager's, opened on new year's eve 2024; B: an adult's,
-- closed; D: the child's second case.
INSERT INTO cases (tenant_id, id, request_id, resident_id, urgency, status, escalation, closing_result, closed_at, created_at)
VALUES
  (@tenant, '00000000-0000-0000-0000-000000000d01', '00000000-0000-0000-0000-000000000c03', '00000000-0000-0000-0000-0000000000b1',
   'normal', 'plan_vastgesteld', 'normaal', NULL, NULL, '2025-01-02 10:00'::timestamp AT TIME ZONE 'Europe/Amsterdam'),
  (@tenant, '00000000-0000-0000-0000-000000000d02', '00000000-0000-0000-0000-000000000c04', '00000000-0000-0000-0000-0000000000b2',
   'normal', 'afgesloten', 'normaal', 'doel_bereikt', '2025-11-10 15:00'::timestamp AT TIME ZONE 'Europe/Amsterdam',
   '2025-06-16 10:00'::timestamp AT TIME ZONE 'Europe/Amsterdam'),
  (@tenant, '00000000-0000-0000-0000-000000000d03', '00000000-0000-0000-0000-000000000c08', '00000000-0000-0000-0000-0000000000b3',
   'normal', 'in_uitvoering', 'opgeschaald', NULL, NULL, '2024-12-31 23:45'::timestamp AT TIME ZONE 'Europe/Amsterdam'),
  (@tenant, '00000000-0000-0000-0000-000000000d04', '00000000-0000-0000-0000-000000000c09', '00000000-0000-0000-0000-0000000000b1',
   'normal', 'aangemeld', 'normaal', NULL, NULL, '2025-07-01 10:30'::timestamp AT TIME ZONE 'Europe/Amsterdam');

-- First conversations 10 (A) and 4 (B) days after the request; A's plan 20 days after.
INSERT INTO conversations (tenant_id, case_id, planned_at, place, created_by, report_on, recorded_at) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000d01', '2025-01-11 00:10'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Thuis',
   '00000000-0000-0000-0000-0000000000a4', '2025-01-11', now()),
  (@tenant, '00000000-0000-0000-0000-000000000d01', '2025-02-11 00:10'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Thuis',
   '00000000-0000-0000-0000-0000000000a4', '2025-02-11', now()),
  (@tenant, '00000000-0000-0000-0000-000000000d02', '2025-06-19 12:00'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Thuis',
   '00000000-0000-0000-0000-0000000000a4', '2025-06-19', now()),
  (@tenant, '00000000-0000-0000-0000-000000000d04', '2025-07-03 12:00'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Thuis',
   '00000000-0000-0000-0000-0000000000a4', NULL, NULL);
INSERT INTO case_events (tenant_id, case_id, kind, from_value, to_value, actor_id, occurred_at) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000d01', 'status', 'in_onderzoek', 'plan_vastgesteld',
   '00000000-0000-0000-0000-0000000000a4', '2025-01-21 00:10'::timestamp AT TIME ZONE 'Europe/Amsterdam');

INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on, completed_on) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000d01', 'jeugd_decision', '2025-01-01', '2025-02-26', '2025-02-26', '2025-02-20'),
  (@tenant, '00000000-0000-0000-0000-000000000d02', 'jeugd_decision', '2025-06-15', '2025-08-10', '2025-08-10', '2025-08-01'),
  (@tenant, '00000000-0000-0000-0000-000000000d03', 'jeugd_decision', '2024-12-31', '2025-02-25', '2025-02-25', '2025-03-01'),
  (@tenant, '00000000-0000-0000-0000-000000000d04', 'jeugd_decision', '2025-07-01', '2025-08-26', '2025-08-26', NULL);

INSERT INTO organisations (tenant_id, id, name, kind, status, status_since, member_since) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000e01', 'Thuiszorg Test', 'thuishulp', 'lid', '2020-01-01', '2020-01-01'),
  (@tenant, '00000000-0000-0000-0000-000000000e02', 'Kerk Test', 'kerk', 'lid', '2020-01-01', '2020-01-01'),
  (@tenant, '00000000-0000-0000-0000-000000000e03', 'Stil Lid', 'welzijn', 'opgezegd', '2020-01-01', '2019-01-01');
INSERT INTO services (tenant_id, id, name) VALUES (@tenant, '00000000-0000-0000-0000-000000000e10', 'Hulp thuis');

INSERT INTO referrals (tenant_id, case_id, service_id, organisation_id, status, purpose, summary, override_reason,
                       answer_due_on, sent_by, sent_at, answered_at, decline_reason, started_at, finished_at, outcome)
SELECT @tenant, v.case_id::uuid, '00000000-0000-0000-0000-000000000e10', v.org::uuid, v.status, 'Doel', 'Samenvatting', 'Test',
       v.due::date, '00000000-0000-0000-0000-0000000000a2', v.sent::timestamp AT TIME ZONE 'Europe/Amsterdam',
       v.answered::timestamp AT TIME ZONE 'Europe/Amsterdam', v.reason,
       v.finished::timestamp AT TIME ZONE 'Europe/Amsterdam' - interval '1 day',
       v.finished::timestamp AT TIME ZONE 'Europe/Amsterdam', CASE WHEN v.finished IS NOT NULL THEN 'geslaagd' END
FROM (VALUES
  ('00000000-0000-0000-0000-000000000d01', '00000000-0000-0000-0000-000000000e01', 'afgerond', '2025-02-08',
   '2025-02-01 10:00', '2025-02-01 16:00', NULL, '2025-03-03 10:00'),
  ('00000000-0000-0000-0000-000000000d03', '00000000-0000-0000-0000-000000000e01', 'geaccepteerd', '2025-04-08',
   '2025-04-01 10:00', '2025-04-02 10:00', NULL, NULL),
  ('00000000-0000-0000-0000-000000000d04', '00000000-0000-0000-0000-000000000e02', 'afgewezen', '2025-07-09',
   '2025-07-02 10:00', '2025-07-03 10:00', 'geen_capaciteit', NULL),
  ('00000000-0000-0000-0000-000000000d04', '00000000-0000-0000-0000-000000000e02', 'verstuurd', '2025-07-12',
   '2025-07-05 10:00', NULL, NULL, NULL),
  ('00000000-0000-0000-0000-000000000d03', '00000000-0000-0000-0000-000000000e01', 'geaccepteerd', '2024-06-08',
   '2024-06-01 10:00', '2024-06-01 12:00', NULL, NULL)
) AS v(case_id, org, status, due, sent, answered, reason, finished);

INSERT INTO meetings (tenant_id, id, title, starts_at, place, status, convened_at) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000f01', 'ALV voorjaar', '2025-03-15 19:30'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Dorpshuis', 'gesloten', '2025-02-01'),
  (@tenant, '00000000-0000-0000-0000-000000000f02', 'ALV najaar', '2025-09-15 19:30'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Dorpshuis', 'notulen_vastgesteld', '2025-08-01'),
  (@tenant, '00000000-0000-0000-0000-000000000f03', 'ALV 2024', '2024-10-01 19:30'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Dorpshuis', 'gesloten', '2024-09-01'),
  (@tenant, '00000000-0000-0000-0000-000000000f04', 'ALV december', '2025-12-01 19:30'::timestamp AT TIME ZONE 'Europe/Amsterdam', 'Dorpshuis', 'concept', NULL);
INSERT INTO attendance (tenant_id, meeting_id, organisation_id, presence, proxy_holder_id, proxy_note, recorded_by) VALUES
  (@tenant, '00000000-0000-0000-0000-000000000f01', '00000000-0000-0000-0000-000000000e01', 'aanwezig', NULL, '', '00000000-0000-0000-0000-0000000000a1'),
  (@tenant, '00000000-0000-0000-0000-000000000f01', '00000000-0000-0000-0000-000000000e02', 'afwezig_met_bericht', NULL, '', '00000000-0000-0000-0000-0000000000a1'),
  (@tenant, '00000000-0000-0000-0000-000000000f02', '00000000-0000-0000-0000-000000000e01', 'aanwezig', NULL, '', '00000000-0000-0000-0000-0000000000a1'),
  (@tenant, '00000000-0000-0000-0000-000000000f02', '00000000-0000-0000-0000-000000000e02', 'volmacht', '00000000-0000-0000-0000-000000000e01',
   'Schriftelijke volmacht', '00000000-0000-0000-0000-0000000000a1');

-- Two decisions in 2025 (one at each meeting), one in 2024.
INSERT INTO agenda_items (tenant_id, id, meeting_id, position, kind, title, decision_kind)
SELECT @tenant, v.id::uuid, v.meeting::uuid, 1, 'besluit', 'Begroting', 'gewoon'
FROM (VALUES ('00000000-0000-0000-0000-000000000f11', '00000000-0000-0000-0000-000000000f01'),
             ('00000000-0000-0000-0000-000000000f12', '00000000-0000-0000-0000-000000000f02'),
             ('00000000-0000-0000-0000-000000000f13', '00000000-0000-0000-0000-000000000f03')) AS v(id, meeting);
INSERT INTO polls (tenant_id, id, meeting_id, agenda_item_id, secret, decision_kind, majority, quorum_percent,
                   abstentions_count, electorate, present, opened_by, status, closed_at, adopted)
SELECT @tenant, v.id::uuid, v.meeting::uuid, v.item::uuid, false, 'gewoon', 'meerderheid', 50, false, 2, 2,
       '00000000-0000-0000-0000-0000000000a3', 'gesloten', now(), true
FROM (VALUES ('00000000-0000-0000-0000-000000000f21', '00000000-0000-0000-0000-000000000f01', '00000000-0000-0000-0000-000000000f11'),
             ('00000000-0000-0000-0000-000000000f22', '00000000-0000-0000-0000-000000000f02', '00000000-0000-0000-0000-000000000f12'),
             ('00000000-0000-0000-0000-000000000f23', '00000000-0000-0000-0000-000000000f03', '00000000-0000-0000-0000-000000000f13'))
     AS v(id, meeting, item);
INSERT INTO decisions (tenant_id, year, seq, meeting_id, agenda_item_id, poll_id, kind, title, proposal, adopted, decided_on)
SELECT @tenant, v.year, v.seq, v.meeting::uuid, v.item::uuid, v.poll::uuid, 'gewoon', 'Begroting', 'Vastgesteld', true,
       v.decided::date
FROM (VALUES (2025, 1, '00000000-0000-0000-0000-000000000f01', '00000000-0000-0000-0000-000000000f11', '00000000-0000-0000-0000-000000000f21', '2025-03-15'),
             (2025, 2, '00000000-0000-0000-0000-000000000f02', '00000000-0000-0000-0000-000000000f12', '00000000-0000-0000-0000-000000000f22', '2025-09-15'),
             (2024, 1, '00000000-0000-0000-0000-000000000f03', '00000000-0000-0000-0000-000000000f13', '00000000-0000-0000-0000-000000000f23', '2024-10-01'))
     AS v(year, seq, meeting, item, poll, decided);
"#;
    let script = script.replace("@tenant", &format!("'{tenant}'::uuid"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(script))
        .execute(&mut db)
        .await
        .unwrap();
    app.login("demo2", "beheer@demo.test").await;
    app
}

/// The cells of the row labelled `label` in the table with id `table` (whitespace trimmed, tags
/// removed).
fn row(html: &str, table: &str, label: &str) -> Vec<String> {
    let start = html
        .find(&format!(r#"id="table-{table}""#))
        .unwrap_or_else(|| panic!("table {table} is on the page"));
    let section = &html[start..];
    let section = &section[..section.find("</section>").unwrap()];
    let row_start = section
        .find(&format!(r#"<th scope="row">{label}</th>"#))
        .unwrap_or_else(|| panic!("row {label} in table {table}"));
    let row = &section[row_start..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let inner = &cell[cell.find('>').unwrap() + 1..];
            let mut text = String::new();
            let mut in_tag = false;
            for c in inner.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().replace("&#60;", "<")
        })
        .collect()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    // Links as a browser reads them.
    response.text().await.unwrap().replace("&#38;", "&")
}

const YEAR_2025: &str = "/demo2/reports?period=year&at=2025-06-01";

#[tokio::test]
async fn requests_count_per_domain_channel_and_outcome_with_amsterdam_day_boundaries() {
    let app = fixture().await;
    let html = page(&app, YEAR_2025).await;
    assert!(html.contains("2025, vergeleken met 2024."));
    // 31-12-2025 23:59 counts in 2025, 01-01-2026 00:00:30 does not; 01-01-2025 00:10 does
    // (23:10 on new year's eve in UTC), 31-12-2024 23:30 counts in 2024.
    assert_eq!(row(&html, "requests-domain", "Wmo"), ["2", "1"]);
    assert_eq!(row(&html, "requests-domain", "Jeugd"), ["3", "1"]);
    assert_eq!(row(&html, "requests-domain", "Wonen"), ["1", "0"]);
    assert_eq!(row(&html, "requests-domain", "Schulden"), ["1", "0"]);
    assert_eq!(row(&html, "requests-domain", "Participatie"), ["5", "0"]);
    assert_eq!(row(&html, "requests-domain", "Leerplicht"), ["0", "0"]);
    assert_eq!(row(&html, "requests-channel", "telefoon"), ["1", "1"]);
    assert_eq!(row(&html, "requests-channel", "balie"), ["3", "1"]);
    assert_eq!(row(&html, "requests-channel", "e-mail"), ["1", "0"]);
    assert_eq!(row(&html, "requests-channel", "online"), ["1", "0"]);
    assert_eq!(
        row(&html, "requests-channel", "via huisarts of verwijzer"),
        ["5", "0"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Afgehandeld aan de balie"),
        ["6", "55%", "1", "50%"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Wegwijzer (elders geholpen)"),
        ["1", "9%", "0", "0%"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Naar het sociaal team"),
        ["3", "27%", "1", "50%"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Nog niet beoordeeld"),
        ["1", "9%", "0", "0%"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Totaal"),
        ["11", "100%", "2", "100%"]
    );

    // December alone, against December 2024.
    let html = page(&app, "/demo2/reports?period=month&at=2025-12-10").await;
    assert!(html.contains("december 2025, vergeleken met december 2024."));
    assert_eq!(row(&html, "requests-domain", "Wmo"), ["1", "0"]);
    assert_eq!(row(&html, "requests-domain", "Jeugd"), ["0", "1"]);

    // A triage moves a request from "not yet assessed" to its outcome (the summary follows).
    let mut db = app.owner_connection().await;
    sqlx::query(
        "UPDATE requests SET triage = 'signposted', triaged_at = now(), status = 'closed'
         WHERE id = '00000000-0000-0000-0000-000000000c06'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let html = page(&app, YEAR_2025).await;
    assert_eq!(
        row(&html, "requests-triage", "Wegwijzer (elders geholpen)"),
        ["2", "18%", "0", "0%"]
    );
    assert_eq!(
        row(&html, "requests-triage", "Nog niet beoordeeld"),
        ["0", "0%", "0", "0%"]
    );
}

#[tokio::test]
async fn the_figures_count_how_the_follow_up_calls_after_signposting_went() {
    let app = fixture().await;
    let tenant = app.tenant_id("demo2").await;
    let mut db = app.owner_connection().await;
    sqlx::query(
        "INSERT INTO tasks (tenant_id, kind, request_id, due_on, done_at, follow_up_result)
         SELECT $1, 'follow_up', v.request::uuid, v.done::date, v.done::timestamp AT TIME ZONE 'Europe/Amsterdam', v.result
         FROM (VALUES ('00000000-0000-0000-0000-000000000c05', '2025-03-24 10:00', 'gelukt'),
                      ('00000000-0000-0000-0000-000000000c06', '2025-04-14 10:00', 'niet_bereikt'),
                      ('00000000-0000-0000-0000-000000000c07', '2024-05-20 10:00', 'niet_gelukt'),
                      ('00000000-0000-0000-0000-000000000c10', '2026-01-01 00:10', 'gelukt'))
              AS v(request, done, result)",
    )
    .bind(tenant)
    .execute(&mut db)
    .await
    .unwrap();
    let html = page(&app, YEAR_2025).await;
    assert_eq!(row(&html, "requests-follow-up", "Gelukt"), ["1", "0"]);
    assert_eq!(row(&html, "requests-follow-up", "Niet gelukt"), ["0", "1"]);
    assert_eq!(row(&html, "requests-follow-up", "Niet bereikt"), ["1", "0"]);
    assert_eq!(row(&html, "requests-follow-up", "Totaal"), ["2", "1"]);
}

#[tokio::test]
async fn cases_terms_referrals_youth_and_assembly_figures_match_the_fixture() {
    let app = fixture().await;
    let html = page(&app, YEAR_2025).await;
    assert_eq!(row(&html, "cases-status", "Aangemeld"), ["1"]);
    assert_eq!(row(&html, "cases-status", "Plan vastgesteld"), ["1"]);
    assert_eq!(row(&html, "cases-status", "In uitvoering"), ["1"]);
    assert_eq!(row(&html, "cases-status", "In onderzoek"), ["0"]);
    assert_eq!(row(&html, "cases-escalation", "Normaal"), ["2"]);
    assert_eq!(row(&html, "cases-escalation", "Opgeschaald"), ["1"]);
    // New and closed per month, against the same month a year earlier.
    assert_eq!(row(&html, "cases-month", "januari 2025"), ["1", "0", "0", "0"]);
    assert_eq!(row(&html, "cases-month", "juni 2025"), ["1", "0", "0", "0"]);
    assert_eq!(row(&html, "cases-month", "juli 2025"), ["1", "0", "0", "0"]);
    assert_eq!(row(&html, "cases-month", "november 2025"), ["0", "1", "0", "0"]);
    assert_eq!(row(&html, "cases-month", "december 2025"), ["0", "0", "1", "0"]);
    // Medians over A (10 days), B (4) and D (no conversation yet); only A has a plan (20 days).
    assert_eq!(
        row(
            &html,
            "cases-durations",
            "Van melding tot eerste keukentafelgesprek"
        ),
        ["7,0", "2", "—", "0"]
    );
    assert_eq!(
        row(
            &html,
            "cases-durations",
            "Van melding tot vastgesteld ondersteuningsplan"
        ),
        ["20,0", "1", "—", "0"]
    );

    assert_eq!(
        row(&html, "terms", "Jeugd: beschikking (8 weken na melding)"),
        ["2", "1", "67%", "0", "0", "1"]
    );
    assert_eq!(
        row(&html, "terms", "Wmo: onderzoek (6 weken na melding)"),
        ["0", "0", "—", "0", "0", "0"]
    );

    // Received, accepted, declined, median hours to accept, median days to finish, overdue
    // now, received a year earlier.
    assert_eq!(
        row(&html, "referrals-organisation", "Thuiszorg Test"),
        ["2", "2", "0", "15,0", "30,0", "0", "1"]
    );
    assert_eq!(
        row(&html, "referrals-organisation", "Kerk Test"),
        ["2", "0", "1", "—", "—", "1", "0"]
    );
    assert!(
        !html.contains("<th scope=\"row\">Stil Lid</th>"),
        "organisations without referrals are left out"
    );
    assert_eq!(row(&html, "referrals-declined", "Geen capaciteit"), ["1", "0"]);

    // The child of A and D counts once; the teenager of C in 2024 and 2025; B's resident is an adult.
    assert_eq!(row(&html, "youth", "2025"), ["2"]);
    assert_eq!(row(&html, "youth", "2024"), ["1"]);
    assert_eq!(row(&html, "youth", "2023"), ["0"]);

    assert_eq!(
        row(&html, "assembly-meetings", "Gehouden ledenvergaderingen"),
        ["2", "1"]
    );
    assert_eq!(
        row(&html, "assembly-attendance", "Thuiszorg Test"),
        ["2", "0", "2", "100%"]
    );
    assert_eq!(
        row(&html, "assembly-attendance", "Kerk Test"),
        ["1", "1", "2", "50%"]
    );
    assert_eq!(row(&html, "assembly-decisions", "2025"), ["2"]);
    assert_eq!(row(&html, "assembly-decisions", "2024"), ["1"]);
    assert_eq!(row(&html, "assembly-decisions", "2021"), ["0"]);
}

#[tokio::test]
async fn the_municipality_sees_no_counts_under_five_and_no_lists() {
    let app = fixture().await;
    let html = page(&app, &format!("{YEAR_2025}&view=municipality")).await;
    assert_eq!(row(&html, "requests-domain", "Wmo"), ["< 5", "< 5"]);
    assert_eq!(row(&html, "requests-domain", "Participatie"), ["5", "0"]);
    assert_eq!(
        row(&html, "requests-triage", "Afgehandeld aan de balie"),
        ["6", "55%", "< 5", "—"]
    );
    assert_eq!(
        row(
            &html,
            "cases-durations",
            "Van melding tot eerste keukentafelgesprek"
        ),
        ["< 5", "< 5", "—", "0"]
    );
    assert!(
        !html.contains("/demo2/reports/requests?"),
        "no links to lists of residents' requests"
    );
    assert!(!html.contains("/demo2/reports/cases?"));
    // Meetings identify no resident.
    assert_eq!(
        row(&html, "assembly-attendance", "Kerk Test"),
        ["1", "1", "2", "50%"]
    );

    // The chair sees what the municipality sees, and may not open the lists.
    let chair = app.other_client();
    chair.login("demo2", "voorzitter@demo.test").await;
    let html = page(&chair, YEAR_2025).await;
    assert_eq!(row(&html, "requests-domain", "Wmo"), ["< 5", "< 5"]);
    assert!(
        !html.contains("name=\"view\""),
        "the chair cannot switch to the cooperative's view"
    );
    let response = chair
        .get("/demo2/reports/requests?period=year&at=2025-01-01&domain=wmo")
        .await;
    assert_eq!(response.status(), 403);

    // The annual report for the council is the municipality's view of a year.
    let html = page(&app, "/demo2/reports/annual?year=2025").await;
    assert!(html.contains("Jaarverslag 2025"));
    assert_eq!(row(&html, "requests-domain", "Jeugd"), ["< 5", "< 5"]);
    assert_eq!(row(&html, "requests-domain", "Participatie"), ["5", "0"]);
}

#[tokio::test]
async fn every_number_links_to_the_list_behind_it() {
    let app = fixture().await;
    let html = page(&app, YEAR_2025).await;
    let link = "/demo2/reports/requests?period=year&at=2025-01-01&domain=jeugd";
    assert!(html.contains(link), "the Jeugd count links to its requests");
    let list = page(&app, link).await;
    assert_eq!(list.matches("/demo2/requests/").count(), 3);
    assert!(list.contains("00000000-0000-0000-0000-000000000c09"));
    assert!(
        !list.contains("00000000-0000-0000-0000-000000000c08"),
        "31-12-2024 is in 2024"
    );

    let list = page(
        &app,
        "/demo2/reports/cases?view=clock&kind=jeugd_decision&state=overdue",
    )
    .await;
    assert_eq!(list.matches("/demo2/cases/").count(), 1);
    assert!(list.contains("00000000-0000-0000-0000-000000000d04"));
    let late = "/demo2/reports/cases?view=clock&kind=jeugd_decision&state=late&from=2025-01-01&to=2025-12-31";
    assert!(html.contains(late), "the late count links to its cases");
    let list = page(&app, late).await;
    assert_eq!(list.matches("/demo2/cases/").count(), 1);
    assert!(list.contains("00000000-0000-0000-0000-000000000d03"));
    let list = page(&app, "/demo2/reports/cases?view=youth&year=2025").await;
    assert_eq!(list.matches("/demo2/cases/").count(), 3, "A, C and D");
    let list = page(
        &app,
        "/demo2/reports/referrals?period=year&at=2025-01-01&state=declined&reason=geen_capaciteit",
    )
    .await;
    assert_eq!(list.matches("/demo2/cases/").count(), 1);
    assert!(!list.contains("Kind"), "lists show no residents' names");

    for path in [
        "/demo2/reports/cases?view=nothing",
        "/demo2/reports/requests?period=year&at=2025-01-01&domain=geen",
        "/demo2/reports/referrals?period=year&organisation=00000000-0000-0000-0000-000000000000",
        "/demo2/reports/export/geen-tabel.csv?period=year",
    ] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn tables_export_as_dutch_csv() {
    let app = fixture().await;
    let response = app
        .get("/demo2/reports/export/cases-month.csv?period=quarter&at=2025-11-01")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("cases-month-01-10-2025-31-12-2025.csv")
    );
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..3], b"\xEF\xBB\xBF", "UTF-8 with a byte order mark");
    let text = std::str::from_utf8(&body[3..]).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Maand;Nieuw;Afgesloten;Nieuw (4e kwartaal 2024);Afgesloten (4e kwartaal 2024);periode van;periode tot en met"
    );
    assert_eq!(lines[1], "01-10-2025;0;0;0;0;01-10-2025;31-12-2025");
    assert_eq!(lines[2], "01-11-2025;0;1;0;0;01-10-2025;31-12-2025");
    assert_eq!(lines[3], "01-12-2025;0;0;1;0;01-10-2025;31-12-2025");
    assert_eq!(lines[4], "");

    let text = app
        .get("/demo2/reports/export/requests-domain.csv?period=year&at=2025-01-01&view=municipality")
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("\r\nWmo;<5;<5;01-01-2025;31-12-2025\r\n"), "{text}");
    assert!(text.contains("\r\nParticipatie;5;0;01-01-2025;31-12-2025\r\n"));
}

#[tokio::test]
async fn exported_text_that_excel_would_run_as_a_formula_is_neutralised() {
    let app = fixture().await;
    let mut db = app.owner_connection().await;
    // An organisation's name as an administrator could type it, for each character with
    // which a spreadsheet starts a formula (OWASP, CSV injection).
    for (name, written) in [
        (
            "=HYPERLINK(\"https://evil.example\")",
            "\"'=HYPERLINK(\"\"https://evil.example\"\")\"",
        ),
        ("+SUM(1+1)", "'+SUM(1+1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "\"'\r=1+1\""),
    ] {
        sqlx::query("UPDATE organisations SET name = $1 WHERE id = '00000000-0000-0000-0000-000000000e01'")
            .bind(name)
            .execute(&mut db)
            .await
            .unwrap();
        let text = app
            .get("/demo2/reports/export/referrals-organisation.csv?period=year&at=2025-01-01")
            .await
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(&format!(
                "\r\n{written};2;2;0;15,0;30,0;0;1;01-01-2025;31-12-2025\r\n"
            )),
            "{name:?} must be written as {written:?}: {text:?}"
        );
    }
}

#[tokio::test]
async fn kept_figures_equal_the_live_ones_and_stay_until_the_next_refresh() {
    let app = fixture().await;
    let live = page(&app, YEAR_2025).await;
    assert!(!live.contains(r#"id="kept-figures""#));
    // Kept as the periodic task keeps them on a day in 2026, when 2025 is the year before.
    let tenant = app.tenant_id("demo2").await;
    let mut tx = schakel::db::tenant_tx(&app.pool, tenant).await.unwrap();
    schakel::reports::kept::refresh(&mut tx, time::macros::date!(2026 - 06 - 01))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let kept = page(&app, YEAR_2025).await;
    assert!(
        kept.contains(r#"id="kept-figures""#),
        "the page says when they were computed"
    );
    for (table, label) in [
        ("referrals-organisation", "Thuiszorg Test"),
        ("referrals-organisation", "Kerk Test"),
        ("referrals-declined", "Geen capaciteit"),
        ("cases-durations", "Van melding tot eerste keukentafelgesprek"),
        (
            "cases-durations",
            "Van melding tot vastgesteld ondersteuningsplan",
        ),
        ("cases-month", "juni 2025"),
        ("cases-month", "november 2025"),
        ("youth", "2025"),
        ("youth", "2024"),
    ] {
        assert_eq!(
            row(&kept, table, label),
            row(&live, table, label),
            "{table}: {label}"
        );
    }

    // Kerk Test declines the referral it had left waiting.
    let mut db = app.owner_connection().await;
    sqlx::query(
        "UPDATE referrals SET status = 'afgewezen', decline_reason = 'geen_capaciteit', answered_at = now()
         WHERE organisation_id = '00000000-0000-0000-0000-000000000e02' AND status = 'verstuurd'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    // The kept period keeps its counts until the next refresh; what is overdue is always now.
    let kept = page(&app, YEAR_2025).await;
    assert_eq!(
        row(&kept, "referrals-organisation", "Kerk Test"),
        ["2", "0", "1", "—", "—", "0", "0"]
    );
    // The same days as a custom period are computed when viewed.
    let live = page(&app, "/demo2/reports?period=custom&from=01-01-2025&to=31-12-2025").await;
    assert!(!live.contains(r#"id="kept-figures""#));
    assert_eq!(
        row(&live, "referrals-organisation", "Kerk Test"),
        ["2", "0", "2", "—", "—", "0", "0"]
    );
    assert_eq!(row(&live, "referrals-declined", "Geen capaciteit"), ["2", "0"]);

    // Figures kept in a shape this version does not read are computed afresh.
    sqlx::query(r#"UPDATE kept_figures SET figures = '{"cases": 1}'"#)
        .execute(&mut db)
        .await
        .unwrap();
    let html = page(&app, YEAR_2025).await;
    assert!(!html.contains(r#"id="kept-figures""#));
    assert_eq!(
        row(&html, "referrals-organisation", "Kerk Test"),
        ["2", "0", "2", "—", "—", "0", "0"]
    );
}

#[tokio::test]
async fn a_custom_period_is_checked_and_only_the_right_roles_see_figures() {
    let app = fixture().await;
    let response = app
        .get("/demo2/reports?period=custom&from=10-03-2025&to=01-03-2025")
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("De einddatum ligt voor de begindatum."));
    assert!(html.contains(r#"value="10-03-2025""#), "what was typed stays");
    let response = app.get("/demo2/reports?period=quarter&at=31-13-2025").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"id="at-error""#) && html.contains(r#"value="31-13-2025""#));
    let html = page(&app, "/demo2/reports?period=custom&from=01-01-2025&to=31-03-2025").await;
    assert!(html.contains("01-01-2025 – 31-03-2025, vergeleken met 01-01-2024 – 31-03-2024."));
    assert_eq!(row(&html, "requests-domain", "Wmo"), ["1", "0"]);

    let pm = app.other_client();
    pm.login("demo2", "procesmanager@demo.test").await;
    assert_eq!(pm.get(YEAR_2025).await.status(), 200);
    let desk = app.other_client();
    desk.login("demo2", "balie@demo.test").await;
    assert_eq!(desk.get(YEAR_2025).await.status(), 403);
    let professional = app.other_client();
    professional.login("demo2", "team@demo.test").await;
    assert_eq!(professional.get(YEAR_2025).await.status(), 403);

    // Another cooperative's administrator sees their own figures: none of demo2's.
    let other = app.other_client();
    other.login("demo", "beheer@demo.test").await;
    assert_eq!(other.get(YEAR_2025).await.status(), 404);
    let html = page(&other, "/demo/reports?period=year&at=2025-06-01").await;
    assert!(!html.contains("Thuiszorg Test"));
    let list = page(
        &other,
        "/demo/reports/cases?view=clock&kind=jeugd_decision&state=overdue",
    )
    .await;
    assert!(!list.contains("00000000-0000-0000-0000-000000000d04"));
}

#[tokio::test]
async fn the_dashboard_opens_on_the_last_whole_month_and_shows_only_its_fields() {
    let app = fixture().await;
    let mut db = app.owner_connection().await;
    // The first and last day of the last whole month and quarter, as the form writes them.
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT to_char(d, 'DD-MM-YYYY') FROM unnest(ARRAY[
             date_trunc('month', local_now()) - interval '1 month',
             date_trunc('month', local_now()) - interval '1 day',
             date_trunc('quarter', local_now()) - interval '3 months',
             date_trunc('quarter', local_now()) - interval '1 day']) AS d",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let html = page(&app, "/demo2/reports").await;
    assert!(
        html.contains(&format!(r#"id="at" name="at" value="{}""#, days[0])),
        "the last whole month"
    );
    assert!(html.contains(&format!(r#"id="to" name="to" value="{}""#, days[1])));
    // The dates of a custom period wait, filled in with the month, until that kind is chosen.
    assert!(html.contains(r#"<div data-period-fields="custom" hidden>"#));
    assert!(!html.contains(r#"data-period-fields="day" hidden"#));
    assert!(html.contains(r#"<button type="submit" class="button button--primary">"#));
    let quarter = page(&app, "/demo2/reports?period=quarter").await;
    assert!(quarter.contains(&format!(r#"id="at" name="at" value="{}""#, days[2])));
    assert!(quarter.contains(&format!(r#"id="to" name="to" value="{}""#, days[3])));
    // Choosing "custom" without a script sends the month's dates along: the same period, now
    // with its own dates to change.
    let custom = page(
        &app,
        &format!(
            "/demo2/reports?period=custom&at={0}&from={0}&to={1}",
            days[0], days[1]
        ),
    )
    .await;
    assert!(custom.contains(r#"data-period-fields="day" hidden"#));
    assert!(!custom.contains(r#"<div data-period-fields="custom" hidden>"#));
}

#[tokio::test]
async fn dashboard_queries_read_indexes_under_a_generic_plan() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant_id("demo").await;
    let checks = [
        (
            "SELECT sum(requests) FROM request_counts WHERE tenant_id = $1 AND day BETWEEN $2 AND $3",
            "request_counts_pkey",
        ),
        (
            "SELECT count(*) FROM cases WHERE tenant_id = $1 AND created_at >= $2::date::timestamp AND created_at < $3::date::timestamp",
            "cases_opened",
        ),
        (
            "SELECT count(*) FROM cases WHERE tenant_id = $1 AND closed_at IS NOT NULL AND closed_at >= $2::date::timestamp AND closed_at < $3::date::timestamp",
            "cases_closed",
        ),
        (
            "SELECT count(*) FROM case_clocks WHERE tenant_id = $1 AND kind = 'wmo_decision' AND completed_on BETWEEN $2 AND $3",
            "case_clocks_kind",
        ),
        (
            "SELECT sum(requests) FROM request_counts_monthly WHERE tenant_id = $1 AND month >= $2 AND month < $3",
            "request_counts_monthly_pkey",
        ),
        (
            "SELECT count(*) FROM referrals WHERE tenant_id = $1 AND organisation_id = $1
             AND sent_at >= $2::date::timestamp AND sent_at < $3::date::timestamp",
            "referrals_sent",
        ),
        (
            "SELECT figures FROM kept_figures WHERE tenant_id = $1 AND period_from = $2 AND period_to = $3",
            "kept_figures_pkey",
        ),
        (
            "SELECT follow_up_result, count(*) FROM tasks WHERE tenant_id = $1 AND follow_up_result IS NOT NULL
             AND done_at >= $2::date::timestamp AND done_at < $3::date::timestamp
             GROUP BY follow_up_result",
            "tasks_follow_up_done",
        ),
        (
            "SELECT count(*) FROM cases WHERE tenant_id = $1 AND 'jeugd' = ANY (domains)
             AND created_at < $3::date::timestamp AND coalesce(closed_at, 'infinity') >= $2::date::timestamp",
            "cases_youth",
        ),
        (
            "SELECT count(DISTINCT r.case_id), sum(r.cost_cents) FROM referrals r
             WHERE r.tenant_id = $1 AND r.cost_cents IS NOT NULL
               AND r.finished_at >= $2::date::timestamp AT TIME ZONE 'Europe/Amsterdam'
               AND r.finished_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'",
            "referrals_costs",
        ),
    ];
    for (sql, index) in checks {
        let plan = crate::common::generic_plan(
            &app,
            tenant,
            sql,
            &format!("'{tenant}', '2025-01-01', '2025-12-31'"),
        )
        .await;
        assert!(plan.contains(index), "{sql}\n{plan}");
        assert!(!plan.contains("Seq Scan"), "{sql}\n{plan}");
    }
}
