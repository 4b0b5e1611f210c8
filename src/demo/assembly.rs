//! The demo cooperative's assembly: a representative for every member organisation (password
//! as for the other demo accounts), two past meetings with attendance, votes, decisions and
//! minutes (one admitting a member, one expelling one), and a convened meeting ahead with a
//! full agenda. Built with the same functions and rules the pages use, each step taken on the
//! day it would have been (convened three weeks ahead, opened on its date), then the moments
//! recorded dated into the past.

use time::macros::time;
use time::{Date, Duration, PrimitiveDateTime};
use uuid::Uuid;

use crate::assembly::agenda::{self, ItemDetails};
use crate::assembly::attendance::AttendanceChange;
use crate::assembly::meetings::{self, Meeting, MeetingDetails};
use crate::assembly::polls;
use crate::assembly::votes::{self, Voter};
use crate::assembly::{
    DecisionKind, ItemKind, MeetingStatus, Presence, VoteChoice, attendance, decisions, minutes, rules,
};
use crate::db::TenantTx;
use crate::shared::money::Cents;

/// The demo address of an organisation's representative: `welzijn-woudenberg@demo.test`.
pub(super) fn representative_email(organisation: &str) -> String {
    let mut slug = String::new();
    for c in organisation.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'é' | 'è' | 'ë' => slug.push('e'),
            _ if !slug.ends_with('-') => slug.push('-'),
            _ => {}
        }
    }
    format!("{}@demo.test", slug.trim_matches('-'))
}

/// How long before its date each demo meeting was convened (the statutes ask 14 days).
const CONVENED_BEFORE: Duration = Duration::days(21);

/// Adds the assembly's demo data once; `today` anchors the dates.
/// The joint pot the autumn meeting opens.
pub(super) const POT: &str = "Ouderen langer thuis";

