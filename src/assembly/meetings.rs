//! Meetings of the general assembly: prepared as a concept, convened (which publishes the agenda
//! and documents to every member, no later than the statutes' notice period allows), opened on
//! its date and closed by the chair. Closing a meeting carries its decisions about members into
//! the register, dated the day the meeting was held.

use time::{Date, Duration, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::assembly::{ItemKind, MeetingStatus, Offices};
use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 25;

/// The standard items of a new meeting, in order.
pub const STANDARD_ITEMS: [(&str, ItemKind); 5] = [
    ("Opening", ItemKind::Announcement),
    ("Notulen vorige vergadering", ItemKind::Discussion),
    ("Mededelingen", ItemKind::Announcement),
    ("Rondvraag", ItemKind::Discussion),
    ("Sluiting", ItemKind::Announcement),
];

/// A row of the list of meetings.
pub struct MeetingRow {
    pub id: Uuid,
    pub title: String,
    pub starts_at: PrimitiveDateTime,
    pub place: String,
    pub status: String,
    pub items: i64,
    pub decisions: i64,
}

impl MeetingRow {
    pub fn starts(&self) -> String {
        format_moment(self.starts_at)
    }

    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }
}

fn status_key(code: &str) -> String {
    MeetingStatus::parse(code)
        .map(MeetingStatus::label_key)
        .unwrap_or_default()
}

/// `05-03-2026 19:30`.
pub fn format_moment(at: PrimitiveDateTime) -> String {
    format!("{} {:02}:{:02}", format_date(at.date()), at.hour(), at.minute())
}

/// A page of meetings, newest first; members do not see meetings still being prepared.
pub async fn list(tx: &mut TenantTx, with_drafts: bool, page: i64) -> sqlx::Result<Vec<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.title, local_time(m.starts_at) AS "starts_at!", m.place, m.status,
                  (SELECT count(*) FROM agenda_items i WHERE i.tenant_id = m.tenant_id AND i.meeting_id = m.id) AS "items!",
                  (SELECT count(*) FROM decisions d WHERE d.tenant_id = m.tenant_id AND d.meeting_id = m.id) AS "decisions!"
           FROM meetings m
           WHERE m.tenant_id = $1 AND ($2 OR m.status <> 'concept')
           ORDER BY m.starts_at DESC, m.id
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        with_drafts,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many meetings [`list`] holds in all.
pub async fn count(tx: &mut TenantTx, with_drafts: bool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM meetings WHERE tenant_id = $1 AND ($2 OR status <> 'concept')"#,
        tx.tenant_id(),
        with_drafts
    )
    .fetch_one(&mut **tx)
    .await
}

/// The next convened meeting still ahead, with its number of agenda items, for the start page.
pub async fn next_convened(tx: &mut TenantTx) -> sqlx::Result<Option<MeetingRow>> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.title, local_time(m.starts_at) AS "starts_at!", m.place, m.status,
                  (SELECT count(*) FROM agenda_items i WHERE i.tenant_id = m.tenant_id AND i.meeting_id = m.id) AS "items!",
                  0::bigint AS "decisions!"
           FROM meetings m
           WHERE m.tenant_id = $1 AND m.status = 'uitgeschreven' AND m.starts_at >= now()
           ORDER BY m.starts_at
           LIMIT 1"#,
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: Uuid,
    pub title: String,
    pub starts_at: PrimitiveDateTime,
    pub place: String,
    pub video_url: String,
    pub status: String,
    pub convened_at: Option<PrimitiveDateTime>,
    pub opened_at: Option<PrimitiveDateTime>,
    pub closed_at: Option<PrimitiveDateTime>,
    /// When a meeting opened on another day was convened for, and why it moved.
    pub rescheduled_from: Option<PrimitiveDateTime>,
    pub reschedule_reason: String,
    pub lock_version: i32,
}

impl Meeting {
    pub fn status(&self) -> MeetingStatus {
        MeetingStatus::parse(&self.status).unwrap_or(MeetingStatus::Draft)
    }

    pub fn status_key(&self) -> String {
        status_key(&self.status)
    }

    pub fn starts(&self) -> String {
        format_moment(self.starts_at)
    }

    pub fn convened(&self) -> Option<String> {
        self.convened_at.map(format_moment)
    }

    pub fn rescheduled(&self) -> Option<String> {
        self.rescheduled_from.map(format_moment)
    }

    pub fn is_draft(&self) -> bool {
        self.status() == MeetingStatus::Draft
    }

    pub fn is_open(&self) -> bool {
        self.status() == MeetingStatus::Open
    }

