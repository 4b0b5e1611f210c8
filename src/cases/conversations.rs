//! The keukentafelgesprek: scheduled (when, where, with whom), then reported on per life
//! domain with the resident's own wishes. The report date stops the Wmo investigation clock.

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::cases::ClockKind;
use crate::cases::clocks;
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::shared::format::format_date;
use crate::shared::format::format_timestamp;
use crate::shared::format::{json_date, json_timestamp};
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

/// The life domains the report covers, as (form field, label key).
pub const LIFE_DOMAINS: &[(&str, &str)] = &[
    ("housing", "conversation.housing"),
    ("finances", "conversation.finances"),
    ("health", "conversation.health"),
    ("social_network", "conversation.social_network"),
    ("daytime", "conversation.daytime"),
    ("parenting", "conversation.parenting"),
    ("safety", "conversation.safety"),
    ("wishes", "conversation.wishes"),
];

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Conversation {
    pub id: Uuid,
    #[serde(with = "json_timestamp")]
    pub planned_at: PrimitiveDateTime,
    pub place: String,
    pub participants: String,
    #[serde(with = "json_date::option")]
    pub report_on: Option<Date>,
    pub housing: String,
    pub finances: String,
    pub health: String,
    pub social_network: String,
    pub daytime: String,
    pub parenting: String,
    pub safety: String,
    pub wishes: String,
    pub recorded_by: Option<String>,
}

impl Conversation {
    pub fn planned(&self) -> String {
        format_timestamp(self.planned_at)
    }

    pub fn reported(&self) -> Option<String> {
        self.report_on.map(format_date)
    }

    /// The report per life domain, as (label key, text), leaving out empty ones.
    pub fn report(&self) -> Vec<(&'static str, &str)> {
        let texts = [
            &self.housing,
            &self.finances,
            &self.health,
            &self.social_network,
            &self.daytime,
            &self.parenting,
            &self.safety,
            &self.wishes,
        ];
        LIFE_DOMAINS
            .iter()
            .zip(texts)
            .filter(|(_, text)| !text.is_empty())
            .map(|((_, key), text)| (*key, text.as_str()))
            .collect()
    }
}

macro_rules! select_conversations {
    ($where:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Conversation,
            r#"SELECT v.id, local_time(v.planned_at) AS "planned_at!", v.place, v.participants,
                      v.report_on, v.housing, v.finances, v.health, v.social_network, v.daytime, v.parenting, v.safety,
                      v.wishes, u.name AS "recorded_by?"
               FROM conversations v LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.recorded_by
               WHERE v.tenant_id = $1 AND "# + $where
            $(, $arg)*
        )
    };
}

pub async fn find(tx: &mut TenantTx, case_id: Uuid, id: Uuid) -> sqlx::Result<Option<Conversation>> {
    select_conversations!("v.case_id = $2 AND v.id = $3", tx.tenant_id(), case_id, id)
        .fetch_optional(&mut **tx)
        .await
}

/// A conversation to schedule, checked.
pub struct Appointment {
    pub at: PrimitiveDateTime,
    pub place: String,
    pub participants: String,
}

/// The conversation to schedule for `case`: a date and time not before its request came in
/// (planned ahead, or recorded afterwards), and a place.
pub fn parse_appointment(case: &CaseView, fields: &Fields, errors: &mut FormErrors) -> Option<Appointment> {
    let date = parse_date(fields.get("date"));
    if date.is_none() {
        errors.field("date", "conversation.error.date");
    }
    let time = time::Time::parse(
        fields.get("time").trim(),
        time::macros::format_description!("[hour]:[minute]"),
    )
    .ok();
    if time.is_none() {
        errors.field("time", "request.error.time");
    }
    let place = fields.get("place").trim().to_owned();
    if place.is_empty() {
        errors.field("place", "conversation.error.place");
    }
    let at = PrimitiveDateTime::new(date?, time?);
    if case.moment_before_request(at) {
        errors.field("date", "case.error.before_request");
        return None;
    }
    Some(Appointment {
        at,
        place: (!place.is_empty()).then_some(place)?,
        participants: fields.get("participants").trim().to_owned(),
    })
}

pub async fn schedule(
    tx: &mut TenantTx,
    case_id: Uuid,
    appointment: &Appointment,
    by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO conversations (tenant_id, case_id, planned_at, place, participants, created_by)
         VALUES ($1, $2, local_moment($3::timestamp), $4, $5, $6) RETURNING id",
        tx.tenant_id(),
        case_id,
        appointment.at,
        appointment.place,
        appointment.participants,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

/// The report as typed, kept for re-display.
#[derive(Default)]
pub struct ReportInput {
    pub report_on: String,
    pub texts: Vec<(&'static str, &'static str, String)>,
}

impl ReportInput {
    pub fn from_fields(fields: &Fields) -> ReportInput {
        ReportInput {
            report_on: fields.get("report_on").trim().to_owned(),
            texts: LIFE_DOMAINS
                .iter()
                .map(|(name, key)| (*name, *key, fields.get(name).trim().to_owned()))
                .collect(),
        }
    }

    pub fn of(conversation: &Conversation, today: Date) -> ReportInput {
        let texts = [
            &conversation.housing,
            &conversation.finances,
            &conversation.health,
            &conversation.social_network,
            &conversation.daytime,
            &conversation.parenting,
            &conversation.safety,
            &conversation.wishes,
        ];
        ReportInput {
            report_on: format_date(conversation.report_on.unwrap_or(today)),
            texts: LIFE_DOMAINS
                .iter()
                .zip(texts)
                .map(|((name, key), text)| (*name, *key, text.clone()))
                .collect(),
        }
    }

    fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, _, t)| t.as_str())
            .unwrap_or_default()
    }

    /// Checks the report on `case`: a date that has been, not before the case's request came
    /// in, and the resident's wishes.
    pub fn validate(&self, case: &CaseView, today: Date, errors: &mut FormErrors) -> Option<Date> {
        let date = parse_date(&self.report_on);
        match date {
            None => errors.field("report_on", "conversation.error.report_on"),
            Some(d) if d > today => errors.field("report_on", "conversation.error.future"),
            Some(d) if case.before_request(d) => errors.field("report_on", "case.error.before_request"),
            _ => {}
        }
        if self.text("wishes").is_empty() {
            errors.field("wishes", "conversation.error.wishes");
        }
        date.filter(|_| errors.is_empty())
    }
}

/// Records the report; the first report stops the Wmo investigation clock on its date.
pub async fn record(
    tx: &mut TenantTx,
    case_id: Uuid,
    id: Uuid,
    report_on: Date,
    input: &ReportInput,
    by: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE conversations SET report_on = $3, housing = $4, finances = $5, health = $6, social_network = $7,
                daytime = $8, parenting = $9, safety = $10, wishes = $11, recorded_by = $12, recorded_at = now()
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id,
        report_on,
        input.text("housing"),
        input.text("finances"),
        input.text("health"),
        input.text("social_network"),
        input.text("daytime"),
        input.text("parenting"),
        input.text("safety"),
        input.text("wishes"),
        by
    )
    .execute(&mut **tx)
    .await?;
    clocks::complete(tx, case_id, ClockKind::WmoInvestigation, report_on).await?;
    Ok(())
}
