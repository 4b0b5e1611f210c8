//! The demo cooperative's member register: a service catalogue, 23 members of every kind (as
//! in Woudenberg), `lid@demo.test` working for one of them, and two working groups.

use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::auth::users::{self, Email};
use crate::db::TenantTx;
use crate::members::groups::{self, GroupDetails};
use crate::members::register::{self, OrganisationDetails, StatusChange};
use crate::members::services::{self, ServiceDetails};
use crate::members::{MemberStatus, OrganisationKind};
use crate::shared::choices::Domain;

/// (name, description, domains, areas) of the demo service catalogue.
const SERVICES: &[(&str, &str, &[Domain], &[&str])] = &[
    (
        "Huishoudelijke hulp",
        "Schoonmaken en de was, voor wie dat zelf niet meer kan.",
        &[Domain::Wmo],
        &[],
    ),
    (
        "Persoonlijke verzorging",
        "Hulp bij wassen, aankleden en medicijnen.",
        &[Domain::Wmo],
        &[],
    ),
    (
        "Dagbesteding ouderen",
        "Een zinvolle dag met anderen, drie dagdelen per week.",
        &[Domain::Wmo],
        &["Woudenberg"],
    ),
    (
        "Respijtzorg en mantelzorgondersteuning",
        "Even vrij voor mantelzorgers.",
        &[Domain::Wmo],
        &[],
    ),
    (
        "Maatjesproject",
        "Een vrijwilliger die wekelijks langskomt of samen iets onderneemt.",
        &[Domain::Wmo, Domain::Participatie],
        &[],
    ),
    (
        "Boodschappenbus",
        "Samen boodschappen doen, met vervoer van deur tot deur.",
        &[Domain::Wmo],
        &["Woudenberg", "Maarsbergen"],
    ),
    (
        "Ambulante jeugdhulp",
        "Begeleiding van kind en gezin thuis.",
        &[Domain::Jeugd],
        &[],
    ),
    (
        "Opvoedondersteuning",
        "Gesprekken en cursussen voor ouders met vragen over opvoeden.",
        &[Domain::Jeugd],
        &[],
    ),
    (
        "Pleegzorg",
        "Een tijdelijk of blijvend thuis in een pleeggezin.",
        &[Domain::Jeugd],
        &[],
    ),
    (
        "Thuisadministratie",
        "Een vrijwilliger helpt de post en de geldzaken op orde te krijgen.",
        &[Domain::Schulden],
        &[],
    ),
    (
        "Schuldhulpverlening",
        "Een plan om uit de schulden te komen.",
        &[Domain::Schulden, Domain::WerkInkomen],
        &[],
    ),
    (
        "Voedselpakket",
        "Wekelijks een pakket voor wie even niet rondkomt.",
        &[Domain::Schulden],
        &[],
    ),
    (
        "Maatschappelijk werk",
        "Hulp bij problemen thuis, met geld, werk of relaties.",
        &[Domain::Wmo, Domain::Overig],
        &[],
    ),
    (
        "Woningaanpassing en woonadvies",
        "Advies over langer thuis wonen en een passende woning.",
        &[Domain::Wonen],
        &[],
    ),
    (
        "Begeleiding naar werk",
        "Op weg naar een baan, vrijwilligerswerk of een opleiding.",
        &[Domain::Participatie, Domain::WerkInkomen],
        &[],
    ),
    (
        "Leerplicht en schoolverzuim",
        "De leerplichtambtenaar: als een kind niet naar school gaat.",
        &[Domain::Leerplicht],
        &[],
    ),
    (
        "Praktijkondersteuning GGZ",
        "Kortdurende hulp bij psychische klachten via de huisarts.",
        &[Domain::Overig],
        &[],
    ),
    (
        "Bezoekwerk en pastorale zorg",
        "Een luisterend oor en bezoek thuis.",
        &[Domain::Overig],
        &[],
    ),
    (
        "Taalcoaching",
        "Nederlands leren en oefenen met een taalmaatje.",
        &[Domain::Participatie],
        &[],
    ),
];

/// One member of the demo cooperative.
struct DemoMember {
    name: &'static str,
    kind: OrganisationKind,
    contact: (&'static str, &'static str),
    /// Each status with the day it took effect, oldest first.
    history: &'static [(MemberStatus, Date)],
    services: &'static [&'static str],
}

/// The cooperative was founded in 2018; most members joined then.
const FOUNDING: &[(MemberStatus, Date)] = &[(MemberStatus::Member, date!(2018 - 06 - 01))];

/// The organisation `lid@demo.test` works for.
const DEMO_MEMBER_ORGANISATION: &str = "Thuishulp De Linde";