pub(super) async fn load(tx: &mut TenantTx, today: Date) -> anyhow::Result<()> {
    let held = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM meetings WHERE tenant_id = $1) AS "held!""#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    if held {
        return Ok(());
    }
    let representatives = add_representatives(tx).await?;
    let admin = user(tx, "beheer@demo.test").await?;
    let chair = user(tx, "voorzitter@demo.test").await?;
    let rules = rules::find(tx).await?;
    let organisation = |name: &str| {
        representatives
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, id, _)| *id)
            .ok_or_else(|| anyhow::anyhow!("demo member {name} missing"))
    };

    // Spring: the annual accounts, and the admission of the carers' café.
    let spring = today - Duration::days(150);
    let first = meeting(tx, "Algemene ledenvergadering voorjaar", spring, admin).await?;
    let accounts = decision_item(
        tx,
        &first,
        &format!("Jaarrekening en jaarverslag {}", spring.year() - 1),
        "De vergadering stelt de jaarrekening vast en verleent het bestuur decharge.",
        DecisionKind::Ordinary,
        None,
        "",
    )
    .await?;
    let admission = decision_item(
        tx,
        &first,
        "Toelating Mantelzorgcafé Woudenberg",
        "De vergadering laat Mantelzorgcafé Woudenberg toe als lid van de coöperatie.",
        DecisionKind::Admission,
        Some(organisation("Mantelzorgcafé Woudenberg")?),
        "",
    )
    .await?;
    hold(
        tx,
        &first,
        &representatives,
        admin,
        chair,
        &rules,
        &[(accounts, false), (admission, true)],
    )
    .await?;
    let first_minutes = close(tx, &first, admin, chair, &rules).await?;

    // Autumn: the work plan, and the expulsion of a member that stopped paying its dues.
    let autumn = today - Duration::days(50);
    let second = meeting(tx, "Algemene ledenvergadering najaar", autumn, admin).await?;
    let plan = decision_item(
        tx,
        &second,
        &format!("Werkplan {}", autumn.year() + 1),
        "De vergadering stelt het werkplan vast, met de werkateliers Ouderen langer thuis en Statushouders.",
        DecisionKind::Ordinary,
        None,
        "",
    )
    .await?;
    let expulsion = decision_item(
        tx,
        &second,
        "Ontzetting Stichting Boodschappenbus Woudenberg",
        "De vergadering ontzet Stichting Boodschappenbus Woudenberg uit het lidmaatschap.",
        DecisionKind::Expulsion,
        Some(organisation("Stichting Boodschappenbus Woudenberg")?),
        "Heeft ondanks twee aanmaningen de contributie over twee jaren niet voldaan (artikel 8 van de statuten).",
    )
    .await?;
    // The municipality's joint pot for projects, put under the cooperative (De Kleine Schans).
    let pot = agenda::add(
        tx,
        second.id,
        &ItemDetails {
            parent_id: None,
            kind: ItemKind::Decision,
            title: format!("{POT} {}", autumn.year() + 1),
            description: String::new(),
            proposal: "De vergadering stelt de gezamenlijke pot Ouderen langer thuis in met de bijdrage van de gemeente."
                .to_owned(),
            decision_kind: Some(DecisionKind::Ordinary),
            organisation_id: None,
            reasons: String::new(),
            pot: Some((POT.to_owned(), Cents(45_500_000))),
        },
        None,
    )
    .await?;
    hold(
        tx,
        &second,
        &representatives,
        admin,
        chair,
        &rules,
        &[(plan, false), (pot, false), (expulsion, true)],
    )
    .await?;
    // The spring minutes were adopted in the autumn meeting, while it was in session.
    sqlx::query!(
        "UPDATE minutes SET adopted_in = $3, adopted_at = $4::timestamp AT TIME ZONE 'Europe/Amsterdam'
         WHERE tenant_id = $1 AND meeting_id = $2 AND version = $5",
        tx.tenant_id(),
        first.id,
        second.id,
        second.starts_at + Duration::minutes(10),
        first_minutes
    )
    .execute(&mut **tx)
    .await?;
    let first = reload(tx, first.id).await?;
    meetings::set_status(tx, &first, MeetingStatus::MinutesAdopted, Some(chair))
        .await?
        .map_err(|e| anyhow::anyhow!("adopting the spring minutes: {e:?}"))?;
    close(tx, &second, admin, chair, &rules).await?;
    decisions::complete_expulsions(tx, today).await?;

    // Ahead: a convened meeting with a full agenda.
    let ahead = meeting(
        tx,
        "Algemene ledenvergadering december",
        today + CONVENED_BEFORE,
        admin,
    )
    .await?;
    let announcements = sqlx::query_scalar!(
        "SELECT id FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2 AND title = 'Mededelingen'",
        tx.tenant_id(),
        ahead.id
    )
    .fetch_one(&mut **tx)
    .await?;
    for (parent, kind, title, description) in [
        (
            Some(announcements),
            ItemKind::Announcement,
            "Nieuwe lidorganisaties",
            "Pleegzorg Utrecht-Oost is aspirant-lid.",
        ),
        (
            Some(announcements),
            ItemKind::Announcement,
            "Stand van de doorverwijzingen",
            "Het bestuur licht de cijfers van het afgelopen halfjaar toe.",
        ),
        (
            None,
            ItemKind::Discussion,
            "Werkatelier Statushouders",
            "Het werkatelier vertelt over taalmaatjes en een vast aanspreekpunt bij de woningstichting.",
        ),
    ] {
        agenda::add(
            tx,
            ahead.id,
            &ItemDetails {
                parent_id: parent,
                kind,
                title: title.to_owned(),
                description: description.to_owned(),
                proposal: String::new(),
                decision_kind: None,
                organisation_id: None,
                reasons: String::new(),
                pot: None,
            },
            None,
        )
        .await?;
    }
    decision_item(
        tx,
        &ahead,
        &format!("Begroting {}", ahead.starts_at.year() + 1),
        "De vergadering stelt de begroting vast, met een contributie van € 250 per lid.",
        DecisionKind::Ordinary,
        None,
        "",
    )
    .await?;
    decision_item(
        tx,
        &ahead,
        "Statutenwijziging: digitaal vergaderen en stemmen",
        "De vergadering besluit de statuten te wijzigen zodat leden ook op afstand kunnen deelnemen en stemmen (artikel 2:38a BW).",
        DecisionKind::Statutes,
        None,
        "",
    )
    .await?;
    meetings::convene(tx, &ahead, today, rules.notice_days, admin)
        .await?
        .map_err(|e| anyhow::anyhow!("convening the demo meeting: {e:?}"))?;
    sqlx::query!(
        "UPDATE meetings SET convened_at = now() - interval '1 day' WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        ahead.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every member organisation gets a representative with a mandate: its first member user, or
/// a new one (`representative_email`). Returns (name, organisation, representative) by name.
async fn add_representatives(tx: &mut TenantTx) -> anyhow::Result<Vec<(String, Uuid, Uuid)>> {
    let organisations = sqlx::query!(
        r#"SELECT o.id, o.name, o.contact_name, coalesce(o.member_since, o.status_since) AS "since!",
                  (SELECT u.id FROM users u WHERE u.tenant_id = o.tenant_id AND u.organisation_id = o.id
                     AND 'member' = ANY (u.roles) ORDER BY u.created_at LIMIT 1) AS staff
           FROM organisations o
           WHERE o.tenant_id = $1 AND o.status IN ('aspirant', 'lid', 'geschorst')
           ORDER BY lower(o.name)"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut representatives = Vec::new();
    for o in organisations {
        let user = match o.staff {
            Some(staff) => staff,
            None => {
                let name = if o.contact_name.is_empty() {
                    format!("Vertegenwoordiger {}", o.name)
                } else {
                    o.contact_name
                };
                // The same password as every demo account: its hash is copied.
                sqlx::query_scalar!(
                    "INSERT INTO users (tenant_id, email, name, roles, password_hash, organisation_id)
                     SELECT tenant_id, $2, $3, ARRAY['member'], password_hash, $4
                     FROM users WHERE tenant_id = $1 AND email = 'lid@demo.test'
                     RETURNING id",
                    tx.tenant_id(),
                    representative_email(&o.name),
                    name,
                    o.id
                )
                .fetch_one(&mut **tx)
                .await?
            }
        };
        sqlx::query!(
            "INSERT INTO representatives (tenant_id, organisation_id, user_id, valid_from) VALUES ($1, $2, $3, $4)",
            tx.tenant_id(),
            o.id,
            user,
            o.since
        )
        .execute(&mut **tx)
        .await?;
        representatives.push((o.name, o.id, user));
    }
    Ok(representatives)
}

async fn user(tx: &mut TenantTx, email: &str) -> anyhow::Result<Uuid> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE tenant_id = $1 AND email = $2",
        tx.tenant_id(),
        email
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| anyhow::anyhow!("demo user {email} missing"))
}

