//! What every page's layout needs, and the pieces forms share.

use std::sync::Arc;

use crate::auth::{CurrentUser, Role};
use crate::tenancy::Tenant;
use crate::web::i18n::Lang;

/// The data `base.html` renders: language, tenant, user, navigation, CSRF token and flash.
pub struct Layout {
    pub lang: Lang,
    pub tenant: Option<Arc<Tenant>>,
    pub user: Option<UserBadge>,
    pub csrf_token: String,
    pub nav: Vec<NavItem>,
    pub flash: Option<Flash>,
}

/// Stands for the viewer's CSRF token in HTML kept for every viewer (see [`Layout::shared`]).
/// PostgreSQL's text cannot hold a NUL character, so nothing read from the database can.
const CSRF_MARKER: &str = "\0csrf\0";

impl Layout {
    /// The layout to render a fragment with that is kept and shown to other viewers: the same
    /// language and cooperative, nobody's name or navigation, and a marker where the CSRF token
    /// goes, which [`Layout::personal`] fills in with each viewer's own.
    pub fn shared(&self) -> Layout {
        Layout {
            lang: self.lang,
            tenant: self.tenant.clone(),
            user: None,
            csrf_token: CSRF_MARKER.to_owned(),
            nav: Vec::new(),
            flash: None,
        }
    }

