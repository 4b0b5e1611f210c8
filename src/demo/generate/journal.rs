//! Made-up journals: each case's share of the entries, spread over its life, written by its
//! leads. The entries themselves are made by the database from a few templates per case, so
//! that a million of them take a minute.

use indicatif::ProgressBar;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Sampler;
use crate::cases::EntryKind;
use crate::db::TenantTx;
use crate::shared::choices::Domain;

/// Journal entries written per statement (about; a case's entries go in one).
const BATCH: usize = 50_000;

/// The journal of one case, as the case's history has shaped it.
pub(super) struct JournalSpec {
    pub(super) case_id: Uuid,
    /// Its share of the entries: more for longer and busier cases.
    pub(super) weight: f64,
    pub(super) first_at: OffsetDateTime,
    pub(super) last_at: OffsetDateTime,
    pub(super) author: Uuid,
    /// The lead before a handover, who wrote the entries before it.
    pub(super) earlier: Option<(Uuid, OffsetDateTime)>,
    /// Draws the entries' kinds, texts and moments.
    pub(super) seed: i64,
    /// The request's life domain, which some entries are about.
    pub(super) domain: Domain,
}

/// Writes `total` journal entries over `journals`, in proportion to their weights; in four of
/// a hundred cases with four or more, one is a correction of a recent entry. Returns how many
/// were written.
pub(super) async fn add(
    tx: &mut TenantTx,
    sampler: &mut Sampler,
    journals: &[JournalSpec],
    total: usize,
    bar: &ProgressBar,
) -> sqlx::Result<usize> {
    let templates = JournalTemplates::new();
    let counts = journal_counts(journals, total);
    let mut written = 0;
    let mut start = 0;
    while start < journals.len() {
        let mut end = start;
        let mut entries = 0;
        while end < journals.len() && (entries < BATCH || end == start) {
            entries += counts[end];
            end += 1;
        }
        let mut batch = JournalBatch::default();
        for (spec, &count) in journals[start..end].iter().zip(&counts[start..end]) {
            let correction = count >= 4 && sampler.percent(4);
            batch.push(spec, count - usize::from(correction));
            if correction {
                let back = sampler.below(count.min(6) - 1);
                // A day or a few later, around the same time of day.
                let hours = 24 * sampler.between(1, 3) + sampler.between(-1, 1);
                let body = *sampler.pick(CORRECTIONS);
                batch.push_correction(spec, back, hours, body);
            }
        }
        batch.insert(tx, &templates).await?;
        written += entries;
        start = end;
        bar.set_position(written as u64);
    }
    Ok(written)
}

/// Every case's number of journal entries: in proportion to its weight, `total` in all.
fn journal_counts(journals: &[JournalSpec], total: usize) -> Vec<usize> {
    let sum: f64 = journals.iter().map(|j| j.weight.max(0.0)).sum();
    let scale = if sum > 0.0 { total as f64 / sum } else { 0.0 };
    let mut cumulative = 0.0;
    let mut rounded = 0;
    journals
        .iter()
        .map(|journal| {
            cumulative += journal.weight.max(0.0) * scale;
            let next = cumulative.round() as usize;
            let count = next - rounded;
            rounded = next;
            count
        })
        .collect()
}

