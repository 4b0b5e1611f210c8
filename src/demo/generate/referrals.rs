//! Made-up member organisations and referrals: a service
//! catalogue, organisations of every kind offering one to four services each, and referrals
//! from the cases that have a lead, in every state, each under a consent and with the events
//! of its steps. Everything is written in a few set-based statements.

use indicatif::ProgressBar;
use time::{Date, Duration};
use uuid::Uuid;

use crate::calendar::WorkingCalendar;
use crate::db::TenantTx;
use crate::shared::choices::Domain;

/// The catalogue: name and domains.
const SERVICES: &[(&str, &[Domain])] = &[
    ("Huishoudelijke hulp", &[Domain::Wmo]),
    ("Boodschappenhulp", &[Domain::Wmo]),
    ("Maaltijdvoorziening", &[Domain::Wmo]),
    ("Dagbesteding ouderen", &[Domain::Wmo]),
    ("Mantelzorgondersteuning", &[Domain::Wmo]),
    ("Respijtzorg", &[Domain::Wmo]),
    ("Vervoer en rolstoelbus", &[Domain::Wmo]),
    ("Woningaanpassing", &[Domain::Wmo, Domain::Wonen]),
    ("Thuisbegeleiding", &[Domain::Wmo]),
    ("Cliëntondersteuning", &[Domain::Wmo]),
    ("Huisbezoek 75+", &[Domain::Wmo]),
    ("Opvoedondersteuning", &[Domain::Jeugd]),
    ("Jongerenwerk", &[Domain::Jeugd]),
    ("Ambulante jeugdhulp", &[Domain::Jeugd]),
    ("Schoolmaatschappelijk werk", &[Domain::Jeugd, Domain::Leerplicht]),
    ("Maatje of buddy", &[Domain::Overig]),
    ("Vrijwillige thuishulp", &[Domain::Wmo]),
    ("Formulierenhulp", &[Domain::Schulden]),
    ("Schuldhulpverlening", &[Domain::Schulden]),
    ("Budgetcoaching", &[Domain::Schulden]),
    ("Voedselbank", &[Domain::Schulden]),
    (
        "Re-integratie naar werk",
        &[Domain::Participatie, Domain::WerkInkomen],
    ),
    ("Taalmaatje", &[Domain::Participatie]),
    ("Woonbegeleiding", &[Domain::Wonen]),
    ("Buurtbemiddeling", &[Domain::Wonen]),
    ("Pastorale zorg", &[Domain::Overig]),
    ("Rouwverwerking", &[Domain::Overig]),
    ("Ontmoetingsplek", &[Domain::Overig]),
];

