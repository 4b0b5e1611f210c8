//! Proposals a working group (werkatelier) submits to the assembly. An administrator promotes
//! one to a decision item of a meeting in preparation; after the vote its decision, and how it
//! is carried out, show beside the proposal.

use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::assembly::decisions::number;
use crate::assembly::meetings::{MeetingOption, format_moment};
use crate::db::TenantTx;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

pub struct Proposal {
    pub id: Uuid,
    pub title: String,
    pub proposal: String,
    pub submitted_by: String,
    pub submitted_at: PrimitiveDateTime,
    pub meeting_id: Option<Uuid>,
    pub meeting: Option<String>,
    pub decision_id: Option<Uuid>,
    pub decision_year: Option<i32>,
    pub decision_seq: Option<i32>,
    pub adopted: Option<bool>,
}

impl Proposal {
    pub fn submitted(&self) -> String {
        format_moment(self.submitted_at)
    }

    pub fn decision_number(&self) -> Option<String> {
        Some(number(self.decision_year?, self.decision_seq?))
    }
}

/// The group's proposals, newest first, each with the meeting and decision it led to.
pub async fn of_group(tx: &mut TenantTx, group_id: Uuid) -> sqlx::Result<Vec<Proposal>> {
    sqlx::query_as!(
        Proposal,
        r#"SELECT p.id, p.title, p.proposal, u.name AS submitted_by,
                  local_time(p.submitted_at) AS "submitted_at!",
                  m.id AS "meeting_id?", m.title AS "meeting?", d.id AS "decision_id?", d.year AS "decision_year?",
                  d.seq AS "decision_seq?", d.adopted AS "adopted?"
           FROM working_group_proposals p
           JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.submitted_by
           LEFT JOIN agenda_items i ON i.tenant_id = p.tenant_id AND i.proposal_id = p.id
           LEFT JOIN meetings m ON m.tenant_id = i.tenant_id AND m.id = i.meeting_id
           LEFT JOIN decisions d ON d.tenant_id = i.tenant_id AND d.agenda_item_id = i.id
           WHERE p.tenant_id = $1 AND p.working_group_id = $2
           ORDER BY p.submitted_at DESC LIMIT 100"#,
        tx.tenant_id(),
        group_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    pub title: String,
    pub proposal: String,
}

impl ProposalInput {
    pub fn from_fields(fields: &Fields) -> ProposalInput {
        ProposalInput {
            title: fields.get("title").trim().to_owned(),
            proposal: fields.get("proposal").trim().to_owned(),
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> bool {
        if self.title.is_empty() {
            errors.field("title", "proposal.error.title");
        }
        if self.proposal.is_empty() {
            errors.field("proposal", "proposal.error.proposal");
        }
        errors.is_empty()
    }
}

pub async fn submit(
    tx: &mut TenantTx,
    group_id: Uuid,
    input: &ProposalInput,
    by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO working_group_proposals (tenant_id, working_group_id, title, proposal, submitted_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tx.tenant_id(),
        group_id,
        input.title,
        input.proposal,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// The meetings in preparation a proposal can be put on, soonest first.
pub async fn meetings_in_preparation(tx: &mut TenantTx) -> sqlx::Result<Vec<MeetingOption>> {
    sqlx::query_as!(
        MeetingOption,
        r#"SELECT id, title, local_time(starts_at) AS "starts_at!"
           FROM meetings WHERE tenant_id = $1 AND status = 'concept' ORDER BY starts_at LIMIT 20"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

/// A proposal not yet on an agenda: (title, proposal, the group's topic).
pub async fn unpromoted(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<(String, String, String)>> {
    Ok(sqlx::query!(
        "SELECT p.title, p.proposal, g.topic FROM working_group_proposals p
         JOIN working_groups g ON g.tenant_id = p.tenant_id AND g.id = p.working_group_id
         WHERE p.tenant_id = $1 AND p.id = $2
           AND NOT EXISTS (SELECT FROM agenda_items i WHERE i.tenant_id = p.tenant_id AND i.proposal_id = p.id)",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|p| (p.title, p.proposal, p.topic)))
}
