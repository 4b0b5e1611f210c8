//! Statutory clocks as a chain. Wmo: the melding starts the six-week investigation term,
//! which the conversation report stops; the application (aanvraag) starts the two-week
//! decision term. Jeugd: the decision within eight weeks of the melding. A clock may be
//! paused once (opschorten: the paused days are added on resume) and extended once, up to the
//! cooperative's maximum (verlengen). Due dates follow the Algemene termijnenwet.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use uuid::Uuid;

use crate::calendar::statutory_due;
use crate::cases::ClockKind;
use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::format::json_date;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Clock {
    pub kind: String,
    #[serde(with = "json_date")]
    pub started_on: Date,
    #[serde(with = "json_date")]
    pub statutory_due_on: Date,
    #[serde(with = "json_date")]
    pub due_on: Date,
    #[serde(with = "json_date::option")]
    pub paused_on: Option<Date>,
    pub pause_reason: Option<String>,
    #[serde(with = "json_date::option")]
    pub resumed_on: Option<Date>,
    pub extended_weeks: i32,
    pub extension_reason: Option<String>,
    #[serde(with = "json_date::option")]
    pub completed_on: Option<Date>,
    /// The case was closed before the clock was: it stopped then, neither on time nor late.
    #[serde(with = "json_date::option")]
    pub stopped_on: Option<Date>,
}

/// Where a clock stands on a given day.
#[derive(Debug, PartialEq, Eq)]
pub enum ClockState {
    Running { days_left: i64 },
    Overdue { days: i64 },
    Paused,
    OnTime,
    Late { days: i64 },
    Stopped,
}

impl Clock {
    pub fn kind(&self) -> ClockKind {
        ClockKind::parse(&self.kind).unwrap_or(ClockKind::WmoInvestigation)
    }

    pub fn label_key(&self) -> String {
        self.kind().label_key()
    }

    pub fn is_paused(&self) -> bool {
        self.paused_on.is_some() && self.resumed_on.is_none()
    }

    pub fn state(&self, today: Date) -> ClockState {
        match self.completed_on {
            Some(done) if done <= self.due_on => ClockState::OnTime,
            Some(done) => ClockState::Late {
                days: (done - self.due_on).whole_days(),
            },
            None if self.stopped_on.is_some() => ClockState::Stopped,
            None if self.is_paused() => ClockState::Paused,
            None if today > self.due_on => ClockState::Overdue {
                days: (today - self.due_on).whole_days(),
            },
            None => ClockState::Running {
                days_left: (self.due_on - today).whole_days(),
            },
        }
    }

    /// Neither decided nor stopped by the closing of its case.
    pub fn is_open(&self) -> bool {
        self.completed_on.is_none() && self.stopped_on.is_none()
    }

    pub fn may_pause(&self) -> bool {
        self.is_open() && self.paused_on.is_none()
    }

    pub fn may_extend(&self) -> bool {
        self.is_open() && self.extended_weeks == 0
    }

    pub fn started(&self) -> String {
        format_date(self.started_on)
    }

    pub fn due(&self) -> String {
        format_date(self.due_on)
    }

    pub fn statutory_due(&self) -> String {
        format_date(self.statutory_due_on)
    }

    pub fn completed(&self) -> Option<String> {
        self.completed_on.map(format_date)
    }

    pub fn stopped(&self) -> Option<String> {
        self.stopped_on.map(format_date)
    }

    pub fn paused(&self) -> Option<String> {
        self.paused_on.map(format_date)
    }

    pub fn resumed(&self) -> Option<String> {
        self.resumed_on.map(format_date)
    }
}

