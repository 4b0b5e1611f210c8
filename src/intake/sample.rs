//! Made-up residents and requests: for the demo cooperative, and in bulk for the benchmark.
//! Deterministic (a fixed seed), with Dutch names that have prefixes and diacritics.

use time::{Date, Duration, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::calendar::statutory_due;
use crate::db::TenantTx;

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Willem",
    "Johannes",
    "Cornelis",
    "Hendrik",
    "Gerrit",
    "Anton",
    "Bram",
    "Daan",
    "Sem",
    "Lucas",
    "Finn",
    "Milan",
    "Mohammed",
    "Ahmet",
    "Mehmet",
    "Youssef",
    "Wiktor",
    "Sander",
    "Thijs",
    "Ruud",
    "Maria",
    "Anna",
    "Johanna",
    "Cornelia",
    "Wilhelmina",
    "Elisabeth",
    "Geertje",
    "Annie",
    "Emma",
    "Julia",
    "Sophie",
    "Tess",
    "Saar",
    "Fleur",
    "Noor",
    "Fatima",
    "Ayşe",
    "Zeynep",
    "Élodie",
    "Chloë",
    "Anouk",
    "Inge",
    "Marieke",
    "Renée",
];

/// (prefix, surname)
pub(crate) const SURNAMES: &[(&str, &str)] = &[
    ("de", "Jong"),
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("", "Öztürk"),
    ("", "Yılmaz"),
    ("", "El Amrani"),
    ("", "Kowalski"),
    ("", "Çelik"),
    ("ten", "Hove"),
    ("", "Hoekstra"),
];

const STREETS: &[&str] = &[
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Stationsweg",
    "Schoolstraat",
    "Julianalaan",
    "Beatrixlaan",
    "Eikenlaan",
    "Lindelaan",
    "Voorstraat",
    "Nieuwe Weg",
    "Prins Bernhardlaan",
    "Koningin Wilhelminaweg",
    "Irenestraat",
];

const QUESTIONS: &[(&str, &str)] = &[
    (
        "wmo",
        "Mijn moeder kan niet meer zelfstandig douchen en wil graag thuis blijven wonen.",
    ),
    ("wmo", "Ik heb een scootmobiel nodig om boodschappen te doen."),
    (
        "wmo",
        "Ik zorg voor mijn man met dementie en kan het niet meer alleen.",
    ),
    (
        "jeugd",
        "Onze zoon van 12 heeft veel woede-uitbarstingen en wij weten niet wat we moeten doen.",
    ),
    (
        "jeugd",
        "Mijn dochter gaat niet meer naar school en zit de hele dag op haar kamer.",
    ),
    ("leerplicht", "School meldt dat mijn zoon vaak afwezig is."),
    (
        "participatie",
        "Ik zoek vrijwilligerswerk om weer onder de mensen te komen.",
    ),
    (
        "wonen",
        "De trap in mijn huis wordt te moeilijk, kan ik een traplift krijgen?",
    ),
    (
        "schulden",
        "Ik krijg steeds meer aanmaningen en kan de huur niet meer betalen.",
    ),
    (
        "werk_inkomen",
        "Ik ben mijn baan kwijt en weet niet waar ik een uitkering moet aanvragen.",
    ),
    ("overig", "Ik voel me eenzaam sinds mijn vrouw is overleden."),
];

/// A small, fast, deterministic generator: the same seed gives the same people.
pub struct Sampler(u64);

