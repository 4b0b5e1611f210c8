//! Working groups (werkateliers): member organisations working together on one topic, with a
//! coordinator, notes of their meetings and, once closed, an outcome. Administrators keep
//! them; the staff of a taking part organisation read them.

use time::Date;
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::members::register::OrganisationOption;
use crate::shared::format::format_date;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 25;

/// Whose view of the working groups: everything, or the groups one organisation takes part in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Everyone,
    Organisation(Uuid),
}

impl Viewer {
    /// Administrators see every working group; staff of a member organisation those their
    /// organisation takes part in (`None`: not linked to one, so none); anyone else is refused.
    pub fn of(user: &CurrentUser) -> AppResult<Option<Viewer>> {
        if user.has(Role::Admin) {
            Ok(Some(Viewer::Everyone))
        } else if user.has(Role::Member) {
            Ok(user.organisation_id.map(Viewer::Organisation))
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The organisation the view is limited to, if any.
    fn organisation(self) -> Option<Uuid> {
        match self {
            Viewer::Everyone => None,
            Viewer::Organisation(id) => Some(id),
        }
    }
}

/// A row of the list of working groups.
pub struct GroupRow {
    pub id: Uuid,
    pub topic: String,
    pub coordinator: Option<String>,
    pub organisations: i64,
    pub last_met_on: Option<Date>,
    pub closed_on: Option<Date>,
}

impl GroupRow {
    pub fn last_met_on(&self) -> String {
        self.last_met_on.map(format_date).unwrap_or_default()
    }

    pub fn closed_on(&self) -> Option<String> {
        self.closed_on.map(format_date)
    }
}

/// A page of the working groups `viewer` may see: open ones first, newest first.
pub async fn list(tx: &mut TenantTx, viewer: Viewer, page: i64) -> sqlx::Result<Vec<GroupRow>> {
    sqlx::query_as!(
        GroupRow,
        r#"SELECT g.id, g.topic, u.name AS "coordinator?",
                  (SELECT count(*) FROM working_group_members m
                   WHERE m.tenant_id = g.tenant_id AND m.working_group_id = g.id) AS "organisations!",
                  (SELECT max(n.met_on) FROM working_group_notes n
                   WHERE n.tenant_id = g.tenant_id AND n.working_group_id = g.id) AS last_met_on,
                  g.closed_on
           FROM working_groups g
           LEFT JOIN users u ON u.tenant_id = g.tenant_id AND u.id = g.coordinator_id
           WHERE g.tenant_id = $1
             AND ($2::uuid IS NULL OR EXISTS (
                     SELECT FROM working_group_members m
                     WHERE m.tenant_id = g.tenant_id AND m.working_group_id = g.id AND m.organisation_id = $2))
           ORDER BY g.closed_on IS NOT NULL, g.created_at DESC, g.id
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        viewer.organisation(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many working groups [`list`] shows the viewer in all.
pub async fn count(tx: &mut TenantTx, viewer: Viewer) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM working_groups g
           WHERE g.tenant_id = $1
             AND ($2::uuid IS NULL OR EXISTS (
                     SELECT FROM working_group_members m
                     WHERE m.tenant_id = g.tenant_id AND m.working_group_id = g.id AND m.organisation_id = $2))"#,
        tx.tenant_id(),
        viewer.organisation(),
    )
    .fetch_one(&mut **tx)
    .await
}

/// One working group.
pub struct WorkingGroup {
    pub id: Uuid,
    pub topic: String,
    pub description: String,
    pub coordinator_id: Option<Uuid>,
    pub coordinator: Option<String>,
    pub outcome: String,
    pub closed_on: Option<Date>,
}

impl WorkingGroup {
    pub fn closed_on(&self) -> Option<String> {
        self.closed_on.map(format_date)
    }

    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}

/// The working group if `viewer` may see it.
pub async fn find(tx: &mut TenantTx, id: Uuid, viewer: Viewer) -> sqlx::Result<Option<WorkingGroup>> {
    sqlx::query_as!(
        WorkingGroup,
        r#"SELECT g.id, g.topic, g.description, g.coordinator_id, u.name AS "coordinator?", g.outcome, g.closed_on
           FROM working_groups g
           LEFT JOIN users u ON u.tenant_id = g.tenant_id AND u.id = g.coordinator_id
           WHERE g.tenant_id = $1 AND g.id = $2
             AND ($3::uuid IS NULL OR EXISTS (
                     SELECT FROM working_group_members m
                     WHERE m.tenant_id = g.tenant_id AND m.working_group_id = g.id AND m.organisation_id = $3))"#,
        tx.tenant_id(),
        id,
        viewer.organisation(),
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The organisations taking part, by name.
pub async fn participants(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<OrganisationOption>> {
    sqlx::query_as!(
        OrganisationOption,
        "SELECT o.id, o.name
         FROM working_group_members m
         JOIN organisations o ON o.tenant_id = m.tenant_id AND o.id = m.organisation_id
         WHERE m.tenant_id = $1 AND m.working_group_id = $2
         ORDER BY lower(o.name), o.id",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Notes of one meeting.
pub struct Note {
    pub id: Uuid,
    pub met_on: Date,
    pub body: String,
    pub author: String,
}

impl Note {
    pub fn met_on(&self) -> String {
        format_date(self.met_on)
    }
}

/// The meeting notes, latest meeting first.
pub async fn notes(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as!(
        Note,
        "SELECT n.id, n.met_on, n.body, u.name AS author
         FROM working_group_notes n
         JOIN users u ON u.tenant_id = n.tenant_id AND u.id = n.author_id
         WHERE n.tenant_id = $1 AND n.working_group_id = $2
         ORDER BY n.met_on DESC, n.written_at DESC",
        tx.tenant_id(),
        id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A user who can coordinate a working group.
pub struct CoordinatorOption {
    pub id: Uuid,
    pub name: String,
}

/// The active users by name, and `including` (the current coordinator) whatever their state.
pub async fn coordinator_choices(
    tx: &mut TenantTx,
    including: Option<Uuid>,
) -> sqlx::Result<Vec<CoordinatorOption>> {
    sqlx::query_as!(
        CoordinatorOption,
        "SELECT id, name FROM users
         WHERE tenant_id = $1 AND (active OR id = $2)
         ORDER BY lower(name), id
         LIMIT 500",
        tx.tenant_id(),
        including
    )
    .fetch_all(&mut **tx)
    .await
}

/// A working group as typed in the form, kept as typed for re-display.
#[derive(Debug, Default, Clone)]
pub struct GroupInput {
    pub topic: String,
    pub description: String,
    pub coordinator: String,
    /// The ids of the organisations ticked.
    pub organisations: Vec<String>,
}

/// The same, checked.
pub struct GroupDetails {
    pub topic: String,
    pub description: String,
    pub coordinator_id: Uuid,
    pub organisation_ids: Vec<Uuid>,
}

impl GroupInput {
    pub fn from_fields(fields: &Fields) -> GroupInput {
        GroupInput {
            topic: fields.get("topic").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
            coordinator: fields.get("coordinator").trim().to_owned(),
            organisations: fields.get_all("organisations").map(str::to_owned).collect(),
        }
    }

    pub fn from_group(group: &WorkingGroup, participants: &[OrganisationOption]) -> GroupInput {
        GroupInput {
            topic: group.topic.clone(),
            description: group.description.clone(),
            coordinator: group.coordinator_id.map(|id| id.to_string()).unwrap_or_default(),
            organisations: participants.iter().map(|o| o.id.to_string()).collect(),
        }
    }

    pub fn takes_part(&self, organisation: &Uuid) -> bool {
        let id = organisation.to_string();
        self.organisations.contains(&id)
    }

    pub fn is_coordinator(&self, user: &Uuid) -> bool {
        self.coordinator == user.to_string()
    }

    /// Checks the fields against the choices the form offered.
    pub fn validate(
        &self,
        coordinators: &[CoordinatorOption],
        organisations: &[OrganisationOption],
        errors: &mut FormErrors,
    ) -> Option<GroupDetails> {
        if self.topic.is_empty() {
            errors.field("topic", "group.error.topic");
        }
        let coordinator = coordinators.iter().find(|c| c.id.to_string() == self.coordinator);
        if coordinator.is_none() {
            errors.field("coordinator", "group.error.coordinator");
        }
        let mut organisation_ids = Vec::new();
        for raw in &self.organisations {
            match organisations.iter().find(|o| o.id.to_string() == *raw) {
                Some(o) if !organisation_ids.contains(&o.id) => organisation_ids.push(o.id),
                Some(_) => {}
                None => {
                    errors.field("organisations", "group.error.organisations");
                    break;
                }
            }
        }
        if !errors.is_empty() {
            return None;
        }
        Some(GroupDetails {
            topic: self.topic.clone(),
            description: self.description.clone(),
            coordinator_id: coordinator?.id,
            organisation_ids,
        })
    }
}

pub async fn create(tx: &mut TenantTx, details: &GroupDetails) -> sqlx::Result<Uuid> {
    let id = sqlx::query_scalar!(
        "INSERT INTO working_groups (tenant_id, topic, description, coordinator_id)
         VALUES ($1, $2, $3, $4)
         RETURNING id",
        tx.tenant_id(),
        details.topic,
        details.description,
        details.coordinator_id,
    )
    .fetch_one(&mut **tx)
    .await?;
    set_participants(tx, id, &details.organisation_ids).await?;
    Ok(id)
}

/// A closed working group is a record of what it did: it takes no more changes.
#[derive(Debug, PartialEq, Eq)]
pub struct GroupClosed;

pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    details: &GroupDetails,
) -> sqlx::Result<Result<(), GroupClosed>> {
    let updated = sqlx::query!(
        "UPDATE working_groups SET topic = $3, description = $4, coordinator_id = $5
         WHERE tenant_id = $1 AND id = $2 AND closed_on IS NULL",
        tx.tenant_id(),
        id,
        details.topic,
        details.description,
        details.coordinator_id,
    )
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(Err(GroupClosed));
    }
    set_participants(tx, id, &details.organisation_ids).await?;
    Ok(Ok(()))
}

async fn set_participants(tx: &mut TenantTx, id: Uuid, organisations: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM working_group_members
         WHERE tenant_id = $1 AND working_group_id = $2 AND NOT (organisation_id = ANY ($3))",
        tx.tenant_id(),
        id,
        organisations
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO working_group_members (tenant_id, working_group_id, organisation_id)
         SELECT $1, $2, o.id FROM organisations o WHERE o.tenant_id = $1 AND o.id = ANY ($3)
         ON CONFLICT DO NOTHING",
        tx.tenant_id(),
        id,
        organisations
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A meeting date, or a closing date, as typed: on or before today.
fn past_date(raw: &str, today: Date, field: &'static str, errors: &mut FormErrors) -> Option<Date> {
    match parse_date(raw) {
        Some(date) if date > today => {
            errors.field(field, "group.error.future_date");
            None
        }
        Some(date) if date.year() >= 1900 => Some(date),
        _ => {
            errors.field(field, "group.error.date");
            None
        }
    }
}

/// The notes of a meeting as typed.
#[derive(Debug, Default, Clone)]
pub struct NoteInput {
    pub met_on: String,
    pub body: String,
}

impl NoteInput {
    pub fn from_fields(fields: &Fields) -> NoteInput {
        NoteInput {
            met_on: fields.get("met_on").trim().to_owned(),
            body: fields.get("body").trim().to_owned(),
        }
    }

    pub fn starting(today: Date) -> NoteInput {
        NoteInput {
            met_on: format_date(today),
            body: String::new(),
        }
    }

    pub fn validate(&self, today: Date, errors: &mut FormErrors) -> Option<(Date, String)> {
        let met_on = past_date(&self.met_on, today, "met_on", errors);
        if self.body.is_empty() {
            errors.field("body", "group.error.body");
        }
        let met_on = met_on?;
        errors.is_empty().then(|| (met_on, self.body.clone()))
    }
}

/// Adds the notes of a meeting to an open working group.
pub async fn add_note(
    tx: &mut TenantTx,
    id: Uuid,
    met_on: Date,
    body: &str,
    author: Uuid,
) -> sqlx::Result<Result<(), GroupClosed>> {
    let added = sqlx::query!(
        "INSERT INTO working_group_notes (tenant_id, working_group_id, met_on, body, author_id)
         SELECT $1, $2, $3, $4, $5
         WHERE EXISTS (SELECT FROM working_groups WHERE tenant_id = $1 AND id = $2 AND closed_on IS NULL)",
        tx.tenant_id(),
        id,
        met_on,
        body,
        author,
    )
    .execute(&mut **tx)
    .await?;
    Ok(if added.rows_affected() == 1 {
        Ok(())
    } else {
        Err(GroupClosed)
    })
}

/// How a working group ended, as typed.
#[derive(Debug, Default, Clone)]
pub struct CloseInput {
    pub closed_on: String,
    pub outcome: String,
}

impl CloseInput {
    pub fn from_fields(fields: &Fields) -> CloseInput {
        CloseInput {
            closed_on: fields.get("closed_on").trim().to_owned(),
            outcome: fields.get("outcome").trim().to_owned(),
        }
    }

    pub fn starting(today: Date) -> CloseInput {
        CloseInput {
            closed_on: format_date(today),
            outcome: String::new(),
        }
    }

    pub fn validate(&self, today: Date, errors: &mut FormErrors) -> Option<(Date, String)> {
        let closed_on = past_date(&self.closed_on, today, "closed_on", errors);
        if self.outcome.is_empty() {
            errors.field("outcome", "group.error.outcome");
        }
        let closed_on = closed_on?;
        errors.is_empty().then(|| (closed_on, self.outcome.clone()))
    }
}

/// Closes an open working group with its outcome.
pub async fn close(
    tx: &mut TenantTx,
    id: Uuid,
    closed_on: Date,
    outcome: &str,
) -> sqlx::Result<Result<(), GroupClosed>> {
    let closed = sqlx::query!(
        "UPDATE working_groups SET closed_on = $3, outcome = $4
         WHERE tenant_id = $1 AND id = $2 AND closed_on IS NULL",
        tx.tenant_id(),
        id,
        closed_on,
        outcome,
    )
    .execute(&mut **tx)
    .await?;
    Ok(if closed.rows_affected() == 1 {
        Ok(())
    } else {
        Err(GroupClosed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role], organisation_id: Option<Uuid>) -> CurrentUser {
        CurrentUser {
            id: Uuid::new_v4(),
            name: "Ans".into(),
            email: "ans@example.nl".into(),
            roles: roles.to_vec(),
            language: None,
            organisation_id,
        }
    }

    #[test]
    fn administrators_see_every_group_and_staff_those_of_their_organisation() {
        let organisation = Uuid::new_v4();
        let admin = user(&[Role::Admin, Role::Member], Some(organisation));
        assert_eq!(Viewer::of(&admin).ok(), Some(Some(Viewer::Everyone)));
        let staff = user(&[Role::Member], Some(organisation));
        assert_eq!(
            Viewer::of(&staff).ok(),
            Some(Some(Viewer::Organisation(organisation)))
        );
        // Staff not linked to an organisation see no group, but are not refused the list.
        assert_eq!(Viewer::of(&user(&[Role::Member], None)).ok(), Some(None));
        assert!(matches!(
            Viewer::of(&user(&[Role::Professional, Role::Desk], None)),
            Err(AppError::Forbidden)
        ));
    }
}