async fn find(tx: &mut TenantTx, case_id: Uuid, kind: ClockKind) -> sqlx::Result<Option<Clock>> {
    sqlx::query_as!(
        Clock,
        "SELECT kind, started_on, statutory_due_on, due_on, paused_on, pause_reason, resumed_on, extended_weeks,
                extension_reason, completed_on, stopped_on
         FROM case_clocks WHERE tenant_id = $1 AND case_id = $2 AND kind = $3",
        tx.tenant_id(),
        case_id,
        kind.code()
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Starts the clocks of a new case from its request's terms (set when it was registered).
pub async fn start_for_request(tx: &mut TenantTx, case_id: Uuid, request_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on)
         SELECT q.tenant_id, $2, k.kind, local_time(q.received_at)::date, k.due, k.due
         FROM requests q
         CROSS JOIN LATERAL (VALUES ('wmo_investigation', q.wmo_deadline), ('jeugd_decision', q.jeugd_deadline)) AS k(kind, due)
         WHERE q.tenant_id = $1 AND q.id = $3 AND k.due IS NOT NULL
         ON CONFLICT (tenant_id, case_id, kind) DO NOTHING",
        tx.tenant_id(),
        case_id,
        request_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await
}

/// Keeps the case's nearest running due date current, for the queues.
pub async fn refresh_next_deadline(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE cases SET next_deadline = (
             SELECT min(k.due_on) FROM case_clocks k
             WHERE k.tenant_id = cases.tenant_id AND k.case_id = cases.id AND k.completed_on IS NULL
               AND k.stopped_on IS NULL AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL))
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Why a clock action was refused, as (field, message key).
pub type ClockError = (&'static str, &'static str);

/// What the case page's one clock form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStep {
    /// The Wmo application arrived: the decision term starts.
    Application,
    /// A decision was taken. The investigation clock is not stopped this way: the report of
    /// the conversation stops it.
    Decision(ClockKind),
    Pause(ClockKind),
    Resume(ClockKind),
    Extend(ClockKind),
}

impl ClockStep {
    /// The step the form's `action` names, on the clock `kind`; none for an unknown action
    /// or a clock that does not take it.
    pub fn parse(action: &str, kind: Option<ClockKind>) -> Option<ClockStep> {
        match (action, kind) {
            ("application", _) => Some(ClockStep::Application),
            ("decision", Some(kind @ (ClockKind::WmoDecision | ClockKind::JeugdDecision))) => {
                Some(ClockStep::Decision(kind))
            }
            ("pause", Some(kind)) => Some(ClockStep::Pause(kind)),
            ("resume", Some(kind)) => Some(ClockStep::Resume(kind)),
            ("extend", Some(kind)) => Some(ClockStep::Extend(kind)),
            _ => None,
        }
    }
}

/// The date a clock step happened on: given, not in the future and not before the day the
/// case's request came in (`received_on`).
pub fn step_date(date: Option<Date>, today: Date, received_on: Date) -> Result<Date, ClockError> {
    match date {
        None => Err(("date", "clock.error.date")),
        Some(d) if d > today => Err(("date", "clock.error.future")),
        Some(d) if d < received_on => Err(("date", "case.error.before_request")),
        Some(d) => Ok(d),
    }
}

/// Takes one step on the case's clocks on `on`; `weeks` is how long an extension lasts.
pub async fn take_step(
    tx: &mut TenantTx,
    case_id: Uuid,
    step: ClockStep,
    on: Date,
    reason: &str,
    weeks: i32,
) -> sqlx::Result<Result<(), ClockError>> {
    match step {
        ClockStep::Application => {
            let weeks = sqlx::query_scalar!(
                "SELECT wmo_decision_weeks FROM tenant_settings WHERE tenant_id = $1",
                tx.tenant_id()
            )
            .fetch_one(&mut **tx)
            .await?;
            start_decision(tx, case_id, on, weeks as u32).await
        }
        ClockStep::Decision(kind) => Ok(if complete(tx, case_id, kind, on).await? {
            Ok(())
        } else {
            Err(("kind", "clock.error.unknown"))
        }),
        ClockStep::Pause(kind) => pause(tx, case_id, kind, on, reason).await,
        ClockStep::Resume(kind) => resume(tx, case_id, kind, on).await,
        ClockStep::Extend(kind) => {
            let max = sqlx::query_scalar!(
                "SELECT max_extension_weeks FROM tenant_settings WHERE tenant_id = $1",
                tx.tenant_id()
            )
            .fetch_one(&mut **tx)
            .await?;
            extend(tx, case_id, kind, weeks, reason, max).await
        }
    }
}

/// Stops a clock: the report, or the decision, is done on `on`.
pub async fn complete(tx: &mut TenantTx, case_id: Uuid, kind: ClockKind, on: Date) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE case_clocks SET completed_on = $4
         WHERE tenant_id = $1 AND case_id = $2 AND kind = $3 AND completed_on IS NULL AND stopped_on IS NULL",
        tx.tenant_id(),
        case_id,
        kind.code(),
        on
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await?;
    Ok(done.rows_affected() == 1)
}