impl Sampler {
    pub fn new(seed: u64) -> Sampler {
        Sampler(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Adds `residents` residents and `requests` requests spread over the two years before
/// `today`, in batches; `progress` is told how many of each are done. `team` of the requests
/// are handed to the social team, each opening a case.
pub async fn generate(
    tx: &mut TenantTx,
    seed: u64,
    residents: usize,
    requests: usize,
    team: usize,
    today: Date,
    mut progress: impl FnMut(usize, usize),
) -> sqlx::Result<()> {
    const BATCH: usize = 2000;
    let mut sampler = Sampler::new(seed);
    let mut ids: Vec<Uuid> = Vec::with_capacity(residents);
    let mut done = 0;
    while done < residents {
        let n = BATCH.min(residents - done);
        let mut batch = ResidentBatch::default();
        for i in 0..n {
            batch.push(&mut sampler, done + i, today);
        }
        let inserted = sqlx::query_scalar!(
            "INSERT INTO residents (tenant_id, first_names, initials, surname_prefix, surname, date_of_birth,
                                    street, house_number, postcode, place, phone)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[],
                                      $8::text[], $9::text[], $10::text[], $11::text[])
             RETURNING id",
            tx.tenant_id(),
            &batch.first_names,
            &batch.initials,
            &batch.prefixes,
            &batch.surnames,
            &batch.births,
            &batch.streets,
            &batch.numbers,
            &batch.postcodes,
            &batch.places,
            &batch.phones
        )
        .fetch_all(&mut **tx)
        .await?;
        ids.extend(inserted);
        done += n;
        progress(done, 0);
    }
    if ids.is_empty() {
        return Ok(());
    }
    let closing_triages = ["handled_at_desk", "signposted"];
    let mut team_left = team.min(requests);
    let channels = ["desk", "phone", "email", "referrer", "online"];
    let terms = sqlx::query!(
        "SELECT wmo_investigation_weeks, jeugd_decision_weeks FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let mut done = 0;
    while done < requests {
        let n = BATCH.min(requests - done);
        let mut residents_of = Vec::with_capacity(n);
        let mut received = Vec::with_capacity(n);
        let mut chans = Vec::with_capacity(n);
        let mut domains = Vec::with_capacity(n);
        let mut questions = Vec::with_capacity(n);
        let mut urgencies = Vec::with_capacity(n);
        let mut triaged = Vec::with_capacity(n);
        let mut tokens = Vec::with_capacity(n);
        let mut wmo_deadlines = Vec::with_capacity(n);
        let mut jeugd_deadlines = Vec::with_capacity(n);
        for i in 0..n {
            residents_of.push(ids[sampler.below(ids.len())]);
            let days_ago = sampler.below(730) as i64;
            let at = PrimitiveDateTime::new(
                today - Duration::days(days_ago),
                Time::from_hms(8 + sampler.below(9) as u8, sampler.below(60) as u8, 0).expect("office hours"),
            );
            received.push(at);
            chans.push(channels[sampler.below(channels.len())].to_owned());
            let (domain, question) = *sampler.pick(QUESTIONS);
            // The terms as registration computes them (Algemene termijnenwet included).
            let received_on = at.date();
            wmo_deadlines.push(
                (domain == "wmo").then(|| statutory_due(received_on, terms.wmo_investigation_weeks as u32)),
            );
            jeugd_deadlines.push(
                (domain == "jeugd").then(|| statutory_due(received_on, terms.jeugd_decision_weeks as u32)),
            );
            domains.push(domain.to_owned());
            questions.push(question.to_owned());
            let urgency = match sampler.below(50) {
                0 => "crisis",
                1..=5 => "urgent",
                _ => "normal",
            };
            urgencies.push(urgency.to_owned());
            // Exactly `team` go to the team, spread at random (selection sampling). Of the
            // rest, recent requests are still waiting now and then; older ones are all triaged.
            let to_team = sampler.below(requests - done - i) < team_left;
            let triage = if to_team {
                team_left -= 1;
                Some("to_team")
            } else if days_ago < 3 && sampler.below(2) == 0 {
                None
            } else {
                Some(closing_triages[sampler.below(2)])
            };
            triaged.push(triage.map(str::to_owned));
            tokens.push(Uuid::new_v4());
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
            &residents_of,
            &received,
            &chans,
            &domains,
            &questions,
            &urgencies,
            &triaged as &[Option<String>],
            &tokens,
            &wmo_deadlines as &[Option<Date>],
            &jeugd_deadlines as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        done += n;
        progress(ids.len(), done);
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

#[derive(Default)]
struct ResidentBatch {
    first_names: Vec<String>,
    initials: Vec<String>,
    prefixes: Vec<String>,
    surnames: Vec<String>,
    births: Vec<Date>,
    streets: Vec<String>,
    numbers: Vec<String>,
    postcodes: Vec<String>,
    places: Vec<String>,
    phones: Vec<String>,
}

impl ResidentBatch {
    fn push(&mut self, sampler: &mut Sampler, index: usize, today: Date) {
        let first = *sampler.pick(FIRST_NAMES);
        let (prefix, surname) = *sampler.pick(SURNAMES);
        let age_days = 365 * 2 + sampler.below(365 * 93) as i64;
        self.first_names.push(first.to_owned());
        self.initials
            .push(format!("{}.", first.chars().next().unwrap_or('X')));
        self.prefixes.push(prefix.to_owned());
        self.surnames.push(surname.to_owned());
        self.births.push(today - Duration::days(age_days));
        self.streets.push((*sampler.pick(STREETS)).to_owned());
        self.numbers.push((1 + sampler.below(150)).to_string());
        // Postcodes 3930–3939 (Woudenberg and around), letters from the index so they spread.
        let letters = [b'A' + (index % 26) as u8, b'A' + ((index / 26) % 26) as u8];
        self.postcodes.push(format!(
            "393{} {}",
            sampler.below(10),
            String::from_utf8_lossy(&letters)
        ));
        self.places.push("Woudenberg".to_owned());
        self.phones
            .push(format!("06{:08}", sampler.next_u64() % 100_000_000));
    }
}
