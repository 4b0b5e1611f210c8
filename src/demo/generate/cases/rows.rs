//! The rows of a batch of case histories, column by column, and the statements that write them
//! with `unnest`.

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::clocks::{Clock, Ended};
use super::texts::result_note;
use crate::cases::{ClosingResult, Confidentiality, Escalation, GoalResult, Performer, Status};
use crate::db::TenantTx;

/// The rows of one batch of cases, column by column, for `unnest`.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) cases: CaseColumns,
    pub(super) leads: LeadColumns,
    pub(super) events: EventColumns,
    pub(super) members: MemberColumns,
    pub(super) clocks: ClockColumns,
    pub(super) conversations: ConversationColumns,
    pub(super) plans: PlanColumns,
    pub(super) goals: GoalColumns,
    pub(super) actions: ActionColumns,
    pub(super) contacts: ContactColumns,
    pub(super) tasks: TaskColumns,
}

#[derive(Default)]
pub(super) struct CaseColumns {
    pub(super) id: Vec<Uuid>,
    pub(super) status: Vec<String>,
    pub(super) lead_id: Vec<Option<Uuid>>,
    pub(super) coordinator_id: Vec<Option<Uuid>>,
    pub(super) escalation: Vec<String>,
    pub(super) confidentiality: Vec<String>,
    pub(super) closing_result: Vec<Option<String>>,
    pub(super) closed_at: Vec<Option<OffsetDateTime>>,
}

impl CaseColumns {
    /// A case's escalation comes with its coordinator; a closed one with its result and time.
    pub(super) fn push(
        &mut self,
        id: Uuid,
        status: Status,
        lead: Option<Uuid>,
        (escalation, coordinator): (Escalation, Option<Uuid>),
        confidentiality: Confidentiality,
        closed: Option<(ClosingResult, OffsetDateTime)>,
    ) {
        self.id.push(id);
        self.status.push(status.code().to_owned());
        self.lead_id.push(lead);
        self.coordinator_id.push(coordinator);
        self.escalation.push(escalation.code().to_owned());
        self.confidentiality.push(confidentiality.code().to_owned());
        self.closing_result
            .push(closed.map(|(result, _)| result.code().to_owned()));
        self.closed_at.push(closed.map(|(_, at)| at));
    }
}

#[derive(Default)]
pub(super) struct LeadColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) user_id: Vec<Uuid>,
    pub(super) assigned_by: Vec<Uuid>,
    pub(super) started_at: Vec<OffsetDateTime>,
    pub(super) ended_at: Vec<Option<OffsetDateTime>>,
    pub(super) handover_note: Vec<String>,
}

impl LeadColumns {
    pub(super) fn push(
        &mut self,
        case_id: Uuid,
        user_id: Uuid,
        assigned_by: Uuid,
        started_at: OffsetDateTime,
        ended_at: Option<OffsetDateTime>,
        handover_note: &str,
    ) {
        self.case_id.push(case_id);
        self.user_id.push(user_id);
        self.assigned_by.push(assigned_by);
        self.started_at.push(started_at);
        self.ended_at.push(ended_at);
        self.handover_note.push(handover_note.to_owned());
    }
}

#[derive(Default)]
pub(super) struct EventColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) kind: Vec<String>,
    pub(super) from_value: Vec<String>,
    pub(super) to_value: Vec<String>,
    pub(super) reason: Vec<String>,
    pub(super) actor_id: Vec<Uuid>,
    pub(super) occurred_at: Vec<OffsetDateTime>,
}

impl EventColumns {
    /// `change` is (kind, from, to).
    pub(super) fn push(
        &mut self,
        case_id: Uuid,
        change: (&str, &str, &str),
        reason: &str,
        actor: Uuid,
        at: OffsetDateTime,
    ) {
        let (kind, from, to) = change;
        self.case_id.push(case_id);
        self.kind.push(kind.to_owned());
        self.from_value.push(from.to_owned());
        self.to_value.push(to.to_owned());
        self.reason.push(reason.to_owned());
        self.actor_id.push(actor);
        self.occurred_at.push(at);
    }
}

#[derive(Default)]
pub(super) struct MemberColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) user_id: Vec<Uuid>,
    pub(super) added_by: Vec<Uuid>,
    pub(super) added_at: Vec<OffsetDateTime>,
}

impl MemberColumns {
    pub(super) fn push(&mut self, case_id: Uuid, user_id: Uuid, added_by: Uuid, added_at: OffsetDateTime) {
        self.case_id.push(case_id);
        self.user_id.push(user_id);
        self.added_by.push(added_by);
        self.added_at.push(added_at);
    }
}

