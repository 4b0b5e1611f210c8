//! Message catalogues. Dutch is the default; English sits beside it with the same keys
//! (a unit test fails when a key is missing in either, or used in a template but absent).
//!
//! Catalogue files hold `key = text` lines; `{name}` in a text is filled in by [`Lang::tf`].

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

const NL: &str = include_str!("locales/nl.txt");
const EN: &str = include_str!("locales/en.txt");

static CATALOGUES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
    LazyLock::new(|| [parse(NL), parse(EN)]);

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn catalogue(self) -> &'static HashMap<&'static str, &'static str> {
        &CATALOGUES[self as usize]
    }

    /// The text for `key`; a missing key shows itself (and is logged) rather than failing a page.
    pub fn t(self, key: &str) -> &str {
        match self.catalogue().get(key) {
            Some(text) => text,
            None => {
                tracing::warn!(key, lang = self.code(), "missing translation");
                key
            }
        }
    }

    /// The text for `key` when the catalogue has it: for stored codes that may have a label.
    pub fn find(self, key: &str) -> Option<&'static str> {
        self.catalogue().get(key).copied()
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        args.iter().fold(self.t(key).to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
    }

    /// The first supported language in `Accept-Language` by quality, else Dutch.
    pub fn negotiate(headers: &HeaderMap) -> Lang {
        Lang::from_accept_language(headers).unwrap_or_default()
    }

    /// The supported language the browser prefers most, if it names one.
    fn from_accept_language(headers: &HeaderMap) -> Option<Lang> {
        let value = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())?;
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Some(lang) = Lang::from_code(primary)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(text: &'static str) -> BTreeSet<&'static str> {
        parse(text).into_keys().collect()
    }

    #[test]
    fn catalogues_have_the_same_keys() {
        let nl = keys(NL);
        let en = keys(EN);
        let only_nl: Vec<_> = nl.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&nl).collect();
        assert!(only_nl.is_empty(), "missing in en.txt: {only_nl:?}");
        assert!(only_en.is_empty(), "missing in nl.txt: {only_en:?}");
    }

    #[test]
    fn no_key_is_written_twice() {
        for (name, text) in [("nl", NL), ("en", EN)] {
            let mut seen = BTreeSet::new();
            for key in text
                .lines()
                .filter_map(|l| l.split_once(" = "))
                .map(|(k, _)| k.trim())
            {
                assert!(seen.insert(key), "{name}: {key} twice (the later one would win)");
            }
        }
    }

    #[test]
    fn every_catalogue_line_is_a_key_and_a_text() {
        for (name, text) in [("nl", NL), ("en", EN)] {
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let (key, value) = line
                    .split_once(" = ")
                    .unwrap_or_else(|| panic!("{name}: malformed line {line:?}"));
                assert!(
                    !key.trim().is_empty() && !value.trim().is_empty(),
                    "{name}: empty key or text in {line:?}"
                );
            }
        }
    }

    /// Every literal key used as `t("...")` in templates and code exists in both catalogues.
    #[test]
    fn every_used_key_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        collect_files(&root.join("templates"), &mut files);
        collect_files(&root.join("src"), &mut files);
        let nl = keys(NL);
        let en = keys(EN);
        let mut missing = Vec::new();
        // This file's own examples are not keys.
        for file in files.into_iter().filter(|f| !f.ends_with("web/i18n.rs")) {
            let text = std::fs::read_to_string(&file).unwrap();
            for key in quoted_keys(&text) {
                if !nl.contains(key.as_str()) || !en.contains(key.as_str()) {
                    missing.push(format!("{}: {key}", file.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not in both catalogues:\n{}",
            missing.join("\n")
        );
    }

    /// Literal keys: `t("a.b")`, `tf("a.b", ...)` and `key: "a.b"` / `_key: "a.b"` in code.
    fn quoted_keys(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        for marker in ["t(\"", "tf(\"", "_key: \"", "key(\""] {
            let mut rest = text;
            while let Some(start) = rest.find(marker) {
                rest = &rest[start + marker.len()..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if key.contains('.')
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
                    {
                        found.push(key.to_owned());
                    }
                }
            }
        }
        found
    }

    fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_files(&path, out);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("rs" | "html")) {
                out.push(path);
            }
        }
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::negotiate(&headers), Lang::Nl);
        headers.insert(ACCEPT_LANGUAGE, "en-GB,en;q=0.9,nl;q=0.8".parse().unwrap());
        assert_eq!(Lang::negotiate(&headers), Lang::En);
        headers.insert(ACCEPT_LANGUAGE, "de-DE, nl;q=0.5, en;q=0.4".parse().unwrap());
        assert_eq!(Lang::negotiate(&headers), Lang::Nl);
        headers.insert(ACCEPT_LANGUAGE, "fr".parse().unwrap());
        assert_eq!(Lang::negotiate(&headers), Lang::Nl);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(Lang::Nl.tf("home.welcome", &[("name", "Ans")]), "Welkom, Ans");
    }
}
