//! The dependency rules of docs/architecture.md, read off the sources: who may import whom,
//! where the application state is known, and how long a source file may grow.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The domain modules: each owns its routes, queries and view models.
const DOMAINS: &[&str] = &[
    "intake",
    "cases",
    "referrals",
    "members",
    "assembly",
    "finance",
    "reports",
    "admin",
];
/// The foundations every domain builds on; they know no domain.
const FOUNDATIONS: &[&str] = &["web", "auth", "db", "tenancy", "shared"];
/// Governance never reaches residents' files.
const GOVERNANCE: &[&str] = &["assembly", "members"];
const RESIDENTS_FILES: &[&str] = &["intake", "cases", "referrals"];
const MAX_LINES: usize = 800;

struct Source {
    path: PathBuf,
    /// The top-level module the file belongs to (`cases` for src/cases/web/page.rs).
    module: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            let first = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let module = first.trim_end_matches(".rs").to_owned();
            let text = fs::read_to_string(&path).unwrap();
            Source { path, module, text }
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The top-level modules a source names through `crate::…`, in paths and in `use` groups
/// (`use crate::{a, b::c}`); comments are left out.
fn imported_modules(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut modules = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        rest = &group[i..];
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        let name: String = group[i..]
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        modules.insert(name);
                        item_start = false;
                    }
                    c if !c.is_whitespace() => item_start = false,
                    _ => {}
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            modules.insert(name);
        }
    }
    modules
}

fn violations(rule: impl Fn(&Source, &str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources() {
        for module in imported_modules(&source.text) {
            if module != source.module && rule(&source, &module) {
                found.push(format!("{} imports {module}", source.path.display()));
            }
        }
    }
    found
}

#[test]
fn the_import_reader_sees_paths_and_groups() {
    let text = "use crate::web::layout::Layout;\nuse crate::{cases, intake::values::{Bsn, Urgency}};\n\
                // crate::app in a comment\nlet x = crate::shared::clock::local_now(tx);";
    let found: Vec<_> = imported_modules(text).into_iter().collect();
    assert_eq!(found, ["cases", "intake", "shared", "web"]);
}

#[test]
fn only_main_and_app_know_the_application_state() {
    let found = violations(|source, module| {
        module == "app" && !source.path.ends_with("src/main.rs") && !source.path.ends_with("src/lib.rs")
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn foundations_import_no_domain() {
    let found = violations(|source, module| {
        FOUNDATIONS.contains(&source.module.as_str()) && (DOMAINS.contains(&module) || module == "demo")
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn governance_never_reaches_residents_files() {
    let found = violations(|source, module| {
        GOVERNANCE.contains(&source.module.as_str()) && RESIDENTS_FILES.contains(&module)
    });
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_domain_imports_the_demo_generators() {
    let found = violations(|source, module| module == "demo" && source.module != "main");
    assert!(found.is_empty(), "{found:#?}");
    let samples: Vec<_> = sources()
        .into_iter()
        .filter(|source| source.path.ends_with("sample.rs"))
        .map(|source| source.path.display().to_string())
        .collect();
    assert!(samples.is_empty(), "generators belong in src/demo: {samples:#?}");
}

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<_> = sources()
        .into_iter()
        .map(|source| (source.text.lines().count(), source.path.display().to_string()))
        .filter(|(lines, _)| *lines > MAX_LINES)
        .collect();
    assert!(long.is_empty(), "split these by page group: {long:#?}");
}
