//! Made-up case handling for the cases the intake sample opened: for the demo cooperative, and
//! in bulk for the benchmark. Each case gets a history that fits its age: old cases are mostly
//! closed, recent ones still wait for a lead, the rest are somewhere in between, with their
//! leads, status events, statutory clocks, kitchen-table conversation, support plan, network,
//! tasks and journal. Deterministic choices (a fixed seed); everything is written set-based,
//! a few statements per batch, so that 50,000 cases with 1,000,000 journal entries take minutes.

use std::collections::HashSet;

use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::intake::sample::{FIRST_NAMES, SURNAMES, Sampler};

/// Cases planned and written per batch (journal entries are batched separately).
const CASE_BATCH: usize = 2_000;
/// Journal entries per batch.
const JOURNAL_BATCH: usize = 50_000;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Registered,
    Assessing,
    Planned,
    Executing,
    Evaluating,
    Closed,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Status::Registered => "aangemeld",
            Status::Assessing => "in_onderzoek",
            Status::Planned => "plan_vastgesteld",
            Status::Executing => "in_uitvoering",
            Status::Evaluating => "evaluatie",
            Status::Closed => "afgesloten",
        }
    }

    /// How much a case in this status has been written about, relative to its duration.
    fn journal_factor(self) -> f64 {
        match self {
            Status::Registered => 0.2,
            Status::Assessing => 0.9,
            Status::Planned => 1.0,
            Status::Executing => 1.2,
            Status::Evaluating => 1.3,
            Status::Closed => 1.0,
        }
    }
}

/// Journal entries that fit any case: (kind, body).
const JOURNAL: &[(&str, &str)] = &[
    (
        "notitie",
        "Dossier doorgenomen en de vervolgstappen op een rij gezet.",
    ),
    (
        "notitie",
        "Informatie van de huisarts ontvangen en aan het dossier toegevoegd.",
    ),
    (
        "notitie",
        "Afspraken uit het plan nagelopen; inwoner houdt zich aan de afspraken.",
    ),
    (
        "telefoon",
        "Telefonisch contact met inwoner: het gaat iets beter, de nachten zijn nog zwaar.",
    ),
    (
        "telefoon",
        "Inwoner gebeld, niet bereikt. Voicemail ingesproken met het verzoek terug te bellen.",
    ),
    (
        "telefoon",
        "Inwoner belde zelf met een vraag over een brief van de gemeente; uitgelegd.",
    ),
    (
        "huisbezoek",
        "Huisbezoek afgelegd. De woning is opgeruimd, inwoner maakt een rustige indruk.",
    ),
    (
        "huisbezoek",
        "Huisbezoek gepland, maar inwoner was niet thuis. Briefje achtergelaten.",
    ),
    (
        "huisbezoek",
        "Huisbezoek afgelegd; inwoner wil vooral zelf de regie houden.",
    ),
    (
        "overleg",
        "Casusoverleg in het sociaal team: we blijven inzetten op het netwerk van inwoner.",
    ),
    (
        "overleg",
        "In het teamoverleg besproken of opschalen nodig is; eerst nog twee weken aankijken.",
    ),
    (
        "overleg",
        "Overleg met de praktijkondersteuner van de huisarts over hoe het met inwoner gaat.",
    ),
];

/// Journal entries about the domain of the request.
fn journal_for(domain: &str) -> &'static [(&'static str, &'static str)] {
    match domain {
        "wmo" => &[
            (
                "notitie",
                "Aanvraag huishoudelijke hulp klaargezet; wacht op de handtekening van inwoner.",
            ),
            (
                "huisbezoek",
                "Huisbezoek met de wijkverpleegkundige; een douchestoel en beugels zijn nodig.",
            ),
            (
                "telefoon",
                "Gebeld met de dochter van inwoner over de mantelzorg in het weekend.",
            ),
            (
                "telefoon",
                "Telefonisch overleg met de wijkverpleging over de medicatie.",
            ),
        ],
        "jeugd" => &[
            (
                "huisbezoek",
                "Huisbezoek: gesprek met beide ouders over de woede-uitbarstingen van hun zoon.",
            ),
            (
                "overleg",
                "Overleg met school, jeugdarts en ouders. De afspraken staan in het plan.",
            ),
            (
                "telefoon",
                "Moeder gebeld: de opvoedondersteuning is gestart en bevalt goed.",
            ),
        ],
        "leerplicht" => &[
            (
                "telefoon",
                "School gebeld over het verzuim; de mentor neemt contact op met de ouders.",
            ),
            (
                "overleg",
                "Overleg met de leerplichtambtenaar: eerst een gesprek met leerling en ouders.",
            ),
            (
                "notitie",
                "Verzuimoverzicht van school ontvangen: de laatste twee weken elke dag aanwezig.",
            ),
        ],
        "participatie" => &[
            (
                "overleg",
                "Overleg met Welzijn Woudenberg: er is een maatje voor wekelijkse wandelingen.",
            ),
            (
                "telefoon",
                "Inwoner belde: de eerste ochtend bij de kringloopwinkel ging goed.",
            ),
            ("notitie", "Kennismaking bij de vrijwilligerscentrale gepland."),
        ],
        "wonen" => &[
            (
                "telefoon",
                "Inwoner belde zelf: de traplift is geplaatst en werkt goed.",
            ),
            (
                "huisbezoek",
                "Huisbezoek met de ergotherapeut; de badkamer moet worden aangepast.",
            ),
            (
                "notitie",
                "Offerte voor de woningaanpassing ontvangen en doorgestuurd.",
            ),
        ],
        "schulden" => &[
            (
                "notitie",
                "Brief van de woningcorporatie over de huurachterstand ontvangen; kopie in het dossier.",
            ),
            (
                "telefoon",
                "Gebeld met de woningcorporatie; een betalingsregeling voor de huurachterstand kan.",
            ),
            (
                "huisbezoek",
                "Op huisbezoek de post samen doorgenomen en de openstaande rekeningen op een rij gezet.",
            ),
            (
                "overleg",
                "Afstemming met de schuldhulpverlener: de aanmelding voor schuldsanering is gedaan.",
            ),
        ],
        "werk_inkomen" => &[
            (
                "notitie",
                "Inwoner heeft de formulieren voor bijzondere bijstand ingeleverd.",
            ),
            (
                "telefoon",
                "Gebeld met het werkgeversservicepunt: inwoner kan op gesprek voor een proefplaatsing.",
            ),
            (
                "overleg",
                "Overleg met de consulent werk en inkomen over de uitkeringsaanvraag.",
            ),
        ],
        _ => &[
            (
                "overleg",
                "Overleg met Humanitas: er is een maatje beschikbaar voor wekelijkse bezoekjes.",
            ),
            (
                "telefoon",
                "Inwoner gebeld: de koffieochtend in de kerk was gezellig, gaat volgende week weer.",
            ),
            (
                "notitie",
                "Inwoner voelt zich minder alleen sinds de bezoekjes van het maatje.",
            ),
        ],
    }
}

/// The request domains, in the order their journal entries follow the general ones in
/// [`JournalTemplates`].
const DOMAINS: &[&str] = &[
    "wmo",
    "jeugd",
    "leerplicht",
    "participatie",
    "wonen",
    "schulden",
    "werk_inkomen",
    "overig",
];

/// Every journal template in one array for the database: the general ones, then each domain's.
struct JournalTemplates {
    kinds: Vec<String>,
    bodies: Vec<String>,
}

impl JournalTemplates {
    fn new() -> JournalTemplates {
        let all = JOURNAL
            .iter()
            .chain(DOMAINS.iter().flat_map(|domain| journal_for(domain)));
        JournalTemplates {
            kinds: all.clone().map(|(kind, _)| (*kind).to_owned()).collect(),
            bodies: all.map(|(_, body)| (*body).to_owned()).collect(),
        }
    }

