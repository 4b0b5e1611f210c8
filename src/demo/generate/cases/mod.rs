//! Made-up case handling for the cases the intake opened. Each case gets a history that fits
//! its age: old cases are mostly closed, recent ones still wait for a lead, the rest are
//! somewhere in between, with their leads, status events, statutory clocks, kitchen-table
//! conversation, support plan, network and to-do items; its journal is only specified here.

mod clocks;
mod records;
mod rows;
mod texts;

use std::collections::HashSet;

use indicatif::ProgressBar;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::Sampler;
use super::journal::JournalSpec;
use crate::calendar::WorkingCalendar;
use crate::cases::{ClockKind, ClosingResult, Confidentiality, Escalation, Status};
use crate::db::TenantTx;
use crate::intake::values::Urgency;
use crate::shared::choices::Domain;
use clocks::{Clock, Ended};
use records::Judged;
use rows::Batch;
use texts::{CONFIDENTIALITY_REASONS, ESCALATION_REASONS, HANDOVER_NOTES, SAFETY_REASONS, closing_reason};

/// Cases planned and written per batch.
const BATCH: usize = 2_000;

struct Staff {
    id: Uuid,
    name: String,
    manager: bool,
}

/// A case as the intake opened it, with what its request said.
pub(super) struct Case {
    id: Uuid,
    resident_id: Option<Uuid>,
    urgency: String,
    created_at: OffsetDateTime,
    received_on: Date,
    wmo_deadline: Option<Date>,
    jeugd_deadline: Option<Date>,
    domain: String,
}

impl Case {
    fn urgency(&self) -> Urgency {
        Urgency::parse(&self.urgency).unwrap_or(Urgency::Normal)
    }

    /// The request's (first) life domain.
    fn domain(&self) -> Domain {
        Domain::parse(&self.domain).unwrap_or(Domain::Overig)
    }
}