async fn reload(tx: &mut TenantTx, id: Uuid) -> anyhow::Result<Meeting> {
    meetings::find(tx, id, true)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo meeting vanished"))
}

async fn meeting(tx: &mut TenantTx, title: &str, on: Date, admin: Uuid) -> anyhow::Result<Meeting> {
    let id = meetings::create(
        tx,
        &MeetingDetails {
            title: title.to_owned(),
            starts_at: PrimitiveDateTime::new(on, time!(19:30)),
            place: "Het Cultuurhuis, Woudenberg".to_owned(),
            video_url: String::new(),
        },
        admin,
    )
    .await?;
    reload(tx, id).await
}

async fn decision_item(
    tx: &mut TenantTx,
    meeting: &Meeting,
    title: &str,
    proposal: &str,
    kind: DecisionKind,
    organisation_id: Option<Uuid>,
    reasons: &str,
) -> anyhow::Result<Uuid> {
    Ok(agenda::add(
        tx,
        meeting.id,
        &ItemDetails {
            parent_id: None,
            kind: ItemKind::Decision,
            title: title.to_owned(),
            description: String::new(),
            proposal: proposal.to_owned(),
            decision_kind: Some(kind),
            organisation_id,
            reasons: reasons.to_owned(),
            pot: None,
        },
        None,
    )
    .await?)
}