    /// Whether members see it: from the moment it is convened.
    pub fn is_published(&self) -> bool {
        !self.is_draft()
    }

    /// Whether the meeting has been held (and so has, or will have, minutes).
    pub fn is_held(&self) -> bool {
        matches!(
            self.status(),
            MeetingStatus::Closed | MeetingStatus::MinutesAdopted
        )
    }
}

/// The meeting; members (`with_drafts` false) do not find one still being prepared.
pub async fn find(tx: &mut TenantTx, id: Uuid, with_drafts: bool) -> sqlx::Result<Option<Meeting>> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT id, title, local_time(starts_at) AS "starts_at!", place, video_url, status,
                  local_time(convened_at) AS convened_at,
                  local_time(opened_at) AS opened_at,
                  local_time(closed_at) AS closed_at,
                  local_time(rescheduled_from) AS rescheduled_from, reschedule_reason, lock_version
           FROM meetings WHERE tenant_id = $1 AND id = $2 AND ($3 OR status <> 'concept')"#,
        tx.tenant_id(),
        id,
        with_drafts
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The meeting, locked until the transaction ends: attendance, polls and status changes of one
/// meeting happen one after another.
pub async fn lock(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Meeting>> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT id, title, local_time(starts_at) AS "starts_at!", place, video_url, status,
                  local_time(convened_at) AS convened_at,
                  local_time(opened_at) AS opened_at,
                  local_time(closed_at) AS closed_at,
                  local_time(rescheduled_from) AS rescheduled_from, reschedule_reason, lock_version
           FROM meetings WHERE tenant_id = $1 AND id = $2 FOR UPDATE"#,
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// The meeting form as typed.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub title: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub video_url: String,
}

pub struct MeetingDetails {
    pub title: String,
    pub starts_at: PrimitiveDateTime,
    pub place: String,
    pub video_url: String,
}

impl MeetingInput {
    pub fn from_fields(fields: &Fields) -> MeetingInput {
        MeetingInput {
            title: fields.get("title").trim().to_owned(),
            date: fields.get("date").trim().to_owned(),
            time: fields.get("time").trim().to_owned(),
            place: fields.get("place").trim().to_owned(),
            video_url: fields.get("video_url").trim().to_owned(),
        }
    }

    pub fn from_meeting(meeting: &Meeting) -> MeetingInput {
        MeetingInput {
            title: meeting.title.clone(),
            date: format_date(meeting.starts_at.date()),
            time: format!(
                "{:02}:{:02}",
                meeting.starts_at.hour(),
                meeting.starts_at.minute()
            ),
            place: meeting.place.clone(),
            video_url: meeting.video_url.clone(),
        }
    }

    /// A new meeting: the title and time of day most assemblies have.
    pub fn new_meeting() -> MeetingInput {
        MeetingInput {
            title: "Algemene ledenvergadering".to_owned(),
            time: "19:30".to_owned(),
            ..MeetingInput::default()
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<MeetingDetails> {
        if self.title.is_empty() {
            errors.field("title", "meeting.error.title");
        }
        let date = parse_date(&self.date);
        if date.is_none() {
            errors.field("date", "meeting.error.date");
        }
        let time = Time::parse(&self.time, time::macros::format_description!("[hour]:[minute]")).ok();
        if time.is_none() {
            errors.field("time", "meeting.error.time");
        }
        if self.place.is_empty() && self.video_url.is_empty() {
            errors.field("place", "meeting.error.place");
        }
        let link_ok = self.video_url.is_empty()
            || self.video_url.starts_with("https://")
            || self.video_url.starts_with("http://");
        if !link_ok {
            errors.field("video_url", "meeting.error.video_url");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(MeetingDetails {
            title: self.title.clone(),
            starts_at: PrimitiveDateTime::new(date?, time?),
            place: self.place.clone(),
            video_url: self.video_url.clone(),
        })
    }
}

/// Creates a meeting as a concept with the standard agenda items.
pub async fn create(tx: &mut TenantTx, details: &MeetingDetails, by: Uuid) -> sqlx::Result<Uuid> {
    let id = sqlx::query_scalar!(
        "INSERT INTO meetings (tenant_id, title, starts_at, place, video_url, created_by)
         VALUES ($1, $2, local_moment($3::timestamp), $4, $5, $6) RETURNING id",
        tx.tenant_id(),
        details.title,
        details.starts_at,
        details.place,
        details.video_url,
        by
    )
    .fetch_one(&mut **tx)
    .await?;
    let titles: Vec<&str> = STANDARD_ITEMS.iter().map(|(title, _)| *title).collect();
    let kinds: Vec<&str> = STANDARD_ITEMS.iter().map(|(_, kind)| kind.code()).collect();
    sqlx::query!(
        "INSERT INTO agenda_items (tenant_id, meeting_id, position, title, kind)
         SELECT $1, $2, n, title, kind FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS s (title, kind, n)",
        tx.tenant_id(),
        id,
        &titles as &[&str],
        &kinds as &[&str],
    )
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Someone else changed the meeting since the form was opened.
#[derive(Debug)]
pub struct Conflict;

pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    version: i32,
    details: &MeetingDetails,
) -> sqlx::Result<Result<(), Conflict>> {
    let updated = sqlx::query!(
        "UPDATE meetings SET title = $4, starts_at = local_moment($5::timestamp), place = $6,
                video_url = $7, lock_version = lock_version + 1
         WHERE tenant_id = $1 AND id = $2 AND lock_version = $3",
        tx.tenant_id(),
        id,
        version,
        details.title,
        details.starts_at,
        details.place,
        details.video_url
    )
    .execute(&mut **tx)
    .await?;
    Ok(if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Conflict)
    })
}

impl MeetingStatus {
    /// The status a meeting moves on to from this one: each step goes one forward.
    pub(super) fn next(self) -> Option<MeetingStatus> {
        match self {
            MeetingStatus::Draft => Some(MeetingStatus::Convened),
            MeetingStatus::Convened => Some(MeetingStatus::Open),
            MeetingStatus::Open => Some(MeetingStatus::Closed),
            MeetingStatus::Closed => Some(MeetingStatus::MinutesAdopted),
            MeetingStatus::MinutesAdopted => None,
        }
    }

