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

/// Every service some current member offers, first as an open offer, then per organisation.
pub async fn offered(tx: &mut TenantTx) -> sqlx::Result<Vec<Target>> {
    sqlx::query_as!(
        Target,
        r#"SELECT s.id AS "service_id!", s.name AS "service!", o.id AS "organisation_id?", o.name AS "organisation?"
           FROM services s
           JOIN organisation_services os ON os.tenant_id = s.tenant_id AND os.service_id = s.id
           JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id AND o.status IN ('aspirant', 'lid')
           WHERE s.tenant_id = $1
           UNION ALL
           SELECT DISTINCT s.id, s.name, NULL::uuid, NULL::text
           FROM services s
           JOIN organisation_services os ON os.tenant_id = s.tenant_id AND os.service_id = s.id
           JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id AND o.status IN ('aspirant', 'lid')
           WHERE s.tenant_id = $1
           ORDER BY 2, 1, 4 NULLS FIRST
           LIMIT 2000"#,
        tx.tenant_id()
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
