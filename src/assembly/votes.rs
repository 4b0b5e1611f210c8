//! Votes in a poll. Each member of the poll's electorate has one vote: its representative
//! casts it, or the holder of its proxy, or the secretary for a show of hands (who never
//! replaces a vote the member cast itself). A named vote may change until the close; for a
//! secret poll the ballot is stored without anything that links it to the member, and only the
//! fact that the member voted is recorded. Where the statutes allow electronic participation,
//! a member's own representative joins the electorate by voting, which registers the member as
//! present.
//!
//! Integrity rests on the database: one vote per member and poll is a primary key, casting
//! holds a share lock on the poll row and closing an exclusive one, so no vote lands after the
//! close and none is lost while it counts.

use uuid::Uuid;

use crate::assembly::VoteChoice;
use crate::db::TenantTx;

/// Who is casting a vote.
pub struct Voter {
    pub user_id: Uuid,
    /// The secretary records votes given by show of hands, for any member of the electorate.
    pub secretary: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CastError {
    /// The poll is closed: nothing is accepted after the close.
    Closed,
    /// The user may not vote for this member (not its representative today, or it gave a
    /// proxy).
    NotAuthorised,
    /// This member has no vote in this poll (not a full member, nor the suspended member the
    /// item is about).
    NoVote,
    /// The member was neither present nor represented when the poll opened, and does not join
    /// it electronically: the statutes do not allow that (`electronic_allowed` false), or the
    /// vote is not its own representative's.
    NotPresent { electronic_allowed: bool },
    /// A secret ballot cannot be changed: nothing links it to the member any more.
    AlreadyVoted,
    /// The secretary records a show of hands, but the member voted itself already.
    CastByMember,
}

/// Casts (or, in a named poll, changes) the vote of `organisation_id` in a poll of
/// `meeting_id`. Returns `None` when there is no such poll.
///
/// One statement does it all, since in the assembly's busiest second a hundred votes arrive
/// at once: it takes a share lock on the poll (votes go in side by side, while closing waits
/// for them and they for it), checks the voter's mandate (whoever gave a proxy votes only
/// through its holder) and the electorate written down at the opening, lets a member join it
/// electronically where the poll's rules allow (registering its attendance), and stores the
/// vote, unless that would replace a member's own vote by the secretary's record.
pub async fn cast(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    poll_id: Uuid,
    organisation_id: Uuid,
    choice: VoteChoice,
    voter: &Voter,
) -> sqlx::Result<Option<Result<(), CastError>>> {
    let Some(outcome) = sqlx::query!(
        r#"WITH target AS (
               SELECT p.status, p.secret, p.electronic_participation,
                      e.organisation_id IS NOT NULL AS in_electorate,
                      EXISTS (
                          SELECT FROM representatives r
                          WHERE r.tenant_id = p.tenant_id AND r.user_id = $4
                            AND r.organisation_id = coalesce(e.proxy_holder_id, $3)
                            AND r.valid_from <= local_now()::date
                            AND (r.valid_until IS NULL OR r.valid_until >= local_now()::date)
                      ) AS mandated,
                      EXISTS (
                          SELECT FROM organisations o
                          WHERE o.tenant_id = p.tenant_id AND o.id = $3
                            AND (o.status = 'lid' OR (o.status = 'geschorst' AND o.id = i.organisation_id))
                      ) AS has_vote,
                      a.presence IS DISTINCT FROM 'volmacht' AS own_vote
               FROM polls p
               JOIN agenda_items i ON i.tenant_id = p.tenant_id AND i.id = p.agenda_item_id
               LEFT JOIN poll_electorate e ON e.tenant_id = p.tenant_id AND e.poll_id = p.id
                    AND e.moment IN ('opening', 'elektronisch') AND e.organisation_id = $3
               LEFT JOIN attendance a ON a.tenant_id = p.tenant_id AND a.meeting_id = p.meeting_id
                    AND a.organisation_id = $3
               WHERE p.tenant_id = $1 AND p.id = $2 AND p.meeting_id = $6
               FOR SHARE OF p
           ),
           checked AS (
               -- Taking part electronically is the member's own doing, through its own
               -- representative; the secretary's show of hands is for those in the room.
               SELECT t.*, t.mandated OR $5 AS authorised,
                      NOT t.in_electorate AND t.has_vote AND t.electronic_participation AND t.mandated
                          AND t.own_vote AS joins
               FROM target t
           ),
           allowed AS (
               SELECT secret, joins, NOT mandated AS by_secretary FROM checked
               WHERE status = 'open' AND authorised AND has_vote AND (in_electorate OR joins)
           ),
           joined AS (
               INSERT INTO poll_electorate (tenant_id, poll_id, moment, organisation_id)
               SELECT $1, $2, 'elektronisch', $3 FROM allowed WHERE joins
               ON CONFLICT DO NOTHING
               RETURNING 1
           ),
           attended AS (
               INSERT INTO attendance (tenant_id, meeting_id, organisation_id, presence, electronic, recorded_by)
               SELECT $1, $6, $3, 'aanwezig', true, $4 FROM allowed WHERE joins
               ON CONFLICT (tenant_id, meeting_id, organisation_id) DO UPDATE
               SET presence = 'aanwezig', electronic = true, recorded_by = EXCLUDED.recorded_by, recorded_at = now()
               WHERE attendance.presence = 'afwezig_met_bericht'
               RETURNING 1
           ),
           -- The secretary records a show of hands; it never replaces a vote the member cast itself.
           named AS (
               INSERT INTO votes (tenant_id, poll_id, organisation_id, choice, cast_by, by_secretary)
               SELECT $1, $2, $3, $7, $4, by_secretary FROM allowed WHERE NOT secret
               ON CONFLICT (tenant_id, poll_id, organisation_id) DO UPDATE
               SET choice = EXCLUDED.choice, cast_by = EXCLUDED.cast_by, by_secretary = EXCLUDED.by_secretary,
                   changed_at = now()
               WHERE votes.by_secretary OR NOT EXCLUDED.by_secretary
               RETURNING 1
           ),
           participation AS (
               INSERT INTO poll_participation (tenant_id, poll_id, organisation_id, cast_by, by_secretary)
               SELECT $1, $2, $3, $4, by_secretary FROM allowed WHERE secret
               ON CONFLICT DO NOTHING
               RETURNING 1
           ),
           ballot AS (
               INSERT INTO ballots (tenant_id, poll_id, choice) SELECT $1, $2, $7 FROM participation RETURNING 1
           )
           SELECT c.status, c.secret, c.electronic_participation, c.authorised AS "authorised!",
                  c.has_vote AS "has_vote!", c.in_electorate OR c.joins AS "votes!",
                  (SELECT count(*) FROM named) + (SELECT count(*) FROM ballot) AS "stored!"
           FROM checked c"#,
        tx.tenant_id(),
        poll_id,
        organisation_id,
        voter.user_id,
        voter.secretary,
        meeting_id,
        choice.code()
    )
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(if outcome.status != "open" {
        Err(CastError::Closed)
    } else if !outcome.authorised {
        Err(CastError::NotAuthorised)
    } else if !outcome.has_vote {
        Err(CastError::NoVote)
    } else if !outcome.votes {
        Err(CastError::NotPresent {
            electronic_allowed: outcome.electronic_participation,
        })
    } else if outcome.stored == 0 && outcome.secret {
        Err(CastError::AlreadyVoted)
    } else if outcome.stored == 0 {
        Err(CastError::CastByMember)
    } else {
        Ok(())
    }))
}