    /// Where `domain`'s templates are: the first one's (1-based) position, and how many.
    fn topic(domain: &str) -> (i32, i32) {
        let domain = if DOMAINS.contains(&domain) {
            domain
        } else {
            "overig"
        };
        let mut first = JOURNAL.len() + 1;
        for other in DOMAINS {
            let count = journal_for(other).len();
            if *other == domain {
                return (first as i32, count as i32);
            }
            first += count;
        }
        unreachable!("the domain is one of DOMAINS")
    }
}

const CORRECTIONS: &[&str] = &[
    "Correctie: het huisbezoek was op dinsdag, niet op maandag.",
    "Correctie: het was de zoon van inwoner die belde, niet de dochter.",
    "Correctie: de afspraak met de huisarts is verzet naar volgende week.",
    "Correctie: de volgende afspraak is om 14.00 uur, niet om 10.00 uur.",
    "Correctie: inwoner heeft de formulieren nog niet ingeleverd; dat was een ander dossier.",
];

const HANDOVER_NOTES: &[&str] = &[
    "Overgedragen wegens verlof. Inwoner is op de hoogte; de afspraken staan in het plan.",
    "Regie overgedragen omdat de vraag vooral over schulden gaat; collega heeft die expertise.",
    "Overdracht na herverdeling van de caseload. De lopende afspraak met de huisarts staat in het journaal.",
];

const ESCALATION_REASONS: &[&str] = &[
    "Geen voortgang na drie maanden; er zijn meer partijen nodig.",
    "Inwoner houdt de hulp af terwijl de zorgen toenemen.",
    "Huisuitzetting dreigt binnen vier weken.",
];

const SAFETY_REASONS: &[&str] = &[
    "Signalen van huiselijk geweld; Veilig Thuis is ingeschakeld.",
    "Ernstige vervuiling van de woning en zorgen over de kinderen.",
    "Verward gedrag met risico voor inwoner en omgeving.",
];

const CONFIDENTIALITY_REASONS: &[&str] = &[
    "Op verzoek van inwoner.",
    "Er spelen zaken rond huiselijk geweld.",
    "Inwoner werkt zelf bij een van de lidorganisaties.",
];

const PAUSE_REASONS: &[&str] = &[
    "Inwoner is opgenomen in het ziekenhuis.",
    "Op verzoek van inwoner: eerst de medische informatie afwachten.",
    "Inwoner levert de gevraagde gegevens later aan.",
];

const EXTENSION_REASONS: &[&str] = &[
    "Meer tijd nodig voor het advies van de ergotherapeut.",
    "Inwoner stemt in met verlenging; het gesprek met de familie volgt nog.",
];

const PLACES: &[&str] = &[
    "Bij inwoner thuis",
    "Bij inwoner thuis",
    "Bij inwoner thuis",
    "Wijkcentrum De Brink",
    "Gemeentehuis Woudenberg",
];

const PARTICIPANTS: &[&str] = &[
    "Inwoner en regisseur",
    "Inwoner, dochter en regisseur",
    "Beide ouders en regisseur",
    "Inwoner, buurvrouw en regisseur",
    "Inwoner, partner, wijkverpleegkundige en regisseur",
];

const HOUSING: &[&str] = &[
    "Woont zelfstandig in een eengezinswoning; de trap wordt lastig.",
    "Huurt een appartement met lift; de woning is goed onderhouden.",
    "Woont met partner en twee kinderen in een rijtjeshuis, krap behuisd.",
    "Huurachterstand; de woningcorporatie heeft een laatste waarschuwing gestuurd.",
];
const FINANCES: &[&str] = &[
    "Geen zorgen over geld.",
    "Huurachterstand van twee maanden en meerdere aanmaningen.",
    "AOW met een klein pensioen; rondkomen lukt net.",
    "Bijstandsuitkering; de post blijft vaak ongeopend liggen.",
];
const HEALTH: &[&str] = &[
    "Loopt slecht sinds een heupoperatie en gebruikt een rollator.",
    "Beginnende dementie volgens de huisarts.",
    "Somber en moe, slaapt slecht.",
    "Lichamelijk gezond.",
];
const SOCIAL_NETWORK: &[&str] = &[
    "Dochter woont in de buurt en komt twee keer per week.",
    "Weinig contacten sinds het overlijden van de partner.",
    "Goede band met de buren; de buurvrouw doet soms boodschappen.",
    "Familie woont ver weg; contact gaat via de telefoon.",
];
const DAYTIME: &[&str] = &[
    "Gaat twee ochtenden per week naar de dagbesteding.",
    "Zit veel thuis en kijkt tv.",
    "Werkt parttime als schoonmaker.",
    "Doet vrijwilligerswerk bij de kringloopwinkel.",
];
const PARENTING: &[&str] = &[
    "Ouders voelen zich machteloos bij de woede-uitbarstingen.",
    "Zoon gaat niet naar school; ouders krijgen hem de deur niet uit.",
    "Moeder voedt de kinderen alleen op en is overbelast.",
];
const SAFETY: &[&str] = &[
    "Geen zorgen over veiligheid.",
    "Geen signalen van huiselijk geweld.",
    "Zorgen over valgevaar in huis.",
    "Spanningen thuis lopen soms hoog op; afgesproken dit te volgen.",
];
const WISHES: &[&str] = &[
    "Wil zo lang mogelijk thuis blijven wonen.",
    "Wil weer rust in het gezin.",
    "Wil van de schulden af en opnieuw beginnen.",
    "Wil weer onder de mensen komen.",
];

/// Goals in the resident's own words, per domain of the request.
fn goals_for(domain: &str) -> &'static [&'static str] {
    match domain {
        "wmo" => &[
            "Ik wil zelf kunnen blijven douchen, met wat hulpmiddelen.",
            "Ik wil weer zelf boodschappen kunnen doen.",
            "Ik wil mijn man thuis blijven verzorgen zonder zelf om te vallen.",
            "Ik wil in mijn eigen huis blijven wonen.",
        ],
        "jeugd" => &[
            "Ik wil dat de ruzies thuis minder worden.",
            "Ik wil dat mijn dochter weer plezier heeft in school.",
            "Wij willen weten hoe we met zijn boosheid omgaan.",
        ],
        "leerplicht" => &[
            "Ik wil mijn school afmaken.",
            "Ik wil dat mijn zoon weer elke dag naar school gaat.",
        ],
        "participatie" => &[
            "Ik wil één keer per week iets leuks doen buiten de deur.",
            "Ik wil vrijwilligerswerk doen.",
        ],
        "wonen" => &[
            "Ik wil veilig de trap op en af kunnen.",
            "Ik wil in mijn eigen huis blijven wonen.",
        ],
        "schulden" => &[
            "Ik wil mijn rekeningen weer op tijd betalen.",
            "Ik wil geen nieuwe schulden meer maken.",
            "Ik wil rust in mijn hoofd over geld.",
        ],
        "werk_inkomen" => &[
            "Ik wil weer werk, al is het maar een paar uur per week.",
            "Ik wil weten waar ik recht op heb.",
        ],
        _ => &[
            "Ik wil minder alleen zijn.",
            "Ik wil weer een doel hebben voor de dag.",
        ],
    }
}

