//! The team's queue and the stall monitor ("regie op regie"). Each tab and each sort order is
//! its own statement, so that each reads its page straight off a partial index (a statement
//! with optional filters would get one generic plan for all of them).
//!
//! The queue's pages are kept by the web server between views ([`KeptQueues`]): the team looks
//! at its queue far more often than the cases in it change. A kept page is used only while the
//! cooperative's queue revision is what it was when the page was read (raised by triggers on
//! every table the queue shows, migration 0014, so no write path can forget it) and the day is
//! the same (ages, days to deadlines and the overdue tab depend on it). The version is read in
//! the viewer's transaction before the page would be: a copy is never older than what the
//! viewer's own reading shows.

use std::num::NonZeroUsize;

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::calendar::WorkingCalendar;
use crate::cases::{Confidentiality, Escalation, Status, TEAM_ROLES};
use crate::db::TenantTx;
use crate::db::kept::KeptCopies;
use crate::intake::values::Urgency;
use crate::shared::choices::Domain;
use crate::shared::format::format_date;

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Unassigned,
    Mine,
    Open,
    Overdue,
    Escalated,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Unassigned,
        Tab::Mine,
        Tab::Open,
        Tab::Overdue,
        Tab::Escalated,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Tab::Unassigned => "unassigned",
            Tab::Mine => "mine",
            Tab::Open => "open",
            Tab::Overdue => "overdue",
            Tab::Escalated => "escalated",
        }
    }

    pub fn parse(code: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label_key(self) -> String {
        format!("queue.tab.{}", self.code())
    }

    /// The tab the queue opens on: a professional's own cases, and for those who assign
    /// cases, the ones nobody leads.
    pub fn first_for(user: &CurrentUser) -> Tab {
        if user.has(Role::Professional) && !user.has(Role::ProcessManager) {
            Tab::Mine
        } else {
            Tab::Unassigned
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Nearest deadline first.
    Deadline,
    /// Oldest case first.
    Age,
}

impl Sort {
    pub fn code(self) -> &'static str {
        match self {
            Sort::Deadline => "deadline",
            Sort::Age => "age",
        }
    }

    pub fn parse(code: &str) -> Option<Sort> {
        [Sort::Deadline, Sort::Age].into_iter().find(|s| s.code() == code)
    }
}

/// A case as a list shows it.
#[derive(Clone)]
pub struct QueueRow {
    pub id: Uuid,
    pub reference: String,
    pub resident_name: Option<String>,
    pub domains: Vec<String>,
    pub urgency: String,
    pub status: String,
    pub escalation: String,
    pub confidentiality: String,
    pub lead_name: Option<String>,
    pub created_at: PrimitiveDateTime,
    pub next_deadline: Option<Date>,
    pub age_days: i32,
    pub days_to_deadline: Option<i32>,
    pub lock_version: i32,
}

impl QueueRow {
    pub fn domain_keys(&self) -> Vec<String> {
        Domain::label_keys(&self.domains)
    }

    pub fn is_crisis(&self) -> bool {
        self.urgency == "crisis"
    }

    /// Marked "spoed" at the desk; sorted after crises and before normal cases without a lead.
    pub fn is_urgent(&self) -> bool {
        self.urgency == Urgency::Urgent.code()
    }

    pub fn status_key(&self) -> String {
        Status::parse(&self.status)
            .map(Status::label_key)
            .unwrap_or_default()
    }

    pub fn escalation_key(&self) -> Option<String> {
        Escalation::parse(&self.escalation)
            .filter(|e| *e != Escalation::Normal)
            .map(Escalation::label_key)
    }

    pub fn confidentiality_key(&self) -> Option<String> {
        Confidentiality::parse(&self.confidentiality)
            .filter(|c| *c != Confidentiality::Normal)
            .map(Confidentiality::label_key)
    }

    pub fn deadline(&self) -> Option<String> {
        self.next_deadline.map(format_date)
    }

    pub fn overdue(&self) -> bool {
        self.days_to_deadline.is_some_and(|d| d < 0)
    }

    pub fn days_abs(&self) -> i32 {
        self.days_to_deadline.unwrap_or_default().abs()
    }

    pub fn created(&self) -> String {
        format_date(self.created_at.date())
    }
}

/// A case as an administrator sees it in the queue and the stall monitor: what assigning a
/// lead needs (the case reference, when it came in, its urgency) and nothing of the
/// resident's file. Administrators never open a case, so they see no names, life domains or
/// status either (data minimisation).
#[derive(Clone)]
pub struct AssignmentRow {
    pub id: Uuid,
    pub reference: String,
    pub urgency: String,
    pub created_at: PrimitiveDateTime,
    pub age_days: i32,
    pub lock_version: i32,
}

impl From<QueueRow> for AssignmentRow {
    fn from(row: QueueRow) -> Self {
        AssignmentRow {
            id: row.id,
            reference: row.reference,
            urgency: row.urgency,
            created_at: row.created_at,
            age_days: row.age_days,
            lock_version: row.lock_version,
        }
    }
}

impl AssignmentRow {
    pub fn is_crisis(&self) -> bool {
        self.urgency == "crisis"
    }

    pub fn urgency_key(&self) -> String {
        Urgency::parse(&self.urgency)
            .map(Urgency::label_key)
            .unwrap_or_default()
    }

    pub fn created(&self) -> String {
        format_date(self.created_at.date())
    }
}

/// A list of cases as its viewer may see it.
pub enum Listed {
    /// The social team: the whole row.
    Full(Vec<QueueRow>),
    /// Anyone else allowed here (administrators): only what assigning a lead needs.
    ForAssigning(Vec<AssignmentRow>),
}

impl Listed {
    pub fn for_viewer(rows: Vec<QueueRow>, viewer: &CurrentUser) -> Listed {
        if viewer.require_any(TEAM_ROLES).is_ok() {
            Listed::Full(rows)
        } else {
            Listed::ForAssigning(rows.into_iter().map(AssignmentRow::from).collect())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Listed::Full(rows) => rows.len(),
            Listed::ForAssigning(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The columns of a row, the joins it needs and the tenant and visibility filter:
/// `$1` tenant, `$2` viewer, `$3` whether the viewer is a process manager.
macro_rules! select_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            QueueRow,
            r#"SELECT c.id, c.reference,
                      CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                      q.domains, c.urgency, c.status, c.escalation, c.confidentiality, l.name AS "lead_name?",
                      local_time(c.created_at) AS "created_at!", c.next_deadline,
                      (local_now()::date - local_time(c.created_at)::date) AS "age_days!",
                      c.next_deadline - local_now()::date AS days_to_deadline,
                      c.lock_version
               FROM cases c
               JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
               LEFT JOIN residents r ON r.tenant_id = c.tenant_id AND r.id = c.resident_id
               LEFT JOIN users l ON l.tenant_id = c.tenant_id AND l.id = c.lead_id
               WHERE c.tenant_id = $1
                 -- The membership probe is a scalar subquery, not EXISTS: PostgreSQL may run an
                 -- EXISTS as a hash of every case the viewer is named in, built on each view.
                 AND (c.confidentiality <> 'zeer_vertrouwelijk' OR $3 OR c.lead_id = $2 OR c.coordinator_id = $2
                      OR (SELECT true FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $2))
                 AND "# + $rest
            $(, $arg)*
        )
    };
}

/// How many cases a tab holds, with the same visibility filter and parameters as `select_rows`.
macro_rules! count_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_scalar!(
            r#"SELECT count(*) AS "count!"
               FROM cases c
               WHERE c.tenant_id = $1
                 AND (c.confidentiality <> 'zeer_vertrouwelijk' OR $3 OR c.lead_id = $2 OR c.coordinator_id = $2
                      OR (SELECT true FROM case_members m WHERE m.tenant_id = c.tenant_id AND m.case_id = c.id AND m.user_id = $2))
                 AND "# + $rest
            $(, $arg)*
        )
    };
}

