//! What the made-up case histories say: reasons, conversation notes, goals and actions per
//! life domain, network contacts and to-do items, in Dutch as professionals write them.

use crate::cases::{ClosingResult, GoalResult, NetworkRelation, Performer};
use crate::shared::choices::Domain;

pub(super) const HANDOVER_NOTES: &[&str] = &[
    "Overgedragen wegens verlof. Inwoner is op de hoogte; de afspraken staan in het plan.",
    "Regie overgedragen omdat de vraag vooral over schulden gaat; collega heeft die expertise.",
    "Overdracht na herverdeling van de caseload. De lopende afspraak met de huisarts staat in het journaal.",
];

pub(super) const ESCALATION_REASONS: &[&str] = &[
    "Geen voortgang na drie maanden; er zijn meer partijen nodig.",
    "Inwoner houdt de hulp af terwijl de zorgen toenemen.",
    "Huisuitzetting dreigt binnen vier weken.",
];

pub(super) const SAFETY_REASONS: &[&str] = &[
    "Signalen van huiselijk geweld; Veilig Thuis is ingeschakeld.",
    "Ernstige vervuiling van de woning en zorgen over de kinderen.",
    "Verward gedrag met risico voor inwoner en omgeving.",
];

pub(super) const CONFIDENTIALITY_REASONS: &[&str] = &[
    "Op verzoek van inwoner.",
    "Er spelen zaken rond huiselijk geweld.",
    "Inwoner werkt zelf bij een van de lidorganisaties.",
];

pub(super) const PAUSE_REASONS: &[&str] = &[
    "Inwoner is opgenomen in het ziekenhuis.",
    "Op verzoek van inwoner: eerst de medische informatie afwachten.",
    "Inwoner levert de gevraagde gegevens later aan.",
];

pub(super) const EXTENSION_REASONS: &[&str] = &[
    "Meer tijd nodig voor het advies van de ergotherapeut.",
    "Inwoner stemt in met verlenging; het gesprek met de familie volgt nog.",
];

pub(super) const PLACES: &[&str] = &[
    "Bij inwoner thuis",
    "Bij inwoner thuis",
    "Bij inwoner thuis",
    "Wijkcentrum De Brink",
    "Gemeentehuis Woudenberg",
];

pub(super) const PARTICIPANTS: &[&str] = &[
    "Inwoner en regisseur",
    "Inwoner, dochter en regisseur",
    "Beide ouders en regisseur",
    "Inwoner, buurvrouw en regisseur",
    "Inwoner, partner, wijkverpleegkundige en regisseur",
];

pub(super) const HOUSING: &[&str] = &[
    "Woont zelfstandig in een eengezinswoning; de trap wordt lastig.",
    "Huurt een appartement met lift; de woning is goed onderhouden.",
    "Woont met partner en twee kinderen in een rijtjeshuis, krap behuisd.",
    "Huurachterstand; de woningcorporatie heeft een laatste waarschuwing gestuurd.",
];
pub(super) const FINANCES: &[&str] = &[
    "Geen zorgen over geld.",
    "Huurachterstand van twee maanden en meerdere aanmaningen.",
    "AOW met een klein pensioen; rondkomen lukt net.",
    "Bijstandsuitkering; de post blijft vaak ongeopend liggen.",
];
pub(super) const HEALTH: &[&str] = &[
    "Loopt slecht sinds een heupoperatie en gebruikt een rollator.",
    "Beginnende dementie volgens de huisarts.",
    "Somber en moe, slaapt slecht.",
    "Lichamelijk gezond.",
];
pub(super) const SOCIAL_NETWORK: &[&str] = &[
    "Dochter woont in de buurt en komt twee keer per week.",
    "Weinig contacten sinds het overlijden van de partner.",
    "Goede band met de buren; de buurvrouw doet soms boodschappen.",
    "Familie woont ver weg; contact gaat via de telefoon.",
];
pub(super) const DAYTIME: &[&str] = &[
    "Gaat twee ochtenden per week naar de dagbesteding.",
    "Zit veel thuis en kijkt tv.",
    "Werkt parttime als schoonmaker.",
    "Doet vrijwilligerswerk bij de kringloopwinkel.",
];
pub(super) const PARENTING: &[&str] = &[
    "Ouders voelen zich machteloos bij de woede-uitbarstingen.",
    "Zoon gaat niet naar school; ouders krijgen hem de deur niet uit.",
    "Moeder voedt de kinderen alleen op en is overbelast.",
];
pub(super) const SAFETY: &[&str] = &[
    "Geen zorgen over veiligheid.",
    "Geen signalen van huiselijk geweld.",
    "Zorgen over valgevaar in huis.",
    "Spanningen thuis lopen soms hoog op; afgesproken dit te volgen.",
];
pub(super) const WISHES: &[&str] = &[
    "Wil zo lang mogelijk thuis blijven wonen.",
    "Wil weer rust in het gezin.",
    "Wil van de schulden af en opnieuw beginnen.",
    "Wil weer onder de mensen komen.",
];

