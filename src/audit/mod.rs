//! The audit log: who did what, when, from where. Rows are only ever added (the web role
//! cannot change or delete them). Administrators browse it under `/{tenant}/admin/audit`.

pub mod chain;
mod describe;
pub mod file_views;
mod handlers;

use std::net::IpAddr;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use sqlx::types::ipnet::IpNet;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::auth::Role;
use crate::db::TenantTx;
use crate::web::i18n::Lang;
use crate::web::layout::NavEntry;

pub use describe::describe;

pub const NAV: NavEntry = NavEntry {
    path: "/admin/audit",
    label_key: "nav.audit",
    roles: &[Role::Admin],
};

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/{tenant}/admin/audit", get(handlers::browse))
        .route("/{tenant}/residents/{id}/inzage", get(handlers::file_views))
}

/// What happened. The stored name is stable; the label comes from the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    LoginSucceeded,
    LoginFailed,
    LoginThrottled,
    Logout,
    SessionEnded,
    UserInvited,
    InvitationAccepted,
    RolesChanged,
    UserDeactivated,
    UserReactivated,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetIssued,
    PasswordResetCompleted,
    SecondFactorEnrolled,
    SecondFactorReset,
    RecoveryCodeUsed,
    LanguageChanged,
    SettingsChanged,
    ResidentViewed,
    ResidentCreated,
    ResidentUpdated,
    BsnViewed,
    HouseholdLinked,
    RequestCreated,
    RequestViewed,
    RequestTriaged,
    RequestLinked,
    FollowUpRecorded,
    OnlineRequestReceived,
    CaseViewed,
    CaseAccessGranted,
    CaseLeadChanged,
    CaseMemberAdded,
    CaseStatusChanged,
    CaseEscalationChanged,
    CaseConfidentialityChanged,
    ConversationScheduled,
    ConversationRecorded,
    PlanChanged,
    NetworkChanged,
    JournalEntryAdded,
    AttachmentViewed,
    TaskChanged,
    ClockChanged,
    MemberCreated,
    MemberUpdated,
    MemberStatusChanged,
    ServiceChanged,
    WorkingGroupChanged,
    ConsentRecorded,
    ConsentWithdrawn,
    ReferralSent,
    ReferralViewed,
    ReferralChanged,
    AssemblyRulesChanged,
    MeetingChanged,
    AgendaChanged,
    RepresentativeChanged,
    AttendanceRecorded,
    PollChanged,
    DecisionChanged,
    MinutesChanged,
    FinanceChanged,
    PrivacyExport,
    PrivacySearch,
    RetentionApplied,
    ResidentCodeIssued,
    ResidentAccountSetUp,
    GuardianChanged,
    ResidentLinkSent,
}

