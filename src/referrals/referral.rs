//! A referral's lifecycle: verstuurd → geaccepteerd / afgewezen → gestart → afgerond, or
//! teruggegeven by the organisation, or ingetrokken by the case. Every step is one conditional
//! UPDATE naming the states it may leave from, so two people acting at once cannot both win
//! (the first organisation to accept an open offer gets it), and every step adds an event.

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::Performer;
use crate::cases::plan::{self, NewAction};
use crate::db::TenantTx;
use crate::referrals::notifications::{self, Kind};
use crate::referrals::{DeclineReason, Outcome, ReferralStatus};
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;
use crate::shared::format::{json_date, json_timestamp};

pub struct NewReferral {
    pub service_id: Uuid,
    /// `None`: offered to every organisation offering the service; the first to accept gets it.
    pub organisation_id: Option<Uuid>,
    pub purpose: String,
    pub expected_start: Option<Date>,
    pub summary: String,
    pub goal_id: Option<Uuid>,
    /// A process manager sending without consent says why.
    pub override_reason: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SendRefused {
    /// The organisation does not offer the service (or no current member does).
    NotOffered,
    /// No valid consent covers the organisation or service.
    NoConsent,
    /// The goal is not in this case's plan.
    UnknownGoal,
}

/// A referral on its way, and the consent it went under (none when a process manager overrode).
pub struct Sent {
    pub id: Uuid,
    pub consent_id: Option<Uuid>,
}

pub async fn send(
    tx: &mut TenantTx,
    case_id: Uuid,
    new: &NewReferral,
    by: Uuid,
    answer_due_on: Date,
) -> sqlx::Result<Result<Sent, SendRefused>> {
    let offered = sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT FROM organisation_services os
               JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id
               WHERE os.tenant_id = $1 AND os.service_id = $2 AND o.status IN ('aspirant', 'lid')
                 AND ($3::uuid IS NULL OR os.organisation_id = $3)) AS "offered!""#,
        tx.tenant_id(),
        new.service_id,
        new.organisation_id
    )
    .fetch_one(&mut **tx)
    .await?;
    if !offered {
        return Ok(Err(SendRefused::NotOffered));
    }
    if let Some(goal_id) = new.goal_id {
        let in_plan = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT FROM plan_goals g
                              JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
                              WHERE g.tenant_id = $1 AND g.id = $2 AND p.case_id = $3) AS "in_plan!""#,
            tx.tenant_id(),
            goal_id,
            case_id
        )
        .fetch_one(&mut **tx)
        .await?;
        if !in_plan {
            return Ok(Err(SendRefused::UnknownGoal));
        }
    }
    let consent_id = super::consent::covering(tx, case_id, new.organisation_id, new.service_id).await?;
    if consent_id.is_none() && new.override_reason.is_none() {
        return Ok(Err(SendRefused::NoConsent));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO referrals (tenant_id, case_id, service_id, organisation_id, open_offer, purpose, expected_start,
                                summary, goal_id, consent_id, override_reason, answer_due_on, sent_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        tx.tenant_id(),
        case_id,
        new.service_id,
        new.organisation_id,
        new.organisation_id.is_none(),
        new.purpose,
        new.expected_start,
        new.summary,
        new.goal_id,
        consent_id,
        new.override_reason.as_deref().filter(|_| consent_id.is_none()),
        answer_due_on,
        by
    )
    .fetch_one(&mut **tx)
    .await?;
    add_event(tx, id, ReferralStatus::Sent.code(), new.organisation_id, by, "").await?;
    notifications::to_organisation_staff(tx, id, Kind::New).await?;
    Ok(Ok(Sent { id, consent_id }))
}

/// Whether `id` is an open offer this organisation was offered and another organisation has
/// just taken: its staff are told so, rather than that it does not exist.
pub async fn taken_by_another(tx: &mut TenantTx, id: Uuid, organisation_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT FROM referrals r
               WHERE r.tenant_id = $1 AND r.id = $2 AND r.open_offer AND r.organisation_id <> $3
                 AND EXISTS (SELECT FROM organisation_services os WHERE os.tenant_id = r.tenant_id
                               AND os.service_id = r.service_id AND os.organisation_id = $3)) AS "taken!""#,
        tx.tenant_id(),
        id,
        organisation_id
    )
    .fetch_one(&mut **tx)
    .await
}

