//! Requests for help (meldingen): registration, statutory terms, triage and the desk's lists.

use std::net::IpAddr;

use time::{Date, PrimitiveDateTime};
use uuid::Uuid;

use crate::auth::users::Email;
use crate::calendar::statutory_due;
use crate::db::TenantTx;
use crate::intake::values::{FollowUpResult, Triage, Urgency};
use crate::shared::choices::{Channel, Domain};
use crate::shared::format::format_date;
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

/// A request form as typed, kept for re-display.
#[derive(Debug, Default, Clone)]
pub struct RequestInput {
    pub received_date: String,
    pub received_time: String,
    pub channel: String,
    pub domains: Vec<String>,
    pub question: String,
    pub urgency: String,
    pub referrer: String,
    pub consent: bool,
    /// Whom the question is about: a household member's id, or "" for the resident.
    pub about: String,
    pub form_token: String,
}

pub struct NewRequest {
    /// Local (Dutch) time, as the desk typed it.
    pub received_at: PrimitiveDateTime,
    pub channel: Channel,
    pub domains: Vec<Domain>,
    pub question: String,
    pub urgency: Urgency,
    pub referrer: String,
    pub consent: bool,
    /// The household member the question is about; `None`: the resident.
    pub about_member: Option<Uuid>,
    pub form_token: Uuid,
}

impl RequestInput {
    pub fn fresh(now: PrimitiveDateTime) -> RequestInput {
        RequestInput {
            received_date: format_date(now.date()),
            received_time: format!("{:02}:{:02}", now.hour(), now.minute()),
            channel: Channel::Desk.code().to_owned(),
            urgency: Urgency::Normal.code().to_owned(),
            form_token: Uuid::new_v4().to_string(),
            ..RequestInput::default()
        }
    }

    pub fn from_fields(fields: &Fields) -> RequestInput {
        RequestInput {
            received_date: fields.get("received_date").trim().to_owned(),
            received_time: fields.get("received_time").trim().to_owned(),
            channel: fields.get("channel").to_owned(),
            domains: fields.get_all("domains").map(str::to_owned).collect(),
            question: fields.get("question").trim().to_owned(),
            urgency: fields.get("urgency").to_owned(),
            referrer: fields.get("referrer").trim().to_owned(),
            consent: fields.get("consent") == "yes",
            about: fields.get("about").to_owned(),
            form_token: fields.get("form_token").to_owned(),
        }
    }

    pub fn has_domain(&self, domain: &Domain) -> bool {
        self.domains.iter().any(|d| d == domain.code())
    }

    /// Checks the form; `now` is the current local time (a request is never in the future).
    /// The question is about the resident or one of their household `members`.
    pub fn validate(
        &self,
        now: PrimitiveDateTime,
        members: &[Uuid],
        errors: &mut FormErrors,
    ) -> Option<NewRequest> {
        let date = parse_date(&self.received_date);
        if date.is_none() {
            errors.field("received_date", "request.error.date");
        }
        let time = time::Time::parse(
            &self.received_time,
            time::macros::format_description!("[hour]:[minute]"),
        )
        .ok();
        if time.is_none() {
            errors.field("received_time", "request.error.time");
        }
        let received = date.zip(time).map(|(d, t)| PrimitiveDateTime::new(d, t));
        if received.is_some_and(|r| r > now + time::Duration::minutes(5)) {
            errors.field("received_date", "request.error.future");
        }
        let channel = Channel::parse(&self.channel);
        if channel.is_none() {
            errors.field("channel", "request.error.channel");
        }
        let domains: Vec<Domain> = self.domains.iter().filter_map(|d| Domain::parse(d)).collect();
        if domains.is_empty() {
            errors.field("domains", "request.error.domains");
        }
        if self.question.is_empty() {
            errors.field("question", "request.error.question");
        }
        let urgency = Urgency::parse(&self.urgency);
        if urgency.is_none() {
            errors.field("urgency", "request.error.urgency");
        }
        let about_member = match self.about.as_str() {
            "" => None,
            id => {
                let member = id.parse::<Uuid>().ok().filter(|m| members.contains(m));
                if member.is_none() {
                    errors.field("about", "request.error.about");
                }
                member
            }
        };
        let form_token = self.form_token.parse::<Uuid>().ok();
        if form_token.is_none() {
            errors.form("request.error.form_token");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewRequest {
            received_at: received?,
            channel: channel?,
            domains,
            question: self.question.clone(),
            urgency: urgency?,
            referrer: self.referrer.clone(),
            consent: self.consent,
            about_member,
            form_token: form_token?,
        })
    }
}