/// Journal entries that fit any case: (kind, body).
const JOURNAL: &[(EntryKind, &str)] = &[
    (
        EntryKind::Note,
        "Dossier doorgenomen en de vervolgstappen op een rij gezet.",
    ),
    (
        EntryKind::Note,
        "Informatie van de huisarts ontvangen en aan het dossier toegevoegd.",
    ),
    (
        EntryKind::Note,
        "Afspraken uit het plan nagelopen; inwoner houdt zich aan de afspraken.",
    ),
    (
        EntryKind::Call,
        "Telefonisch contact met inwoner: het gaat iets beter, de nachten zijn nog zwaar.",
    ),
    (
        EntryKind::Call,
        "Inwoner gebeld, niet bereikt. Voicemail ingesproken met het verzoek terug te bellen.",
    ),
    (
        EntryKind::Call,
        "Inwoner belde zelf met een vraag over een brief van de gemeente; uitgelegd.",
    ),
    (
        EntryKind::Visit,
        "Huisbezoek afgelegd. De woning is opgeruimd, inwoner maakt een rustige indruk.",
    ),
    (
        EntryKind::Visit,
        "Huisbezoek gepland, maar inwoner was niet thuis. Briefje achtergelaten.",
    ),
    (
        EntryKind::Visit,
        "Huisbezoek afgelegd; inwoner wil vooral zelf de regie houden.",
    ),
    (
        EntryKind::Consultation,
        "Casusoverleg in het sociaal team: we blijven inzetten op het netwerk van inwoner.",
    ),
    (
        EntryKind::Consultation,
        "In het teamoverleg besproken of opschalen nodig is; eerst nog twee weken aankijken.",
    ),
    (
        EntryKind::Consultation,
        "Overleg met de praktijkondersteuner van de huisarts over hoe het met inwoner gaat.",
    ),
];

/// Journal entries about the domain of the request.
fn journal_for(domain: Domain) -> &'static [(EntryKind, &'static str)] {
    match domain {
        Domain::Wmo => &[
            (
                EntryKind::Note,
                "Aanvraag huishoudelijke hulp klaargezet; wacht op de handtekening van inwoner.",
            ),
            (
                EntryKind::Visit,
                "Huisbezoek met de wijkverpleegkundige; een douchestoel en beugels zijn nodig.",
            ),
            (
                EntryKind::Call,
                "Gebeld met de dochter van inwoner over de mantelzorg in het weekend.",
            ),
            (
                EntryKind::Call,
                "Telefonisch overleg met de wijkverpleging over de medicatie.",
            ),
        ],
        Domain::Jeugd => &[
            (
                EntryKind::Visit,
                "Huisbezoek: gesprek met beide ouders over de woede-uitbarstingen van hun zoon.",
            ),
            (
                EntryKind::Consultation,
                "Overleg met school, jeugdarts en ouders. De afspraken staan in het plan.",
            ),
            (
                EntryKind::Call,
                "Moeder gebeld: de opvoedondersteuning is gestart en bevalt goed.",
            ),
        ],
        Domain::Leerplicht => &[
            (
                EntryKind::Call,
                "School gebeld over het verzuim; de mentor neemt contact op met de ouders.",
            ),
            (
                EntryKind::Consultation,
                "Overleg met de leerplichtambtenaar: eerst een gesprek met leerling en ouders.",
            ),
            (
                EntryKind::Note,
                "Verzuimoverzicht van school ontvangen: de laatste twee weken elke dag aanwezig.",
            ),
        ],
        Domain::Participatie => &[
            (
                EntryKind::Consultation,
                "Overleg met Welzijn Woudenberg: er is een maatje voor wekelijkse wandelingen.",
            ),
            (
                EntryKind::Call,
                "Inwoner belde: de eerste ochtend bij de kringloopwinkel ging goed.",
            ),
            (
                EntryKind::Note,
                "Kennismaking bij de vrijwilligerscentrale gepland.",
            ),
        ],
        Domain::Wonen => &[
            (
                EntryKind::Call,
                "Inwoner belde zelf: de traplift is geplaatst en werkt goed.",
            ),
            (
                EntryKind::Visit,
                "Huisbezoek met de ergotherapeut; de badkamer moet worden aangepast.",
            ),
            (
                EntryKind::Note,
                "Offerte voor de woningaanpassing ontvangen en doorgestuurd.",
            ),
        ],
        Domain::Schulden => &[
            (
                EntryKind::Note,
                "Brief van de woningcorporatie over de huurachterstand ontvangen; kopie in het dossier.",
            ),
            (
                EntryKind::Call,
                "Gebeld met de woningcorporatie; een betalingsregeling voor de huurachterstand kan.",
            ),
            (
                EntryKind::Visit,
                "Op huisbezoek de post samen doorgenomen en de openstaande rekeningen op een rij gezet.",
            ),
            (
                EntryKind::Consultation,
                "Afstemming met de schuldhulpverlener: de aanmelding voor schuldsanering is gedaan.",
            ),
        ],
        Domain::WerkInkomen => &[
            (
                EntryKind::Note,
                "Inwoner heeft de formulieren voor bijzondere bijstand ingeleverd.",
            ),
            (
                EntryKind::Call,
                "Gebeld met het werkgeversservicepunt: inwoner kan op gesprek voor een proefplaatsing.",
            ),
            (
                EntryKind::Consultation,
                "Overleg met de consulent werk en inkomen over de uitkeringsaanvraag.",
            ),
        ],
        Domain::Overig => &[
            (
                EntryKind::Consultation,
                "Overleg met Humanitas: er is een maatje beschikbaar voor wekelijkse bezoekjes.",
            ),
            (
                EntryKind::Call,
                "Inwoner gebeld: de koffieochtend in de kerk was gezellig, gaat volgende week weer.",
            ),
            (
                EntryKind::Note,
                "Inwoner voelt zich minder alleen sinds de bezoekjes van het maatje.",
            ),
        ],
    }
}

