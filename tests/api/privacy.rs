//! Privacy: an administrator produces everything held about one resident (page and JSON,
//! audited, nobody else, never another cooperative's), and `schakel retention` erases what has
//! passed its term while the figures stay the same.

use schakel::admin::retention::{self, Mode};
use schakel::audit::describe;
use schakel::shared::format::dutch_date;
use schakel::web::i18n::Lang;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::referrals::World;
use crate::common::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

/// Gives case `case` a history beneath it, every kind of record once, each text naming
/// `who`: a former lead, a status event, access with a reason, a paused clock, a conversation,
/// an agreed plan with a goal and an action, a network contact of its resident, a journal
/// entry with an attachment, a task, a consent, a finished referral with a note and a
/// notification, and two audit events about it (six and eight years old).
async fn history(db: &mut PgConnection, case: Uuid, who: &str) {
    for sql in [
        "INSERT INTO organisations (tenant_id, name, kind, status, status_since)
         SELECT tenant_id, 'Organisatie ' || id, 'welzijn', 'lid', date '2000-01-01' FROM cases WHERE id = $1",
        "INSERT INTO services (tenant_id, name) SELECT tenant_id, 'Dienst ' || id FROM cases WHERE id = $1",
        "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by, started_at, ended_at, handover_note)
         SELECT c.tenant_id, c.id, u.id, u.id, c.created_at, c.created_at + interval '1 day', 'Overdracht: ' || $2
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO case_events (tenant_id, case_id, kind, from_value, to_value, reason, actor_id, occurred_at)
         SELECT c.tenant_id, c.id, 'status', 'aangemeld', 'in_onderzoek', 'Onderzoek: ' || $2, u.id, c.created_at
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO case_access_grants (tenant_id, case_id, user_id, reason, granted_at, expires_at)
         SELECT c.tenant_id, c.id, u.id, 'Vervanging: ' || $2, c.created_at, c.created_at + interval '8 hours'
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on, paused_on, pause_reason)
         SELECT tenant_id, id, 'wmo_investigation', local_time(created_at)::date, local_time(created_at)::date + 42, local_time(created_at)::date + 49,
                local_time(created_at)::date + 7, 'Ziekenhuis: ' || $2
         FROM cases WHERE id = $1",
        "INSERT INTO conversations (tenant_id, case_id, planned_at, place, participants, report_on, wishes, recorded_at,
                                    created_by)
         SELECT c.tenant_id, c.id, c.created_at + interval '2 days', 'Thuis bij ' || $2, $2 || ' en dochter',
                (c.created_at + interval '2 days')::date, 'Wens: ' || $2, c.created_at + interval '2 days', u.id
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO support_plans (tenant_id, case_id, version, agreed_on)
         SELECT tenant_id, id, 1, local_time(created_at)::date + 14 FROM cases WHERE id = $1",
        "INSERT INTO plan_goals (tenant_id, plan_id, position, description, result, result_note)
         SELECT tenant_id, id, 0, 'Doel: ' || $2, 'behaald', 'Behaald: ' || $2 FROM support_plans WHERE case_id = $1",
        "INSERT INTO plan_actions (tenant_id, goal_id, description, performer, performer_name, target_on)
         SELECT g.tenant_id, g.id, 'Actie: ' || $2, 'netwerk', 'Buurvrouw van ' || $2, date '2030-01-01'
         FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = $1",
        "INSERT INTO network_contacts (tenant_id, resident_id, name, relation, phone, created_by)
         SELECT c.tenant_id, c.resident_id, 'Nabuur van ' || $2, 'buur', '06-99990000', u.id
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id)
         SELECT c.tenant_id, c.id, 'huisbezoek', 'Journaal: ' || $2, c.created_at + interval '3 days', u.id
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO journal_attachments (tenant_id, entry_id, filename, content_type, size_bytes, content)
         SELECT tenant_id, id, 'brief-' || lower($2) || '.pdf', 'application/pdf', 4, '\\x25504446'
         FROM journal_entries WHERE case_id = $1",
        "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on, done_at, outcome)
         SELECT c.tenant_id, 'case', c.id, 'Bellen: ' || $2, u.id, local_time(c.created_at)::date + 5, c.created_at, 'Gebeld: ' || $2
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO consents (tenant_id, case_id, organisation_id, purpose, given_on, recorded_by)
         SELECT c.tenant_id, c.id, o.id, 'Toestemming: ' || $2, local_time(c.created_at)::date, u.id
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test'
         JOIN organisations o ON o.tenant_id = c.tenant_id AND o.name = 'Organisatie ' || c.id WHERE c.id = $1",
        "INSERT INTO referrals (tenant_id, case_id, service_id, organisation_id, status, purpose, summary, consent_id,
                                answer_due_on, sent_by, sent_at, answered_at, started_at, finished_at, outcome,
                                outcome_reason, delivered, report)
         SELECT c.tenant_id, c.id, s.id, o.id, 'afgerond', 'Maatje voor ' || $2, 'Samenvatting: ' || $2, k.id,
                local_time(c.created_at)::date + 5, u.id, c.created_at, c.created_at, c.created_at, c.created_at, 'geslaagd',
                'Uitkomst: ' || $2, true, 'Verslag: ' || $2
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test'
         JOIN organisations o ON o.tenant_id = c.tenant_id AND o.name = 'Organisatie ' || c.id
         JOIN services s ON s.tenant_id = c.tenant_id AND s.name = 'Dienst ' || c.id
         JOIN consents k ON k.case_id = c.id WHERE c.id = $1",
        "INSERT INTO referral_events (tenant_id, referral_id, kind, organisation_id, actor_id, note, occurred_at)
         SELECT f.tenant_id, f.id, 'notitie', f.organisation_id, f.sent_by, 'Notitie: ' || $2, f.sent_at
         FROM referrals f WHERE f.case_id = $1",
        "INSERT INTO notifications (tenant_id, user_id, kind, referral_id)
         SELECT tenant_id, sent_by, 'referral_finished', id FROM referrals WHERE case_id = $1",
        "INSERT INTO contracts (tenant_id, kind, title, commissioner, amount_cents, starts_on, ends_on, created_by)
         SELECT c.tenant_id, 'opdracht', 'Opdracht ' || c.id, 'Gemeente', 100000000, date '2000-01-01', date '2099-12-31', u.id
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test' WHERE c.id = $1",
        "INSERT INTO budget_lines (tenant_id, contract_id, name, amount_cents, flexible)
         SELECT tenant_id, id, 'Maatwerk', 10000000, true FROM contracts WHERE title = 'Opdracht ' || $1::text",
        "INSERT INTO flexible_support (tenant_id, case_id, budget_line_id, goal_id, amount_cents, provider_name,
                                       description, spent_on, status, requested_by, decided_at, decision_note, submission)
         SELECT c.tenant_id, c.id, b.id, g.id, 12050, 'Fietsenmaker Van Dijk', 'Fiets voor ' || $2,
                local_time(c.created_at)::date + 20, 'goedgekeurd', u.id, c.created_at, 'Akkoord: ' || $2, gen_random_uuid()
         FROM cases c JOIN users u ON u.tenant_id = c.tenant_id AND u.email = 'team@demo.test'
         JOIN contracts k ON k.title = 'Opdracht ' || c.id JOIN budget_lines b ON b.contract_id = k.id
         JOIN support_plans p ON p.case_id = c.id JOIN plan_goals g ON g.plan_id = p.id WHERE c.id = $1",
        "INSERT INTO audit_events (tenant_id, kind, actor_name, case_id, resident_id, details, occurred_at)
         SELECT tenant_id, 'case_viewed', 'Tom Teamlid', id, resident_id, jsonb_build_object('reason', 'Inzage: ' || $2),
                now() - interval '6 years'
         FROM cases WHERE id = $1",
        "INSERT INTO audit_events (tenant_id, kind, actor_name, case_id, resident_id, occurred_at)
         SELECT tenant_id, 'case_viewed', 'Tom Teamlid', id, resident_id, now() - interval '8 years'
         FROM cases WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(case)
            .bind(who)
            .execute(&mut *db)
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }
}

