//! Hostile and careless text (issue 20, points 4 and 5): a control character or an over-long
//! value in a form gives 422 with the message beside the field and stores nothing; in a
//! search it gives 422, never 500; every column people can write has a length constraint.
//!
//! This module holds the harness the form tables share: a form with a valid filling and
//! the text fields to spoil one at a time.

mod constraints;
mod forms_assembly;
mod forms_cases;
mod forms_desk;
mod forms_finance;
mod forms_members;
mod queries;

use sqlx::Row;

use crate::common::TestApp;
use crate::common::users::User;

/// What stands beside a field with a forbidden character.
const CONTROL_MESSAGE: &str = "Dit veld bevat tekens die hier niet zijn toegestaan";
/// The start of what stands beside a field with too long a text.
const TOO_LONG_MESSAGE: &str = "Gebruik hier hoogstens";

/// A form to spoil: where it is posted, a valid filling, and its text fields, each with the
/// id of the element its message stands in (`{id}-error`).
pub struct Form {
    pub name: &'static str,
    pub path: String,
    pub fields: Vec<(&'static str, String)>,
    pub texts: Vec<(&'static str, String)>,
    /// Sent as multipart/form-data (the journal), the CSRF token as one of its fields.
    pub multipart: bool,
}

impl Form {
    pub fn new(name: &'static str, path: impl Into<String>, fields: &[(&'static str, &str)]) -> Form {
        Form {
            name,
            path: path.into(),
            fields: fields.iter().map(|(n, v)| (*n, v.to_string())).collect(),
            texts: Vec::new(),
            multipart: false,
        }
    }

    /// Text fields whose message stands beside the element with the field's own name as id
    /// (or ending in `-{name}`).
    pub fn texts(mut self, names: &[&'static str]) -> Form {
        self.texts
            .extend(names.iter().map(|name| (*name, name.to_string())));
        self
    }

    /// A text field whose message stands beside the element with id `id`.
    pub fn text_at(mut self, name: &'static str, id: impl Into<String>) -> Form {
        self.texts.push((name, id.into()));
        self
    }

    /// The valid filling with `name` set to `value`.
    fn with(&self, name: &'static str, value: &str) -> Vec<(&'static str, String)> {
        let mut fields: Vec<(&'static str, String)> =
            self.fields.iter().filter(|(n, _)| *n != name).cloned().collect();
        fields.push((name, value.to_owned()));
        fields
    }
}

/// Posts `form` with each of its text fields spoiled in turn: a NUL byte, an escape character,
/// 100,000 characters. Each answer must be 422 with the message beside the field (and what
/// was typed, without the forbidden character, shown again); nothing may be stored.
pub async fn refuses_spoiled_texts(user: &User, form: &Form) {
    let before = snapshot(&user.app).await;
    let long = "x".repeat(100_000);
    for (field, id) in &form.texts {
        let tries = [
            ("a NUL byte", "Proef\0zin", CONTROL_MESSAGE),
            ("an escape character", "Proef\u{1b}zin", CONTROL_MESSAGE),
            ("100,000 characters", long.as_str(), TOO_LONG_MESSAGE),
        ];
        for (what, value, message) in tries {
            let fields = form.with(field, value);
            let (status, body) = post(user, form, &fields).await;
            let excerpt: String = body.chars().take(600).collect();
            assert_eq!(
                status, 422,
                "{}: {field} with {what} must be refused: {excerpt}",
                form.name
            );
            let beside = message_beside(&body, id)
                .unwrap_or_else(|| panic!("{}: no message beside {field} ({id}) for {what}", form.name));
            assert!(
                beside.starts_with(message),
                "{}: beside {field} for {what}: {beside}",
                form.name
            );
            if message == CONTROL_MESSAGE {
                assert!(
                    body.contains("Proefzin"),
                    "{}: {field} is shown again as typed, without the forbidden character",
                    form.name
                );
                assert!(!body.contains('\0') && !body.contains('\u{1b}'), "{}", form.name);
            }
        }
    }
    assert_eq!(
        before,
        snapshot(&user.app).await,
        "{}: a refused form stores nothing",
        form.name
    );
}

async fn post(user: &User, form: &Form, fields: &[(&str, String)]) -> (u16, String) {
    let mut pairs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if form.multipart {
        // The CSRF check reads an upload's token from its first field, as the page sends it.
        pairs.insert(0, ("csrf_token", &user.token));
        user.multipart(&form.path, &pairs, &[]).await
    } else {
        user.send(&form.path, &pairs).await
    }
}

/// The message in the error paragraph with id `{id}-error` (or ending in `-{id}-error`).
pub fn message_beside(html: &str, id: &str) -> Option<String> {
    html.split("class=\"field__error\" id=\"")
        .skip(1)
        .find_map(|part| {
            let (found, rest) = part.split_once('"')?;
            let name = found.strip_suffix("-error")?;
            if name != id && !name.ends_with(&format!("-{id}")) {
                return None;
            }
            let inner = &rest[rest.find('>')? + 1..rest.find("</p>")?];
            Some(inner.rsplit("</span>").next().unwrap_or(inner).trim().to_owned())
        })
}

/// A fingerprint of every table people's actions write to (not sessions, the audit log or
/// kept figures, which a page view may touch).
pub async fn snapshot(app: &TestApp) -> Vec<(String, String)> {
    let mut db = app.owner_connection().await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'
           AND tablename NOT IN ('sessions', 'audit_events', 'login_throttles', 'known_devices', 'kept_figures', '_sqlx_migrations')
         ORDER BY 1",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut prints = Vec::new();
    for table in tables {
        let sql =
            format!("SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{table}\" x");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut db)
            .await
            .unwrap();
        prints.push((table, row.get::<String, _>(0)));
    }
    prints
}

/// The demo cooperative with its history: member organisations, services, working groups,
/// meetings held and their decisions.
pub async fn app_with_history() -> TestApp {
    let app = TestApp::spawn().await;
    let owner = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(app.owner.clone())
        .await
        .unwrap();
    schakel::demo::load_history(&owner).await.unwrap();
    owner.close().await;
    app
}

/// A date `days` from today as the forms take it (dd-mm-yyyy).
pub async fn date_in(app: &TestApp, days: i64) -> String {
    let today = crate::common::records::today(app).await;
    crate::common::pages::nl(today + time::Duration::days(days))
}