/// Every journal template in one array for the database: the general ones, then each domain's.
struct JournalTemplates {
    kinds: Vec<String>,
    bodies: Vec<String>,
}

impl JournalTemplates {
    fn new() -> JournalTemplates {
        let all = JOURNAL
            .iter()
            .chain(Domain::ALL.iter().flat_map(|domain| journal_for(*domain)));
        JournalTemplates {
            kinds: all.clone().map(|(kind, _)| kind.code().to_owned()).collect(),
            bodies: all.map(|(_, body)| (*body).to_owned()).collect(),
        }
    }

    /// Where `domain`'s templates are: the first one's (1-based) position, and how many.
    fn topic(domain: Domain) -> (i32, i32) {
        let mut first = JOURNAL.len() + 1;
        for other in Domain::ALL {
            let count = journal_for(*other).len();
            if *other == domain {
                return (first as i32, count as i32);
            }
            first += count;
        }
        unreachable!("Domain::ALL holds every domain")
    }
}

const CORRECTIONS: &[&str] = &[
    "Correctie: het huisbezoek was op dinsdag, niet op maandag.",
    "Correctie: het was de zoon van inwoner die belde, niet de dochter.",
    "Correctie: de afspraak met de huisarts is verzet naar volgende week.",
    "Correctie: de volgende afspraak is om 14.00 uur, niet om 10.00 uur.",
    "Correctie: inwoner heeft de formulieren nog niet ingeleverd; dat was een ander dossier.",
];

/// Journal entries for a run of cases: per case how many, over which period, by whom; the
/// entries themselves are made by the database (`generate_series`), their kind, text and
/// moment drawn from a hash of the case's seed and the entry's number.
#[derive(Default)]
struct JournalBatch {
    case_id: Vec<Uuid>,
    entries: Vec<i32>,
    first_at: Vec<OffsetDateTime>,
    last_at: Vec<OffsetDateTime>,
    author: Vec<Uuid>,
    earlier_author: Vec<Option<Uuid>>,
    handover_at: Vec<Option<OffsetDateTime>>,
    seed: Vec<i64>,
    topic_first: Vec<i32>,
    topic_count: Vec<i32>,
    corrected_case: Vec<Uuid>,
    corrected_back: Vec<i32>,
    corrected_hours: Vec<i32>,
    correction: Vec<String>,
    correction_until: Vec<OffsetDateTime>,
}

impl JournalBatch {
    fn push(&mut self, spec: &JournalSpec, entries: usize) {
        self.case_id.push(spec.case_id);
        self.entries.push(entries as i32);
        self.first_at.push(spec.first_at);
        self.last_at.push(spec.last_at);
        self.author.push(spec.author);
        self.earlier_author.push(spec.earlier.map(|(who, _)| who));
        self.handover_at.push(spec.earlier.map(|(_, at)| at));
        self.seed.push(spec.seed);
        let (first, count) = JournalTemplates::topic(spec.domain);
        self.topic_first.push(first);
        self.topic_count.push(count);
    }

