//! Polls on decision items. The chair opens a poll when the quorum is met. Its electorate is
//! fixed at that moment: the voting members present or represented by proxy then, written down
//! with the poll. A member arriving later does not vote in it; the one exception is a member
//! taking part electronically where the statutes allow it, which joins the electorate (and the
//! attendance list) by casting its vote (see `votes`). At the close the electorate is written
//! down once more, the votes are counted and the majority decides; the chair then declares the
//! result, and a challenge opens a re-vote.

use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::assembly::agenda::AgendaItem;
use crate::assembly::attendance::{self, Quorum};
use crate::assembly::meetings::{Meeting, format_moment};
use crate::assembly::rules::{StatuteRules, votes_cast};
use crate::assembly::{DecisionKind, Majority, MeetingStatus};
use crate::db::TenantTx;

#[derive(Debug, Clone)]
pub struct Poll {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub agenda_item_id: Uuid,
    pub round: i32,
    pub secret: bool,
    pub status: String,
    pub decision_kind: String,
    pub majority: String,
    pub quorum_percent: i32,
    pub abstentions_count: bool,
    /// Whether members may take part electronically (copied from the statute rules).
    pub electronic_participation: bool,
    /// The voting members, and those present or represented, when the poll opened (the quorum).
    pub electorate: i32,
    pub present: i32,
    pub opened_at: PrimitiveDateTime,
    pub closed_at: Option<PrimitiveDateTime>,
    pub votes_for: Option<i32>,
    pub votes_against: Option<i32>,
    pub abstentions: Option<i32>,
    pub adopted: Option<bool>,
    pub declared_at: Option<PrimitiveDateTime>,
    pub challenged_at: Option<PrimitiveDateTime>,
    pub challenge_note: String,
    /// Members that voted so far (the only figure shown while the poll is open).
    pub voted: i64,
    /// The members who may vote: present or represented at the opening, and those that joined
    /// electronically since.
    pub voters: i64,
}

impl Poll {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn majority(&self) -> Majority {
        Majority::parse(&self.majority).unwrap_or(Majority::Simple)
    }

    pub fn majority_key(&self) -> String {
        self.majority().label_key()
    }

    pub fn decision_kind_key(&self) -> String {
        DecisionKind::parse(&self.decision_kind)
            .map(DecisionKind::label_key)
            .unwrap_or_default()
    }

    /// The votes the majority was measured against.
    pub fn votes_cast(&self) -> i64 {
        votes_cast(
            i64::from(self.votes_for.unwrap_or(0)),
            i64::from(self.votes_against.unwrap_or(0)),
            i64::from(self.abstentions.unwrap_or(0)),
            self.abstentions_count,
        )
    }

    pub fn opened(&self) -> String {
        format_moment(self.opened_at)
    }

    pub fn closed(&self) -> Option<String> {
        self.closed_at.map(format_moment)
    }

    pub fn declared(&self) -> Option<String> {
        self.declared_at.map(format_moment)
    }

    pub fn challenged(&self) -> Option<String> {
        self.challenged_at.map(format_moment)
    }

    pub fn quorum(&self) -> Quorum {
        Quorum {
            electorate: i64::from(self.electorate),
            present: i64::from(self.present),
            percent: self.quorum_percent,
        }
    }

    pub(super) fn stage(&self) -> PollStage {
        if self.is_open() {
            PollStage::Open
        } else if self.challenged_at.is_some() {
            PollStage::Challenged
        } else if self.declared_at.is_some() {
            PollStage::Declared
        } else {
            PollStage::Closed
        }
    }
}

/// Where a poll stands: open for votes, closed and counted, its result declared by the chair,
/// and perhaps that result challenged (a re-vote then replaces it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PollStage {
    Open,
    Closed,
    Declared,
    Challenged,
}

/// The chair's steps on a poll, in their order. A challenge, noted at once after the result
/// was declared, opens a re-vote: the next round on the same item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ChairStep {
    Close,
    Declare,
    Challenge { note: String },
}

/// Why the chair cannot take a step now.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum StepRefused {
    /// A challenge says what is challenged.
    NoNote,
    /// A result is challenged in the meeting, at once.
    NotInSession,
    /// Not the step that follows from where the poll stands.
    OutOfTurn,
}

impl ChairStep {
    /// The step as the audit trail names it.
    pub(super) fn code(&self) -> &'static str {
        match self {
            ChairStep::Close => "close",
            ChairStep::Declare => "declare",
            ChairStep::Challenge { .. } => "challenge",
        }
    }

    /// Whether the chair may take this step on a poll at `poll`, in a meeting at `meeting`.
    pub(super) fn check(&self, poll: PollStage, meeting: MeetingStatus) -> Result<(), StepRefused> {
        let follows = match self {
            ChairStep::Close => PollStage::Open,
            ChairStep::Declare => PollStage::Closed,
            ChairStep::Challenge { note } => {
                if note.is_empty() {
                    return Err(StepRefused::NoNote);
                }
                if meeting != MeetingStatus::Open {
                    return Err(StepRefused::NotInSession);
                }
                PollStage::Declared
            }
        };
        if poll == follows {
            Ok(())
        } else {
            Err(StepRefused::OutOfTurn)
        }
    }
}