/// What a kept page must have been read at to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    /// The cooperative's queue revision (migration 0014).
    revision: i64,
    today: Date,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct PageKey {
    tenant: Uuid,
    viewer: Uuid,
    viewer_is_process_manager: bool,
    tab: Tab,
    sort: Sort,
    page: i64,
}

/// How many pages are kept (a few kilobytes each).
const KEPT_PAGES: NonZeroUsize = NonZeroUsize::new(2_000).expect("not zero");

/// One page of a tab and how many cases the tab holds in all.
#[derive(Clone)]
pub struct TabPage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
}

/// The team's queue pages kept between views.
pub struct KeptQueues {
    pages: KeptCopies<PageKey, Version, TabPage>,
}

impl Default for KeptQueues {
    fn default() -> Self {
        KeptQueues {
            pages: KeptCopies::new("queue_pages", KEPT_PAGES),
        }
    }
}

impl KeptQueues {
    /// One page of a tab as the viewer's transaction sees it: the kept copy while the queue's
    /// version is the one it was read at, else read afresh and kept.
    pub async fn page(
        &self,
        tx: &mut TenantTx,
        tab: Tab,
        sort: Sort,
        viewer: Uuid,
        viewer_is_process_manager: bool,
        number: i64,
    ) -> sqlx::Result<TabPage> {
        let tenant = tx.tenant_id();
        let version = sqlx::query_as!(
            Version,
            r#"SELECT coalesce((SELECT queue FROM list_revisions WHERE tenant_id = $1), 0)
                        AS "revision!",
                      local_now()::date AS "today!""#,
            tenant
        )
        .fetch_one(&mut **tx)
        .await?;
        let key = PageKey {
            tenant,
            viewer,
            viewer_is_process_manager,
            tab,
            sort,
            page: number,
        };
        if let Some(kept) = self.pages.get(&key, &version) {
            return Ok(kept);
        }
        let read = TabPage {
            rows: page(tx, tab, sort, viewer, viewer_is_process_manager, number).await?,
            total: count(tx, tab, viewer, viewer_is_process_manager).await?,
        };
        self.pages.keep(key, version, read.clone());
        Ok(read)
    }
}