#[derive(Default)]
pub(super) struct ClockColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) kind: Vec<String>,
    pub(super) started_on: Vec<Date>,
    pub(super) statutory_due_on: Vec<Date>,
    pub(super) due_on: Vec<Date>,
    pub(super) paused_on: Vec<Option<Date>>,
    pub(super) pause_reason: Vec<Option<String>>,
    pub(super) resumed_on: Vec<Option<Date>>,
    pub(super) extended_weeks: Vec<i32>,
    pub(super) extension_reason: Vec<Option<String>>,
    pub(super) completed_on: Vec<Option<Date>>,
    pub(super) stopped_on: Vec<Option<Date>>,
}

impl ClockColumns {
    /// `pause` is (paused on, reason).
    pub(super) fn push(
        &mut self,
        case_id: Uuid,
        clock: &Clock,
        pause: Option<(Date, &str)>,
        due_on: Date,
        resumed_on: Option<Date>,
        ended: Option<Ended>,
    ) {
        self.case_id.push(case_id);
        self.kind.push(clock.kind.code().to_owned());
        self.started_on.push(clock.started_on);
        self.statutory_due_on.push(clock.statutory_due_on);
        self.due_on.push(due_on);
        self.paused_on.push(pause.map(|(from, _)| from));
        self.pause_reason.push(pause.map(|(_, reason)| reason.to_owned()));
        self.resumed_on.push(resumed_on);
        self.extended_weeks
            .push(if clock.extension.is_some() { 2 } else { 0 });
        self.extension_reason.push(clock.extension.map(str::to_owned));
        self.completed_on.push(match ended {
            Some(Ended::Completed(on)) => Some(on),
            _ => None,
        });
        self.stopped_on.push(match ended {
            Some(Ended::Stopped(on)) => Some(on),
            _ => None,
        });
    }
}

#[derive(Default)]
pub(super) struct ConversationColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) planned_at: Vec<OffsetDateTime>,
    pub(super) place: Vec<String>,
    pub(super) participants: Vec<String>,
    pub(super) report_on: Vec<Option<Date>>,
    pub(super) housing: Vec<String>,
    pub(super) finances: Vec<String>,
    pub(super) health: Vec<String>,
    pub(super) social_network: Vec<String>,
    pub(super) daytime: Vec<String>,
    pub(super) parenting: Vec<String>,
    pub(super) safety: Vec<String>,
    pub(super) wishes: Vec<String>,
    pub(super) recorded_by: Vec<Option<Uuid>>,
    pub(super) recorded_at: Vec<Option<OffsetDateTime>>,
    pub(super) created_by: Vec<Uuid>,
    pub(super) created_at: Vec<OffsetDateTime>,
}

#[derive(Default)]
pub(super) struct PlanColumns {
    pub(super) id: Vec<Uuid>,
    pub(super) case_id: Vec<Uuid>,
    pub(super) version: Vec<i32>,
    pub(super) agreed_on: Vec<Option<Date>>,
    pub(super) evaluation_on: Vec<Option<Date>>,
    pub(super) updated_by: Vec<Uuid>,
    pub(super) updated_at: Vec<OffsetDateTime>,
}

impl PlanColumns {
    pub(super) fn push(
        &mut self,
        id: Uuid,
        case_id: Uuid,
        (version, agreed_on, evaluation_on): (i32, Option<Date>, Option<Date>),
        (updated_by, updated_at): (Uuid, OffsetDateTime),
    ) {
        self.id.push(id);
        self.case_id.push(case_id);
        self.version.push(version);
        self.agreed_on.push(agreed_on);
        self.evaluation_on.push(evaluation_on);
        self.updated_by.push(updated_by);
        self.updated_at.push(updated_at);
    }
}

#[derive(Default)]
pub(super) struct GoalColumns {
    pub(super) id: Vec<Uuid>,
    pub(super) plan_id: Vec<Uuid>,
    pub(super) position: Vec<i32>,
    pub(super) description: Vec<String>,
    pub(super) result: Vec<Option<String>>,
    pub(super) result_note: Vec<String>,
}

impl GoalColumns {
    pub(super) fn push(
        &mut self,
        id: Uuid,
        plan_id: Uuid,
        position: i32,
        description: &str,
        result: Option<GoalResult>,
    ) {
        self.id.push(id);
        self.plan_id.push(plan_id);
        self.position.push(position);
        self.description.push(description.to_owned());
        self.result.push(result.map(|result| result.code().to_owned()));
        self.result_note.push(result.map_or("", result_note).to_owned());
    }
}

