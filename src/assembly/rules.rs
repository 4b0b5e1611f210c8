//! The statutes' rules for meetings and votes, kept per cooperative by its administrators.
//! Every poll copies the rules it is held under, so a later change never alters a past result,
//! and the minutes cite them.

use uuid::Uuid;

use crate::assembly::{DecisionKind, Majority};
use crate::db::TenantTx;
use crate::shared::money::Cents;
use crate::web::forms::{Fields, parse_in_range};
use crate::web::layout::FormErrors;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatuteRules {
    pub notice_days: i32,
    pub quorum_percent: i32,
    pub majority_ordinary: String,
    pub majority_statutes: String,
    pub majority_admission: String,
    pub majority_expulsion: String,
    pub majority_notice: String,
    pub proxies_allowed: bool,
    pub max_proxies: i32,
    pub abstentions_count: bool,
    pub appeal_days: i32,
    /// Whether a member may take part and vote by electronic means (art. 2:38a BW): its
    /// representative's vote then counts as its presence.
    pub electronic_participation: bool,
    /// Grants from a joint pot above this amount are decided by the assembly, not the board;
    /// none: the board decides every grant.
    pub grants_by_assembly_above_cents: Option<i64>,
}

impl StatuteRules {
    /// The majority a decision of `kind` needs.
    pub fn majority_for(&self, kind: DecisionKind) -> Majority {
        let code = match kind {
            DecisionKind::Ordinary => &self.majority_ordinary,
            DecisionKind::Statutes => &self.majority_statutes,
            DecisionKind::Admission => &self.majority_admission,
            DecisionKind::Expulsion => &self.majority_expulsion,
            DecisionKind::Notice => &self.majority_notice,
        };
        Majority::parse(code).unwrap_or(Majority::Simple)
    }

    /// How many proxies one member may hold: none when the statutes allow no proxies.
    pub fn proxy_limit(&self) -> i32 {
        if self.proxies_allowed { self.max_proxies } else { 0 }
    }

    pub fn majority_key(&self, kind: DecisionKind) -> String {
        self.majority_for(kind).label_key()
    }

    /// Whether a grant of `amount_cents` is for the assembly to decide.
    pub fn grant_for_assembly(&self, amount_cents: i64) -> bool {
        self.grants_by_assembly_above_cents
            .is_some_and(|limit| amount_cents > limit)
    }
}

