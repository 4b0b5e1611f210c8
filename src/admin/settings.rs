//! The cooperative's own settings: name and contact details, language, second factor,
//! statutory terms, closing days, signposting destinations and retention periods.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use time::Date;
use uuid::Uuid;

use crate::audit::{self, Actor, AuditKind};
use crate::auth::second_factor::Requirement;
use crate::auth::{CurrentUser, Role};
use crate::calendar::{LiberationDay, WorkingCalendar};
use crate::db::TenantTx;
use crate::error::{AppError, AppResult};
use crate::shared::format::format_date;
use crate::web::context::RequestContext;
use crate::web::forms::{self, Fields};
use crate::web::ids::PathId;
use crate::web::layout::{FormErrors, Layout};
use crate::web::{self};

/// The numeric settings: (form field and column, minimum, maximum, the message that names the
/// field and its range).
const NUMBERS: [(&str, i32, i32, &str); 10] = [
    (
        "wmo_investigation_weeks",
        1,
        52,
        "settings.error.wmo_investigation_weeks",
    ),
    ("wmo_decision_weeks", 1, 52, "settings.error.wmo_decision_weeks"),
    (
        "jeugd_decision_weeks",
        1,
        52,
        "settings.error.jeugd_decision_weeks",
    ),
    ("max_extension_weeks", 0, 52, "settings.error.max_extension_weeks"),
    (
        "referral_answer_days",
        1,
        60,
        "settings.error.referral_answer_days",
    ),
    (
        "signpost_follow_up_days",
        1,
        90,
        "settings.error.signpost_follow_up_days",
    ),
    (
        "retention_request_years",
        1,
        30,
        "settings.error.retention_request_years",
    ),
    (
        "retention_case_years",
        1,
        30,
        "settings.error.retention_case_years",
    ),
    (
        "retention_youth_case_years",
        1,
        30,
        "settings.error.retention_youth_case_years",
    ),
    (
        "retention_audit_years",
        1,
        30,
        "settings.error.retention_audit_years",
    ),
];

/// Every setting as text, keyed by field name: what the form shows and the audit compares.
type Values = BTreeMap<&'static str, String>;

