//! The case journal: timestamped, attributed entries (notes, calls, visits, consultations)
//! that are only ever added. A mistake is corrected by a new entry that names the old one;
//! nothing is rewritten. Attachments (PDF and images) are kept in the database beside them.

use serde::Deserialize;
use sqlx::types::Json;
use time::PrimitiveDateTime;
use uuid::Uuid;

use crate::cases::EntryKind;
use crate::db::TenantTx;
use crate::shared::format::format_timestamp;

pub const PAGE_SIZE: i64 = 20;

/// The largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// At most this many attachments per entry.
pub const MAX_ATTACHMENTS: usize = 3;

#[derive(Clone)]
pub struct Entry {
    pub id: Uuid,
    pub kind: String,
    pub body: String,
    pub occurred_at: PrimitiveDateTime,
    pub author: String,
    pub corrects_id: Option<Uuid>,
    pub corrected: bool,
    pub attachments: Vec<AttachmentInfo>,
}

impl Entry {
    pub fn kind_key(&self) -> String {
        EntryKind::parse(&self.kind)
            .map(EntryKind::label_key)
            .unwrap_or_default()
    }

    pub fn at(&self) -> String {
        format_timestamp(self.occurred_at)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub filename: String,
    pub size_bytes: i32,
}

impl AttachmentInfo {
    pub fn size(&self) -> String {
        crate::web::file_size(i64::from(self.size_bytes))
    }
}

/// How many entries the case's journal holds.
pub async fn count(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM journal_entries WHERE tenant_id = $1 AND case_id = $2"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_one(&mut **tx)
    .await
}

/// One page of the timeline, newest first, each entry with its attachments: one statement
/// whatever the length of the journal. One row more than a page tells whether there is a next.
pub async fn page(tx: &mut TenantTx, case_id: Uuid, page: i64) -> sqlx::Result<Vec<Entry>> {
    let rows = sqlx::query!(
        r#"-- kept: case page
           SELECT e.id, e.kind, e.body, local_time(e.occurred_at) AS "occurred_at!",
                  coalesce((SELECT u.name FROM users u WHERE u.tenant_id = e.tenant_id AND u.id = e.author_id),
                           (SELECT resident_display_name(r.first_names, r.initials, r.surname_prefix, r.surname)
                            FROM residents r WHERE r.tenant_id = e.tenant_id AND r.id = e.author_resident_id), '') AS "author!", e.corrects_id,
                  EXISTS (SELECT FROM journal_entries x WHERE x.tenant_id = e.tenant_id AND x.corrects_id = e.id) AS "corrected!",
                  (SELECT coalesce(json_agg(a ORDER BY a.created_at), '[]')
                   FROM (SELECT id, filename, size_bytes, created_at FROM journal_attachments
                         WHERE tenant_id = e.tenant_id AND entry_id = e.id) a) AS "attachments!: Json<Vec<AttachmentInfo>>"
           FROM journal_entries e
           WHERE e.tenant_id = $1 AND e.case_id = $2
           ORDER BY e.occurred_at DESC, e.id DESC
           LIMIT $3 OFFSET $4"#,
        tx.tenant_id(),
        case_id,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            id: r.id,
            kind: r.kind,
            body: r.body,
            occurred_at: r.occurred_at,
            author: r.author,
            corrects_id: r.corrects_id,
            corrected: r.corrected,
            attachments: r.attachments.0,
        })
        .collect())
}

/// An uploaded file whose content was checked to be a PDF or an image.
pub struct Upload {
    pub filename: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

pub struct NewEntry {
    pub kind: EntryKind,
    pub body: String,
    /// Local (Dutch) time.
    pub occurred_at: PrimitiveDateTime,
    pub corrects: Option<Uuid>,
    pub uploads: Vec<Upload>,
}

/// Adds an entry with its attachments; `Ok(false)` when the entry it corrects is not in this case.
pub async fn add(tx: &mut TenantTx, case_id: Uuid, entry: &NewEntry, by: Uuid) -> sqlx::Result<bool> {
    if let Some(corrects) = entry.corrects {
        let same_case = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT FROM journal_entries WHERE tenant_id = $1 AND case_id = $2 AND id = $3) AS "exists!""#,
            tx.tenant_id(),
            case_id,
            corrects
        )
        .fetch_one(&mut **tx)
        .await?;
        if !same_case {
            return Ok(false);
        }
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_id, corrects_id)
         VALUES ($1, $2, $3, $4, local_moment($5::timestamp), $6, $7) RETURNING id",
        tx.tenant_id(),
        case_id,
        entry.kind.code(),
        entry.body,
        entry.occurred_at,
        by,
        entry.corrects
    )
    .fetch_one(&mut **tx)
    .await?;
    for upload in &entry.uploads {
        sqlx::query!(
            "INSERT INTO journal_attachments (tenant_id, entry_id, filename, content_type, size_bytes, content)
             VALUES ($1, $2, $3, $4, $5, $6)",
            tx.tenant_id(),
            id,
            upload.filename,
            upload.content_type,
            upload.content.len() as i32,
            upload.content
        )
        .execute(&mut **tx)
        .await?;
    }
    written_to(tx, case_id).await?;
    Ok(true)
}

/// The case's journal was written to now (the queue shows how long ago).
async fn written_to(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE cases SET last_journal_at = now() WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        case_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A message from the resident (or a parent on a child's pages) to the case's lead, written
/// into the journal as theirs.
pub async fn add_message(
    tx: &mut TenantTx,
    case_id: Uuid,
    body: &str,
    by_resident: Uuid,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO journal_entries (tenant_id, case_id, kind, body, occurred_at, author_resident_id)
         VALUES ($1, $2, 'bericht', $3, now(), $4)",
        tx.tenant_id(),
        case_id,
        body,
        by_resident
    )
    .execute(&mut **tx)
    .await?;
    written_to(tx, case_id).await?;
    Ok(())
}

/// A message the resident sent, as their pages list it.
pub struct SentMessage {
    pub body: String,
    pub sent_at: PrimitiveDateTime,
}

impl SentMessage {
    pub fn at(&self) -> String {
        format_timestamp(self.sent_at)
    }
}

/// The latest messages from the resident's side on a case, newest first.
pub async fn messages(tx: &mut TenantTx, case_id: Uuid) -> sqlx::Result<Vec<SentMessage>> {
    sqlx::query_as!(
        SentMessage,
        r#"SELECT body, local_time(occurred_at) AS "sent_at!" FROM journal_entries
           WHERE tenant_id = $1 AND case_id = $2 AND kind = 'bericht'
           ORDER BY occurred_at DESC, id DESC LIMIT 20"#,
        tx.tenant_id(),
        case_id
    )
    .fetch_all(&mut **tx)
    .await
}

pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// An attachment of an entry of this case.
pub async fn attachment(tx: &mut TenantTx, case_id: Uuid, id: Uuid) -> sqlx::Result<Option<Attachment>> {
    sqlx::query_as!(
        Attachment,
        "SELECT a.filename, a.content_type, a.content
         FROM journal_attachments a JOIN journal_entries e ON e.tenant_id = a.tenant_id AND e.id = a.entry_id
         WHERE a.tenant_id = $1 AND e.case_id = $2 AND a.id = $3",
        tx.tenant_id(),
        case_id,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}