impl AuditKind {
    pub const ALL: [AuditKind; 71] = [
        AuditKind::LoginSucceeded,
        AuditKind::LoginFailed,
        AuditKind::LoginThrottled,
        AuditKind::Logout,
        AuditKind::SessionEnded,
        AuditKind::UserInvited,
        AuditKind::InvitationAccepted,
        AuditKind::RolesChanged,
        AuditKind::UserDeactivated,
        AuditKind::UserReactivated,
        AuditKind::PasswordChanged,
        AuditKind::PasswordResetRequested,
        AuditKind::PasswordResetIssued,
        AuditKind::PasswordResetCompleted,
        AuditKind::SecondFactorEnrolled,
        AuditKind::SecondFactorReset,
        AuditKind::RecoveryCodeUsed,
        AuditKind::LanguageChanged,
        AuditKind::SettingsChanged,
        AuditKind::ResidentViewed,
        AuditKind::ResidentCreated,
        AuditKind::ResidentUpdated,
        AuditKind::BsnViewed,
        AuditKind::HouseholdLinked,
        AuditKind::RequestCreated,
        AuditKind::RequestViewed,
        AuditKind::RequestTriaged,
        AuditKind::RequestLinked,
        AuditKind::FollowUpRecorded,
        AuditKind::OnlineRequestReceived,
        AuditKind::CaseViewed,
        AuditKind::CaseAccessGranted,
        AuditKind::CaseLeadChanged,
        AuditKind::CaseMemberAdded,
        AuditKind::CaseStatusChanged,
        AuditKind::CaseEscalationChanged,
        AuditKind::CaseConfidentialityChanged,
        AuditKind::ConversationScheduled,
        AuditKind::ConversationRecorded,
        AuditKind::PlanChanged,
        AuditKind::NetworkChanged,
        AuditKind::JournalEntryAdded,
        AuditKind::AttachmentViewed,
        AuditKind::TaskChanged,
        AuditKind::ClockChanged,
        AuditKind::MemberCreated,
        AuditKind::MemberUpdated,
        AuditKind::MemberStatusChanged,
        AuditKind::ServiceChanged,
        AuditKind::WorkingGroupChanged,
        AuditKind::ConsentRecorded,
        AuditKind::ConsentWithdrawn,
        AuditKind::ReferralSent,
        AuditKind::ReferralViewed,
        AuditKind::ReferralChanged,
        AuditKind::AssemblyRulesChanged,
        AuditKind::MeetingChanged,
        AuditKind::AgendaChanged,
        AuditKind::RepresentativeChanged,
        AuditKind::AttendanceRecorded,
        AuditKind::PollChanged,
        AuditKind::DecisionChanged,
        AuditKind::MinutesChanged,
        AuditKind::FinanceChanged,
        AuditKind::PrivacyExport,
        AuditKind::PrivacySearch,
        AuditKind::RetentionApplied,
        AuditKind::ResidentCodeIssued,
        AuditKind::ResidentAccountSetUp,
        AuditKind::GuardianChanged,
        AuditKind::ResidentLinkSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::LoginSucceeded => "login_succeeded",
            AuditKind::LoginFailed => "login_failed",
            AuditKind::LoginThrottled => "login_throttled",
            AuditKind::Logout => "logout",
            AuditKind::SessionEnded => "session_ended",
            AuditKind::UserInvited => "user_invited",
            AuditKind::InvitationAccepted => "invitation_accepted",
            AuditKind::RolesChanged => "roles_changed",
            AuditKind::UserDeactivated => "user_deactivated",
            AuditKind::UserReactivated => "user_reactivated",
            AuditKind::PasswordChanged => "password_changed",
            AuditKind::PasswordResetRequested => "password_reset_requested",
            AuditKind::PasswordResetIssued => "password_reset_issued",
            AuditKind::PasswordResetCompleted => "password_reset_completed",
            AuditKind::SecondFactorEnrolled => "second_factor_enrolled",
            AuditKind::SecondFactorReset => "second_factor_reset",
            AuditKind::RecoveryCodeUsed => "recovery_code_used",
            AuditKind::LanguageChanged => "language_changed",
            AuditKind::SettingsChanged => "settings_changed",
            AuditKind::ResidentViewed => "resident_viewed",
            AuditKind::ResidentCreated => "resident_created",
            AuditKind::ResidentUpdated => "resident_updated",
            AuditKind::BsnViewed => "bsn_viewed",
            AuditKind::HouseholdLinked => "household_linked",
            AuditKind::RequestCreated => "request_created",
            AuditKind::RequestViewed => "request_viewed",
            AuditKind::RequestTriaged => "request_triaged",
            AuditKind::RequestLinked => "request_linked",
            AuditKind::FollowUpRecorded => "follow_up_recorded",
            AuditKind::OnlineRequestReceived => "online_request_received",
            AuditKind::CaseViewed => "case_viewed",
            AuditKind::CaseAccessGranted => "case_access_granted",
            AuditKind::CaseLeadChanged => "case_lead_changed",
            AuditKind::CaseMemberAdded => "case_member_added",
            AuditKind::CaseStatusChanged => "case_status_changed",
            AuditKind::CaseEscalationChanged => "case_escalation_changed",
            AuditKind::CaseConfidentialityChanged => "case_confidentiality_changed",
            AuditKind::ConversationScheduled => "conversation_scheduled",
            AuditKind::ConversationRecorded => "conversation_recorded",
            AuditKind::PlanChanged => "plan_changed",
            AuditKind::NetworkChanged => "network_changed",
            AuditKind::JournalEntryAdded => "journal_entry_added",
            AuditKind::AttachmentViewed => "attachment_viewed",
            AuditKind::TaskChanged => "task_changed",
            AuditKind::ClockChanged => "clock_changed",
            AuditKind::MemberCreated => "member_created",
            AuditKind::MemberUpdated => "member_updated",
            AuditKind::MemberStatusChanged => "member_status_changed",
            AuditKind::ServiceChanged => "service_changed",
            AuditKind::WorkingGroupChanged => "working_group_changed",
            AuditKind::ConsentRecorded => "consent_recorded",
            AuditKind::ConsentWithdrawn => "consent_withdrawn",
            AuditKind::ReferralSent => "referral_sent",
            AuditKind::ReferralViewed => "referral_viewed",
            AuditKind::ReferralChanged => "referral_changed",
            AuditKind::AssemblyRulesChanged => "assembly_rules_changed",
            AuditKind::MeetingChanged => "meeting_changed",
            AuditKind::AgendaChanged => "agenda_changed",
            AuditKind::RepresentativeChanged => "representative_changed",
            AuditKind::AttendanceRecorded => "attendance_recorded",
            AuditKind::PollChanged => "poll_changed",
            AuditKind::DecisionChanged => "decision_changed",
            AuditKind::MinutesChanged => "minutes_changed",
            AuditKind::FinanceChanged => "finance_changed",
            AuditKind::PrivacyExport => "privacy_export",
            AuditKind::PrivacySearch => "privacy_search",
            AuditKind::RetentionApplied => "retention_applied",
            AuditKind::ResidentCodeIssued => "resident_code_issued",
            AuditKind::ResidentAccountSetUp => "resident_account_set_up",
            AuditKind::GuardianChanged => "guardian_changed",
            AuditKind::ResidentLinkSent => "resident_link_sent",
        }
    }

    pub fn parse(name: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    pub fn label_key(self) -> String {
        format!("audit.kind.{}", self.as_str())
    }
}

