//! Who looked at a resident's file: every view and change of it in the audit log, newest
//! first — when, who (the name of the cooperative's own staff; for staff of a member
//! organisation the organisation), in which role, what, and the reason given where one was.
//! The desk prints it for a resident who asks.

use serde_json::Value;
use uuid::Uuid;

use crate::audit::{AuditKind, describe};
use crate::db::TenantTx;
use crate::web::i18n::Lang;

pub const PAGE_SIZE: i64 = 50;

/// One look at (or change of) the file.
pub struct FileView {
    pub at: String,
    /// The person, for the cooperative's own staff.
    pub person: Option<String>,
    /// The member organisation, for its staff.
    pub organisation: Option<String>,
    pub roles: Vec<String>,
    pub kind: String,
    pub details: Value,
}

impl FileView {
    /// Who looked, as the resident reads it.
    pub fn who(&self) -> String {
        self.organisation
            .clone()
            .or_else(|| self.person.clone())
            .unwrap_or_default()
    }

    /// The role they looked in (the first of theirs), as a catalogue key.
    pub fn role_key(&self) -> Option<String> {
        self.roles.first().map(|r| format!("role.{r}"))
    }

    pub fn kind_key(&self) -> String {
        AuditKind::parse(&self.kind).map_or_else(|| format!("audit.kind.{}", self.kind), AuditKind::label_key)
    }

    /// The reason stated for the look ("inzage met reden"), where there was one.
    pub fn reason(&self) -> Option<&str> {
        self.details
            .get("reason")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
    }

    /// What else the event says, in words.
    pub fn details_text(&self, lang: Lang) -> String {
        describe(&self.details, lang)
    }
}

/// A page of the looks at resident `resident_id`'s file (one more than a page tells a next),
/// leaving out the resident's own on their own pages and those of `viewer` (a parent on a
/// child's pages). Who looked is told in the roles and organisation stored with the event, or
/// for events from before those were stored, the user's.
pub async fn list(
    tx: &mut TenantTx,
    resident_id: Uuid,
    viewer: Option<Uuid>,
    page: i64,
) -> sqlx::Result<Vec<FileView>> {
    let viewer = viewer.unwrap_or(resident_id);
    sqlx::query_as!(
        FileView,
        r#"SELECT to_char(local_time(a.occurred_at), 'DD-MM-YYYY HH24:MI') AS "at!",
                  CASE WHEN o.id IS NULL THEN a.actor_name END AS person,
                  o.name AS "organisation?",
                  a.roles AS "roles!",
                  a.kind, audit_named_details($1, a.details) AS "details!"
           FROM (SELECT e.*, CASE WHEN cardinality(e.actor_roles) > 0 THEN e.actor_roles
                                  ELSE coalesce(u.roles, '{}') END AS roles,
                        coalesce(e.actor_organisation_id, u.organisation_id) AS organisation_id
                 FROM (SELECT * FROM audit_events
                       WHERE tenant_id = $1 AND resident_id = $2
                         AND actor_resident_id IS DISTINCT FROM $2 AND actor_resident_id IS DISTINCT FROM $5
                       ORDER BY occurred_at DESC, id DESC
                       LIMIT $3 OFFSET $4) e
                 LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id) a
           LEFT JOIN organisations o ON o.tenant_id = a.tenant_id AND o.id = a.organisation_id
                                     AND 'member' = ANY (a.roles)
           ORDER BY a.occurred_at DESC, a.id DESC"#,
        tx.tenant_id(),
        resident_id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
        viewer
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn count(tx: &mut TenantTx, resident_id: Uuid, viewer: Option<Uuid>) -> sqlx::Result<i64> {
    let viewer = viewer.unwrap_or(resident_id);
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM (SELECT 1 FROM audit_events
                                          WHERE tenant_id = $1 AND resident_id = $2
                                            AND actor_resident_id IS DISTINCT FROM $2
                                            AND actor_resident_id IS DISTINCT FROM $4
                                          LIMIT $3) x"#,
        tx.tenant_id(),
        resident_id,
        crate::web::pagination::COUNT_LIMIT + 1,
        viewer
    )
    .fetch_one(&mut **tx)
    .await
}

/// The resident's name, for the page's heading; none for an unknown or foreign id.
pub async fn resident_name(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"SELECT concat_ws(' ', nullif(coalesce(nullif(first_names, ''), initials), ''), nullif(surname_prefix, ''),
                            surname) AS "name!"
           FROM residents WHERE tenant_id = $1 AND id = $2"#,
        tx.tenant_id(),
        resident_id
    )
    .fetch_optional(&mut **tx)
    .await
}
