//! Where a referral can go: one organisation for one service, or the service offered to every
//! organisation offering it. The referral form names a target by a value of its own.

use uuid::Uuid;

use crate::db::TenantTx;

/// A choice in the referral form: one organisation for one service, or the service offered
/// to everyone who offers it.
pub struct Target {
    pub service_id: Uuid,
    pub service: String,
    pub organisation_id: Option<Uuid>,
    pub organisation: Option<String>,
    /// A valid consent of the case covers sending here today.
    pub consented: bool,
}

/// The form's choices for one service: everyone offering it, then each organisation.
pub struct ServiceTargets {
    pub service: String,
    pub targets: Vec<Target>,
}

/// Groups targets, ordered by service, per service (for an `<optgroup>` each).
pub fn by_service(targets: Vec<Target>) -> Vec<ServiceTargets> {
    let mut groups: Vec<ServiceTargets> = Vec::new();
    for target in targets {
        match groups.last_mut() {
            Some(group) if group.targets[0].service_id == target.service_id => group.targets.push(target),
            _ => groups.push(ServiceTargets {
                service: target.service.clone(),
                targets: vec![target],
            }),
        }
    }
    groups
}

impl Target {
    pub fn value(&self) -> String {
        match self.organisation_id {
            Some(organisation) => format!("{}:{organisation}", self.service_id),
            None => format!("{}:open", self.service_id),
        }
    }

    /// The service and organisation (none for an open offer) a form's [`Target::value`] names.
    pub fn parse_value(value: &str) -> Option<(Uuid, Option<Uuid>)> {
        match value.split_once(':') {
            Some((service, "open")) => service.parse().ok().map(|s| (s, None)),
            Some((service, organisation)) => match (service.parse(), organisation.parse()) {
                (Ok(service), Ok(organisation)) => Some((service, Some(organisation))),
                _ => None,
            },
            None => None,
        }
    }
}

/// Every service some current member offers, first as an open offer, then per organisation,
/// each saying whether the case's consent ledger covers it (the rule of [`super::consent::covering`]).
pub async fn offered(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<Target>> {
    sqlx::query_as!(
        Target,
        r#"WITH valid AS (
               SELECT service_id, organisation_id FROM consents
               WHERE tenant_id = $1 AND case_id = $2 AND withdrawn_at IS NULL
                 AND (expires_on IS NULL OR expires_on >= local_now()::date)
               LIMIT 500),
           targets AS (
               SELECT s.id AS service_id, s.name AS service, o.id AS organisation_id, o.name AS organisation
               FROM services s
               JOIN organisation_services os ON os.tenant_id = s.tenant_id AND os.service_id = s.id
               JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id AND o.status IN ('aspirant', 'lid')
               WHERE s.tenant_id = $1
               UNION ALL
               SELECT DISTINCT s.id, s.name, NULL::uuid, NULL::text
               FROM services s
               JOIN organisation_services os ON os.tenant_id = s.tenant_id AND os.service_id = s.id
               JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id AND o.status IN ('aspirant', 'lid')
               WHERE s.tenant_id = $1)
           SELECT t.service_id AS "service_id!", t.service AS "service!", t.organisation_id AS "organisation_id?",
                  t.organisation AS "organisation?",
                  EXISTS (SELECT FROM valid v WHERE v.service_id = t.service_id
                                                 OR (t.organisation_id IS NOT NULL AND v.organisation_id = t.organisation_id)) AS "consented!"
           FROM targets t
           ORDER BY 2, 1, 4 NULLS FIRST
           LIMIT 2000"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_value_names_its_service_and_organisation() {
        let service = Uuid::from_u128(1);
        let organisation = Uuid::from_u128(2);
        let target = |organisation_id| Target {
            service_id: service,
            service: "Schuldhulp".into(),
            organisation_id,
            organisation: None,
            consented: false,
        };
        assert_eq!(
            Target::parse_value(&target(Some(organisation)).value()),
            Some((service, Some(organisation)))
        );
        assert_eq!(Target::parse_value(&target(None).value()), Some((service, None)));
        for nonsense in [
            "",
            "open",
            "x:open",
            &format!("{service}:"),
            &format!("{service}:x"),
        ] {
            assert_eq!(Target::parse_value(nonsense), None, "{nonsense}");
        }
    }
}