    /// Notes per item are what was said: typed during the meeting or after it, until the
    /// minutes are adopted.
    pub(super) fn takes_notes(self) -> bool {
        matches!(self, MeetingStatus::Open | MeetingStatus::Closed)
    }
}

/// The steps someone takes to move a meeting on. (The last, to 'minutes adopted', follows from
/// adopting the minutes.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MeetingStep {
    Convene,
    Open,
    Close,
}

impl MeetingStep {
    /// The step that leads to `status`, if anyone takes one to it.
    pub(super) fn towards(status: MeetingStatus) -> Option<MeetingStep> {
        match status {
            MeetingStatus::Convened => Some(MeetingStep::Convene),
            MeetingStatus::Open => Some(MeetingStep::Open),
            MeetingStatus::Closed => Some(MeetingStep::Close),
            MeetingStatus::Draft | MeetingStatus::MinutesAdopted => None,
        }
    }

    pub(super) fn status(self) -> MeetingStatus {
        match self {
            MeetingStep::Convene => MeetingStatus::Convened,
            MeetingStep::Open => MeetingStatus::Open,
            MeetingStep::Close => MeetingStatus::Closed,
        }
    }

    /// Administrators convene; the chair opens and closes.
    pub(super) fn may_take(self, offices: Offices) -> bool {
        match self {
            MeetingStep::Convene => offices.secretary,
            MeetingStep::Open | MeetingStep::Close => offices.chair,
        }
    }
}

/// Why a meeting cannot move on to the status asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum StatusError {
    /// Not a step from the current status (or not this user's step).
    NotAllowed,
    /// Convening now leaves less than the notice period: the meeting would have to move to
    /// `earliest` at least.
    TooLate { earliest: Date, notice_days: i32 },
    /// A meeting without a single item of its own cannot be convened.
    EmptyAgenda,
    /// A poll is still open.
    PollOpen,
    /// A meeting opens on the date it was convened for, or as a rescheduled meeting.
    NotItsDate,
}

/// The first date a meeting convened `today` may be held on.
pub fn earliest_date(today: Date, notice_days: i32) -> Date {
    today + Duration::days(i64::from(notice_days))
}

/// Convenes the meeting: checks the notice period against `today` and publishes it.
pub async fn convene(
    tx: &mut TenantTx,
    meeting: &Meeting,
    today: Date,
    notice_days: i32,
    by: Uuid,
) -> sqlx::Result<Result<(), StatusError>> {
    if meeting.status() != MeetingStatus::Draft {
        return Ok(Err(StatusError::NotAllowed));
    }
    let earliest = earliest_date(today, notice_days);
    if meeting.starts_at.date() < earliest {
        return Ok(Err(StatusError::TooLate {
            earliest,
            notice_days,
        }));
    }
    let items = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2"#,
        tx.tenant_id(),
        meeting.id
    )
    .fetch_one(&mut **tx)
    .await?;
    if items == 0 {
        return Ok(Err(StatusError::EmptyAgenda));
    }
    advance(tx, meeting, MeetingStatus::Convened, Some(by)).await
}

