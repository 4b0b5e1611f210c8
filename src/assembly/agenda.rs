//! The agenda of a meeting: ordered, numbered items with sub-items (3a, 3b), each an
//! announcement, a discussion or a decision with its proposal; and the meeting's documents.
//! The order changes by moving an item up or down, which works without JavaScript.

use uuid::Uuid;

use crate::assembly::{DecisionKind, ItemKind};
use crate::db::TenantTx;
use crate::members::register::OrganisationOption;
use crate::shared::money::Cents;
use crate::web::forms::Fields;
use crate::web::layout::FormErrors;
use crate::web::parse_id;

/// The largest document the assembly accepts.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// The standard items that end an agenda, in order; new items come before them.
pub const CLOSING_ITEMS: [&str; 2] = ["Rondvraag", "Sluiting"];

#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub position: i32,
    /// `3` for an item, `3b` for its second sub-item.
    pub number: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub proposal: String,
    pub decision_kind: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub organisation: Option<String>,
    pub reasons: String,
    pub notes: String,
    /// A joint pot the decision opens or raises, and by how much.
    pub pot_name: Option<String>,
    pub pot_amount_cents: Option<i64>,
    /// Whether another item at the same level comes before or after it.
    pub first: bool,
    pub last: bool,
}

impl AgendaItem {
    pub fn kind(&self) -> ItemKind {
        ItemKind::parse(&self.kind).unwrap_or(ItemKind::Announcement)
    }

    pub fn kind_key(&self) -> String {
        self.kind().label_key()
    }

    pub fn decision_kind(&self) -> Option<DecisionKind> {
        self.decision_kind.as_deref().and_then(DecisionKind::parse)
    }

    pub fn decision_kind_key(&self) -> Option<String> {
        self.decision_kind().map(DecisionKind::label_key)
    }

    pub fn is_decision(&self) -> bool {
        self.kind() == ItemKind::Decision
    }

    pub fn is_sub_item(&self) -> bool {
        self.parent_id.is_some()
    }

    /// The pot the proposal puts money in, with the amount: "Ouderen langer thuis: € 455.000,00".
    pub fn pot(&self) -> Option<String> {
        let name = self.pot_name.as_ref()?;
        Some(format!("{name}: {}", Cents(self.pot_amount_cents?)))
    }
}

struct ItemRow {
    id: Uuid,
    parent_id: Option<Uuid>,
    position: i32,
    kind: String,
    title: String,
    description: String,
    proposal: String,
    decision_kind: Option<String>,
    organisation_id: Option<Uuid>,
    organisation: Option<String>,
    reasons: String,
    notes: String,
    pot_name: Option<String>,
    pot_amount_cents: Option<i64>,
}

/// The agenda in order, numbered: each item followed by its sub-items.
pub async fn items(tx: &mut TenantTx, meeting_id: Uuid) -> sqlx::Result<Vec<AgendaItem>> {
    let rows = sqlx::query_as!(
        ItemRow,
        r#"SELECT i.id, i.parent_id, i.position, i.kind, i.title, i.description, i.proposal, i.decision_kind,
                  i.organisation_id, o.name AS "organisation?", i.reasons, i.notes,
                  i.pot_name, i.pot_amount_cents
           FROM agenda_items i
           LEFT JOIN agenda_items p ON p.tenant_id = i.tenant_id AND p.id = i.parent_id
           LEFT JOIN organisations o ON o.tenant_id = i.tenant_id AND o.id = i.organisation_id
           WHERE i.tenant_id = $1 AND i.meeting_id = $2
           ORDER BY coalesce(p.position, i.position), i.parent_id IS NOT NULL, i.position"#,
        tx.tenant_id(),
        meeting_id
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(number(rows))
}

fn number(rows: Vec<ItemRow>) -> Vec<AgendaItem> {
    let last_position = |parent: Option<Uuid>| {
        rows.iter()
            .filter(|r| r.parent_id == parent)
            .map(|r| r.position)
            .max()
            .unwrap_or(0)
    };
    let mut parent_number = 0;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let number = match row.parent_id {
            None => {
                parent_number = row.position;
                row.position.to_string()
            }
            Some(_) => format!("{parent_number}{}", sub_letter(row.position)),
        };
        items.push(AgendaItem {
            id: row.id,
            parent_id: row.parent_id,
            position: row.position,
            number,
            kind: row.kind.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            proposal: row.proposal.clone(),
            decision_kind: row.decision_kind.clone(),
            organisation_id: row.organisation_id,
            organisation: row.organisation.clone(),
            reasons: row.reasons.clone(),
            notes: row.notes.clone(),
            pot_name: row.pot_name.clone(),
            pot_amount_cents: row.pot_amount_cents,
            first: row.position == 1,
            last: row.position == last_position(row.parent_id),
        });
    }
    items
}