/// A question for help as a resident typed it in the online form, kept for re-display.
#[derive(Debug, Default)]
pub struct OnlineInput {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub question: String,
    pub consent: bool,
    pub form_token: String,
}

impl OnlineInput {
    pub fn fresh() -> OnlineInput {
        OnlineInput {
            form_token: Uuid::new_v4().to_string(),
            ..OnlineInput::default()
        }
    }

    pub fn from_fields(fields: &Fields) -> OnlineInput {
        OnlineInput {
            name: fields.get("name").trim().to_owned(),
            phone: fields.get("phone").trim().to_owned(),
            email: fields.get("email").trim().to_owned(),
            question: fields.get("question").trim().to_owned(),
            consent: fields.get("consent") == "yes",
            form_token: fields.get("form_token").to_owned(),
        }
    }

    /// Checks the form: a name, a way to reach them and a question. The request counts as
    /// received `now` (local time), by the online channel, about no domain in particular yet.
    pub fn validate(&self, now: PrimitiveDateTime, errors: &mut FormErrors) -> Option<NewRequest> {
        if self.name.is_empty() {
            errors.field("name", "online.error.name");
        }
        if self.phone.is_empty() && self.email.is_empty() {
            errors.field("phone", "online.error.contact");
        }
        if !self.email.is_empty() && Email::parse(&self.email).is_none() {
            errors.field("email", "users.error.email");
        }
        if self.question.is_empty() {
            errors.field("question", "request.error.question");
        }
        let form_token = self.form_token.parse::<Uuid>().ok();
        if form_token.is_none() {
            errors.form("request.error.form_token");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(NewRequest {
            received_at: now,
            channel: Channel::Online,
            domains: vec![Domain::Overig],
            question: self.question.clone(),
            urgency: Urgency::Normal,
            referrer: String::new(),
            consent: self.consent,
            about_member: None,
            form_token: form_token?,
        })
    }

    /// Who asked and how to reach them, as the request keeps it.
    pub fn contact(&self) -> (&str, &str, &str) {
        (&self.name, &self.phone, &self.email)
    }
}

/// At most this many online requests an hour from one address.
const ONLINE_PER_HOUR: i64 = 5;

/// Whether this address sent as many online requests in the last hour as it may.
pub async fn online_limit_reached(tx: &mut TenantTx, client_ip: Option<IpAddr>) -> sqlx::Result<bool> {
    let recent = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM audit_events
           WHERE tenant_id = $1 AND kind = 'online_request_received' AND client_ip = $2
             AND occurred_at > now() - interval '1 hour'"#,
        tx.tenant_id(),
        client_ip.map(sqlx::types::ipnet::IpNet::from)
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(recent >= ONLINE_PER_HOUR)
}

/// A request just registered: its id and the reference people read out on the phone.
pub struct Registered {
    pub id: Uuid,
    pub reference: String,
}

/// Registers a request. The same form submitted twice (a refresh, a double click) finds the
/// request the first submission made: the form token is unique. Its reference is numbered by
/// a trigger (migration 0023); looking for the first submission before inserting keeps a
/// resubmission from using up a number.
pub async fn create(
    tx: &mut TenantTx,
    resident_id: Option<Uuid>,
    request: &NewRequest,
    registered_by: Option<Uuid>,
    contact: (&str, &str, &str),
) -> sqlx::Result<Registered> {
    let earlier = sqlx::query_as!(
        Registered,
        "SELECT id, reference FROM requests WHERE tenant_id = $1 AND form_token = $2",
        tx.tenant_id(),
        request.form_token
    )
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(earlier) = earlier {
        return Ok(earlier);
    }
    let terms = sqlx::query!(
        "SELECT wmo_investigation_weeks, jeugd_decision_weeks FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let received_on = request.received_at.date();
    let wmo_deadline = request
        .domains
        .contains(&Domain::Wmo)
        .then(|| statutory_due(received_on, terms.wmo_investigation_weeks as u32));
    let jeugd_deadline = request
        .domains
        .contains(&Domain::Jeugd)
        .then(|| statutory_due(received_on, terms.jeugd_decision_weeks as u32));
    let domains: Vec<String> = request.domains.iter().map(|d| d.code().to_owned()).collect();
    let (contact_name, contact_phone, contact_email) = contact;
    let inserted = sqlx::query_as!(
        Registered,
        "INSERT INTO requests (tenant_id, resident_id, received_at, channel, domains, question, urgency, referrer,
                               consent_given, consent_recorded_at, consent_recorded_by, registered_by, form_token,
                               wmo_deadline, jeugd_deadline, contact_name, contact_phone, contact_email, about_member_id)
         VALUES ($1, $2, local_moment($3::timestamp), $4, $5, $6, $7, $8, $9,
                 CASE WHEN $9 THEN now() END, CASE WHEN $9 THEN $10::uuid END,
                 $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (tenant_id, form_token) DO NOTHING
         RETURNING id, reference",
        tx.tenant_id(),
        resident_id,
        request.received_at,
        request.channel.code(),
        &domains,
        request.question,
        request.urgency.code(),
        request.referrer,
        request.consent,
        registered_by,
        request.form_token,
        wmo_deadline,
        jeugd_deadline,
        contact_name,
        contact_phone,
        contact_email,
        request.about_member
    )
    .fetch_optional(&mut **tx)
    .await?;
    match inserted {
        Some(registered) => Ok(registered),
        None => {
            sqlx::query_as!(
                Registered,
                "SELECT id, reference FROM requests WHERE tenant_id = $1 AND form_token = $2",
                tx.tenant_id(),
                request.form_token
            )
            .fetch_one(&mut **tx)
            .await
        }
    }
}

/// A request as its page and the lists show it.
pub struct RequestView {
    pub id: Uuid,
    pub reference: String,
    pub resident_id: Option<Uuid>,
    pub resident_name: Option<String>,
    pub received_at: PrimitiveDateTime,
    pub channel: String,
    pub domains: Vec<String>,
    pub question: String,
    pub urgency: String,
    pub referrer: String,
    pub consent_given: bool,
    /// The household member the question is about, when it is not the resident.
    pub about_member_id: Option<Uuid>,
    pub about_name: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub status: String,
    pub triage: Option<String>,
    pub triage_note: String,
    pub destination: Option<String>,
    pub unsafe_at_home: Option<bool>,
    pub wmo_deadline: Option<Date>,
    pub jeugd_deadline: Option<Date>,
    pub registered_by: Option<String>,
    /// Days from today (in the Netherlands) to the nearest deadline; negative when passed.
    pub days_to_deadline: Option<i32>,
}

impl RequestView {
    pub fn received(&self) -> String {
        format!(
            "{} {:02}:{:02}",
            format_date(self.received_at.date()),
            self.received_at.hour(),
            self.received_at.minute()
        )
    }

    pub fn domain_keys(&self) -> Vec<String> {
        self.domains
            .iter()
            .filter_map(|d| Domain::parse(d))
            .map(Domain::label_key)
            .collect()
    }

    pub fn channel_key(&self) -> String {
        Channel::parse(&self.channel)
            .map(Channel::label_key)
            .unwrap_or_default()
    }

    pub fn urgency_key(&self) -> String {
        Urgency::parse(&self.urgency)
            .map(Urgency::label_key)
            .unwrap_or_default()
    }

    pub fn is_crisis(&self) -> bool {
        self.urgency == Urgency::Crisis.code()
    }

    pub fn triage_key(&self) -> Option<String> {
        self.triage
            .as_deref()
            .and_then(Triage::parse)
            .map(Triage::label_key)
    }

    /// The nearest statutory deadline while the request waits at the desk; once the team has
    /// it, the case's clocks carry the terms.
    pub fn deadline(&self) -> Option<Date> {
        if self.status != "open" {
            return None;
        }
        match (self.wmo_deadline, self.jeugd_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

macro_rules! select_requests {
    ($where:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            RequestView,
            r#"SELECT q.id, q.reference, q.resident_id,
                      CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                      local_time(q.received_at) AS "received_at!",
                      q.channel, q.domains, q.question, q.urgency, q.referrer, q.consent_given,
                      q.about_member_id,
                      (SELECT concat_ws(' ', nullif(coalesce(nullif(m.first_names, ''), m.initials), ''), nullif(m.surname_prefix, ''), m.surname)
                       FROM residents m WHERE m.tenant_id = q.tenant_id AND m.id = q.about_member_id) AS "about_name?",
                      q.contact_name, q.contact_phone, q.contact_email, q.status, q.triage, q.triage_note,
                      d.name AS "destination?", q.unsafe_at_home, q.wmo_deadline, q.jeugd_deadline,
                      u.name AS "registered_by?",
                      least(q.wmo_deadline, q.jeugd_deadline) - local_now()::date AS days_to_deadline
               FROM requests q
               LEFT JOIN residents r ON r.tenant_id = q.tenant_id AND r.id = q.resident_id
               LEFT JOIN signpost_destinations d ON d.tenant_id = q.tenant_id AND d.id = q.signpost_destination_id
               LEFT JOIN users u ON u.tenant_id = q.tenant_id AND u.id = q.registered_by
               WHERE q.tenant_id = $1 AND "# + $where
            $(, $arg)*
        )
    };
}

/// The same rows for lists, which show no destination or registrar: joins fewer
/// is a lot fewer index lookups on a busy desk page.
macro_rules! select_request_rows {
    ($where:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            RequestView,
            r#"SELECT q.id, q.reference, q.resident_id,
                      CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                      local_time(q.received_at) AS "received_at!",
                      q.channel, q.domains, q.question, q.urgency, q.referrer, q.consent_given,
                      q.about_member_id, NULL::text AS "about_name?",
                      q.contact_name, q.contact_phone, q.contact_email, q.status, q.triage, q.triage_note,
                      NULL::text AS "destination?", q.unsafe_at_home, q.wmo_deadline, q.jeugd_deadline,
                      NULL::text AS "registered_by?",
                      least(q.wmo_deadline, q.jeugd_deadline) - local_now()::date AS days_to_deadline
               FROM requests q
               LEFT JOIN residents r ON r.tenant_id = q.tenant_id AND r.id = q.resident_id
               WHERE q.tenant_id = $1 AND "# + $where
            $(, $arg)*
        )
    };
}

/// The request with this reference (as stored, `M-2026-0412`), read off its unique index.
pub async fn by_reference(tx: &mut TenantTx, reference: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM requests WHERE tenant_id = $1 AND reference = $2",
        tx.tenant_id(),
        reference
    )
    .fetch_optional(&mut **tx)
    .await
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<RequestView>> {
    select_requests!("q.id = $2", tx.tenant_id(), id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn for_resident(tx: &mut TenantTx, resident_id: Uuid) -> sqlx::Result<Vec<RequestView>> {
    select_request_rows!(
        "q.resident_id = $2 ORDER BY q.received_at DESC LIMIT 100",
        tx.tenant_id(),
        resident_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Registered today (local time), newest first.
pub async fn registered_today(tx: &mut TenantTx) -> sqlx::Result<Vec<RequestView>> {
    select_request_rows!(
        "q.received_at >= local_moment(date_trunc('day', local_now()))
         ORDER BY q.received_at DESC LIMIT 25",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

/// Not yet triaged: crisis first, then oldest first.
pub async fn untriaged(tx: &mut TenantTx) -> sqlx::Result<Vec<RequestView>> {
    select_request_rows!(
        "q.triage IS NULL ORDER BY q.urgency = 'crisis' DESC, q.received_at LIMIT 25",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many requests wait for triage, for the start page.
pub async fn untriaged_count(tx: &mut TenantTx) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM requests WHERE tenant_id = $1 AND triage IS NULL"#,
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// Requests still at the desk whose statutory deadline is within `days` days or has passed,
/// nearest first. Requests with the team are followed by their case's clocks.
pub async fn nearing_deadline(tx: &mut TenantTx, days: i32) -> sqlx::Result<Vec<RequestView>> {
    select_request_rows!(
        "q.status = 'open'
         AND least(q.wmo_deadline, q.jeugd_deadline) <= local_now()::date + $2::int
         ORDER BY least(q.wmo_deadline, q.jeugd_deadline) LIMIT 25",
        tx.tenant_id(),
        days
    )
    .fetch_all(&mut **tx)
    .await
}

/// A follow-up call the desk owes after signposting.
pub struct FollowUp {
    pub id: Uuid,
    pub request_id: Uuid,
    pub due_on: Date,
    /// Days until the call is due: 0 today, negative when late.
    pub days_left: i32,
    pub resident_name: Option<String>,
    pub destination: Option<String>,
}

impl FollowUp {
    pub fn due(&self) -> String {
        format_date(self.due_on)
    }
}

/// How many open follow-up calls the desk page lists.
pub const FOLLOW_UPS_SHOWN: i64 = 50;

/// Open follow-up calls, due or not yet, earliest first: the desk sees what is coming.
pub async fn open_follow_ups(tx: &mut TenantTx) -> sqlx::Result<Vec<FollowUp>> {
    sqlx::query_as!(
        FollowUp,
        r#"SELECT f.id, f.request_id AS "request_id!", f.due_on, f.due_on - local_now()::date AS "days_left!",
                  CASE WHEN r.id IS NULL THEN NULL ELSE concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''), nullif(r.surname_prefix, ''), r.surname) END AS resident_name,
                  d.name AS "destination?"
           FROM tasks f
           JOIN requests q ON q.tenant_id = f.tenant_id AND q.id = f.request_id
           LEFT JOIN residents r ON r.tenant_id = q.tenant_id AND r.id = q.resident_id
           LEFT JOIN signpost_destinations d ON d.tenant_id = q.tenant_id AND d.id = q.signpost_destination_id
           WHERE f.tenant_id = $1 AND f.kind = 'follow_up' AND f.done_at IS NULL
           ORDER BY f.due_on LIMIT $2"#,
        tx.tenant_id(),
        FOLLOW_UPS_SHOWN
    )
    .fetch_all(&mut **tx)
    .await
}

/// The follow-up call of a signposted request, as its page shows it.
pub struct FollowUpState {
    pub due_on: Date,
    pub result: Option<String>,
    pub outcome: String,
    pub done: bool,
}

impl FollowUpState {
    pub fn due(&self) -> String {
        format_date(self.due_on)
    }

    pub fn result_key(&self) -> Option<String> {
        self.result
            .as_deref()
            .and_then(FollowUpResult::parse)
            .map(FollowUpResult::label_key)
    }
}

pub async fn follow_up_of(tx: &mut TenantTx, request_id: Uuid) -> sqlx::Result<Option<FollowUpState>> {
    sqlx::query_as!(
        FollowUpState,
        r#"SELECT due_on, follow_up_result AS result, outcome, done_at IS NOT NULL AS "done!"
           FROM tasks WHERE tenant_id = $1 AND kind = 'follow_up' AND request_id = $2"#,
        tx.tenant_id(),
        request_id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// Records how the follow-up call went and what the resident said; false when there was no
/// open call for the request.
pub async fn record_follow_up(
    tx: &mut TenantTx,
    request_id: Uuid,
    result: FollowUpResult,
    note: &str,
    by: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE tasks SET done_at = now(), done_by = $3, follow_up_result = $4, outcome = $5
         WHERE tenant_id = $1 AND kind = 'follow_up' AND request_id = $2 AND done_at IS NULL",
        tx.tenant_id(),
        request_id,
        by,
        result.code(),
        note
    )
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Links a request that came in without a resident (online) to one; false when it already
/// had one. A case opened for it follows.
pub async fn link_resident(tx: &mut TenantTx, request_id: Uuid, resident_id: Uuid) -> sqlx::Result<bool> {
    let linked = sqlx::query!(
        "UPDATE requests SET resident_id = $3 WHERE tenant_id = $1 AND id = $2 AND resident_id IS NULL",
        tx.tenant_id(),
        request_id,
        resident_id
    )
    .execute(&mut **tx)
    .await?;
    if linked.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        "UPDATE cases SET resident_id = $3 WHERE tenant_id = $1 AND request_id = $2 AND resident_id IS NULL",
        tx.tenant_id(),
        request_id,
        resident_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn online(name: &str, phone: &str, email: &str, question: &str) -> OnlineInput {
        OnlineInput {
            name: name.to_owned(),
            phone: phone.to_owned(),
            email: email.to_owned(),
            question: question.to_owned(),
            consent: true,
            form_token: Uuid::new_v4().to_string(),
        }
    }

    #[test]
    fn an_online_request_needs_a_name_a_way_to_reach_them_and_a_question() {
        let now = datetime!(2025-03-12 10:15);
        let mut errors = FormErrors::default();
        assert!(online("", "", "", "").validate(now, &mut errors).is_none());
        assert_eq!(errors.for_field("name"), Some("online.error.name"));
        assert_eq!(errors.for_field("phone"), Some("online.error.contact"));
        assert_eq!(errors.for_field("question"), Some("request.error.question"));

        let mut errors = FormErrors::default();
        assert!(
            online("Ans", "", "geen-adres", "Hulp")
                .validate(now, &mut errors)
                .is_none()
        );
        assert_eq!(errors.for_field("email"), Some("users.error.email"));

        let mut errors = FormErrors::default();
        let mut input = online("Ans", "06 12345678", "", "Hulp");
        input.form_token = "x".to_owned();
        assert!(input.validate(now, &mut errors).is_none());
        assert_eq!(
            errors.iter().map(|e| e.message_key).collect::<Vec<_>>(),
            ["request.error.form_token"]
        );
    }

    #[test]
    fn an_online_request_arrives_online_about_no_domain_yet() {
        let now = datetime!(2025-03-12 10:15);
        let input = online("Ans", "", "ans@example.nl", "Ik kan de trap niet meer op");
        let mut errors = FormErrors::default();
        let new = input.validate(now, &mut errors).expect("valid");
        assert!(errors.is_empty());
        assert_eq!(new.received_at, now);
        assert_eq!(new.channel, Channel::Online);
        assert_eq!(new.domains, [Domain::Overig]);
        assert_eq!(new.urgency, Urgency::Normal);
        assert!(new.consent);
        assert_eq!(input.contact(), ("Ans", "", "ans@example.nl"));
    }
}