/// Adds the service catalogue (what is missing of it) and organisations until the tenant has
/// `organisations`, each offering one to four services. Returns how many organisations exist.
pub(super) async fn organisations(
    tx: &mut TenantTx,
    seed: u64,
    organisations: usize,
    today: Date,
) -> sqlx::Result<i64> {
    let names: Vec<String> = SERVICES.iter().map(|(name, _)| (*name).to_owned()).collect();
    let domains: Vec<String> = SERVICES
        .iter()
        .map(|(_, domains)| domains.iter().map(|d| d.code()).collect::<Vec<_>>().join(","))
        .collect();
    sqlx::query!(
        "INSERT INTO services (tenant_id, name, domains)
         SELECT $1, name, string_to_array(domains, ',') FROM unnest($2::text[], $3::text[]) AS s(name, domains)
         ON CONFLICT DO NOTHING",
        tx.tenant_id(),
        &names,
        &domains
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        r#"WITH existing AS (SELECT count(*) AS total FROM organisations WHERE tenant_id = $1),
           added AS (
               INSERT INTO organisations (tenant_id, name, kind, contact_name, contact_email, status, status_since, member_since)
               SELECT $1,
                      (ARRAY['Stichting', 'Vereniging', 'Zorggroep', 'Welzijn', 'Coöperatie', 'Huis'])[1 + (h & 5)::int % 6]
                        || ' ' || (ARRAY['De Vallei', 'Het Erf', 'De Brink', 'Den Dolder', 'De Heuvelrug', 'Het Bos',
                                        'De Schans', 'Het Veen', 'De Gelderse Vallei', 'Scherpenzeel'])[1 + ((h >> 8) & 1023)::int % 10]
                        || ' ' || n,
                      (ARRAY['ouderenzorg', 'jeugdhulp', 'thuishulp', 'welzijn', 'kerk', 'vrijwilligers',
                             'gemeente', 'huisartsen', 'wonen', 'anders'])[1 + ((h >> 20) & 1023)::int % 10],
                      'Contactpersoon ' || n, 'info' || n || '@voorbeeld.nl',
                      CASE WHEN (h >> 32) & 15 = 0 THEN 'aspirant' WHEN (h >> 32) & 31 = 1 THEN 'opgezegd' ELSE 'lid' END,
                      $4::date - ((h >> 40) & 1023)::int,
                      CASE WHEN (h >> 32) & 15 = 0 THEN NULL ELSE $4::date - ((h >> 40) & 1023)::int END
               FROM existing, generate_series(existing.total + 1, $3) AS n
               CROSS JOIN LATERAL (SELECT hashint8extended(n, $2) AS h) r
               RETURNING tenant_id, id, status, status_since
           ),
           history AS (
               INSERT INTO organisation_statuses (tenant_id, organisation_id, status, effective_on)
               SELECT tenant_id, id, status, status_since FROM added
           )
           INSERT INTO organisation_services (tenant_id, organisation_id, service_id)
           SELECT DISTINCT a.tenant_id, a.id, s.id
           FROM added a
           CROSS JOIN LATERAL generate_series(1, 1 + (hashtext(a.id::text) & 3)) AS k
           JOIN LATERAL (SELECT id FROM services WHERE tenant_id = a.tenant_id
                         ORDER BY hashtext(a.id::text || k || id::text) LIMIT 1) s ON true"#,
        tx.tenant_id(),
        seed as i64,
        organisations as i64,
        today
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM organisations WHERE tenant_id = $1"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// How many referrals are written per statement.
const BATCH: usize = 20_000;

/// Adds `referrals` referrals from the cases that have a lead, to current organisations for a
/// service they offer, in every state. The staff member who handles one is the organisation's
/// first member user, where it has one.
pub(super) async fn add(
    tx: &mut TenantTx,
    seed: u64,
    referrals: usize,
    bar: &ProgressBar,
) -> sqlx::Result<usize> {
    let offers: Vec<(Uuid, Uuid)> = sqlx::query!(
        "SELECT os.organisation_id, os.service_id FROM organisation_services os
         JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id AND o.status IN ('aspirant', 'lid')
         WHERE os.tenant_id = $1 ORDER BY os.organisation_id, os.service_id",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|row| (row.organisation_id, row.service_id))
    .collect();
    let cases: Vec<Uuid> = sqlx::query_scalar!(
        "SELECT id FROM cases WHERE tenant_id = $1 AND lead_id IS NOT NULL ORDER BY created_at, id",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    if offers.is_empty() || cases.is_empty() {
        return Ok(0);
    }
    let (organisation_ids, service_ids): (Vec<Uuid>, Vec<Uuid>) = offers.into_iter().unzip();
    // Answer dates as sending one sets them: the cooperative's working days on from the day sent
    // (sent at most 701 days ago, below).
    let calendar = crate::admin::working_calendar(tx).await?;
    let days = crate::referrals::referral::answer_days(tx).await?;
    let today = crate::shared::clock::local_now(tx).await?.date();
    let (sent_days, due_days) =
        answer_dates(&calendar, today - Duration::days(702), today, days.unsigned_abs());
    let mut done = 0;
    while done < referrals {
        let n = BATCH.min(referrals - done);
        sqlx::query!(
            r#"WITH picks AS MATERIALIZED (
                   SELECT gen_random_uuid() AS id, gen_random_uuid() AS consent_id, c.id AS case_id, c.lead_id,
                          c.created_at, ($3::uuid[])[1 + (h & 1048575)::int % cardinality($3)] AS organisation_id,
                          ($4::uuid[])[1 + (h & 1048575)::int % cardinality($4)] AS service_id,
                          ((h >> 20) & 1023)::int AS roll, ((h >> 30) & 1023)::int AS age
                   FROM generate_series($5::int8 + 1, $5 + $6) AS n
                   CROSS JOIN LATERAL (SELECT hashint8extended(n, $2) AS h) r
                   JOIN cases c ON c.tenant_id = $1 AND c.id = ($7::uuid[])[1 + ((r.h >> 40) & 1048575)::int % cardinality($7)]
               ), sent AS (
                   SELECT p.*, greatest(p.created_at, now() - make_interval(days => p.age % 700 + 1)) AS sent_at
                   FROM picks p
               ), dated AS (
                   SELECT s.*, w.due_on AS answer_due_on
                   FROM sent s
                   JOIN unnest($8::date[], $9::date[]) AS w(sent_on, due_on)
                     ON w.sent_on = (s.sent_at AT TIME ZONE 'Europe/Amsterdam')::date
               ), shaped AS (
                   -- Only recent referrals can still wait for an answer or a start; most older ones
                   -- are finished.
                   SELECT d.*,
                          CASE WHEN d.sent_at > now() - interval '7 days' THEN
                                   CASE WHEN roll < 500 THEN 'verstuurd' WHEN roll < 700 THEN 'geaccepteerd'
                                        WHEN roll < 800 THEN 'gestart' WHEN roll < 900 THEN 'afgewezen'
                                        WHEN roll < 950 THEN 'ingetrokken' ELSE 'teruggegeven' END
                               WHEN d.sent_at > now() - interval '60 days' THEN
                                   CASE WHEN roll < 50 THEN 'geaccepteerd' WHEN roll < 450 THEN 'gestart'
                                        WHEN roll < 550 THEN 'afgewezen' WHEN roll < 600 THEN 'teruggegeven'
                                        WHEN roll < 650 THEN 'ingetrokken' ELSE 'afgerond' END
                               ELSE
                                   CASE WHEN roll < 100 THEN 'afgewezen' WHEN roll < 150 THEN 'teruggegeven'
                                        WHEN roll < 230 THEN 'ingetrokken' WHEN roll < 260 THEN 'gestart'
                                        ELSE 'afgerond' END
                          END AS status,
                          -- A quarter of the unanswered ones are offered to everyone offering the service.
                          d.sent_at > now() - interval '7 days' AND roll < 500 AND roll % 4 = 0 AS open_offer,
                          (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.organisation_id = d.organisation_id
                           ORDER BY u.id LIMIT 1) AS handler
                   FROM dated d
               ), consents_added AS (
                   INSERT INTO consents (tenant_id, id, case_id, organisation_id, service_id, purpose, given_on, recorded_by,
                                         recorded_at)
                   SELECT $1, consent_id, case_id, CASE WHEN NOT open_offer THEN organisation_id END,
                          CASE WHEN open_offer THEN service_id END, 'Doorverwijzing',
                          (sent_at AT TIME ZONE 'Europe/Amsterdam')::date, lead_id, sent_at
                   FROM shaped
               )
               INSERT INTO referrals (tenant_id, id, case_id, service_id, organisation_id, open_offer, status, purpose, summary,
                                      consent_id, answer_due_on, sent_by, sent_at, handled_by, answered_at, decline_reason,
                                      started_at, finished_at, outcome, delivered, report, returned_at, return_reason,
                                      overdue_notified_at)
               SELECT $1, id, case_id, service_id, CASE WHEN NOT open_offer THEN organisation_id END, open_offer, status,
                      'Ondersteuning thuis', 'Inwoner heeft hulp nodig; graag contact opnemen voor een kennismaking.',
                      consent_id, answer_due_on, lead_id, sent_at,
                      CASE WHEN status IN ('geaccepteerd', 'gestart', 'afgerond', 'teruggegeven', 'afgewezen') THEN handler END,
                      CASE WHEN status NOT IN ('verstuurd', 'ingetrokken') THEN least(now(), sent_at + make_interval(hours => 2 + roll % 40)) END,
                      CASE WHEN status = 'afgewezen'
                           THEN (ARRAY['geen_capaciteit', 'past_niet', 'niet_bereikbaar', 'wil_niet', 'anders'])[1 + roll % 5] END,
                      CASE WHEN status IN ('gestart', 'afgerond') THEN least(now(), sent_at + make_interval(days => 1 + roll % 5)) END,
                      CASE WHEN status = 'afgerond' THEN least(now(), sent_at + make_interval(days => 20 + roll % 40)) END,
                      CASE WHEN status = 'afgerond' THEN CASE WHEN roll % 5 = 0 THEN 'niet_geslaagd' ELSE 'geslaagd' END END,
                      CASE WHEN status = 'afgerond' THEN roll % 7 <> 0 END,
                      CASE WHEN status = 'afgerond' THEN 'De ondersteuning is geboden; de inwoner is tevreden.' ELSE '' END,
                      CASE WHEN status = 'teruggegeven' THEN least(now(), sent_at + make_interval(days => 2 + roll % 20)) END,
                      CASE WHEN status = 'teruggegeven' THEN 'Past beter bij een andere organisatie.' ELSE '' END,
                      CASE WHEN status = 'verstuurd' AND answer_due_on < local_now()::date THEN now() END
               FROM shaped"#,
            tx.tenant_id(),
            seed as i64,
            &organisation_ids,
            &service_ids,
            done as i64,
            n as i64,
            &cases,
            &sent_days,
            &due_days
        )
        .execute(&mut **tx)
        .await?;
        done += n;
        bar.set_position(done as u64);
    }
    // Every step as an event, so the referral pages show their history.
    sqlx::query!(
        "INSERT INTO referral_events (tenant_id, referral_id, kind, organisation_id, actor_id, occurred_at)
         SELECT tenant_id, id, 'verstuurd', organisation_id, sent_by, sent_at FROM referrals
         WHERE tenant_id = $1 AND NOT EXISTS (SELECT FROM referral_events e WHERE e.tenant_id = referrals.tenant_id
                                                AND e.referral_id = referrals.id)
         UNION ALL
         SELECT tenant_id, id, CASE WHEN decline_reason IS NULL THEN 'geaccepteerd' ELSE 'afgewezen' END,
                organisation_id, handled_by, answered_at FROM referrals
         WHERE tenant_id = $1 AND answered_at IS NOT NULL AND handled_by IS NOT NULL
           AND NOT EXISTS (SELECT FROM referral_events e WHERE e.tenant_id = referrals.tenant_id
                             AND e.referral_id = referrals.id)
         UNION ALL
         SELECT tenant_id, id, 'afgerond', organisation_id, handled_by, finished_at FROM referrals
         WHERE tenant_id = $1 AND finished_at IS NOT NULL AND handled_by IS NOT NULL
           AND NOT EXISTS (SELECT FROM referral_events e WHERE e.tenant_id = referrals.tenant_id
                             AND e.referral_id = referrals.id)",
        tx.tenant_id()
    )
    .execute(&mut **tx)
    .await?;
    Ok(done)
}

/// For every day from `first` to `last`: the day, and the answer date of a referral sent on it,
/// `days` working days on.
fn answer_dates(calendar: &WorkingCalendar, first: Date, last: Date, days: u32) -> (Vec<Date>, Vec<Date>) {
    let mut sent = Vec::new();
    let mut due = Vec::new();
    let mut day = first;
    while day <= last {
        sent.push(day);
        due.push(calendar.add_working_days(day, days));
        day += Duration::days(1);
    }
    (sent, due)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_made_up_referral_is_due_on_a_working_day() {
        let calendar = WorkingCalendar::new(
            crate::calendar::LiberationDay::LustrumYearsOnly,
            [date!(2026 - 12 - 31)],
        );
        let (sent, due) = answer_dates(&calendar, date!(2026 - 11 - 01), date!(2027 - 01 - 31), 5);
        assert_eq!(sent.len(), 92);
        assert!(due.iter().all(|&day| calendar.is_working_day(day)));
        let due_for = |day| due[sent.iter().position(|&s| s == day).unwrap()];
        // Sent on Sunday 20 December: Christmas, the weekend after it and the closing day pass.
        assert_eq!(due_for(date!(2026 - 12 - 20)), date!(2026 - 12 - 28));
        assert_eq!(due_for(date!(2026 - 12 - 24)), date!(2027 - 01 - 05));
        // Five working days from Sunday 6 December: Friday 11, not Sunday 13 as a week would be.
        assert_eq!(due_for(date!(2026 - 12 - 06)), date!(2026 - 12 - 11));
    }
}
