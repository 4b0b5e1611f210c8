//! What administrators ran into (issue 21): inviting staff of a member organisation names
//! their organisation and shows the one-time link in full with a copy button; the audit log
//! reads as Dutch text; the privacy export is written for the resident, who is found by name
//! for that purpose only.

use crate::api::limits::message_beside;
use crate::api::referrals::World;
use crate::common::link_path;
use crate::common::pages::strip_tags;

/// The rows of the audit log's table as text, newest first.
fn audit_rows(page: &str) -> Vec<String> {
    let body = page.split("<tbody>").nth(1).unwrap_or_default();
    body.split("<tr>").skip(1).map(strip_tags).collect()
}

#[tokio::test]
async fn inviting_member_organisation_staff_asks_for_their_organisation_and_shows_the_link_in_full() {
    let w = World::new().await;
    let admin = w.login("beheer@demo.test").await;
    let (status, form) = admin.page("/demo/admin/users/new").await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!(
        "<option value=\"{}\">Zorgcirkel Testdorp</option>",
        w.org_a
    )));

    let without = admin
        .send(
            "/demo/admin/users",
            &[
                ("name", "Olga Organisatie"),
                ("email", "olga@demo.test"),
                ("roles", "member"),
            ],
        )
        .await;
    assert_eq!(without.0, 422, "member staff without an organisation");
    assert_eq!(
        message_beside(&without.1, "organisation").as_deref(),
        Some("Kies de organisatie waar deze medewerker van een lidorganisatie werkt.")
    );
    assert!(
        without.1.contains("value=\"Olga Organisatie\""),
        "what was typed stays"
    );

    let org_a = w.org_a.to_string();
    let desk_with_organisation = admin
        .send(
            "/demo/admin/users",
            &[
                ("name", "Bas Balie"),
                ("email", "bas@demo.test"),
                ("roles", "desk"),
                ("organisation", &org_a),
            ],
        )
        .await;
    assert_eq!(
        desk_with_organisation.0, 422,
        "only member staff belong to an organisation"
    );
    assert!(message_beside(&desk_with_organisation.1, "organisation").is_some());
    assert!(
        desk_with_organisation
            .1
            .contains(&format!("<option value=\"{org_a}\" selected>")),
        "the choice stays"
    );
    let foreign = admin
        .send(
            "/demo/admin/users",
            &[
                ("name", "Olga Organisatie"),
                ("email", "olga@demo.test"),
                ("roles", "member"),
                ("organisation", &uuid::Uuid::new_v4().to_string()),
            ],
        )
        .await;
    assert_eq!(
        foreign.0, 422,
        "an organisation not of this cooperative is no choice"
    );
    let mut db = w.app.owner_connection().await;
    let invited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE email IN ('olga@demo.test', 'bas@demo.test')")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(invited, 0, "nothing stored for a refused invitation");

    let (status, link_page) = admin
        .send(
            "/demo/admin/users",
            &[
                ("name", "Olga Organisatie"),
                ("email", "olga@demo.test"),
                ("roles", "member"),
                ("organisation", &org_a),
            ],
        )
        .await;
    assert_eq!(status, 200, "{link_page}");
    let organisation: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT organisation_id FROM users WHERE email = 'olga@demo.test'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(organisation, Some(w.org_a));
    // The link in full, wrapping in a read-only field; a copy button the script shows.
    let path = link_path(&link_page, "/demo/invitation/");
    let field = link_page
        .split("<textarea id=\"link\"")
        .nth(1)
        .expect("the link field");
    let field = &field[..field.find("</textarea>").unwrap()];
    assert!(field.contains(" readonly") && field.ends_with(&path), "{field}");
    assert!(link_page.contains("data-copy=\"link\">Link kopiëren</button>"));
    assert!(link_page.contains("<script src=\"/static/js/copy.js\" defer></script>"));
    let script = w.app.get("/static/js/copy.js").await;
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap().contains("clipboard"));

    // The invitee's link works, and they work for their organisation from the start.
    let invitee = w.app.other_client();
    assert_eq!(invitee.get(&path).await.status(), 200);

    let (_, log) = admin.page("/demo/admin/audit?kind=user_invited").await;
    let rows = audit_rows(&log);
    assert!(
        rows[0].contains("Olga Organisatie")
            && rows[0].contains("E-mail: olga@demo.test")
            && rows[0].contains("Organisatie: Zorgcirkel Testdorp")
            && rows[0].contains("Rollen: medewerker lidorganisatie"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn the_audit_log_reads_as_dutch_text_naming_residents_and_references() {
    let w = World::new().await;
    let mut db = w.app.owner_connection().await;
    let meeting: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO meetings (tenant_id, title, starts_at, place)
         VALUES ($1, 'Voorjaarsvergadering', timestamptz '2026-04-14 19:30+02', 'Dorpshuis') RETURNING id",
    )
    .bind(w.tenant)
    .fetch_one(&mut db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, kind, actor_name, details)
         VALUES ($1, 'meeting_changed', 'Vera Voorzitter', jsonb_build_object('meeting_id', $2::text, 'step', 'close'))",
    )
    .bind(w.tenant)
    .bind(meeting)
    .execute(&mut db)
    .await
    .unwrap();
    let lead = w.login("team@demo.test").await;
    assert_eq!(lead.status(&w.case_path()).await, 200);
    let reference = crate::common::records::reference(&w.app, "cases", &w.case.to_string()).await;

    let admin = w.login("beheer@demo.test").await;
    let (status, log) = admin.page("/demo/admin/audit").await;
    assert_eq!(status, 200);
    let rows = audit_rows(&log);
    let viewed = rows
        .iter()
        .find(|row| row.contains("casus ingezien"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        viewed.contains("Tom Teamlid") && viewed.contains("Wim Welkoop") && viewed.contains(&reference),
        "{viewed}"
    );
    let meeting_row = rows
        .iter()
        .find(|row| row.contains("Vera Voorzitter"))
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert!(
        meeting_row.contains("Vergadering: Voorjaarsvergadering (14-04-2026)")
            && meeting_row.contains("Stap: stemming gesloten"),
        "{meeting_row}"
    );
    assert!(
        !log.contains(&meeting.to_string()) && !log.contains(&w.case.to_string()),
        "no ids"
    );
    assert!(!log.contains("{&quot;") && !log.contains("<code>"), "no JSON");
}

#[tokio::test]
async fn the_privacy_export_uses_words_and_dutch_dates() {
    let w = World::new().await;
    w.with_dutch_resident_and_child().await;
    let mut db = w.app.owner_connection().await;
    sqlx::query("UPDATE requests SET channel = 'phone', received_at = timestamptz '2026-01-12 09:15+01' WHERE resident_id = $1")
        .bind(w.resident)
        .execute(&mut db)
        .await
        .unwrap();

    let admin = w.login("beheer@demo.test").await;
    let (status, page) = admin
        .page(&format!("/demo/admin/residents/{}/privacy", w.resident))
        .await;
    assert_eq!(status, 200);
    let value = |label: &str| {
        let marker = format!("<dt>{label}</dt><dd class=\"prewrap\">");
        page.split(&marker)
            .skip(1)
            .map(|rest| rest[..rest.find("</dd>").unwrap()].to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(value("Voorkeurstaal"), ["Nederlands"]);
    assert_eq!(value("Relatie"), ["kind"]);
    assert_eq!(value("Kanaal"), ["telefoon"]);
    assert_eq!(value("Status")[0], "bij het sociaal team");
    assert_eq!(value("Triage"), ["Naar het sociaal team"]);
    assert!(value("Geboortedatum").contains(&"03-02-1950".to_owned()));
    assert!(value("Geboortedatum").contains(&"07-06-2015".to_owned()));
    assert_eq!(value("Ontvangen op"), ["12-01-2026 09:15"]);
    let values: Vec<&str> = page
        .split("<dd class=\"prewrap\">")
        .skip(1)
        .map(|rest| &rest[..rest.find("</dd>").unwrap()])
        .collect();
    for code in ["child", "phone", "with_team", "to_team", "nl", "wmo", "normal"] {
        assert!(!values.contains(&code), "{code} is shown in words");
    }
    assert!(!page.contains("1950-02-03"), "dates the Dutch way");
    // The download keeps the data as it is held, for a machine to read.
    let (_, download) = admin
        .page(&format!("/demo/admin/residents/{}/privacy.json", w.resident))
        .await;
    let json: serde_json::Value = serde_json::from_str(&download).unwrap();
    assert_eq!(json["household"][0]["relation"], "child");
}

#[tokio::test]
async fn an_administrator_finds_a_resident_by_name_for_a_privacy_request_only_and_it_is_audited() {
    let w = World::new().await;
    let admin = w.login("beheer@demo.test").await;
    let (status, empty) = admin.page("/demo/admin/privacy").await;
    assert_eq!(status, 200);
    assert!(empty.contains("Inwoner zoeken voor een inzageverzoek") && !empty.contains("Gevonden inwoners"));
    assert!(
        empty.contains("href=\"/demo/admin/privacy\""),
        "in the navigation"
    );

    let (status, refused) = admin
        .page("/demo/admin/privacy?resident_name=welkoop&purpose=")
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        message_beside(&refused, "purpose").as_deref(),
        Some("Schrijf op om welk inzageverzoek het gaat.")
    );
    assert!(refused.contains("value=\"welkoop\""), "the name stays");
    assert!(!refused.contains("Wim Welkoop"), "no search without a purpose");
    let (status, refused) = admin
        .page("/demo/admin/privacy?resident_name=&purpose=Brief")
        .await;
    assert_eq!(status, 422);
    assert!(message_beside(&refused, "resident_name").is_some());

    let mut db = w.app.owner_connection().await;
    async fn searches(db: &mut sqlx::PgConnection) -> sqlx::Result<Vec<serde_json::Value>> {
        sqlx::query_scalar(
            "SELECT details FROM audit_events WHERE kind = 'privacy_search' ORDER BY occurred_at",
        )
        .fetch_all(db)
        .await
    }
    assert!(
        searches(&mut db).await.unwrap().is_empty(),
        "a refused search is no search"
    );

    let (status, found) = admin
        .page("/demo/admin/privacy?resident_name=wim+welkoop&purpose=Brief+van+3+december")
        .await;
    assert_eq!(status, 200);
    assert!(found.contains("Wim Welkoop"));
    assert!(found.contains(&format!("href=\"/demo/admin/residents/{}/privacy\"", w.resident)));
    assert!(
        !found.contains(&format!("href=\"/demo/residents/{}\"", w.resident)),
        "for this purpose only: no way into the file"
    );
    assert_eq!(
        searches(&mut db).await.unwrap(),
        [serde_json::json!({ "search": "wim welkoop", "purpose": "Brief van 3 december", "found": 1 })]
    );
    let (_, log) = admin.page("/demo/admin/audit?kind=privacy_search").await;
    assert!(
        strip_tags(&log).contains("Gevonden: 1; Doel: Brief van 3 december; Gezocht op: wim welkoop"),
        "{}",
        strip_tags(&log)
    );

    let desk = w.login("balie@demo.test").await;
    assert_eq!(
        desk.status("/demo/admin/privacy?resident_name=wim&purpose=x")
            .await,
        403
    );
}

impl World {
    /// The resident speaks Dutch, was born on 03-02-1950 and has a child, Sem Welkoop, in the
    /// household: what an access request must show in words.
    pub(crate) async fn with_dutch_resident_and_child(&self) {
        let mut db = self.app.owner_connection().await;
        sqlx::query(
            "UPDATE residents SET preferred_language = 'nl', date_of_birth = date '1950-02-03' WHERE id = $1",
        )
        .bind(self.resident)
        .execute(&mut db)
        .await
        .unwrap();
        sqlx::query(
            "WITH child AS (
                 INSERT INTO residents (tenant_id, first_names, surname, date_of_birth)
                 SELECT tenant_id, 'Sem', 'Welkoop', date '2015-06-07' FROM residents WHERE id = $1 RETURNING tenant_id, id)
             INSERT INTO household_members (tenant_id, resident_id, member_id, relation)
             SELECT tenant_id, $1, id, 'child' FROM child",
        )
        .bind(self.resident)
        .execute(&mut db)
        .await
        .unwrap();
    }
}