/// (performer, description, performer name; a professional's is the lead's)
fn actions_for(domain: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match domain {
        "wmo" => &[
            ("professional", "Aanvraag douchestoel en beugels indienen", ""),
            ("netwerk", "Wekelijks samen boodschappen doen", "Buurvrouw Els"),
            (
                "lidorganisatie",
                "Respijtzorg regelen voor één dag per week",
                "Steunpunt Mantelzorg",
            ),
            (
                "inwoner",
                "Boodschappenlijstje klaarleggen voor de bezorgdienst",
                "",
            ),
            ("professional", "Huishoudelijke hulp aanvragen", ""),
        ],
        "jeugd" => &[
            (
                "lidorganisatie",
                "Opvoedondersteuning aan huis, tien gesprekken",
                "Jeugdhulp Utrecht-Oost",
            ),
            ("inwoner", "Elke avond samen eten zonder telefoon", ""),
            (
                "professional",
                "Met de jeugdarts overleggen over een verwijzing",
                "",
            ),
            (
                "netwerk",
                "Opa haalt de kinderen op woensdag uit school",
                "Opa Henk",
            ),
        ],
        "leerplicht" => &[
            (
                "lidorganisatie",
                "Gesprek met leerplichtambtenaar en mentor",
                "Bureau Leerplicht",
            ),
            ("inwoner", "Elke ochtend om zeven uur opstaan", ""),
            ("netwerk", "De mentor belt wekelijks met de ouders", "Mentor"),
        ],
        "participatie" => &[
            (
                "lidorganisatie",
                "Kennismaken bij de vrijwilligerscentrale",
                "Welzijn Woudenberg",
            ),
            ("netwerk", "Maatje gaat wekelijks mee wandelen", "Maatje Ria"),
            ("inwoner", "Zelf naar de inloop in het wijkcentrum gaan", ""),
        ],
        "wonen" => &[
            (
                "professional",
                "Aanvraag traplift voorbereiden met de ergotherapeut",
                "",
            ),
            (
                "lidorganisatie",
                "Woningaanpassing bespreken met de corporatie",
                "Woningcorporatie Woudenberg",
            ),
            (
                "netwerk",
                "Zoon helpt met het opruimen van de zolder",
                "Zoon Mark",
            ),
        ],
        "schulden" => &[
            (
                "lidorganisatie",
                "Aanmelden bij de schuldhulpverlening",
                "Schuldhulp Woudenberg",
            ),
            ("inwoner", "Elke week de post openen en in het mapje doen", ""),
            ("netwerk", "Dochter helpt met het budgetplan", "Dochter Sanne"),
            (
                "professional",
                "Betalingsregeling met de verhuurder afspreken",
                "",
            ),
        ],
        "werk_inkomen" => &[
            ("professional", "Samen de uitkeringsaanvraag invullen", ""),
            (
                "lidorganisatie",
                "Traject bij het werkgeversservicepunt",
                "Werkgeversservicepunt",
            ),
            ("inwoner", "Cv bijwerken en twee vacatures uitzoeken", ""),
        ],
        _ => &[
            ("lidorganisatie", "Aanmelden bij het maatjesproject", "Humanitas"),
            ("netwerk", "Buurman komt op zondag koffie drinken", "Buurman Kees"),
            ("inwoner", "Naar de koffieochtend in de kerk gaan", ""),
        ],
    }
}

/// (relation, role, organisation; a person gets a made-up name when there is none)
const CONTACTS: &[(&str, &str, &str)] = &[
    ("partner", "Partner", ""),
    ("familie", "Dochter", ""),
    ("familie", "Zoon", ""),
    ("familie", "Zus", ""),
    ("buur", "Buurvrouw", ""),
    ("buur", "Buurman", ""),
    ("maatje", "Maatje via Welzijn Woudenberg", ""),
    ("vriend", "Vriendin", ""),
    ("huisarts", "Huisarts", "Huisartsenpraktijk De Linde"),
    (
        "huisarts",
        "Praktijkondersteuner",
        "Huisartsenpraktijk Woudenberg",
    ),
    ("lidorganisatie", "Consulent", "Schuldhulp Woudenberg"),
    ("lidorganisatie", "Ouderenadviseur", "Welzijn Woudenberg"),
    ("school", "Mentor", "Christelijk College Woudenberg"),
    ("school", "Intern begeleider", "Basisschool De Wegwijzer"),
    ("wijkverpleging", "Wijkverpleegkundige", "Buurtzorg Woudenberg"),
    ("anders", "Bewindvoerder", "Bewindvoering Utrecht"),
];

const TASKS: &[&str] = &[
    "Terugbellen over de aanvraag",
    "Verslag keukentafelgesprek uitwerken",
    "Evaluatiegesprek plannen",
    "Formulier bijzondere bijstand nalopen",
    "Overleg met de huisarts inplannen",
    "Aanvraag huishoudelijke hulp indienen",
    "Contact opnemen met school",
    "Plan ter ondertekening sturen",
];

const TASK_OUTCOMES: &[&str] = &["Gedaan.", "Afspraak staat.", "Inwoner bereikt, alles loopt."];

fn closing_reason(result: &str) -> &'static str {
    match result {
        "doel_bereikt" => "Doelen behaald; inwoner redt het weer zelf.",
        "verhuisd" => "Inwoner is verhuisd naar een andere gemeente; warme overdracht gedaan.",
        "overleden" => "Inwoner is overleden.",
        "elders_geholpen" => "Inwoner wordt verder geholpen door een lidorganisatie.",
        "gestopt_op_verzoek" => "Inwoner wil geen ondersteuning meer.",
        _ => "Afgesloten na overleg in het team.",
    }
}

fn result_note(result: &str) -> &'static str {
    match result {
        "behaald" => "Lukt weer zelfstandig.",
        "deels_behaald" => "Gaat beter, maar nog niet elke week.",
        _ => "Inwoner wilde hier uiteindelijk niet mee verder.",
    }
}

struct Staff {
    id: Uuid,
    name: String,
    manager: bool,
}

struct Case {
    id: Uuid,
    resident_id: Option<Uuid>,
    urgency: String,
    created_at: OffsetDateTime,
    received_on: Date,
    wmo_deadline: Option<Date>,
    jeugd_deadline: Option<Date>,
    domain: String,
}

