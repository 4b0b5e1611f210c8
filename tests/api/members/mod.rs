//! The member register, the service catalogue and the working groups: administrators keep
//! them, the team reads them, member staff see their own organisation's working groups, and an
//! organisation that has left takes its staff's access with it.
//!
//! This module holds the steps of their forms that the tests share.

mod catalogue;
mod groups;
mod register;
mod rights;
mod staff;

use uuid::Uuid;

use crate::common::pages::last_segment;
use crate::common::users::User;
use crate::common::{TestApp, location};

/// The steps of the register, the catalogue and the working groups.
impl User {
    /// Registers an organisation as a member since 01-01-2020; its id.
    async fn register(&self, name: &str, kind: &str, services: &[&str]) -> String {
        let mut fields = vec![
            ("name", name),
            ("kind", kind),
            ("contact_name", "Els Contact"),
            ("status", "lid"),
            ("effective_on", "01-01-2020"),
        ];
        fields.extend(services.iter().map(|id| ("services", *id)));
        let response = self.post("/demo/members", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        last_segment(location(&response))
    }

    /// Adds a service to the catalogue; its id.
    async fn add_service(&self, name: &str, domains: &[&str], areas: &str) -> String {
        let mut fields = vec![("name", name), ("areas", areas)];
        fields.extend(domains.iter().map(|d| ("domains", *d)));
        let response = self.post("/demo/services", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        let mut db = self.app.owner_connection().await;
        sqlx::query_scalar::<_, Uuid>("SELECT id FROM services WHERE name = $1")
            .bind(name)
            .fetch_one(&mut db)
            .await
            .unwrap()
            .to_string()
    }

    async fn set_status(&self, organisation: &str, status: &str, on: &str) -> (u16, String) {
        self.send(
            &format!("/demo/members/{organisation}/status"),
            &[("status", status), ("effective_on", on), ("note", "")],
        )
        .await
    }

    async fn link(&self, organisation: &str, user: &str) -> (u16, String) {
        self.send(&format!("/demo/members/{organisation}/users"), &[("user", user)])
            .await
    }

    /// Creates a working group with these organisations, coordinated by `coordinator`; its id.
    async fn create_group(&self, topic: &str, coordinator: &str, organisations: &[&str]) -> String {
        let mut fields = vec![
            ("topic", topic),
            ("description", ""),
            ("coordinator", coordinator),
        ];
        fields.extend(organisations.iter().map(|id| ("organisations", *id)));
        let response = self.post("/demo/groups", &fields).await;
        assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
        last_segment(location(&response))
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut db = app.owner_connection().await;
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut db)
        .await
        .unwrap()
}