/// A resident of cooperative `tenant`, born on `born` (ISO) when given.
async fn resident(db: &mut PgConnection, tenant: &str, surname: &str, born: Option<&str>) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO residents (tenant_id, first_names, surname, date_of_birth, phone, email)
         SELECT id, 'Gijs', $2, $3::date, '06-12121212', 'gijs@example.test' FROM tenants WHERE slug = $1
         RETURNING id",
    )
    .bind(tenant)
    .bind(surname)
    .bind(born)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A request of `resident` in `domains`, triaged `years_ago` years ago (and received a month
/// before): handled at the desk, or sent to the team.
async fn request(
    db: &mut PgConnection,
    resident: Uuid,
    domains: &[&str],
    years_ago: i32,
    to_team: bool,
) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency, referrer,
                               contact_name, contact_phone, contact_email, form_token, status, triage, triage_note,
                               triaged_at, unsafe_at_home)
         SELECT tenant_id, id, now() - make_interval(years => $3, months => 1), 'phone', $2, 'Vraag van ' || surname,
                'normal', 'Huisarts van ' || surname, 'Dochter van ' || surname, '06-34343434', 'dochter@example.test',
                gen_random_uuid(), CASE WHEN $4 THEN 'with_team' ELSE 'closed' END,
                CASE WHEN $4 THEN 'to_team' ELSE 'handled_at_desk' END, 'Triage: ' || surname,
                now() - make_interval(years => $3), false
         FROM residents WHERE id = $1
         RETURNING id",
    )
    .bind(resident)
    .bind(domains)
    .bind(years_ago)
    .bind(to_team)
    .fetch_one(db)
    .await
    .unwrap()
}

