//! To-do items, one mechanism for everyone: the desk's follow-up calls after signposting (owned by the
//! whole desk) and the team's case tasks (owned by one person). Each user's start page lists
//! their open tasks, overdue ones first.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::shared::format::format_date;

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Task {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub case_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
    pub assignee: Option<String>,
    /// Whom the task is about: the resident of the case or request, for a list of tasks
    /// across cases. Left out where the page is already about that resident.
    #[serde(default)]
    pub resident: Option<String>,
    #[serde(with = "crate::shared::format::json_date")]
    pub due_on: Date,
    pub done: bool,
    pub days_left: i32,
}

impl Task {
    pub fn due(&self) -> String {
        format_date(self.due_on)
    }

    pub fn overdue(&self) -> bool {
        !self.done && self.days_left < 0
    }

    /// Where the task is done: the case, or the request a follow-up call is about.
    pub fn href(&self, tenant: &str) -> String {
        match (self.case_id, self.request_id) {
            (Some(case), _) => format!("/{tenant}/cases/{case}#tasks"),
            (None, Some(request)) => format!("/{tenant}/requests/{request}"),
            _ => format!("/{tenant}/"),
        }
    }
}

pub const START_PAGE_LIMIT: i64 = 50;

/// The user's open tasks, the most urgent first.
pub async fn open_for(tx: &mut TenantTx, user_id: Uuid) -> sqlx::Result<Vec<Task>> {
    sqlx::query_as!(
        Task,
        r#"SELECT t.id, t.kind, t.title, t.case_id, t.request_id, u.name AS "assignee?",
                  CASE WHEN r.id IS NOT NULL THEN
                      concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''),
                                nullif(r.surname_prefix, ''), r.surname) END AS "resident?",
                  t.due_on, t.done_at IS NOT NULL AS "done!", t.due_on - local_now()::date AS "days_left!"
           FROM tasks t
           LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.assignee_id
           LEFT JOIN cases c ON c.tenant_id = t.tenant_id AND c.id = t.case_id
           LEFT JOIN requests q ON q.tenant_id = t.tenant_id AND q.id = t.request_id
           LEFT JOIN residents r ON r.tenant_id = t.tenant_id AND r.id = coalesce(c.resident_id, q.resident_id)
           WHERE t.tenant_id = $1 AND t.assignee_id = $2 AND t.done_at IS NULL
           ORDER BY t.due_on LIMIT $3"#,
        tx.tenant_id(),
        user_id,
        START_PAGE_LIMIT
    )
    .fetch_all(&mut **tx)
    .await
}

/// The desk's follow-up calls that are due, for the desk's start page.
pub async fn desk_due_count(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM tasks
           WHERE tenant_id = $1 AND kind = 'follow_up' AND done_at IS NULL
             AND due_on <= local_now()::date"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

pub async fn add_to_case(
    tx: &mut TenantTx,
    case_id: Uuid,
    title: &str,
    assignee: Uuid,
    due_on: Date,
    by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on, created_by)
         VALUES ($1, 'case', $2, $3, $4, $5, $6) RETURNING id",
        tx.tenant_id(),
        case_id,
        title,
        assignee,
        due_on,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// Marks a case task done; false when it is not an open task of this case.
pub async fn finish(tx: &mut TenantTx, case_id: Uuid, id: Uuid, by: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE tasks SET done_at = now(), done_by = $4
         WHERE tenant_id = $1 AND case_id = $2 AND id = $3 AND done_at IS NULL",
        tx.tenant_id(),
        case_id,
        id,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
