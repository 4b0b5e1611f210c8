//! The demo's working day: whatever the generated history left, a newcomer at the desk finds
//! requests to triage and follow-up calls (one late, one for today, two coming), the figures
//! count a few calls already made, and the cooperative has its contact details. Made with
//! the functions the desk's pages use, once, dated from `today`, the same on every load.

use time::macros::time;
use time::{Date, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::calendar::WorkingCalendar;
use crate::db::TenantTx;
use crate::intake::requests::{self, NewRequest};
use crate::intake::triage::{self, TriageDecision};
use crate::intake::values::{FollowUpResult, Triage, Urgency};
use crate::referrals::consent::{self, NewConsent, Recipient};
use crate::referrals::referral::{self, NewReferral};
use crate::shared::choices::{Channel, Domain};

/// Questions waiting for triage, received on the working day before `today`.
const OVERDUE_QUESTION: &str =
    "Sinds mijn beroerte zit ik in een rolstoel; de drempels en de badkamer thuis gaan niet meer.";

const TO_TRIAGE: &[(Domain, Urgency, &str)] = &[
    (
        Domain::Schulden,
        Urgency::Urgent,
        "De energieleverancier dreigt volgende week af te sluiten; ik heb twee kinderen thuis.",
    ),
    (
        Domain::Wmo,
        Urgency::Normal,
        "Mijn vader (84) valt de laatste tijd vaker en woont alleen. Kan er iemand meekijken?",
    ),
    (
        Domain::Jeugd,
        Urgency::Normal,
        "Onze dochter van 15 slaapt overdag en gaat 's nachts de deur uit. Wij maken ons zorgen.",
    ),
];

/// A signposted question: the day of its follow-up call in working days from `today`, what
/// was asked, where the desk sent the resident and, for calls already made, how it went.
struct Signposted {
    call_in: i64,
    domain: Domain,
    question: &'static str,
    note: &'static str,
    made: Option<(FollowUpResult, &'static str)>,
}

const SIGNPOSTED: &[Signposted] = &[
    Signposted {
        call_in: -2,
        domain: Domain::WerkInkomen,
        question: "Ik ben mijn baan kwijt en weet niet waar ik een uitkering moet aanvragen.",
        note: "Uitgelegd hoe de WW-aanvraag bij het UWV gaat; zelf aanvragen via werk.nl.",
        made: None,
    },
    Signposted {
        call_in: 0,
        domain: Domain::Overig,
        question: "Ik ben al maanden erg moe en kom de dag niet meer door.",
        note: "Aangeraden eerst met de huisarts te praten over de klachten.",
        made: None,
    },
    Signposted {
        call_in: 3,
        domain: Domain::Schulden,
        question: "Aan het eind van de maand is er geen geld meer voor eten.",
        note: "Samen de aanmelding bij de Voedselbank ingevuld.",
        made: None,
    },
    Signposted {
        call_in: 7,
        domain: Domain::Wonen,
        question: "De verhuurder wil me uit huis zetten vanwege een huurachterstand.",
        note: "Verwezen naar het Juridisch Loket voor advies over de ontruiming.",
        made: None,
    },
    Signposted {
        call_in: -9,
        domain: Domain::Wmo,
        question: "Ik heb steeds meer pijn bij het lopen en kan niet meer naar de winkel.",
        note: "Eerst naar de huisarts voor de pijnklachten.",
        made: Some((
            FollowUpResult::Worked,
            "Afspraak gehad, loopt nu bij de fysiotherapeut.",
        )),
    },
    Signposted {
        call_in: -6,
        domain: Domain::WerkInkomen,
        question: "Mijn uitkering is gestopt en ik weet niet waarom.",
        note: "Uitgelegd hoe het UWV te bereiken is.",
        made: Some((
            FollowUpResult::DidNotWork,
            "Kwam er online niet uit; komt morgen langs aan de balie.",
        )),
    },
    Signposted {
        call_in: -4,
        domain: Domain::Schulden,
        question: "Ik kan de boodschappen deze maand niet betalen.",
        note: "Aanmelding bij de Voedselbank meegegeven.",
        made: Some((FollowUpResult::NotReached, "Drie keer gebeld, geen gehoor.")),
    },
];

/// Adds the working day once: a cooperative whose desk has followed up a call has one.
pub(super) async fn load(tx: &mut TenantTx, today: Date) -> anyhow::Result<()> {
    let loaded = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM tasks WHERE tenant_id = $1 AND kind = 'follow_up') AS "loaded!""#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    if loaded {
        return Ok(());
    }
    let desk = sqlx::query_scalar!(
        "SELECT id FROM users WHERE tenant_id = $1 AND email = 'balie@demo.test'",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let residents = sqlx::query_scalar!(
        "SELECT id FROM residents WHERE tenant_id = $1 ORDER BY surname, first_names, id LIMIT 12",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    anyhow::ensure!(
        residents.len() > TO_TRIAGE.len() + SIGNPOSTED.len(),
        "the demo history has too few residents"
    );
    let calendar = crate::admin::working_calendar(tx).await?;
    let yesterday = working_days_from(&calendar, today, -1);
    let mut residents = residents.into_iter();
    for (hour, (domain, urgency, question)) in (14u8..).zip(TO_TRIAGE) {
        let received_at = PrimitiveDateTime::new(yesterday, Time::from_hms(hour, 10, 0)?);
        let resident = residents.next().expect("counted above");
        register(tx, resident, received_at, (*domain, *urgency, *question), desk).await?;
    }
    let destinations = triage::active_destinations(tx).await?;
    anyhow::ensure!(!destinations.is_empty(), "the demo has no signpost destinations");
    for (i, signposted) in SIGNPOSTED.iter().enumerate() {
        let call_on = working_days_from(&calendar, today, signposted.call_in);
        let received_on = working_days_from(&calendar, call_on, -10);
        let received_at = PrimitiveDateTime::new(received_on, time!(10:30));
        let resident = residents.next().expect("counted above");
        let id = register(
            tx,
            resident,
            received_at,
            (signposted.domain, Urgency::Normal, signposted.question),
            desk,
        )
        .await?;
        let request = requests::find(tx, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo request {id} missing"))?;
        let decision = TriageDecision {
            triage: Triage::Signposted,
            note: signposted.note.to_owned(),
            destination: Some(destinations[i % destinations.len()].0),
            unsafe_at_home: false,
            follow_up_on: Some(call_on),
        };
        triage::apply(
            tx,
            &request,
            &decision,
            desk,
            received_on,
            &consent_purpose(&request.reference),
        )
        .await?;
        if let Some((result, outcome)) = signposted.made {
            requests::record_follow_up(tx, id, result, outcome, desk).await?;
        }
    }
    // A case whose Wmo investigation term ran out while it waited: overdue for the team.
    let received_on = working_days_from(&calendar, today, -45);
    let resident = residents.next().expect("counted above");
    let id = register(
        tx,
        resident,
        PrimitiveDateTime::new(received_on, time!(9:15)),
        (Domain::Wmo, Urgency::Normal, OVERDUE_QUESTION),
        desk,
    )
    .await?;
    let request = requests::find(tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo request {id} missing"))?;
    let decision = TriageDecision {
        triage: Triage::ToTeam,
        note: "Aanvraag Wmo: thuis rondkomen met de rolstoel.".to_owned(),
        destination: None,
        unsafe_at_home: false,
        follow_up_on: None,
    };
    triage::apply(
        tx,
        &request,
        &decision,
        desk,
        received_on,
        &consent_purpose(&request.reference),
    )
    .await?;
    refer_to_the_demo_member(tx, &calendar, today).await?;
    sqlx::query!(
        "UPDATE tenant_settings
         SET contact_phone = '0800 123 45 67', contact_email = 'loket@demo.test',
             contact_address = 'Dorpsstraat 1, 3931 AB Woudenberg (ma–vr 9.00–17.00 uur)'
         WHERE tenant_id = $1 AND contact_phone = ''",
        tx.tenant_id()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The working day `days` working days after `from` (before it when negative).
/// A referral sent this morning to the organisation `lid@demo.test` works for, from an open
/// case with a lead, under the consent the resident gave for it: new in the member's inbox.
async fn refer_to_the_demo_member(
    tx: &mut TenantTx,
    calendar: &WorkingCalendar,
    today: Date,
) -> anyhow::Result<()> {
    let offer = sqlx::query!(
        "SELECT os.organisation_id, os.service_id FROM users u
         JOIN organisation_services os ON os.tenant_id = u.tenant_id AND os.organisation_id = u.organisation_id
         WHERE u.tenant_id = $1 AND u.email = 'lid@demo.test'
         ORDER BY os.service_id LIMIT 1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let case = sqlx::query!(
        r#"SELECT id, lead_id AS "lead_id!" FROM cases
           WHERE tenant_id = $1 AND lead_id IS NOT NULL AND status <> 'afgesloten'
           ORDER BY created_at, id LIMIT 1"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let consent = NewConsent {
        recipient: Recipient::Organisation(offer.organisation_id),
        purpose: "Hulp in huis regelen".to_owned(),
        given_on: today,
        expires_on: None,
    };
    consent::record(tx, case.id, &consent, case.lead_id).await?;
    let answer_days = referral::answer_days(tx).await?;
    let referral = NewReferral {
        service_id: offer.service_id,
        organisation_id: Some(offer.organisation_id),
        purpose: "Hulp bij het huishouden".to_owned(),
        expected_start: None,
        summary: "Mevrouw woont alleen sinds haar man is overleden en redt het huishouden niet meer."
            .to_owned(),
        goal_id: None,
        override_reason: None,
    };
    let due = working_days_from(calendar, today, answer_days.into());
    referral::send(tx, case.id, &referral, case.lead_id, due)
        .await?
        .map_err(|refused| anyhow::anyhow!("the demo referral was refused: {refused:?}"))?;
    Ok(())
}

/// The consent a request's "ja" carries into the case, in the words the desk's page uses.
fn consent_purpose(reference: &str) -> String {
    crate::web::i18n::Lang::Nl.tf("consent.from_request.purpose", &[("request", reference)])
}

fn working_days_from(calendar: &WorkingCalendar, from: Date, days: i64) -> Date {
    if days >= 0 {
        return calendar.add_working_days(from, u32::try_from(days).expect("a few days"));
    }
    let mut date = from;
    let mut left = days.unsigned_abs();
    while left > 0 {
        date = date.previous_day().expect("dates in range");
        if calendar.is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Registers a question by phone, as the desk's form does.
async fn register(
    tx: &mut TenantTx,
    resident: Uuid,
    received_at: PrimitiveDateTime,
    (domain, urgency, question): (Domain, Urgency, &str),
    desk: Uuid,
) -> sqlx::Result<Uuid> {
    let request = NewRequest {
        received_at,
        channel: Channel::Phone,
        domains: vec![domain],
        question: question.to_owned(),
        urgency,
        referrer: String::new(),
        consent: true,
        about_member: None,
        form_token: Uuid::new_v4(),
    };
    let registered = requests::create(tx, Some(resident), &request, Some(desk), ("", "", "")).await?;
    Ok(registered.id)
}
