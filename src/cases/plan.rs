//! The support plan (ondersteuningsplan): goals in the resident's words, per goal the actions
//! with who does them and by when. Agreeing the plan with the resident gives it a new version
//! and date; at evaluation each goal gets a result. Every save names the plan version it
//! started from, so two people editing at once cannot overwrite each other unseen.

use serde::Deserialize;
use sqlx::types::Json;
use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::record::Conflict;
use crate::cases::{GoalResult, Performer};
use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;
use crate::shared::format::json_date;

#[derive(Clone)]
pub struct Plan {
    pub id: Uuid,
    pub version: i32,
    pub agreed_on: Option<Date>,
    pub evaluation_on: Option<Date>,
    pub lock_version: i32,
    pub updated_by: Option<String>,
    pub updated_at: PrimitiveDateTime,
    pub goals: Vec<Goal>,
    /// The latest version the resident agreed to on their own pages, and when.
    pub resident_agreed: Option<(i32, PrimitiveDateTime)>,
}

impl Plan {
    pub fn agreed(&self) -> Option<String> {
        self.agreed_on.map(format_date)
    }

    pub fn evaluation(&self) -> Option<String> {
        self.evaluation_on.map(format_date)
    }

    pub fn updated(&self) -> String {
        format_timestamp(self.updated_at)
    }

