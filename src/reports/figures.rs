//! The dashboard's figures, each read off an index or a maintained summary: requests from
//! `request_counts_monthly` and `request_counts`, cases from the columns the case keeps about its
//! course (migration 0007).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::reports::period::Period;

/// One count of one category, in the period and the year before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub dimension: String,
    pub key: String,
    pub count: i64,
}

/// Requests per domain, per channel and per triage outcome ('' while it waits): `dimension` is
/// `domain`, `channel` or `triage`; under `total` the number of requests. Whole months come
/// from the monthly summary, the days of a month cut by the period's ends from the daily one.
pub async fn requests(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Tally>> {
    let (months_from, months_until) = period.whole_months();
    sqlx::query_as!(
        Tally,
        r#"WITH c AS (
               SELECT channel, domain, triage, requests FROM request_counts_monthly
               WHERE tenant_id = $1 AND month >= $4::date AND month < $5::date
               UNION ALL
               SELECT channel, domain, triage, requests FROM request_counts
               WHERE tenant_id = $1 AND day >= $2::date AND day < least($4::date, $3::date + 1)
               UNION ALL
               SELECT channel, domain, triage, requests FROM request_counts
               WHERE tenant_id = $1 AND day >= greatest($5::date, $2::date) AND day <= $3::date
           )
           SELECT 'domain' AS "dimension!", domain AS "key!", sum(requests)::bigint AS "count!"
           FROM c WHERE domain <> '' GROUP BY domain
           UNION ALL
           SELECT 'channel', channel, sum(requests)::bigint FROM c WHERE domain = '' GROUP BY channel
           UNION ALL
           SELECT 'triage', triage, sum(requests)::bigint FROM c WHERE domain = '' GROUP BY triage
           UNION ALL
           SELECT 'total', '', coalesce(sum(requests), 0)::bigint FROM c WHERE domain = ''"#,
        tx.tenant_id(),
        period.from,
        period.to,
        months_from,
        months_until
    )
    .fetch_all(&mut **tx)
    .await
}