/// A case opened from `request` at its triage and closed `years_ago` years ago (open when
/// `None`).
async fn case(db: &mut PgConnection, request: Uuid, closed_years_ago: Option<i32>) -> Uuid {
    sqlx::query_scalar(
        "INSERT INTO cases (tenant_id, request_id, resident_id, urgency, status, closing_result, closed_at, created_at)
         SELECT tenant_id, id, resident_id, 'normal',
                CASE WHEN $2::int IS NULL THEN 'in_onderzoek' ELSE 'afgesloten' END,
                CASE WHEN $2::int IS NULL THEN NULL ELSE 'doel_bereikt' END,
                now() - make_interval(years => $2), triaged_at
         FROM requests WHERE id = $1
         RETURNING id",
    )
    .bind(request)
    .bind(closed_years_ago)
    .fetch_one(db)
    .await
    .unwrap()
}

/// One text per table, standing for every row of it: equal texts, unchanged tables.
async fn dump(db: &mut PgConnection) -> Vec<(String, String)> {
    let mut tables = Vec::new();
    for table in [
        "residents",
        "household_members",
        "requests",
        "cases",
        "case_leads",
        "case_events",
        "case_access_grants",
        "case_clocks",
        "conversations",
        "support_plans",
        "plan_goals",
        "plan_actions",
        "network_contacts",
        "journal_entries",
        "journal_attachments",
        "tasks",
        "consents",
        "referrals",
        "referral_events",
        "notifications",
        "audit_events",
    ] {
        let sql =
            format!("SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t");
        let text: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *db)
            .await
            .unwrap();
        tables.push((table.to_owned(), text));
    }
    tables
}

/// What the figures count: requests per domain, cases per status and closing result, the
/// youth cases by the resident's year of birth, referrals per status and outcome, clocks,
/// conversations and plan goals per result.
async fn figures(db: &mut PgConnection) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT 'requests ' || array_to_string(domains, ',') || ' ' || status, count(*) FROM requests GROUP BY 1
         UNION ALL SELECT 'cases ' || status || ' ' || coalesce(closing_result, '-'), count(*) FROM cases GROUP BY 1
         UNION ALL SELECT 'youth cases born '
                          || coalesce(coalesce(c.resident_birth_year, extract(year FROM r.date_of_birth))::text, '-'),
                          count(*)
                   FROM cases c JOIN requests q ON q.id = c.request_id
                   LEFT JOIN residents r ON r.id = c.resident_id
                   WHERE 'jeugd' = ANY (q.domains) GROUP BY 1
         UNION ALL SELECT 'referrals ' || status || ' ' || coalesce(outcome, '-'), count(*) FROM referrals GROUP BY 1
         UNION ALL SELECT 'clocks ' || kind, count(*) FROM case_clocks GROUP BY 1
         UNION ALL SELECT 'conversations', count(*) FROM conversations
         UNION ALL SELECT 'goals ' || coalesce(result, '-'), count(*) FROM plan_goals GROUP BY 1
         ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .unwrap()
}