/// `a` for the first sub-item, `z` for the 26th, then `aa`.
fn sub_letter(position: i32) -> String {
    let mut n = position.max(1) as u32 - 1;
    let mut letters = String::new();
    loop {
        letters.insert(0, char::from_u32('a' as u32 + n % 26).unwrap_or('a'));
        if n < 26 {
            return letters;
        }
        n = n / 26 - 1;
    }
}

/// The members a decision may be about: those still in the cooperative, suspended ones
/// included, and any in `including` (the one an item already names).
pub async fn subjects(tx: &mut TenantTx, including: Option<Uuid>) -> sqlx::Result<Vec<OrganisationOption>> {
    sqlx::query_as!(
        OrganisationOption,
        "SELECT id, name FROM organisations
         WHERE tenant_id = $1 AND (status IN ('aspirant', 'lid', 'geschorst') OR id = $2)
         ORDER BY lower(name) LIMIT 1000",
        tx.tenant_id(),
        including
    )
    .fetch_all(&mut **tx)
    .await
}

/// The item of `meeting_id`, if it is one.
pub async fn find(tx: &mut TenantTx, meeting_id: Uuid, id: Uuid) -> sqlx::Result<Option<AgendaItem>> {
    Ok(items(tx, meeting_id)
        .await?
        .into_iter()
        .find(|item| item.id == id))
}

/// The item form as typed.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    pub parent: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub proposal: String,
    pub decision_kind: String,
    pub organisation: String,
    pub reasons: String,
    pub pot_name: String,
    pub pot_amount: String,
}

pub struct ItemDetails {
    pub parent_id: Option<Uuid>,
    pub kind: ItemKind,
    pub title: String,
    pub description: String,
    pub proposal: String,
    pub decision_kind: Option<DecisionKind>,
    pub organisation_id: Option<Uuid>,
    pub reasons: String,
    /// The joint pot an ordinary decision opens or raises, and by how much.
    pub pot: Option<(String, Cents)>,
}

impl ItemInput {
    pub fn from_fields(fields: &Fields) -> ItemInput {
        ItemInput {
            parent: fields.get("parent").to_owned(),
            kind: fields.get("kind").to_owned(),
            title: fields.get("title").trim().to_owned(),
            description: fields.get("description").trim().to_owned(),
            proposal: fields.get("proposal").trim().to_owned(),
            decision_kind: fields.get("decision_kind").to_owned(),
            organisation: fields.get("organisation").to_owned(),
            reasons: fields.get("reasons").trim().to_owned(),
            pot_name: fields.get("pot_name").trim().to_owned(),
            pot_amount: fields.get("pot_amount").trim().to_owned(),
        }
    }

    pub fn from_item(item: &AgendaItem) -> ItemInput {
        ItemInput {
            parent: item.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            kind: item.kind.clone(),
            title: item.title.clone(),
            description: item.description.clone(),
            proposal: item.proposal.clone(),
            decision_kind: item.decision_kind.clone().unwrap_or_default(),
            organisation: item.organisation_id.map(|o| o.to_string()).unwrap_or_default(),
            reasons: item.reasons.clone(),
            pot_name: item.pot_name.clone().unwrap_or_default(),
            pot_amount: item
                .pot_amount_cents
                .map(|c| Cents(c).for_input())
                .unwrap_or_default(),
        }
    }

