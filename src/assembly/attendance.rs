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
#[derive(Clone)]
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
    /// Checks the form against the current list (`rows`) and the statute rules (see
    /// [`check`]).
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
        let holder = find(rows, &self.proxy_holder);
        let full = |h: &AttendanceRow| {
            let already = member.proxy_holder_id == Some(h.organisation_id);
            !already && h.proxies_held >= i64::from(rules.proxy_limit())
        };
        check(
            member,
            &self.presence,
            holder,
            full,
            &self.proxy_note,
            rules,
            errors,
        )
    }
}

fn find<'a>(rows: &'a [AttendanceRow], id: &str) -> Option<&'a AttendanceRow> {
    let id = id.parse::<Uuid>().ok()?;
    rows.iter().find(|r| r.organisation_id == id)
}

/// One member's attendance as the list would have it with every change made: a proxy needs a
/// note describing the written proxy, may be given only by and to a member with a vote, not by
/// a member holding proxies, not to a member that gave its own vote away, and no one holds
/// more proxies than the statutes allow (`holder_full`). A member holding proxies cannot be
/// absent.
fn check(
    member: &AttendanceRow,
    presence: &str,
    holder: Option<&AttendanceRow>,
    holder_full: impl Fn(&AttendanceRow) -> bool,
    proxy_note: &str,
    rules: &StatuteRules,
    errors: &mut FormErrors,
) -> Option<AttendanceChange> {
    let Some(presence) = Presence::parse(presence) else {
        errors.field("presence", "attendance.error.presence");
        return None;
    };
    let mut proxy_holder_id = None;
    if presence == Presence::Proxy {
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
                    if holder_full(h) {
                        errors.field("proxy_holder", "attendance.error.holder_full");
                    }
                    proxy_holder_id = Some(h.organisation_id);
                }
            }
        }
        if proxy_note.is_empty() {
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
            proxy_note.to_owned()
        } else {
            String::new()
        },
    })
}

/// One member's line of the whole attendance list as typed.
#[derive(Debug, Clone, Default)]
pub struct SheetLine {
    pub organisation_id: Uuid,
    pub presence: String,
    pub proxy_holder: String,
    pub proxy_note: String,
    /// What the checks on the way in found in the typed note (too long, a control character).
    pub note_problem: Option<&'static str>,
}

impl SheetLine {
    /// The line of `row` as the list form sent it (`presence.<id>`, …), or as stored when the
    /// form did not send it.
    pub fn from_fields(row: &AttendanceRow, fields: &Fields) -> SheetLine {
        let name = |kind: &str| format!("{kind}.{}", row.organisation_id);
        let sent = |kind: &str| {
            let name = name(kind);
            fields.get_all(&name).next().map(|v| v.trim().to_owned())
        };
        let stored = SheetLine::stored(row);
        SheetLine {
            organisation_id: row.organisation_id,
            presence: sent("presence").unwrap_or(stored.presence),
            proxy_holder: sent("proxy_holder").unwrap_or(stored.proxy_holder),
            proxy_note: sent("proxy_note").unwrap_or(stored.proxy_note),
            note_problem: fields.problem(&name("proxy_note")),
        }
    }

    /// The line as the list has it now.
    pub fn stored(row: &AttendanceRow) -> SheetLine {
        SheetLine {
            organisation_id: row.organisation_id,
            presence: row.presence.clone().unwrap_or_default(),
            proxy_holder: row.proxy_holder_id.map(|id| id.to_string()).unwrap_or_default(),
            proxy_note: row.proxy_note.clone(),
            note_problem: None,
        }
    }

    /// Whether the line asks for something other than what is stored. A line left without a
    /// choice changes nothing (the form offers none for a member already on the list).
    fn changes(&self, row: &AttendanceRow) -> bool {
        if self.presence.is_empty() {
            return false;
        }
        let stored = SheetLine::stored(row);
        let proxy = self.presence == Presence::Proxy.code();
        self.presence != stored.presence
            || (proxy && (self.proxy_holder != stored.proxy_holder || self.proxy_note != stored.proxy_note))
    }
}

