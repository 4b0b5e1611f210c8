//! Made-up requests at the desk over the last two years, in every life domain; some are handed
//! to the social team, each opening a case.

use indicatif::ProgressBar;
use time::{Date, Duration, PrimitiveDateTime, Time};
use uuid::Uuid;

use super::Sampler;
use crate::calendar::statutory_due;
use crate::db::TenantTx;
use crate::intake::values::{Triage, Urgency};
use crate::shared::choices::{Channel, Domain};

/// What residents ask, by the life domain it concerns.
const QUESTIONS: &[(Domain, &str)] = &[
    (
        Domain::Wmo,
        "Mijn moeder kan niet meer zelfstandig douchen en wil graag thuis blijven wonen.",
    ),
    (
        Domain::Wmo,
        "Ik heb een scootmobiel nodig om boodschappen te doen.",
    ),
    (
        Domain::Wmo,
        "Ik zorg voor mijn man met dementie en kan het niet meer alleen.",
    ),
    (
        Domain::Jeugd,
        "Onze zoon van 12 heeft veel woede-uitbarstingen en wij weten niet wat we moeten doen.",
    ),
    (
        Domain::Jeugd,
        "Mijn dochter gaat niet meer naar school en zit de hele dag op haar kamer.",
    ),
    (Domain::Leerplicht, "School meldt dat mijn zoon vaak afwezig is."),
    (
        Domain::Participatie,
        "Ik zoek vrijwilligerswerk om weer onder de mensen te komen.",
    ),
    (
        Domain::Wonen,
        "De trap in mijn huis wordt te moeilijk, kan ik een traplift krijgen?",
    ),
    (
        Domain::Schulden,
        "Ik krijg steeds meer aanmaningen en kan de huur niet meer betalen.",
    ),
    (
        Domain::WerkInkomen,
        "Ik ben mijn baan kwijt en weet niet waar ik een uitkering moet aanvragen.",
    ),
    (
        Domain::Overig,
        "Ik voel me eenzaam sinds mijn vrouw is overleden.",
    ),
];

/// Requests written per statement.
const BATCH: usize = 2000;

/// The statutory terms of the cooperative, in weeks.
struct Terms {
    wmo_investigation_weeks: i32,
    jeugd_decision_weeks: i32,
}

