//! Residents: registering, finding, and telling people apart.

use time::Date;
use uuid::Uuid;

use crate::db::TenantTx;
use crate::intake::values::{Bsn, mask_bsn, parse_postcode};
use crate::web::forms::{Fields, parse_date};
use crate::web::layout::FormErrors;

/// A resident's details as typed in the form, kept as typed for re-display.
#[derive(Debug, Default, Clone)]
pub struct ResidentInput {
    pub first_names: String,
    pub initials: String,
    pub surname_prefix: String,
    pub surname: String,
    pub date_of_birth: String,
    pub bsn: String,
    pub street: String,
    pub house_number: String,
    pub house_number_addition: String,
    pub postcode: String,
    pub place: String,
    pub phone: String,
    pub email: String,
    pub preferred_language: String,
    pub remarks: String,
}

/// The same details, checked and normalised.
pub struct ResidentDetails {
    pub first_names: String,
    pub initials: String,
    pub surname_prefix: String,
    pub surname: String,
    pub date_of_birth: Option<Date>,
    pub bsn: Option<Bsn>,
    pub street: String,
    pub house_number: String,
    pub house_number_addition: String,
    pub postcode: Option<String>,
    pub place: String,
    pub phone: String,
    pub email: String,
    pub preferred_language: String,
    pub remarks: String,
}

impl ResidentInput {
    pub fn from_fields(fields: &Fields) -> ResidentInput {
        let get = |name: &str| fields.get(name).trim().to_owned();
        ResidentInput {
            first_names: get("first_names"),
            initials: get("initials"),
            surname_prefix: get("surname_prefix"),
            surname: get("surname"),
            date_of_birth: get("date_of_birth"),
            bsn: get("bsn"),
            street: get("street"),
            house_number: get("house_number"),
            house_number_addition: get("house_number_addition"),
            postcode: get("postcode"),
            place: get("place"),
            phone: get("phone"),
            email: get("email"),
            preferred_language: get("preferred_language"),
            remarks: fields.get("remarks").trim().to_owned(),
        }
    }