    /// Checks the form against the meeting's top-level items (possible parents) and the
    /// organisations a decision may be about.
    pub fn validate(
        &self,
        parents: &[AgendaItem],
        organisations: &[Uuid],
        errors: &mut FormErrors,
    ) -> Option<ItemDetails> {
        let parent_id = match self.parent.as_str() {
            "" => None,
            raw => {
                let found = parse_id(raw)
                    .ok()
                    .filter(|id| parents.iter().any(|p| p.id == *id && p.parent_id.is_none()));
                if found.is_none() {
                    errors.field("parent", "item.error.parent");
                }
                found
            }
        };
        let kind = ItemKind::parse(&self.kind);
        if kind.is_none() {
            errors.field("kind", "item.error.kind");
        }
        if self.title.is_empty() {
            errors.field("title", "item.error.title");
        }
        let mut decision_kind = None;
        let mut organisation_id = None;
        let mut pot = None;
        if kind == Some(ItemKind::Decision) {
            decision_kind = DecisionKind::parse(&self.decision_kind);
            match decision_kind {
                None => errors.field("decision_kind", "item.error.decision_kind"),
                Some(decision) => {
                    if self.proposal.is_empty() {
                        errors.field("proposal", "item.error.proposal");
                    }
                    if decision.concerns_member() {
                        organisation_id = parse_id(&self.organisation)
                            .ok()
                            .filter(|id| organisations.contains(id));
                        if organisation_id.is_none() {
                            errors.field("organisation", "item.error.organisation");
                        }
                    }
                    if decision == DecisionKind::Expulsion && self.reasons.is_empty() {
                        errors.field("reasons", "item.error.reasons");
                    }
                    pot = self.validate_pot(decision, errors);
                }
            }
        }
        if !errors.is_empty() {
            return None;
        }
        let expulsion = decision_kind == Some(DecisionKind::Expulsion);
        Some(ItemDetails {
            parent_id,
            kind: kind?,
            title: self.title.clone(),
            description: self.description.clone(),
            proposal: if decision_kind.is_some() {
                self.proposal.clone()
            } else {
                String::new()
            },
            decision_kind,
            organisation_id,
            reasons: if expulsion {
                self.reasons.clone()
            } else {
                String::new()
            },
            pot,
        })
    }

    /// A pot is put in by an ordinary decision, named and with an amount.
    fn validate_pot(&self, decision: DecisionKind, errors: &mut FormErrors) -> Option<(String, Cents)> {
        if self.pot_name.is_empty() && self.pot_amount.is_empty() {
            return None;
        }
        if decision != DecisionKind::Ordinary {
            errors.field("pot_name", "item.error.pot_ordinary_only");
            return None;
        }
        if self.pot_name.is_empty() {
            errors.field("pot_name", "item.error.pot_name");
        }
        match Cents::parse(&self.pot_amount) {
            Ok(Cents(0)) => errors.field("pot_amount", "money.error.zero"),
            Ok(amount) if !self.pot_name.is_empty() => return Some((self.pot_name.clone(), amount)),
            Ok(_) => {}
            Err(e) => errors.field("pot_amount", e.message_key()),
        }
        None
    }
}

/// Where a new item goes on a level (its items' positions and titles, in order): at the end,
/// but on the top level before the closing items that end the agenda.
fn insertion_position(level: &[(i32, String)], top_level: bool) -> i32 {
    let mut position = level.last().map_or(1, |(last, _)| last + 1);
    if top_level {
        for (at, title) in level.iter().rev() {
            if !CLOSING_ITEMS.contains(&title.as_str()) {
                break;
            }
            position = *at;
        }
    }
    position
}