async fn add_event(
    tx: &mut TenantTx,
    referral_id: Uuid,
    kind: &str,
    organisation_id: Option<Uuid>,
    actor: Uuid,
    note: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO referral_events (tenant_id, referral_id, kind, organisation_id, actor_id, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
        tx.tenant_id(),
        referral_id,
        kind,
        organisation_id,
        actor,
        note
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The step is not possible from where the referral stands now (someone else was first, or
/// it moved on).
#[derive(Debug, PartialEq, Eq)]
pub struct NotNow;

/// A step the organisation takes on a referral sent (or offered) to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationStep {
    /// Accept it or decline it.
    Answer,
    Start,
    Finish,
    GiveBack,
}

impl OrganisationStep {
    /// Whether the step can be taken from `status`: the states its UPDATE below leaves from.
    pub fn allowed_from(self, status: ReferralStatus) -> bool {
        match self {
            OrganisationStep::Answer => status == ReferralStatus::Sent,
            OrganisationStep::Start => status == ReferralStatus::Accepted,
            OrganisationStep::Finish => status == ReferralStatus::Started,
            OrganisationStep::GiveBack => {
                matches!(status, ReferralStatus::Accepted | ReferralStatus::Started)
            }
        }
    }
}

/// Member staff of `organisation_id` accept. For an open offer only the first succeeds; the
/// accepted referral becomes an action in the case's support plan.
pub async fn accept(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Uuid,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let accepted = sqlx::query!(
        r#"UPDATE referrals r
           SET status = 'geaccepteerd', organisation_id = $3, handled_by = $4, answered_at = now(),
               lock_version = r.lock_version + 1
           WHERE r.tenant_id = $1 AND r.id = $2 AND r.status = 'verstuurd' AND r.access_revoked_at IS NULL
             AND (r.organisation_id = $3
                  OR (r.organisation_id IS NULL AND EXISTS (
                        SELECT FROM organisation_services os
                        WHERE os.tenant_id = r.tenant_id AND os.service_id = r.service_id AND os.organisation_id = $3)))
           RETURNING r.case_id, r.goal_id, r.purpose, r.expected_start,
                     (SELECT s.name FROM services s WHERE s.tenant_id = r.tenant_id AND s.id = r.service_id) AS "service!",
                     (SELECT o.name FROM organisations o WHERE o.tenant_id = r.tenant_id AND o.id = $3) AS "organisation!""#,
        tx.tenant_id(),
        id,
        organisation_id,
        by
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(accepted) = accepted else {
        return Ok(Err(NotNow));
    };
    let action = NewAction {
        description: format!("{}: {}", accepted.service, accepted.purpose),
        performer: Performer::MemberOrganisation,
        performer_name: accepted.organisation,
        target_on: accepted.expected_start,
    };
    let action_id = plan::add_referral_action(
        tx,
        accepted.case_id,
        accepted.goal_id,
        &accepted.purpose,
        &action,
        id,
    )
    .await?;
    sqlx::query!(
        "UPDATE referrals SET plan_action_id = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id,
        action_id
    )
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        id,
        ReferralStatus::Accepted.code(),
        Some(organisation_id),
        by,
        "",
    )
    .await?;
    notifications::to_lead(tx, id, Kind::Accepted).await?;
    Ok(Ok(()))
}

/// The organisation says no. A referral sent to it is declined; an open offer stays open for
/// the others, unless every organisation offering the service has now passed.
pub async fn decline(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Uuid,
    reason: DeclineReason,
    note: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let declined = sqlx::query!(
        "UPDATE referrals SET status = 'afgewezen', decline_reason = $4, decline_note = $5, answered_at = now(),
                handled_by = $6, lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND organisation_id = $3 AND status = 'verstuurd'
           AND access_revoked_at IS NULL",
        tx.tenant_id(),
        id,
        organisation_id,
        reason.code(),
        note,
        by
    )
    .execute(&mut **tx)
    .await?;
    if declined.rows_affected() == 1 {
        add_event(
            tx,
            id,
            ReferralStatus::Declined.code(),
            Some(organisation_id),
            by,
            note,
        )
        .await?;
        notifications::to_lead(tx, id, Kind::Declined).await?;
        return Ok(Ok(()));
    }
    // An open offer: this organisation passes.
    let passed = sqlx::query!(
        "INSERT INTO referral_passes (tenant_id, referral_id, organisation_id, reason, note, passed_by)
         SELECT r.tenant_id, r.id, $3, $4, $5, $6 FROM referrals r
         WHERE r.tenant_id = $1 AND r.id = $2 AND r.organisation_id IS NULL AND r.status = 'verstuurd'
           AND EXISTS (SELECT FROM organisation_services os WHERE os.tenant_id = r.tenant_id
                         AND os.service_id = r.service_id AND os.organisation_id = $3)
         ON CONFLICT DO NOTHING",
        tx.tenant_id(),
        id,
        organisation_id,
        reason.code(),
        note,
        by
    )
    .execute(&mut **tx)
    .await?;
    if passed.rows_affected() == 0 {
        return Ok(Err(NotNow));
    }
    add_event(tx, id, "gepasseerd", Some(organisation_id), by, note).await?;
    // Nobody left to take it: the offer is declined, with the last organisation's answer.
    let closed = sqlx::query!(
        "UPDATE referrals r SET status = 'afgewezen', organisation_id = $3, decline_reason = $4, decline_note = $5,
                answered_at = now(), lock_version = r.lock_version + 1
         WHERE r.tenant_id = $1 AND r.id = $2 AND r.status = 'verstuurd' AND r.organisation_id IS NULL
           AND NOT EXISTS (
               SELECT FROM organisation_services os
               JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id
               WHERE os.tenant_id = r.tenant_id AND os.service_id = r.service_id AND o.status IN ('aspirant', 'lid')
                 AND NOT EXISTS (SELECT FROM referral_passes p WHERE p.tenant_id = r.tenant_id
                                   AND p.referral_id = r.id AND p.organisation_id = os.organisation_id))",
        tx.tenant_id(),
        id,
        organisation_id,
        reason.code(),
        note
    )
    .execute(&mut **tx)
    .await?;
    if closed.rows_affected() == 1 {
        add_event(
            tx,
            id,
            ReferralStatus::Declined.code(),
            Some(organisation_id),
            by,
            note,
        )
        .await?;
        notifications::to_lead(tx, id, Kind::Declined).await?;
    }
    Ok(Ok(()))
}

/// The organisation has started the support.
pub async fn start(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Uuid,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let started = sqlx::query!(
        "UPDATE referrals SET status = 'gestart', started_at = now(), handled_by = coalesce(handled_by, $4),
                lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND organisation_id = $3 AND status = 'geaccepteerd'
           AND access_revoked_at IS NULL",
        tx.tenant_id(),
        id,
        organisation_id,
        by
    )
    .execute(&mut **tx)
    .await?;
    if started.rows_affected() == 0 {
        return Ok(Err(NotNow));
    }
    add_event(
        tx,
        id,
        ReferralStatus::Started.code(),
        Some(organisation_id),
        by,
        "",
    )
    .await?;
    Ok(Ok(()))
}

pub struct Report {
    pub outcome: Outcome,
    /// Why it did not succeed (required then).
    pub reason: String,
    pub delivered: bool,
    pub report: String,
}

/// The organisation reports the outcome; the loop is closed.
pub async fn finish(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Uuid,
    report: &Report,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let finished = sqlx::query!(
        "UPDATE referrals SET status = 'afgerond', finished_at = now(), outcome = $4, outcome_reason = $5,
                delivered = $6, report = $7, lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND organisation_id = $3 AND status = 'gestart'
           AND access_revoked_at IS NULL",
        tx.tenant_id(),
        id,
        organisation_id,
        report.outcome.code(),
        report.reason,
        report.delivered,
        report.report
    )
    .execute(&mut **tx)
    .await?;
    if finished.rows_affected() == 0 {
        return Ok(Err(NotNow));
    }
    add_event(
        tx,
        id,
        ReferralStatus::Finished.code(),
        Some(organisation_id),
        by,
        &report.report,
    )
    .await?;
    notifications::to_lead(tx, id, Kind::Finished).await?;
    Ok(Ok(()))
}

/// The organisation hands an accepted referral back to the case, with a reason.
pub async fn give_back(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Uuid,
    reason: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let returned = sqlx::query!(
        "UPDATE referrals SET status = 'teruggegeven', returned_at = now(), return_reason = $4,
                lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND organisation_id = $3 AND status IN ('geaccepteerd', 'gestart')
           AND access_revoked_at IS NULL",
        tx.tenant_id(),
        id,
        organisation_id,
        reason
    )
    .execute(&mut **tx)
    .await?;
    if returned.rows_affected() == 0 {
        return Ok(Err(NotNow));
    }
    add_event(
        tx,
        id,
        ReferralStatus::Returned.code(),
        Some(organisation_id),
        by,
        reason,
    )
    .await?;
    notifications::to_lead(tx, id, Kind::Returned).await?;
    Ok(Ok(()))
}

/// The case withdraws a referral that is still running; the organisation it went to is told.
/// (An open offer nobody took simply leaves the inboxes it was in.)
pub async fn withdraw(
    tx: &mut TenantTx,
    case_id: Uuid,
    id: Uuid,
    reason: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), NotNow>> {
    let withdrawn = sqlx::query_scalar!(
        "UPDATE referrals SET status = 'ingetrokken', lock_version = lock_version + 1
         WHERE tenant_id = $1 AND case_id = $2 AND id = $3 AND status IN ('verstuurd', 'geaccepteerd', 'gestart')
         RETURNING organisation_id",
        tx.tenant_id(),
        case_id,
        id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let Some(organisation_id) = withdrawn else {
        return Ok(Err(NotNow));
    };
    add_event(
        tx,
        id,
        ReferralStatus::Withdrawn.code(),
        organisation_id,
        by,
        reason,
    )
    .await?;
    if organisation_id.is_some() {
        notifications::to_organisation_staff(tx, id, Kind::Withdrawn).await?;
    }
    Ok(Ok(()))
}

/// A referral of a case that is still running, as closing the case lists it.
pub struct OpenReferral {
    pub id: Uuid,
    pub status: String,
    pub service: String,
    pub organisation: Option<String>,
}

/// The case's referrals still running, oldest first, locked until the transaction ends so
/// that closing withdraws exactly the ones it listed.
pub async fn open_of_case(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<OpenReferral>> {
    sqlx::query_as!(
        OpenReferral,
        r#"SELECT r.id, r.status,
                  (SELECT s.name FROM services s WHERE s.tenant_id = r.tenant_id AND s.id = r.service_id) AS "service!",
                  (SELECT o.name FROM organisations o WHERE o.tenant_id = r.tenant_id AND o.id = r.organisation_id) AS organisation
           FROM referrals r
           WHERE r.tenant_id = $1 AND r.case_id = $2 AND r.status IN ('verstuurd', 'geaccepteerd', 'gestart')
           ORDER BY r.sent_at, r.id
           FOR UPDATE OF r"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A progress note. From the organisation it reaches the case lead.
pub async fn add_note(
    tx: &mut TenantTx,
    id: Uuid,
    organisation_id: Option<Uuid>,
    body: &str,
    by: Uuid,
) -> sqlx::Result<()> {
    add_event(tx, id, "notitie", organisation_id, by, body).await?;
    if organisation_id.is_some() {
        notifications::to_lead(tx, id, Kind::Note).await?;
    }
    Ok(())
}

/// A referral in the list on the case page.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseReferral {
    pub id: Uuid,
    pub status: String,
    pub service: String,
    pub organisation: Option<String>,
    pub open_offer: bool,
    pub purpose: String,
    #[serde(with = "json_timestamp")]
    pub sent_at: PrimitiveDateTime,
    #[serde(with = "json_date")]
    pub answer_due_on: Date,
    pub overdue: bool,
    pub revoked: bool,
}

impl CaseReferral {
    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn sent(&self) -> String {
        format_timestamp(self.sent_at)
    }

    pub fn answer_due(&self) -> String {
        format_date(self.answer_due_on)
    }
}

fn status_key(code: &str) -> String {
    ReferralStatus::parse(code)
        .map(ReferralStatus::label_key)
        .unwrap_or_default()
}

/// One referral in full, as the case (lead) or the organisation sees it. The organisation's
/// view leaves out nothing here that it may not see: the summary was written for it.
pub struct Referral {
    pub id: Uuid,
    /// "V-2026-0012": what people read out on the phone.
    pub reference: String,
    pub case_id: Uuid,
    pub resident_id: Option<Uuid>,
    pub status: String,
    pub service: String,
    pub organisation_id: Option<Uuid>,
    pub organisation: Option<String>,
    pub open_offer: bool,
    pub purpose: String,
    pub summary: String,
    pub expected_start: Option<Date>,
    pub answer_due_on: Date,
    pub overdue: bool,
    pub sent_by: String,
    pub sent_at: PrimitiveDateTime,
    pub handled_by: Option<String>,
    pub decline_reason: Option<String>,
    pub decline_note: String,
    pub outcome: Option<String>,
    pub outcome_reason: String,
    pub delivered: Option<bool>,
    pub report: String,
    pub return_reason: String,
    pub override_reason: Option<String>,
    pub resident_name: Option<String>,
    pub resident_phone: Option<String>,
    pub resident_email: Option<String>,
    pub resident_address: Option<String>,
}

impl Referral {
    pub fn status(&self) -> Option<ReferralStatus> {
        ReferralStatus::parse(&self.status)
    }

    /// Whether the organisation can take `step` now.
    pub fn allows(&self, step: OrganisationStep) -> bool {
        self.status().is_some_and(|status| step.allowed_from(status))
    }

    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn expected(&self) -> Option<String> {
        self.expected_start.map(format_date)
    }

    pub fn answer_due(&self) -> String {
        format_date(self.answer_due_on)
    }

    pub fn sent(&self) -> String {
        format_timestamp(self.sent_at)
    }

    pub fn decline_reason_key(&self) -> Option<String> {
        self.decline_reason
            .as_deref()
            .and_then(DeclineReason::parse)
            .map(DeclineReason::label_key)
    }

    pub fn outcome_key(&self) -> Option<String> {
        self.outcome
            .as_deref()
            .and_then(Outcome::parse)
            .map(Outcome::label_key)
    }
}

/// Whose view a referral is read for.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    /// The case's side: any referral of this case.
    Case(Uuid),
    /// Staff of a member organisation: what was sent to it, or offered to it and not passed.
    Organisation(Uuid),
}

pub async fn find(tx: &mut TenantTx, id: Uuid, viewer: Viewer) -> sqlx::Result<Option<Referral>> {
    let (case_id, organisation_id) = match viewer {
        Viewer::Case(case_id) => (Some(case_id), None),
        Viewer::Organisation(organisation_id) => (None, Some(organisation_id)),
    };
    sqlx::query_as!(
        Referral,
        r#"SELECT r.id, r.reference, r.case_id, c.resident_id, r.status, s.name AS service, r.organisation_id, o.name AS "organisation?",
                  r.open_offer, r.purpose, r.summary, r.expected_start, r.answer_due_on,
                  (r.status = 'verstuurd' AND r.answer_due_on < local_now()::date) AS "overdue!",
                  sb.name AS sent_by, local_time(r.sent_at) AS "sent_at!", h.name AS "handled_by?",
                  r.decline_reason, r.decline_note, r.outcome, r.outcome_reason, r.delivered, r.report, r.return_reason,
                  r.override_reason,
                  CASE WHEN p.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(p.first_names, ''), p.initials), ''), nullif(p.surname_prefix, ''), p.surname) END AS resident_name,
                  p.phone AS "resident_phone?", p.email AS "resident_email?",
                  CASE WHEN p.id IS NULL THEN NULL
                       ELSE concat_ws(', ', nullif(concat_ws(' ', nullif(p.street, ''), nullif(p.house_number || p.house_number_addition, '')), ''),
                                      nullif(concat_ws(' ', p.postcode, nullif(p.place, '')), '')) END AS resident_address
           FROM referrals r
           JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
           JOIN services s ON s.tenant_id = r.tenant_id AND s.id = r.service_id
           JOIN users sb ON sb.tenant_id = r.tenant_id AND sb.id = r.sent_by
           LEFT JOIN organisations o ON o.tenant_id = r.tenant_id AND o.id = r.organisation_id
           LEFT JOIN users h ON h.tenant_id = r.tenant_id AND h.id = r.handled_by
           LEFT JOIN residents p ON p.tenant_id = c.tenant_id AND p.id = c.resident_id
           WHERE r.tenant_id = $1 AND r.id = $2
             AND (r.case_id = $3
                  OR (r.access_revoked_at IS NULL
                      AND (r.organisation_id = $4
                           OR (r.organisation_id IS NULL AND r.status = 'verstuurd'
                               AND EXISTS (SELECT FROM organisation_services os
                                           WHERE os.tenant_id = r.tenant_id AND os.service_id = r.service_id
                                             AND os.organisation_id = $4)
                               AND NOT EXISTS (SELECT FROM referral_passes x WHERE x.tenant_id = r.tenant_id
                                                 AND x.referral_id = r.id AND x.organisation_id = $4)))))"#,
        tx.tenant_id(),
        id,
        case_id,
        organisation_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// One step or note in a referral's history.
pub struct Event {
    pub kind: String,
    /// The actor's own member organisation; none for the cooperative's social team.
    pub organisation: Option<String>,
    pub actor: String,
    pub note: String,
    pub occurred_at: PrimitiveDateTime,
}

impl Event {
    pub fn kind_key(&self) -> String {
        format!("referralevent.{}", self.kind)
    }

    pub fn at(&self) -> String {
        format_timestamp(self.occurred_at)
    }
}

pub const EVENT_LIMIT: i64 = 200;

pub async fn events(tx: &mut TenantTx, referral_id: Uuid) -> sqlx::Result<Vec<Event>> {
    sqlx::query_as!(
        Event,
        r#"SELECT e.kind, o.name AS "organisation?", u.name AS actor, e.note,
                  local_time(e.occurred_at) AS "occurred_at!"
           FROM referral_events e
           JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id
           -- The actor's own organisation: a sent or withdrawn step stores the one it went to.
           LEFT JOIN organisations o ON o.tenant_id = u.tenant_id AND o.id = u.organisation_id
           WHERE e.tenant_id = $1 AND e.referral_id = $2
           ORDER BY e.occurred_at, e.id LIMIT $3"#,
        tx.tenant_id(),
        referral_id,
        EVENT_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

/// Working days an organisation has to answer a referral (tenant setting).
pub async fn answer_days(tx: &mut TenantTx) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "SELECT referral_answer_days FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organisation_answers_then_starts_then_finishes() {
        use OrganisationStep::*;
        use ReferralStatus::*;
        let allowed = |status| {
            [Answer, Start, Finish, GiveBack]
                .into_iter()
                .filter(|step| step.allowed_from(status))
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Sent), [Answer]);
        assert_eq!(allowed(Accepted), [Start, GiveBack]);
        assert_eq!(allowed(Started), [Finish, GiveBack]);
        for done in [Declined, Finished, Returned, Withdrawn] {
            assert!(allowed(done).is_empty(), "{done:?}");
        }
    }
}