#[derive(Default)]
pub(super) struct ActionColumns {
    pub(super) goal_id: Vec<Uuid>,
    pub(super) description: Vec<String>,
    pub(super) performer: Vec<String>,
    pub(super) performer_name: Vec<String>,
    pub(super) target_on: Vec<Option<Date>>,
}

impl ActionColumns {
    pub(super) fn push(
        &mut self,
        goal_id: Uuid,
        description: &str,
        performer: Performer,
        performer_name: &str,
        target_on: Option<Date>,
    ) {
        self.goal_id.push(goal_id);
        self.description.push(description.to_owned());
        self.performer.push(performer.code().to_owned());
        self.performer_name.push(performer_name.to_owned());
        self.target_on.push(target_on);
    }
}

#[derive(Default)]
pub(super) struct ContactColumns {
    pub(super) resident_id: Vec<Uuid>,
    pub(super) name: Vec<String>,
    pub(super) role: Vec<String>,
    pub(super) phone: Vec<String>,
    pub(super) email: Vec<String>,
    pub(super) relation: Vec<String>,
    pub(super) created_by: Vec<Uuid>,
    pub(super) created_at: Vec<OffsetDateTime>,
    pub(super) removed_at: Vec<Option<OffsetDateTime>>,
}

#[derive(Default)]
pub(super) struct TaskColumns {
    pub(super) case_id: Vec<Uuid>,
    pub(super) title: Vec<String>,
    pub(super) assignee_id: Vec<Uuid>,
    pub(super) due_on: Vec<Date>,
    pub(super) done_at: Vec<Option<OffsetDateTime>>,
    pub(super) done_by: Vec<Option<Uuid>>,
    pub(super) outcome: Vec<String>,
    pub(super) created_at: Vec<OffsetDateTime>,
}