    /// Every field by its name in the form, to send again as typed.
    pub fn fields(&self) -> [(&'static str, &str); 15] {
        [
            ("first_names", &self.first_names),
            ("initials", &self.initials),
            ("surname_prefix", &self.surname_prefix),
            ("surname", &self.surname),
            ("date_of_birth", &self.date_of_birth),
            ("bsn", &self.bsn),
            ("street", &self.street),
            ("house_number", &self.house_number),
            ("house_number_addition", &self.house_number_addition),
            ("postcode", &self.postcode),
            ("place", &self.place),
            ("phone", &self.phone),
            ("email", &self.email),
            ("preferred_language", &self.preferred_language),
            ("remarks", &self.remarks),
        ]
    }

    /// Checks every field; on mistakes, each gets its message and nothing is returned.
    pub fn validate(&self, today: Date, errors: &mut FormErrors) -> Option<ResidentDetails> {
        if self.surname.is_empty() {
            errors.field("surname", "resident.error.surname");
        }
        let date_of_birth = if self.date_of_birth.is_empty() {
            None
        } else {
            match parse_date(&self.date_of_birth) {
                Some(date) if date > today => {
                    errors.field("date_of_birth", "resident.error.future_birth");
                    None
                }
                Some(date) if date.year() < 1900 => {
                    errors.field("date_of_birth", "resident.error.date");
                    None
                }
                Some(date) => Some(date),
                None => {
                    errors.field("date_of_birth", "resident.error.date");
                    None
                }
            }
        };
        let bsn = if self.bsn.is_empty() {
            None
        } else {
            let parsed = Bsn::parse(&self.bsn);
            if parsed.is_none() {
                errors.field("bsn", "resident.error.bsn");
            }
            parsed
        };
        let postcode = if self.postcode.is_empty() {
            None
        } else {
            let parsed = parse_postcode(&self.postcode);
            if parsed.is_none() {
                errors.field("postcode", "resident.error.postcode");
            }
            parsed
        };
        if !self.email.is_empty() && crate::auth::users::Email::parse(&self.email).is_none() {
            errors.field("email", "users.error.email");
        }
        if !errors.is_empty() {
            return None;
        }
        Some(ResidentDetails {
            first_names: self.first_names.clone(),
            initials: self.initials.clone(),
            surname_prefix: self.surname_prefix.clone(),
            surname: self.surname.clone(),
            date_of_birth,
            bsn,
            street: self.street.clone(),
            house_number: self.house_number.clone(),
            house_number_addition: self.house_number_addition.clone(),
            postcode,
            place: self.place.clone(),
            phone: self.phone.clone(),
            email: self.email.to_lowercase(),
            preferred_language: if self.preferred_language.is_empty() {
                "nl".to_owned()
            } else {
                self.preferred_language.clone()
            },
            remarks: self.remarks.clone(),
        })
    }
}

impl ResidentDetails {
    /// Which fields differ from what is stored: the audit log names them, without their values.
    pub fn changes_from(&self, old: &Resident) -> Vec<&'static str> {
        let (before, after) = (old.input(), self.input());
        let pairs: [(&'static str, &str, &str); 15] = [
            ("first_names", &before.first_names, &after.first_names),
            ("initials", &before.initials, &after.initials),
            ("surname_prefix", &before.surname_prefix, &after.surname_prefix),
            ("surname", &before.surname, &after.surname),
            ("date_of_birth", &before.date_of_birth, &after.date_of_birth),
            ("bsn", &before.bsn, &after.bsn),
            ("street", &before.street, &after.street),
            ("house_number", &before.house_number, &after.house_number),
            (
                "house_number_addition",
                &before.house_number_addition,
                &after.house_number_addition,
            ),
            ("postcode", &before.postcode, &after.postcode),
            ("place", &before.place, &after.place),
            ("phone", &before.phone, &after.phone),
            ("email", &before.email, &after.email),
            (
                "preferred_language",
                &before.preferred_language,
                &after.preferred_language,
            ),
            ("remarks", &before.remarks, &after.remarks),
        ];
        pairs
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(name, _, _)| name)
            .collect()
    }

    /// The checked details as a form shows them, to compare with what was stored.
    fn input(&self) -> ResidentInput {
        ResidentInput {
            first_names: self.first_names.clone(),
            initials: self.initials.clone(),
            surname_prefix: self.surname_prefix.clone(),
            surname: self.surname.clone(),
            date_of_birth: self
                .date_of_birth
                .map(crate::shared::format::format_date)
                .unwrap_or_default(),
            bsn: self
                .bsn
                .as_ref()
                .map(|b| b.as_str().to_owned())
                .unwrap_or_default(),
            street: self.street.clone(),
            house_number: self.house_number.clone(),
            house_number_addition: self.house_number_addition.clone(),
            postcode: self.postcode.clone().unwrap_or_default(),
            place: self.place.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            preferred_language: self.preferred_language.clone(),
            remarks: self.remarks.clone(),
        }
    }
}

/// One line of a list of residents: enough to tell people apart.
pub struct ResidentSummary {
    pub id: Uuid,
    pub first_names: String,
    pub initials: String,
    pub surname_prefix: String,
    pub surname: String,
    pub date_of_birth: Option<Date>,
    pub street: String,
    pub house_number: String,
    pub house_number_addition: String,
    pub postcode: Option<String>,
    pub place: String,
}

impl ResidentSummary {
    pub fn display_name(&self) -> String {
        display_name(
            &self.first_names,
            &self.initials,
            &self.surname_prefix,
            &self.surname,
        )
    }

    pub fn birth(&self) -> String {
        self.date_of_birth
            .map(crate::shared::format::format_date)
            .unwrap_or_default()
    }

    pub fn address(&self) -> String {
        address_line(
            &self.street,
            &self.house_number,
            &self.house_number_addition,
            self.postcode.as_deref(),
            &self.place,
        )
    }
}