/// A named vote, as the result page shows it.
pub struct NamedVote {
    pub organisation: String,
    pub choice: String,
    pub cast_by: String,
    pub by_secretary: bool,
    /// The member whose representative cast it under a proxy.
    pub proxy_holder: Option<String>,
}

impl NamedVote {
    pub fn choice_key(&self) -> String {
        format!("votechoice.{}", self.choice)
    }
}

/// Who voted what in a named poll; nothing for a secret one.
pub async fn named_votes(tx: &mut TenantTx, poll_id: Uuid) -> sqlx::Result<Vec<NamedVote>> {
    sqlx::query_as!(
        NamedVote,
        r#"SELECT o.name AS organisation, v.choice, u.name AS cast_by, v.by_secretary, h.name AS "proxy_holder?"
           FROM votes v
           JOIN organisations o ON o.tenant_id = v.tenant_id AND o.id = v.organisation_id
           JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.cast_by
           LEFT JOIN poll_electorate e ON e.tenant_id = v.tenant_id AND e.poll_id = v.poll_id
                AND e.moment = 'opening' AND e.organisation_id = v.organisation_id
           LEFT JOIN organisations h ON h.tenant_id = e.tenant_id AND h.id = e.proxy_holder_id
           WHERE v.tenant_id = $1 AND v.poll_id = $2
           ORDER BY lower(o.name)"#,
        tx.tenant_id(),
        poll_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A member the user may vote for in a poll, with what it voted so far.
pub struct Ballot {
    pub organisation_id: Uuid,
    pub organisation: String,
    /// Through a proxy given to a member the user represents.
    pub by_proxy: bool,
    /// The vote cast (named polls only).
    pub choice: Option<String>,
    pub voted: bool,
}

/// The members `represents` may cast a vote for in the poll (or, for the secretary, every
/// member of the electorate): those of its electorate, and where the poll's rules allow
/// electronic participation, the user's own voting members that may still join it.
pub async fn ballots_for(
    tx: &mut TenantTx,
    poll_id: Uuid,
    represents: &[Uuid],
    secretary: bool,
) -> sqlx::Result<Vec<Ballot>> {
    sqlx::query_as!(
        Ballot,
        r#"WITH electorate AS (
               SELECT e.organisation_id, e.proxy_holder_id FROM poll_electorate e
               WHERE e.tenant_id = $1 AND e.poll_id = $2 AND e.moment IN ('opening', 'elektronisch')
                 AND ($4 OR coalesce(e.proxy_holder_id, e.organisation_id) = ANY ($3))
               UNION ALL
               SELECT o.id, NULL FROM polls p
               JOIN agenda_items i ON i.tenant_id = p.tenant_id AND i.id = p.agenda_item_id
               JOIN organisations o ON o.tenant_id = p.tenant_id AND o.id = ANY ($3)
                    AND (o.status = 'lid' OR (o.status = 'geschorst' AND o.id = i.organisation_id))
               WHERE p.tenant_id = $1 AND p.id = $2 AND p.electronic_participation
                 AND NOT EXISTS (SELECT FROM poll_electorate e WHERE e.tenant_id = p.tenant_id AND e.poll_id = p.id
                                   AND e.moment IN ('opening', 'elektronisch') AND e.organisation_id = o.id)
                 AND NOT EXISTS (SELECT FROM attendance a WHERE a.tenant_id = p.tenant_id AND a.meeting_id = p.meeting_id
                                   AND a.organisation_id = o.id AND a.presence = 'volmacht')
           )
           SELECT e.organisation_id AS "organisation_id!", o.name AS organisation,
                  e.proxy_holder_id IS NOT NULL AS "by_proxy!",
                  v.choice AS "choice?",
                  (v.organisation_id IS NOT NULL OR x.organisation_id IS NOT NULL) AS "voted!"
           FROM electorate e
           JOIN organisations o ON o.tenant_id = $1 AND o.id = e.organisation_id
           LEFT JOIN votes v ON v.tenant_id = $1 AND v.poll_id = $2 AND v.organisation_id = e.organisation_id
           LEFT JOIN poll_participation x ON x.tenant_id = $1 AND x.poll_id = $2
                AND x.organisation_id = e.organisation_id
           ORDER BY e.proxy_holder_id IS NOT NULL, lower(o.name)"#,
        tx.tenant_id(),
        poll_id,
        represents,
        secretary
    )
    .fetch_all(&mut **tx)
    .await
}