/// Gives the cases the intake sample opened, and nobody has touched since, a history up to
/// `today`: `journal_per_case` journal entries per case on average. Leads are the tenant's
/// professionals and process managers; without any, the cases stay registered. `progress` is
/// told how many cases and journal entries are done.
pub async fn generate(
    tx: &mut TenantTx,
    seed: u64,
    journal_per_case: usize,
    today: Date,
    mut progress: impl FnMut(usize, usize),
) -> sqlx::Result<()> {
    let staff = sqlx::query_as!(
        Staff,
        r#"SELECT id, name, 'process_manager' = ANY (roles) AS "manager!" FROM users
           WHERE tenant_id = $1 AND active AND roles && ARRAY['professional', 'process_manager']
           ORDER BY email"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let cases = sqlx::query_as!(
        Case,
        r#"SELECT c.id, c.resident_id, c.urgency, c.created_at,
                  (q.received_at AT TIME ZONE 'Europe/Amsterdam')::date AS "received_on!",
                  q.wmo_deadline, q.jeugd_deadline, q.domains[1] AS "domain!"
           FROM cases c JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
           WHERE c.tenant_id = $1 AND c.status = 'aangemeld' AND c.lead_id IS NULL
             AND NOT EXISTS (SELECT FROM case_events e WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id)
             AND NOT EXISTS (SELECT FROM journal_entries j WHERE j.tenant_id = c.tenant_id AND j.case_id = c.id)
           ORDER BY c.created_at, c.id"#,
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    // A resident whose network was mapped before (another case, an earlier run) keeps it.
    let mapped = sqlx::query_scalar!(
        "SELECT DISTINCT resident_id FROM network_contacts WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let now = sqlx::query_scalar!(r#"SELECT now() AS "now!""#)
        .fetch_one(&mut **tx)
        .await?;
    let mut planner = Planner {
        sampler: Sampler::new(seed),
        staff,
        now,
        today,
        residents_mapped: mapped.into_iter().collect(),
        journals: Vec::with_capacity(cases.len()),
    };
    let mut done = 0;
    for chunk in cases.chunks(CASE_BATCH) {
        let mut batch = Batch::default();
        for case in chunk {
            planner.plan(case, &mut batch);
        }
        batch.insert(tx).await?;
        done += chunk.len();
        progress(done, 0);
    }

    let templates = JournalTemplates::new();
    let journals = std::mem::take(&mut planner.journals);
    let counts = journal_counts(&journals, journal_per_case * cases.len());
    let mut written = 0;
    let mut start = 0;
    while start < journals.len() {
        let mut end = start;
        let mut entries = 0;
        while end < journals.len() && (entries < JOURNAL_BATCH || end == start) {
            entries += counts[end];
            end += 1;
        }
        let mut batch = JournalBatch::default();
        for (spec, &count) in journals[start..end].iter().zip(&counts[start..end]) {
            let correction = count >= 4 && planner.percent(4);
            batch.push(spec, count - usize::from(correction));
            if correction {
                let back = planner.below(count.min(6) - 1);
                // A day or a few later, around the same time of day.
                let hours = 24 * planner.between(1, 3) + planner.between(-1, 1);
                let body = *planner.sampler.pick(CORRECTIONS);
                batch.push_correction(spec, back, hours, body);
            }
        }
        batch.insert(tx, &templates).await?;
        written += entries;
        start = end;
        progress(done, written);
    }
    Ok(())
}

/// The choices for one case at a time; rows go into a [`Batch`], journal entries are only
/// specified here and written once every case's share is known.
struct Planner {
    sampler: Sampler,
    staff: Vec<Staff>,
    now: OffsetDateTime,
    today: Date,
    residents_mapped: HashSet<Uuid>,
    journals: Vec<JournalSpec>,
}

struct JournalSpec {
    case_id: Uuid,
    weight: f64,
    first_at: OffsetDateTime,
    last_at: OffsetDateTime,
    author: Uuid,
    /// The lead before a handover, who wrote the entries before it.
    earlier: Option<(Uuid, OffsetDateTime)>,
    /// Draws the entries' kinds, texts and moments.
    seed: i64,
    /// Where the templates about the request's domain are in [`JournalTemplates`].
    topic: (i32, i32),
}

/// A statutory clock as started, before what happened to the case settles it.
struct Clock {
    kind: &'static str,
    started_on: Date,
    statutory_due_on: Date,
    /// (paused on, resumed on, reason)
    pause: Option<(Date, Date, &'static str)>,
    /// The reason for two more weeks.
    extension: Option<&'static str>,
}

impl Clock {
    /// The due date, with `paused` added and the extension if there is one.
    fn due_after(&self, paused: Duration) -> Date {
        let extended = Duration::weeks(if self.extension.is_some() { 2 } else { 0 });
        self.statutory_due_on + paused + extended
    }

    /// The due date once the pause, if any, is over.
    fn due_on(&self) -> Date {
        self.due_after(self.pause.map_or(Duration::ZERO, |(from, to, _)| to - from))
    }
}

impl Planner {
    fn below(&mut self, n: usize) -> usize {
        self.sampler.below(n)
    }

    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.sampler.below((high - low + 1) as usize) as i64
    }

    fn percent(&mut self, percent: usize) -> bool {
        self.sampler.below(100) < percent
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.sampler.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A moment during office hours on `date` (07:00–15:30 UTC, so 08:00–17:30 in Amsterdam).
    fn office_time(&mut self, date: Date) -> OffsetDateTime {
        date.midnight().assume_utc() + Duration::minutes(self.between(7 * 60, 15 * 60 + 30))
    }

    /// A moment during office hours, `low` to `high` days after `day`.
    fn office_time_after(&mut self, day: Date, low: i64, high: i64) -> OffsetDateTime {
        let days = self.between(low, high);
        self.office_time(day + Duration::days(days))
    }

    /// A moment between `from` and `to`, during office hours unless on their edges.
    fn moment(&mut self, from: OffsetDateTime, to: OffsetDateTime) -> OffsetDateTime {
        let days = (to.date() - from.date()).whole_days().max(0);
        let day = from.date() + Duration::days(self.between(0, days));
        self.office_time(day).max(from).min(to)
    }

    fn staff_other_than(&mut self, id: Uuid) -> Option<Uuid> {
        let others: Vec<Uuid> = self.staff.iter().map(|s| s.id).filter(|&s| s != id).collect();
        (!others.is_empty()).then(|| others[self.sampler.below(others.len())])
    }

    fn manager(&mut self) -> Option<Uuid> {
        let managers: Vec<Uuid> = self.staff.iter().filter(|s| s.manager).map(|s| s.id).collect();
        (!managers.is_empty()).then(|| managers[self.sampler.below(managers.len())])
    }

    fn clock(&mut self, kind: &'static str, started_on: Date, statutory_due_on: Date) -> Clock {
        let pause = if self.percent(5) {
            let from = started_on + Duration::days(self.between(3, 20));
            let to = from + Duration::days(self.between(7, 28));
            Some((from, to, *self.sampler.pick(PAUSE_REASONS)))
        } else {
            None
        };
        let extension = (pause.is_none() && self.percent(5)).then(|| *self.sampler.pick(EXTENSION_REASONS));
        Clock {
            kind,
            started_on,
            statutory_due_on,
            pause,
            extension,
        }
    }

    fn plan(&mut self, case: &Case, batch: &mut Batch) {
        let now = self.now;
        let crisis = case.urgency == "crisis";
        let clocks: Vec<Clock> = [
            ("wmo_investigation", case.wmo_deadline),
            ("jeugd_decision", case.jeugd_deadline),
        ]
        .into_iter()
        .filter_map(|(kind, due)| due.map(|due| self.clock(kind, case.received_on, due)))
        .collect();

        // The case's course: assigned after a wait, the plan agreed around the statutory due
        // date (mostly in time), carried out for months, evaluated and closed; some close early.
        let wait = match case.urgency.as_str() {
            "crisis" => 0,
            "urgent" => self.between(0, 2),
            // The waiting list.
            _ if self.percent(15) => self.between(14, 45),
            _ => self.between(1, 12),
        };
        let soonest = case.created_at + Duration::minutes(self.between(20, 180));
        let assigned = if crisis {
            soonest
        } else {
            self.office_time(case.created_at.date() + Duration::days(wait))
                .max(soonest)
        };
        let mut planned = match clocks.iter().map(Clock::due_on).min() {
            Some(due) => {
                let offset = if self.percent(85) {
                    -self.between(0, 21)
                } else {
                    self.between(1, 21)
                };
                self.office_time(due + Duration::days(offset))
            }
            None => self.office_time_after(assigned.date(), 14, 56),
        };
        planned = planned.max(assigned + Duration::days(7));
        if let Some(resumed) = clocks.iter().filter_map(|c| c.pause.map(|p| p.1)).max() {
            planned = planned.max(self.office_time(resumed + Duration::days(1)));
        }
        let executing = self.office_time_after(planned.date(), 1, 14);
        let evaluating = self.office_time_after(executing.date(), 60, 240);
        let closing = self.office_time_after(evaluating.date(), 5, 40);
        let course = self.below(100);
        let mut steps = vec![(Status::Assessing, assigned)];
        let result = if course < 7 {
            steps.push((Status::Closed, self.moment(assigned + Duration::days(1), planned)));
            *self
                .sampler
                .pick(&["elders_geholpen", "gestopt_op_verzoek", "verhuisd", "anders"])
        } else if course < 15 {
            steps.push((Status::Planned, planned));
            steps.push((Status::Executing, executing));
            steps.push((
                Status::Closed,
                self.moment(executing + Duration::days(1), evaluating),
            ));
            *self
                .sampler
                .pick(&["verhuisd", "overleden", "gestopt_op_verzoek", "elders_geholpen"])
        } else {
            steps.push((Status::Planned, planned));
            steps.push((Status::Executing, executing));
            steps.push((Status::Evaluating, evaluating));
            steps.push((Status::Closed, closing));
            if self.percent(85) {
                "doel_bereikt"
            } else {
                *self
                    .sampler
                    .pick(&["elders_geholpen", "gestopt_op_verzoek", "anders"])
            }
        };
        steps.retain(|&(_, at)| at <= now);

        let Some(&(status, last_step)) = steps.last().filter(|_| !self.staff.is_empty()) else {
            self.plan_registered(case, clocks, batch);
            return;
        };
        let reached = |wanted: Status| steps.iter().any(|&(s, _)| s == wanted);
        let closed_at = (status == Status::Closed).then_some(last_step);
        let end = closed_at.unwrap_or(now);

        // Leads: one, sometimes after a handover from another.
        let first_index = self.below(self.staff.len());
        let first = self.staff[first_index].id;
        let handover = if self.percent(6)
            && let Some(next) = self.staff_other_than(first)
        {
            let at = self.moment(
                assigned + (end - assigned) * 0.3,
                assigned + (end - assigned) * 0.7,
            );
            Some((at, next))
        } else {
            None
        };
        let lead = handover.map_or(first, |(_, next)| next);
        let assigner = self.manager().unwrap_or(first);
        let actor_at = |at: OffsetDateTime| match handover {
            Some((handed_over, next)) if at >= handed_over => next,
            _ => first,
        };
        match handover {
            Some((at, next)) => {
                let note = *self.sampler.pick(HANDOVER_NOTES);
                batch
                    .leads
                    .push(case.id, first, assigner, assigned, Some(at), note);
                batch.leads.push(case.id, next, assigner, at, None, "");
            }
            None => batch.leads.push(case.id, first, assigner, assigned, None, ""),
        }

        let mut from = Status::Registered;
        for &(to, at) in &steps {
            let actor = if to == Status::Assessing {
                assigner
            } else {
                actor_at(at)
            };
            let reason = if to == Status::Closed {
                closing_reason(result)
            } else {
                ""
            };
            batch
                .events
                .push(case.id, ("status", from.code(), to.code()), reason, actor, at);
            from = to;
        }

        let mut escalation = "normaal";
        let mut coordinator = None;
        if self.percent(if crisis { 35 } else { 6 }) {
            let at = self.moment(assigned, assigned + (end - assigned) * 0.6);
            let safety = self.percent(if crisis { 50 } else { 20 });
            match self.manager().filter(|_| safety) {
                Some(manager) => {
                    escalation = "zorg_en_veiligheid";
                    coordinator = Some(manager);
                    let reason = *self.sampler.pick(SAFETY_REASONS);
                    batch.events.push(
                        case.id,
                        ("escalation", "normaal", escalation),
                        reason,
                        manager,
                        at,
                    );
                }
                None => {
                    escalation = "opgeschaald";
                    let reason = *self.sampler.pick(ESCALATION_REASONS);
                    let change = ("escalation", "normaal", escalation);
                    batch.events.push(case.id, change, reason, actor_at(at), at);
                }
            }
        }

        let confidentiality = match self.below(100) {
            0..8 => "vertrouwelijk",
            8..10 => "zeer_vertrouwelijk",
            _ => "normaal",
        };
        if confidentiality != "normaal" {
            let at = self.moment(assigned, (assigned + Duration::days(14)).min(end));
            let reason = *self.sampler.pick(CONFIDENTIALITY_REASONS);
            let change = ("confidentiality", "normaal", confidentiality);
            batch.events.push(case.id, change, reason, actor_at(at), at);
            // Only the lead and the professionals named on the case may open it.
            if confidentiality == "zeer_vertrouwelijk"
                && let Some(member) = self.staff_other_than(lead)
            {
                batch.members.push(case.id, member, actor_at(at), at);
            }
        }

        batch.cases.push(
            case.id,
            status,
            Some(lead),
            (escalation, coordinator),
            confidentiality,
            closed_at.map(|at| (result, at)),
        );

        // The investigation's clocks stop when the plan is agreed, or when the case closes first.
        let stopped = if reached(Status::Planned) {
            Some(planned.date())
        } else {
            closed_at.map(|at| at.date())
        };
        for clock in clocks {
            self.settle_clock(case.id, clock, stopped, batch);
        }

        // The kitchen-table conversation, a few days after assignment and before the plan.
        let talk_at = if crisis {
            assigned + Duration::hours(self.between(2, 48))
        } else {
            self.office_time_after(assigned.date(), 2, 12)
        }
        .min(planned - Duration::days(1));
        if closed_at.is_none_or(|closed| talk_at <= closed) {
            let created = (assigned + Duration::minutes(self.between(10, 120))).min(talk_at);
            let recorded = (talk_at <= now).then(|| {
                let written = self.moment(talk_at, talk_at + Duration::days(2));
                written.min(end).max(talk_at)
            });
            self.plan_conversation(
                case,
                talk_at,
                recorded,
                actor_at,
                (actor_at(created), created),
                batch,
            );
        }

        if reached(Status::Planned) {
            let (version, agreed) =
                if reached(Status::Executing) && executing + Duration::days(45) < end && self.percent(15) {
                    (2, self.moment(executing + Duration::days(45), end))
                } else {
                    (1, planned)
                };
            let evaluation_on = agreed.date() + Duration::days(if self.percent(50) { 91 } else { 182 });
            let outcome = match status {
                Status::Closed => Some(result),
                Status::Evaluating => Some("evaluatie"),
                _ => None,
            };
            self.plan_support(
                case,
                (version, Some(agreed.date()), Some(evaluation_on)),
                (actor_at(agreed), agreed),
                outcome,
                batch,
            );
        } else if status == Status::Assessing && self.percent(30) {
            let drafted = self.moment(assigned, now);
            self.plan_support(case, (0, None, None), (actor_at(drafted), drafted), None, batch);
        }

        if let Some(resident) = case.resident_id
            && self.residents_mapped.insert(resident)
        {
            for _ in 0..1 + self.below(4) {
                let at = self.moment(assigned, (assigned + Duration::days(10)).min(end));
                self.plan_contact(resident, actor_at(at), at, end, batch);
            }
        }

        if status < Status::Closed {
            for _ in 0..self.below(4) {
                self.plan_task(case.id, lead, assigned, batch);
            }
        }

        // Some open cases have gone quiet: nothing written for over a month.
        let mut last_at = end;
        if status < Status::Closed && self.percent(12) {
            let quiet = self.office_time_after(self.today, -90, -31);
            if quiet > assigned + Duration::days(7) {
                last_at = quiet;
            }
        }
        let weight = status.journal_factor()
            * ((last_at - case.created_at).as_seconds_f64() / 86_400.0 + 30.0)
            * (0.6 + 0.8 * self.unit());
        self.journals.push(JournalSpec {
            case_id: case.id,
            weight,
            first_at: case.created_at,
            last_at,
            author: lead,
            earlier: handover.map(|(at, _)| (first, at)),
            seed: self.sampler.next_u64() as i64,
            topic: JournalTemplates::topic(&case.domain),
        });
    }

    /// A case still waiting for a lead: its clocks run, and someone may have noted something.
    fn plan_registered(&mut self, case: &Case, clocks: Vec<Clock>, batch: &mut Batch) {
        batch.cases.push(
            case.id,
            Status::Registered,
            None,
            ("normaal", None),
            "normaal",
            None,
        );
        for clock in clocks {
            self.settle_clock(case.id, clock, None, batch);
        }
        if !self.staff.is_empty() && case.created_at < self.now {
            let index = self.below(self.staff.len());
            let author = self.staff[index].id;
            let weight = Status::Registered.journal_factor()
                * ((self.now - case.created_at).as_seconds_f64() / 86_400.0 + 30.0)
                * (0.6 + 0.8 * self.unit());
            self.journals.push(JournalSpec {
                case_id: case.id,
                weight,
                first_at: case.created_at,
                last_at: self.now,
                author,
                earlier: None,
                seed: self.sampler.next_u64() as i64,
                topic: JournalTemplates::topic(&case.domain),
            });
        }
    }

    /// Writes a clock as it stands once it `stopped` (or today, while it runs): a pause that had
    /// not begun by then never happened; one still going then ends with the clock, or is still on.
    fn settle_clock(&mut self, case_id: Uuid, clock: Clock, stopped: Option<Date>, batch: &mut Batch) {
        let horizon = stopped.unwrap_or(self.today);
        let pause = clock.pause.filter(|&(from, _, _)| from < horizon);
        let resumed = pause.and_then(|(_, to, _)| if to <= horizon { Some(to) } else { stopped });
        let paused = match (pause, resumed) {
            (Some((from, _, _)), Some(to)) => to - from,
            _ => Duration::ZERO,
        };
        let due_on = clock.due_after(paused);
        let pause = pause.map(|(from, _, reason)| (from, reason));
        batch
            .clocks
            .push(case_id, &clock, pause, due_on, resumed, stopped);
    }

    fn plan_conversation(
        &mut self,
        case: &Case,
        planned_at: OffsetDateTime,
        recorded: Option<OffsetDateTime>,
        actor_at: impl Fn(OffsetDateTime) -> Uuid,
        (created_by, created_at): (Uuid, OffsetDateTime),
        batch: &mut Batch,
    ) {
        let rows = &mut batch.conversations;
        rows.case_id.push(case.id);
        rows.planned_at.push(planned_at);
        rows.place.push((*self.sampler.pick(PLACES)).to_owned());
        rows.participants
            .push((*self.sampler.pick(PARTICIPANTS)).to_owned());
        rows.report_on.push(recorded.map(|_| planned_at.date()));
        let youth = matches!(case.domain.as_str(), "jeugd" | "leerplicht");
        let mut text = |options: &[&str], applies: bool| {
            if recorded.is_some() && applies {
                (*self.sampler.pick(options)).to_owned()
            } else {
                String::new()
            }
        };
        rows.housing.push(text(HOUSING, true));
        rows.finances.push(text(FINANCES, true));
        rows.health.push(text(HEALTH, true));
        rows.social_network.push(text(SOCIAL_NETWORK, true));
        rows.daytime.push(text(DAYTIME, true));
        rows.parenting.push(text(PARENTING, youth));
        rows.safety.push(text(SAFETY, true));
        rows.wishes.push(text(WISHES, true));
        rows.recorded_by.push(recorded.map(&actor_at));
        rows.recorded_at.push(recorded);
        rows.created_by.push(created_by);
        rows.created_at.push(created_at);
    }

    /// A support plan with its goals and actions. `outcome` is the closing result of a closed
    /// case or "evaluatie" while it is being evaluated: then goals have results.
    fn plan_support(
        &mut self,
        case: &Case,
        (version, agreed_on, evaluation_on): (i32, Option<Date>, Option<Date>),
        (updated_by, updated_at): (Uuid, OffsetDateTime),
        outcome: Option<&str>,
        batch: &mut Batch,
    ) {
        let plan_id = Uuid::new_v4();
        batch.plans.push(
            plan_id,
            case.id,
            (version, agreed_on, evaluation_on),
            (updated_by, updated_at),
        );
        let lead_name = self
            .staff
            .iter()
            .find(|s| s.id == updated_by)
            .map_or("", |s| s.name.as_str())
            .to_owned();
        let goals = goals_for(&case.domain);
        let actions = actions_for(&case.domain);
        let first = self.below(goals.len());
        for position in 0..(1 + self.below(3)).min(goals.len()) {
            let goal_id = Uuid::new_v4();
            let result = match outcome {
                None => None,
                Some("doel_bereikt") if self.percent(80) => Some("behaald"),
                Some("doel_bereikt") => Some("deels_behaald"),
                // Halfway through the evaluation: some goals are discussed, others not yet.
                Some("evaluatie") if self.percent(50) => None,
                Some("evaluatie") => match self.below(10) {
                    0..6 => Some("behaald"),
                    6..9 => Some("deels_behaald"),
                    _ => Some("niet_behaald"),
                },
                Some(_) => match self.below(10) {
                    0..2 => Some("behaald"),
                    2..5 => Some("deels_behaald"),
                    _ => Some("niet_behaald"),
                },
            };
            let description = goals[(first + position) % goals.len()];
            batch
                .goals
                .push(goal_id, plan_id, position as i32 + 1, description, result);
            let first_action = self.below(actions.len());
            for offset in 0..1 + self.below(2) {
                let (performer, description, name) = actions[(first_action + offset) % actions.len()];
                let name = if performer == "professional" {
                    lead_name.as_str()
                } else {
                    name
                };
                let target_on = agreed_on.map(|agreed| agreed + Duration::days(self.between(14, 120)));
                batch
                    .actions
                    .push(goal_id, description, performer, name, target_on);
            }
        }
    }

    fn plan_contact(
        &mut self,
        resident: Uuid,
        created_by: Uuid,
        created_at: OffsetDateTime,
        end: OffsetDateTime,
        batch: &mut Batch,
    ) {
        let (relation, role, organisation) = *self.sampler.pick(CONTACTS);
        let name = if organisation.is_empty() {
            let (prefix, surname) = *self.sampler.pick(SURNAMES);
            let first = *self.sampler.pick(FIRST_NAMES);
            [first, prefix, surname]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            organisation.to_owned()
        };
        let phone = if organisation.is_empty() {
            format!("06{:08}", self.sampler.next_u64() % 100_000_000)
        } else {
            format!("033-{:07}", self.sampler.next_u64() % 10_000_000)
        };
        let email = if organisation.is_empty() {
            String::new()
        } else {
            let domain: String = organisation
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_lowercase();
            format!("info@{domain}.example")
        };
        let removed_at = self.percent(5).then(|| self.moment(created_at, end));
        let rows = &mut batch.contacts;
        rows.resident_id.push(resident);
        rows.name.push(name);
        rows.role.push(role.to_owned());
        rows.phone.push(phone);
        rows.email.push(email);
        rows.relation.push(relation.to_owned());
        rows.created_by.push(created_by);
        rows.created_at.push(created_at);
        rows.removed_at.push(removed_at);
    }

    /// A task of the lead's, due around today: most past ones done, some overdue.
    fn plan_task(&mut self, case_id: Uuid, lead: Uuid, assigned: OffsetDateTime, batch: &mut Batch) {
        let due_on =
            (self.today + Duration::days(self.between(-25, 30))).max(assigned.date() + Duration::days(1));
        let due_at = self.office_time(due_on);
        let created_at = (due_at - Duration::days(self.between(3, 30)))
            .min(self.now)
            .max(assigned);
        let done = if due_on < self.today {
            self.percent(60)
        } else {
            self.percent(10)
        };
        let done_at = done.then(|| {
            (due_at - Duration::days(self.between(0, 3)))
                .min(self.now)
                .max(created_at)
        });
        let rows = &mut batch.tasks;
        rows.case_id.push(case_id);
        rows.title.push((*self.sampler.pick(TASKS)).to_owned());
        rows.assignee_id.push(lead);
        rows.due_on.push(due_on);
        rows.done_by.push(done_at.map(|_| lead));
        rows.outcome.push(if done {
            (*self.sampler.pick(TASK_OUTCOMES)).to_owned()
        } else {
            String::new()
        });
        rows.done_at.push(done_at);
        rows.created_at.push(created_at);
    }
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

/// The rows of one batch of cases, column by column, for `unnest`.
#[derive(Default)]
struct Batch {
    cases: CaseColumns,
    leads: LeadColumns,
    events: EventColumns,
    members: MemberColumns,
    clocks: ClockColumns,
    conversations: ConversationColumns,
    plans: PlanColumns,
    goals: GoalColumns,
    actions: ActionColumns,
    contacts: ContactColumns,
    tasks: TaskColumns,
}

#[derive(Default)]
struct CaseColumns {
    id: Vec<Uuid>,
    status: Vec<String>,
    lead_id: Vec<Option<Uuid>>,
    coordinator_id: Vec<Option<Uuid>>,
    escalation: Vec<String>,
    confidentiality: Vec<String>,
    closing_result: Vec<Option<String>>,
    closed_at: Vec<Option<OffsetDateTime>>,
}

impl CaseColumns {
    /// A case's escalation comes with its coordinator; a closed one with its result and time.
    fn push(
        &mut self,
        id: Uuid,
        status: Status,
        lead: Option<Uuid>,
        (escalation, coordinator): (&str, Option<Uuid>),
        confidentiality: &str,
        closed: Option<(&str, OffsetDateTime)>,
    ) {
        self.id.push(id);
        self.status.push(status.code().to_owned());
        self.lead_id.push(lead);
        self.coordinator_id.push(coordinator);
        self.escalation.push(escalation.to_owned());
        self.confidentiality.push(confidentiality.to_owned());
        self.closing_result
            .push(closed.map(|(result, _)| result.to_owned()));
        self.closed_at.push(closed.map(|(_, at)| at));
    }
}

#[derive(Default)]
struct LeadColumns {
    case_id: Vec<Uuid>,
    user_id: Vec<Uuid>,
    assigned_by: Vec<Uuid>,
    started_at: Vec<OffsetDateTime>,
    ended_at: Vec<Option<OffsetDateTime>>,
    handover_note: Vec<String>,
}

impl LeadColumns {
    fn push(
        &mut self,
        case_id: Uuid,
        user_id: Uuid,
        assigned_by: Uuid,
        started_at: OffsetDateTime,
        ended_at: Option<OffsetDateTime>,
        handover_note: &str,
    ) {
        self.case_id.push(case_id);
        self.user_id.push(user_id);
        self.assigned_by.push(assigned_by);
        self.started_at.push(started_at);
        self.ended_at.push(ended_at);
        self.handover_note.push(handover_note.to_owned());
    }
}

#[derive(Default)]
struct EventColumns {
    case_id: Vec<Uuid>,
    kind: Vec<String>,
    from_value: Vec<String>,
    to_value: Vec<String>,
    reason: Vec<String>,
    actor_id: Vec<Uuid>,
    occurred_at: Vec<OffsetDateTime>,
}

impl EventColumns {
    /// `change` is (kind, from, to).
    fn push(
        &mut self,
        case_id: Uuid,
        change: (&str, &str, &str),
        reason: &str,
        actor: Uuid,
        at: OffsetDateTime,
    ) {
        let (kind, from, to) = change;
        self.case_id.push(case_id);
        self.kind.push(kind.to_owned());
        self.from_value.push(from.to_owned());
        self.to_value.push(to.to_owned());
        self.reason.push(reason.to_owned());
        self.actor_id.push(actor);
        self.occurred_at.push(at);
    }
}

#[derive(Default)]
struct MemberColumns {
    case_id: Vec<Uuid>,
    user_id: Vec<Uuid>,
    added_by: Vec<Uuid>,
    added_at: Vec<OffsetDateTime>,
}

impl MemberColumns {
    fn push(&mut self, case_id: Uuid, user_id: Uuid, added_by: Uuid, added_at: OffsetDateTime) {
        self.case_id.push(case_id);
        self.user_id.push(user_id);
        self.added_by.push(added_by);
        self.added_at.push(added_at);
    }
}

#[derive(Default)]
struct ClockColumns {
    case_id: Vec<Uuid>,
    kind: Vec<String>,
    started_on: Vec<Date>,
    statutory_due_on: Vec<Date>,
    due_on: Vec<Date>,
    paused_on: Vec<Option<Date>>,
    pause_reason: Vec<Option<String>>,
    resumed_on: Vec<Option<Date>>,
    extended_weeks: Vec<i32>,
    extension_reason: Vec<Option<String>>,
    completed_on: Vec<Option<Date>>,
}

impl ClockColumns {
    /// `pause` is (paused on, reason).
    fn push(
        &mut self,
        case_id: Uuid,
        clock: &Clock,
        pause: Option<(Date, &str)>,
        due_on: Date,
        resumed_on: Option<Date>,
        completed_on: Option<Date>,
    ) {
        self.case_id.push(case_id);
        self.kind.push(clock.kind.to_owned());
        self.started_on.push(clock.started_on);
        self.statutory_due_on.push(clock.statutory_due_on);
        self.due_on.push(due_on);
        self.paused_on.push(pause.map(|(from, _)| from));
        self.pause_reason.push(pause.map(|(_, reason)| reason.to_owned()));
        self.resumed_on.push(resumed_on);
        self.extended_weeks
            .push(if clock.extension.is_some() { 2 } else { 0 });
        self.extension_reason.push(clock.extension.map(str::to_owned));
        self.completed_on.push(completed_on);
    }
}

#[derive(Default)]
struct ConversationColumns {
    case_id: Vec<Uuid>,
    planned_at: Vec<OffsetDateTime>,
    place: Vec<String>,
    participants: Vec<String>,
    report_on: Vec<Option<Date>>,
    housing: Vec<String>,
    finances: Vec<String>,
    health: Vec<String>,
    social_network: Vec<String>,
    daytime: Vec<String>,
    parenting: Vec<String>,
    safety: Vec<String>,
    wishes: Vec<String>,
    recorded_by: Vec<Option<Uuid>>,
    recorded_at: Vec<Option<OffsetDateTime>>,
    created_by: Vec<Uuid>,
    created_at: Vec<OffsetDateTime>,
}

#[derive(Default)]
struct PlanColumns {
    id: Vec<Uuid>,
    case_id: Vec<Uuid>,
    version: Vec<i32>,
    agreed_on: Vec<Option<Date>>,
    evaluation_on: Vec<Option<Date>>,
    updated_by: Vec<Uuid>,
    updated_at: Vec<OffsetDateTime>,
}

impl PlanColumns {
    fn push(
        &mut self,
        id: Uuid,
        case_id: Uuid,
        (version, agreed_on, evaluation_on): (i32, Option<Date>, Option<Date>),
        (updated_by, updated_at): (Uuid, OffsetDateTime),
    ) {
        self.id.push(id);
        self.case_id.push(case_id);
        self.version.push(version);
        self.agreed_on.push(agreed_on);
        self.evaluation_on.push(evaluation_on);
        self.updated_by.push(updated_by);
        self.updated_at.push(updated_at);
    }
}

#[derive(Default)]
struct GoalColumns {
    id: Vec<Uuid>,
    plan_id: Vec<Uuid>,
    position: Vec<i32>,
    description: Vec<String>,
    result: Vec<Option<String>>,
    result_note: Vec<String>,
}

impl GoalColumns {
    fn push(&mut self, id: Uuid, plan_id: Uuid, position: i32, description: &str, result: Option<&str>) {
        self.id.push(id);
        self.plan_id.push(plan_id);
        self.position.push(position);
        self.description.push(description.to_owned());
        self.result.push(result.map(str::to_owned));
        self.result_note.push(result.map_or("", result_note).to_owned());
    }
}

#[derive(Default)]
struct ActionColumns {
    goal_id: Vec<Uuid>,
    description: Vec<String>,
    performer: Vec<String>,
    performer_name: Vec<String>,
    target_on: Vec<Option<Date>>,
}

impl ActionColumns {
    fn push(
        &mut self,
        goal_id: Uuid,
        description: &str,
        performer: &str,
        performer_name: &str,
        target_on: Option<Date>,
    ) {
        self.goal_id.push(goal_id);
        self.description.push(description.to_owned());
        self.performer.push(performer.to_owned());
        self.performer_name.push(performer_name.to_owned());
        self.target_on.push(target_on);
    }
}

#[derive(Default)]
struct ContactColumns {
    resident_id: Vec<Uuid>,
    name: Vec<String>,
    role: Vec<String>,
    phone: Vec<String>,
    email: Vec<String>,
    relation: Vec<String>,
    created_by: Vec<Uuid>,
    created_at: Vec<OffsetDateTime>,
    removed_at: Vec<Option<OffsetDateTime>>,
}

#[derive(Default)]
struct TaskColumns {
    case_id: Vec<Uuid>,
    title: Vec<String>,
    assignee_id: Vec<Uuid>,
    due_on: Vec<Date>,
    done_at: Vec<Option<OffsetDateTime>>,
    done_by: Vec<Option<Uuid>>,
    outcome: Vec<String>,
    created_at: Vec<OffsetDateTime>,
}

impl Batch {
    async fn insert(&self, tx: &mut TenantTx) -> sqlx::Result<()> {
        let tenant = tx.tenant_id();
        let c = &self.cases;
        sqlx::query!(
            "UPDATE cases c SET status = u.status, lead_id = u.lead_id, coordinator_id = u.coordinator_id,
                    escalation = u.escalation, confidentiality = u.confidentiality,
                    closing_result = u.closing_result, closed_at = u.closed_at, updated_by = u.lead_id
             FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                         $9::timestamptz[])
                 AS u(id, status, lead_id, coordinator_id, escalation, confidentiality, closing_result, closed_at)
             WHERE c.tenant_id = $1 AND c.id = u.id",
            tenant,
            &c.id,
            &c.status,
            &c.lead_id as &[Option<Uuid>],
            &c.coordinator_id as &[Option<Uuid>],
            &c.escalation,
            &c.confidentiality,
            &c.closing_result as &[Option<String>],
            &c.closed_at as &[Option<OffsetDateTime>]
        )
        .execute(&mut **tx)
        .await?;
        let l = &self.leads;
        sqlx::query!(
            "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by, started_at, ended_at, handover_note)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[],
                                      $7::text[])",
            tenant,
            &l.case_id,
            &l.user_id,
            &l.assigned_by,
            &l.started_at,
            &l.ended_at as &[Option<OffsetDateTime>],
            &l.handover_note
        )
        .execute(&mut **tx)
        .await?;
        let e = &self.events;
        sqlx::query!(
            "INSERT INTO case_events (tenant_id, case_id, kind, from_value, to_value, reason, actor_id, occurred_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                                      $8::timestamptz[])",
            tenant,
            &e.case_id,
            &e.kind,
            &e.from_value,
            &e.to_value,
            &e.reason,
            &e.actor_id,
            &e.occurred_at
        )
        .execute(&mut **tx)
        .await?;
        let m = &self.members;
        sqlx::query!(
            "INSERT INTO case_members (tenant_id, case_id, user_id, added_by, added_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[])
             ON CONFLICT DO NOTHING",
            tenant,
            &m.case_id,
            &m.user_id,
            &m.added_by,
            &m.added_at
        )
        .execute(&mut **tx)
        .await?;
        let k = &self.clocks;
        // Triage may already have started a case's clocks; those stay as they are.
        sqlx::query!(
            "INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on, paused_on,
                                      pause_reason, resumed_on, extended_weeks, extension_reason, completed_on)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::date[], $5::date[], $6::date[], $7::date[],
                                      $8::text[], $9::date[], $10::int4[], $11::text[], $12::date[])
             ON CONFLICT (tenant_id, case_id, kind) DO NOTHING",
            tenant,
            &k.case_id,
            &k.kind,
            &k.started_on,
            &k.statutory_due_on,
            &k.due_on,
            &k.paused_on as &[Option<Date>],
            &k.pause_reason as &[Option<String>],
            &k.resumed_on as &[Option<Date>],
            &k.extended_weeks,
            &k.extension_reason as &[Option<String>],
            &k.completed_on as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        let v = &self.conversations;
        sqlx::query!(
            "INSERT INTO conversations (tenant_id, case_id, planned_at, place, participants, report_on, housing,
                                        finances, health, social_network, daytime, parenting, safety, wishes,
                                        recorded_by, recorded_at, created_by, created_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::date[],
                                      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                                      $13::text[], $14::text[], $15::uuid[], $16::timestamptz[], $17::uuid[],
                                      $18::timestamptz[])",
            tenant,
            &v.case_id,
            &v.planned_at,
            &v.place,
            &v.participants,
            &v.report_on as &[Option<Date>],
            &v.housing,
            &v.finances,
            &v.health,
            &v.social_network,
            &v.daytime,
            &v.parenting,
            &v.safety,
            &v.wishes,
            &v.recorded_by as &[Option<Uuid>],
            &v.recorded_at as &[Option<OffsetDateTime>],
            &v.created_by,
            &v.created_at
        )
        .execute(&mut **tx)
        .await?;
        let p = &self.plans;
        sqlx::query!(
            "INSERT INTO support_plans (tenant_id, id, case_id, version, agreed_on, evaluation_on, updated_by,
                                        updated_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int4[], $5::date[], $6::date[], $7::uuid[],
                                      $8::timestamptz[])",
            tenant,
            &p.id,
            &p.case_id,
            &p.version,
            &p.agreed_on as &[Option<Date>],
            &p.evaluation_on as &[Option<Date>],
            &p.updated_by,
            &p.updated_at
        )
        .execute(&mut **tx)
        .await?;
        let g = &self.goals;
        sqlx::query!(
            "INSERT INTO plan_goals (tenant_id, id, plan_id, position, description, result, result_note)
             SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int4[], $5::text[], $6::text[], $7::text[])",
            tenant,
            &g.id,
            &g.plan_id,
            &g.position,
            &g.description,
            &g.result as &[Option<String>],
            &g.result_note
        )
        .execute(&mut **tx)
        .await?;
        let a = &self.actions;
        sqlx::query!(
            "INSERT INTO plan_actions (tenant_id, goal_id, description, performer, performer_name, target_on)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[])",
            tenant,
            &a.goal_id,
            &a.description,
            &a.performer,
            &a.performer_name,
            &a.target_on as &[Option<Date>]
        )
        .execute(&mut **tx)
        .await?;
        let n = &self.contacts;
        sqlx::query!(
            "INSERT INTO network_contacts (tenant_id, resident_id, name, role, phone, email, relation, created_by,
                                           created_at, removed_at)
             SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                      $8::uuid[], $9::timestamptz[], $10::timestamptz[])",
            tenant,
            &n.resident_id,
            &n.name,
            &n.role,
            &n.phone,
            &n.email,
            &n.relation,
            &n.created_by,
            &n.created_at,
            &n.removed_at as &[Option<OffsetDateTime>]
        )
        .execute(&mut **tx)
        .await?;
        let t = &self.tasks;
        sqlx::query!(
            "INSERT INTO tasks (tenant_id, kind, case_id, title, assignee_id, due_on, done_at, done_by, outcome,
                                created_by, created_at)
             SELECT $1, 'case', u.case_id, u.title, u.assignee_id, u.due_on, u.done_at, u.done_by, u.outcome,
                    u.assignee_id, u.created_at
             FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::date[], $6::timestamptz[], $7::uuid[], $8::text[],
                         $9::timestamptz[])
                 AS u(case_id, title, assignee_id, due_on, done_at, done_by, outcome, created_at)",
            tenant,
            &t.case_id,
            &t.title,
            &t.assignee_id,
            &t.due_on,
            &t.done_at as &[Option<OffsetDateTime>],
            &t.done_by as &[Option<Uuid>],
            &t.outcome,
            &t.created_at
        )
        .execute(&mut **tx)
        .await?;
        // The queue's deadline: the earliest clock that is running (not stopped, not paused).
        sqlx::query!(
            "UPDATE cases c SET next_deadline = (
                 SELECT min(k.due_on) FROM case_clocks k
                 WHERE k.tenant_id = c.tenant_id AND k.case_id = c.id AND k.completed_on IS NULL
                   AND (k.paused_on IS NULL OR k.resumed_on IS NOT NULL))
             WHERE c.tenant_id = $1 AND c.id = ANY ($2)",
            tenant,
            &c.id
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

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
        self.topic_first.push(spec.topic.0);
        self.topic_count.push(spec.topic.1);
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