/// Who acts: a logged-in user (with the roles and organisation they act in, as NEN 7513
/// asks), a resident on their own pages, or someone not (yet) known, from an address.
pub struct Actor {
    pub id: Option<Uuid>,
    pub name: String,
    pub client_ip: Option<IpAddr>,
    pub roles: Vec<&'static str>,
    pub organisation_id: Option<Uuid>,
    /// The resident, when a resident acts on their own pages.
    pub resident_id: Option<Uuid>,
}

impl Actor {
    pub fn user(user: &CurrentUser, client_ip: Option<IpAddr>) -> Actor {
        Actor {
            id: Some(user.id),
            name: user.name.clone(),
            client_ip,
            roles: user.roles.iter().map(|role| role.as_str()).collect(),
            organisation_id: user.organisation_id,
            resident_id: None,
        }
    }

    pub fn anonymous(client_ip: Option<IpAddr>) -> Actor {
        Actor {
            id: None,
            name: String::new(),
            client_ip,
            roles: Vec::new(),
            organisation_id: None,
            resident_id: None,
        }
    }

    /// A user known by id and name only (at login, before their roles are read), or a program.
    pub fn named(id: Option<Uuid>, name: &str, client_ip: Option<IpAddr>) -> Actor {
        Actor {
            id,
            name: name.to_owned(),
            ..Actor::anonymous(client_ip)
        }
    }

    /// A resident on their own pages (or a parent on their child's).
    pub fn resident(resident_id: Uuid, name: &str, client_ip: Option<IpAddr>) -> Actor {
        Actor {
            resident_id: Some(resident_id),
            ..Actor::named(None, name, client_ip)
        }
    }
}

/// The user an event is about.
pub struct Subject<'a> {
    pub id: Uuid,
    pub name: &'a str,
}

/// Adds an event to the log, in the caller's transaction: it is written exactly when the
/// change it records is.
pub async fn record(
    tx: &mut TenantTx,
    actor: &Actor,
    kind: AuditKind,
    subject: Option<Subject<'_>>,
    details: Value,
) -> sqlx::Result<()> {
    insert(tx, actor, kind, subject, None, None, details).await
}

/// Adds an event about a resident's file: every read and every change of it.
pub async fn record_for_resident(
    tx: &mut TenantTx,
    actor: &Actor,
    kind: AuditKind,
    resident_id: Uuid,
    details: Value,
) -> sqlx::Result<()> {
    insert(tx, actor, kind, None, Some(resident_id), None, details).await
}

/// Adds an event about a case (and so about its resident's file, when it has one).
pub async fn record_for_case(
    tx: &mut TenantTx,
    actor: &Actor,
    kind: AuditKind,
    case_id: Uuid,
    resident_id: Option<Uuid>,
    details: Value,
) -> sqlx::Result<()> {
    insert(tx, actor, kind, None, resident_id, Some(case_id), details).await
}

async fn insert(
    tx: &mut TenantTx,
    actor: &Actor,
    kind: AuditKind,
    subject: Option<Subject<'_>>,
    resident_id: Option<Uuid>,
    case_id: Option<Uuid>,
    details: Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO audit_events
             (tenant_id, actor_id, actor_name, kind, subject_user_id, subject_name, details, client_ip, resident_id,
              case_id, actor_roles, actor_organisation_id, actor_resident_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        tx.tenant_id(),
        actor.id,
        actor.name,
        kind.as_str(),
        subject.as_ref().map(|s| s.id),
        subject.as_ref().map(|s| s.name).unwrap_or_default(),
        details,
        actor.client_ip.map(IpNet::from),
        resident_id,
        case_id,
        &actor.roles.iter().map(|role| (*role).to_owned()).collect::<Vec<_>>(),
        actor.organisation_id,
        actor.resident_id,
    )
    .execute(&mut **tx)
    .await?;
    metrics::counter!("audit_events_written_total").increment(1);
    Ok(())
}