/// How a convened meeting opens on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// On the date it was convened for.
    AsConvened,
    /// On another day, as a rescheduled meeting: it moves to that day.
    Moved,
}

/// Whether a meeting convened for `scheduled` opens `today`: only on that date, unless the
/// chair opens it as `rescheduled`.
pub(super) fn opening(scheduled: Date, today: Date, rescheduled: bool) -> Result<Opening, StatusError> {
    if scheduled == today {
        Ok(Opening::AsConvened)
    } else if rescheduled {
        Ok(Opening::Moved)
    } else {
        Err(StatusError::NotItsDate)
    }
}

/// Opens the meeting `today` (in the Netherlands), the date it was convened for. A meeting held
/// on another day opens only with the chair's `reschedule_reason`: it then starts at this moment,
/// keeping the moment it was convened for and the reason, so that its decisions and what they
/// change in the member register carry the day it was really held. Says how it opened.
pub async fn open(
    tx: &mut TenantTx,
    meeting: &Meeting,
    today: Date,
    reschedule_reason: Option<&str>,
    by: Uuid,
) -> sqlx::Result<Result<Opening, StatusError>> {
    if meeting.status() != MeetingStatus::Convened {
        return Ok(Err(StatusError::NotAllowed));
    }
    let opening = match opening(meeting.starts_at.date(), today, reschedule_reason.is_some()) {
        Err(refused) => return Ok(Err(refused)),
        Ok(opening) => opening,
    };
    if opening == Opening::Moved {
        sqlx::query!(
            "UPDATE meetings
             SET rescheduled_from = starts_at, reschedule_reason = $3, starts_at = date_trunc('minute', now())
             WHERE tenant_id = $1 AND id = $2",
            tx.tenant_id(),
            meeting.id,
            reschedule_reason
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(advance(tx, meeting, MeetingStatus::Open, Some(by))
        .await?
        .map(|()| opening))
}

/// Closes the meeting, or marks its minutes adopted: the steps without rules of their own.
/// Convening and opening go through [`convene`] and [`open`], which check their dates.
pub async fn set_status(
    tx: &mut TenantTx,
    meeting: &Meeting,
    to: MeetingStatus,
    by: Option<Uuid>,
) -> sqlx::Result<Result<(), StatusError>> {
    if matches!(to, MeetingStatus::Convened | MeetingStatus::Open) {
        return Ok(Err(StatusError::NotAllowed));
    }
    advance(tx, meeting, to, by).await
}

/// Moves the meeting one status on.
async fn advance(
    tx: &mut TenantTx,
    meeting: &Meeting,
    to: MeetingStatus,
    by: Option<Uuid>,
) -> sqlx::Result<Result<(), StatusError>> {
    if meeting.status().next() != Some(to) {
        return Ok(Err(StatusError::NotAllowed));
    }
    if to == MeetingStatus::Closed {
        let open_polls = sqlx::query_scalar!(
            r#"SELECT count(*) AS "n!" FROM polls WHERE tenant_id = $1 AND meeting_id = $2 AND status = 'open'"#,
            tx.tenant_id(),
            meeting.id
        )
        .fetch_one(&mut **tx)
        .await?;
        if open_polls > 0 {
            return Ok(Err(StatusError::PollOpen));
        }
    }
    let updated = sqlx::query!(
        "UPDATE meetings
         SET status = $4, lock_version = lock_version + 1,
             convened_at = CASE WHEN $4 = 'uitgeschreven' THEN now() ELSE convened_at END,
             convened_by = CASE WHEN $4 = 'uitgeschreven' THEN $5 ELSE convened_by END,
             opened_at = CASE WHEN $4 = 'geopend' THEN now() ELSE opened_at END,
             closed_at = CASE WHEN $4 = 'gesloten' THEN now() ELSE closed_at END
         WHERE tenant_id = $1 AND id = $2 AND status = $3",
        tx.tenant_id(),
        meeting.id,
        meeting.status,
        to.code(),
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(if updated.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StatusError::NotAllowed)
    })
}

/// A meeting to choose from (copying an agenda, adopting minutes).
pub struct MeetingOption {
    pub id: Uuid,
    pub title: String,
    pub starts_at: PrimitiveDateTime,
}

impl MeetingOption {
    pub fn label(&self) -> String {
        format!("{} ({})", self.title, format_date(self.starts_at.date()))
    }
}

/// Earlier meetings than `meeting`, newest first.
pub async fn earlier(tx: &mut TenantTx, meeting: &Meeting) -> sqlx::Result<Vec<MeetingOption>> {
    sqlx::query_as!(
        MeetingOption,
        r#"SELECT id, title, local_time(starts_at) AS "starts_at!"
           FROM meetings
           WHERE tenant_id = $1 AND id <> $2 AND starts_at < local_moment($3::timestamp)
           ORDER BY starts_at DESC LIMIT 50"#,
        tx.tenant_id(),
        meeting.id,
        meeting.starts_at
    )
    .fetch_all(&mut **tx)
    .await
}

/// The meetings in session now, later than `meeting`: where its minutes can be adopted.
pub async fn open_after(tx: &mut TenantTx, meeting: &Meeting) -> sqlx::Result<Vec<MeetingOption>> {
    sqlx::query_as!(
        MeetingOption,
        r#"SELECT id, title, local_time(starts_at) AS "starts_at!"
           FROM meetings
           WHERE tenant_id = $1 AND status = 'geopend'
             AND starts_at > local_moment($2::timestamp)
           ORDER BY starts_at"#,
        tx.tenant_id(),
        meeting.starts_at
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_notice_period_counts_calendar_days() {
        assert_eq!(earliest_date(date!(2026 - 12 - 20), 14), date!(2027 - 01 - 03));
        assert_eq!(earliest_date(date!(2026 - 12 - 20), 0), date!(2026 - 12 - 20));
    }

    #[test]
    fn a_meeting_moves_one_status_forward_at_a_time() {
        assert_eq!(MeetingStatus::Draft.next(), Some(MeetingStatus::Convened));
        assert_eq!(MeetingStatus::Convened.next(), Some(MeetingStatus::Open));
        assert_eq!(MeetingStatus::Open.next(), Some(MeetingStatus::Closed));
        assert_eq!(MeetingStatus::Closed.next(), Some(MeetingStatus::MinutesAdopted));
        assert_eq!(MeetingStatus::MinutesAdopted.next(), None);
    }

    #[test]
    fn notes_are_kept_from_the_opening_until_the_minutes_are_adopted() {
        let keeps: Vec<MeetingStatus> = MeetingStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.takes_notes())
            .collect();
        assert_eq!(keeps, [MeetingStatus::Open, MeetingStatus::Closed]);
    }

    #[test]
    fn the_secretary_convenes_and_the_chair_opens_and_closes() {
        let secretary = Offices {
            secretary: true,
            chair: false,
        };
        let chair = Offices {
            secretary: false,
            chair: true,
        };
        let member = Offices::default();
        assert!(MeetingStep::Convene.may_take(secretary));
        assert!(!MeetingStep::Convene.may_take(chair));
        for step in [MeetingStep::Open, MeetingStep::Close] {
            assert!(step.may_take(chair));
            assert!(!step.may_take(secretary));
        }
        for step in [MeetingStep::Convene, MeetingStep::Open, MeetingStep::Close] {
            assert!(!step.may_take(member));
        }
    }

    #[test]
    fn a_step_leads_to_its_status_and_nobody_steps_back_to_a_concept() {
        for step in [MeetingStep::Convene, MeetingStep::Open, MeetingStep::Close] {
            assert_eq!(MeetingStep::towards(step.status()), Some(step));
        }
        assert_eq!(MeetingStep::towards(MeetingStatus::Draft), None);
        assert_eq!(MeetingStep::towards(MeetingStatus::MinutesAdopted), None);
    }

    #[test]
    fn a_meeting_opens_on_its_date_or_moves_to_the_day_it_is_rescheduled_to() {
        let day = date!(2026 - 12 - 16);
        assert_eq!(opening(day, day, false), Ok(Opening::AsConvened));
        assert_eq!(opening(day, day, true), Ok(Opening::AsConvened), "nothing moves");
        for other in [day - Duration::days(1), day + Duration::days(1)] {
            assert_eq!(opening(day, other, false), Err(StatusError::NotItsDate));
            assert_eq!(opening(day, other, true), Ok(Opening::Moved));
        }
    }

    #[test]
    fn a_meeting_needs_a_place_or_a_link() {
        let mut errors = FormErrors::default();
        let input = MeetingInput {
            title: "ALV".into(),
            date: "12-01-2027".into(),
            time: "19:30".into(),
            ..MeetingInput::default()
        };
        assert!(input.validate(&mut errors).is_none());
        assert!(errors.has("place"));
        let mut errors = FormErrors::default();
        let input = MeetingInput {
            video_url: "https://meet.example.nl/alv".into(),
            ..input
        };
        let details = input.validate(&mut errors).expect("valid");
        assert_eq!(details.starts_at.hour(), 19);
    }
}