const MEMBERS: &[DemoMember] = &[
    DemoMember {
        name: "Zorggroep De Haven",
        kind: OrganisationKind::ElderlyCare,
        contact: ("Anja Verbeek", "a.verbeek@dehaven.demo.test"),
        history: FOUNDING,
        services: &[
            "Persoonlijke verzorging",
            "Dagbesteding ouderen",
            "Respijtzorg en mantelzorgondersteuning",
        ],
    },
    DemoMember {
        name: "Woonzorgcentrum Het Baken",
        kind: OrganisationKind::ElderlyCare,
        contact: ("Gerrit van Dam", "g.vandam@hetbaken.demo.test"),
        history: FOUNDING,
        services: &["Dagbesteding ouderen", "Persoonlijke verzorging"],
    },
    DemoMember {
        name: "Buurtzorgteam Woudenberg",
        kind: OrganisationKind::ElderlyCare,
        contact: ("Marieke Bos", "woudenberg@buurtteam.demo.test"),
        history: &[(MemberStatus::Member, date!(2019 - 03 - 01))],
        services: &["Persoonlijke verzorging"],
    },
    DemoMember {
        name: "Stichting Jeugdhulp Vallei",
        kind: OrganisationKind::YouthCare,
        contact: ("Peter Hendriks", "p.hendriks@jeugdhulpvallei.demo.test"),
        history: FOUNDING,
        services: &["Ambulante jeugdhulp", "Opvoedondersteuning"],
    },
    DemoMember {
        name: "Jeugdpraktijk De Stap",
        kind: OrganisationKind::YouthCare,
        contact: ("Sanne de Wit", "info@destap.demo.test"),
        history: FOUNDING,
        services: &["Ambulante jeugdhulp"],
    },
    DemoMember {
        name: "Pleegzorg Utrecht-Oost",
        kind: OrganisationKind::YouthCare,
        contact: ("Karin Smit", "k.smit@pleegzorg.demo.test"),
        history: &[(MemberStatus::Aspirant, date!(2025 - 09 - 01))],
        services: &["Pleegzorg"],
    },
    DemoMember {
        name: DEMO_MEMBER_ORGANISATION,
        kind: OrganisationKind::HomeHelp,
        contact: ("Jan de Vries", "planning@delinde.demo.test"),
        history: FOUNDING,
        services: &["Huishoudelijke hulp"],
    },
    DemoMember {
        name: "Hulp in Huis Woudenberg",
        kind: OrganisationKind::HomeHelp,
        contact: ("Fatima el Amrani", "info@hulpinhuis.demo.test"),
        history: &[
            (MemberStatus::Aspirant, date!(2020 - 01 - 01)),
            (MemberStatus::Member, date!(2020 - 06 - 15)),
        ],
        services: &["Huishoudelijke hulp"],
    },
    DemoMember {
        name: "Welzijn Woudenberg",
        kind: OrganisationKind::Welfare,
        contact: ("Ellen Kuipers", "e.kuipers@welzijnwoudenberg.demo.test"),
        history: FOUNDING,
        services: &[
            "Maatjesproject",
            "Respijtzorg en mantelzorgondersteuning",
            "Maatschappelijk werk",
        ],
    },
    DemoMember {
        name: "Maatschappelijk Werk Vallei",
        kind: OrganisationKind::Welfare,
        contact: ("Rob Jansen", "r.jansen@mwvallei.demo.test"),
        history: FOUNDING,
        services: &["Maatschappelijk werk", "Schuldhulpverlening"],
    },
    DemoMember {
        name: "Protestantse Gemeente Woudenberg",
        kind: OrganisationKind::Church,
        contact: ("Ds. Hanna Mulder", "scriba@pgwoudenberg.demo.test"),
        history: FOUNDING,
        services: &["Bezoekwerk en pastorale zorg"],
    },
    DemoMember {
        name: "Hervormde Gemeente, diaconie",
        kind: OrganisationKind::Church,
        contact: ("Willem van den Berg", "diaconie@hervormd.demo.test"),
        history: FOUNDING,
        services: &["Bezoekwerk en pastorale zorg", "Thuisadministratie"],
    },
    DemoMember {
        name: "Parochie Heilige Maria",
        kind: OrganisationKind::Church,
        contact: ("Thea Kok", "secretariaat@parochie.demo.test"),
        history: &[(MemberStatus::Member, date!(2021 - 01 - 01))],
        services: &["Bezoekwerk en pastorale zorg"],
    },
    DemoMember {
        name: "Stichting Boodschappenbus Woudenberg",
        kind: OrganisationKind::Volunteers,
        contact: ("Henk Schouten", "rit@boodschappenbus.demo.test"),
        history: FOUNDING,
        services: &["Boodschappenbus"],
    },
    DemoMember {
        name: "Vrijwilligerspunt Woudenberg",
        kind: OrganisationKind::Volunteers,
        contact: ("Lotte Vermeulen", "info@vrijwilligerspunt.demo.test"),
        history: FOUNDING,
        services: &["Maatjesproject"],
    },
    DemoMember {
        name: "Stichting Thuisadministratie Samen",
        kind: OrganisationKind::Volunteers,
        contact: ("Kees Dekker", "aanmelden@thuisadmin.demo.test"),
        history: FOUNDING,
        services: &["Thuisadministratie"],
    },
    DemoMember {
        name: "Voedselbank De Vallei",
        kind: OrganisationKind::Volunteers,
        contact: ("Ineke Visser", "uitgifte@voedselbank.demo.test"),
        history: &[(MemberStatus::Member, date!(2019 - 09 - 01))],
        services: &["Voedselpakket"],
    },
    DemoMember {
        name: "Mantelzorgcafé Woudenberg",
        kind: OrganisationKind::Volunteers,
        contact: ("Joke Brouwer", "mantelzorgcafe@demo.test"),
        history: &[(MemberStatus::Aspirant, date!(2025 - 03 - 01))],
        services: &["Respijtzorg en mantelzorgondersteuning"],
    },
    DemoMember {
        name: "Gemeente Woudenberg",
        kind: OrganisationKind::Municipality,
        contact: ("Moniek Jacobs", "sociaaldomein@gemeente.demo.test"),
        history: FOUNDING,
        services: &[
            "Leerplicht en schoolverzuim",
            "Schuldhulpverlening",
            "Begeleiding naar werk",
        ],
    },
    DemoMember {
        name: "Huisartsenpraktijk Het Hof",
        kind: OrganisationKind::GeneralPractitioners,
        contact: ("Dr. Bart Peters", "praktijk@hethof.demo.test"),
        history: FOUNDING,
        services: &["Praktijkondersteuning GGZ"],
    },
    DemoMember {
        name: "Gezondheidscentrum De Poort",
        kind: OrganisationKind::GeneralPractitioners,
        contact: ("Dr. Ayşe Yilmaz", "info@depoort.demo.test"),
        history: &[(MemberStatus::Member, date!(2019 - 01 - 01))],
        services: &["Praktijkondersteuning GGZ"],
    },
    DemoMember {
        name: "Vallei Wonen",
        kind: OrganisationKind::Housing,
        contact: ("Marco Willems", "woonconsulent@valleiwonen.demo.test"),
        history: FOUNDING,
        services: &["Woningaanpassing en woonadvies"],
    },
    DemoMember {
        name: "Taalhuis Woudenberg",
        kind: OrganisationKind::Other,
        contact: ("Nora Bakker", "taalhuis@bibliotheek.demo.test"),
        history: &[
            (MemberStatus::Aspirant, date!(2023 - 09 - 01)),
            (MemberStatus::Member, date!(2024 - 01 - 15)),
        ],
        services: &["Taalcoaching", "Begeleiding naar werk"],
    },
];

