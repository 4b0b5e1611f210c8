//! The cooperative's service catalogue: what member organisations offer, by domain of the
//! social domain and by area, so that the team can find who can help with a question.

use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::ResultExt;
use crate::members::NameTaken;
use crate::shared::choices::Domain;
use crate::shared::money::{Cents, TariffUnit};
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;

pub const PAGE_SIZE: i64 = 25;

/// A service to choose from.
#[derive(Debug, Clone)]
pub struct ServiceOption {
    pub id: Uuid,
    pub name: String,
}

/// The whole catalogue by name, e.g. for a choice in a form.
pub async fn list(tx: &mut TenantTx) -> sqlx::Result<Vec<ServiceOption>> {
    sqlx::query_as!(
        ServiceOption,
        "SELECT id, name FROM services WHERE tenant_id = $1 ORDER BY lower(name), id",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await
}

/// An organisation offering a service.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The organisation's id.
    pub id: Uuid,
    pub name: String,
}

/// Who offers this service: the current (aspirant or member) organisations, by name.
pub async fn providers(tx: &mut TenantTx, service_id: Uuid) -> sqlx::Result<Vec<Provider>> {
    sqlx::query_as!(
        Provider,
        "SELECT o.id, o.name
         FROM organisation_services os
         JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id
         WHERE os.tenant_id = $1 AND os.service_id = $2 AND o.status IN ('aspirant', 'lid')
         ORDER BY lower(o.name), o.id",
        tx.tenant_id(),
        service_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// A service of the catalogue with who offers it.
pub struct CatalogueEntry {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub domains: Vec<String>,
    pub areas: Vec<String>,
    pub providers: Vec<Provider>,
}

impl CatalogueEntry {
    pub fn domain_keys(&self) -> Vec<String> {
        Domain::label_keys(&self.domains)
    }
}

/// A page of the catalogue by name, each service with its current providers, in one
/// statement. `search` matches name, description and areas; one row more than a page tells
/// whether there is a next.
pub async fn catalogue(
    tx: &mut TenantTx,
    search: &str,
    domain: Option<Domain>,
    page: i64,
) -> sqlx::Result<Vec<CatalogueEntry>> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    let rows = sqlx::query!(
        r#"SELECT s.id, s.name, s.description, s.domains, s.areas,
                  COALESCE(p.ids, '{}') AS "provider_ids!", COALESCE(p.names, '{}') AS "provider_names!"
           FROM services s
           LEFT JOIN LATERAL (
               SELECT array_agg(o.id ORDER BY lower(o.name), o.id) AS ids,
                      array_agg(o.name ORDER BY lower(o.name), o.id) AS names
               FROM organisation_services os
               JOIN organisations o ON o.tenant_id = os.tenant_id AND o.id = os.organisation_id
               WHERE os.tenant_id = s.tenant_id AND os.service_id = s.id AND o.status IN ('aspirant', 'lid')
           ) p ON true
           WHERE s.tenant_id = $1
             AND lower(s.name || ' ' || s.description || ' ' || array_to_string(s.areas, ' ')) LIKE $2
             AND ($3::text IS NULL OR $3 = ANY (s.domains))
           ORDER BY lower(s.name), s.id
           LIMIT $4 OFFSET $5"#,
        tx.tenant_id(),
        pattern,
        domain.map(Domain::code),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| CatalogueEntry {
            id: row.id,
            name: row.name,
            description: row.description,
            domains: row.domains,
            areas: row.areas,
            providers: row
                .provider_ids
                .into_iter()
                .zip(row.provider_names)
                .map(|(id, name)| Provider { id, name })
                .collect(),
        })
        .collect())
}

/// How many services [`catalogue`] finds in all.
pub async fn count(tx: &mut TenantTx, search: &str, domain: Option<Domain>) -> sqlx::Result<i64> {
    let pattern = format!("%{}%", search.trim().to_lowercase().replace(['%', '_'], ""));
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM services s
           WHERE s.tenant_id = $1
             AND lower(s.name || ' ' || s.description || ' ' || array_to_string(s.areas, ' ')) LIKE $2
             AND ($3::text IS NULL OR $3 = ANY (s.domains))"#,
        tx.tenant_id(),
        pattern,
        domain.map(Domain::code),
    )
    .fetch_one(&mut **tx)
    .await
}

