//! The statutory clocks of a made-up case: started at registration, now and then paused or
//! extended, stopped when the plan is agreed or the case closes.

use time::{Date, Duration};
use uuid::Uuid;

use super::texts::{EXTENSION_REASONS, PAUSE_REASONS};
use super::{Batch, Planner};
use crate::calendar::statutory_due;
use crate::cases::ClockKind;

/// A statutory clock as started, before what happened to the case settles it.
pub(super) struct Clock {
    pub(super) kind: ClockKind,
    pub(super) started_on: Date,
    pub(super) statutory_due_on: Date,
    /// (paused on, resumed on, reason)
    pub(super) pause: Option<(Date, Date, &'static str)>,
    /// The reason for two more weeks.
    pub(super) extension: Option<&'static str>,
}

impl Clock {
    /// The due date, with `paused` added and the extension if there is one; like every
    /// statutory term it runs on past a weekend or public holiday, as the application's do.
    fn due_after(&self, paused: Duration) -> Date {
        let extended = if self.extension.is_some() { 2 } else { 0 };
        statutory_due(self.statutory_due_on + paused, extended)
    }

    /// The due date once the pause, if any, is over.
    pub(super) fn due_on(&self) -> Date {
        self.due_after(self.pause.map_or(Duration::ZERO, |(from, to, _)| to - from))
    }
}

impl Planner<'_> {
    pub(super) fn clock(&mut self, kind: ClockKind, started_on: Date, statutory_due_on: Date) -> Clock {
        let pause = if self.sampler.percent(5) {
            let from = started_on + Duration::days(self.sampler.between(3, 20));
            let to = from + Duration::days(self.sampler.between(7, 28));
            Some((from, to, *self.sampler.pick(PAUSE_REASONS)))
        } else {
            None
        };
        let extension =
            (pause.is_none() && self.sampler.percent(5)).then(|| *self.sampler.pick(EXTENSION_REASONS));
        Clock {
            kind,
            started_on,
            statutory_due_on,
            pause,
            extension,
        }
    }

    /// Writes a clock as it stands once it `ended` (or today, while it runs): a pause that had
    /// not begun by then never happened; one still going then ends with the clock, or is still on.
    pub(super) fn settle_clock(
        &mut self,
        case_id: Uuid,
        clock: Clock,
        ended: Option<Ended>,
        batch: &mut Batch,
    ) {
        let end = ended.map(Ended::on);
        let horizon = end.unwrap_or(self.today);
        let pause = clock.pause.filter(|&(from, _, _)| from < horizon);
        let resumed = pause.and_then(|(_, to, _)| if to <= horizon { Some(to) } else { end });
        let paused = match (pause, resumed) {
            (Some((from, _, _)), Some(to)) => to - from,
            _ => Duration::ZERO,
        };
        let due_on = clock.due_after(paused);
        let pause = pause.map(|(from, _, reason)| (from, reason));
        batch.clocks.push(case_id, &clock, pause, due_on, resumed, ended);
    }
}

/// How a made-up clock ended.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ended {
    /// The plan was agreed: the investigation report was made, the decision taken.
    Completed(Date),
    /// The case closed first, which stops its clocks.
    Stopped(Date),
}

impl Ended {
    fn on(self) -> Date {
        match self {
            Ended::Completed(on) | Ended::Stopped(on) => on,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_made_up_clock_is_due_on_a_working_day() {
        let clock = Clock {
            kind: ClockKind::WmoInvestigation,
            started_on: date!(2026 - 10 - 30),
            statutory_due_on: date!(2026 - 12 - 11),
            pause: None,
            extension: None,
        };
        // Friday 11 December with two days paused is Sunday 13: the term runs on to Monday.
        assert_eq!(clock.due_after(Duration::days(2)), date!(2026 - 12 - 14));
        // Two weeks more from Friday 18 December is Friday 1 January: on to Monday 4 January.
        let extended = Clock {
            statutory_due_on: date!(2026 - 12 - 18),
            extension: Some("reden"),
            ..clock
        };
        assert_eq!(extended.due_after(Duration::ZERO), date!(2027 - 01 - 04));
    }
}
