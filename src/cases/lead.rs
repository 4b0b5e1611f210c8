//! Who leads a case ("regisseur"): a professional takes a case nobody leads, a process
//! manager or admin assigns one, and whoever steers a case hands it over with a note.

use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::auth::{CurrentUser, Role};
use crate::cases::ASSIGNING_ROLES;
use crate::cases::access::{self, Access};
use crate::cases::record::{self, CaseView};
use crate::db::TenantTx;
use crate::shared::format::format_timestamp;

/// Who the lead form names: the user themself ("me"), or a colleague by id.
pub fn chosen(raw: &str, user: &CurrentUser) -> Option<Uuid> {
    match raw {
        "me" => Some(user.id),
        other => other.parse().ok(),
    }
}

/// A professional may take a case nobody leads yet.
pub fn may_take(case: &CaseView, user: &CurrentUser) -> bool {
    case.lead_id.is_none() && user.has(Role::Professional)
}

/// Those who steer a case hand it over; process managers and admins assign any case.
pub fn may_assign(case: &CaseView, user: &CurrentUser) -> bool {
    access::may_steer(case, user) || user.roles.iter().any(|r| ASSIGNING_ROLES.contains(r))
}

/// Whether `user` may send the lead form naming `to`: to take the case themself, or to
/// assign it (naming no one valid is then an error on the form).
pub fn may_name_lead(case: &CaseView, user: &CurrentUser, to: Option<Uuid>) -> bool {
    // Taking a case one may not see (zeer vertrouwelijk) would open it.
    let taking = to == Some(user.id) && may_take(case, user) && access::decide(case, user) == Access::Full;
    taking || may_assign(case, user)
}

/// Why a change of lead was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LeadError {
    /// Handing over to a colleague takes a note for them.
    NoteRequired,
    /// The case already has this lead.
    Unchanged,
    Conflict,
}

/// Whether `to` may become the lead of the case as the form `version` showed it.
fn check_change(case: &CaseView, version: i32, to: Uuid, note: &str) -> Result<(), LeadError> {
    if version != case.lock_version {
        return Err(LeadError::Conflict);
    }
    if case.lead_id == Some(to) {
        return Err(LeadError::Unchanged);
    }
    if case.lead_id.is_some() && note.trim().is_empty() {
        return Err(LeadError::NoteRequired);
    }
    Ok(())
}

