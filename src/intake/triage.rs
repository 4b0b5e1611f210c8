//! Triage: what the desk decides to do with a request. It handles the request itself,
//! signposts the resident elsewhere (and calls back later), or hands it to the social team.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::intake::requests::RequestView;
use crate::intake::values::{Triage, Urgency};
use crate::web::forms::{Fields, NotADate, parse_optional_date};
use crate::web::layout::FormErrors;

/// The triage form as typed, kept for re-display.
#[derive(Debug, Default)]
pub struct TriageInput {
    pub triage: String,
    pub note: String,
    pub destination: String,
    pub unsafe_at_home: String,
    /// When to call back after signposting; empty for the default.
    pub follow_up_on: String,
}

/// What the desk decided, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct TriageDecision {
    pub triage: Triage,
    pub note: String,
    pub destination: Option<Uuid>,
    pub unsafe_at_home: bool,
    /// The day the desk chose to call back; `None` for the cooperative's default.
    pub follow_up_on: Option<Date>,
}

/// How far ahead the desk may plan a follow-up call.
const FOLLOW_UP_WITHIN_DAYS: i64 = 365;

impl TriageInput {
    pub fn from_fields(fields: &Fields) -> TriageInput {
        TriageInput {
            triage: fields.get("triage").to_owned(),
            note: fields.get("note").trim().to_owned(),
            destination: fields.get("destination").to_owned(),
            unsafe_at_home: fields.get("unsafe_at_home").to_owned(),
            follow_up_on: fields.get("follow_up_on").trim().to_owned(),
        }
    }

    /// Checks the form; a signposted request goes to one of the `destinations` the desk may
    /// choose. The safety question must be answered, and someone unsafe at home goes to the
    /// team whatever else was chosen. Closing a request at the desk takes a note. A chosen
    /// follow-up day lies between `today` and a year ahead. Every missing answer is reported
    /// at once.
    pub fn decide(
        &self,
        destinations: &[(Uuid, String)],
        today: Date,
        errors: &mut FormErrors,
    ) -> Option<TriageDecision> {
        let unsafe_at_home = match self.unsafe_at_home.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.field("unsafe_at_home", "triage.error.safety");
                None
            }
        };
        let triage = if unsafe_at_home == Some(true) {
            Some(Triage::ToTeam)
        } else {
            Triage::parse(&self.triage)
        };
        if triage.is_none() {
            errors.field("triage", "triage.error.choice");
        }
        let destination = self
            .destination
            .parse::<Uuid>()
            .ok()
            .filter(|d| destinations.iter().any(|(id, _)| id == d));
        if triage == Some(Triage::Signposted) && destination.is_none() {
            errors.field("destination", "triage.error.destination");
        }
        if matches!(triage, Some(Triage::HandledAtDesk | Triage::Signposted)) && self.note.is_empty() {
            errors.field("note", "triage.error.note");
        }
        let follow_up_on = match parse_optional_date(&self.follow_up_on) {
            Ok(day) if triage == Some(Triage::Signposted) => day,
            Ok(_) => None,
            Err(NotADate) => {
                if triage == Some(Triage::Signposted) {
                    errors.field("follow_up_on", "triage.error.follow_up_on");
                }
                None
            }
        };
        if let Some(day) = follow_up_on
            && (day < today || day > today + time::Duration::days(FOLLOW_UP_WITHIN_DAYS))
        {
            errors.field("follow_up_on", "triage.error.follow_up_range");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(TriageDecision {
            triage: triage?,
            note: self.note.clone(),
            destination,
            unsafe_at_home: unsafe_at_home?,
            follow_up_on,
        })
    }
}

impl TriageDecision {
    /// Where the request goes and how urgent it is then: someone unsafe at home goes to the
    /// team, as a crisis; otherwise as decided, at the urgency it came in with.
    fn routing<'a>(&self, urgency: &'a str) -> (Triage, &'a str) {
        if self.unsafe_at_home {
            (Triage::ToTeam, Urgency::Crisis.code())
        } else {
            (self.triage, urgency)
        }
    }
}

