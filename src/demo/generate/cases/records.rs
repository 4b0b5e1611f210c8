//! What a case's history holds besides its course: the kitchen-table conversation, the
//! support plan, the resident's network and the lead's to-do items.

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::texts::{
    CONTACTS, DAYTIME, FINANCES, HEALTH, HOUSING, PARENTING, PARTICIPANTS, PLACES, SAFETY, SOCIAL_NETWORK,
    TASK_OUTCOMES, TASKS, WISHES, actions_for, goals_for,
};
use super::{Batch, Case, Planner};
use crate::cases::{ClosingResult, GoalResult, Performer};
use crate::demo::generate::residents::{FIRST_NAMES, SURNAMES};
use crate::shared::choices::Domain;

/// How far a support plan's goals have been judged.
#[derive(Clone, Copy)]
pub(super) enum Judged {
    /// Halfway through the evaluation.
    Evaluating,
    /// At closing, with the case's result.
    Closed(ClosingResult),
}

impl Planner<'_> {
    pub(super) fn plan_conversation(
        &mut self,
        case: &Case,
        planned_at: OffsetDateTime,
        recorded: Option<OffsetDateTime>,
        actor_at: impl Fn(OffsetDateTime) -> Uuid,
        (created_by, created_at): (Uuid, OffsetDateTime),
        batch: &mut Batch,
    ) {
        let rows = &mut batch.conversations;
        rows.case_id.push(case.id);
        rows.planned_at.push(planned_at);
        rows.place.push((*self.sampler.pick(PLACES)).to_owned());
        rows.participants
            .push((*self.sampler.pick(PARTICIPANTS)).to_owned());
        rows.report_on.push(recorded.map(|_| planned_at.date()));
        let youth = matches!(case.domain(), Domain::Jeugd | Domain::Leerplicht);
        let mut text = |options: &[&str], applies: bool| {
            if recorded.is_some() && applies {
                (*self.sampler.pick(options)).to_owned()
            } else {
                String::new()
            }
        };
        rows.housing.push(text(HOUSING, true));
        rows.finances.push(text(FINANCES, true));
        rows.health.push(text(HEALTH, true));
        rows.social_network.push(text(SOCIAL_NETWORK, true));
        rows.daytime.push(text(DAYTIME, true));
        rows.parenting.push(text(PARENTING, youth));
        rows.safety.push(text(SAFETY, true));
        rows.wishes.push(text(WISHES, true));
        rows.recorded_by.push(recorded.map(&actor_at));
        rows.recorded_at.push(recorded);
        rows.created_by.push(created_by);
        rows.created_at.push(created_at);
    }

    /// A support plan with its goals and actions; once `judged`, goals have results.
    pub(super) fn plan_support(
        &mut self,
        case: &Case,
        (version, agreed_on, evaluation_on): (i32, Option<Date>, Option<Date>),
        (updated_by, updated_at): (Uuid, OffsetDateTime),
        judged: Option<Judged>,
        batch: &mut Batch,
    ) {
        let plan_id = Uuid::new_v4();
        batch.plans.push(
            plan_id,
            case.id,
            (version, agreed_on, evaluation_on),
            (updated_by, updated_at),
        );
        let lead_name = self
            .staff
            .iter()
            .find(|s| s.id == updated_by)
            .map_or("", |s| s.name.as_str())
            .to_owned();
        let goals = goals_for(case.domain());
        let actions = actions_for(case.domain());
        let first = self.sampler.below(goals.len());
        for position in 0..(1 + self.sampler.below(3)).min(goals.len()) {
            let goal_id = Uuid::new_v4();
            let result = match judged {
                None => None,
                Some(Judged::Closed(ClosingResult::GoalReached)) if self.sampler.percent(80) => {
                    Some(GoalResult::Reached)
                }
                Some(Judged::Closed(ClosingResult::GoalReached)) => Some(GoalResult::PartlyReached),
                // Halfway through the evaluation: some goals are discussed, others not yet.
                Some(Judged::Evaluating) if self.sampler.percent(50) => None,
                Some(Judged::Evaluating) => match self.sampler.below(10) {
                    0..6 => Some(GoalResult::Reached),
                    6..9 => Some(GoalResult::PartlyReached),
                    _ => Some(GoalResult::NotReached),
                },
                Some(Judged::Closed(_)) => match self.sampler.below(10) {
                    0..2 => Some(GoalResult::Reached),
                    2..5 => Some(GoalResult::PartlyReached),
                    _ => Some(GoalResult::NotReached),
                },
            };
            let description = goals[(first + position) % goals.len()];
            batch
                .goals
                .push(goal_id, plan_id, position as i32 + 1, description, result);
            let first_action = self.sampler.below(actions.len());
            for offset in 0..1 + self.sampler.below(2) {
                let (performer, description, name) = actions[(first_action + offset) % actions.len()];
                let name = if performer == Performer::Professional {
                    lead_name.as_str()
                } else {
                    name
                };
                let target_on =
                    agreed_on.map(|agreed| agreed + Duration::days(self.sampler.between(14, 120)));
                batch
                    .actions
                    .push(goal_id, description, performer, name, target_on);
            }
        }
    }

    pub(super) fn plan_contact(
        &mut self,
        resident: Uuid,
        created_by: Uuid,
        created_at: OffsetDateTime,
        end: OffsetDateTime,
        batch: &mut Batch,
    ) {
        let (relation, role, organisation) = *self.sampler.pick(CONTACTS);
        let name = if organisation.is_empty() {
            let (prefix, surname) = *self.sampler.pick(SURNAMES);
            let first = *self.sampler.pick(FIRST_NAMES);
            [first, prefix, surname]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            organisation.to_owned()
        };
        let phone = if organisation.is_empty() {
            format!("06{:08}", self.sampler.next_u64() % 100_000_000)
        } else {
            format!("033-{:07}", self.sampler.next_u64() % 10_000_000)
        };
        let email = if organisation.is_empty() {
            String::new()
        } else {
            let domain: String = organisation
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            format!("info@{domain}.example")
        };
        let removed_at = self.sampler.percent(5).then(|| self.moment(created_at, end));
        let rows = &mut batch.contacts;
        rows.resident_id.push(resident);
        rows.name.push(name);
        rows.role.push(role.to_owned());
        rows.phone.push(phone);
        rows.email.push(email);
        rows.relation.push(relation.code().to_owned());
        rows.created_by.push(created_by);
        rows.created_at.push(created_at);
        rows.removed_at.push(removed_at);
    }

    /// A task of the lead's, due on a working day around today: most past ones done, some
    /// overdue.
    pub(super) fn plan_task(
        &mut self,
        case_id: Uuid,
        lead: Uuid,
        assigned: OffsetDateTime,
        batch: &mut Batch,
    ) {
        let due_on = (self.today + Duration::days(self.sampler.between(-25, 30)))
            .max(assigned.date() + Duration::days(1));
        let due_on = self.calendar.add_working_days(due_on, 0);
        let due_at = self.office_time(due_on);
        let created_at = (due_at - Duration::days(self.sampler.between(3, 30)))
            .min(self.now)
            .max(assigned);
        let done = if due_on < self.today {
            self.sampler.percent(60)
        } else {
            self.sampler.percent(10)
        };
        let done_at = done.then(|| {
            (due_at - Duration::days(self.sampler.between(0, 3)))
                .min(self.now)
                .max(created_at)
        });
        let rows = &mut batch.tasks;
        rows.case_id.push(case_id);
        rows.title.push((*self.sampler.pick(TASKS)).to_owned());
        rows.assignee_id.push(lead);
        rows.due_on.push(due_on);
        rows.done_by.push(done_at.map(|_| lead));
        rows.outcome.push(if done {
            (*self.sampler.pick(TASK_OUTCOMES)).to_owned()
        } else {
            String::new()
        });
        rows.done_at.push(done_at);
        rows.created_at.push(created_at);
    }
}