    /// A fragment rendered with [`Layout::shared`], with this viewer's CSRF token filled in.
    pub fn personal(&self, shared: &str) -> String {
        shared.replace(CSRF_MARKER, &self.csrf_token)
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.lang.t(key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    /// The tenant's path segment, for links and form actions.
    pub fn tenant_slug(&self) -> &str {
        self.tenant.as_ref().map(|t| t.slug.as_str()).unwrap_or_default()
    }
}

/// Who is logged in, as the header shows it.
pub struct UserBadge {
    pub name: String,
    pub role_labels: String,
}

impl UserBadge {
    pub fn new(user: &CurrentUser, lang: Lang) -> UserBadge {
        UserBadge {
            name: user.name.clone(),
            role_labels: user
                .roles
                .iter()
                .map(|role| lang.t(role.label_key()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// The bar above a resident's own pages: who is signed in, whose pages they are (when a parent
/// is on a child's), the pages, and the other residents' pages the session may switch to.
pub struct ResidentBar {
    pub name: String,
    pub pages_of: Option<String>,
    pub nav: Vec<NavItem>,
    pub switch_to: Vec<(uuid::Uuid, String)>,
}

pub struct NavItem {
    pub href: String,
    pub label_key: &'static str,
    pub current: bool,
    /// Things waiting there (new referrals, unread notifications), when there are any.
    pub count: Option<i64>,
}

/// One entry of the navigation: each area exports its own, and `app` puts them in order.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    /// The path below the cooperative's address.
    pub path: &'static str,
    pub label_key: &'static str,
    /// Who sees the entry.
    pub roles: &'static [Role],
}

/// What waits for the user, by navigation path (new referrals, unread notifications).
#[derive(Debug, Clone, Default)]
pub struct Waiting(Vec<(&'static str, i64)>);

impl Waiting {
    pub fn add(&mut self, path: &'static str, count: i64) {
        self.0.push((path, count));
    }

    fn count(&self, path: &str) -> i64 {
        self.0
            .iter()
            .filter(|(p, _)| *p == path)
            .map(|(_, count)| count)
            .sum()
    }
}

pub fn navigation(
    entries: &[NavEntry],
    tenant: &Tenant,
    user: &CurrentUser,
    current_path: &str,
    waiting: &Waiting,
) -> Vec<NavItem> {
    entries
        .iter()
        .filter(|entry| user.roles.iter().any(|role| entry.roles.contains(role)))
        .map(|entry| {
            let href = format!("/{}{}", tenant.slug, entry.path);
            let count = waiting.count(entry.path);
            NavItem {
                current: current_path == href || (entry.path != "/" && current_path.starts_with(&href)),
                href,
                label_key: entry.label_key,
                count: (count > 0).then_some(count),
            }
        })
        .collect()
}

/// A one-line message shown after a redirect; only catalogue keys travel in the cookie.
#[derive(Debug, Clone, Copy)]
pub struct Flash {
    pub key: &'static str,
    pub kind: &'static str,
}

/// Flash messages that may be shown; anything else in the cookie is ignored.
pub const FLASHES: &[(&str, &str)] = &[
    ("flash.access_granted", "info"),
    ("flash.action_added", "success"),
    ("flash.action_updated", "success"),
    ("flash.agenda_copied", "success"),
    ("flash.agreement_added", "success"),
    ("flash.appeal_recorded", "success"),
    ("flash.attendance_recorded", "success"),
    ("flash.budget_line_added", "success"),
    ("flash.clock_changed", "success"),
    ("flash.confidentiality_changed", "success"),
    ("flash.consent_recorded", "success"),
    ("flash.consent_withdrawn", "success"),
    ("flash.contact_added", "success"),
    ("flash.contact_removed", "success"),
    ("flash.contract_created", "success"),
    ("flash.conversation_recorded", "success"),
    ("flash.conversation_scheduled", "success"),
    ("flash.document_added", "success"),
    ("flash.escalation_changed", "success"),
    ("flash.expense_recorded", "success"),
    ("flash.flexible_added", "success"),
    ("flash.flexible_already_stored", "info"),
    ("flash.flexible_decided", "success"),
    ("flash.flexible_threshold_set", "success"),
    ("flash.flexible_waiting", "success"),
    ("flash.follow_up_recorded", "success"),
    ("flash.grant_decided", "success"),
    ("flash.grant_requested", "success"),
    ("flash.grant_result", "success"),
    ("flash.group_closed", "success"),
    ("flash.group_created", "success"),
    ("flash.group_note_added", "success"),
    ("flash.group_updated", "success"),
    ("flash.household_linked", "success"),
    ("flash.household_member_added", "success"),
    ("flash.item_added", "success"),
    ("flash.item_moved", "success"),
    ("flash.item_removed", "success"),
    ("flash.item_updated", "success"),
    ("flash.journal_added", "success"),
    ("flash.language_changed", "success"),
    ("flash.lead_changed", "success"),
    ("flash.lead_not_changed", "error"),
    ("flash.logged_out", "success"),
    ("flash.mijn_plan_agreed", "success"),
    ("flash.mijn_plan_not_agreed", "warning"),
    ("flash.mijn_consent_withdrawn", "success"),
    ("flash.mijn_consent_already_withdrawn", "warning"),
    ("flash.mijn_message_sent", "success"),
    ("flash.mijn_switched", "success"),
    ("flash.guardian_given", "success"),
    ("flash.guardian_taken_back", "success"),
    ("flash.meeting_closed", "success"),
    ("flash.meeting_convened", "success"),
    ("flash.meeting_created", "success"),
    ("flash.meeting_opened", "success"),
    ("flash.meeting_updated", "success"),
    ("flash.member_added", "success"),
    ("flash.member_status_changed", "success"),
    ("flash.minutes_adopted", "success"),
    ("flash.minutes_approved", "success"),
    ("flash.minutes_drafted", "success"),
    ("flash.notes_saved", "success"),
    ("flash.notifications_read", "success"),
    ("flash.organisation_created", "success"),
    ("flash.organisation_updated", "success"),
    ("flash.password_changed", "success"),
    ("flash.pot_linked", "success"),
    ("flash.password_set", "success"),
    ("flash.payment_already_stored", "info"),
    ("flash.payment_recorded", "success"),
    ("flash.plan_saved", "success"),
    ("flash.poll_closed", "success"),
    ("flash.poll_opened", "success"),
    ("flash.proposal_promoted", "success"),
    ("flash.proposal_submitted", "success"),
    ("flash.referral_accepted", "success"),
    ("flash.referral_declined", "success"),
    ("flash.referral_finished", "success"),
    ("flash.referral_note_added", "success"),
    ("flash.referral_returned", "success"),
    ("flash.referral_sent", "success"),
    ("flash.referral_started", "success"),
    ("flash.referral_taken", "info"),
    ("flash.referral_withdrawn", "success"),
    ("flash.representative_added", "success"),
    ("flash.representative_ended", "success"),
    ("flash.request_created", "success"),
    ("flash.request_linked", "success"),
    ("flash.resident_created", "success"),
    ("flash.resident_updated", "success"),
    ("flash.result_declared", "success"),
    ("flash.revote_opened", "success"),
    ("flash.roles_changed", "success"),
    ("flash.rules_saved", "success"),
    ("flash.second_factor_active", "info"),
    ("flash.second_factor_reset", "success"),
    ("flash.service_created", "success"),
    ("flash.service_updated", "success"),
    ("flash.session_ended", "success"),
    ("flash.session_expired", "info"),
    ("flash.settings_saved", "success"),
    ("flash.status_changed", "success"),
    ("flash.task_added", "success"),
    ("flash.task_done", "success"),
    ("flash.user_deactivated", "success"),
    ("flash.user_linked", "success"),
    ("flash.user_reactivated", "success"),
    ("flash.user_unlinked", "success"),
    ("flash.vote_cast", "success"),
];

impl Flash {
    pub fn from_cookie(value: &str) -> Option<Flash> {
        FLASHES
            .iter()
            .find(|(key, _)| *key == value)
            .map(|(key, kind)| Flash { key, kind })
    }
}

/// Validation messages of a form: per field (shown next to it) or for the whole form. A field
/// keeps its first message (the checks every field passes come first), and a message for
/// the whole form is not repeated.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<FieldError>);

#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: Option<&'static str>,
    pub message_key: &'static str,
}

impl FormErrors {
    pub const fn new() -> FormErrors {
        FormErrors(Vec::new())
    }

    pub fn field(&mut self, field: &'static str, message_key: &'static str) {
        if self.has(field) {
            return;
        }
        self.0.push(FieldError {
            field: Some(field),
            message_key,
        });
    }

    pub fn form(&mut self, message_key: &'static str) {
        if self
            .0
            .iter()
            .any(|e| e.field.is_none() && e.message_key == message_key)
        {
            return;
        }
        self.0.push(FieldError {
            field: None,
            message_key,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Puts the messages of field `from` beside `to`: for a form whose field has a name that
    /// another form on the same page also uses.
    pub fn rename(&mut self, from: &str, to: &'static str) {
        for error in &mut self.0 {
            if error.field == Some(from) {
                error.field = Some(to);
            }
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.for_field(field).is_some()
    }

    pub fn for_field(&self, field: &str) -> Option<&'static str> {
        self.0
            .iter()
            .find(|e| e.field == Some(field))
            .map(|e| e.message_key)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
}