/// Goals in the resident's own words, per domain of the request.
pub(super) fn goals_for(domain: Domain) -> &'static [&'static str] {
    match domain {
        Domain::Wmo => &[
            "Ik wil zelf kunnen blijven douchen, met wat hulpmiddelen.",
            "Ik wil weer zelf boodschappen kunnen doen.",
            "Ik wil mijn man thuis blijven verzorgen zonder zelf om te vallen.",
            "Ik wil in mijn eigen huis blijven wonen.",
        ],
        Domain::Jeugd => &[
            "Ik wil dat de ruzies thuis minder worden.",
            "Ik wil dat mijn dochter weer plezier heeft in school.",
            "Wij willen weten hoe we met zijn boosheid omgaan.",
        ],
        Domain::Leerplicht => &[
            "Ik wil mijn school afmaken.",
            "Ik wil dat mijn zoon weer elke dag naar school gaat.",
        ],
        Domain::Participatie => &[
            "Ik wil één keer per week iets leuks doen buiten de deur.",
            "Ik wil vrijwilligerswerk doen.",
        ],
        Domain::Wonen => &[
            "Ik wil veilig de trap op en af kunnen.",
            "Ik wil in mijn eigen huis blijven wonen.",
        ],
        Domain::Schulden => &[
            "Ik wil mijn rekeningen weer op tijd betalen.",
            "Ik wil geen nieuwe schulden meer maken.",
            "Ik wil rust in mijn hoofd over geld.",
        ],
        Domain::WerkInkomen => &[
            "Ik wil weer werk, al is het maar een paar uur per week.",
            "Ik wil weten waar ik recht op heb.",
        ],
        Domain::Overig => &[
            "Ik wil minder alleen zijn.",
            "Ik wil weer een doel hebben voor de dag.",
        ],
    }
}

/// (performer, description, performer name; a professional's is the lead's)
pub(super) fn actions_for(domain: Domain) -> &'static [(Performer, &'static str, &'static str)] {
    match domain {
        Domain::Wmo => &[
            (
                Performer::Professional,
                "Aanvraag douchestoel en beugels indienen",
                "",
            ),
            (
                Performer::Network,
                "Wekelijks samen boodschappen doen",
                "Buurvrouw Els",
            ),
            (
                Performer::MemberOrganisation,
                "Respijtzorg regelen voor één dag per week",
                "Steunpunt Mantelzorg",
            ),
            (
                Performer::Resident,
                "Boodschappenlijstje klaarleggen voor de bezorgdienst",
                "",
            ),
            (Performer::Professional, "Huishoudelijke hulp aanvragen", ""),
        ],
        Domain::Jeugd => &[
            (
                Performer::MemberOrganisation,
                "Opvoedondersteuning aan huis, tien gesprekken",
                "Jeugdhulp Utrecht-Oost",
            ),
            (Performer::Resident, "Elke avond samen eten zonder telefoon", ""),
            (
                Performer::Professional,
                "Met de jeugdarts overleggen over een verwijzing",
                "",
            ),
            (
                Performer::Network,
                "Opa haalt de kinderen op woensdag uit school",
                "Opa Henk",
            ),
        ],
        Domain::Leerplicht => &[
            (
                Performer::MemberOrganisation,
                "Gesprek met leerplichtambtenaar en mentor",
                "Bureau Leerplicht",
            ),
            (Performer::Resident, "Elke ochtend om zeven uur opstaan", ""),
            (
                Performer::Network,
                "De mentor belt wekelijks met de ouders",
                "Mentor",
            ),
        ],
        Domain::Participatie => &[
            (
                Performer::MemberOrganisation,
                "Kennismaken bij de vrijwilligerscentrale",
                "Welzijn Woudenberg",
            ),
            (
                Performer::Network,
                "Maatje gaat wekelijks mee wandelen",
                "Maatje Ria",
            ),
            (
                Performer::Resident,
                "Zelf naar de inloop in het wijkcentrum gaan",
                "",
            ),
        ],
        Domain::Wonen => &[
            (
                Performer::Professional,
                "Aanvraag traplift voorbereiden met de ergotherapeut",
                "",
            ),
            (
                Performer::MemberOrganisation,
                "Woningaanpassing bespreken met de corporatie",
                "Woningcorporatie Woudenberg",
            ),
            (
                Performer::Network,
                "Zoon helpt met het opruimen van de zolder",
                "Zoon Mark",
            ),
        ],
        Domain::Schulden => &[
            (
                Performer::MemberOrganisation,
                "Aanmelden bij de schuldhulpverlening",
                "Schuldhulp Woudenberg",
            ),
            (
                Performer::Resident,
                "Elke week de post openen en in het mapje doen",
                "",
            ),
            (
                Performer::Network,
                "Dochter helpt met het budgetplan",
                "Dochter Sanne",
            ),
            (
                Performer::Professional,
                "Betalingsregeling met de verhuurder afspreken",
                "",
            ),
        ],
        Domain::WerkInkomen => &[
            (
                Performer::Professional,
                "Samen de uitkeringsaanvraag invullen",
                "",
            ),
            (
                Performer::MemberOrganisation,
                "Traject bij het werkgeversservicepunt",
                "Werkgeversservicepunt",
            ),
            (
                Performer::Resident,
                "Cv bijwerken en twee vacatures uitzoeken",
                "",
            ),
        ],
        Domain::Overig => &[
            (
                Performer::MemberOrganisation,
                "Aanmelden bij het maatjesproject",
                "Humanitas",
            ),
            (
                Performer::Network,
                "Buurman komt op zondag koffie drinken",
                "Buurman Kees",
            ),
            (Performer::Resident, "Naar de koffieochtend in de kerk gaan", ""),
        ],
    }
}