/// The cases the intake opened and nobody has touched since, oldest first.
pub(super) async fn untouched(tx: &mut TenantTx) -> sqlx::Result<Vec<Case>> {
    sqlx::query_as!(
        Case,
        r#"SELECT c.id, c.resident_id, c.urgency, c.created_at,
                  (q.received_at AT TIME ZONE 'Europe/Amsterdam')::date AS "received_on!",
                  q.wmo_deadline, q.jeugd_deadline, q.domains[1] AS "domain!"
           FROM cases c JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
           WHERE c.tenant_id = $1 AND c.status = 'aangemeld' AND c.lead_id IS NULL
             AND NOT EXISTS (SELECT FROM case_events e WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id)
             AND NOT EXISTS (SELECT FROM journal_entries j WHERE j.tenant_id = c.tenant_id AND j.case_id = c.id)
           ORDER BY c.created_at, c.id"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Gives `cases` a history up to `today` and returns the specification of their journals.
pub(super) async fn add(
    tx: &mut TenantTx,
    sampler: &mut Sampler,
    cases: &[Case],
    today: Date,
    bar: &ProgressBar,
) -> sqlx::Result<Vec<JournalSpec>> {
    let staff = sqlx::query_as!(
        Staff,
        r#"SELECT id, name, 'process_manager' = ANY (roles) AS "manager!" FROM users
           WHERE tenant_id = $1 AND active AND roles && ARRAY['professional', 'process_manager']
           ORDER BY email"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    // A resident whose network was mapped before (another case, an earlier run) keeps it.
    let mapped = sqlx::query_scalar!(
        "SELECT DISTINCT resident_id FROM network_contacts WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let now = sqlx::query_scalar!(r#"SELECT now() AS "now!""#)
        .fetch_one(&mut **tx)
        .await?;
    let calendar = crate::admin::working_calendar(tx).await?;
    let mut planner = Planner {
        sampler,
        staff,
        now,
        today,
        calendar,
        residents_mapped: mapped.into_iter().collect(),
        journals: Vec::with_capacity(cases.len()),
    };
    let mut done = 0;
    for chunk in cases.chunks(BATCH) {
        let mut batch = Batch::default();
        for case in chunk {
            planner.plan(case, &mut batch);
        }
        batch.insert(tx).await?;
        done += chunk.len();
        bar.set_position(done as u64);
    }
    Ok(planner.journals)
}

/// How much a case in this status has been written about, relative to its duration.
fn journal_factor(status: Status) -> f64 {
    match status {
        Status::Registered => 0.2,
        Status::Investigating => 0.9,
        Status::PlanAgreed => 1.0,
        Status::InProgress => 1.2,
        Status::Evaluating => 1.3,
        Status::Closed => 1.0,
    }
}

/// The choices for one case at a time; rows go into a [`Batch`], journal entries are only
/// specified here and written once every case's share is known.
struct Planner<'s> {
    sampler: &'s mut Sampler,
    staff: Vec<Staff>,
    now: OffsetDateTime,
    today: Date,
    /// The cooperative's working days, on which to-do items fall due.
    calendar: WorkingCalendar,
    residents_mapped: HashSet<Uuid>,
    journals: Vec<JournalSpec>,
}

impl Planner<'_> {
    /// A moment during office hours on `date` (07:00–15:30 UTC, so 08:00–17:30 in Amsterdam).
    fn office_time(&mut self, date: Date) -> OffsetDateTime {
        date.midnight().assume_utc() + Duration::minutes(self.sampler.between(7 * 60, 15 * 60 + 30))
    }

    /// A moment during office hours, `low` to `high` days after `day`.
    fn office_time_after(&mut self, day: Date, low: i64, high: i64) -> OffsetDateTime {
        let days = self.sampler.between(low, high);
        self.office_time(day + Duration::days(days))
    }

    /// A moment between `from` and `to`, during office hours unless on their edges.
    fn moment(&mut self, from: OffsetDateTime, to: OffsetDateTime) -> OffsetDateTime {
        let days = (to.date() - from.date()).whole_days().max(0);
        let day = from.date() + Duration::days(self.sampler.between(0, days));
        self.office_time(day).max(from).min(to)
    }

    fn staff_other_than(&mut self, id: Uuid) -> Option<Uuid> {
        let others: Vec<Uuid> = self.staff.iter().map(|s| s.id).filter(|&s| s != id).collect();
        (!others.is_empty()).then(|| others[self.sampler.below(others.len())])
    }

    fn manager(&mut self) -> Option<Uuid> {
        let managers: Vec<Uuid> = self.staff.iter().filter(|s| s.manager).map(|s| s.id).collect();
        (!managers.is_empty()).then(|| managers[self.sampler.below(managers.len())])
    }

    fn plan(&mut self, case: &Case, batch: &mut Batch) {
        let now = self.now;
        let urgency = case.urgency();
        let crisis = urgency == Urgency::Crisis;
        let clocks: Vec<Clock> = [
            (ClockKind::WmoInvestigation, case.wmo_deadline),
            (ClockKind::JeugdDecision, case.jeugd_deadline),
        ]
        .into_iter()
        .filter_map(|(kind, due)| due.map(|due| self.clock(kind, case.received_on, due)))
        .collect();

        // The case's course: assigned after a wait, the plan agreed around the statutory due
        // date (mostly in time), carried out for months, evaluated and closed; some close early.
        let wait = match urgency {
            Urgency::Crisis => 0,
            Urgency::Urgent => self.sampler.between(0, 2),
            // The waiting list.
            Urgency::Normal if self.sampler.percent(15) => self.sampler.between(14, 45),
            Urgency::Normal => self.sampler.between(1, 12),
        };
        let soonest = case.created_at + Duration::minutes(self.sampler.between(20, 180));
        let assigned = if crisis {
            soonest
        } else {
            self.office_time(case.created_at.date() + Duration::days(wait))
                .max(soonest)
        };
        let mut planned = match clocks.iter().map(Clock::due_on).min() {
            Some(due) => {
                let offset = if self.sampler.percent(85) {
                    -self.sampler.between(0, 21)
                } else {
                    self.sampler.between(1, 21)
                };
                self.office_time(due + Duration::days(offset))
            }
            None => self.office_time_after(assigned.date(), 14, 56),
        };
        planned = planned.max(assigned + Duration::days(7));
        if let Some(resumed) = clocks.iter().filter_map(|c| c.pause.map(|p| p.1)).max() {
            planned = planned.max(self.office_time(resumed + Duration::days(1)));
        }
        let executing = self.office_time_after(planned.date(), 1, 14);
        let evaluating = self.office_time_after(executing.date(), 60, 240);
        let closing = self.office_time_after(evaluating.date(), 5, 40);
        let course = self.sampler.below(100);
        let mut steps = vec![(Status::Investigating, assigned)];
        let result = if course < 7 {
            steps.push((Status::Closed, self.moment(assigned + Duration::days(1), planned)));
            *self.sampler.pick(&[
                ClosingResult::HelpedElsewhere,
                ClosingResult::StoppedOnRequest,
                ClosingResult::Moved,
                ClosingResult::Other,
            ])
        } else if course < 15 {
            steps.push((Status::PlanAgreed, planned));
            steps.push((Status::InProgress, executing));
            steps.push((
                Status::Closed,
                self.moment(executing + Duration::days(1), evaluating),
            ));
            *self.sampler.pick(&[
                ClosingResult::Moved,
                ClosingResult::Died,
                ClosingResult::StoppedOnRequest,
                ClosingResult::HelpedElsewhere,
            ])
        } else {
            steps.push((Status::PlanAgreed, planned));
            steps.push((Status::InProgress, executing));
            steps.push((Status::Evaluating, evaluating));
            steps.push((Status::Closed, closing));
            if self.sampler.percent(85) {
                ClosingResult::GoalReached
            } else {
                *self.sampler.pick(&[
                    ClosingResult::HelpedElsewhere,
                    ClosingResult::StoppedOnRequest,
                    ClosingResult::Other,
                ])
            }
        };
        steps.retain(|&(_, at)| at <= now);

        let Some(&(status, last_step)) = steps.last().filter(|_| !self.staff.is_empty()) else {
            self.plan_registered(case, clocks, batch);
            return;
        };
        let reached = |wanted: Status| steps.iter().any(|&(s, _)| s == wanted);
        let closed_at = (status == Status::Closed).then_some(last_step);
        let end = closed_at.unwrap_or(now);

        // Leads: one, sometimes after a handover from another.
        let first_index = self.sampler.below(self.staff.len());
        let first = self.staff[first_index].id;
        let handover = if self.sampler.percent(6)
            && let Some(next) = self.staff_other_than(first)
        {
            let at = self.moment(
                assigned + (end - assigned) * 0.3,
                assigned + (end - assigned) * 0.7,
            );
            Some((at, next))
        } else {
            None
        };
        let lead = handover.map_or(first, |(_, next)| next);
        let assigner = self.manager().unwrap_or(first);
        let actor_at = |at: OffsetDateTime| match handover {
            Some((handed_over, next)) if at >= handed_over => next,
            _ => first,
        };
        match handover {
            Some((at, next)) => {
                let note = *self.sampler.pick(HANDOVER_NOTES);
                batch
                    .leads
                    .push(case.id, first, assigner, assigned, Some(at), note);
                batch.leads.push(case.id, next, assigner, at, None, "");
            }
            None => batch.leads.push(case.id, first, assigner, assigned, None, ""),
        }

        let mut from = Status::Registered;
        for &(to, at) in &steps {
            let actor = if to == Status::Investigating {
                assigner
            } else {
                actor_at(at)
            };
            let reason = if to == Status::Closed {
                closing_reason(result)
            } else {
                ""
            };
            batch
                .events
                .push(case.id, ("status", from.code(), to.code()), reason, actor, at);
            from = to;
        }

        let mut escalation = Escalation::Normal;
        let mut coordinator = None;
        if self.sampler.percent(if crisis { 35 } else { 6 }) {
            let at = self.moment(assigned, assigned + (end - assigned) * 0.6);
            let safety = self.sampler.percent(if crisis { 50 } else { 20 });
            match self.manager().filter(|_| safety) {
                Some(manager) => {
                    escalation = Escalation::CareAndSafety;
                    coordinator = Some(manager);
                    let reason = *self.sampler.pick(SAFETY_REASONS);
                    let change = ("escalation", Escalation::Normal.code(), escalation.code());
                    batch.events.push(case.id, change, reason, manager, at);
                }
                None => {
                    escalation = Escalation::Raised;
                    let reason = *self.sampler.pick(ESCALATION_REASONS);
                    let change = ("escalation", Escalation::Normal.code(), escalation.code());
                    batch.events.push(case.id, change, reason, actor_at(at), at);
                }
            }
        }

        let confidentiality = match self.sampler.below(100) {
            0..8 => Confidentiality::Confidential,
            8..10 => Confidentiality::HighlyConfidential,
            _ => Confidentiality::Normal,
        };
        if confidentiality != Confidentiality::Normal {
            let at = self.moment(assigned, (assigned + Duration::days(14)).min(end));
            let reason = *self.sampler.pick(CONFIDENTIALITY_REASONS);
            let change = (
                "confidentiality",
                Confidentiality::Normal.code(),
                confidentiality.code(),
            );
            batch.events.push(case.id, change, reason, actor_at(at), at);
            // Only the lead and the professionals named on the case may open it.
            if confidentiality == Confidentiality::HighlyConfidential
                && let Some(member) = self.staff_other_than(lead)
            {
                batch.members.push(case.id, member, actor_at(at), at);
            }
        }

        batch.cases.push(
            case.id,
            status,
            Some(lead),
            (escalation, coordinator),
            confidentiality,
            closed_at.map(|at| (result, at)),
        );

        // The investigation's clocks are done when the plan is agreed; closing first stops them.
        let ended = if reached(Status::PlanAgreed) {
            Some(Ended::Completed(planned.date()))
        } else {
            closed_at.map(|at| Ended::Stopped(at.date()))
        };
        for clock in clocks {
            self.settle_clock(case.id, clock, ended, batch);
        }

        // The kitchen-table conversation, a few days after assignment and before the plan.
        let talk_at = if crisis {
            assigned + Duration::hours(self.sampler.between(2, 48))
        } else {
            self.office_time_after(assigned.date(), 2, 12)
        }
        .min(planned - Duration::days(1));
        if closed_at.is_none_or(|closed| talk_at <= closed) {
            let created = (assigned + Duration::minutes(self.sampler.between(10, 120))).min(talk_at);
            let recorded = (talk_at <= now).then(|| {
                let written = self.moment(talk_at, talk_at + Duration::days(2));
                written.min(end).max(talk_at)
            });
            self.plan_conversation(
                case,
                talk_at,
                recorded,
                actor_at,
                (actor_at(created), created),
                batch,
            );
        }

        if reached(Status::PlanAgreed) {
            let (version, agreed) = if reached(Status::InProgress)
                && executing + Duration::days(45) < end
                && self.sampler.percent(15)
            {
                (2, self.moment(executing + Duration::days(45), end))
            } else {
                (1, planned)
            };
            let evaluation_on =
                agreed.date() + Duration::days(if self.sampler.percent(50) { 91 } else { 182 });
            let judged = match status {
                Status::Closed => Some(Judged::Closed(result)),
                Status::Evaluating => Some(Judged::Evaluating),
                _ => None,
            };
            self.plan_support(
                case,
                (version, Some(agreed.date()), Some(evaluation_on)),
                (actor_at(agreed), agreed),
                judged,
                batch,
            );
        } else if status == Status::Investigating && self.sampler.percent(30) {
            let drafted = self.moment(assigned, now);
            self.plan_support(case, (0, None, None), (actor_at(drafted), drafted), None, batch);
        }

        if let Some(resident) = case.resident_id
            && self.residents_mapped.insert(resident)
        {
            for _ in 0..1 + self.sampler.below(4) {
                let at = self.moment(assigned, (assigned + Duration::days(10)).min(end));
                self.plan_contact(resident, actor_at(at), at, end, batch);
            }
        }

        if status != Status::Closed {
            for _ in 0..self.sampler.below(4) {
                self.plan_task(case.id, lead, assigned, batch);
            }
        }

        // Some open cases have gone quiet: nothing written for over a month.
        let mut last_at = end;
        if status != Status::Closed && self.sampler.percent(12) {
            let quiet = self.office_time_after(self.today, -90, -31);
            if quiet > assigned + Duration::days(7) {
                last_at = quiet;
            }
        }
        let weight = journal_factor(status)
            * ((last_at - case.created_at).as_seconds_f64() / 86_400.0 + 30.0)
            * (0.6 + 0.8 * self.sampler.unit());
        self.journals.push(JournalSpec {
            case_id: case.id,
            weight,
            first_at: case.created_at,
            last_at,
            author: lead,
            earlier: handover.map(|(at, _)| (first, at)),
            seed: self.sampler.next_u64() as i64,
            domain: case.domain(),
        });
    }

    /// A case still waiting for a lead: its clocks run, and someone may have noted something.
    fn plan_registered(&mut self, case: &Case, clocks: Vec<Clock>, batch: &mut Batch) {
        batch.cases.push(
            case.id,
            Status::Registered,
            None,
            (Escalation::Normal, None),
            Confidentiality::Normal,
            None,
        );
        for clock in clocks {
            self.settle_clock(case.id, clock, None, batch);
        }
        if !self.staff.is_empty() && case.created_at < self.now {
            let index = self.sampler.below(self.staff.len());
            let author = self.staff[index].id;
            let weight = journal_factor(Status::Registered)
                * ((self.now - case.created_at).as_seconds_f64() / 86_400.0 + 30.0)
                * (0.6 + 0.8 * self.sampler.unit());
            self.journals.push(JournalSpec {
                case_id: case.id,
                weight,
                first_at: case.created_at,
                last_at: self.now,
                author,
                earlier: None,
                seed: self.sampler.next_u64() as i64,
                domain: case.domain(),
            });
        }
    }
}