/// HTML text as it reads, for comparing with the stored values.
fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------------------------------------
// The export

#[tokio::test]
async fn the_privacy_export_holds_every_kind_of_record_as_a_page_and_as_json_and_is_audited() {
    let w = World::new().await;
    let mut db = w.app.owner_connection().await;
    // The history below spans a fortnight after the case opened, none of it in the future.
    sqlx::query(
        "UPDATE requests SET received_at = received_at - interval '1 month', triaged_at = triaged_at - interval '1 month'
         WHERE id = (SELECT request_id FROM cases WHERE id = $1)",
    )
    .bind(w.case)
    .execute(&mut db)
    .await
    .unwrap();
    sqlx::query("UPDATE cases SET created_at = created_at - interval '1 month' WHERE id = $1")
        .bind(w.case)
        .execute(&mut db)
        .await
        .unwrap();
    history(&mut db, w.case, "Wim").await;
    let partner = resident(&mut db, "demo", "Welkoop-Partner", Some("1950-02-03")).await;
    sqlx::query(
        "INSERT INTO household_members (tenant_id, resident_id, member_id, relation)
         SELECT tenant_id, id, $2, 'partner' FROM residents WHERE id = $1",
    )
    .bind(w.resident)
    .bind(partner)
    .execute(&mut db)
    .await
    .unwrap();
    // The lead views the case page: that is on the trail too.
    let lead = w.login("team@demo.test").await;
    assert_eq!(lead.status(&w.case_path()).await, 200);

    let admin = w.login("beheer@demo.test").await;
    let base = format!("/demo/admin/residents/{}/privacy", w.resident);
    let download = admin.app.get(&format!("{base}.json")).await;
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"inzage-"),
        "{disposition}"
    );
    assert!(!disposition.contains("Welkoop"), "no name in the file name");
    let json: Value = serde_json::from_str(&download.text().await.unwrap()).unwrap();
    let (status, page) = admin.page(&base).await;
    assert_eq!(status, 200, "{page}");

    let texts = [
        ("resident", "Welkoop"),
        ("resident", "06-12345678"),
        ("household", "Welkoop-Partner"),
        ("requests", "Schulden en ruzie met de buren, graag discreet"),
        (
            "cases",
            &crate::common::records::reference(&admin.app, "cases", &w.case.to_string()).await,
        ),
        ("case_leads", "Overdracht: Wim"),
        ("case_events", "Onderzoek: Wim"),
        ("case_access_grants", "Vervanging: Wim"),
        ("case_clocks", "Ziekenhuis: Wim"),
        ("conversations", "Wens: Wim"),
        ("support_plans", "1"),
        ("plan_goals", "Doel: Wim"),
        ("plan_actions", "Actie: Wim"),
        ("network_contacts", "Nabuur van Wim"),
        ("journal_entries", "Journaal: Wim"),
        ("journal_attachments", "brief-wim.pdf"),
        ("tasks", "Bellen: Wim"),
        ("consents", "Toestemming: Wim"),
        ("referrals", "Verslag: Wim"),
        ("referral_events", "Notitie: Wim"),
        ("notifications", "referral_finished"),
        ("flexible_support", "Fiets voor Wim"),
        ("audit_events", "Tom Teamlid"),
    ];
    for (section, text) in texts {
        let records = json[section]
            .as_array()
            .unwrap_or_else(|| panic!("no {section} in {json:#}"));
        assert!(
            records.iter().any(|record| record.to_string().contains(text)),
            "{section} holds {text}: {records:?}"
        );
        assert!(page.contains(&format!("id=\"privacy-{section}\"")), "{section}");
        // The page names what the notification was about in words.
        let shown = match text {
            "referral_finished" => Lang::Nl.t("notification.referral_finished"),
            text => text,
        };
        assert!(unescape(&page).contains(shown), "the page shows {shown}");
    }
    assert_eq!(json["resident"][0]["id"], w.resident.to_string());
    let viewed_by_lead = json["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|event| event["kind"] == "case_viewed" && event["actor"] == "Tom Teamlid");
    assert!(viewed_by_lead, "who viewed the file");

    // The page shows everything the download holds (and more of the trail: the download's
    // own production), each field under its label.
    let shown = unescape(&page);
    for (section, records) in json.as_object().unwrap() {
        for record in records.as_array().into_iter().flatten() {
            for (field, value) in record.as_object().unwrap() {
                let label = format!("privacy.field.{field}");
                for lang in Lang::ALL {
                    assert_ne!(lang.t(&label), label, "{field} has a label in {lang:?}");
                }
                // Stored codes are shown in words (the next test reads them), dates the
                // Dutch way, an event's details as text.
                let as_shown = |text: &str| dutch_date(text).unwrap_or_else(|| text.to_owned());
                let code = |text: &str| text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                let expected: Vec<String> = match value {
                    Value::String(kind) if section == "audit_events" && field == "kind" => {
                        vec![Lang::Nl.t(&format!("audit.kind.{kind}")).to_owned()]
                    }
                    Value::String(text) if code(text) => Vec::new(),
                    Value::String(text) => vec![as_shown(text)],
                    Value::Number(number) => vec![number.to_string()],
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().unwrap())
                        .filter(|i| !code(i))
                        .map(as_shown)
                        .collect(),
                    Value::Object(_) => vec![describe(value, Lang::Nl)],
                    Value::Bool(_) | Value::Null => Vec::new(),
                };
                for text in expected.iter().filter(|t| !t.is_empty()) {
                    assert!(
                        shown.contains(text.as_str()),
                        "{section}.{field} = {text} on the page"
                    );
                }
            }
        }
    }
    assert!(
        !page.contains("privacy.field.") && !page.contains("privacy.section."),
        "every label translated"
    );
    assert!(page.contains("Wie het dossier bekeek of wijzigde"));
    assert!(page.contains("casus ingezien"), "what happened, in words");

    let exports: Vec<(Option<Uuid>, Option<Uuid>, Value)> = sqlx::query_as(
        "SELECT actor_id, resident_id, details FROM audit_events WHERE kind = 'privacy_export' ORDER BY occurred_at",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        exports,
        vec![
            (
                Some(admin.id),
                Some(w.resident),
                serde_json::json!({ "format": "json" })
            ),
            (
                Some(admin.id),
                Some(w.resident),
                serde_json::json!({ "format": "html" })
            ),
        ]
    );
}