pub async fn find(tx: &mut TenantTx) -> sqlx::Result<StatuteRules> {
    sqlx::query_as!(
        StatuteRules,
        "SELECT notice_days, quorum_percent, majority_ordinary, majority_statutes, majority_admission,
                majority_expulsion, majority_notice, proxies_allowed, max_proxies, abstentions_count, appeal_days,
                electronic_participation, grants_by_assembly_above_cents
         FROM statute_rules WHERE tenant_id = $1",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await
}

/// The rules row locked, so that decisions are numbered one after another.
pub(crate) async fn lock(tx: &mut TenantTx) -> sqlx::Result<()> {
    sqlx::query!(
        "SELECT tenant_id FROM statute_rules WHERE tenant_id = $1 FOR UPDATE",
        tx.tenant_id()
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(())
}

/// The rules form as typed.
#[derive(Debug, Clone, Default)]
pub struct RulesInput {
    pub notice_days: String,
    pub quorum_percent: String,
    pub majority_ordinary: String,
    pub majority_statutes: String,
    pub majority_admission: String,
    pub majority_expulsion: String,
    pub majority_notice: String,
    pub proxies_allowed: bool,
    pub max_proxies: String,
    pub abstentions_count: bool,
    pub appeal_days: String,
    pub electronic_participation: bool,
    /// Empty: the board decides every grant.
    pub grants_by_assembly_above: String,
}

impl RulesInput {
    pub fn from_rules(rules: &StatuteRules) -> RulesInput {
        RulesInput {
            notice_days: rules.notice_days.to_string(),
            quorum_percent: rules.quorum_percent.to_string(),
            majority_ordinary: rules.majority_ordinary.clone(),
            majority_statutes: rules.majority_statutes.clone(),
            majority_admission: rules.majority_admission.clone(),
            majority_expulsion: rules.majority_expulsion.clone(),
            majority_notice: rules.majority_notice.clone(),
            proxies_allowed: rules.proxies_allowed,
            max_proxies: rules.max_proxies.to_string(),
            abstentions_count: rules.abstentions_count,
            appeal_days: rules.appeal_days.to_string(),
            electronic_participation: rules.electronic_participation,
            grants_by_assembly_above: rules
                .grants_by_assembly_above_cents
                .map(|c| Cents(c).for_input())
                .unwrap_or_default(),
        }
    }

    pub fn from_fields(fields: &Fields) -> RulesInput {
        RulesInput {
            notice_days: fields.get("notice_days").trim().to_owned(),
            quorum_percent: fields.get("quorum_percent").trim().to_owned(),
            majority_ordinary: fields.get("majority_ordinary").to_owned(),
            majority_statutes: fields.get("majority_statutes").to_owned(),
            majority_admission: fields.get("majority_admission").to_owned(),
            majority_expulsion: fields.get("majority_expulsion").to_owned(),
            majority_notice: fields.get("majority_notice").to_owned(),
            proxies_allowed: fields.get("proxies_allowed") == "on",
            max_proxies: fields.get("max_proxies").trim().to_owned(),
            abstentions_count: fields.get("abstentions_count") == "on",
            appeal_days: fields.get("appeal_days").trim().to_owned(),
            electronic_participation: fields.get("electronic_participation") == "on",
            grants_by_assembly_above: fields.get("grants_by_assembly_above").trim().to_owned(),
        }
    }

    /// The majority field of a decision kind, by its form name.
    pub fn majority(&self, field: &str) -> &str {
        match field {
            "majority_ordinary" => &self.majority_ordinary,
            "majority_statutes" => &self.majority_statutes,
            "majority_admission" => &self.majority_admission,
            "majority_expulsion" => &self.majority_expulsion,
            _ => &self.majority_notice,
        }
    }

    pub fn validate(&self, errors: &mut FormErrors) -> Option<StatuteRules> {
        let notice_days = parse_in_range(&self.notice_days, 0, 90);
        if notice_days.is_none() {
            errors.field("notice_days", "rules.error.notice_days");
        }
        let quorum_percent = parse_in_range(&self.quorum_percent, 0, 100);
        if quorum_percent.is_none() {
            errors.field("quorum_percent", "rules.error.quorum_percent");
        }
        for field in MAJORITY_FIELDS {
            if Majority::parse(self.majority(field.0)).is_none() {
                errors.field(field.0, "rules.error.majority");
            }
        }
        let max_proxies = parse_in_range(&self.max_proxies, 0, 10);
        if max_proxies.is_none() {
            errors.field("max_proxies", "rules.error.max_proxies");
        }
        let appeal_days = parse_in_range(&self.appeal_days, 1, 90);
        if appeal_days.is_none() {
            errors.field("appeal_days", "rules.error.appeal_days");
        }
        let grants_by_assembly_above = match self.grants_by_assembly_above.as_str() {
            "" => None,
            typed => match Cents::parse(typed) {
                Ok(amount) => Some(amount.0),
                Err(e) => {
                    errors.field("grants_by_assembly_above", e.message_key());
                    None
                }
            },
        };
        if !errors.is_empty() {
            return None;
        }
        Some(StatuteRules {
            notice_days: notice_days?,
            quorum_percent: quorum_percent?,
            majority_ordinary: self.majority_ordinary.clone(),
            majority_statutes: self.majority_statutes.clone(),
            majority_admission: self.majority_admission.clone(),
            majority_expulsion: self.majority_expulsion.clone(),
            majority_notice: self.majority_notice.clone(),
            proxies_allowed: self.proxies_allowed,
            max_proxies: max_proxies?,
            abstentions_count: self.abstentions_count,
            appeal_days: appeal_days?,
            electronic_participation: self.electronic_participation,
            grants_by_assembly_above_cents: grants_by_assembly_above,
        })
    }
}

/// The majority fields of the form, with the decision kind each is for.
pub const MAJORITY_FIELDS: [(&str, DecisionKind); 5] = [
    ("majority_ordinary", DecisionKind::Ordinary),
    ("majority_statutes", DecisionKind::Statutes),
    ("majority_admission", DecisionKind::Admission),
    ("majority_expulsion", DecisionKind::Expulsion),
    ("majority_notice", DecisionKind::Notice),
];

pub async fn update(tx: &mut TenantTx, rules: &StatuteRules, by: Uuid) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE statute_rules
         SET notice_days = $2, quorum_percent = $3, majority_ordinary = $4, majority_statutes = $5,
             majority_admission = $6, majority_expulsion = $7, majority_notice = $8, proxies_allowed = $9,
             max_proxies = $10, abstentions_count = $11, appeal_days = $12, electronic_participation = $13,
             updated_by = $14, grants_by_assembly_above_cents = $15
         WHERE tenant_id = $1",
        tx.tenant_id(),
        rules.notice_days,
        rules.quorum_percent,
        rules.majority_ordinary,
        rules.majority_statutes,
        rules.majority_admission,
        rules.majority_expulsion,
        rules.majority_notice,
        rules.proxies_allowed,
        rules.max_proxies,
        rules.abstentions_count,
        rules.appeal_days,
        rules.electronic_participation,
        by,
        rules.grants_by_assembly_above_cents
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `present` of `electorate` voting members meet a quorum of `percent`.
pub fn quorum_met(present: i64, electorate: i64, percent: i32) -> bool {
    electorate > 0 && present * 100 >= i64::from(percent) * electorate
}

/// The votes a poll's majority is measured against.
pub fn votes_cast(for_: i64, against: i64, abstentions: i64, abstentions_count: bool) -> i64 {
    for_ + against + if abstentions_count { abstentions } else { 0 }
}

impl Majority {
    /// Whether `for_` of `cast` votes carry a proposal. Nothing is adopted without votes.
    pub fn carried(self, for_: i64, cast: i64) -> bool {
        cast > 0
            && match self {
                Majority::Simple => for_ * 2 > cast,
                Majority::TwoThirds => for_ * 3 >= cast * 2,
                Majority::ThreeQuarters => for_ * 4 >= cast * 3,
                Majority::Unanimous => for_ == cast,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simple_majority_is_more_than_half_of_the_votes_cast() {
        assert!(Majority::Simple.carried(6, 11));
        assert!(!Majority::Simple.carried(5, 10));
        assert!(Majority::Simple.carried(1, 1));
        assert!(!Majority::Simple.carried(0, 0));
    }

    #[test]
    fn qualified_majorities_are_at_least_their_share() {
        assert!(Majority::TwoThirds.carried(10, 15));
        assert!(!Majority::TwoThirds.carried(9, 15));
        assert!(Majority::ThreeQuarters.carried(9, 12));
        assert!(!Majority::ThreeQuarters.carried(8, 12));
        assert!(Majority::Unanimous.carried(7, 7));
        assert!(!Majority::Unanimous.carried(6, 7));
    }

    #[test]
    fn abstentions_weigh_only_when_the_statutes_count_them() {
        assert_eq!(votes_cast(6, 4, 3, false), 10);
        assert_eq!(votes_cast(6, 4, 3, true), 13);
        assert!(Majority::Simple.carried(6, votes_cast(6, 4, 3, false)));
        assert!(!Majority::Simple.carried(6, votes_cast(6, 4, 3, true)));
    }

    #[test]
    fn the_quorum_is_a_share_of_the_voting_members() {
        assert!(quorum_met(12, 23, 50));
        assert!(!quorum_met(11, 23, 50));
        assert!(quorum_met(0, 23, 0));
        assert!(!quorum_met(0, 0, 0));
    }
}