/// Makes `to` the lead. Handing over from a current lead takes a note; the history keeps who
/// led when, and the database allows only one current lead.
pub async fn set_lead(
    tx: &mut TenantTx,
    case: &CaseView,
    version: i32,
    to: Uuid,
    note: &str,
    by: Uuid,
) -> sqlx::Result<Result<(), LeadError>> {
    if let Err(refused) = check_change(case, version, to, note) {
        return Ok(Err(refused));
    }
    if record::claim(tx, case.id, version, by).await?.is_err() {
        return Ok(Err(LeadError::Conflict));
    }
    sqlx::query!(
        "UPDATE case_leads SET ended_at = now() WHERE tenant_id = $1 AND case_id = $2 AND ended_at IS NULL",
        tx.tenant_id(),
        case.id
    )
    .execute(&mut **tx)
    .await?;
    // The former lead stays involved: colleagues will come back to them with questions.
    if let Some(former) = case.lead_id {
        record::add_member(tx, case.id, former, by).await?;
    }
    sqlx::query!(
        "INSERT INTO case_leads (tenant_id, case_id, user_id, assigned_by, handover_note) VALUES ($1, $2, $3, $4, $5)",
        tx.tenant_id(),
        case.id,
        to,
        by,
        note.trim()
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE cases SET lead_id = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case.id,
        to
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// One lead in a case's history.
pub struct LeadPeriod {
    pub name: String,
    pub assigned_by: String,
    pub started_at: PrimitiveDateTime,
    pub ended_at: Option<PrimitiveDateTime>,
    pub handover_note: String,
}

impl LeadPeriod {
    pub fn period(&self) -> String {
        match self.ended_at {
            Some(end) => format!(
                "{} – {}",
                format_timestamp(self.started_at),
                format_timestamp(end)
            ),
            None => format!("{} –", format_timestamp(self.started_at)),
        }
    }
}

pub async fn lead_history(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<LeadPeriod>> {
    sqlx::query_as!(
        LeadPeriod,
        r#"SELECT u.name, coalesce(b.name, '') AS "assigned_by!",
                  local_time(h.started_at) AS "started_at!",
                  local_time(h.ended_at) AS ended_at, h.handover_note
           FROM case_leads h
           JOIN users u ON u.tenant_id = h.tenant_id AND u.id = h.user_id
           LEFT JOIN users b ON b.tenant_id = h.tenant_id AND b.id = h.assigned_by
           WHERE h.tenant_id = $1 AND h.case_id = $2
           ORDER BY h.started_at DESC LIMIT 50"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Confidentiality;

    fn user(roles: &[Role]) -> CurrentUser {
        CurrentUser {
            id: Uuid::new_v4(),
            name: "Sanne".into(),
            email: "sanne@example.org".into(),
            roles: roles.to_vec(),
            language: None,
            organisation_id: None,
        }
    }

    #[test]
    fn a_professional_takes_a_case_nobody_leads() {
        let case = CaseView::example();
        let professional = user(&[Role::Professional]);
        assert!(may_take(&case, &professional));
        assert!(may_name_lead(&case, &professional, Some(professional.id)));
        // Taking is for oneself: naming a colleague is assigning, which they may not.
        assert!(!may_name_lead(&case, &professional, Some(Uuid::new_v4())));
        assert!(!may_name_lead(&case, &professional, None));
        assert!(!may_assign(&case, &professional));
    }

    #[test]
    fn a_led_case_is_not_taken_but_handed_over_by_its_lead() {
        let lead = user(&[Role::Professional]);
        let case = CaseView {
            lead_id: Some(lead.id),
            ..CaseView::example()
        };
        let colleague = user(&[Role::Professional]);
        assert!(!may_take(&case, &colleague));
        assert!(!may_name_lead(&case, &colleague, Some(colleague.id)));
        assert!(may_name_lead(&case, &lead, Some(colleague.id)));
    }

    #[test]
    fn a_highly_confidential_case_is_not_taken_by_someone_outside_it() {
        let case = CaseView {
            confidentiality: Confidentiality::HighlyConfidential.code().into(),
            ..CaseView::example()
        };
        let professional = user(&[Role::Professional]);
        assert!(may_take(&case, &professional));
        assert!(!may_name_lead(&case, &professional, Some(professional.id)));
    }

    #[test]
    fn process_managers_and_admins_assign_but_do_not_take() {
        let case = CaseView::example();
        for role in [Role::ProcessManager, Role::Admin] {
            let assigner = user(&[role]);
            assert!(!may_take(&case, &assigner));
            assert!(may_assign(&case, &assigner));
            assert!(may_name_lead(&case, &assigner, Some(Uuid::new_v4())));
            assert!(may_name_lead(&case, &assigner, None));
        }
        let desk = user(&[Role::Desk]);
        assert!(!may_name_lead(&case, &desk, Some(desk.id)));
    }

    #[test]
    fn the_lead_form_names_oneself_or_a_colleague() {
        let me = user(&[Role::Professional]);
        let colleague = Uuid::new_v4();
        assert_eq!(chosen("me", &me), Some(me.id));
        assert_eq!(chosen(&colleague.to_string(), &me), Some(colleague));
        assert_eq!(chosen("", &me), None);
        assert_eq!(chosen("someone", &me), None);
    }

    #[test]
    fn a_handover_takes_a_note_and_a_new_lead() {
        let lead = Uuid::new_v4();
        let unled = CaseView::example();
        let led = CaseView {
            lead_id: Some(lead),
            ..CaseView::example()
        };
        let version = unled.lock_version;
        assert_eq!(check_change(&unled, version, lead, ""), Ok(()));
        assert_eq!(
            check_change(&led, version, lead, "over to you"),
            Err(LeadError::Unchanged)
        );
        assert_eq!(
            check_change(&led, version, Uuid::new_v4(), " "),
            Err(LeadError::NoteRequired)
        );
        assert_eq!(check_change(&led, version, Uuid::new_v4(), "over to you"), Ok(()));
        assert_eq!(
            check_change(&led, version + 1, Uuid::new_v4(), "over to you"),
            Err(LeadError::Conflict)
        );
    }
}