async fn load(tx: &mut TenantTx) -> sqlx::Result<Values> {
    let row = sqlx::query!(
        "SELECT t.name, t.default_language, s.contact_email, s.contact_phone, s.contact_address,
                s.second_factor, s.wmo_investigation_weeks, s.wmo_decision_weeks, s.jeugd_decision_weeks,
                s.max_extension_weeks, s.referral_answer_days, s.signpost_follow_up_days,
                s.liberation_day_every_year, s.retention_request_years, s.retention_case_years,
                s.retention_youth_case_years, s.retention_audit_years
         FROM tenant_settings s JOIN tenants t ON t.id = s.tenant_id
         WHERE s.tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(BTreeMap::from([
        ("name", row.name),
        ("default_language", row.default_language),
        ("contact_email", row.contact_email),
        ("contact_phone", row.contact_phone),
        ("contact_address", row.contact_address),
        ("second_factor", row.second_factor),
        ("wmo_investigation_weeks", row.wmo_investigation_weeks.to_string()),
        ("wmo_decision_weeks", row.wmo_decision_weeks.to_string()),
        ("jeugd_decision_weeks", row.jeugd_decision_weeks.to_string()),
        ("max_extension_weeks", row.max_extension_weeks.to_string()),
        ("referral_answer_days", row.referral_answer_days.to_string()),
        ("signpost_follow_up_days", row.signpost_follow_up_days.to_string()),
        (
            "liberation_day_every_year",
            row.liberation_day_every_year.to_string(),
        ),
        ("retention_request_years", row.retention_request_years.to_string()),
        ("retention_case_years", row.retention_case_years.to_string()),
        (
            "retention_youth_case_years",
            row.retention_youth_case_years.to_string(),
        ),
        ("retention_audit_years", row.retention_audit_years.to_string()),
    ]))
}

/// The tenant's working-day calendar: the one used for every term in working days.
pub async fn working_calendar(tx: &mut TenantTx) -> sqlx::Result<WorkingCalendar> {
    let every_year = sqlx::query_scalar!(
        "SELECT liberation_day_every_year FROM tenant_settings WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    let days = sqlx::query_scalar!(
        "SELECT day FROM closing_days WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_all(&mut **tx)
    .await?;
    let liberation = if every_year {
        LiberationDay::EveryYear
    } else {
        LiberationDay::LustrumYearsOnly
    };
    Ok(WorkingCalendar::new(liberation, days))
}

pub struct ClosingDay {
    pub day: Date,
    pub description: String,
}

impl ClosingDay {
    pub fn label(&self) -> String {
        format_date(self.day)
    }

    pub fn iso(&self) -> String {
        self.day.to_string()
    }
}

pub struct Destination {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    l: Layout,
    values: Values,
    requirements: [Requirement; 3],
    closing_days: Vec<ClosingDay>,
    destinations: Vec<Destination>,
    errors: FormErrors,
    closing_day: String,
    closing_description: String,
    destination_name: String,
    destination_description: String,
}

impl SettingsPage {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_default()
    }
}

struct Extra {
    closing_day: String,
    closing_description: String,
    destination_name: String,
    destination_description: String,
}

impl Extra {
    fn none() -> Extra {
        Extra {
            closing_day: String::new(),
            closing_description: String::new(),
            destination_name: String::new(),
            destination_description: String::new(),
        }
    }
}

async fn render(
    mut tx: TenantTx,
    ctx: &RequestContext,
    values: Values,
    errors: FormErrors,
    extra: Extra,
) -> AppResult<Response> {
    let closing_days = sqlx::query_as!(
        ClosingDay,
        "SELECT day, description FROM closing_days WHERE tenant_id = $1 AND day >= current_date - 31 ORDER BY day LIMIT 200",
        tx.tenant_id()
    )
    .fetch_all(&mut *tx)
    .await?;
    let destinations = sqlx::query_as!(
        Destination,
        "SELECT id, name, description, active FROM signpost_destinations
         WHERE tenant_id = $1 ORDER BY position, lower(name) LIMIT 200",
        tx.tenant_id()
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    web::render_with_status(
        status,
        &SettingsPage {
            values,
            requirements: Requirement::ALL,
            closing_days,
            destinations,
            errors,
            closing_day: extra.closing_day,
            closing_description: extra.closing_description,
            destination_name: extra.destination_name,
            destination_description: extra.destination_description,
            l: ctx.layout(),
        },
    )
}

/// Records a settings change, commits it and goes back to the settings page.
async fn saved(
    mut tx: TenantTx,
    ctx: &RequestContext,
    user: &CurrentUser,
    details: Value,
) -> AppResult<Response> {
    audit::record(
        &mut tx,
        &Actor::user(user, ctx.client_ip),
        AuditKind::SettingsChanged,
        None,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(web::redirect_with_flash(
        &format!("/{}/admin/settings", ctx.tenant.slug),
        "flash.settings_saved",
    ))
}

fn admin(user: &CurrentUser) -> AppResult<()> {
    user.require_any(&[Role::Admin])
}

pub async fn show(ctx: RequestContext, user: CurrentUser) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let values = load(&mut tx).await?;
    render(tx, &ctx, values, FormErrors::default(), Extra::none()).await
}

pub async fn save(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut errors = fields.errors();
    let mut new: Values = BTreeMap::new();
    let name = fields.get("name").trim();
    if name.is_empty() {
        errors.field("name", "settings.error.name");
    }
    new.insert("name", name.to_owned());
    let email = fields.get("contact_email").trim();
    if !email.is_empty() && crate::auth::users::Email::parse(email).is_none() {
        errors.field("contact_email", "settings.error.contact_email");
    }
    new.insert("contact_email", email.to_owned());
    new.insert("contact_phone", fields.get("contact_phone").trim().to_owned());
    new.insert("contact_address", fields.get("contact_address").trim().to_owned());
    let language = fields.get("default_language");
    if crate::web::i18n::Lang::from_code(language).is_none() {
        errors.field("default_language", "settings.error.default_language");
    }
    new.insert("default_language", language.to_owned());
    let requirement = fields.get("second_factor");
    if Requirement::parse(requirement).is_none() {
        errors.field("second_factor", "settings.error.second_factor");
    }
    new.insert("second_factor", requirement.to_owned());
    for (field, min, max, message) in NUMBERS {
        let raw = fields.get(field);
        if forms::parse_in_range(raw, min, max).is_none() {
            errors.field(field, message);
        }
        new.insert(field, raw.trim().to_owned());
    }
    new.insert(
        "liberation_day_every_year",
        (fields.get("liberation_day_every_year") == "true").to_string(),
    );

    let mut tx = ctx.tx().await?;
    if !errors.is_empty() {
        return render(tx, &ctx, new, errors, Extra::none()).await;
    }
    let old = load(&mut tx).await?;
    let number = |name: &str| new[name].parse::<i32>().unwrap_or_default();
    sqlx::query!(
        "UPDATE tenants SET name = $2, default_language = $3 WHERE id = $1",
        tx.tenant_id(),
        new["name"],
        new["default_language"]
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE tenant_settings SET contact_email = $2, contact_phone = $3, contact_address = $4,
             second_factor = $5, wmo_investigation_weeks = $6, wmo_decision_weeks = $7,
             jeugd_decision_weeks = $8, max_extension_weeks = $9, referral_answer_days = $10,
             signpost_follow_up_days = $11, liberation_day_every_year = $12,
             retention_request_years = $13, retention_case_years = $14,
             retention_youth_case_years = $15, retention_audit_years = $16
         WHERE tenant_id = $1",
        tx.tenant_id(),
        new["contact_email"],
        new["contact_phone"],
        new["contact_address"],
        new["second_factor"],
        number("wmo_investigation_weeks"),
        number("wmo_decision_weeks"),
        number("jeugd_decision_weeks"),
        number("max_extension_weeks"),
        number("referral_answer_days"),
        number("signpost_follow_up_days"),
        new["liberation_day_every_year"] == "true",
        number("retention_request_years"),
        number("retention_case_years"),
        number("retention_youth_case_years"),
        number("retention_audit_years"),
    )
    .execute(&mut *tx)
    .await?;
    let changes: serde_json::Map<String, Value> = new
        .iter()
        .filter(|(key, value)| old.get(*key) != Some(*value))
        .map(|(key, value)| ((*key).to_owned(), json!({ "old": old.get(*key), "new": value })))
        .collect();
    if changes.is_empty() {
        tx.commit().await?;
        return Ok(web::redirect_with_flash(
            &format!("/{}/admin/settings", ctx.tenant.slug),
            "flash.settings_saved",
        ));
    }
    saved(tx, &ctx, &user, Value::Object(changes)).await
}

pub async fn add_closing_day(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let mut errors = fields.errors();
    let day = forms::parse_date(fields.get("day"));
    if day.is_none() {
        errors.field("day", "settings.error.date");
    }
    let description = fields.get("description").trim().to_owned();
    if description.is_empty() {
        errors.field("description", "settings.error.description");
    }
    let mut tx = ctx.tx().await?;
    if let (Some(day), true) = (day, errors.is_empty()) {
        // ON CONFLICT: a failed insert would abort the transaction the form is re-rendered in.
        let added = sqlx::query!(
            "INSERT INTO closing_days (tenant_id, day, description) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            tx.tenant_id(),
            day,
            description
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            return saved(tx, &ctx, &user, json!({ "closing_day": { "old": null, "new": format!("{} {description}", format_date(day)) } })).await;
        }
        errors.field("day", "settings.error.duplicate_day");
    }
    let values = load(&mut tx).await?;
    let extra = Extra {
        closing_day: fields.get("day").to_owned(),
        closing_description: description,
        ..Extra::none()
    };
    render(tx, &ctx, values, errors, extra).await
}

pub async fn remove_closing_day(
    ctx: RequestContext,
    user: CurrentUser,
    Path((_, day)): Path<(String, String)>,
) -> AppResult<Response> {
    admin(&user)?;
    let day = forms::parse_date(&day).ok_or(AppError::NotFound)?;
    let mut tx = ctx.tx().await?;
    let removed = sqlx::query_scalar!(
        "DELETE FROM closing_days WHERE tenant_id = $1 AND day = $2 RETURNING description",
        tx.tenant_id(),
        day
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    saved(
        tx,
        &ctx,
        &user,
        json!({ "closing_day": { "old": format!("{} {removed}", format_date(day)), "new": null } }),
    )
    .await
}

pub async fn add_destination(
    ctx: RequestContext,
    user: CurrentUser,
    axum::Form(fields): axum::Form<Fields>,
) -> AppResult<Response> {
    admin(&user)?;
    let name = fields.get("name").trim().to_owned();
    let description = fields.get("description").trim().to_owned();
    // The page's other forms have a `name` and a `description` of their own.
    let mut errors = fields.errors();
    errors.rename("name", "destination_name");
    errors.rename("description", "destination_description");
    let mut tx = ctx.tx().await?;
    if name.is_empty() {
        errors.field("destination_name", "settings.error.destination_name");
    } else if errors.is_empty() {
        let added = sqlx::query!(
            "INSERT INTO signpost_destinations (tenant_id, name, description, position)
             SELECT $1, $2, $3, coalesce(max(position) + 1, 0) FROM signpost_destinations WHERE tenant_id = $1
             ON CONFLICT DO NOTHING",
            tx.tenant_id(),
            name,
            description
        )
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            return saved(
                tx,
                &ctx,
                &user,
                json!({ "signpost_destination": { "old": null, "new": name } }),
            )
            .await;
        }
        errors.field("destination_name", "settings.error.duplicate_destination");
    }
    let values = load(&mut tx).await?;
    let extra = Extra {
        destination_name: name,
        destination_description: description,
        ..Extra::none()
    };
    render(tx, &ctx, values, errors, extra).await
}

pub async fn toggle_destination(
    ctx: RequestContext,
    user: CurrentUser,
    PathId(id): PathId,
) -> AppResult<Response> {
    admin(&user)?;
    let mut tx = ctx.tx().await?;
    let row = sqlx::query!(
        "UPDATE signpost_destinations SET active = NOT active WHERE tenant_id = $1 AND id = $2 RETURNING name, active",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    saved(
        tx,
        &ctx,
        &user,
        json!({ "signpost_destination": row.name, "active": { "old": !row.active, "new": row.active } }),
    )
    .await
}