#[tokio::test]
async fn only_administrators_produce_the_export_and_only_of_their_own_cooperative() {
    let w = World::new().await;
    let mut db = w.app.owner_connection().await;
    let base = format!("/demo/admin/residents/{}/privacy", w.resident);
    for email in [
        "balie@demo.test",
        "team@demo.test",
        "lid@demo.test",
        "voorzitter@demo.test",
    ] {
        let user = w.login(email).await;
        assert_eq!(user.status(&base).await, 403, "{email}");
        assert_eq!(user.status(&format!("{base}.json")).await, 403, "{email}");
    }

    let admin = w.login("beheer@demo.test").await;
    let foreign = resident(&mut db, "demo2", "Anders", None).await;
    for id in [
        foreign.to_string(),
        Uuid::new_v4().to_string(),
        "geen-id".to_owned(),
    ] {
        assert_eq!(
            admin.status(&format!("/demo/admin/residents/{id}/privacy")).await,
            404
        );
        assert_eq!(
            admin
                .status(&format!("/demo/admin/residents/{id}/privacy.json"))
                .await,
            404
        );
    }
    let produced: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE kind = 'privacy_export'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(produced, 0, "nothing refused is recorded as produced");

    // The resident's page offers the export to an administrator who works at the desk too,
    // and the audit trail of one resident to every administrator.
    sqlx::query("UPDATE users SET roles = ARRAY['desk', 'admin'] WHERE email = 'beheer@demo.test'")
        .execute(&mut db)
        .await
        .unwrap();
    let resident_page = format!("/demo/residents/{}", w.resident);
    let (_, page) = admin.page(&resident_page).await;
    assert!(page.contains(&format!("href=\"{base}\"")), "{page}");
    let (_, page) = w.login("balie@demo.test").await.page(&resident_page).await;
    assert!(!page.contains("privacy-export"));
    let (_, trail) = admin
        .page(&format!("/demo/admin/audit?resident={}", w.resident))
        .await;
    assert!(trail.contains(&format!("href=\"{base}\"")));
}