/// The member register of the demo cooperative, added once: 23 members of every kind (as in
/// Woudenberg) with a service catalogue, `lid@demo.test` working for a home-help organisation,
/// and two working groups, one closed with its outcome.
pub(super) async fn load(tx: &mut TenantTx) -> anyhow::Result<()> {
    let existing = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM organisations WHERE tenant_id = $1) AS "exists!""#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    if existing {
        return Ok(());
    }
    let mut catalogue = Vec::new();
    for (name, description, domains, areas) in SERVICES {
        let details = ServiceDetails {
            name: (*name).to_owned(),
            description: (*description).to_owned(),
            domains: domains.to_vec(),
            areas: areas.iter().map(|a| (*a).to_owned()).collect(),
            tariff: None,
        };
        let id = services::create(tx, &details)
            .await?
            .map_err(|_| anyhow::anyhow!("demo service {name} twice"))?;
        catalogue.push((*name, id));
    }
    let mut organisations = Vec::new();
    for member in MEMBERS {
        let services = member
            .services
            .iter()
            .map(|wanted| {
                catalogue
                    .iter()
                    .find(|(name, _)| name == wanted)
                    .map(|(_, id)| *id)
                    .ok_or_else(|| anyhow::anyhow!("demo service {wanted} missing"))
            })
            .collect::<anyhow::Result<Vec<Uuid>>>()?;
        let details = OrganisationDetails {
            name: member.name.to_owned(),
            kind: member.kind,
            description: String::new(),
            contact_name: member.contact.0.to_owned(),
            contact_email: member.contact.1.to_owned(),
            contact_phone: "0318 000 000".to_owned(),
            services,
        };
        let status = |(status, effective_on): &(MemberStatus, Date)| StatusChange {
            status: *status,
            effective_on: *effective_on,
            note: String::new(),
        };
        let id = register::create(tx, &details, &status(&member.history[0]), None)
            .await?
            .map_err(|_| anyhow::anyhow!("demo member {} twice", member.name))?;
        for later in &member.history[1..] {
            let organisation = register::find(tx, id).await?.expect("just added");
            register::change_status(tx, &organisation, &status(later), None)
                .await?
                .map_err(|error| anyhow::anyhow!("demo member {}: {error:?}", member.name))?;
        }
        organisations.push((member.name, id));
    }
    let organisation = |name: &str| {
        organisations
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| *id)
            .expect("a demo member")
    };

    let staff = Email::parse("lid@demo.test").expect("a valid address");
    let admin = Email::parse("beheer@demo.test").expect("a valid address");
    let (Some(staff), Some(admin)) = (
        users::find_active_by_email(tx, &staff).await?,
        users::find_active_by_email(tx, &admin).await?,
    ) else {
        anyhow::bail!("the demo users are missing");
    };
    let home_help = register::find(tx, organisation(DEMO_MEMBER_ORGANISATION))
        .await?
        .expect("just added");
    register::link_user(tx, &home_help, staff.id)
        .await?
        .map_err(|error| anyhow::anyhow!("linking lid@demo.test: {error:?}"))?;

    // The working groups Woudenberg's articles describe: one that produced the contact card
    // (meterkastkaart), one still at work.
    let at_home = groups::create(
        tx,
        &GroupDetails {
            topic: "Ouderen langer thuis".to_owned(),
            description:
                "Hoe blijven ouderen langer thuis wonen, en hoe wisselen de betrokken professionals \
                          makkelijker informatie uit?"
                    .to_owned(),
            coordinator_id: admin.id,
            organisation_ids: [
                "Zorggroep De Haven",
                "Buurtzorgteam Woudenberg",
                "Welzijn Woudenberg",
                DEMO_MEMBER_ORGANISATION,
                "Huisartsenpraktijk Het Hof",
                "Gemeente Woudenberg",
            ]
            .into_iter()
            .map(organisation)
            .collect(),
        },
    )
    .await?;
    for (met_on, body) in [
        (
            date!(2021 - 03 - 10),
            "Verkenning: waar lopen ouderen en mantelzorgers tegenaan als de zorg thuis toeneemt?",
        ),
        (
            date!(2021 - 06 - 02),
            "Wie moet weten wie er betrokken is? Voorstel: een kaart in de meterkast met namen en telefoonnummers.",
        ),
        (
            date!(2021 - 10 - 13),
            "Proef met de meterkastkaart bij twintig huishoudens; reacties van huisarts en thuishulp zijn positief.",
        ),
    ] {
        groups::add_note(tx, at_home, met_on, body, admin.id)
            .await?
            .map_err(|_| anyhow::anyhow!("the demo working group closed early"))?;
    }
    groups::close(
        tx,
        at_home,
        date!(2022 - 01 - 19),
        "De meterkastkaart: alle leden geven hem uit, met namen en gegevens van wie betrokken is.",
    )
    .await?
    .map_err(|_| anyhow::anyhow!("the demo working group closed twice"))?;

    let newcomers = groups::create(
        tx,
        &GroupDetails {
            topic: "Statushouders".to_owned(),
            description: "Hoe kan de integratie van statushouders voorspoediger verlopen?".to_owned(),
            coordinator_id: admin.id,
            organisation_ids: [
                "Welzijn Woudenberg",
                "Taalhuis Woudenberg",
                "Vrijwilligerspunt Woudenberg",
                "Vallei Wonen",
                "Gemeente Woudenberg",
            ]
            .into_iter()
            .map(organisation)
            .collect(),
        },
    )
    .await?;
    for (met_on, body) in [
        (
            date!(2025 - 02 - 12),
            "Kennismaking; elke deelnemer brengt in wat statushouders bij hen vragen.",
        ),
        (
            date!(2025 - 05 - 21),
            "Taalmaatjes en een vast aanspreekpunt bij de woningstichting lijken het meest te helpen.",
        ),
    ] {
        groups::add_note(tx, newcomers, met_on, body, admin.id)
            .await?
            .map_err(|_| anyhow::anyhow!("the demo working group is closed"))?;
    }
    Ok(())
}