/// (relation, role, organisation; a person gets a made-up name when there is none)
pub(super) const CONTACTS: &[(NetworkRelation, &str, &str)] = &[
    (NetworkRelation::Partner, "Partner", ""),
    (NetworkRelation::Family, "Dochter", ""),
    (NetworkRelation::Family, "Zoon", ""),
    (NetworkRelation::Family, "Zus", ""),
    (NetworkRelation::Neighbour, "Buurvrouw", ""),
    (NetworkRelation::Neighbour, "Buurman", ""),
    (NetworkRelation::Buddy, "Maatje via Welzijn Woudenberg", ""),
    (NetworkRelation::Friend, "Vriendin", ""),
    (
        NetworkRelation::GeneralPractitioner,
        "Huisarts",
        "Huisartsenpraktijk De Linde",
    ),
    (
        NetworkRelation::GeneralPractitioner,
        "Praktijkondersteuner",
        "Huisartsenpraktijk Woudenberg",
    ),
    (
        NetworkRelation::MemberOrganisation,
        "Consulent",
        "Schuldhulp Woudenberg",
    ),
    (
        NetworkRelation::MemberOrganisation,
        "Ouderenadviseur",
        "Welzijn Woudenberg",
    ),
    (
        NetworkRelation::School,
        "Mentor",
        "Christelijk College Woudenberg",
    ),
    (
        NetworkRelation::School,
        "Intern begeleider",
        "Basisschool De Wegwijzer",
    ),
    (
        NetworkRelation::DistrictNurse,
        "Wijkverpleegkundige",
        "Buurtzorg Woudenberg",
    ),
    (NetworkRelation::Other, "Bewindvoerder", "Bewindvoering Utrecht"),
];

pub(super) const TASKS: &[&str] = &[
    "Terugbellen over de aanvraag",
    "Verslag keukentafelgesprek uitwerken",
    "Evaluatiegesprek plannen",
    "Formulier bijzondere bijstand nalopen",
    "Overleg met de huisarts inplannen",
    "Aanvraag huishoudelijke hulp indienen",
    "Contact opnemen met school",
    "Plan ter ondertekening sturen",
];

pub(super) const TASK_OUTCOMES: &[&str] = &["Gedaan.", "Afspraak staat.", "Inwoner bereikt, alles loopt."];

pub(super) fn closing_reason(result: ClosingResult) -> &'static str {
    match result {
        ClosingResult::GoalReached => "Doelen behaald; inwoner redt het weer zelf.",
        ClosingResult::Moved => "Inwoner is verhuisd naar een andere gemeente; warme overdracht gedaan.",
        ClosingResult::Died => "Inwoner is overleden.",
        ClosingResult::HelpedElsewhere => "Inwoner wordt verder geholpen door een lidorganisatie.",
        ClosingResult::StoppedOnRequest => "Inwoner wil geen ondersteuning meer.",
        ClosingResult::Other => "Afgesloten na overleg in het team.",
    }
}

pub(super) fn result_note(result: GoalResult) -> &'static str {
    match result {
        GoalResult::Reached => "Lukt weer zelfstandig.",
        GoalResult::PartlyReached => "Gaat beter, maar nog niet elke week.",
        GoalResult::NotReached => "Inwoner wilde hier uiteindelijk niet mee verder.",
    }
}
