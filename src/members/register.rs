//! The register of member organisations: their details and services, their membership status
//! with its history, and the staff (users with role `member`) who work for them.

use time::Date;
use uuid::Uuid;

use crate::auth::users::Email;
use crate::db::TenantTx;
use crate::error::ResultExt;
use crate::members::services::ServiceOption;
use crate::members::{MemberStatus, NameTaken, OrganisationKind};
use crate::shared::format::format_date;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 25;

/// A row of the register's list.
pub struct OrganisationRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub contact_name: String,
    pub member_since: Option<Date>,
}

impl OrganisationRow {
    pub fn kind_key(&self) -> String {
        kind_key(&self.kind)
    }

    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn member_since(&self) -> String {
        self.member_since.map(format_date).unwrap_or_default()
    }
}

fn kind_key(code: &str) -> String {
    OrganisationKind::parse(code)
        .map(OrganisationKind::label_key)
        .unwrap_or_default()
}

fn status_key(code: &str) -> String {
    MemberStatus::parse(code)
        .map(MemberStatus::label_key)
        .unwrap_or_default()
}

/// A page of the register by name; one row more than a page tells whether there is a next.
/// `search` matches the organisation's name and its contact person.
pub async fn list(
    tx: &mut TenantTx,
    search: &str,
    status: Option<MemberStatus>,
    page: i64,
) -> sqlx::Result<Vec<OrganisationRow>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_as!(
        OrganisationRow,
        "SELECT id, name, kind, status, contact_name, member_since
         FROM organisations
         WHERE tenant_id = $1
           AND (lower(name) LIKE $2 OR lower(contact_name) LIKE $2)
           AND ($3::text IS NULL OR status = $3)
         ORDER BY lower(name), id
         LIMIT $4 OFFSET $5",
        tx.tenant_id(),
        pattern,
        status.map(MemberStatus::code),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many organisations [`list`] finds in all.
pub async fn count(tx: &mut TenantTx, search: &str, status: Option<MemberStatus>) -> sqlx::Result<i64> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM organisations WHERE tenant_id = $1
           AND (lower(name) LIKE $2 OR lower(contact_name) LIKE $2) AND ($3::text IS NULL OR status = $3)"#,
        tx.tenant_id(),
        pattern,
        status.map(MemberStatus::code),
    )
    .fetch_one(&mut **tx)
    .await
}

/// One member organisation as its page shows it.
pub struct Organisation {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub status: String,
    pub status_since: Date,
    pub member_since: Option<Date>,
    pub lock_version: i32,
}

impl Organisation {
    pub fn kind_key(&self) -> String {
        kind_key(&self.kind)
    }

    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn status_since(&self) -> String {
        format_date(self.status_since)
    }

    pub fn member_since(&self) -> String {
        self.member_since.map(format_date).unwrap_or_default()
    }