pub fn display_name(first_names: &str, initials: &str, prefix: &str, surname: &str) -> String {
    let given = if first_names.is_empty() {
        initials
    } else {
        first_names
    };
    [given, prefix, surname]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn address_line(
    street: &str,
    number: &str,
    addition: &str,
    postcode: Option<&str>,
    place: &str,
) -> String {
    let house = format!("{street} {number}{addition}").trim().to_owned();
    let town = format!("{} {place}", postcode.unwrap_or_default())
        .trim()
        .to_owned();
    [house, town]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Residents who may be the same person: same date of birth and a similar name, or the
/// same address. Someone joining a household (`household_of`) shares the address of that
/// resident and of those already living with them, so these do not count.
pub async fn possible_duplicates(
    tx: &mut TenantTx,
    details: &ResidentDetails,
    household_of: Option<Uuid>,
) -> sqlx::Result<Vec<ResidentSummary>> {
    let full_name = format!(
        "{} {} {}",
        details.first_names, details.surname_prefix, details.surname
    );
    sqlx::query_as!(
        ResidentSummary,
        "SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, street, house_number,
                house_number_addition, postcode, place
         FROM residents r
         WHERE tenant_id = $1
           AND ((date_of_birth = $2 AND (similarity(search_full_name, search_text($3)) > 0.3 OR search_surname = search_text($4)))
                OR (postcode = $5 AND house_number = $6
                    AND id IS DISTINCT FROM $7
                    AND NOT EXISTS (SELECT FROM household_members h
                                    WHERE h.tenant_id = r.tenant_id AND h.resident_id = $7 AND h.member_id = r.id)))
         ORDER BY search_surname LIMIT 10",
        tx.tenant_id(),
        details.date_of_birth,
        full_name,
        details.surname,
        details.postcode,
        details.house_number,
        household_of
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn create(
    tx: &mut TenantTx,
    details: &ResidentDetails,
    created_by: Uuid,
) -> sqlx::Result<Result<Uuid, ()>> {
    let result = sqlx::query_scalar!(
        "INSERT INTO residents (tenant_id, first_names, initials, surname_prefix, surname, date_of_birth, bsn,
                                street, house_number, house_number_addition, postcode, place, phone, email,
                                preferred_language, remarks, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (tenant_id, bsn) DO NOTHING
         RETURNING id",
        tx.tenant_id(),
        details.first_names,
        details.initials,
        details.surname_prefix,
        details.surname,
        details.date_of_birth,
        details.bsn.as_ref().map(Bsn::as_str),
        details.street,
        details.house_number,
        details.house_number_addition,
        details.postcode,
        details.place,
        details.phone,
        details.email,
        details.preferred_language,
        details.remarks,
        created_by
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(result.ok_or(()))
}

pub async fn update(tx: &mut TenantTx, id: Uuid, details: &ResidentDetails) -> sqlx::Result<Result<(), ()>> {
    let taken = match &details.bsn {
        Some(bsn) => sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT FROM residents WHERE tenant_id = $1 AND bsn = $2 AND id <> $3) AS "taken!""#,
            tx.tenant_id(),
            bsn.as_str(),
            id
        )
        .fetch_one(&mut **tx)
        .await?,
        None => false,
    };
    if taken {
        return Ok(Err(()));
    }
    sqlx::query!(
        "UPDATE residents SET first_names = $3, initials = $4, surname_prefix = $5, surname = $6, date_of_birth = $7,
                bsn = $8, street = $9, house_number = $10, house_number_addition = $11, postcode = $12, place = $13,
                phone = $14, email = $15, preferred_language = $16, remarks = $17
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id,
        details.first_names,
        details.initials,
        details.surname_prefix,
        details.surname,
        details.date_of_birth,
        details.bsn.as_ref().map(Bsn::as_str),
        details.street,
        details.house_number,
        details.house_number_addition,
        details.postcode,
        details.place,
        details.phone,
        details.email,
        details.preferred_language,
        details.remarks
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// A resident's whole record.
pub struct Resident {
    pub id: Uuid,
    pub first_names: String,
    pub initials: String,
    pub surname_prefix: String,
    pub surname: String,
    pub date_of_birth: Option<Date>,
    pub bsn: Option<String>,
    pub street: String,
    pub house_number: String,
    pub house_number_addition: String,
    pub postcode: Option<String>,
    pub place: String,
    pub phone: String,
    pub email: String,
    pub preferred_language: String,
    pub remarks: String,
}

impl Resident {
    pub fn display_name(&self) -> String {
        display_name(
            &self.first_names,
            &self.initials,
            &self.surname_prefix,
            &self.surname,
        )
    }

    pub fn birth(&self) -> String {
        self.date_of_birth
            .map(crate::shared::format::format_date)
            .unwrap_or_default()
    }

    pub fn address(&self) -> String {
        address_line(
            &self.street,
            &self.house_number,
            &self.house_number_addition,
            self.postcode.as_deref(),
            &self.place,
        )
    }

    pub fn language_key(&self) -> String {
        format!("language.{}", self.preferred_language)
    }

    pub fn masked_bsn(&self) -> Option<String> {
        self.bsn.as_deref().map(mask_bsn)
    }

    /// The record as the edit form shows it.
    pub fn input(&self) -> ResidentInput {
        ResidentInput {
            first_names: self.first_names.clone(),
            initials: self.initials.clone(),
            surname_prefix: self.surname_prefix.clone(),
            surname: self.surname.clone(),
            date_of_birth: self.birth(),
            bsn: self.bsn.clone().unwrap_or_default(),
            street: self.street.clone(),
            house_number: self.house_number.clone(),
            house_number_addition: self.house_number_addition.clone(),
            postcode: self.postcode.clone().unwrap_or_default(),
            place: self.place.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            preferred_language: self.preferred_language.clone(),
            remarks: self.remarks.clone(),
        }
    }
}

pub async fn find(tx: &mut TenantTx, id: Uuid) -> sqlx::Result<Option<Resident>> {
    sqlx::query_as!(
        Resident,
        "SELECT id, first_names, initials, surname_prefix, surname, date_of_birth, bsn, street, house_number,
                house_number_addition, postcode, place, phone, email, preferred_language, remarks
         FROM residents WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_names_only_the_fields_it_really_changed() {
        let stored = Resident {
            id: Uuid::new_v4(),
            first_names: "Jan".into(),
            initials: "J.".into(),
            surname_prefix: "de".into(),
            surname: "Vries".into(),
            date_of_birth: Some(time::macros::date!(1957 - 03 - 12)),
            bsn: Some("111222333".into()),
            street: "Dorpsstraat".into(),
            house_number: "12".into(),
            house_number_addition: String::new(),
            postcode: Some("3931 AB".into()),
            place: "Woudenberg".into(),
            phone: "033 1234567".into(),
            email: "jan@example.nl".into(),
            preferred_language: "nl".into(),
            remarks: String::new(),
        };
        let today = time::macros::date!(2025 - 03 - 12);
        // Typed differently but the same once checked: no change.
        let mut input = stored.input();
        input.postcode = "3931ab".into();
        input.email = "JAN@example.nl".into();
        input.bsn = "111.222.333".into();
        input.phone = "06 12345678".into();
        input.remarks = "Slechthorend".into();
        let mut errors = FormErrors::default();
        let details = input.validate(today, &mut errors).expect("valid");
        assert_eq!(details.changes_from(&stored), ["phone", "remarks"]);
    }

    #[test]
    fn names_and_addresses_read_naturally() {
        assert_eq!(display_name("Jan", "J.", "de", "Vries"), "Jan de Vries");
        assert_eq!(display_name("", "J.P.", "", "Bakker"), "J.P. Bakker");
        assert_eq!(
            address_line("Dorpsstraat", "12", "a", Some("3931 AB"), "Woudenberg"),
            "Dorpsstraat 12a, 3931 AB Woudenberg"
        );
    }
}
