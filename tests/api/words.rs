//! Words that say what they mean (issue 21): the navigation, the desk, the language anonymous
//! pages are shown in, and a desk search turned into a new resident's fields.

use crate::common::users::User;
use crate::common::{TestApp, field_value};

async fn page_with_browser_language(app: &TestApp, path: &str, language: &str) -> String {
    let response = app
        .client
        .get(app.url(path))
        .header("accept-language", language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn in_app_notifications_are_messages_not_requests_and_the_desk_says_what_runs_out() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let (status, page) = desk.page("/demo/desk").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Termijnen die binnenkort verlopen of al verlopen zijn"),
        "{page}"
    );
    let start = page
        .find(r#"<a href="/demo/notifications""#)
        .expect("the navigation links the messages");
    let item = &page[start..start + page[start..].find("</a>").unwrap()];
    assert!(
        item.contains("Berichten") && !item.contains("Meldingen"),
        "{item}"
    );

    let (_, page) = desk.page("/demo/notifications").await;
    assert!(page.contains("<title>Berichten"), "{page}");
    assert!(page.contains("<h1>Berichten</h1>"), "{page}");
}

#[tokio::test]
async fn anonymous_pages_follow_the_cooperatives_language_before_the_browsers() {
    let app = TestApp::spawn().await;
    let anonymous = ["/demo/login", "/demo/hulpvraag", "/demo/password-forgotten"];
    for path in anonymous {
        let body = page_with_browser_language(&app, path, "en-GB,en;q=0.9").await;
        assert!(body.contains(r#"<html lang="nl">"#), "{path}: {body}");
    }
    let login = page_with_browser_language(&app, "/demo/login", "en").await;
    assert!(login.contains("E-mailadres"), "{login}");

    let mut db = app.owner_connection().await;
    sqlx::query("UPDATE tenants SET default_language = 'en' WHERE slug = 'demo'")
        .execute(&mut db)
        .await
        .unwrap();
    for path in anonymous {
        let body = page_with_browser_language(&app, path, "nl").await;
        assert!(body.contains(r#"<html lang="en">"#), "{path}: {body}");
    }
    let login = page_with_browser_language(&app, "/demo/login", "nl").await;
    assert!(login.contains("Email address"), "{login}");
}

#[tokio::test]
async fn a_new_resident_from_a_search_gets_the_search_text_spread_over_the_fields() {
    let app = TestApp::spawn().await;
    let desk = User::login(&app, "demo", "balie@demo.test").await;
    let form = |q: &str| {
        let desk = &desk;
        let path = format!("/demo/residents/new?q={}", q.replace(' ', "+"));
        async move {
            let (status, page) = desk.page(&path).await;
            assert_eq!(status, 200, "{path}");
            page
        }
    };
    let value = |page: &str, id: &str| field_value(page, id).unwrap_or_default();

    let page = form("Jan de Vries").await;
    assert_eq!(value(&page, "first_names"), "Jan", "{page}");
    assert_eq!(value(&page, "surname_prefix"), "de");
    assert_eq!(value(&page, "surname"), "Vries");

    let page = form("de Vries 3931AB 12 5-3-1950").await;
    assert_eq!(value(&page, "surname_prefix"), "de");
    assert_eq!(value(&page, "surname"), "Vries");
    assert_eq!(value(&page, "postcode"), "3931 AB");
    assert_eq!(value(&page, "house_number"), "12");
    assert_eq!(value(&page, "date_of_birth"), "05-03-1950");

    let page = form("123456782").await;
    assert_eq!(value(&page, "bsn"), "123456782");
    assert_eq!(value(&page, "surname"), "");
}