impl Batch {
    pub(super) async fn insert(&self, tx: &mut TenantTx) -> sqlx::Result<()> {
        let tenant = tx.tenant_id();
        let c = &self.cases;
        sqlx::query!(
            "UPDATE cases c SET status = u.status, lead_id = u.lead_id, coordinator_id = u.coordinator_id,
                    escalation = u.escalation, confidentiality = u.confidentiality,
                    closing_result = u.closing_result, closed_at = u.closed_at, updated_by = u.lead_id
             FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                         $9::timestamptz[])
                 AS u(id, status, lead_id, coordinator_id, escalation, confidentiality, closing_result, closed_at)
             WHERE c.tenant_id = $1 AND c.id = u.id",
            tenant,
            &c.id,
            &c.status,
            &c.lead_id as &[Option<Uuid>],
            &c.coordinator_id as &[Option<Uuid>],
            &c.escalation,
            &c.confidentiality,
            &c.closing_result as &[Option<String>],
            &c.closed_at as &[Option<OffsetDateTime>]
        )
        .execute(&mut **tx)
        .await?;
        let l = &self.leads;
        sqlx::query!(
            "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by, started_at, ended_at, handover_note)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[],
                                      $7::text[])",
            tenant,
            &l.case_id,
            &l.user_id,
            &l.assigned_by,
            &l.started_at,
            &l.ended_at as &[Option<OffsetDateTime>],
            &l.handover_note
        )
        .execute(&mut **tx)
        .await?;
        let e = &self.events;
        sqlx::query!(
            "INSERT INTO case_events (tenant_id, case_id, kind, from_value, to_value, reason, actor_id, occurred_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                                      $8::timestamptz[])",
            tenant,
            &e.case_id,
            &e.kind,
            &e.from_value,
            &e.to_value,
            &e.reason,
            &e.actor_id,
            &e.occurred_at
        )
        .execute(&mut **tx)
        .await?;
        let m = &self.members;
        sqlx::query!(
            "INSERT INTO case_members (tenant_id, case_id, user_id, added_by, added_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[])
             ON CONFLICT DO NOTHING",
            tenant,
            &m.case_id,
            &m.user_id,
            &m.added_by,
            &m.added_at
        )
        .execute(&mut **tx)
        .await?;
        let k = &self.clocks;
        // Triage may already have started a case's clocks; those stay as they are.
        sqlx::query!(
            "INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on, paused_on,
                                      pause_reason, resumed_on, extended_weeks, extension_reason, completed_on,
                                      stopped_on)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::date[], $5::date[], $6::date[], $7::date[],
                                      $8::text[], $9::date[], $10::int4[], $11::text[], $12::date[], $13::date[])
             ON CONFLICT (tenant_id, case_id, kind) DO NOTHING",
            tenant,
            &k.case_id,
            &k.kind,
            &k.started_on,
            &k.statutory_due_on,
            &k.due_on,
            &k.paused_on as &[Option<Date>],
            &k.pause_reason as &[Option<String>],
            &k.resumed_on as &[Option<Date>],
            &k.extended_weeks,
            &k.extension_reason as &[Option<String>],
            &k.completed_on as &[Option<Date>],
            &k.stopped_on as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        let v = &self.conversations;
        sqlx::query!(
            "INSERT INTO conversations (tenant_id, case_id, planned_at, place, participants, report_on, housing,
                                        finances, health, social_network, daytime, parenting, safety, wishes,
                                        recorded_by, recorded_at, created_by, created_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::date[],
                                      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                                      $13::text[], $14::text[], $15::uuid[], $16::timestamptz[], $17::uuid[],
                                      $18::timestamptz[])",
            tenant,
            &v.case_id,
            &v.planned_at,
            &v.place,
            &v.participants,
            &v.report_on as &[Option<Date>],
            &v.housing,
            &v.finances,
            &v.health,
            &v.social_network,
            &v.daytime,
            &v.parenting,
            &v.safety,
            &v.wishes,
            &v.recorded_by as &[Option<Uuid>],
            &v.recorded_at as &[Option<OffsetDateTime>],
            &v.created_by,
            &v.created_at
        )
        .execute(&mut **tx)
        .await?;
        let p = &self.plans;
        sqlx::query!(
            "INSERT INTO support_plans (tenant_id, id, case_id, version, agreed_on, evaluation_on, updated_by,
                                        updated_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int4[], $5::date[], $6::date[], $7::uuid[],
                                      $8::timestamptz[])",
            tenant,
            &p.id,
            &p.case_id,
            &p.version,
            &p.agreed_on as &[Option<Date>],
            &p.evaluation_on as &[Option<Date>],
            &p.updated_by,
            &p.updated_at
        )
        .execute(&mut **tx)
        .await?;
        let g = &self.goals;
        sqlx::query!(
            "INSERT INTO plan_goals (tenant_id, id, plan_id, position, description, result, result_note)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int4[], $5::text[], $6::text[], $7::text[])",
            tenant,
            &g.id,
            &g.plan_id,
            &g.position,
            &g.description,
            &g.result as &[Option<String>],
            &g.result_note
        )
        .execute(&mut **tx)
        .await?;
        let a = &self.actions;
        sqlx::query!(
            "INSERT INTO plan_actions (tenant_id, goal_id, description, performer, performer_name, target_on)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[])",
            tenant,
            &a.goal_id,
            &a.description,
            &a.performer,
            &a.performer_name,
            &a.target_on as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        let n = &self.contacts;
        sqlx::query!(
            "INSERT INTO network_contacts (tenant_id, resident_id, name, role, phone, email, relation, created_by,
                                           created_at, removed_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::uuid[], $9::timestamptz[], $10::timestamptz[])",
            tenant,
            &n.resident_id,
            &n.name,
            &n.role,
            &n.phone,
            &n.email,
            &n.relation,
            &n.created_by,
            &n.created_at,
            &n.removed_at as &[Option<OffsetDateTime>]
        )
        .execute(&mut **tx)
        .await?;
        let t = &self.tasks;
        sqlx::query!(
            "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on, done_at, done_by, outcome,
                                created_by, created_at)
             SELECT $1, 'case', u.case_id, u.title, u.assignee_id, u.due_on, u.done_at, u.done_by, u.outcome,
                    u.assignee_id, u.created_at
             FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::date[], $6::timestamptz[], $7::uuid[], $8::text[],
                         $9::timestamptz[])
                 AS u(case_id, title, assignee_id, due_on, done_at, done_by, outcome, created_at)",
            tenant,
            &t.case_id,
            &t.title,
            &t.assignee_id,
            &t.due_on,
            &t.done_at as &[Option<OffsetDateTime>],
            &t.done_by as &[Option<Uuid>],
            &t.outcome,
            &t.created_at
        )
        .execute(&mut **tx)
        .await?;
        // The queue's deadline: the earliest clock that is running (not ended, not paused).
        sqlx::query!(
            "UPDATE cases c SET next_deadline = (
                 SELECT min(k.due_on) FROM case_clocks k
                 WHERE k.tenant_id = c.tenant_id AND k.case_id = c.id AND k.completed_on IS NULL
                   AND k.stopped_on IS NULL AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL))
             WHERE c.tenant_id = $1 AND c.id = ANY ($2)",
            tenant,
            &c.id
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