/// The case closed on `on`: every clock still open stops, paused or not.
pub async fn stop_all(tx: &mut TenantTx, case_id: Uuid, on: Date) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE case_clocks SET stopped_on = greatest(started_on, $3)
         WHERE tenant_id = $1 AND case_id = $2 AND completed_on IS NULL AND stopped_on IS NULL",
        tx.tenant_id(),
        case_id,
        on
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await
}

/// The case was reopened: the clocks its closing stopped run again, towards the due dates they
/// had (the days it stood closed are not added, as they are for a pause).
pub async fn restart_stopped(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE case_clocks SET stopped_on = NULL WHERE tenant_id = $1 AND case_id = $2 AND stopped_on IS NOT NULL",
        tx.tenant_id(),
        case_id
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await
}

/// The Wmo application arrived on `on`: the decision term starts.
pub async fn start_decision(
    tx: &mut TenantTx,
    case_id: Uuid,
    on: Date,
    weeks: u32,
) -> sqlx::Result<Result<(), ClockError>> {
    let due = statutory_due(on, weeks);
    let started = sqlx::query!(
        "INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on)
         VALUES ($1, $2, 'wmo_decision', $3, $4, $4) ON CONFLICT (tenant_id, case_id, kind) DO NOTHING",
        tx.tenant_id(),
        case_id,
        on,
        due
    )
    .execute(&mut **tx)
    .await?;
    if started.rows_affected() == 0 {
        return Ok(Err(("date", "clock.error.already_started")));
    }
    refresh_next_deadline(tx, case_id).await?;
    Ok(Ok(()))
}