/// How many cases a tab holds, as the viewer may see them.
pub async fn count(
    tx: &mut TenantTx,
    tab: Tab,
    viewer: Uuid,
    viewer_is_process_manager: bool,
) -> sqlx::Result<i64> {
    let tenant = tx.tenant_id();
    let pm = viewer_is_process_manager;
    match tab {
        Tab::Unassigned => {
            count_rows!(
                "c.lead_id IS NULL AND c.status <> 'afgesloten' -- kept: team queue",
                tenant,
                viewer,
                pm
            )
            .fetch_one(&mut **tx)
            .await
        }
        Tab::Mine => {
            count_rows!(
                "(c.lead_id = $2 OR c.coordinator_id = $2) AND c.status <> 'afgesloten' -- kept: team queue",
                tenant,
                viewer,
                pm
            )
            .fetch_one(&mut **tx)
            .await
        }
        Tab::Open => {
            count_rows!("c.status <> 'afgesloten' -- kept: team queue", tenant, viewer, pm)
                .fetch_one(&mut **tx)
                .await
        }
        Tab::Overdue => {
            count_rows!(
                "c.status <> 'afgesloten' AND c.next_deadline < local_now()::date -- kept: team queue",
                tenant,
                viewer,
                pm
            )
            .fetch_one(&mut **tx)
            .await
        }
        Tab::Escalated => {
            count_rows!(
                "c.escalation <> 'normaal' AND c.status <> 'afgesloten' -- kept: team queue",
                tenant,
                viewer,
                pm
            )
            .fetch_one(&mut **tx)
            .await
        }
    }
}