/// Adds an item at the end of its level, before the closing items (the caller holds the
/// meeting's lock).
pub async fn add(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    item: &ItemDetails,
    proposal_id: Option<Uuid>,
) -> sqlx::Result<Uuid> {
    let level: Vec<(i32, String)> = sqlx::query!(
        "SELECT position, title FROM agenda_items
         WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id IS NOT DISTINCT FROM $3
         ORDER BY position",
        tx.tenant_id(),
        meeting_id,
        item.parent_id
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|row| (row.position, row.title))
    .collect();
    let position = insertion_position(&level, item.parent_id.is_none());
    // Positions are unique only at commit, so the closing items move down through duplicates.
    sqlx::query!(
        "UPDATE agenda_items SET position = position + 1
         WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id IS NOT DISTINCT FROM $3 AND position >= $4",
        tx.tenant_id(),
        meeting_id,
        item.parent_id,
        position
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query_scalar!(
        "INSERT INTO agenda_items (tenant_id, meeting_id, parent_id, position, kind, title, description, proposal,
                                   decision_kind, organisation_id, reasons, proposal_id, pot_name, pot_amount_cents)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         RETURNING id",
        tx.tenant_id(),
        meeting_id,
        item.parent_id,
        position,
        item.kind.code(),
        item.title,
        item.description,
        item.proposal,
        item.decision_kind.map(DecisionKind::code),
        item.organisation_id,
        item.reasons,
        proposal_id,
        item.pot.as_ref().map(|(name, _)| name.as_str()),
        item.pot.as_ref().map(|(_, amount)| amount.0)
    )
    .fetch_one(&mut **tx)
    .await
}

/// Changes an item's content (not its place: an item keeps its level).
pub async fn update(tx: &mut TenantTx, item: &AgendaItem, details: &ItemDetails) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE agenda_items
         SET kind = $3, title = $4, description = $5, proposal = $6, decision_kind = $7, organisation_id = $8,
             reasons = $9, pot_name = $10, pot_amount_cents = $11
         WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        item.id,
        details.kind.code(),
        details.title,
        details.description,
        details.proposal,
        details.decision_kind.map(DecisionKind::code),
        details.organisation_id,
        details.reasons,
        details.pot.as_ref().map(|(name, _)| name.as_str()),
        details.pot.as_ref().map(|(_, amount)| amount.0)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Swaps the item with its neighbour above (`up`) or below at the same level; nothing happens
