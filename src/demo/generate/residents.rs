//! Made-up residents of Woudenberg, with Dutch names that have prefixes and diacritics.

use indicatif::ProgressBar;
use time::{Date, Duration};
use uuid::Uuid;

use super::Sampler;
use crate::db::TenantTx;

pub(super) const FIRST_NAMES: &[&str] = &[
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
pub(super) const SURNAMES: &[(&str, &str)] = &[
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

/// Residents written per statement.
const BATCH: usize = 2000;

/// Adds `count` residents aged 2 to 95, in batches; returns their ids.
pub(super) async fn add(
    tx: &mut TenantTx,
    sampler: &mut Sampler,
    count: usize,
    today: Date,
    bar: &ProgressBar,
) -> sqlx::Result<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = Vec::with_capacity(count);
    while ids.len() < count {
        let done = ids.len();
        let n = BATCH.min(count - done);
        let mut batch = ResidentBatch::default();
        for i in 0..n {
            batch.push(sampler, done + i, today);
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
        bar.set_position(ids.len() as u64);
    }
    Ok(ids)
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
