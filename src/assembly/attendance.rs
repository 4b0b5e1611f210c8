//! The attendance list of a meeting: per member organisation present (in the room, or
//! electronically where the statutes allow it, registered by its vote), represented by another
//! member's representative with a written proxy (volmacht), or absent with notice; and the
//! quorum that follows from it. Only members with a vote count for the quorum.

use uuid::Uuid;

use crate::assembly::rules::{StatuteRules, quorum_met};
use crate::assembly::{MeetingStatus, Offices, Presence};
use crate::db::TenantTx;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

/// A member on the attendance list.
pub struct AttendanceRow {
    pub organisation_id: Uuid,
    pub organisation: String,
    pub status: String,
    pub presence: Option<String>,
    /// Present by taking part electronically (its vote registered it).
    pub electronic: bool,
    pub proxy_holder_id: Option<Uuid>,
    pub proxy_holder: Option<String>,
    pub proxy_note: String,
    pub proxies_held: i64,
}

impl AttendanceRow {
    /// Only full members vote (a suspended member only on its own case, in the poll).
    pub fn has_vote(&self) -> bool {
        self.status == "lid"
    }

    pub fn presence_key(&self) -> Option<String> {
        if self.electronic {
            return Some("presence.electronic".to_owned());
        }
        self.presence
            .as_deref()
            .and_then(Presence::parse)
            .map(Presence::label_key)
    }

    pub fn status_key(&self) -> String {
        format!("memberstatus.{}", self.status)
    }
}

/// Whether the user may record a member's attendance now. Attendance is kept from the
/// convening until the close, by the secretary, or the chair while leading the meeting; before
/// the meeting opens, a representative registers its own member (`own_member`).
pub(super) fn may_record(meeting: MeetingStatus, offices: Offices, own_member: bool) -> bool {
    let keeper = offices.secretary || offices.chair;
    match meeting {
        MeetingStatus::Convened => keeper || own_member,
        MeetingStatus::Open => keeper,
        MeetingStatus::Draft | MeetingStatus::Closed | MeetingStatus::MinutesAdopted => false,
    }
}

/// Every member that may attend (aspirants, members, suspended members) and anyone already on
/// the list, by name.
pub async fn list(tx: &mut TenantTx, meeting_id: Uuid) -> sqlx::Result<Vec<AttendanceRow>> {
    sqlx::query_as!(
        AttendanceRow,
        r#"SELECT o.id AS organisation_id, o.name AS organisation, o.status, a.presence AS "presence?",
                  coalesce(a.electronic, false) AS "electronic!",
                  a.proxy_holder_id AS "proxy_holder_id?", h.name AS "proxy_holder?",
                  coalesce(a.proxy_note, '') AS "proxy_note!",
                  (SELECT count(*) FROM attendance p
                   WHERE p.tenant_id = o.tenant_id AND p.meeting_id = $2 AND p.proxy_holder_id = o.id) AS "proxies_held!"
           FROM organisations o
           LEFT JOIN attendance a ON a.tenant_id = o.tenant_id AND a.meeting_id = $2 AND a.organisation_id = o.id
           LEFT JOIN organisations h ON h.tenant_id = o.tenant_id AND h.id = a.proxy_holder_id
           WHERE o.tenant_id = $1 AND (o.status IN ('aspirant', 'lid', 'geschorst') OR a.organisation_id IS NOT NULL)
           ORDER BY lower(o.name)"#,
        tx.tenant_id(),
        meeting_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many voting members there are, and how many of them are present or represented (by a
/// member present). A poll's electorate at its opening is the latter (`polls::open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quorum {
    pub electorate: i64,
    pub present: i64,
    pub percent: i32,
}

impl Quorum {
    pub fn met(&self) -> bool {
        quorum_met(self.present, self.electorate, self.percent)
    }

    /// The least number present or represented that meets the quorum.
    pub fn needed(&self) -> i64 {
        (self.electorate * i64::from(self.percent) + 99) / 100
    }
}

/// The quorum of the meeting now. `concerning` adds a suspended member to the electorate on
/// the item about its own case.
pub async fn quorum(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    concerning: Option<Uuid>,
    percent: i32,
) -> sqlx::Result<Quorum> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "electorate!",
                  count(*) FILTER (WHERE a.presence = 'aanwezig'
                                      OR (a.presence = 'volmacht' AND h.presence = 'aanwezig')) AS "present!"
           FROM organisations o
           LEFT JOIN attendance a ON a.tenant_id = o.tenant_id AND a.meeting_id = $2 AND a.organisation_id = o.id
           LEFT JOIN attendance h ON h.tenant_id = o.tenant_id AND h.meeting_id = $2 AND h.organisation_id = a.proxy_holder_id
           WHERE o.tenant_id = $1 AND (o.status = 'lid' OR (o.status = 'geschorst' AND o.id = $3))"#,
        tx.tenant_id(),
        meeting_id,
        concerning
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Quorum {
        electorate: row.electorate,
        present: row.present,
        percent,
    })
}

/// The attendance form as typed.
#[derive(Debug, Clone, Default)]
pub struct AttendanceInput {
    pub organisation: String,
    pub presence: String,
    pub proxy_holder: String,
    pub proxy_note: String,
}