/// Requests decided at the desk in a period, per triage outcome (`triage` dimension): the one
/// dimension the contract's agreements need, in one pass (the full tallies read the period's
/// counts four times).
pub async fn triage(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Tally>> {
    let (months_from, months_until) = period.whole_months();
    sqlx::query_as!(
        Tally,
        r#"SELECT 'triage' AS "dimension!", triage AS "key!", sum(requests)::bigint AS "count!"
           FROM (SELECT triage, requests FROM request_counts_monthly
                 WHERE tenant_id = $1 AND month >= $4::date AND month < $5::date AND domain = ''
                 UNION ALL
                 SELECT triage, requests FROM request_counts
                 WHERE tenant_id = $1 AND day >= $2::date AND day < least($4::date, $3::date + 1) AND domain = ''
                 UNION ALL
                 SELECT triage, requests FROM request_counts
                 WHERE tenant_id = $1 AND day >= greatest($5::date, $2::date) AND day <= $3::date AND domain = '') c
           GROUP BY triage"#,
        tx.tenant_id(),
        period.from,
        period.to,
        months_from,
        months_until
    )
    .fetch_all(&mut **tx)
    .await
}

/// Follow-up calls after signposting recorded in a period, per result (`follow_up`
/// dimension): whether the signposting worked. Only follow-up calls have a result (migration
/// 0029), so the condition on it alone selects them, off the index with that condition.
pub async fn follow_ups(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Tally>> {
    sqlx::query_as!(
        Tally,
        r#"SELECT 'follow_up' AS "dimension!", follow_up_result AS "key!", count(*) AS "count!"
           FROM tasks
           WHERE tenant_id = $1 AND follow_up_result IS NOT NULL
             AND done_at >= local_moment($2::date::timestamp)
             AND done_at < local_moment(($3::date + 1)::timestamp)
           GROUP BY follow_up_result"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await
}

/// Open cases now, by `status` and by `escalation` level: one pass over `cases_open_levels`.
pub async fn open_cases(tx: &mut TenantTx) -> sqlx::Result<Vec<Tally>> {
    let pairs = sqlx::query!(
        r#"SELECT status, escalation, count(*) AS "count!"
           FROM cases WHERE tenant_id = $1 AND status <> 'afgesloten' GROUP BY status, escalation"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(pairs
        .into_iter()
        .flat_map(|p| {
            [
                Tally {
                    dimension: "status".into(),
                    key: p.status,
                    count: p.count,
                },
                Tally {
                    dimension: "escalation".into(),
                    key: p.escalation,
                    count: p.count,
                },
            ]
        })
        .collect())
}

/// Cases opened (`new`) and closed (`closed`) per month of the period; the key is the month's
/// first day, ISO. Each month is two counts over an index range, so no row's time is converted.
pub async fn cases_per_month(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Tally>> {
    let months = sqlx::query!(
        r#"SELECT to_char(m.month, 'YYYY-MM-DD') AS "month!",
                  (SELECT count(*) FROM cases c
                   WHERE c.tenant_id = $1 AND c.created_at >= b.starts AND c.created_at < b.ends) AS "new!",
                  (SELECT count(*) FROM cases c
                   WHERE c.tenant_id = $1 AND c.closed_at IS NOT NULL
                     AND c.closed_at >= b.starts AND c.closed_at < b.ends) AS "closed!"
           FROM generate_series(date_trunc('month', $2::date), $3::date, interval '1 month') AS m(month)
           CROSS JOIN LATERAL (
               SELECT local_moment(greatest(m.month, $2::date)::timestamp) AS starts,
                      local_moment(least(m.month + interval '1 month', $3::date + 1)::timestamp) AS ends
           ) b"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(months
        .into_iter()
        .flat_map(|m| {
            [
                Tally {
                    dimension: "new".into(),
                    key: m.month.clone(),
                    count: m.new,
                },
                Tally {
                    dimension: "closed".into(),
                    key: m.month,
                    count: m.closed,
                },
            ]
        })
        .collect())
}

/// For the cases opened in a period: median days from the question to the first kitchen-table
/// conversation and to the first agreed plan, and how many cases each median is taken over.
#[derive(Debug, Serialize, Deserialize)]
pub struct Durations {
    pub to_conversation: Option<f64>,
    pub conversations: i64,
    pub to_plan: Option<f64>,
    pub plans: i64,
}

pub async fn durations(tx: &mut TenantTx, period: Period) -> sqlx::Result<Durations> {
    sqlx::query_as!(
        Durations,
        r#"SELECT percentile_cont(0.5) WITHIN GROUP
                      (ORDER BY date_part('epoch', first_conversation_at - received_at) / 86400) AS to_conversation,
                  count(first_conversation_at) AS "conversations!",
                  percentile_cont(0.5) WITHIN GROUP
                      (ORDER BY date_part('epoch', plan_agreed_at - received_at) / 86400) AS to_plan,
                  count(plan_agreed_at) AS "plans!"
           FROM cases
           WHERE tenant_id = $1
             AND created_at >= local_moment($2::date::timestamp)
             AND created_at < local_moment(($3::date + 1)::timestamp)"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_one(&mut **tx)
    .await
}

/// Declined referrals sent in the period, per reason.
pub async fn declines(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Tally>> {
    sqlx::query_as!(
        Tally,
        r#"SELECT 'decline_reason' AS "dimension!", decline_reason AS "key!", count(*) AS "count!"
           FROM referrals
           WHERE tenant_id = $1 AND status = 'afgewezen'
             AND sent_at >= local_moment($2::date::timestamp)
             AND sent_at < local_moment(($3::date + 1)::timestamp)
           GROUP BY decline_reason"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await
}

/// Distinct children (under 18 at some moment the case was open that year) with an open Jeugd
/// case, per year for the five years up to `last_year`. Erased files count by the birth year
/// retention kept.
#[derive(Debug, Serialize, Deserialize)]
pub struct YouthYear {
    pub year: i32,
    pub children: i64,
}

pub async fn youth(tx: &mut TenantTx, last_year: i32) -> sqlx::Result<Vec<YouthYear>> {
    sqlx::query_as!(
        YouthYear,
        r#"SELECT y.year AS "year!", count(DISTINCT x.who) AS "children!"
           FROM generate_series($2::int - 4, $2::int) AS y(year)
           LEFT JOIN (
               SELECT coalesce(c.resident_id, c.id) AS who,
                      local_time(c.created_at)::date AS opened_on,
                      least(local_time(c.closed_at)::date,
                            coalesce((c.resident_born_on + interval '18 years')::date,
                                     make_date(c.resident_birth_year + 18, 12, 31)) - 1) AS until_on
               FROM cases c
               WHERE c.tenant_id = $1 AND 'jeugd' = ANY (c.domains)
                 AND c.created_at < local_moment(make_date($2::int + 1, 1, 1)::timestamp)
                 AND (c.closed_at IS NULL
                      OR c.closed_at >= local_moment(make_date($2::int - 4, 1, 1)::timestamp))
                 AND (c.resident_born_on IS NOT NULL OR c.resident_birth_year IS NOT NULL)
           ) x ON x.opened_on <= x.until_on
              AND x.opened_on <= make_date(y.year, 12, 31) AND x.until_on >= make_date(y.year, 1, 1)
           GROUP BY y.year
           ORDER BY y.year"#,
        tx.tenant_id(),
        last_year
    )
    .fetch_all(&mut **tx)
    .await
}

/// A member organisation's presence at the meetings held in a period.
pub struct Attendance {
    pub id: Uuid,
    pub name: String,
    pub attended: i64,
    pub excused: i64,
    pub held: i64,
}

/// Every member organisation (and any other that attended), with the meetings held.
pub async fn attendance(tx: &mut TenantTx, period: Period) -> sqlx::Result<Vec<Attendance>> {
    sqlx::query_as!(
        Attendance,
        r#"WITH held AS (
               SELECT id FROM meetings
               WHERE tenant_id = $1 AND status IN ('gesloten', 'notulen_vastgesteld')
                 AND starts_at >= local_moment($2::date::timestamp)
                 AND starts_at < local_moment(($3::date + 1)::timestamp)
           )
           SELECT o.id, o.name,
                  count(a.meeting_id) FILTER (WHERE a.presence IN ('aanwezig', 'volmacht')) AS "attended!",
                  count(a.meeting_id) FILTER (WHERE a.presence = 'afwezig_met_bericht') AS "excused!",
                  (SELECT count(*) FROM held) AS "held!"
           FROM organisations o
           LEFT JOIN attendance a ON a.tenant_id = o.tenant_id AND a.organisation_id = o.id
                AND a.meeting_id IN (SELECT id FROM held)
           WHERE o.tenant_id = $1
           GROUP BY o.id, o.name, o.status
           HAVING o.status IN ('lid', 'geschorst') OR count(a.meeting_id) > 0
           ORDER BY o.name
           LIMIT 500"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_all(&mut **tx)
    .await
}

/// Meetings held in a period.
pub async fn meetings_held(tx: &mut TenantTx, period: Period) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "held!" FROM meetings
           WHERE tenant_id = $1 AND status IN ('gesloten', 'notulen_vastgesteld')
             AND starts_at >= local_moment($2::date::timestamp)
             AND starts_at < local_moment(($3::date + 1)::timestamp)"#,
        tx.tenant_id(),
        period.from,
        period.to
    )
    .fetch_one(&mut **tx)
    .await
}

/// Decisions of the assembly per year, for the five years up to `last_year`.
pub struct DecisionYear {
    pub year: i32,
    pub decisions: i64,
}

pub async fn decisions_per_year(tx: &mut TenantTx, last_year: i32) -> sqlx::Result<Vec<DecisionYear>> {
    sqlx::query_as!(
        DecisionYear,
        r#"SELECT y.year AS "year!", count(d.id) AS "decisions!"
           FROM generate_series($2::int - 4, $2::int) AS y(year)
           LEFT JOIN decisions d ON d.tenant_id = $1 AND d.year = y.year
           GROUP BY y.year ORDER BY y.year"#,
        tx.tenant_id(),
        last_year
    )
    .fetch_all(&mut **tx)
    .await
}