/// Adds `count` requests from `residents` spread over the two years before `today`, in
/// batches. Exactly `team` of them go to the social team and open a case.
pub(super) async fn add(
    tx: &mut TenantTx,
    sampler: &mut Sampler,
    residents: &[Uuid],
    count: usize,
    team: usize,
    today: Date,
    bar: &ProgressBar,
) -> sqlx::Result<()> {
    if residents.is_empty() {
        return Ok(());
    }
    let terms = sqlx::query_as!(
        Terms,
        "SELECT wmo_investigation_weeks, jeugd_decision_weeks FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let mut to_team = Selection {
        left: team.min(count),
        remaining: count,
    };
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut batch = RequestBatch::default();
        for _ in 0..n {
            batch.push(sampler, residents, &terms, today, &mut to_team);
        }
        sqlx::query!(
            "WITH input AS (
                 SELECT * FROM unnest($2::uuid[], $3::timestamp[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::text[], $9::uuid[], $10::date[], $11::date[])
                     AS t(resident_id, received, channel, domain, question, urgency, triage, form_token,
                          wmo_deadline, jeugd_deadline)
             )
             INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency,
                                   form_token, triage, triaged_at, status, wmo_deadline, jeugd_deadline, triage_note)
             SELECT $1, i.resident_id, i.received AT TIME ZONE 'Europe/Amsterdam', i.channel, ARRAY[i.domain],
                    i.question, i.urgency, i.form_token, i.triage,
                    CASE WHEN i.triage IS NOT NULL THEN (i.received AT TIME ZONE 'Europe/Amsterdam') + interval '2 hours' END,
                    CASE WHEN i.triage IS NULL THEN 'open' WHEN i.triage = 'to_team' THEN 'with_team' ELSE 'closed' END,
                    i.wmo_deadline, i.jeugd_deadline,
                    CASE WHEN i.triage IN ('handled_at_desk', 'signposted') THEN 'Advies gegeven.' ELSE '' END
             FROM input i",
            tx.tenant_id(),
            &batch.residents,
            &batch.received,
            &batch.channels,
            &batch.domains,
            &batch.questions,
            &batch.urgencies,
            &batch.triages as &[Option<String>],
            &batch.tokens,
            &batch.wmo_deadlines as &[Option<Date>],
            &batch.jeugd_deadlines as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        done += n;
        bar.set_position(done as u64);
    }
    // Requests handed to the team have their case.
    sqlx::query!(
        "INSERT INTO cases (tenant_id, request_id, resident_id, urgency, created_at)
         SELECT tenant_id, id, resident_id, urgency, triaged_at FROM requests
         WHERE tenant_id = $1 AND triage = 'to_team'
         ON CONFLICT (tenant_id, request_id) DO NOTHING",
        tx.tenant_id()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Chooses exactly `left` of the `remaining` requests, each in turn, spread at random
/// (selection sampling).
struct Selection {
    left: usize,
    remaining: usize,
}

impl Selection {
    fn next(&mut self, sampler: &mut Sampler) -> bool {
        let chosen = sampler.below(self.remaining) < self.left;
        self.remaining -= 1;
        self.left -= usize::from(chosen);
        chosen
    }
}

#[derive(Default)]
struct RequestBatch {
    residents: Vec<Uuid>,
    received: Vec<PrimitiveDateTime>,
    channels: Vec<String>,
    domains: Vec<String>,
    questions: Vec<String>,
    urgencies: Vec<String>,
    triages: Vec<Option<String>>,
    tokens: Vec<Uuid>,
    wmo_deadlines: Vec<Option<Date>>,
    jeugd_deadlines: Vec<Option<Date>>,
}

impl RequestBatch {
    fn push(
        &mut self,
        sampler: &mut Sampler,
        residents: &[Uuid],
        terms: &Terms,
        today: Date,
        to_team: &mut Selection,
    ) {
        self.residents.push(*sampler.pick(residents));
        let days_ago = sampler.below(730) as i64;
        let hour = 8 + sampler.below(9) as u8;
        let minute = sampler.below(60) as u8;
        let at = PrimitiveDateTime::new(
            today - Duration::days(days_ago),
            Time::from_hms(hour, minute, 0).expect("office hours"),
        );
        self.received.push(at);
        self.channels.push(sampler.pick(Channel::ALL).code().to_owned());
        let (domain, question) = *sampler.pick(QUESTIONS);
        // The terms as registration computes them (Algemene termijnenwet included).
        let received_on = at.date();
        self.wmo_deadlines.push(
            (domain == Domain::Wmo).then(|| statutory_due(received_on, terms.wmo_investigation_weeks as u32)),
        );
        self.jeugd_deadlines.push(
            (domain == Domain::Jeugd).then(|| statutory_due(received_on, terms.jeugd_decision_weeks as u32)),
        );
        self.domains.push(domain.code().to_owned());
        self.questions.push(question.to_owned());
        let urgency = match sampler.below(50) {
            0 => Urgency::Crisis,
            1..=5 => Urgency::Urgent,
            _ => Urgency::Normal,
        };
        self.urgencies.push(urgency.code().to_owned());
        // Of the requests the team does not get, recent ones are still waiting now and then;
        // older ones are all triaged.
        let triage = if to_team.next(sampler) {
            Some(Triage::ToTeam)
        } else if days_ago < 3 && sampler.below(2) == 0 {
            None
        } else {
            Some(*sampler.pick(&[Triage::HandledAtDesk, Triage::Signposted]))
        };
        self.triages.push(triage.map(|t| t.code().to_owned()));
        self.tokens.push(Uuid::new_v4());
    }
}
