//! The decision list (besluitenlijst). When the chair declares a poll's result it becomes a
//! numbered decision, `ALV-2026-07`, adopted or rejected, with the vote behind it; a re-vote
//! after a challenge replaces that vote and keeps the number. When the meeting closes, its
//! decisions about members change the member register, each change linked to its decision; an
//! expulsion first suspends the member for its month of appeal.

use time::{Date, Duration};
use uuid::Uuid;

use crate::assembly::meetings::Meeting;
use crate::assembly::polls::Poll;
use crate::assembly::{DecisionKind, rules};
use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::web::csv;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 50;

/// `ALV-2026-07`.
pub fn number(year: i32, seq: i32) -> String {
    format!("ALV-{year}-{seq:02}")
}

/// A decision as its number reads (`ALV-2026-07`, any case, spaces around it): its id and
/// whether it was adopted. None for a number that names no decision of the cooperative.
pub async fn by_number(tx: &mut TenantTx, typed: &str) -> sqlx::Result<Option<(Uuid, bool)>> {
    let upper = typed.trim().to_uppercase();
    let Some((year, seq)) = upper
        .strip_prefix("ALV-")
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(year, seq)| Some((year.parse::<i32>().ok()?, seq.parse::<i32>().ok()?)))
    else {
        return Ok(None);
    };
    let found = sqlx::query!(
        "SELECT id, adopted FROM decisions WHERE tenant_id = $1 AND year = $2 AND seq = $3",
        tx.tenant_id(),
        year,
        seq
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(found.map(|d| (d.id, d.adopted)))
}