/// One page of a tab; one row more than a page tells whether there is a next.
pub async fn page(
    tx: &mut TenantTx,
    tab: Tab,
    sort: Sort,
    viewer: Uuid,
    viewer_is_process_manager: bool,
    page: i64,
) -> sqlx::Result<Vec<QueueRow>> {
    let tenant = tx.tenant_id();
    let (limit, offset) = (PAGE_SIZE + 1, (page - 1) * PAGE_SIZE);
    let pm = viewer_is_process_manager;
    match (tab, sort) {
        (Tab::Unassigned, Sort::Age) => {
            select_rows!(
                "c.lead_id IS NULL AND c.status <> 'afgesloten'
             ORDER BY c.urgency = 'crisis' DESC, c.urgency = 'urgent' DESC, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Unassigned, Sort::Deadline) => {
            select_rows!(
                "c.lead_id IS NULL AND c.status <> 'afgesloten'
             ORDER BY c.urgency = 'crisis' DESC, c.urgency = 'urgent' DESC, c.next_deadline NULLS LAST, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Mine, Sort::Age) => {
            select_rows!(
                "(c.lead_id = $2 OR c.coordinator_id = $2) AND c.status <> 'afgesloten'
             ORDER BY c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Mine, Sort::Deadline) => {
            select_rows!(
                "(c.lead_id = $2 OR c.coordinator_id = $2) AND c.status <> 'afgesloten'
             ORDER BY c.next_deadline NULLS LAST, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Open, Sort::Age) => {
            select_rows!(
                "c.status <> 'afgesloten' ORDER BY c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Open, Sort::Deadline) => select_rows!(
            "c.status <> 'afgesloten' ORDER BY c.next_deadline NULLS LAST, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
            tenant,
            viewer,
            pm,
            limit,
            offset
        )
        .fetch_all(&mut **tx)
        .await,
        (Tab::Overdue, Sort::Age) => {
            select_rows!(
                "c.status <> 'afgesloten' AND c.next_deadline < local_now()::date
             ORDER BY c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Overdue, Sort::Deadline) => {
            select_rows!(
                "c.status <> 'afgesloten' AND c.next_deadline < local_now()::date
             ORDER BY c.next_deadline, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Escalated, Sort::Age) => {
            select_rows!(
                "c.escalation <> 'normaal' AND c.status <> 'afgesloten'
             ORDER BY c.escalation = 'zorg_en_veiligheid' DESC, c.created_at LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
        (Tab::Escalated, Sort::Deadline) => {
            select_rows!(
                "c.escalation <> 'normaal' AND c.status <> 'afgesloten'
             ORDER BY c.escalation = 'zorg_en_veiligheid' DESC, c.next_deadline NULLS LAST, c.created_at
             LIMIT $4 OFFSET $5 -- kept: team queue",
                tenant,
                viewer,
                pm,
                limit,
                offset
            )
            .fetch_all(&mut **tx)
            .await
        }
    }
}

/// What waits for the team, for the start page: open cases without a lead, and open cases
/// past a term (the counts of the queue's tabs of those names).
pub struct TeamWaiting {
    pub unassigned: i64,
    pub overdue: i64,
}

pub async fn team_waiting(tx: &mut TenantTx) -> sqlx::Result<TeamWaiting> {
    sqlx::query_as!(
        TeamWaiting,
        r#"SELECT (SELECT count(*) FROM cases
                   WHERE tenant_id = $1 AND lead_id IS NULL AND status <> 'afgesloten') AS "unassigned!",
                  (SELECT count(*) FROM cases
                   WHERE tenant_id = $1 AND status <> 'afgesloten' AND next_deadline < local_now()::date) AS "overdue!""#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// The last day on which a case must have come in to have waited more than `days` working
/// days by `today`.
pub fn waited_since(calendar: &WorkingCalendar, today: Date, days: i64) -> Date {
    let mut date = today;
    while calendar.working_days_between(date, today) <= days {
        date = date.previous_day().expect("dates in range");
    }
    date
}

/// The stall monitor's four lists.
pub struct Monitor {
    /// Open cases without a lead for more than two working days.
    pub unassigned: Vec<QueueRow>,
    /// Crisis cases not picked up within one working day.
    pub crisis: Vec<QueueRow>,
    /// Open cases whose journal has been silent for 30 days.
    pub quiet: Vec<QueueRow>,
    /// Plans past their evaluation date.
    pub evaluation_due: Vec<QueueRow>,
    /// Open cases whose referrals were declined more than once: nobody is picking them up.
    pub declined_twice: Vec<QueueRow>,
}

pub const MONITOR_LIMIT: i64 = 50;

pub async fn monitor(
    tx: &mut TenantTx,
    calendar: &WorkingCalendar,
    today: Date,
    viewer: Uuid,
    viewer_is_process_manager: bool,
) -> sqlx::Result<Monitor> {
    let tenant = tx.tenant_id();
    let pm = viewer_is_process_manager;
    let unassigned_before = waited_since(calendar, today, 2) + time::Duration::days(1);
    let crisis_before = waited_since(calendar, today, 1) + time::Duration::days(1);
    let unassigned = select_rows!(
        "c.lead_id IS NULL AND c.status <> 'afgesloten'
         AND c.created_at < local_moment($4::date::timestamp)
         ORDER BY c.created_at LIMIT $5",
        tenant,
        viewer,
        pm,
        unassigned_before,
        MONITOR_LIMIT
    )
    .fetch_all(&mut **tx)
    .await?;
    let crisis = select_rows!(
        "c.lead_id IS NULL AND c.status <> 'afgesloten' AND c.urgency = 'crisis'
         AND c.created_at < local_moment($4::date::timestamp)
         ORDER BY c.created_at LIMIT $5",
        tenant,
        viewer,
        pm,
        crisis_before,
        MONITOR_LIMIT
    )
    .fetch_all(&mut **tx)
    .await?;
    let quiet = select_rows!(
        "c.lead_id IS NOT NULL AND c.status <> 'afgesloten'
         AND (c.last_journal_at < now() - make_interval(days => $4)
              OR (c.last_journal_at IS NULL AND c.created_at < now() - make_interval(days => $4)))
         ORDER BY c.last_journal_at NULLS FIRST LIMIT $5",
        tenant,
        viewer,
        pm,
        QUIET_DAYS,
        MONITOR_LIMIT
    )
    .fetch_all(&mut **tx)
    .await?;
    let evaluation_due = select_rows!(
        "c.status NOT IN ('evaluatie', 'afgesloten')
         AND EXISTS (SELECT FROM support_plans p WHERE p.tenant_id = c.tenant_id AND p.case_id = c.id
                     AND p.evaluation_on < $4::date)
         ORDER BY c.created_at LIMIT $5",
        tenant,
        viewer,
        pm,
        today,
        MONITOR_LIMIT
    )
    .fetch_all(&mut **tx)
    .await?;
    let declined_twice = select_rows!(
        "c.status <> 'afgesloten'
         AND c.id IN (SELECT f.case_id FROM referrals f WHERE f.tenant_id = $1 AND f.status = 'afgewezen'
                      GROUP BY f.case_id HAVING count(*) >= $4)
         ORDER BY c.created_at LIMIT $5",
        tenant,
        viewer,
        pm,
        DECLINES_TO_STALL,
        MONITOR_LIMIT
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(Monitor {
        unassigned,
        crisis,
        quiet,
        evaluation_due,
        declined_twice,
    })
}

/// A case whose referrals were declined this often shows in the stall monitor.
pub const DECLINES_TO_STALL: i64 = 2;

/// A lead who has written nothing in a case for this long is asked about it.
pub const QUIET_DAYS: i32 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> CurrentUser {
        CurrentUser {
            id: Uuid::new_v4(),
            name: "Sanne".into(),
            email: "sanne@example.org".into(),
            roles: roles.to_vec(),
            language: None,
            organisation_id: None,
        }
    }

    #[test]
    fn professionals_start_on_their_own_cases_and_assigners_on_the_unled() {
        assert_eq!(Tab::first_for(&user(&[Role::Professional])), Tab::Mine);
        assert_eq!(
            Tab::first_for(&user(&[Role::Professional, Role::ProcessManager])),
            Tab::Unassigned
        );
        assert_eq!(Tab::first_for(&user(&[Role::Admin])), Tab::Unassigned);
    }
}
