//! An event's details as a line people read: "Rollen: baliemedewerker; E-mail: …" instead of
//! the JSON that is stored. Ids in the details are already names when they reach this point
//! (`audit_named_details`, migration 0030); here each field gets its label and each stored
//! code its word.

use serde_json::Value;

use crate::shared::format::dutch_date;
use crate::web::i18n::Lang;

/// The details of an event in words, or nothing when there are none.
pub fn describe(details: &Value, lang: Lang) -> String {
    match details {
        Value::Object(fields) => fields
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| format!("{}: {}", label(key, lang), value_text(key, value, lang)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => String::new(),
        other => value_text("", other, lang),
    }
}

/// The label of a field: the audit log's own, else the one of the settings or resident field it
/// names.
fn label(key: &str, lang: Lang) -> String {
    ["audit.detail", "settings.field", "privacy.field"]
        .iter()
        .find_map(|catalogue| lang.find(&format!("{catalogue}.{key}")))
        .map_or_else(|| key.replace('_', " "), str::to_owned)
}

fn value_text(key: &str, value: &Value, lang: Lang) -> String {
    match value {
        Value::Null => "–".to_owned(),
        Value::Bool(true) => lang.t("privacy.yes").to_owned(),
        Value::Bool(false) => lang.t("privacy.no").to_owned(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => word(key, text, lang),
        Value::Array(items) => items
            .iter()
            .map(|item| value_text(key, item, lang))
            .collect::<Vec<_>>()
            .join(", "),
        // A setting that changed: {"old": …, "new": …}.
        Value::Object(change) if change.contains_key("old") || change.contains_key("new") => {
            let side = |name: &str| value_text(key, change.get(name).unwrap_or(&Value::Null), lang);
            lang.tf(
                "audit.change",
                &[("old", side("old").as_str()), ("new", side("new").as_str())],
            )
        }
        nested => format!("({})", describe(nested, lang)),
    }
}

/// Where the catalogue keeps the words of the codes a field of the details stores.
fn code_catalogues(key: &str) -> &'static [&'static str] {
    match key {
        "roles" | "old" | "new" => &["role", "language"],
        "default_language" => &["language"],
        "relation" => &["relation"],
        "triage" => &["triage"],
        "fields" => &["privacy.field"],
        "kind" => &["clockkind"],
        "from" | "to" => &["escalation"],
        "format" => &["audit.format"],
        "counted_on" => &["audit.counted_on"],
        "presence" => &["presence"],
        "status" => &["referralstatus", "memberstatus"],
        "step" | "action" => &["audit.step"],
        "as" => &["role"],
        "second_factor" => &["settings.second_factor"],
        _ => &[],
    }
}

/// A stored code in words, a date the Dutch way, any other text as it is.
fn word(key: &str, text: &str, lang: Lang) -> String {
    code_catalogues(key)
        .iter()
        .find_map(|catalogue| lang.find(&format!("{catalogue}.{text}")))
        .map(str::to_owned)
        .or_else(|| dutch_date(text))
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn details_read_as_dutch_text() {
        let invited = json!({ "email": "nina@demo.test", "roles": ["desk", "member"], "organisation": "Welzijn Woudenberg" });
        assert_eq!(
            describe(&invited, Lang::Nl),
            "E-mail: nina@demo.test; Organisatie: Welzijn Woudenberg; Rollen: baliemedewerker, medewerker lidorganisatie"
        );
        let language = json!({ "old": "en", "new": "nl" });
        assert_eq!(describe(&language, Lang::Nl), "Nu: Nederlands; Was: Engels");
        let setting = json!({ "signpost_follow_up_days": { "old": 10, "new": 12 } });
        assert_eq!(
            describe(&setting, Lang::Nl),
            "Nabellen na wegwijzer (werkdagen): van 10 naar 12"
        );
        assert_eq!(describe(&json!({}), Lang::Nl), "");
        assert_eq!(
            describe(&json!({ "date": "2026-03-05" }), Lang::Nl),
            "Datum: 05-03-2026"
        );
    }
}