    /// A correction of the entry `back` places before the case's latest, `hours` after it.
    fn push_correction(&mut self, spec: &JournalSpec, back: usize, hours: i64, body: &str) {
        self.corrected_case.push(spec.case_id);
        self.corrected_back.push(back as i32);
        self.corrected_hours.push(hours as i32);
        self.correction.push(body.to_owned());
        self.correction_until.push(spec.last_at);
    }

    async fn insert(&self, tx: &mut TenantTx, templates: &JournalTemplates) -> sqlx::Result<()> {
        let tenant = tx.tenant_id();
        // Entry n of a case falls in the n-th equal part of its period, on a working day's
        // office hours (Amsterdam time), and is written up a little later. Three in eight are
        // about the request's domain, the rest could be in any case.
        sqlx::query!(
            "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id, created_at)
             SELECT $1, e.case_id, ($10::text[])[e.pick], ($11::text[])[e.pick], e.at,
                    CASE WHEN e.at < e.handover_at THEN e.earlier_author ELSE e.author END,
                    least(e.at + make_interval(mins => e.delay), now())
             FROM (
                 SELECT c.case_id, c.author, c.earlier_author, c.handover_at,
                        CASE WHEN (r.h & 7) < 3 THEN (c.topic_first + ((r.h >> 3) & 65535) % c.topic_count)::int
                             ELSE (1 + ((r.h >> 3) & 65535) % $12)::int END AS pick,
                        5 + ((r.h >> 16) & 255)::int AS delay,
                        least(greatest(
                            (((c.first_at + (c.last_at - c.first_at)
                                  * ((n - 1 + ((r.h >> 24) & 65535) / 65536.0) / c.entries)::float8)
                                 AT TIME ZONE 'Europe/Amsterdam')::date
                             + time '08:30' + make_interval(mins => ((r.h >> 40) & 511)::int))
                                AT TIME ZONE 'Europe/Amsterdam',
                            c.first_at), c.last_at) AS at
                 FROM unnest($2::uuid[], $3::int4[], $4::timestamptz[], $5::timestamptz[], $6::uuid[],
                             $7::uuid[], $8::timestamptz[], $9::int8[], $13::int4[], $14::int4[])
                          AS c(case_id, entries, first_at, last_at, author, earlier_author, handover_at, seed,
                               topic_first, topic_count)
                 CROSS JOIN LATERAL generate_series(1, c.entries) AS n
                 CROSS JOIN LATERAL (SELECT hashint8extended(n, c.seed) AS h) r
             ) e",
            tenant,
            &self.case_id,
            &self.entries,
            &self.first_at,
            &self.last_at,
            &self.author,
            &self.earlier_author as &[Option<Uuid>],
            &self.handover_at as &[Option<OffsetDateTime>],
            &self.seed,
            &templates.kinds,
            &templates.bodies,
            JOURNAL.len() as i32,
            &self.topic_first,
            &self.topic_count
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id, created_at,
                                          corrects_id)
             SELECT $1, c.case_id, 'notitie', c.body, o.at, o.author_id, o.at, o.id
             FROM unnest($2::uuid[], $3::int4[], $4::int4[], $5::text[], $6::timestamptz[])
                      AS c(case_id, back, hours, body, until)
             CROSS JOIN LATERAL (
                 SELECT j.id, j.author_id, least(j.occurred_at + make_interval(hours => c.hours), c.until) AS at
                 FROM journal_entries j WHERE j.tenant_id = $1 AND j.case_id = c.case_id
                 ORDER BY j.occurred_at DESC, j.id DESC OFFSET c.back LIMIT 1
             ) o",
            tenant,
            &self.corrected_case,
            &self.corrected_back,
            &self.corrected_hours,
            &self.correction,
            &self.correction_until
        )
        .execute(&mut **tx)
        .await?;
        sqlx::query!(
            "UPDATE cases c SET last_journal_at = (
                 SELECT max(j.occurred_at) FROM journal_entries j WHERE j.tenant_id = c.tenant_id AND j.case_id = c.id)
             WHERE c.tenant_id = $1 AND c.id = ANY ($2)",
            tenant,
            &self.case_id
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
