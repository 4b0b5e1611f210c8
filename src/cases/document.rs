//! A case page's case row and the rest of the page — its lists, the support plan and the first
//! page of the journal — kept by the web server between views.
//!
//! Reading them was most of PostgreSQL's work for a page (the lists statement alone starts a
//! plan of some eighty nodes on every view), yet they change far less often than they are read.
//! A kept copy is used only while what it was read at still holds: the case's revision (raised
//! by triggers on the case row, its request, its resident's name and every table the lists
//! read, migration 0014, so no write path can forget it), the cooperative's directory revision
//! (names and colleagues, raised the same way) and,
//! for the lists, the day (overdue marks and days left depend on it). That key is read in the
//! viewer's transaction first, with what depends on the viewer and the moment (whether they
//! are involved or hold a grant, the time): a copy is never older than what the viewer's own
//! reading shows, and the access check always works on the current case.
//!
//! The copies hold nothing the viewer's access does not already allow: nothing of them is shown
//! before the access check, and what they hold does not depend on who reads them. Every view is
//! still audited.
//!
//! The page's body, rendered from these, is kept the same way: rendering it cost a quarter of
//! the web server's work for a view. It is kept per shape — the language and which controls
//! the viewer gets — and per minute (its forms offer the current time), with a marker for the
//! CSRF token that each view fills in with the viewer's own (`Layout::shared`).

use std::num::NonZeroUsize;
use std::sync::Arc;

use time::Date;
use uuid::Uuid;

use crate::cases::CasePart;
use crate::cases::journal::{self, Entry};
use crate::cases::overview::{self, CaseLists};
use crate::cases::plan::{self, Plan};
use crate::cases::record::{self, CaseView};
use crate::db::TenantTx;
use crate::db::kept::KeptCopies;
use crate::web::i18n::Lang;

/// How many cases' pages are kept (a few tens of kilobytes each).
const KEPT_CASES: NonZeroUsize = NonZeroUsize::new(2_000).expect("not zero");

/// How many rendered bodies are kept (a few kilobytes to some 15 kB each, one per part of a
/// page viewed).
const KEPT_BODIES: NonZeroUsize = NonZeroUsize::new(1_500).expect("not zero");

#[derive(Clone)]
pub struct CaseDocument {
    pub lists: CaseLists,
    pub plan: Option<Plan>,
    /// The newest journal entries, one more than a page when there is a next page.
    pub journal: Vec<Entry>,
}

/// What a kept document must match to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version {
    revision: i64,
    directory: i64,
    day: Date,
}

impl Version {
    fn of(case: &CaseView) -> Self {
        Version {
            revision: case.revision,
            directory: case.directory_revision,
            day: case.now.date(),
        }
    }
}

/// What a rendered body depends on besides its case and document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyShape {
    pub lang: Lang,
    pub steer: bool,
    pub may_take: bool,
    pub may_assign: bool,
}

/// What a kept body must match to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BodyVersion {
    revision: i64,
    directory: i64,
    /// The moment to the minute (which holds the day as well).
    minute: (Date, u8, u8),
    max_extension_weeks: i32,
    shape: BodyShape,
}

pub struct CaseDocuments {
    /// The case rows, under the case's revision and the directory's.
    cases: KeptCopies<(Uuid, Uuid), (i64, i64), CaseView>,
    documents: KeptCopies<(Uuid, Uuid), Version, Arc<CaseDocument>>,
    /// One body per part of the page (`CasePart`'s code).
    bodies: KeptCopies<(Uuid, Uuid, &'static str), BodyVersion, Arc<str>>,
}

impl Default for CaseDocuments {
    fn default() -> Self {
        CaseDocuments {
            cases: KeptCopies::new("case_rows", KEPT_CASES),
            documents: KeptCopies::new("case_lists", KEPT_CASES),
            bodies: KeptCopies::new("case_bodies", KEPT_BODIES),
        }
    }
}

impl CaseDocuments {
    /// The case as the viewer's transaction sees it: the kept row while it holds, else read
    /// afresh and kept; what depends on the viewer and the moment is read on every view.
    pub async fn case(&self, tx: &mut TenantTx, id: Uuid, viewer: Uuid) -> sqlx::Result<Option<CaseView>> {
        let Some(key) = record::view_key(tx, id, viewer).await? else {
            return Ok(None);
        };
        let copy = (tx.tenant_id(), id);
        let version = (key.revision, key.directory_revision);
        let case = match self.cases.get(&copy, &version) {
            Some(case) => case,
            None => {
                let Some(case) = record::find(tx, id, viewer).await? else {
                    return Ok(None);
                };
                self.cases.keep(copy, version, case.clone());
                case
            }
        };
        Ok(Some(case.seen_with(key)))
    }

    /// The document of `case` as the viewer's transaction sees it: the kept copy while it
    /// holds, else read afresh and kept.
    pub async fn get(&self, tx: &mut TenantTx, case: &CaseView) -> sqlx::Result<Arc<CaseDocument>> {
        let key = (tx.tenant_id(), case.id);
        let version = Version::of(case);
        if let Some(document) = self.documents.get(&key, &version) {
            return Ok(document);
        }
        let document = Arc::new(read(tx, case).await?);
        self.documents.keep(key, version, document.clone());
        Ok(document)
    }

    /// The body of one part of `case`'s page in `shape`: the kept one while it holds, else
    /// made by `render` (with `Layout::shared`) and kept. Every part is rendered from the
    /// same document, so one revision holds for all of them.
    pub fn body<E>(
        &self,
        tenant_id: Uuid,
        case: &CaseView,
        part: CasePart,
        shape: BodyShape,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<Arc<str>, E> {
        let key = (tenant_id, case.id, part.code());
        let version = BodyVersion {
            revision: case.revision,
            directory: case.directory_revision,
            minute: (case.now.date(), case.now.hour(), case.now.minute()),
            max_extension_weeks: case.max_extension_weeks,
            shape,
        };
        if let Some(body) = self.bodies.get(&key, &version) {
            return Ok(body);
        }
        let body: Arc<str> = render()?.into();
        self.bodies.keep(key, version, body.clone());
        Ok(body)
    }
}

/// Reads the document afresh: three statements, whatever the journal's length.
pub async fn read(tx: &mut TenantTx, case: &CaseView) -> sqlx::Result<CaseDocument> {
    Ok(CaseDocument {
        lists: overview::lists(tx, case.id, case.resident_id).await?,
        plan: plan::find(tx, case.id).await?,
        journal: journal::page(tx, case.id, 1).await?,
    })
}