/// Convenes, opens and holds the meeting: attendance (a few members excused, two by proxy),
/// a poll on each decision item with votes from every member present, declared by the chair.
async fn hold(
    tx: &mut TenantTx,
    meeting: &Meeting,
    representatives: &[(String, Uuid, Uuid)],
    admin: Uuid,
    chair: Uuid,
    rules: &rules::StatuteRules,
    items: &[(Uuid, bool)],
) -> anyhow::Result<()> {
    let held_on = meeting.starts_at.date();
    meetings::convene(tx, meeting, held_on - CONVENED_BEFORE, rules.notice_days, admin)
        .await?
        .map_err(|e| anyhow::anyhow!("convening: {e:?}"))?;
    let convened = reload(tx, meeting.id).await?;
    meetings::open(tx, &convened, held_on, None, chair)
        .await?
        .map_err(|e| anyhow::anyhow!("opening: {e:?}"))?;
    let open = reload(tx, meeting.id).await?;
    let list = attendance::list(tx, meeting.id).await?;
    let voting: Vec<Uuid> = list
        .iter()
        .filter(|r| r.has_vote())
        .map(|r| r.organisation_id)
        .collect();
    for (i, organisation_id) in voting.iter().enumerate() {
        let (presence, proxy_holder_id) = match i {
            0 | 7 => (Presence::Excused, None),
            3 | 11 => (Presence::Proxy, Some(voting[i + 1])),
            _ => (Presence::Present, None),
        };
        attendance::record(
            tx,
            meeting.id,
            &AttendanceChange {
                organisation_id: *organisation_id,
                presence,
                proxy_holder_id,
                proxy_note: if proxy_holder_id.is_some() {
                    "Schriftelijke volmacht, per e-mail ontvangen".to_owned()
                } else {
                    String::new()
                },
            },
            admin,
        )
        .await?;
    }
    for (item_id, secret) in items {
        let item = agenda::find(tx, meeting.id, *item_id).await?.expect("just added");
        let poll = polls::open(tx, &open, &item, *secret, rules, chair)
            .await?
            .map_err(|e| anyhow::anyhow!("opening a demo poll: {e:?}"))?;
        for (i, organisation_id) in voting.iter().enumerate() {
            if matches!(i, 0 | 7) {
                continue;
            }
            // The proxy holder votes for the member that gave it the proxy.
            let casting = if matches!(i, 3 | 11) {
                voting[i + 1]
            } else {
                *organisation_id
            };
            let Some((_, _, user_id)) = representatives.iter().find(|(_, id, _)| *id == casting) else {
                continue;
            };
            let choice = match i % 9 {
                5 => VoteChoice::Against,
                8 => VoteChoice::Abstain,
                _ => VoteChoice::For,
            };
            votes::cast(
                tx,
                meeting.id,
                poll,
                *organisation_id,
                choice,
                &Voter {
                    user_id: *user_id,
                    secretary: false,
                },
            )
            .await?
            .ok_or_else(|| anyhow::anyhow!("the demo poll vanished"))?
            .map_err(|e| anyhow::anyhow!("a demo vote: {e:?}"))?;
        }
        polls::close(tx, poll, chair).await?;
        polls::declare(tx, poll, chair).await?;
        let closed = polls::find(tx, meeting.id, poll).await?.expect("just closed");
        decisions::record(tx, &open, &closed, &item.title, &item.proposal).await?;
        agenda::set_notes(
            tx,
            item.id,
            "De voorzitter licht het voorstel toe. Er zijn vragen over de uitvoering; het bestuur zegt toe die schriftelijk te beantwoorden.",
        )
        .await?;
    }
    // Everything happened on the evening of the meeting.
    sqlx::query!(
        "UPDATE polls SET opened_at = m.starts_at + interval '30 minutes', closed_at = m.starts_at + interval '40 minutes',
                declared_at = m.starts_at + interval '41 minutes'
         FROM meetings m WHERE polls.tenant_id = $1 AND polls.meeting_id = $2 AND m.tenant_id = $1 AND m.id = $2",
        tx.tenant_id(),
        meeting.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes the meeting (the register follows its decisions) and drafts its minutes, approved by
/// the chair and the secretary; returns the minutes' version.
async fn close(
    tx: &mut TenantTx,
    meeting: &Meeting,
    admin: Uuid,
    chair: Uuid,
    rules: &rules::StatuteRules,
) -> anyhow::Result<i32> {
    let open = reload(tx, meeting.id).await?;
    meetings::set_status(tx, &open, MeetingStatus::Closed, Some(chair))
        .await?
        .map_err(|e| anyhow::anyhow!("closing: {e:?}"))?;
    decisions::apply_to_register(tx, &open, rules.appeal_days, admin).await?;
    sqlx::query!(
        "UPDATE meetings SET convened_at = starts_at - make_interval(days => $3), opened_at = starts_at,
                closed_at = starts_at + interval '2 hours'
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        meeting.id,
        CONVENED_BEFORE.whole_days() as i32
    )
    .execute(&mut **tx)
    .await?;
    let closed = reload(tx, meeting.id).await?;
    let version = minutes::draft(tx, &closed, rules, admin)
        .await?
        .map_err(|_| anyhow::anyhow!("the demo minutes were adopted already"))?;
    minutes::approve(tx, meeting.id, version, minutes::Approver::Secretary, admin).await?;
    minutes::approve(tx, meeting.id, version, minutes::Approver::Chair, chair).await?;
    sqlx::query!(
        "UPDATE minutes SET drafted_at = $3::timestamp AT TIME ZONE 'Europe/Amsterdam',
                secretary_approved_at = $3::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '1 day',
                chair_approved_at = $3::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '2 days'
         WHERE tenant_id = $1 AND meeting_id = $2 AND version = $4",
        tx.tenant_id(),
        meeting.id,
        closed.starts_at + Duration::days(7),
        version
    )
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representatives_get_an_address_from_their_organisation() {
        assert_eq!(
            representative_email("Welzijn Woudenberg"),
            "welzijn-woudenberg@demo.test"
        );
        assert_eq!(
            representative_email("Mantelzorgcafé Woudenberg"),
            "mantelzorgcafe-woudenberg@demo.test"
        );
        assert_eq!(
            representative_email("Pleegzorg Utrecht-Oost"),
            "pleegzorg-utrecht-oost@demo.test"
        );
    }
}