/// at the edge. The positions are unique only at commit, so the swap passes through a duplicate.
pub async fn move_item(tx: &mut TenantTx, meeting_id: Uuid, item: &AgendaItem, up: bool) -> sqlx::Result<()> {
    let neighbour = if up { item.position - 1 } else { item.position + 1 };
    let swapped = sqlx::query!(
        "UPDATE agenda_items SET position = $4
         WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id IS NOT DISTINCT FROM $3 AND position = $5",
        tx.tenant_id(),
        meeting_id,
        item.parent_id,
        item.position,
        neighbour
    )
    .execute(&mut **tx)
    .await?;
    if swapped.rows_affected() == 1 {
        sqlx::query!(
            "UPDATE agenda_items SET position = $3 WHERE tenant_id = $1 AND id = $2",
            tx.tenant_id(),
            item.id,
            neighbour
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The item cannot be removed: polls were held on it, or it has sub-items.
#[derive(Debug)]
pub struct InUse;

/// Removes an item (with its documents) and closes the gap it leaves.
pub async fn remove(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    item: &AgendaItem,
) -> sqlx::Result<Result<(), InUse>> {
    let in_use = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT FROM polls WHERE tenant_id = $1 AND agenda_item_id = $2)
               OR EXISTS (SELECT FROM agenda_items WHERE tenant_id = $1 AND parent_id = $2) AS "in_use!""#,
        tx.tenant_id(),
        item.id
    )
    .fetch_one(&mut **tx)
    .await?;
    if in_use {
        return Ok(Err(InUse));
    }
    sqlx::query!(
        "DELETE FROM agenda_items WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        item.id
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE agenda_items SET position = position - 1
         WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id IS NOT DISTINCT FROM $3 AND position > $4",
        tx.tenant_id(),
        meeting_id,
        item.parent_id,
        item.position
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Replaces the agenda of a meeting in preparation with a copy of an earlier meeting's: items
/// and sub-items with their texts, but not what belongs to that meeting alone (notes, and
/// decisions about one member).
pub async fn copy(
    tx: &mut TenantTx,
    to_meeting: Uuid,
    from_meeting: Uuid,
) -> sqlx::Result<Result<(), InUse>> {
    let polls = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM polls WHERE tenant_id = $1 AND meeting_id = $2"#,
        tx.tenant_id(),
        to_meeting
    )
    .fetch_one(&mut **tx)
    .await?;
    if polls > 0 {
        return Ok(Err(InUse));
    }
    sqlx::query!(
        "DELETE FROM agenda_documents WHERE tenant_id = $1 AND meeting_id = $2 AND agenda_item_id IS NOT NULL",
        tx.tenant_id(),
        to_meeting
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2 AND parent_id IS NOT NULL",
        tx.tenant_id(),
        to_meeting
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "DELETE FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2",
        tx.tenant_id(),
        to_meeting
    )
    .execute(&mut **tx)
    .await?;
    // Items are renumbered so that the skipped ones leave no gaps; sub-items follow their
    // parent through a map from old to new ids.
    sqlx::query!(
        "WITH source AS (
             SELECT i.id, i.parent_id, i.kind, i.title, i.description, i.proposal, i.decision_kind,
                    row_number() OVER (PARTITION BY i.parent_id ORDER BY i.position) AS position,
                    gen_random_uuid() AS new_id
             FROM agenda_items i
             WHERE i.tenant_id = $1 AND i.meeting_id = $2
               AND (i.decision_kind IS NULL OR i.decision_kind NOT IN ('toelating', 'ontzetting', 'opzegging'))
               AND (i.parent_id IS NULL OR EXISTS (
                       SELECT FROM agenda_items p WHERE p.tenant_id = i.tenant_id AND p.id = i.parent_id
                         AND (p.decision_kind IS NULL OR p.decision_kind NOT IN ('toelating', 'ontzetting', 'opzegging'))))
         ),
         parents AS (
             INSERT INTO agenda_items (tenant_id, id, meeting_id, position, kind, title, description, proposal, decision_kind)
             SELECT $1, new_id, $3, position, kind, title, description, proposal, decision_kind
             FROM source WHERE parent_id IS NULL
             RETURNING id
         )
         INSERT INTO agenda_items (tenant_id, meeting_id, parent_id, position, kind, title, description, proposal, decision_kind)
         SELECT $1, $3, p.new_id, s.position, s.kind, s.title, s.description, s.proposal, s.decision_kind
         FROM source s JOIN source p ON p.id = s.parent_id
         WHERE (SELECT count(*) FROM parents) >= 0",
        tx.tenant_id(),
        from_meeting,
        to_meeting
    )
    .execute(&mut **tx)
    .await?;
    Ok(Ok(()))
}

/// Notes typed per item during or after the meeting, for the minutes.
pub async fn set_notes(tx: &mut TenantTx, item_id: Uuid, notes: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE agenda_items SET notes = $3 WHERE tenant_id = $1 AND id = $2",
        tx.tenant_id(),
        item_id,
        notes
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A document of the meeting, without its content.
pub struct Document {
    pub id: Uuid,
    pub agenda_item_id: Option<Uuid>,
    pub filename: String,
    pub size_bytes: i32,
}

impl Document {
    pub fn size(&self) -> String {
        crate::web::file_size(i64::from(self.size_bytes))
    }
}

pub async fn documents(tx: &mut TenantTx, meeting_id: Uuid) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as!(
        Document,
        "SELECT id, agenda_item_id, filename, size_bytes FROM agenda_documents
         WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY uploaded_at, filename",
        tx.tenant_id(),
        meeting_id
    )
    .fetch_all(&mut **tx)
    .await
}

/// Whether `content` is a PDF by its first bytes, whatever the browser claimed.
pub fn is_pdf(content: &[u8]) -> bool {
    content.starts_with(b"%PDF-")
}

pub async fn add_document(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    item_id: Option<Uuid>,
    filename: &str,
    content: &[u8],
    by: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO agenda_documents (tenant_id, meeting_id, agenda_item_id, filename, content_type, size_bytes, content, uploaded_by)
         VALUES ($1, $2, $3, $4, 'application/pdf', $5, $6, $7) RETURNING id",
        tx.tenant_id(),
        meeting_id,
        item_id,
        filename,
        content.len() as i32,
        content,
        by
    )
    .fetch_one(&mut **tx)
    .await
}