// ---------------------------------------------------------------------------------------------
// Retention

/// The cases and requests of a retention test, in the demo cooperative (whose request term is
/// set to four years, so that none of its own two years of requests is due) and one in demo2.
struct Files {
    app: TestApp,
    /// Wmo, closed eight years ago: due (seven years). Its resident has a household member
    /// held only for them.
    old: Uuid,
    old_resident: Uuid,
    old_partner: Uuid,
    /// Wmo, closed six years ago: kept.
    recent: Uuid,
    /// Jeugd, closed eight years ago: kept (twenty years).
    youth: Uuid,
    /// Jeugd, closed 21 years ago: due. Its resident, born in 2001, has a later request.
    old_youth: Uuid,
    old_youth_resident: Uuid,
    /// Handled at the desk five years ago, without a case: due.
    desk: Uuid,
    /// Handled at the desk three years ago: kept.
    desk_recent: Uuid,
    /// In demo2, handled at the desk three years ago: due there (two years).
    elsewhere: Uuid,
}

impl Files {
    async fn new() -> Files {
        let app = TestApp::spawn().await;
        let mut db = app.owner_connection().await;
        sqlx::query(
            "UPDATE tenant_settings SET retention_request_years = 4
             WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo')",
        )
        .execute(&mut db)
        .await
        .unwrap();
        let db = &mut db;

        let old_resident = resident(db, "demo", "Oud", Some("1940-01-01")).await;
        let old_partner = resident(db, "demo", "Oud-Partner", None).await;
        sqlx::query(
            "INSERT INTO household_members (tenant_id, resident_id, member_id, relation)
             SELECT tenant_id, $1, $2, 'partner' FROM residents WHERE id = $1
             UNION ALL SELECT tenant_id, $2, $1, 'partner' FROM residents WHERE id = $1",
        )
        .bind(old_resident)
        .bind(old_partner)
        .execute(&mut *db)
        .await
        .unwrap();
        let q = request(db, old_resident, &["wmo"], 8, true).await;
        let old = case(db, q, Some(8)).await;
        history(db, old, "Oud").await;

        let recent_resident = resident(db, "demo", "Recent", None).await;
        let q = request(db, recent_resident, &["wmo", "schulden"], 6, true).await;
        let recent = case(db, q, Some(6)).await;
        history(db, recent, "Recent").await;

        let youth_resident = resident(db, "demo", "Jong", Some("2012-06-01")).await;
        let q = request(db, youth_resident, &["jeugd"], 8, true).await;
        let youth = case(db, q, Some(8)).await;

        let old_youth_resident = resident(db, "demo", "Jeugdig", Some("2001-03-04")).await;
        let q = request(db, old_youth_resident, &["jeugd", "leerplicht"], 21, true).await;
        let old_youth = case(db, q, Some(21)).await;
        history(db, old_youth, "Jeugdig").await;
        let desk_recent = request(db, old_youth_resident, &["wonen"], 3, false).await;

        let desk_resident = resident(db, "demo", "Balie", None).await;
        let desk = request(db, desk_resident, &["schulden"], 5, false).await;

        let open_resident = resident(db, "demo", "Lopend", None).await;
        let q = request(db, open_resident, &["wmo"], 9, true).await;
        case(db, q, None).await;

        let elsewhere_resident = resident(db, "demo2", "Elders", None).await;
        let elsewhere = request(db, elsewhere_resident, &["overig"], 3, false).await;

        Files {
            app,
            old,
            old_resident,
            old_partner,
            recent,
            youth,
            old_youth,
            old_youth_resident,
            desk,
            desk_recent,
            elsewhere,
        }
    }

    async fn owner(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect_with(self.app.owner.clone()).await.unwrap()
    }
}