    /// "Version 2, on 04-12-2026 14:03", when the resident agreed on their own pages.
    pub fn resident_agreement(&self) -> Option<(String, String)> {
        self.resident_agreed
            .map(|(version, at)| (version.to_string(), format_timestamp(at)))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Goal {
    pub id: Uuid,
    pub description: String,
    pub result: Option<String>,
    pub result_note: String,
    pub actions: Vec<Action>,
}

impl Goal {
    pub fn result_key(&self) -> Option<String> {
        self.result
            .as_deref()
            .and_then(GoalResult::parse)
            .map(GoalResult::label_key)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Action {
    pub description: String,
    pub performer: String,
    pub performer_name: String,
    #[serde(with = "json_date::option")]
    pub target_on: Option<Date>,
}

impl Action {
    pub fn performer_key(&self) -> String {
        Performer::parse(&self.performer)
            .map(Performer::label_key)
            .unwrap_or_default()
    }

    pub fn target(&self) -> Option<String> {
        self.target_on.map(format_date)
    }
}

/// The plan of a case with its goals and their actions, in one statement.
pub async fn find(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Option<Plan>> {
    let row = sqlx::query!(
        r#"-- kept: case page
           SELECT p.id, p.version, p.agreed_on, p.evaluation_on, p.lock_version, u.name AS "updated_by?",
                  local_time(p.updated_at) AS "updated_at!", p.resident_agreed_version,
                  local_time(p.resident_agreed_at) AS resident_agreed_at,
                  (SELECT coalesce(json_agg(g ORDER BY g.position), '[]')
                   FROM (SELECT g.id, g.description, g.result, g.result_note, g.position,
                                (SELECT coalesce(json_agg(a ORDER BY a.target_on NULLS LAST, a.description), '[]')
                                 FROM (SELECT description, performer, performer_name, target_on FROM plan_actions
                                       WHERE tenant_id = g.tenant_id AND goal_id = g.id LIMIT 100) a) AS actions
                         FROM plan_goals g WHERE g.tenant_id = p.tenant_id AND g.plan_id = p.id
                         ORDER BY g.position LIMIT 100) g) AS "goals!: Json<Vec<Goal>>"
           FROM support_plans p LEFT JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.updated_by
           WHERE p.tenant_id = $1 AND p.case_id = $2"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Plan {
        id: r.id,
        version: r.version,
        agreed_on: r.agreed_on,
        evaluation_on: r.evaluation_on,
        lock_version: r.lock_version,
        updated_by: r.updated_by,
        updated_at: r.updated_at,
        goals: r.goals.0,
        resident_agreed: r.resident_agreed_version.zip(r.resident_agreed_at),
    }))
}

/// The plan of a case, started (empty, as a draft) when there is none yet.
pub async fn find_or_start(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Plan> {
    sqlx::query!(
        "INSERT INTO support_plans (tenant_id, case_id) VALUES ($1, $2) ON CONFLICT (tenant_id, case_id) DO NOTHING",
        tx.tenant_id(),
        case_id
    )
    .execute(&mut **tx)
    .await?;
    find(tx, case_id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// Bumps the plan's version if it is still `version`.
async fn claim(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    by: Uuid,
) -> sqlx::Result<Result<(), Conflict>> {
    let claimed = sqlx::query!(
        "UPDATE support_plans SET lock_version = lock_version + 1, updated_by = $4
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3",
        tx.tenant_id(),
        plan_id,
        version,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(Conflict::unless_claimed(claimed.rows_affected()))
}

pub async fn add_goal(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    description: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), Conflict>> {
    if let Err(conflict) = claim(tx, plan_id, version, by).await? {
        return Ok(Err(conflict));
    }
    sqlx::query!(
        "INSERT INTO plan_goals (tenant_id, plan_id, position, description)
         SELECT $1, $2, coalesce(max(position), 0) + 1, $3 FROM plan_goals WHERE tenant_id = $1 AND plan_id = $2",
        tx.tenant_id(),
        plan_id,
        description
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

pub struct NewAction {
    pub description: String,
    pub performer: Performer,
    pub performer_name: String,
    pub target_on: Option<Date>,
}

/// Adds an action to a goal of this plan; `Ok(Ok(false))` when the goal is not in it.
pub async fn add_action(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    goal_id: Uuid,
    action: &NewAction,
    by: Uuid,
) -> sqlx::Result<Result<bool, Conflict>> {
    if let Err(conflict) = claim(tx, plan_id, version, by).await? {
        return Ok(Err(conflict));
    }
    let added = sqlx::query!(
        "INSERT INTO plan_actions (tenant_id, goal_id, description, performer, performer_name, target_on)
         SELECT $1, g.id, $4, $5, $6, $7 FROM plan_goals g WHERE g.tenant_id = $1 AND g.plan_id = $2 AND g.id = $3",
        tx.tenant_id(),
        plan_id,
        goal_id,
        action.description,
        action.performer.code(),
        action.performer_name,
        action.target_on
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(added.rows_affected() == 1))
}

pub async fn set_evaluation(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    evaluation_on: Option<Date>,
    by: Uuid,
) -> sqlx::Result<Result<(), Conflict>> {
    if let Err(conflict) = claim(tx, plan_id, version, by).await? {
        return Ok(Err(conflict));
    }
    sqlx::query!(
        "UPDATE support_plans SET evaluation_on = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        plan_id,
        evaluation_on
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Agreed with the resident on `on`: the plan gets its next version.
pub async fn agree(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    on: Date,
    by: Uuid,
) -> sqlx::Result<Result<i32, Conflict>> {
    if let Err(conflict) = claim(tx, plan_id, version, by).await? {
        return Ok(Err(conflict));
    }
    let agreed = sqlx::query_scalar!(
        "UPDATE support_plans SET version = version + 1, agreed_on = $3 WHERE tenant_id = $1 AND id = $2
         RETURNING version",
        tx.tenant_id(),
        plan_id,
        on
    )
    .fetch_one(&mut **tx)
    .await?;
    // The version as agreed, for the resident to read back on their own pages.
    sqlx::query!(
        "INSERT INTO support_plan_versions (tenant_id, case_id, version, agreed_on, goals)
         SELECT p.tenant_id, p.case_id, p.version, p.agreed_on, support_plan_content(p.tenant_id, p.id)
         FROM support_plans p WHERE p.tenant_id = $1 AND p.id = $2",
        tx.tenant_id(),
        plan_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(agreed))
}

/// A version of the plan as it was agreed.
pub struct AgreedVersion {
    pub case_id: Uuid,
    pub version: i32,
    pub agreed_on: Date,
    pub goals: Vec<AgreedGoal>,
    /// When the resident agreed to it on their own pages.
    pub resident_agreed_at: Option<PrimitiveDateTime>,
}

impl AgreedVersion {
    pub fn agreed(&self) -> String {
        format_date(self.agreed_on)
    }

    pub fn resident_agreed(&self) -> Option<String> {
        self.resident_agreed_at.map(format_timestamp)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgreedGoal {
    pub description: String,
    pub actions: Vec<Action>,
}

/// Every agreed version of the plans of `case_ids`, by case, newest first.
pub async fn agreed_versions(tx: &mut TenantTx, case_ids: &[Uuid]) -> sqlx::Result<Vec<AgreedVersion>> {
    let rows = sqlx::query!(
        r#"SELECT case_id, version, agreed_on, goals AS "goals!: Json<Vec<AgreedGoal>>",
                  local_time(resident_agreed_at) AS resident_agreed_at
           FROM support_plan_versions WHERE tenant_id = $1 AND case_id = ANY ($2)
           ORDER BY case_id, version DESC LIMIT 200"#,
        tx.tenant_id(),
        case_ids
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AgreedVersion {
            case_id: r.case_id,
            version: r.version,
            agreed_on: r.agreed_on,
            goals: r.goals.0,
            resident_agreed_at: r.resident_agreed_at,
        })
        .collect())
}

/// The resident agrees, on their own pages, to agreed version `version` of the case's plan
/// (only the latest can be agreed to); whether it was theirs to agree to and not agreed yet.
pub async fn agree_as_resident(
    tx: &mut TenantTx,
    case_id: Uuid,
    version: i32,
    resident_id: Uuid,
) -> sqlx::Result<bool> {
    let agreed = sqlx::query!(
        "UPDATE support_plan_versions v SET resident_agreed_at = now(), resident_agreed_by = $4
         FROM support_plans p
         WHERE v.tenant_id = $1 AND v.case_id = $2 AND v.version = $3 AND v.resident_agreed_at IS NULL
           AND p.tenant_id = v.tenant_id AND p.case_id = v.case_id AND p.version = v.version",
        tx.tenant_id(),
        case_id,
        version,
        resident_id
    )
    .execute(&mut **tx)
    .await?;
    if agreed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE support_plans SET resident_agreed_version = $3, resident_agreed_at = now()
         WHERE tenant_id = $1 AND case_id = $2",
        tx.tenant_id(),
        case_id,
        version
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn set_goal_result(
    tx: &mut TenantTx,
    plan_id: Uuid,
    version: i32,
    goal_id: Uuid,
    result: GoalResult,
    note: &str,
    by: Uuid,
) -> sqlx::Result<Result<bool, Conflict>> {
    if let Err(conflict) = claim(tx, plan_id, version, by).await? {
        return Ok(Err(conflict));
    }
    let set = sqlx::query!(
        "UPDATE plan_goals SET result = $4, result_note = $5 WHERE tenant_id = $1 AND plan_id = $2 AND id = $3",
        tx.tenant_id(),
        plan_id,
        goal_id,
        result.code(),
        note
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(set.rows_affected() == 1))
}

/// An accepted referral becomes an action in the plan: under the goal it serves, or under a new
/// goal named after its purpose. The plan's version moves on, so an open plan form sees it.
pub async fn add_referral_action(
    tx: &mut TenantTx,
    case_id: Uuid,
    goal_id: Option<Uuid>,
    purpose: &str,
    action: &NewAction,
    referral_id: Uuid,
) -> sqlx::Result<Uuid> {
    let plan = find_or_start(tx, case_id).await?;
    let goal_id = match goal_id {
        Some(goal_id) => goal_id,
        None => {
            sqlx::query_scalar!(
                "INSERT INTO plan_goals (tenant_id, plan_id, position, description)
                 SELECT $1, $2, coalesce(max(position), 0) + 1, $3 FROM plan_goals WHERE tenant_id = $1 AND plan_id = $2
                 RETURNING id",
                tx.tenant_id(),
                plan.id,
                purpose
            )
            .fetch_one(&mut **tx)
            .await?
        }
    };
    let action_id = sqlx::query_scalar!(
        "INSERT INTO plan_actions (tenant_id, goal_id, description, performer, performer_name, target_on, referral_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        tx.tenant_id(),
        goal_id,
        action.description,
        action.performer.code(),
        action.performer_name,
        action.target_on,
        referral_id
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE support_plans SET lock_version = lock_version + 1 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        plan.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(action_id)
}