    pub fn has_left(&self) -> bool {
        MemberStatus::parse(&self.status).is_some_and(|s| !s.is_current())
    }
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Organisation>> {
    sqlx::query_as!(
        Organisation,
        "SELECT id, name, kind, description, contact_name, contact_email, contact_phone, status, status_since,
                member_since, lock_version
         FROM organisations
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// An organisation's details as typed in the form, kept as typed for re-display.
#[derive(Debug, Default, Clone)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: String,
    pub description: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// The ids of the services ticked.
    pub services: Vec<String>,
}

/// The same details, checked.
pub struct OrganisationDetails {
    pub name: String,
    pub kind: OrganisationKind,
    pub description: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub services: Vec<Uuid>,
}

impl OrganisationInput {
    pub fn from_fields(fields: &Fields) -> OrganisationInput {
        let get = |name: &str| fields.get(name).trim().to_owned();
        OrganisationInput {
            name: get("name"),
            kind: get("kind"),
            description: get("description"),
            contact_name: get("contact_name"),
            contact_email: get("contact_email"),
            contact_phone: get("contact_phone"),
            services: fields.get_all("services").map(str::to_owned).collect(),
        }
    }

    /// The form filled in with what is stored.
    pub fn from_organisation(organisation: &Organisation, services: &[ServiceOption]) -> OrganisationInput {
        OrganisationInput {
            name: organisation.name.clone(),
            kind: organisation.kind.clone(),
            description: organisation.description.clone(),
            contact_name: organisation.contact_name.clone(),
            contact_email: organisation.contact_email.clone(),
            contact_phone: organisation.contact_phone.clone(),
            services: services.iter().map(|s| s.id.to_string()).collect(),
        }
    }

    pub fn offers(&self, service: &Uuid) -> bool {
        let id = service.to_string();
        self.services.contains(&id)
    }

    /// Checks every field; the services must come from this cooperative's `catalogue`.
    pub fn validate(
        &self,
        catalogue: &[ServiceOption],
        errors: &mut FormErrors,
    ) -> Option<OrganisationDetails> {
        if self.name.is_empty() {
            errors.field("name", "organisation.error.name");
        }
        let kind = OrganisationKind::parse(&self.kind);
        if kind.is_none() {
            errors.field("kind", "organisation.error.kind");
        }
        let contact_email = if self.contact_email.is_empty() {
            Some(String::new())
        } else {
            Email::parse(&self.contact_email).map(|e| e.as_str().to_owned())
        };
        if contact_email.is_none() {
            errors.field("contact_email", "organisation.error.contact_email");
        }
        let mut services = Vec::new();
        for raw in &self.services {
            match catalogue.iter().find(|s| s.id.to_string() == *raw) {
                Some(service) if !services.contains(&service.id) => services.push(service.id),
                Some(_) => {}
                None => {
                    errors.field("services", "organisation.error.services");
                    break;
                }
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(OrganisationDetails {
            name: self.name.clone(),
            kind: kind?,
            description: self.description.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: contact_email?,
            contact_phone: self.contact_phone.clone(),
            services,
        })
    }
}

impl OrganisationDetails {
    /// The names of the fields that differ from what is stored, for the audit log.
    pub fn changes_from(&self, old: &Organisation, old_services: &[ServiceOption]) -> Vec<&'static str> {
        let mut old_ids: Vec<Uuid> = old_services.iter().map(|s| s.id).collect();
        let mut new_ids = self.services.clone();
        old_ids.sort();
        new_ids.sort();
        [
            ("name", self.name != old.name),
            ("kind", self.kind.code() != old.kind),
            ("description", self.description != old.description),
            ("contact_name", self.contact_name != old.contact_name),
            ("contact_email", self.contact_email != old.contact_email),
            ("contact_phone", self.contact_phone != old.contact_phone),
            ("services", old_ids != new_ids),
        ]
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect()
    }
}

/// A change of membership status as typed: the new status, from when, and why.
#[derive(Debug, Default, Clone)]
pub struct StatusInput {
    pub status: String,
    pub effective_on: String,
    pub note: String,
}

pub struct StatusChange {
    pub status: MemberStatus,
    pub effective_on: Date,
    pub note: String,
}

impl StatusInput {
    pub fn from_fields(fields: &Fields) -> StatusInput {
        StatusInput {
            status: fields.get("status").trim().to_owned(),
            effective_on: fields.get("effective_on").trim().to_owned(),
            note: fields.get("note").trim().to_owned(),
        }
    }

    /// A new form: from today.
    pub fn starting(today: Date) -> StatusInput {
        StatusInput {
            effective_on: format_date(today),
            ..StatusInput::default()
        }
    }

    /// Checks the fields. The register records what holds, so a status cannot start in the
    /// future; it is recorded on the day it takes effect.
    pub fn validate(&self, today: Date, errors: &mut FormErrors) -> Option<StatusChange> {
        let status = MemberStatus::parse(&self.status);
        if status.is_none() {
            errors.field("status", "organisation.error.status");
        }
        let effective_on = match parse_date(&self.effective_on) {
            Some(date) if date > today => {
                errors.field("effective_on", "organisation.error.future_date");
                None
            }
            Some(date) if date.year() < 1900 => {
                errors.field("effective_on", "organisation.error.date");
                None
            }
            Some(date) => Some(date),
            None => {
                errors.field("effective_on", "organisation.error.date");
                None
            }
        };
        let (status, effective_on) = (status?, effective_on?);
        errors.is_empty().then(|| StatusChange {
            status,
            effective_on,
            note: self.note.clone(),
        })
    }

    /// Checks a new organisation's first status: aspirant or member, from a date.
    pub fn validate_initial(&self, today: Date, errors: &mut FormErrors) -> Option<StatusChange> {
        // A suspension follows a membership; it cannot be where an organisation starts.
        let refused = MemberStatus::parse(&self.status)
            .is_some_and(|s| !matches!(s, MemberStatus::Aspirant | MemberStatus::Member));
        if refused {
            errors.field("status", "organisation.error.initial_status");
        }
        let change = self.validate(today, errors)?;
        (!refused).then_some(change)
    }
}

/// Adds an organisation with its first status and its services. Becoming a member
/// (`lid`) sets the date it became one.
pub async fn create(
    tx: &mut TenantTx,
    details: &OrganisationDetails,
    initial: &StatusChange,
    by: Option<Uuid>,
) -> sqlx::Result<Result<Uuid, NameTaken>> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO organisations
             (tenant_id, name, kind, description, contact_name, contact_email, contact_phone, status,
              status_since, member_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 = 'lid' THEN $9::date END)
         RETURNING id",
        tx.tenant_id(),
        details.name,
        details.kind.code(),
        details.description,
        details.contact_name,
        details.contact_email,
        details.contact_phone,
        initial.status.code(),
        initial.effective_on,
    )
    .fetch_one(&mut **tx)
    .await
    .on_constraint("organisations_name", || NameTaken)?;
    let Ok(id) = inserted else {
        return Ok(Err(NameTaken));
    };
    record_status(tx, id, initial, by).await?;
    set_services(tx, id, &details.services).await?;
    Ok(Ok(id))
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateError {
    /// Someone else saved the organisation since the form was opened.
    Conflict,
    NameTaken,
}

/// Saves new details if the organisation is still at `version` (the one the form started from).
pub async fn update(
    tx: &mut TenantTx,
    organisation: &Organisation,
    version: i32,
    details: &OrganisationDetails,
) -> sqlx::Result<Result<(), UpdateError>> {
    if version != organisation.lock_version {
        return Ok(Err(UpdateError::Conflict));
    }
    let id = organisation.id;
    let updated = sqlx::query!(
        "UPDATE organisations
         SET name = $4, kind = $5, description = $6, contact_name = $7, contact_email = $8, contact_phone = $9,
             lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3",
        tx.tenant_id(),
        id,
        version,
        details.name,
        details.kind.code(),
        details.description,
        details.contact_name,
        details.contact_email,
        details.contact_phone,
    )
    .execute(&mut **tx)
    .await
    .on_constraint("organisations_name", || UpdateError::NameTaken)?;
    match updated {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return Ok(Err(UpdateError::Conflict)),
        Err(error) => return Ok(Err(error)),
    }
    set_services(tx, id, &details.services).await?;
    Ok(Ok(()))
}

/// Makes the organisation offer exactly `services`.
async fn set_services(tx: &mut TenantTx, id: Uuid, services: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM organisation_services
         WHERE tenant_id = $1 AND organisation_id = $2 AND NOT (service_id = ANY ($3))",
        tx.tenant_id(),
        id,
        services
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO organisation_services (tenant_id, organisation_id, service_id)
         SELECT $1, $2, s.id FROM services s WHERE s.tenant_id = $1 AND s.id = ANY ($3)
         ON CONFLICT DO NOTHING",
        tx.tenant_id(),
        id,
        services
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The services an organisation offers, by name.
pub async fn services_of(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<ServiceOption>> {
    sqlx::query_as!(
        ServiceOption,
        "SELECT s.id, s.name
         FROM organisation_services os
         JOIN services s ON s.tenant_id = os.tenant_id AND s.id = os.service_id
         WHERE os.tenant_id = $1 AND os.organisation_id = $2
         ORDER BY lower(s.name)",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, PartialEq, Eq)]
pub enum StatusError {
    /// The organisation already has this status.
    Unchanged,
    /// A change cannot take effect before the current status did: the history stays in order.
    BeforeCurrent,
    /// Someone else changed the status since the page was opened.
    Conflict,
}

impl StatusChange {
    /// Whether the change can follow the organisation's current status: it must be another
    /// status, and it cannot take effect before the current one did.
    fn follows(&self, current: &str, since: Date) -> Result<(), StatusError> {
        if self.status.code() == current {
            Err(StatusError::Unchanged)
        } else if self.effective_on < since {
            Err(StatusError::BeforeCurrent)
        } else {
            Ok(())
        }
    }
}

/// Gives the organisation a new status from a date and adds it to the history. Becoming a
/// member for the first time sets `member_since`; leaving ends its staff's sessions at once.
pub async fn change_status(
    tx: &mut TenantTx,
    organisation: &Organisation,
    change: &StatusChange,
    by: Option<Uuid>,
) -> sqlx::Result<Result<(), StatusError>> {
    if let Err(refused) = change.follows(&organisation.status, organisation.status_since) {
        return Ok(Err(refused));
    }
    let updated = sqlx::query!(
        "UPDATE organisations
         SET status = $4, status_since = $5,
             member_since = COALESCE(member_since, CASE WHEN $4 = 'lid' THEN $5::date END)
         WHERE tenant_id = $1 AND id = $2 AND status = $3",
        tx.tenant_id(),
        organisation.id,
        organisation.status,
        change.status.code(),
        change.effective_on,
    )
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(Err(StatusError::Conflict));
    }
    record_status(tx, organisation.id, change, by).await?;
    if !change.status.is_current() {
        sqlx::query!(
            "DELETE FROM sessions s USING users u
             WHERE s.tenant_id = $1 AND u.tenant_id = s.tenant_id AND u.id = s.user_id AND u.organisation_id = $2",
            tx.tenant_id(),
            organisation.id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(Ok(()))
}

async fn record_status(
    tx: &mut TenantTx,
    organisation_id: Uuid,
    change: &StatusChange,
    by: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO organisation_statuses (tenant_id, organisation_id, status, effective_on, note, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        tx.tenant_id(),
        organisation_id,
        change.status.code(),
        change.effective_on,
        change.note,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One step of an organisation's membership history.
pub struct StatusEntry {
    pub status: String,
    pub effective_on: Date,
    pub note: String,
    pub recorded_by: Option<String>,
}

impl StatusEntry {
    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn effective_on(&self) -> String {
        format_date(self.effective_on)
    }
}

/// The membership history, latest first.
pub async fn status_history(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<StatusEntry>> {
    sqlx::query_as!(
        StatusEntry,
        r#"SELECT s.status, s.effective_on, s.note, u.name AS "recorded_by?"
           FROM organisation_statuses s
           LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.recorded_by
           WHERE s.tenant_id = $1 AND s.organisation_id = $2
           ORDER BY s.effective_on DESC, s.recorded_at DESC"#,
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A user who works (or may come to work) for a member organisation.
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub active: bool,
}

/// The users linked to an organisation.
pub async fn staff(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<StaffMember>> {
    sqlx::query_as!(
        StaffMember,
        "SELECT id, name, email, active FROM users
         WHERE tenant_id = $1 AND organisation_id = $2
         ORDER BY lower(name), id",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Active users with role `member` not yet linked to any organisation.
pub async fn link_candidates(tx: &mut TenantTx) -> sqlx::Result<Vec<StaffMember>> {
    sqlx::query_as!(
        StaffMember,
        "SELECT id, name, email, active FROM users
         WHERE tenant_id = $1 AND organisation_id IS NULL AND active AND 'member' = ANY (roles)
         ORDER BY lower(name), id
         LIMIT 500",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    /// No such user in this cooperative.
    UnknownUser,
    /// Only staff of member organisations (role `member`) belong to one.
    NotMemberStaff,
    /// The user already works for an organisation (this one or another).
    AlreadyLinked,
    /// An organisation that has left takes on no staff: they could not log in.
    OrganisationLeft,
}

/// Links a user with role `member` to the organisation; from their next request they work
/// for it.
pub async fn link_user(
    tx: &mut TenantTx,
    organisation: &Organisation,
    user_id: Uuid,
) -> sqlx::Result<Result<StaffMember, LinkError>> {
    if organisation.has_left() {
        return Ok(Err(LinkError::OrganisationLeft));
    }
    let user = sqlx::query!(
        r#"SELECT id, name, email, active, 'member' = ANY (roles) AS "is_member!", organisation_id
           FROM users WHERE tenant_id = $1 AND id = $2
           FOR UPDATE"#,
        tx.tenant_id(),
        user_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(user) = user else {
        return Ok(Err(LinkError::UnknownUser));
    };
    if !user.is_member {
        return Ok(Err(LinkError::NotMemberStaff));
    }
    if user.organisation_id.is_some() {
        return Ok(Err(LinkError::AlreadyLinked));
    }
    sqlx::query!(
        "UPDATE users SET organisation_id = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        user_id,
        organisation.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(StaffMember {
        id: user.id,
        name: user.name,
        email: user.email,
        active: user.active,
    }))
}

/// Unlinks a user from the organisation; `None` when they were not linked to it.
pub async fn unlink_user(
    tx: &mut TenantTx,
    organisation_id: Uuid,
    user_id: Uuid,
) -> sqlx::Result<Option<StaffMember>> {
    sqlx::query_as!(
        StaffMember,
        "UPDATE users SET organisation_id = NULL
         WHERE tenant_id = $1 AND id = $2 AND organisation_id = $3
         RETURNING id, name, email, active",
        tx.tenant_id(),
        user_id,
        organisation_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// An organisation to choose, e.g. for a working group.
pub struct OrganisationOption {
    pub id: Uuid,
    pub name: String,
}

/// The current organisations (aspirant or member) by name, and those in `including` whatever
/// their status (so that a form does not silently drop an organisation that has left).
pub async fn choices(tx: &mut TenantTx, including: &[Uuid]) -> sqlx::Result<Vec<OrganisationOption>> {
    sqlx::query_as!(
        OrganisationOption,
        "SELECT id, name FROM organisations
         WHERE tenant_id = $1 AND (status IN ('aspirant', 'lid') OR id = ANY ($2))
         ORDER BY lower(name), id",
        tx.tenant_id(),
        including
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2025 - 03 - 12);

    fn typed(status: &str, effective_on: &str) -> StatusInput {
        StatusInput {
            status: status.into(),
            effective_on: effective_on.into(),
            note: "Besluit ALV".into(),
        }
    }

    #[test]
    fn a_status_follows_another_status_from_the_day_the_current_one_began() {
        let since = date!(2024 - 06 - 01);
        let change = |status, effective_on| StatusChange {
            status,
            effective_on,
            note: String::new(),
        };
        let refused = change(MemberStatus::Member, TODAY).follows("lid", since);
        assert_eq!(refused, Err(StatusError::Unchanged));
        let refused = change(MemberStatus::Resigned, date!(2024 - 05 - 31)).follows("lid", since);
        assert_eq!(refused, Err(StatusError::BeforeCurrent));
        assert_eq!(
            change(MemberStatus::Resigned, since).follows("lid", since),
            Ok(())
        );
        assert_eq!(
            change(MemberStatus::Expelled, TODAY).follows("geschorst", since),
            Ok(())
        );
    }

    #[test]
    fn a_status_takes_effect_today_or_earlier() {
        let mut errors = FormErrors::default();
        let change = typed("opgezegd", "12-03-2025")
            .validate(TODAY, &mut errors)
            .expect("valid");
        assert_eq!(
            (change.status, change.effective_on),
            (MemberStatus::Resigned, TODAY)
        );
        assert!(
            typed("ontzet", "13-03-2025")
                .validate(TODAY, &mut errors)
                .is_none()
        );
        assert_eq!(
            errors.for_field("effective_on"),
            Some("organisation.error.future_date")
        );
        let mut errors = FormErrors::default();
        assert!(
            typed("verdwenen", "01-01-1899")
                .validate(TODAY, &mut errors)
                .is_none()
        );
        assert_eq!(errors.for_field("status"), Some("organisation.error.status"));
        assert_eq!(errors.for_field("effective_on"), Some("organisation.error.date"));
    }

    #[test]
    fn a_new_organisation_starts_as_aspirant_or_member() {
        for (status, accepted) in [
            ("aspirant", true),
            ("lid", true),
            ("geschorst", false),
            ("opgezegd", false),
            ("ontzet", false),
        ] {
            let mut errors = FormErrors::default();
            let first = typed(status, "01-03-2025").validate_initial(TODAY, &mut errors);
            assert_eq!(first.is_some(), accepted, "{status}");
            assert_eq!(errors.has("status"), !accepted, "{status}");
        }
    }
}