/// One line of the log as the browse page shows it: the resident by name and the case by its
/// reference, the ids in the details by what they name.
pub struct AuditEntry {
    pub occurred_at: String,
    pub resident_id: Option<Uuid>,
    pub resident_name: Option<String>,
    pub case_reference: Option<String>,
    pub actor_name: String,
    pub kind: String,
    pub subject_name: String,
    pub details: Value,
    pub client_ip: Option<String>,
}

impl AuditEntry {
    /// What happened, in the words of the catalogue.
    pub fn kind_key(&self) -> String {
        AuditKind::parse(&self.kind).map_or_else(|| format!("audit.kind.{}", self.kind), AuditKind::label_key)
    }

    /// The details as a line of text, or nothing when there are none.
    pub fn details_text(&self, lang: Lang) -> String {
        describe(&self.details, lang)
    }
}

pub struct AuditFilter {
    pub user_id: Option<Uuid>,
    pub resident_id: Option<Uuid>,
    pub kind: Option<AuditKind>,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

pub const PAGE_SIZE: i64 = 50;

/// A page of the log, newest first; one more row than a page tells whether there is a next.
pub async fn search(tx: &mut TenantTx, filter: &AuditFilter, page: i64) -> sqlx::Result<Vec<AuditEntry>> {
    sqlx::query_as!(
        AuditEntry,
        r#"SELECT to_char(local_time(a.occurred_at), 'DD-MM-YYYY HH24:MI:SS') AS "occurred_at!", a.resident_id AS "resident_id?",
                  (SELECT concat_ws(' ', nullif(coalesce(nullif(r.first_names, ''), r.initials), ''),
                                    nullif(r.surname_prefix, ''), r.surname)
                   FROM residents r WHERE r.tenant_id = $1 AND r.id = a.resident_id) AS resident_name,
                  (SELECT c.reference FROM cases c WHERE c.tenant_id = $1 AND c.id = a.case_id) AS case_reference,
                  a.actor_name AS "actor_name!", a.kind AS "kind!", a.subject_name AS "subject_name!",
                  audit_named_details($1, a.details) AS "details!",
                  host(a.client_ip) AS client_ip
           FROM (SELECT * FROM audit_events
                 WHERE tenant_id = $1
                   AND ($2::uuid IS NULL OR actor_id = $2 OR subject_user_id = $2)
                   AND ($3::text IS NULL OR kind = $3)
                   AND ($4::date IS NULL OR occurred_at >= (local_moment($4::date::timestamp)))
                   AND ($5::date IS NULL OR occurred_at < (local_moment(($5::date + 1)::timestamp)))
                   AND ($8::uuid IS NULL OR resident_id = $8)
                 ORDER BY occurred_at DESC, id DESC
                 LIMIT $6 OFFSET $7) a
           ORDER BY a.occurred_at DESC, a.id DESC"#,
        tx.tenant_id(),
        filter.user_id,
        filter.kind.map(AuditKind::as_str),
        filter.from,
        filter.to,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE,
        filter.resident_id,
    )
    .fetch_all(&mut **tx)
    .await
}

/// How many events [`search`] finds in all, counted up to the limit of a list's count: the log
/// grows without end.
pub async fn count(tx: &mut TenantTx, filter: &AuditFilter) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM (
               SELECT 1 FROM audit_events
               WHERE tenant_id = $1
                 AND ($2::uuid IS NULL OR actor_id = $2 OR subject_user_id = $2)
                 AND ($3::text IS NULL OR kind = $3)
                 AND ($4::date IS NULL OR occurred_at >= (local_moment($4::date::timestamp)))
                 AND ($5::date IS NULL OR occurred_at < (local_moment(($5::date + 1)::timestamp)))
                 AND ($7::uuid IS NULL OR resident_id = $7)
               LIMIT $6
           ) AS counted"#,
        tx.tenant_id(),
        filter.user_id,
        filter.kind.map(AuditKind::as_str),
        filter.from,
        filter.to,
        crate::web::pagination::COUNT_LIMIT + 1,
        filter.resident_id,
    )
    .fetch_one(&mut **tx)
    .await
}