#[tokio::test]
async fn a_retention_dry_run_lists_what_is_due_and_changes_nothing() {
    let files = Files::new().await;
    let mut db = files.app.owner_connection().await;
    let before = dump(&mut db).await;

    let outcomes = retention::run(&files.owner().await, Mode::DryRun).await.unwrap();
    let demo = &outcomes.iter().find(|o| o.tenant.slug == "demo").unwrap().due;
    assert_eq!(demo.cases, vec![files.old_youth, files.old], "oldest first");
    assert_eq!(demo.requests, vec![files.desk]);
    let mut residents = demo.residents.clone();
    residents.sort();
    let mut expected = vec![files.old_resident, files.old_partner];
    expected.sort();
    // The desk request's resident has nothing else either.
    let desk_resident: Uuid = sqlx::query_scalar("SELECT resident_id FROM requests WHERE id = $1")
        .bind(files.desk)
        .fetch_one(&mut db)
        .await
        .unwrap();
    expected.push(desk_resident);
    expected.sort();
    assert_eq!(residents, expected);
    assert_eq!(
        demo.audit_events, 3,
        "the eight-year-old views, one per case with a history"
    );
    let demo2 = &outcomes.iter().find(|o| o.tenant.slug == "demo2").unwrap().due;
    assert_eq!(demo2.requests, vec![files.elsewhere]);

    // The command prints the same, by id only, and changes nothing either.
    let output = super::cli::schakel(&files.app, &["retention", "--dry-run"], "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains(
            "demo: would erase cases: 2, requests without a case: 1, residents: 3, audit events: 3"
        ),
        "{printed}"
    );
    assert!(printed.contains(&format!("case {}", files.old)));
    assert!(printed.contains(&files.desk.to_string()));
    assert!(
        !printed.contains("Oud") && !printed.contains("Gijs"),
        "no personal data: {printed}"
    );
    assert_eq!(dump(&mut db).await, before);

    for args in [&["retention"][..], &["retention", "--dry-run", "--apply"]] {
        let refused = super::cli::schakel(&files.app, args, "");
        assert!(!refused.status.success(), "{args:?}");
    }
    assert_eq!(dump(&mut db).await, before);
}