/// The destinations the desk can signpost to, in the cooperative's order.
pub async fn active_destinations(tx: &mut TenantTx) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        "SELECT id, name FROM signpost_destinations WHERE tenant_id = $1 AND active ORDER BY position, name LIMIT 200",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// The day the desk calls back after signposting unless it chooses another: the cooperative's
/// number of working days ahead, like every other term.
pub async fn default_follow_up(tx: &mut TenantTx, today: Date) -> sqlx::Result<Date> {
    let days = sqlx::query_scalar!(
        "SELECT signpost_follow_up_days FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let calendar = crate::admin::working_calendar(tx).await?;
    Ok(calendar.add_working_days(today, days.unsigned_abs()))
}

/// The outcome of triage, for the page that follows.
pub enum TriageOutcome {
    Closed,
    FollowUpOn(Date),
    CaseOpened(Uuid),
}

/// Triage in one transaction: closes the request, or closes it with a follow-up call, or
/// opens a case for the team. Someone unsafe at home always goes to the team, as a crisis.
/// The case is about the household member the question is about (else the resident), and
/// the consent given with the request enters its consent ledger, described as
/// `consent_purpose`, so that the team need not ask again.
pub async fn apply(
    tx: &mut TenantTx,
    request: &RequestView,
    decision: &TriageDecision,
    by: Uuid,
    today: Date,
    consent_purpose: &str,
) -> sqlx::Result<TriageOutcome> {
    let (triage, urgency) = decision.routing(&request.urgency);
    let status = if triage == Triage::ToTeam {
        "with_team"
    } else {
        "closed"
    };
    sqlx::query!(
        "UPDATE requests SET triage = $3, triage_note = $4, signpost_destination_id = $5, unsafe_at_home = $6,
                urgency = $7, status = $8, triaged_at = now(), triaged_by = $9
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        request.id,
        triage.code(),
        decision.note,
        decision.destination.filter(|_| triage == Triage::Signposted),
        decision.unsafe_at_home,
        urgency,
        status,
        by
    )
    .execute(&mut **tx)
    .await?;
    Ok(match triage {
        Triage::HandledAtDesk => TriageOutcome::Closed,
        Triage::Signposted => {
            let due = match decision.follow_up_on {
                Some(day) => day,
                None => default_follow_up(tx, today).await?,
            };
            sqlx::query!(
                "INSERT INTO tasks (tenant_id, kind, request_id, due_on) VALUES ($1, 'follow_up', $2, $3)",
                tx.tenant_id(),
                request.id,
                due
            )
            .execute(&mut **tx)
            .await?;
            TriageOutcome::FollowUpOn(due)
        }
        Triage::ToTeam => {
            let case = sqlx::query_scalar!(
                "INSERT INTO cases (tenant_id, request_id, resident_id, urgency) VALUES ($1, $2, $3, $4) RETURNING id",
                tx.tenant_id(),
                request.id,
                request.about_member_id.or(request.resident_id),
                urgency
            )
            .fetch_one(&mut **tx)
            .await?;
            // Given at the desk (or in the online form), recorded by whoever registered it.
            sqlx::query!(
                "INSERT INTO consents (tenant_id, case_id, request_id, purpose, given_on, recorded_by)
                 SELECT q.tenant_id, $2, q.id, $4, local_time(q.consent_recorded_at)::date, coalesce(q.consent_recorded_by, $5)
                 FROM requests q WHERE q.tenant_id = $1 AND q.id = $3 AND q.consent_given",
                tx.tenant_id(),
                case,
                request.id,
                consent_purpose,
                by
            )
            .execute(&mut **tx)
            .await?;
            crate::cases::clocks::start_for_request(tx, case, request.id).await?;
            TriageOutcome::CaseOpened(case)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(triage: Triage, unsafe_at_home: &str, note: &str, destination: &str) -> TriageInput {
        TriageInput {
            triage: triage.code().to_owned(),
            note: note.to_owned(),
            destination: destination.to_owned(),
            unsafe_at_home: unsafe_at_home.to_owned(),
            follow_up_on: String::new(),
        }
    }

    const TODAY: Date = time::macros::date!(2026 - 03 - 12);

    fn decide(input: &TriageInput, destinations: &[(Uuid, String)]) -> (Option<TriageDecision>, FormErrors) {
        let mut errors = FormErrors::default();
        let decision = input.decide(destinations, TODAY, &mut errors);
        (decision, errors)
    }

    #[test]
    fn unsafe_at_home_forces_the_team_whatever_the_desk_chose() {
        for chosen in ["handled_at_desk", "signposted", "to_team", "", "nonsense"] {
            let input = TriageInput {
                triage: chosen.to_owned(),
                unsafe_at_home: "yes".to_owned(),
                ..TriageInput::default()
            };
            let (decision, errors) = decide(&input, &[]);
            assert!(errors.is_empty(), "{chosen}: {errors:?}");
            let decision = decision.expect(chosen);
            assert_eq!(decision.triage, Triage::ToTeam, "{chosen}");
            assert!(decision.unsafe_at_home);
        }
    }

    #[test]
    fn someone_unsafe_at_home_goes_to_the_team_as_a_crisis() {
        let decision = TriageDecision {
            triage: Triage::HandledAtDesk,
            note: String::new(),
            destination: None,
            unsafe_at_home: true,
            follow_up_on: None,
        };
        assert_eq!(decision.routing("normal"), (Triage::ToTeam, "crisis"));
        let safe = TriageDecision {
            unsafe_at_home: false,
            ..decision
        };
        assert_eq!(safe.routing("urgent"), (Triage::HandledAtDesk, "urgent"));
    }

    #[test]
    fn the_safety_question_must_be_answered() {
        let input = form(Triage::ToTeam, "", "", "");
        let (decision, errors) = decide(&input, &[]);
        assert!(decision.is_none());
        assert_eq!(errors.for_field("unsafe_at_home"), Some("triage.error.safety"));
        assert!(!errors.has("triage"));
    }

    #[test]
    fn every_missing_answer_is_reported_at_once() {
        let (decision, errors) = decide(&TriageInput::default(), &[]);
        assert!(decision.is_none());
        assert_eq!(errors.for_field("unsafe_at_home"), Some("triage.error.safety"));
        assert_eq!(errors.for_field("triage"), Some("triage.error.choice"));

        let (_, errors) = decide(&form(Triage::Signposted, "", "", ""), &[]);
        assert_eq!(
            errors
                .iter()
                .map(|e| e.field.unwrap_or_default())
                .collect::<Vec<_>>(),
            ["unsafe_at_home", "destination", "note"]
        );
    }

    #[test]
    fn a_safe_resident_needs_a_choice() {
        let input = TriageInput {
            unsafe_at_home: "no".to_owned(),
            ..TriageInput::default()
        };
        let (decision, errors) = decide(&input, &[]);
        assert!(decision.is_none());
        assert_eq!(errors.for_field("triage"), Some("triage.error.choice"));
    }

    #[test]
    fn signposting_takes_an_active_destination_and_a_note() {
        let active = Uuid::new_v4();
        let destinations = [(active, "Voedselbank".to_owned())];
        let (decision, errors) = decide(&form(Triage::Signposted, "no", "", ""), &destinations);
        assert!(decision.is_none());
        assert_eq!(errors.for_field("destination"), Some("triage.error.destination"));
        assert_eq!(errors.for_field("note"), Some("triage.error.note"));

        let elsewhere = Uuid::new_v4().to_string();
        let (decision, errors) = decide(
            &form(Triage::Signposted, "no", "Gebeld", &elsewhere),
            &destinations,
        );
        assert!(decision.is_none());
        assert!(errors.has("destination"));

        let chosen = active.to_string();
        let (decision, errors) = decide(&form(Triage::Signposted, "no", "Gebeld", &chosen), &destinations);
        assert!(errors.is_empty());
        assert_eq!(
            decision,
            Some(TriageDecision {
                triage: Triage::Signposted,
                note: "Gebeld".to_owned(),
                destination: Some(active),
                unsafe_at_home: false,
                follow_up_on: None,
            })
        );
    }

    #[test]
    fn the_desk_may_choose_the_follow_up_day_from_today_to_a_year_ahead() {
        let destination = Uuid::new_v4();
        let destinations = [(destination, "UWV".to_owned())];
        let chosen = |day: &str| TriageInput {
            follow_up_on: day.to_owned(),
            ..form(Triage::Signposted, "no", "Gebeld", &destination.to_string())
        };
        let (decision, errors) = decide(&chosen("20-3-2026"), &destinations);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            decision.and_then(|d| d.follow_up_on),
            Some(time::macros::date!(2026 - 03 - 20))
        );
        let (decision, errors) = decide(&chosen(""), &destinations);
        assert!(errors.is_empty());
        assert_eq!(decision.map(|d| d.follow_up_on), Some(None), "the default");
        for (day, message) in [
            ("morgen", "triage.error.follow_up_on"),
            ("11-03-2026", "triage.error.follow_up_range"),
            ("13-03-2027", "triage.error.follow_up_range"),
        ] {
            let (decision, errors) = decide(&chosen(day), &destinations);
            assert!(decision.is_none(), "{day}");
            assert_eq!(errors.for_field("follow_up_on"), Some(message), "{day}");
        }
        // A day typed for another choice is not asked about.
        let handled = TriageInput {
            follow_up_on: "morgen".to_owned(),
            ..form(Triage::HandledAtDesk, "no", "Uitgelegd", "")
        };
        let (decision, errors) = decide(&handled, &destinations);
        assert!(errors.is_empty());
        assert_eq!(decision.map(|d| d.follow_up_on), Some(None));
    }

    #[test]
    fn handling_at_the_desk_takes_a_note_but_the_team_does_not() {
        let (decision, errors) = decide(&form(Triage::HandledAtDesk, "no", "", ""), &[]);
        assert!(decision.is_none());
        assert_eq!(errors.for_field("note"), Some("triage.error.note"));

        let (decision, errors) = decide(&form(Triage::ToTeam, "no", "", ""), &[]);
        assert!(errors.is_empty());
        assert_eq!(decision.map(|d| d.triage), Some(Triage::ToTeam));
    }
}