/// One service as stored.
pub struct Service {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub domains: Vec<String>,
    pub areas: Vec<String>,
    pub tariff_cents: Option<i64>,
    pub tariff_unit: Option<String>,
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Service>> {
    sqlx::query_as!(
        Service,
        "SELECT id, name, description, domains, areas, tariff_cents, tariff_unit
         FROM services WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

/// A service as typed in the form, kept as typed for re-display.
#[derive(Debug, Default, Clone)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub domains: Vec<String>,
    /// Areas separated by commas.
    pub areas: String,
    /// The tariff as typed, and what it is per (empty: no tariff).
    pub tariff: String,
    pub tariff_unit: String,
}

/// The same, checked.
pub struct ServiceDetails {
    pub name: String,
    pub description: String,
    pub domains: Vec<Domain>,
    pub areas: Vec<String>,
    pub tariff: Option<(Cents, TariffUnit)>,
}

impl ServiceInput {
    pub fn from_fields(fields: &Fields) -> ServiceInput {
        ServiceInput {
            name: fields.get("name").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
            domains: fields.get_all("domains").map(str::to_owned).collect(),
            areas: fields.get("areas").trim().to_owned(),
            tariff: fields.get("tariff").trim().to_owned(),
            tariff_unit: fields.get("tariff_unit").to_owned(),
        }
    }

    pub fn from_service(service: &Service) -> ServiceInput {
        ServiceInput {
            name: service.name.clone(),
            description: service.description.clone(),
            domains: service.domains.clone(),
            areas: service.areas.join(", "),
            tariff: service
                .tariff_cents
                .map(|c| Cents(c).for_input())
                .unwrap_or_default(),
            tariff_unit: service.tariff_unit.clone().unwrap_or_default(),
        }
    }

    pub fn has_domain(&self, domain: &Domain) -> bool {
        self.domains.iter().any(|d| d == domain.code())
    }

    /// Checks the fields: a name and at least one domain. Areas are a comma-separated list;
    /// none means the whole municipality.
    pub fn validate(&self, errors: &mut FormErrors) -> Option<ServiceDetails> {
        if self.name.is_empty() {
            errors.field("name", "service.error.name");
        }
        let domains: Vec<Domain> = Domain::ALL
            .iter()
            .copied()
            .filter(|domain| self.has_domain(domain))
            .collect();
        if domains.is_empty() || domains.len() != self.domains.len() {
            errors.field("domains", "service.error.domains");
        }
        let tariff = self.validate_tariff(errors);
        if !errors.is_empty() {
            return None;
        }
        let mut areas: Vec<String> = Vec::new();
        for area in self.areas.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            if !areas
                .iter()
                .any(|known| known.to_lowercase() == area.to_lowercase())
            {
                areas.push(area.to_owned());
            }
        }
        Some(ServiceDetails {
            name: self.name.clone(),
            description: self.description.clone(),
            domains,
            areas,
            tariff,
        })
    }

    /// A tariff is an amount with what it is per, or neither.
    fn validate_tariff(&self, errors: &mut FormErrors) -> Option<(Cents, TariffUnit)> {
        let unit = TariffUnit::parse(&self.tariff_unit);
        match (self.tariff.is_empty(), unit) {
            (true, None) if self.tariff_unit.is_empty() => None,
            (true, _) => {
                errors.field("tariff", "service.error.tariff_missing");
                None
            }
            (false, None) => {
                errors.field("tariff_unit", "service.error.tariff_unit");
                None
            }
            (false, Some(unit)) => match Cents::parse(&self.tariff) {
                Ok(amount) => Some((amount, unit)),
                Err(e) => {
                    errors.field("tariff", e.message_key());
                    None
                }
            },
        }
    }
}

impl ServiceDetails {
    fn domain_codes(&self) -> Vec<String> {
        self.domains.iter().map(|d| d.code().to_owned()).collect()
    }

    pub fn tariff_cents(&self) -> Option<i64> {
        self.tariff.map(|(amount, _)| amount.0)
    }

    pub fn tariff_unit(&self) -> Option<&'static str> {
        self.tariff.map(|(_, unit)| unit.code())
    }
}

pub async fn create(tx: &mut TenantTx, details: &ServiceDetails) -> sqlx::Result<Result<Uuid, NameTaken>> {
    sqlx::query_scalar!(
        "INSERT INTO services (tenant_id, name, description, domains, areas, tariff_cents, tariff_unit)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
        tx.tenant_id(),
        details.name,
        details.description,
        &details.domain_codes(),
        &details.areas,
        details.tariff_cents(),
        details.tariff_unit(),
    )
    .fetch_one(&mut **tx)
    .await
    .on_constraint("services_name", || NameTaken)
}

pub async fn update(
    tx: &mut TenantTx,
    id: Uuid,
    details: &ServiceDetails,
) -> sqlx::Result<Result<(), NameTaken>> {
    let updated = sqlx::query!(
        "UPDATE services SET name = $3, description = $4, domains = $5, areas = $6, tariff_cents = $7, tariff_unit = $8
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id,
        details.name,
        details.description,
        &details.domain_codes(),
        &details.areas,
        details.tariff_cents(),
        details.tariff_unit(),
    )
    .execute(&mut **tx)
    .await
    .on_constraint("services_name", || NameTaken)?;
    Ok(updated.map(|_| ()))
}