/// The messages of one line of the whole list.
pub type LineErrors = Vec<(Uuid, FormErrors)>;

/// Checks the whole list as typed (`lines`, one per row of `rows`) against the statutes as it
/// would be with every change made, so that a proxy given on one line and withdrawn or passed
/// on on another are judged together. Only lines that change something are checked and
/// returned; any message refuses the whole list.
pub fn validate_sheet(
    lines: &[SheetLine],
    rows: &[AttendanceRow],
    rules: &StatuteRules,
) -> Result<Vec<AttendanceChange>, LineErrors> {
    let changed: Vec<bool> = lines
        .iter()
        .zip(rows)
        .map(|(line, row)| line.changes(row) || line.note_problem.is_some())
        .collect();
    let projected: Vec<AttendanceRow> = rows
        .iter()
        .zip(lines)
        .zip(&changed)
        .map(|((row, line), &changed)| {
            let mut row = row.clone();
            if changed {
                row.presence = Some(line.presence.clone());
                row.proxy_holder_id = if line.presence == Presence::Proxy.code() {
                    line.proxy_holder.parse().ok()
                } else {
                    None
                };
            }
            row
        })
        .collect();
    let held = |id: Uuid| -> i64 {
        let count = projected
            .iter()
            .filter(|r| {
                r.proxy_holder_id == Some(id) && r.presence.as_deref() == Some(Presence::Proxy.code())
            })
            .count();
        i64::try_from(count).unwrap_or(i64::MAX)
    };
    let projected: Vec<AttendanceRow> = projected
        .iter()
        .map(|r| AttendanceRow {
            proxies_held: held(r.organisation_id),
            ..r.clone()
        })
        .collect();
    let limit = i64::from(rules.proxy_limit());
    let mut changes = Vec::new();
    let mut refused = Vec::new();
    for ((line, member), _) in lines.iter().zip(&projected).zip(&changed).filter(|(_, c)| **c) {
        let mut errors = FormErrors::new();
        if let Some(key) = line.note_problem {
            errors.field("proxy_note", key);
        }
        let holder = find(&projected, &line.proxy_holder);
        let full = |h: &AttendanceRow| h.proxies_held > limit;
        match check(
            member,
            &line.presence,
            holder,
            full,
            &line.proxy_note,
            rules,
            &mut errors,
        ) {
            Some(change) => changes.push(change),
            None => refused.push((member.organisation_id, errors)),
        }
    }
    if refused.is_empty() {
        Ok(changes)
    } else {
        Err(refused)
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

    fn rules(max_proxies: i32) -> StatuteRules {
        StatuteRules {
            notice_days: 14,
            quorum_percent: 50,
            majority_ordinary: "meerderheid".into(),
            majority_statutes: "twee_derde".into(),
            majority_admission: "meerderheid".into(),
            majority_expulsion: "twee_derde".into(),
            majority_notice: "meerderheid".into(),
            proxies_allowed: true,
            max_proxies,
            abstentions_count: false,
            appeal_days: 30,
            electronic_participation: false,
            grants_by_assembly_above_cents: None,
        }
    }

    fn member(name: &str, status: &str) -> AttendanceRow {
        AttendanceRow {
            organisation_id: Uuid::new_v4(),
            organisation: name.into(),
            status: status.into(),
            presence: None,
            electronic: false,
            proxy_holder_id: None,
            proxy_holder: None,
            proxy_note: String::new(),
            proxies_held: 0,
        }
    }

    fn line(row: &AttendanceRow, presence: &str, holder: Option<&AttendanceRow>) -> SheetLine {
        SheetLine {
            organisation_id: row.organisation_id,
            presence: presence.into(),
            proxy_holder: holder.map(|h| h.organisation_id.to_string()).unwrap_or_default(),
            proxy_note: if holder.is_some() {
                "brief 3 mei".into()
            } else {
                String::new()
            },
            note_problem: None,
        }
    }

    fn messages(errors: &LineErrors, row: &AttendanceRow) -> Vec<&'static str> {
        errors
            .iter()
            .filter(|(id, _)| *id == row.organisation_id)
            .flat_map(|(_, e)| e.iter().map(|e| e.message_key))
            .collect()
    }

    #[test]
    fn the_whole_list_is_stored_in_one_go_and_lines_left_open_change_nothing() {
        let (a, b, c, d) = (
            member("A", "lid"),
            member("B", "lid"),
            member("C", "lid"),
            member("D", "aspirant"),
        );
        let rows = [a.clone(), b.clone(), c.clone(), d.clone()];
        let lines = [
            line(&a, "aanwezig", None),
            line(&b, "volmacht", Some(&a)),
            line(&c, "", None),
            line(&d, "afwezig_met_bericht", None),
        ];
        let changes = validate_sheet(&lines, &rows, &rules(1)).expect("a valid list");
        let stored: Vec<_> = changes.iter().map(|c| (c.organisation_id, c.presence)).collect();
        assert_eq!(
            stored,
            [
                (a.organisation_id, Presence::Present),
                (b.organisation_id, Presence::Proxy),
                (d.organisation_id, Presence::Excused),
            ]
        );
        assert_eq!(changes[1].proxy_holder_id, Some(a.organisation_id));
    }

    #[test]
    fn the_lines_are_judged_together_as_the_list_would_be() {
        let (a, b, c) = (member("A", "lid"), member("B", "lid"), member("C", "lid"));
        let rows = [a.clone(), b.clone(), c.clone()];
        // Two proxies to A where the statutes allow one: both lines are refused.
        let errors = validate_sheet(
            &[
                line(&a, "aanwezig", None),
                line(&b, "volmacht", Some(&a)),
                line(&c, "volmacht", Some(&a)),
            ],
            &rows,
            &rules(1),
        )
        .expect_err("too many proxies");
        assert_eq!(messages(&errors, &b), ["attendance.error.holder_full"]);
        assert_eq!(messages(&errors, &c), ["attendance.error.holder_full"]);
        assert!(messages(&errors, &a).is_empty());
        // A member cannot pass on its vote while another line gives it a proxy, nor hold one
        // while giving its own away; nor be absent while holding one.
        let errors = validate_sheet(
            &[
                line(&a, "volmacht", Some(&c)),
                line(&b, "volmacht", Some(&a)),
                line(&c, "afwezig_met_bericht", None),
            ],
            &rows,
            &rules(2),
        )
        .expect_err("a chain of proxies");
        assert_eq!(messages(&errors, &a), ["attendance.error.giver_holds_proxies"]);
        assert_eq!(messages(&errors, &b), ["attendance.error.holder_gave_proxy"]);
        assert_eq!(messages(&errors, &c), ["attendance.error.holder_absent"]);
    }

    #[test]
    fn an_unchanged_line_is_not_stored_again_and_a_proxy_needs_its_note() {
        let (mut a, b) = (member("A", "lid"), member("B", "lid"));
        a.presence = Some("aanwezig".into());
        a.electronic = true;
        let rows = [a.clone(), b.clone()];
        let mut without_note = line(&b, "volmacht", Some(&a));
        without_note.proxy_note.clear();
        let errors = validate_sheet(&[line(&a, "aanwezig", None), without_note], &rows, &rules(1))
            .expect_err("no note");
        assert_eq!(messages(&errors, &b), ["attendance.error.proxy_note"]);
        let changes = validate_sheet(
            &[line(&a, "aanwezig", None), line(&b, "", None)],
            &rows,
            &rules(1),
        )
        .expect("nothing changed");
        assert!(changes.is_empty(), "an electronic presence is kept as it is");
    }

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
