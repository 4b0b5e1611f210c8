//! Minutes of a meeting, versioned. A draft is generated from the agenda, the attendance list,
//! the polls and decisions and the notes typed per item, and cites the statute rules the votes
//! were held under. The chair and the secretary approve a version; a later meeting in session
//! adopts it, after which it is read-only (a trigger refuses any change).

use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::assembly::Offices;
use crate::assembly::agenda;
use crate::assembly::attendance;
use crate::assembly::decisions::number;
use crate::assembly::meetings::{Meeting, format_moment};
use crate::assembly::polls;
use crate::assembly::rules::{MAJORITY_FIELDS, StatuteRules};
use crate::db::TenantTx;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MinutesContent {
    pub title: String,
    pub starts: String,
    /// When a meeting held on another day was convened for, and why it moved.
    #[serde(default)]
    pub rescheduled_from: Option<String>,
    #[serde(default)]
    pub reschedule_reason: String,
    pub place: String,
    pub video_url: String,
    pub rules: CitedRules,
    pub attendance: Vec<AttendanceLine>,
    pub items: Vec<ItemMinutes>,
}

/// The statute rules as they stood when the minutes were drafted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitedRules {
    pub notice_days: i32,
    pub quorum_percent: i32,
    /// Decision kind label key and majority label key.
    pub majorities: Vec<(String, String)>,
    pub proxies_allowed: bool,
    pub max_proxies: i32,
    pub abstentions_count: bool,
    #[serde(default)]
    pub electronic_participation: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttendanceLine {
    pub organisation: String,
    /// Label key of the presence.
    pub presence: String,
    pub proxy_holder: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemMinutes {
    pub number: String,
    pub title: String,
    pub kind: String,
    pub proposal: String,
    pub notes: String,
    pub votes: Vec<VoteLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VoteLine {
    pub round: i32,
    pub secret: bool,
    pub majority: String,
    pub electorate: i32,
    pub present: i32,
    pub votes_for: i32,
    pub votes_against: i32,
    pub abstentions: i32,
    pub adopted: bool,
    pub challenged: bool,
    pub decision: Option<String>,
}

/// Builds the minutes' content from what the meeting recorded.
pub async fn generate(
    tx: &mut TenantTx,
    meeting: &Meeting,
    rules: &StatuteRules,
) -> sqlx::Result<MinutesContent> {
    let items = agenda::items(tx, meeting.id).await?;
    let present = attendance::list(tx, meeting.id).await?;
    let polls = polls::of_meeting(tx, meeting.id).await?;
    let numbers = sqlx::query!(
        "SELECT agenda_item_id, year, seq FROM decisions WHERE tenant_id = $1 AND meeting_id = $2",
        tx.tenant_id(),
        meeting.id
    )
    .fetch_all(&mut **tx)
    .await?;
    let items = items
        .into_iter()
        .map(|item| {
            let decision = numbers
                .iter()
                .find(|d| d.agenda_item_id == item.id)
                .map(|d| number(d.year, d.seq));
            let votes = polls
                .iter()
                .filter(|p| p.agenda_item_id == item.id && !p.is_open())
                .map(|p| VoteLine {
                    round: p.round,
                    secret: p.secret,
                    majority: p.majority_key(),
                    electorate: p.electorate,
                    present: p.present,
                    votes_for: p.votes_for.unwrap_or(0),
                    votes_against: p.votes_against.unwrap_or(0),
                    abstentions: p.abstentions.unwrap_or(0),
                    adopted: p.adopted.unwrap_or(false),
                    challenged: p.challenged_at.is_some(),
                    decision: decision.clone().filter(|_| p.challenged_at.is_none()),
                })
                .collect();
            ItemMinutes {
                kind: item.kind_key(),
                number: item.number,
                title: item.title,
                proposal: item.proposal,
                notes: item.notes,
                votes,
            }
        })
        .collect();
    Ok(MinutesContent {
        title: meeting.title.clone(),
        starts: meeting.starts(),
        rescheduled_from: meeting.rescheduled(),
        reschedule_reason: meeting.reschedule_reason.clone(),
        place: meeting.place.clone(),
        video_url: meeting.video_url.clone(),
        rules: CitedRules {
            notice_days: rules.notice_days,
            quorum_percent: rules.quorum_percent,
            majorities: MAJORITY_FIELDS
                .iter()
                .map(|(_, kind)| (kind.label_key(), rules.majority_key(*kind)))
                .collect(),
            proxies_allowed: rules.proxies_allowed,
            max_proxies: rules.max_proxies,
            abstentions_count: rules.abstentions_count,
            electronic_participation: rules.electronic_participation,
        },
        attendance: present
            .into_iter()
            .filter_map(|row| {
                Some(AttendanceLine {
                    presence: row.presence_key()?,
                    organisation: row.organisation,
                    proxy_holder: row.proxy_holder,
                })
            })
            .collect(),
        items,
    })
}

/// One version of the minutes.
pub struct Minutes {
    pub version: i32,
    pub content: Json<MinutesContent>,
    pub drafted_at: PrimitiveDateTime,
    pub chair_approved_by: Option<String>,
    pub secretary_approved_by: Option<String>,
    pub adopted_in: Option<String>,
    pub adopted_at: Option<PrimitiveDateTime>,
}

impl Minutes {
    pub fn drafted(&self) -> String {
        format_moment(self.drafted_at)
    }

    pub fn adopted(&self) -> Option<String> {
        self.adopted_at.map(format_moment)
    }

    pub fn is_approved(&self) -> bool {
        self.chair_approved_by.is_some() && self.secretary_approved_by.is_some()
    }

    pub fn is_adopted(&self) -> bool {
        self.adopted_at.is_some()
    }
}

/// The latest version of the meeting's minutes.
pub async fn latest(tx: &mut TenantTx, meeting_id: Uuid) -> sqlx::Result<Option<Minutes>> {
    sqlx::query_as!(
        Minutes,
        r#"SELECT n.version, n.content AS "content!: Json<MinutesContent>",
                  local_time(n.drafted_at) AS "drafted_at!",
                  c.name AS "chair_approved_by?", s.name AS "secretary_approved_by?",
                  a.title AS "adopted_in?", local_time(n.adopted_at) AS adopted_at
           FROM minutes n
           LEFT JOIN users c ON c.tenant_id = n.tenant_id AND c.id = n.chair_approved_by
           LEFT JOIN users s ON s.tenant_id = n.tenant_id AND s.id = n.secretary_approved_by
           LEFT JOIN meetings a ON a.tenant_id = n.tenant_id AND a.id = n.adopted_in
           WHERE n.tenant_id = $1 AND n.meeting_id = $2
           ORDER BY n.version DESC LIMIT 1"#,
        tx.tenant_id(),
        meeting_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The minutes were adopted and can no longer change.
#[derive(Debug)]
pub struct Adopted;

/// Stores a new version drafted from the meeting as it stands.
pub async fn draft(
    tx: &mut TenantTx,
    meeting: &Meeting,
    rules: &StatuteRules,
    by: Uuid,
) -> sqlx::Result<Result<i32, Adopted>> {
    if latest(tx, meeting.id).await?.is_some_and(|m| m.is_adopted()) {
        return Ok(Err(Adopted));
    }
    let content = generate(tx, meeting, rules).await?;
    let version = sqlx::query_scalar!(
        "INSERT INTO minutes (tenant_id, meeting_id, version, content, drafted_by)
         SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4 FROM minutes WHERE tenant_id = $1 AND meeting_id = $2
         RETURNING version",
        tx.tenant_id(),
        meeting.id,
        Json(&content) as _,
        by
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Ok(version))
}

/// Who approves: the chair, or the secretary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approver {
    Chair,
    Secretary,
}

impl Approver {
    /// The approver a form names: `chair` or `secretary`.
    pub(super) fn parse(code: &str) -> Option<Approver> {
        [Approver::Chair, Approver::Secretary]
            .into_iter()
            .find(|a| a.code() == code)
    }

    pub(super) fn code(self) -> &'static str {
        match self {
            Approver::Chair => "chair",
            Approver::Secretary => "secretary",
        }
    }

    /// Each approves in their own office only.
    pub(super) fn held_by(self, offices: Offices) -> bool {
        match self {
            Approver::Chair => offices.chair,
            Approver::Secretary => offices.secretary,
        }
    }
}

/// Approves the given version, if it is still the latest and not adopted.
pub async fn approve(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    version: i32,
    as_: Approver,
    by: Uuid,
) -> sqlx::Result<bool> {
    let approved = sqlx::query!(
        "UPDATE minutes n
         SET chair_approved_by = CASE WHEN $4 THEN $5 ELSE chair_approved_by END,
             chair_approved_at = CASE WHEN $4 THEN now() ELSE chair_approved_at END,
             secretary_approved_by = CASE WHEN $4 THEN secretary_approved_by ELSE $5 END,
             secretary_approved_at = CASE WHEN $4 THEN secretary_approved_at ELSE now() END
         WHERE n.tenant_id = $1 AND n.meeting_id = $2 AND n.version = $3 AND n.adopted_at IS NULL
           AND n.version = (SELECT max(version) FROM minutes WHERE tenant_id = $1 AND meeting_id = $2)",
        tx.tenant_id(),
        meeting_id,
        version,
        as_ == Approver::Chair,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(approved.rows_affected() == 1)
}

/// A later meeting in session adopts the approved minutes; the meeting they record moves to
/// 'notulen vastgesteld'. False when the latest version is not approved by both.
pub async fn adopt(tx: &mut TenantTx, meeting_id: Uuid, in_meeting: Uuid) -> sqlx::Result<bool> {
    let adopted = sqlx::query!(
        "UPDATE minutes n SET adopted_in = $3, adopted_at = now()
         WHERE n.tenant_id = $1 AND n.meeting_id = $2 AND n.adopted_at IS NULL
           AND n.chair_approved_by IS NOT NULL AND n.secretary_approved_by IS NOT NULL
           AND n.version = (SELECT max(version) FROM minutes WHERE tenant_id = $1 AND meeting_id = $2)",
        tx.tenant_id(),
        meeting_id,
        in_meeting
    )
    .execute(&mut **tx)
    .await?;
    Ok(adopted.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_the_approver() {
        assert_eq!(Approver::parse("chair"), Some(Approver::Chair));
        assert_eq!(Approver::parse("secretary"), Some(Approver::Secretary));
        assert_eq!(Approver::parse("voorzitter"), None);
        assert_eq!(Approver::parse(""), None);
        for approver in [Approver::Chair, Approver::Secretary] {
            assert_eq!(Approver::parse(approver.code()), Some(approver));
        }
    }

    #[test]
    fn each_approves_in_their_own_office_only() {
        let chair = Offices {
            secretary: false,
            chair: true,
        };
        let secretary = Offices {
            secretary: true,
            chair: false,
        };
        let both = Offices {
            secretary: true,
            chair: true,
        };
        assert!(Approver::Chair.held_by(chair));
        assert!(!Approver::Chair.held_by(secretary));
        assert!(Approver::Secretary.held_by(secretary));
        assert!(!Approver::Secretary.held_by(chair));
        assert!(Approver::Chair.held_by(both) && Approver::Secretary.held_by(both));
        assert!(!Approver::Chair.held_by(Offices::default()));
    }
}