impl AttendanceInput {
    pub fn from_fields(fields: &Fields) -> AttendanceInput {
        AttendanceInput {
            organisation: fields.get("organisation").to_owned(),
            presence: fields.get("presence").to_owned(),
            proxy_holder: fields.get("proxy_holder").to_owned(),
            proxy_note: fields.get("proxy_note").trim().to_owned(),
        }
    }
}

/// One member's attendance, checked against the list and the statutes.
#[derive(Debug, Clone)]
pub struct AttendanceChange {
    pub organisation_id: Uuid,
    pub presence: Presence,
    pub proxy_holder_id: Option<Uuid>,
    pub proxy_note: String,
}

impl AttendanceInput {
    /// Checks the form against the current list (`rows`) and the statute rules: a proxy needs
    /// a note describing the written proxy, may be given only by and to a member with a vote, not to a member
    /// that gave its own vote away, and no one holds more proxies than the statutes allow.
    pub fn validate(
        &self,
        rows: &[AttendanceRow],
        rules: &StatuteRules,
        errors: &mut FormErrors,
    ) -> Option<AttendanceChange> {
        let member = self
            .organisation
            .parse::<Uuid>()
            .ok()
            .and_then(|id| rows.iter().find(|r| r.organisation_id == id));
        let Some(member) = member else {
            errors.field("organisation", "attendance.error.organisation");
            return None;
        };
        let Some(presence) = Presence::parse(&self.presence) else {
            errors.field("presence", "attendance.error.presence");
            return None;
        };
        let mut proxy_holder_id = None;
        if presence == Presence::Proxy {
            let holder = self
                .proxy_holder
                .parse::<Uuid>()
                .ok()
                .and_then(|id| rows.iter().find(|r| r.organisation_id == id));
            if !rules.proxies_allowed {
                errors.field("presence", "attendance.error.no_proxies");
            } else if !member.has_vote() {
                errors.field("presence", "attendance.error.giver_has_no_vote");
            } else if member.proxies_held > 0 {
                errors.field("presence", "attendance.error.giver_holds_proxies");
            } else {
                match holder {
                    None => errors.field("proxy_holder", "attendance.error.holder"),
                    Some(h) if h.organisation_id == member.organisation_id || !h.has_vote() => {
                        errors.field("proxy_holder", "attendance.error.holder")
                    }
                    Some(h) if h.presence.as_deref() == Some(Presence::Proxy.code()) => {
                        errors.field("proxy_holder", "attendance.error.holder_gave_proxy")
                    }
                    Some(h) => {
                        let already = member.proxy_holder_id == Some(h.organisation_id);
                        if !already && h.proxies_held >= i64::from(rules.proxy_limit()) {
                            errors.field("proxy_holder", "attendance.error.holder_full");
                        }
                        proxy_holder_id = Some(h.organisation_id);
                    }
                }
            }
            if self.proxy_note.is_empty() {
                errors.field("proxy_note", "attendance.error.proxy_note");
            }
        } else if member.proxies_held > 0 && presence == Presence::Excused {
            errors.field("presence", "attendance.error.holder_absent");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(AttendanceChange {
            organisation_id: member.organisation_id,
            presence,
            proxy_holder_id,
            proxy_note: if presence == Presence::Proxy {
                self.proxy_note.clone()
            } else {
                String::new()
            },
        })
    }
}

/// Records (or replaces) one member's attendance. The caller holds the meeting's lock, so the
/// proxy limits checked against the list still hold.
pub async fn record(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    change: &AttendanceChange,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO attendance (tenant_id, meeting_id, organisation_id, presence, proxy_holder_id, proxy_note, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, meeting_id, organisation_id) DO UPDATE
         SET presence = EXCLUDED.presence, proxy_holder_id = EXCLUDED.proxy_holder_id,
             proxy_note = EXCLUDED.proxy_note, electronic = false,
             recorded_by = EXCLUDED.recorded_by, recorded_at = now()",
        tx.tenant_id(),
        meeting_id,
        change.organisation_id,
        change.presence.code(),
        change.proxy_holder_id,
        change.proxy_note,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRETARY: Offices = Offices {
        secretary: true,
        chair: false,
    };
    const CHAIR: Offices = Offices {
        secretary: false,
        chair: true,
    };
    const NONE: Offices = Offices {
        secretary: false,
        chair: false,
    };

    #[test]
    fn the_list_is_kept_from_the_convening_until_the_close() {
        for offices in [SECRETARY, CHAIR] {
            assert!(!may_record(MeetingStatus::Draft, offices, false));
            assert!(may_record(MeetingStatus::Convened, offices, false));
            assert!(may_record(MeetingStatus::Open, offices, false));
            assert!(!may_record(MeetingStatus::Closed, offices, false));
            assert!(!may_record(MeetingStatus::MinutesAdopted, offices, false));
        }
    }

    #[test]
    fn a_representative_registers_its_own_member_only_before_the_opening() {
        assert!(may_record(MeetingStatus::Convened, NONE, true));
        assert!(!may_record(MeetingStatus::Open, NONE, true));
        assert!(!may_record(MeetingStatus::Draft, NONE, true));
        assert!(!may_record(MeetingStatus::Convened, NONE, false));
    }
}