/// Records the declared poll as the decision on its item: a new, numbered decision, or for a
/// re-vote the same decision resting on the new poll.
pub async fn record(
    tx: &mut TenantTx,
    meeting: &Meeting,
    poll: &Poll,
    title: &str,
    proposal: &str,
) -> sqlx::Result<Uuid> {
    let adopted = poll.adopted.unwrap_or(false);
    let existing = sqlx::query_scalar!(
        "UPDATE decisions SET poll_id = $3, adopted = $4 WHERE tenant_id = $1 AND agenda_item_id = $2 RETURNING id",
        tx.tenant_id(),
        poll.agenda_item_id,
        poll.id,
        adopted
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    // Numbers follow each other without gaps: one decision is numbered at a time.
    rules::lock(tx).await?;
    let year = meeting.starts_at.year();
    sqlx::query_scalar!(
        "INSERT INTO decisions (tenant_id, year, seq, meeting_id, agenda_item_id, poll_id, kind, title, proposal,
                                adopted, decided_on, organisation_id, pot_name, pot_amount_cents)
         SELECT $1, $2, coalesce(max(d.seq), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10,
                i.organisation_id, i.pot_name, i.pot_amount_cents
         FROM agenda_items i
         LEFT JOIN decisions d ON d.tenant_id = i.tenant_id AND d.year = $2
         WHERE i.tenant_id = $1 AND i.id = $4
         GROUP BY i.organisation_id, i.pot_name, i.pot_amount_cents
         RETURNING id",
        tx.tenant_id(),
        year,
        meeting.id,
        poll.agenda_item_id,
        poll.id,
        poll.decision_kind,
        title,
        proposal,
        adopted,
        meeting.starts_at.date()
    )
    .fetch_one(&mut **tx)
    .await
}

/// A decision in the list.
pub struct Decision {
    pub id: Uuid,
    pub year: i32,
    pub seq: i32,
    pub meeting_id: Uuid,
    pub meeting: String,
    pub agenda_item_id: Uuid,
    pub kind: String,
    pub title: String,
    pub proposal: String,
    pub adopted: bool,
    pub decided_on: Date,
    pub organisation: Option<String>,
    pub effective_on: Option<Date>,
    pub secret: bool,
    pub round: i32,
    pub votes_for: i32,
    pub votes_against: i32,
    pub abstentions: i32,
    pub majority: String,
    pub electorate: i32,
    pub present: i32,
}

impl Decision {
    pub fn number(&self) -> String {
        number(self.year, self.seq)
    }

    pub fn kind_key(&self) -> String {
        DecisionKind::parse(&self.kind)
            .map(DecisionKind::label_key)
            .unwrap_or_default()
    }

    pub fn majority_key(&self) -> String {
        format!("majority.{}", self.majority)
    }

    pub fn decided_on(&self) -> String {
        format_date(self.decided_on)
    }

    pub fn effective_on(&self) -> Option<String> {
        self.effective_on.map(format_date)
    }
}

/// A page of the decision list, newest first; `meeting` limits it to one meeting.
pub async fn list(tx: &mut TenantTx, meeting: Option<Uuid>, page: i64) -> sqlx::Result<Vec<Decision>> {
    sqlx::query_as!(
        Decision,
        r#"SELECT d.id, d.year, d.seq, d.meeting_id, m.title AS meeting, d.agenda_item_id, d.kind, d.title, d.proposal,
                  d.adopted, d.decided_on, o.name AS "organisation?", d.effective_on, p.secret, p.round,
                  p.votes_for AS "votes_for!", p.votes_against AS "votes_against!", p.abstentions AS "abstentions!",
                  p.majority, p.electorate, p.present
           FROM decisions d
           JOIN meetings m ON m.tenant_id = d.tenant_id AND m.id = d.meeting_id
           JOIN polls p ON p.tenant_id = d.tenant_id AND p.id = d.poll_id
           LEFT JOIN organisations o ON o.tenant_id = d.tenant_id AND o.id = d.organisation_id
           WHERE d.tenant_id = $1 AND ($2::uuid IS NULL OR d.meeting_id = $2)
           ORDER BY d.year DESC, d.seq DESC
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        meeting,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many decisions the cooperative has taken.
pub async fn count(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM decisions WHERE tenant_id = $1"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Decision>> {
    sqlx::query_as!(
        Decision,
        r#"SELECT d.id, d.year, d.seq, d.meeting_id, m.title AS meeting, d.agenda_item_id, d.kind, d.title, d.proposal,
                  d.adopted, d.decided_on, o.name AS "organisation?", d.effective_on, p.secret, p.round,
                  p.votes_for AS "votes_for!", p.votes_against AS "votes_against!", p.abstentions AS "abstentions!",
                  p.majority, p.electorate, p.present
           FROM decisions d
           JOIN meetings m ON m.tenant_id = d.tenant_id AND m.id = d.meeting_id
           JOIN polls p ON p.tenant_id = d.tenant_id AND p.id = d.poll_id
           LEFT JOIN organisations o ON o.tenant_id = d.tenant_id AND o.id = d.organisation_id
           WHERE d.tenant_id = $1 AND d.id = $2"#,
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// What closing a meeting changed in the member register.
#[derive(Debug, Default)]
pub struct RegisterChanges {
    pub admitted: Vec<Uuid>,
    pub suspended: Vec<Uuid>,
    pub resigned: Vec<Uuid>,
}

/// Carries the meeting's adopted decisions about members into the register: admission makes
/// a member, acceptance of a notice ends the membership, and expulsion suspends the member for
/// its month of appeal (after which [`complete_expulsions`] expels it).
pub async fn apply_to_register(
    tx: &mut TenantTx,
    meeting: &Meeting,
    appeal_days: i32,
    by: Uuid,
) -> sqlx::Result<RegisterChanges> {
    let decisions = sqlx::query!(
        r#"SELECT d.id, d.kind, d.decided_on, d.organisation_id AS "organisation_id!", i.reasons
           FROM decisions d JOIN agenda_items i ON i.tenant_id = d.tenant_id AND i.id = d.agenda_item_id
           WHERE d.tenant_id = $1 AND d.meeting_id = $2 AND d.adopted AND d.organisation_id IS NOT NULL
             AND d.effective_on IS NULL
           ORDER BY d.seq"#,
        tx.tenant_id(),
        meeting.id
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut changes = RegisterChanges::default();
    for decision in decisions {
        let (status, note) = match DecisionKind::parse(&decision.kind) {
            Some(DecisionKind::Admission) => ("lid", "Toegelaten door de algemene ledenvergadering"),
            Some(DecisionKind::Notice) => {
                ("opgezegd", "Opzegging aanvaard door de algemene ledenvergadering")
            }
            Some(DecisionKind::Expulsion) => (
                "geschorst",
                "Geschorst in afwachting van het beroep tegen ontzetting door de algemene ledenvergadering",
            ),
            _ => continue,
        };
        set_status(
            tx,
            decision.organisation_id,
            status,
            decision.decided_on,
            note,
            decision.id,
            by,
        )
        .await?;
        sqlx::query!(
            "UPDATE decisions SET effective_on = $3 WHERE tenant_id = $1 AND id = $2",
            tx.tenant_id(),
            decision.id,
            decision.decided_on
        )
        .execute(&mut **tx)
        .await?;
        match status {
            "lid" => changes.admitted.push(decision.organisation_id),
            "opgezegd" => changes.resigned.push(decision.organisation_id),
            _ => {
                sqlx::query!(
                    "INSERT INTO expulsions (tenant_id, decision_id, organisation_id, reasons, notified_on, appeal_until)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    tx.tenant_id(),
                    decision.id,
                    decision.organisation_id,
                    decision.reasons,
                    decision.decided_on,
                    decision.decided_on + Duration::days(i64::from(appeal_days))
                )
                .execute(&mut **tx)
                .await?;
                changes.suspended.push(decision.organisation_id);
            }
        }
    }
    Ok(changes)
}

/// Changes a member's status by decision, recorded in its history with a link to the decision.
/// Leaving ends the sessions of its staff at once.
async fn set_status(
    tx: &mut TenantTx,
    organisation_id: Uuid,
    status: &str,
    on: Date,
    note: &str,
    decision_id: Uuid,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE organisations
         SET status = $3, status_since = greatest(status_since, $4),
             member_since = coalesce(member_since, CASE WHEN $3 = 'lid' THEN $4::date END)
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        organisation_id,
        status,
        on
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO organisation_statuses (tenant_id, organisation_id, status, effective_on, note, recorded_by, decision_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        tx.tenant_id(),
        organisation_id,
        status,
        on,
        note,
        by,
        decision_id
    )
    .execute(&mut **tx)
    .await?;
    if matches!(status, "opgezegd" | "ontzet") {
        sqlx::query!(
            "DELETE FROM sessions s USING users u
             WHERE s.tenant_id = $1 AND u.tenant_id = s.tenant_id AND u.id = s.user_id AND u.organisation_id = $2",
            tx.tenant_id(),
            organisation_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Expels the suspended members whose month of appeal has passed without an appeal. Returns
/// how many.
pub async fn complete_expulsions(tx: &mut TenantTx, today: Date) -> sqlx::Result<usize> {
    let due = sqlx::query!(
        "SELECT e.decision_id, e.organisation_id, e.appeal_until FROM expulsions e
         JOIN organisations o ON o.tenant_id = e.tenant_id AND o.id = e.organisation_id AND o.status = 'geschorst'
         WHERE e.tenant_id = $1 AND e.completed_on IS NULL AND e.appealed_on IS NULL AND e.appeal_until < $2",
        tx.tenant_id(),
        today
    )
    .fetch_all(&mut **tx)
    .await?;
    for expulsion in &due {
        let effective = expulsion.appeal_until + Duration::days(1);
        sqlx::query!(
            "UPDATE organisations SET status = 'ontzet', status_since = $3 WHERE tenant_id = $1 AND id = $2",
            tx.tenant_id(),
            expulsion.organisation_id,
            effective
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "INSERT INTO organisation_statuses (tenant_id, organisation_id, status, effective_on, note, decision_id)
             VALUES ($1, $2, 'ontzet', $3, 'Ontzet: de beroepstermijn is verstreken zonder beroep', $4)",
            tx.tenant_id(),
            expulsion.organisation_id,
            effective,
            expulsion.decision_id
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "UPDATE expulsions SET completed_on = $3 WHERE tenant_id = $1 AND decision_id = $2",
            tx.tenant_id(),
            expulsion.decision_id,
            effective
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "DELETE FROM sessions s USING users u
             WHERE s.tenant_id = $1 AND u.tenant_id = s.tenant_id AND u.id = s.user_id AND u.organisation_id = $2",
            tx.tenant_id(),
            expulsion.organisation_id
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(due.len())
}

/// Completes the expulsions of every cooperative whose term of appeal has passed; run
/// periodically by the server.
pub async fn complete_expulsions_everywhere(pool: &sqlx::PgPool) -> sqlx::Result<usize> {
    let tenants = sqlx::query_scalar!("SELECT id FROM tenants WHERE disabled_at IS NULL")
        .fetch_all(pool)
        .await?;
    let mut completed = 0;
    for tenant_id in tenants {
        let mut tx = crate::db::tenant_tx(pool, tenant_id).await?;
        let today = crate::shared::clock::local_now(&mut tx).await?.date();
        completed += complete_expulsions(&mut tx, today).await?;
        tx.commit().await?;
    }
    Ok(completed)
}

/// The expulsion a decision started, with its term of appeal.
pub struct Expulsion {
    pub reasons: String,
    pub notified_on: Date,
    pub appeal_until: Date,
    pub appealed_on: Option<Date>,
    pub completed_on: Option<Date>,
}

impl Expulsion {
    pub fn notified_on(&self) -> String {
        format_date(self.notified_on)
    }

    pub fn appeal_until(&self) -> String {
        format_date(self.appeal_until)
    }

    pub fn appealed_on(&self) -> Option<String> {
        self.appealed_on.map(format_date)
    }

    pub fn completed_on(&self) -> Option<String> {
        self.completed_on.map(format_date)
    }
}

pub async fn expulsion(tx: &mut TenantTx, decision_id: Uuid) -> sqlx::Result<Option<Expulsion>> {
    sqlx::query_as!(
        Expulsion,
        "SELECT reasons, notified_on, appeal_until, appealed_on, completed_on FROM expulsions
         WHERE tenant_id = $1 AND decision_id = $2",
        tx.tenant_id(),
        decision_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Records that the expelled member appealed on `on` (within its term): the expulsion then
/// waits for the assembly's ruling on the appeal instead of taking effect by itself. False
/// when there is no running expulsion, or `on` is outside the term.
pub async fn record_appeal(tx: &mut TenantTx, decision_id: Uuid, on: Date) -> sqlx::Result<bool> {
    let recorded = sqlx::query!(
        "UPDATE expulsions SET appealed_on = $3
         WHERE tenant_id = $1 AND decision_id = $2 AND completed_on IS NULL AND appealed_on IS NULL
           AND $3 BETWEEN notified_on AND appeal_until",
        tx.tenant_id(),
        decision_id,
        on
    )
    .execute(&mut **tx)
    .await?;
    Ok(recorded.rows_affected() == 1)
}

/// How an adopted decision is carried out.
pub struct Action {
    pub id: Uuid,
    pub description: String,
    pub owner: String,
    pub due_on: Date,
    pub status: String,
}

impl Action {
    pub fn due_on(&self) -> String {
        format_date(self.due_on)
    }

    pub fn status_key(&self) -> String {
        format!("action.status.{}", self.status)
    }
}

pub const ACTION_STATUSES: [&str; 3] = ["open", "bezig", "gereed"];

pub async fn actions(tx: &mut TenantTx, decision_id: Uuid) -> sqlx::Result<Vec<Action>> {
    sqlx::query_as!(
        Action,
        "SELECT id, description, owner, due_on, status FROM decision_actions
         WHERE tenant_id = $1 AND decision_id = $2 ORDER BY due_on, id LIMIT 200",
        tx.tenant_id(),
        decision_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub description: String,
    pub owner: String,
    pub due_on: String,
}

pub struct ActionDetails {
    pub description: String,
    pub owner: String,
    pub due_on: Date,
}

impl ActionInput {
    pub fn from_fields(fields: &Fields) -> ActionInput {
        ActionInput {
            description: fields.get("description").trim().to_owned(),
            owner: fields.get("owner").trim().to_owned(),
            due_on: fields.get("due_on").trim().to_owned(),
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<ActionDetails> {
        if self.description.is_empty() {
            errors.field("description", "action.error.description");
        }
        if self.owner.is_empty() {
            errors.field("owner", "action.error.owner");
        }
        let due_on = parse_date(&self.due_on);
        if due_on.is_none() {
            errors.field("due_on", "action.error.due_on");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(ActionDetails {
            description: self.description.clone(),
            owner: self.owner.clone(),
            due_on: due_on?,
        })
    }
}

pub async fn add_action(
    tx: &mut TenantTx,
    decision_id: Uuid,
    action: &ActionDetails,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO decision_actions (tenant_id, decision_id, description, owner, due_on, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        tx.tenant_id(),
        decision_id,
        action.description,
        action.owner,
        action.due_on,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves an action on; false when the decision has no such action.
pub async fn set_action_status(
    tx: &mut TenantTx,
    decision_id: Uuid,
    action_id: Uuid,
    status: &str,
    by: Uuid,
) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE decision_actions SET status = $4, updated_by = $5, updated_at = now()
         WHERE tenant_id = $1 AND decision_id = $2 AND id = $3",
        tx.tenant_id(),
        decision_id,
        action_id,
        status,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The decision list as CSV (see [`csv`]).
pub fn to_csv(decisions: &[Decision]) -> csv::Document {
    let header = [
        "besluitnummer",
        "datum",
        "vergadering",
        "soort",
        "onderwerp",
        "lid",
        "aangenomen",
        "voor",
        "tegen",
        "onthouding",
        "stemming",
    ]
    .map(str::to_owned);
    let rows = decisions.iter().map(|d| {
        vec![
            d.number(),
            d.decided_on(),
            d.meeting.clone(),
            d.kind.clone(),
            d.title.clone(),
            d.organisation.clone().unwrap_or_default(),
            if d.adopted { "ja" } else { "nee" }.to_owned(),
            d.votes_for.to_string(),
            d.votes_against.to_string(),
            d.abstentions.to_string(),
            if d.secret { "geheim" } else { "hoofdelijk" }.to_owned(),
        ]
    });
    csv::document(&header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_are_numbered_per_year_with_two_digits() {
        assert_eq!(number(2026, 7), "ALV-2026-07");
        assert_eq!(number(2026, 112), "ALV-2026-112");
    }
}
