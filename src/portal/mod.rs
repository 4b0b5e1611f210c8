//! A resident's own pages (`/{tenant}/mijn`): their requests and what became of each, their
//! lead and how to reach them, their support plan in each agreed version with a button to agree,
//! the referrals made for them, their consents (to withdraw), a message to their lead, who looked
//! at their file, and their data to download. Signing in is `auth::residents`; every page is read
//! for the resident whose pages the session shows, and every read and change is audited.

mod file;
mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::auth::residents::CurrentResident;
use crate::web::layout::{NavItem, ResidentBar};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/mijn", get(pages::overview))
        .route("/{tenant}/mijn/plan", get(pages::plan))
        .route("/{tenant}/mijn/plan/akkoord", post(pages::agree))
        .route(
            "/{tenant}/mijn/toestemmingen/{id}/intrekken",
            post(pages::withdraw_consent),
        )
        .route(
            "/{tenant}/mijn/bericht",
            get(pages::message_form).post(pages::send_message),
        )
        .route("/{tenant}/mijn/inzage", get(pages::who_looked))
        .route("/{tenant}/mijn/gegevens", get(pages::data))
        .route("/{tenant}/mijn/gegevens.json", get(pages::download))
        .route("/{tenant}/mijn/wie", post(pages::switch_pages))
}

/// The resident's pages, in the order the bar shows them.
const PAGES: &[(&str, &str)] = &[
    ("", "mijn.nav.overview"),
    ("/plan", "mijn.nav.plan"),
    ("/bericht", "mijn.nav.message"),
    ("/inzage", "mijn.nav.who_looked"),
    ("/gegevens", "mijn.nav.data"),
];

/// The bar above every page: who is signed in, whose pages, where to go.
fn bar(slug: &str, me: &CurrentResident, path: &str, switch_to: Vec<(uuid::Uuid, String)>) -> ResidentBar {
    ResidentBar {
        name: me.self_name.clone(),
        pages_of: me.on_behalf().then(|| me.resident_name.clone()),
        nav: PAGES
            .iter()
            .map(|(page, label_key)| {
                let href = format!("/{slug}/mijn{page}");
                NavItem {
                    current: path == href,
                    href,
                    label_key,
                    count: None,
                }
            })
            .collect(),
        switch_to,
    }
}