/// Opschorten: once per clock, with a reason.
pub async fn pause(
    tx: &mut TenantTx,
    case_id: Uuid,
    kind: ClockKind,
    on: Date,
    reason: &str,
) -> sqlx::Result<Result<(), ClockError>> {
    let Some(clock) = find(tx, case_id, kind).await? else {
        return Ok(Err(("kind", "clock.error.unknown")));
    };
    if !clock.may_pause() {
        return Ok(Err(("kind", "clock.error.paused_before")));
    }
    if reason.trim().is_empty() {
        return Ok(Err(("reason", "clock.error.reason")));
    }
    if on < clock.started_on {
        return Ok(Err(("date", "clock.error.before_start")));
    }
    sqlx::query!(
        "UPDATE case_clocks SET paused_on = $4, pause_reason = $5 WHERE tenant_id = $1 AND case_id = $2 AND kind = $3",
        tx.tenant_id(),
        case_id,
        kind.code(),
        on,
        reason.trim()
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await?;
    Ok(Ok(()))
}

/// Resumes a paused clock; the days it stood still are added to the due date.
pub async fn resume(
    tx: &mut TenantTx,
    case_id: Uuid,
    kind: ClockKind,
    on: Date,
) -> sqlx::Result<Result<(), ClockError>> {
    let Some(clock) = find(tx, case_id, kind).await? else {
        return Ok(Err(("kind", "clock.error.unknown")));
    };
    let Some(paused_on) = clock.paused_on.filter(|_| clock.is_paused()) else {
        return Ok(Err(("kind", "clock.error.not_paused")));
    };
    if on < paused_on {
        return Ok(Err(("date", "clock.error.before_pause")));
    }
    let due = resumed_due(clock.due_on, paused_on, on);
    sqlx::query!(
        "UPDATE case_clocks SET resumed_on = $4, due_on = $5 WHERE tenant_id = $1 AND case_id = $2 AND kind = $3",
        tx.tenant_id(),
        case_id,
        kind.code(),
        on,
        due
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await?;
    Ok(Ok(()))
}

/// The due date after a pause from `paused_on` to `resumed_on`: every paused day is added.
pub fn resumed_due(due_on: Date, paused_on: Date, resumed_on: Date) -> Date {
    let general = crate::calendar::WorkingCalendar::new(crate::calendar::LiberationDay::EveryYear, []);
    general.add_working_days(due_on + (resumed_on - paused_on), 0)
}

/// Verlengen: once per clock, by at most `max_weeks`, with a reason.
pub async fn extend(
    tx: &mut TenantTx,
    case_id: Uuid,
    kind: ClockKind,
    weeks: i32,
    reason: &str,
    max_weeks: i32,
) -> sqlx::Result<Result<(), ClockError>> {
    let Some(clock) = find(tx, case_id, kind).await? else {
        return Ok(Err(("kind", "clock.error.unknown")));
    };
    if !clock.may_extend() {
        return Ok(Err(("kind", "clock.error.extended_before")));
    }
    if weeks < 1 || weeks > max_weeks {
        return Ok(Err(("weeks", "clock.error.weeks")));
    }
    if reason.trim().is_empty() {
        return Ok(Err(("reason", "clock.error.reason")));
    }
    let general = crate::calendar::WorkingCalendar::new(crate::calendar::LiberationDay::EveryYear, []);
    let due = general.add_working_days(clock.due_on + Duration::weeks(i64::from(weeks)), 0);
    sqlx::query!(
        "UPDATE case_clocks SET extended_weeks = $4, extension_reason = $5, due_on = $6
         WHERE tenant_id = $1 AND case_id = $2 AND kind = $3",
        tx.tenant_id(),
        case_id,
        kind.code(),
        weeks,
        reason.trim(),
        due
    )
    .execute(&mut **tx)
    .await?;
    refresh_next_deadline(tx, case_id).await?;
    Ok(Ok(()))
}

/// Per clock kind: decisions (or reports) on time and late, and open clocks running or overdue.
#[derive(Debug, Serialize, Deserialize)]
pub struct TermFigures {
    pub kind: String,
    pub on_time: i64,
    pub late: i64,
    pub running: i64,
    pub overdue: i64,
}

impl TermFigures {
    pub fn label_key(&self) -> String {
        ClockKind::parse(&self.kind)
            .map(ClockKind::label_key)
            .unwrap_or_default()
    }

    /// Share decided on time, in whole percents of those decided.
    pub fn on_time_percent(&self) -> Option<i64> {
        let decided = self.on_time + self.late;
        (decided > 0).then(|| (self.on_time * 100 + decided / 2) / decided)
    }
}

/// What of now [`count_open`] counts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Now {
    /// Running and overdue.
    All,
    /// Overdue only (running stays zero): what the figures show.
    Overdue,
}

/// Decided from `from` to `to` (inclusive), on time or late, read off `case_clocks_kind`;
/// running and overdue stay zero until [`count_open`].
pub async fn term_figures(tx: &mut TenantTx, from: Date, to: Date) -> sqlx::Result<Vec<TermFigures>> {
    sqlx::query_as!(
        TermFigures,
        r#"SELECT k.kind AS "kind!",
                  (SELECT count(*) FROM case_clocks c
                   WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.completed_on BETWEEN $2 AND $3
                     AND c.completed_on <= c.due_on) AS "on_time!",
                  (SELECT count(*) FROM case_clocks c
                   WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.completed_on BETWEEN $2 AND $3
                     AND c.completed_on > c.due_on) AS "late!",
                  0::bigint AS "running!", 0::bigint AS "overdue!"
           FROM (VALUES (1, 'wmo_investigation'), (2, 'wmo_decision'), (3, 'jeugd_decision')) AS k(position, kind)
           ORDER BY k.position"#,
        tx.tenant_id(),
        from,
        to
    )
    .fetch_all(&mut **tx)
    .await
}

/// Sets the clocks running and overdue now, as `now` asks, off `case_clocks_running`. Apart
/// from the decisions of a period, which may be kept figures (`reports::kept`).
pub async fn count_open(tx: &mut TenantTx, figures: &mut [TermFigures], now: Now) -> sqlx::Result<()> {
    let open = sqlx::query!(
        r#"SELECT k.kind AS "kind!",
                  -- Open clocks count only while their case is open; a paused clock is still running.
                  CASE WHEN NOT $2 THEN 0 ELSE (SELECT count(*) FROM case_clocks c
                   JOIN cases o ON o.tenant_id = c.tenant_id AND o.id = c.case_id AND o.status <> 'afgesloten'
                   WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.completed_on IS NULL
                     AND (c.due_on >= local_now()::date
                          OR (c.paused_on IS NOT NULL AND c.resumed_on IS NULL))) END AS "running!",
                  (SELECT count(*) FROM case_clocks c
                   JOIN cases o ON o.tenant_id = c.tenant_id AND o.id = c.case_id AND o.status <> 'afgesloten'
                   WHERE c.tenant_id = $1 AND c.kind = k.kind AND c.completed_on IS NULL
                     AND c.due_on < local_now()::date
                     AND (c.paused_on IS NULL OR c.resumed_on IS NOT NULL)) AS "overdue!"
           FROM unnest($3::text[]) AS k(kind)"#,
        tx.tenant_id(),
        now == Now::All,
        &figures.iter().map(|f| f.kind.clone()).collect::<Vec<_>>()
    )
    .fetch_all(&mut **tx)
    .await?;
    for f in figures {
        if let Some(o) = open.iter().find(|o| o.kind == f.kind) {
            f.running = o.running;
            f.overdue = o.overdue;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn clock(due_on: Date) -> Clock {
        Clock {
            kind: "wmo_investigation".into(),
            started_on: due_on - Duration::weeks(6),
            statutory_due_on: due_on,
            due_on,
            paused_on: None,
            pause_reason: None,
            resumed_on: None,
            extended_weeks: 0,
            extension_reason: None,
            completed_on: None,
            stopped_on: None,
        }
    }

    #[test]
    fn a_clock_runs_goes_overdue_and_ends_on_time_or_late() {
        let mut c = clock(date!(2026 - 01 - 02));
        assert_eq!(
            c.state(date!(2025 - 12 - 31)),
            ClockState::Running { days_left: 2 }
        );
        assert_eq!(c.state(date!(2026 - 01 - 05)), ClockState::Overdue { days: 3 });
        c.completed_on = Some(date!(2026 - 01 - 02));
        assert_eq!(c.state(date!(2026 - 02 - 01)), ClockState::OnTime);
        c.completed_on = Some(date!(2026 - 01 - 04));
        assert_eq!(c.state(date!(2026 - 02 - 01)), ClockState::Late { days: 2 });
    }

    #[test]
    fn the_clock_form_names_a_step_on_a_clock_that_takes_it() {
        use ClockKind::*;
        assert_eq!(
            ClockStep::parse("application", None),
            Some(ClockStep::Application)
        );
        assert_eq!(
            ClockStep::parse("decision", Some(JeugdDecision)),
            Some(ClockStep::Decision(JeugdDecision))
        );
        assert_eq!(ClockStep::parse("decision", Some(WmoInvestigation)), None);
        assert_eq!(
            ClockStep::parse("pause", Some(WmoInvestigation)),
            Some(ClockStep::Pause(WmoInvestigation))
        );
        assert_eq!(
            ClockStep::parse("resume", Some(WmoDecision)),
            Some(ClockStep::Resume(WmoDecision))
        );
        assert_eq!(
            ClockStep::parse("extend", Some(WmoDecision)),
            Some(ClockStep::Extend(WmoDecision))
        );
        assert_eq!(ClockStep::parse("pause", None), None);
        assert_eq!(ClockStep::parse("stop", Some(WmoDecision)), None);
    }

    #[test]
    fn a_clock_stopped_by_closing_is_neither_running_nor_decided() {
        let mut c = clock(date!(2026 - 01 - 02));
        c.stopped_on = Some(date!(2025 - 12 - 20));
        assert_eq!(c.state(date!(2026 - 02 - 01)), ClockState::Stopped);
        assert!(!c.is_open() && !c.may_pause() && !c.may_extend());
    }

    #[test]
    fn a_step_happens_on_a_day_not_in_the_future_nor_before_the_request() {
        let today = date!(2026 - 03 - 02);
        let received = date!(2026 - 02 - 02);
        assert_eq!(step_date(Some(today), today, received), Ok(today));
        assert_eq!(step_date(Some(received), today, received), Ok(received));
        assert_eq!(
            step_date(None, today, received),
            Err(("date", "clock.error.date"))
        );
        assert_eq!(
            step_date(Some(date!(2026 - 03 - 03)), today, received),
            Err(("date", "clock.error.future"))
        );
        assert_eq!(
            step_date(Some(date!(2026 - 02 - 01)), today, received),
            Err(("date", "case.error.before_request"))
        );
    }

    #[test]
    fn paused_days_are_added_and_the_due_date_avoids_weekends() {
        // Due Friday 18-12-2026, paused Monday 7-12 to Thursday 10-12 (3 days): Monday 21-12.
        assert_eq!(
            resumed_due(
                date!(2026 - 12 - 18),
                date!(2026 - 12 - 07),
                date!(2026 - 12 - 10)
            ),
            date!(2026 - 12 - 21)
        );
        // Due Tuesday 22-12-2026, paused 3 days: Friday 25-12 is Christmas, so Monday 28-12.
        assert_eq!(
            resumed_due(
                date!(2026 - 12 - 22),
                date!(2026 - 12 - 01),
                date!(2026 - 12 - 04)
            ),
            date!(2026 - 12 - 28)
        );
    }
}