pub struct DocumentContent {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

pub async fn document(
    tx: &mut TenantTx,
    meeting_id: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<DocumentContent>> {
    sqlx::query_as!(
        DocumentContent,
        "SELECT filename, content_type, content FROM agenda_documents
         WHERE tenant_id = $1 AND meeting_id = $2 AND id = $3",
        tx.tenant_id(),
        meeting_id,
        id
    )
    .fetch_optional(&mut **tx)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(titles: &[&str]) -> Vec<(i32, String)> {
        (1..).zip(titles.iter().map(|t| (*t).to_owned())).collect()
    }

    #[test]
    fn new_items_come_before_the_closing_items_of_a_standard_agenda() {
        let standard: Vec<&str> = crate::assembly::meetings::STANDARD_ITEMS
            .iter()
            .map(|(title, _)| *title)
            .collect();
        assert!(standard.ends_with(&CLOSING_ITEMS));
        assert_eq!(insertion_position(&level(&standard), true), 4);
        assert_eq!(insertion_position(&level(&["Opening", "Sluiting"]), true), 2);
        assert_eq!(insertion_position(&level(&["Opening", "Begroting"]), true), 3);
        assert_eq!(insertion_position(&level(&[]), true), 1);
        // Sub-items simply follow each other.
        assert_eq!(insertion_position(&level(&["Rondvraag"]), false), 2);
    }

    #[test]
    fn sub_items_are_lettered() {
        assert_eq!(sub_letter(1), "a");
        assert_eq!(sub_letter(2), "b");
        assert_eq!(sub_letter(26), "z");
        assert_eq!(sub_letter(27), "aa");
    }

    #[test]
    fn an_expulsion_needs_a_member_a_proposal_and_reasons() {
        let member = Uuid::new_v4();
        let input = ItemInput {
            kind: "besluit".into(),
            title: "Ontzetting".into(),
            decision_kind: "ontzetting".into(),
            ..ItemInput::default()
        };
        let mut errors = FormErrors::default();
        assert!(input.validate(&[], &[member], &mut errors).is_none());
        assert!(errors.has("organisation") && errors.has("reasons") && errors.has("proposal"));
        let input = ItemInput {
            organisation: member.to_string(),
            proposal: "De vergadering besluit tot ontzetting.".into(),
            reasons: "Handelt in strijd met de statuten.".into(),
            ..input
        };
        let mut errors = FormErrors::default();
        let details = input.validate(&[], &[member], &mut errors).expect("valid");
        assert_eq!(details.organisation_id, Some(member));
    }

    #[test]
    fn an_ordinary_decision_may_put_an_amount_in_a_named_pot() {
        let input = ItemInput {
            kind: "besluit".into(),
            title: "Pot ouderen".into(),
            decision_kind: "gewoon".into(),
            proposal: "De vergadering stelt de pot in.".into(),
            pot_name: "Ouderen langer thuis".into(),
            pot_amount: "455.000".into(),
            ..ItemInput::default()
        };
        let mut errors = FormErrors::default();
        let details = input.validate(&[], &[], &mut errors).expect("valid");
        assert_eq!(
            details.pot,
            Some(("Ouderen langer thuis".into(), Cents(45_500_000)))
        );
        let no_name = ItemInput {
            pot_name: String::new(),
            pot_amount: "12,3456".into(),
            ..input.clone()
        };
        let mut errors = FormErrors::default();
        assert!(no_name.validate(&[], &[], &mut errors).is_none());
        assert_eq!(errors.for_field("pot_name"), Some("item.error.pot_name"));
        assert_eq!(errors.for_field("pot_amount"), Some("money.error.decimals"));
        let statutes = ItemInput {
            decision_kind: "statutenwijziging".into(),
            ..input
        };
        let mut errors = FormErrors::default();
        assert!(statutes.validate(&[], &[], &mut errors).is_none());
        assert!(errors.has("pot_name"));
    }
}