#[tokio::test]
async fn applying_retention_erases_exactly_what_is_due_and_keeps_the_counts() {
    let files = Files::new().await;
    let mut db = files.app.owner_connection().await;
    let figures_before = figures(&mut db).await;
    let kept_cases: Vec<String> =
        sqlx::query_scalar("SELECT c::text FROM cases c WHERE id = ANY ($1) ORDER BY id")
            .bind(vec![files.recent, files.youth])
            .fetch_all(&mut db)
            .await
            .unwrap();

    retention::run(&files.owner().await, Mode::Apply).await.unwrap();

    assert_eq!(
        figures(&mut db).await,
        figures_before,
        "the figures stay the same"
    );
    let after_cases: Vec<String> =
        sqlx::query_scalar("SELECT c::text FROM cases c WHERE id = ANY ($1) ORDER BY id")
            .bind(vec![files.recent, files.youth])
            .fetch_all(&mut db)
            .await
            .unwrap();
    assert_eq!(after_cases, kept_cases, "cases within their term are untouched");

    // The erased cases: no resident, the year of birth kept, nothing personal beneath them.
    let erased: Vec<(Uuid, Option<Uuid>, bool, Option<i16>)> = sqlx::query_as(
        "SELECT id, resident_id, anonymised_at IS NOT NULL, resident_birth_year FROM cases
         WHERE anonymised_at IS NOT NULL OR id = ANY ($1) ORDER BY resident_birth_year",
    )
    .bind(vec![files.old, files.old_youth])
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        erased,
        vec![
            (files.old, None, true, Some(1940)),
            (files.old_youth, None, true, Some(2001))
        ]
    );
    for (what, sql) in [
        ("journal entries", "SELECT count(*) FROM journal_entries WHERE case_id = ANY ($1)"),
        (
            "attachments",
            "SELECT count(*) FROM journal_attachments a JOIN journal_entries j ON j.id = a.entry_id WHERE j.case_id = ANY ($1)",
        ),
        ("tasks", "SELECT count(*) FROM tasks WHERE case_id = ANY ($1)"),
        (
            "notifications",
            "SELECT count(*) FROM notifications n JOIN referrals f ON f.id = n.referral_id WHERE f.case_id = ANY ($1)",
        ),
        (
            "texts anywhere",
            "SELECT count(*) FROM (
                 SELECT handover_note AS t FROM case_leads WHERE case_id = ANY ($1)
                 UNION ALL SELECT reason FROM case_events WHERE case_id = ANY ($1)
                 UNION ALL SELECT reason FROM case_access_grants WHERE case_id = ANY ($1)
                 UNION ALL SELECT pause_reason FROM case_clocks WHERE case_id = ANY ($1)
                 UNION ALL SELECT place || participants || wishes FROM conversations WHERE case_id = ANY ($1)
                 UNION ALL SELECT g.description || g.result_note FROM plan_goals g JOIN support_plans p ON p.id = g.plan_id
                           WHERE p.case_id = ANY ($1)
                 UNION ALL SELECT a.description || a.performer_name FROM plan_actions a JOIN plan_goals g ON g.id = a.goal_id
                           JOIN support_plans p ON p.id = g.plan_id WHERE p.case_id = ANY ($1)
                 UNION ALL SELECT purpose || withdrawal_note FROM consents WHERE case_id = ANY ($1)
                 UNION ALL SELECT purpose || summary || outcome_reason || report FROM referrals WHERE case_id = ANY ($1)
                 UNION ALL SELECT e.note FROM referral_events e JOIN referrals f ON f.id = e.referral_id
                           WHERE f.case_id = ANY ($1)
                 UNION ALL SELECT question || referrer || contact_name || contact_phone || contact_email || triage_note
                           FROM requests WHERE id IN (SELECT request_id FROM cases WHERE id = ANY ($1))
                 UNION ALL SELECT description || decision_note FROM flexible_support WHERE case_id = ANY ($1)
                 UNION ALL SELECT details::text FROM audit_events WHERE case_id = ANY ($1)
             ) t WHERE t ~ '(Oud|Jeugdig|Gijs)'",
        ),
        (
            "flexible support without its amount, date or budget line",
            "SELECT count(*) FROM flexible_support
             WHERE case_id = ANY ($1) AND NOT (amount_cents = 12050 AND description = '[gewist]')",
        ),
    ] {
        let left: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(vec![files.old, files.old_youth])
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(left, 0, "{what} of the erased cases");
    }
    let questions: Vec<(Uuid, String, Option<Uuid>, bool)> = sqlx::query_as(
        "SELECT id, question, resident_id, anonymised_at IS NOT NULL FROM requests WHERE id = ANY ($1) ORDER BY question, id",
    )
    .bind(vec![files.desk, files.desk_recent, files.elsewhere])
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(questions.len(), 3);
    for (id, question, resident, anonymised) in questions {
        let due = id != files.desk_recent;
        assert_eq!(
            (question == "[gewist]", resident.is_none(), anonymised),
            (due, due, due),
            "{id}"
        );
    }

    // Residents go once nothing of theirs is left, with a partner held only for them; one
    // with a later request stays, with their network.
    let residents: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM residents WHERE id = ANY ($1)")
        .bind(vec![
            files.old_resident,
            files.old_partner,
            files.old_youth_resident,
        ])
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(residents, vec![(files.old_youth_resident,)]);
    let network: Vec<Uuid> = sqlx::query_scalar(
        "SELECT resident_id FROM network_contacts WHERE name IN ('Nabuur van Oud', 'Nabuur van Jeugdig')",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(network, vec![files.old_youth_resident]);

    // Audit events past seven years are gone; the erasure itself is recorded with counts.
    let old_events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE occurred_at < now() - interval '7 years'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(old_events, 0);
    let recorded: Vec<(String, Value)> = sqlx::query_as(
        "SELECT t.slug, a.details FROM audit_events a JOIN tenants t ON t.id = a.tenant_id
         WHERE a.kind = 'retention_applied' ORDER BY t.slug",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        recorded,
        vec![
            (
                "demo".to_owned(),
                serde_json::json!({ "cases": 2, "requests": 3, "residents": 3, "audit_events": 3 })
            ),
            (
                "demo2".to_owned(),
                serde_json::json!({ "cases": 0, "requests": 1, "residents": 1, "audit_events": 0 })
            ),
        ]
    );

    // A second run finds nothing left to do.
    let again = retention::run(&files.owner().await, Mode::Apply).await.unwrap();
    assert!(again.iter().all(|o| o.due.is_empty()));
}
