//! The journal: corrections as new entries, and attachments checked by content, downloaded
//! and audited.

use sqlx::{ConnectOptions, Connection};

use crate::common::pages::field_error;
use crate::common::users::{Upload, User};
use crate::common::{TestApp, hidden_value};

use super::{anders, give_lead, insert_case, yesterday};

#[tokio::test]
async fn a_journal_correction_is_a_new_entry_and_the_old_one_stays_unchanged() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Journaal", "normal", 2).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let other = insert_case(&mut db, "Anderjournaal", "normal", 2).await;
    let day = yesterday(&app).await;
    give_lead(&mut db, &other, "team@demo.test").await;

    let (status, body) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", &day),
                ("time", "10:00"),
                ("body", " "),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_error(&body, "journal-body").as_deref(),
        Some("Schrijf de notitie.")
    );
    let (status, _) = team
        .journal(
            &case,
            &[
                ("kind", "telefoon"),
                ("date", &day),
                ("time", "10:00"),
                ("body", "Dochter gebeld: zij komt dinsdag."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);
    let old: String = sqlx::query_scalar("SELECT id::text FROM journal_entries WHERE case_id = $1::uuid")
        .bind(&case)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let last_journal: bool = sqlx::query_scalar(
        "SELECT last_journal_at > now() - interval '1 minute' FROM cases WHERE id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert!(last_journal, "the stall monitor sees the lead wrote something");

    let (status, form) = team
        .page(&format!("/demo/cases/{case}/tab/journal?corrects={old}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(hidden_value(&form, "corrects").as_deref(), Some(old.as_str()));
    let (status, _) = team
        .journal(
            &case,
            &[
                ("corrects", &old),
                ("kind", "telefoon"),
                ("date", &day),
                ("time", "10:05"),
                ("body", "Correctie: zij komt woensdag."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 303);
    let entries: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id::text, body, corrects_id::text FROM journal_entries WHERE case_id = $1::uuid ORDER BY created_at",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        (
            entries[0].0.as_str(),
            entries[0].1.as_str(),
            entries[0].2.as_deref()
        ),
        (old.as_str(), "Dochter gebeld: zij komt dinsdag.", None),
        "the old entry is unchanged"
    );
    assert_eq!(entries[1].2.as_deref(), Some(old.as_str()));

    let (_, page) = team.page(&format!("/demo/cases/{case}/tab/journal")).await;
    let old_entry = &page[page.find(&format!("id=\"entry-{old}\"")).unwrap()..];
    let old_entry = &old_entry[..old_entry.find("</li>").unwrap()];
    assert!(old_entry.contains("Gecorrigeerd") && old_entry.contains("Dochter gebeld: zij komt dinsdag."));
    assert!(
        !old_entry.contains("?corrects="),
        "a corrected entry is not corrected twice"
    );
    assert!(page.contains(&format!("href=\"#entry-{old}\">Correctie op een eerdere notitie")));

    // An entry of another case cannot be corrected from here.
    let (status, _) = team
        .journal(
            &other,
            &[
                ("corrects", &old),
                ("kind", "notitie"),
                ("date", &day),
                ("time", "11:00"),
                ("body", "Mis."),
            ],
            &[],
        )
        .await;
    assert_eq!(status, 404);

    // The web role cannot rewrite or remove the journal at all.
    let mut web = app.app.connect().await.unwrap();
    for statement in [
        "UPDATE journal_entries SET body = 'herschreven'",
        "DELETE FROM journal_entries",
    ] {
        let mut tx = web.begin().await.unwrap();
        sqlx::query(
            "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'demo'), true)",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        let refused = sqlx::query(statement).execute(&mut *tx).await;
        assert!(refused.is_err(), "{statement}");
        tx.rollback().await.unwrap();
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM journal_entries")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn journal_attachments_are_accepted_by_content_downloadable_and_audited() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let anna = anders(&app).await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Bijlage", "normal", 2).await;
    let day = yesterday(&app).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let fields = [
        ("kind", "huisbezoek"),
        ("date", &day),
        ("time", "14:00"),
        ("body", "Huisbezoek; brief van de huisarts meegenomen."),
    ];
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

    // Not a PDF or an image, whatever the name or the claimed type says.
    let refused: [Upload<'_>; 3] = [
        (
            "setup.exe",
            "application/octet-stream",
            b"MZ\x90\x00\x03\x00\x00\x00 an executable",
        ),
        (
            "pagina.html",
            "text/html",
            b"<html><script>alert(1)</script></html>",
        ),
        (
            "brief.pdf",
            "application/pdf",
            b"<html><script>alert(1)</script></html>",
        ),
    ];
    for file in refused {
        let (status, body) = team.journal(&case, &fields, &[file]).await;
        assert_eq!(status, 422, "{}", file.0);
        assert_eq!(
            field_error(&body, "journal-attachment").as_deref(),
            Some("Alleen PDF-bestanden en afbeeldingen (PNG, JPEG, GIF, WebP) kunnen worden toegevoegd."),
            "{}",
            file.0
        );
        assert!(
            body.contains("Huisbezoek; brief van de huisarts meegenomen."),
            "what was typed stays"
        );
    }
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM journal_entries")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(entries, 0, "a refused file stores nothing");

    // Without the CSRF token nothing is stored either.
    let (action, _) = team.journal_form(&case).await;
    let (status, _) = team
        .multipart(&action, &fields, &[("brief.pdf", "application/pdf", pdf)])
        .await;
    assert_eq!(status, 403);

    let (status, _) = team
        .journal(&case, &fields, &[("brief huisarts.pdf", "application/pdf", pdf)])
        .await;
    assert_eq!(status, 303);
    let (attachment, content_type, size): (String, String, i32) = sqlx::query_as(
        "SELECT a.id::text, a.content_type, a.size_bytes FROM journal_attachments a
         JOIN journal_entries e ON e.id = a.entry_id WHERE e.case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(
        (content_type.as_str(), size as usize),
        ("application/pdf", pdf.len())
    );
    let download = format!("/demo/cases/{case}/attachments/{attachment}");
    let (_, page) = team.page(&format!("/demo/cases/{case}/tab/journal")).await;
    assert!(page.contains(&format!("href=\"{download}\">brief huisarts.pdf</a>")));

    let response = team.get(&download).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), pdf);
    let viewed: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT actor_id::text, details->>'filename' FROM audit_events
         WHERE kind = 'attachment_viewed' AND case_id = $1::uuid",
    )
    .bind(&case)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(
        viewed,
        [(team.id.to_string(), Some("brief huisarts.pdf".to_owned()))]
    );

    // Someone who may not see the case cannot fetch its files either.
    assert_eq!(anna.get(&download).await.status(), 403);
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    assert_eq!(desk.get(&download).await.status(), 403);
}

#[tokio::test]
async fn the_journal_upload_carries_its_csrf_token_in_the_form_never_in_the_address() {
    let app = TestApp::spawn().await;
    let team = User::login(&app, "demo", "team@demo.test").await;
    let mut db = app.owner_connection().await;
    let case = insert_case(&mut db, "Adresregel", "normal", 2).await;
    give_lead(&mut db, &case, "team@demo.test").await;
    let day = yesterday(&app).await;

    // The address the form posts to holds no token (it would end up in logs and `Referer`).
    let (action, token) = team.journal_form(&case).await;
    assert_eq!(action, format!("/demo/cases/{case}/journal/entries"));
    assert_eq!(token, team.token);

    let fields = [
        ("kind", "notitie"),
        ("date", day.as_str()),
        ("time", "10:00"),
        ("body", "Gebeld met de huisarts."),
    ];
    let wrong = "x".repeat(token.len());
    let late: Vec<(&str, &str)> = fields
        .iter()
        .copied()
        .chain([("csrf_token", token.as_str())])
        .collect();
    let first = |token| {
        let mut form = vec![("csrf_token", token)];
        form.extend_from_slice(&fields);
        form
    };
    // Refused: no token, the token only in the address, a wrong one, or one after the fields.
    for (path, form) in [
        (action.clone(), fields.to_vec()),
        (format!("{action}?csrf_token={token}"), fields.to_vec()),
        (action.clone(), first(wrong.as_str())),
        (action.clone(), late),
    ] {
        let (status, _) = team.multipart(&path, &form, &[]).await;
        assert_eq!(status, 403, "{path} {form:?}");
    }
    let count = || async {
        let mut db = app.owner_connection().await;
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM journal_entries")
            .fetch_one(&mut db)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0, "nothing refused is stored");

    // The token as the form's first field: stored.
    let (status, body) = team.multipart(&action, &first(token.as_str()), &[]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(count().await, 1);
}
