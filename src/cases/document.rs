//! The rest of a case page — its lists, the support plan and the first page of the journal —
//! kept by the web server between views.
//!
//! Reading them was two thirds of PostgreSQL's work for a page (the lists statement alone starts
//! a plan of some eighty nodes on every view), yet they change far less often than they are
//! read. A kept copy is used only while three things are as they were when it was read: the
//! number of transactions that changed what the page shows (`case_changes`, noted by triggers on
//! every table these lists read, so no write path can forget it), the cooperative's directory
//! revision (names and colleagues, noted the same way) and the day (overdue marks and days left
//! depend on it). The key is read in the viewer's transaction together with the case, before
//! the lists would be: a copy is never older than what the viewer's own reading shows.
//!
//! The copy holds nothing the viewer's access does not already allow: it is taken only after
//! the access check, and what it holds does not depend on who reads it. Every view is still
//! audited.

use std::num::NonZeroUsize;
use std::sync::Arc;

use time::Date;
use uuid::Uuid;

use crate::cases::journal::{self, Entry};
use crate::cases::overview::{self, CaseLists};
use crate::cases::plan::{self, Plan};
use crate::cases::record::CaseView;
use crate::db::TenantTx;
use crate::db::kept::KeptCopies;

/// How many cases' pages are kept (a few tens of kilobytes each).
const KEPT_CASES: NonZeroUsize = NonZeroUsize::new(2_000).expect("not zero");

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
    changes: i64,
    directory: i64,
    day: Date,
}

impl Version {
    fn of(case: &CaseView) -> Self {
        Version {
            changes: case.changes,
            directory: case.directory_revision,
            day: case.now.date(),
        }
    }
}

pub struct CaseDocuments {
    kept: KeptCopies<(Uuid, Uuid), Version, Arc<CaseDocument>>,
}

impl Default for CaseDocuments {
    fn default() -> Self {
        CaseDocuments {
            kept: KeptCopies::new(KEPT_CASES),
        }
    }
}

impl CaseDocuments {
    /// The document of `case` as the viewer's transaction sees it: the kept copy while it
    /// holds, else read afresh and kept.
    pub async fn get(&self, tx: &mut TenantTx, case: &CaseView) -> sqlx::Result<Arc<CaseDocument>> {
        let key = (tx.tenant_id(), case.id);
        let version = Version::of(case);
        if let Some(document) = self.kept.get(&key, &version) {
            return Ok(document);
        }
        let document = Arc::new(read(tx, case).await?);
        self.kept.keep(key, version, document.clone());
        Ok(document)
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