/// The polls of a meeting, in the order they were held.
pub async fn of_meeting(tx: &mut TenantTx, meeting_id: Uuid) -> sqlx::Result<Vec<Poll>> {
    sqlx::query_as!(
        Poll,
        r#"SELECT p.id, p.meeting_id, p.agenda_item_id, p.round, p.secret, p.status, p.decision_kind, p.majority,
                  p.quorum_percent, p.abstentions_count, p.electronic_participation, p.electorate, p.present,
                  local_time(p.opened_at) AS "opened_at!",
                  local_time(p.closed_at) AS closed_at,
                  p.votes_for, p.votes_against, p.abstentions, p.adopted,
                  local_time(p.declared_at) AS declared_at,
                  local_time(p.challenged_at) AS challenged_at, p.challenge_note,
                  CASE WHEN p.secret
                       THEN (SELECT count(*) FROM poll_participation x WHERE x.tenant_id = p.tenant_id AND x.poll_id = p.id)
                       ELSE (SELECT count(*) FROM votes v WHERE v.tenant_id = p.tenant_id AND v.poll_id = p.id)
                  END AS "voted!",
                  (SELECT count(*) FROM poll_electorate e WHERE e.tenant_id = p.tenant_id AND e.poll_id = p.id
                     AND e.moment IN ('opening', 'elektronisch')) AS "voters!"
           FROM polls p
           WHERE p.tenant_id = $1 AND p.meeting_id = $2
           ORDER BY p.opened_at, p.round"#,
        tx.tenant_id(),
        meeting_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A vote open now in a meeting in session, for the start page of those who take part.
pub struct OpenVote {
    pub meeting_id: Uuid,
    pub meeting: String,
    pub item: String,
}

/// The longest-open vote of a meeting in session, if any; the meeting's page has the rest.
pub async fn first_open(tx: &mut TenantTx) -> sqlx::Result<Option<OpenVote>> {
    sqlx::query_as!(
        OpenVote,
        "SELECT p.meeting_id, m.title AS meeting, i.title AS item
         FROM polls p
         JOIN meetings m ON m.tenant_id = p.tenant_id AND m.id = p.meeting_id
         JOIN agenda_items i ON i.tenant_id = p.tenant_id AND i.id = p.agenda_item_id
         WHERE p.tenant_id = $1 AND p.status = 'open' AND m.status = 'geopend'
         ORDER BY p.opened_at, p.id
         LIMIT 1",
        tx.tenant_id()
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, meeting_id: Uuid, id: Uuid) -> sqlx::Result<Option<Poll>> {
    Ok(of_meeting(tx, meeting_id).await?.into_iter().find(|p| p.id == id))
}

/// Why a poll cannot open.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The meeting is not in session.
    NotInSession,
    /// Only a decision item is voted on.
    NotADecision,
    /// A poll on this item is open, or its result stands (it was not challenged).
    AlreadyVoted,
    /// Too few voting members are present or represented.
    NoQuorum(Quorum),
}

/// Whether a poll may open on an item: in session, on a decision item, and only as the first
/// round or after the last round's result was challenged (`last_challenged`, when there was a
/// round). Gives the kind of decision voted on.
pub(super) fn may_open(
    meeting: MeetingStatus,
    kind: Option<DecisionKind>,
    last_challenged: Option<bool>,
) -> Result<DecisionKind, OpenError> {
    if meeting != MeetingStatus::Open {
        return Err(OpenError::NotInSession);
    }
    let Some(kind) = kind else {
        return Err(OpenError::NotADecision);
    };
    if last_challenged == Some(false) {
        return Err(OpenError::AlreadyVoted);
    }
    Ok(kind)
}

/// Opens a poll on a decision item of a meeting in session (the caller holds the meeting's
/// lock), under the statute rules of this moment, and writes down its electorate: the members
/// present or represented now, the same the quorum counts.
pub async fn open(
    tx: &mut TenantTx,
    meeting: &Meeting,
    item: &AgendaItem,
    secret: bool,
    rules: &StatuteRules,
    by: Uuid,
) -> sqlx::Result<Result<Uuid, OpenError>> {
    let last = sqlx::query!(
        "SELECT round, status, challenged_at IS NOT NULL AS \"challenged!\" FROM polls
         WHERE tenant_id = $1 AND agenda_item_id = $2 ORDER BY round DESC LIMIT 1",
        tx.tenant_id(),
        item.id
    )
    .fetch_optional(&mut **tx)
    .await?;
    let kind = match may_open(
        meeting.status(),
        item.decision_kind(),
        last.as_ref().map(|p| p.challenged),
    ) {
        Ok(kind) => kind,
        Err(refused) => return Ok(Err(refused)),
    };
    let quorum = attendance::quorum(tx, meeting.id, item.organisation_id, rules.quorum_percent).await?;
    if !quorum.met() {
        return Ok(Err(OpenError::NoQuorum(quorum)));
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO polls (tenant_id, meeting_id, agenda_item_id, round, secret, decision_kind, majority,
                            quorum_percent, abstentions_count, electronic_participation, electorate, present,
                            opened_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        tx.tenant_id(),
        meeting.id,
        item.id,
        last.map_or(1, |p| p.round + 1),
        secret,
        kind.code(),
        rules.majority_for(kind).code(),
        rules.quorum_percent,
        rules.abstentions_count,
        rules.electronic_participation,
        quorum.electorate as i32,
        quorum.present as i32,
        by
    )
    .fetch_one(&mut **tx)
    .await?;
    // Who may vote: the full members (and a suspended member on the item about itself) present,
    // or represented by a member present, each with the member holding its proxy. The same
    // members `attendance::quorum` counts as present.
    sqlx::query!(
        "INSERT INTO poll_electorate (tenant_id, poll_id, moment, organisation_id, proxy_holder_id)
         SELECT $1, $2, 'opening', o.id, a.proxy_holder_id
         FROM organisations o
         JOIN attendance a ON a.tenant_id = o.tenant_id AND a.meeting_id = $3 AND a.organisation_id = o.id
         LEFT JOIN attendance h ON h.tenant_id = o.tenant_id AND h.meeting_id = $3 AND h.organisation_id = a.proxy_holder_id
         WHERE o.tenant_id = $1 AND (o.status = 'lid' OR (o.status = 'geschorst' AND o.id = $4))
           AND (a.presence = 'aanwezig' OR (a.presence = 'volmacht' AND h.presence = 'aanwezig'))",
        tx.tenant_id(),
        id,
        meeting.id,
        item.organisation_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(id))
}

/// Closes an open poll: waits for the votes being cast, writes down the electorate as it
/// stands at the close (who was there at the opening and who joined electronically), counts
/// and decides whether the proposal is adopted. False when it was not open.
pub async fn close(tx: &mut TenantTx, poll_id: Uuid, by: Uuid) -> sqlx::Result<bool> {
    let Some(poll) = sqlx::query!(
        "SELECT status, secret, majority, abstentions_count FROM polls
         WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
        tx.tenant_id(),
        poll_id
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(false);
    };
    if poll.status != "open" {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT INTO poll_electorate (tenant_id, poll_id, moment, organisation_id, proxy_holder_id)
         SELECT tenant_id, poll_id, 'sluiting', organisation_id, proxy_holder_id FROM poll_electorate
         WHERE tenant_id = $1 AND poll_id = $2 AND moment IN ('opening', 'elektronisch')",
        tx.tenant_id(),
        poll_id
    )
    .execute(&mut **tx)
    .await?;
    let counts = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE choice = 'voor') AS "for!",
                  count(*) FILTER (WHERE choice = 'tegen') AS "against!",
                  count(*) FILTER (WHERE choice = 'onthouding') AS "abstentions!"
           FROM (SELECT choice FROM ballots WHERE tenant_id = $1 AND poll_id = $2 AND $3
                 UNION ALL
                 SELECT choice FROM votes WHERE tenant_id = $1 AND poll_id = $2 AND NOT $3) c"#,
        tx.tenant_id(),
        poll_id,
        poll.secret
    )
    .fetch_one(&mut **tx)
    .await?;
    let majority = Majority::parse(&poll.majority).unwrap_or(Majority::Simple);
    let cast = votes_cast(
        counts.r#for,
        counts.against,
        counts.abstentions,
        poll.abstentions_count,
    );
    let adopted = majority.carried(counts.r#for, cast);
    sqlx::query!(
        "UPDATE polls SET status = 'gesloten', closed_at = now(), closed_by = $3,
                votes_for = $4, votes_against = $5, abstentions = $6, adopted = $7
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        poll_id,
        by,
        counts.r#for as i32,
        counts.against as i32,
        counts.abstentions as i32,
        adopted
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// The chair declares the result of a closed poll. False when it is not closed, or already
/// declared.
pub async fn declare(tx: &mut TenantTx, poll_id: Uuid, by: Uuid) -> sqlx::Result<bool> {
    let declared = sqlx::query!(
        "UPDATE polls SET declared_at = now(), declared_by = $3
         WHERE tenant_id = $1 AND id = $2 AND status = 'gesloten' AND declared_at IS NULL",
        tx.tenant_id(),
        poll_id,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(declared.rows_affected() == 1)
}

/// Records that the declared result was challenged at once; the chair then holds a re-vote,
/// which replaces this poll as the basis of the decision (both stay in the record). False when
/// the poll is not the declared, unchallenged last round.
pub async fn challenge(tx: &mut TenantTx, poll_id: Uuid, note: &str) -> sqlx::Result<bool> {
    let challenged = sqlx::query!(
        "UPDATE polls p SET challenged_at = now(), challenge_note = $3
         WHERE p.tenant_id = $1 AND p.id = $2 AND p.declared_at IS NOT NULL AND p.challenged_at IS NULL
           AND NOT EXISTS (SELECT FROM polls later WHERE later.tenant_id = p.tenant_id
                             AND later.agenda_item_id = p.agenda_item_id AND later.round > p.round)",
        tx.tenant_id(),
        poll_id,
        note
    )
    .execute(&mut **tx)
    .await?;
    Ok(challenged.rows_affected() == 1)
}

/// The electorate at the opening and at the close, as counts (the close adds the members
/// that joined electronically).
pub async fn electorate_counts(tx: &mut TenantTx, poll_id: Uuid) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE moment = 'opening') AS "opening!",
                  count(*) FILTER (WHERE moment = 'sluiting') AS "closing!"
           FROM poll_electorate WHERE tenant_id = $1 AND poll_id = $2"#,
        tx.tenant_id(),
        poll_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((row.opening, row.closing))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAGES: [PollStage; 4] = [
        PollStage::Open,
        PollStage::Closed,
        PollStage::Declared,
        PollStage::Challenged,
    ];

    fn challenge(note: &str) -> ChairStep {
        ChairStep::Challenge { note: note.into() }
    }

    /// The stages from which the step is allowed, in a meeting in session.
    fn allowed_from(step: &ChairStep) -> Vec<PollStage> {
        STAGES
            .into_iter()
            .filter(|stage| step.check(*stage, MeetingStatus::Open).is_ok())
            .collect()
    }

    #[test]
    fn the_chair_closes_an_open_poll_and_declares_a_closed_one() {
        assert_eq!(allowed_from(&ChairStep::Close), [PollStage::Open]);
        assert_eq!(allowed_from(&ChairStep::Declare), [PollStage::Closed]);
        assert_eq!(
            ChairStep::Declare.check(PollStage::Declared, MeetingStatus::Open),
            Err(StepRefused::OutOfTurn)
        );
    }

    #[test]
    fn only_a_declared_result_can_be_challenged_and_only_once() {
        assert_eq!(allowed_from(&challenge("Telfout")), [PollStage::Declared]);
        assert_eq!(
            challenge("Telfout").check(PollStage::Challenged, MeetingStatus::Open),
            Err(StepRefused::OutOfTurn)
        );
    }

    #[test]
    fn a_challenge_needs_a_note_and_a_meeting_in_session() {
        assert_eq!(
            challenge("").check(PollStage::Declared, MeetingStatus::Open),
            Err(StepRefused::NoNote)
        );
        // The missing note is told first, even outside the session.
        assert_eq!(
            challenge("").check(PollStage::Declared, MeetingStatus::Closed),
            Err(StepRefused::NoNote)
        );
        assert_eq!(
            challenge("Telfout").check(PollStage::Declared, MeetingStatus::Closed),
            Err(StepRefused::NotInSession)
        );
    }

    #[test]
    fn closing_and_declaring_do_not_depend_on_the_meeting() {
        assert_eq!(
            ChairStep::Declare.check(PollStage::Closed, MeetingStatus::Closed),
            Ok(())
        );
        assert_eq!(
            ChairStep::Close.check(PollStage::Open, MeetingStatus::Closed),
            Ok(())
        );
    }

    #[test]
    fn a_poll_opens_in_session_on_a_decision_whose_last_round_was_challenged() {
        let kind = Some(DecisionKind::Ordinary);
        assert_eq!(
            may_open(MeetingStatus::Open, kind, None),
            Ok(DecisionKind::Ordinary)
        );
        assert_eq!(
            may_open(MeetingStatus::Open, kind, Some(true)),
            Ok(DecisionKind::Ordinary)
        );
        assert_eq!(
            may_open(MeetingStatus::Open, kind, Some(false)),
            Err(OpenError::AlreadyVoted)
        );
        assert_eq!(
            may_open(MeetingStatus::Open, None, None),
            Err(OpenError::NotADecision)
        );
        for meeting in [
            MeetingStatus::Draft,
            MeetingStatus::Convened,
            MeetingStatus::Closed,
        ] {
            assert_eq!(may_open(meeting, kind, None), Err(OpenError::NotInSession));
        }
    }
}
