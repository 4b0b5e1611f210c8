-- Running a cooperative: tenant settings, closing days, signposting destinations, the audit
-- log, invitation and reset tokens, two-factor login and disabled tenants.

-- A disabled tenant keeps its data, but nobody can log in and its pages say so.
-- The default language is read before any session, so it lives beside the name.
ALTER TABLE tenants
    ADD COLUMN disabled_at timestamptz,
    ADD COLUMN default_language text NOT NULL DEFAULT 'nl' CHECK (default_language IN ('nl', 'en'));

-- Administrators change their own cooperative's name and language, and nothing else of it.
GRANT UPDATE (name, default_language) ON tenants TO schakel_app;
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenants_readable ON tenants FOR SELECT USING (true);
CREATE POLICY tenants_own_update ON tenants FOR UPDATE USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());

-- An invited user has no password until they follow the invitation link.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

-- Two-factor login with TOTP. The secret is set at enrolment and confirmed by a first code;
-- the last accepted time step stops a code from being used twice.
ALTER TABLE users
    ADD COLUMN totp_secret       text,
    ADD COLUMN totp_confirmed_at timestamptz,
    ADD COLUMN totp_last_step    bigint,
    ADD CONSTRAINT users_totp_confirmed_has_secret CHECK (totp_confirmed_at IS NULL OR totp_secret IS NOT NULL);

-- A session is fully logged in only after the second factor, where one is needed.
-- The id names a session on the "my sessions" page without revealing anything of its token.
ALTER TABLE sessions
    ADD COLUMN stage text NOT NULL DEFAULT 'active'
        CHECK (stage IN ('active', 'needs_code', 'needs_enrolment')),
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD CONSTRAINT sessions_id_key UNIQUE (tenant_id, id);

CREATE TABLE tenant_settings (
    tenant_id                  uuid PRIMARY KEY REFERENCES tenants (id),
    contact_email              text NOT NULL DEFAULT '',
    contact_phone              text NOT NULL DEFAULT '',
    contact_address            text NOT NULL DEFAULT '',
    -- Who must log in with a second factor: nobody, the roles that see residents, or everyone.
    second_factor              text NOT NULL DEFAULT 'resident_roles'
                               CHECK (second_factor IN ('off', 'resident_roles', 'everyone')),
    wmo_investigation_weeks    integer NOT NULL DEFAULT 6 CHECK (wmo_investigation_weeks BETWEEN 1 AND 52),
    wmo_decision_weeks         integer NOT NULL DEFAULT 2 CHECK (wmo_decision_weeks BETWEEN 1 AND 52),
    jeugd_decision_weeks       integer NOT NULL DEFAULT 8 CHECK (jeugd_decision_weeks BETWEEN 1 AND 52),
    max_extension_weeks        integer NOT NULL DEFAULT 6 CHECK (max_extension_weeks BETWEEN 0 AND 52),
    referral_answer_days       integer NOT NULL DEFAULT 5 CHECK (referral_answer_days BETWEEN 1 AND 60),
    signpost_follow_up_days    integer NOT NULL DEFAULT 14 CHECK (signpost_follow_up_days BETWEEN 1 AND 90),
    liberation_day_every_year  boolean NOT NULL DEFAULT false,
    retention_request_years    integer NOT NULL DEFAULT 2 CHECK (retention_request_years BETWEEN 1 AND 30),
    retention_case_years       integer NOT NULL DEFAULT 15 CHECK (retention_case_years BETWEEN 1 AND 30),
    retention_youth_case_years integer NOT NULL DEFAULT 20 CHECK (retention_youth_case_years BETWEEN 1 AND 30),
    retention_audit_years      integer NOT NULL DEFAULT 7 CHECK (retention_audit_years BETWEEN 1 AND 30),
    updated_at                 timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER tenant_settings_updated_at BEFORE UPDATE ON tenant_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT make_tenant_owned('tenant_settings');
INSERT INTO tenant_settings (tenant_id) SELECT id FROM tenants;

-- Days the cooperative is closed besides weekends and public holidays.
CREATE TABLE closing_days (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    day         date NOT NULL,
    description text NOT NULL CHECK (btrim(description) <> ''),
    PRIMARY KEY (tenant_id, day)
);
SELECT make_tenant_owned('closing_days');

-- Where the desk can point residents to outside the cooperative (wegwijzer).
CREATE TABLE signpost_destinations (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    active      boolean NOT NULL DEFAULT true,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
SELECT make_tenant_owned('signpost_destinations');

-- Who did what, when. Rows are only ever added: the web role may not change or delete them.
CREATE TABLE audit_events (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor_id        uuid,
    actor_name      text NOT NULL DEFAULT '',
    kind            text NOT NULL,
    subject_user_id uuid,
    subject_name    text NOT NULL DEFAULT '',
    details         jsonb NOT NULL DEFAULT '{}',
    client_ip       inet,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at DESC, id);
CREATE INDEX audit_events_kind ON audit_events (tenant_id, kind, occurred_at DESC);
CREATE INDEX audit_events_actor ON audit_events (tenant_id, actor_id, occurred_at DESC);
CREATE INDEX audit_events_subject ON audit_events (tenant_id, subject_user_id, occurred_at DESC);
SELECT make_tenant_owned('audit_events');
REVOKE UPDATE, DELETE ON audit_events FROM schakel_app;

-- One-time links: invitations and password resets. Only a SHA-256 of the token is kept.
CREATE TABLE user_tokens (
    tenant_id  uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL,
    purpose    text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX user_tokens_user ON user_tokens (tenant_id, user_id);
SELECT make_tenant_owned('user_tokens');

-- Ten single-use recovery codes per user with a second factor, stored hashed.
CREATE TABLE recovery_codes (
    tenant_id uuid NOT NULL,
    user_id   uuid NOT NULL,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz,
    PRIMARY KEY (tenant_id, user_id, code_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
SELECT make_tenant_owned('recovery_codes');

-- Lists of users are searched by name and email.
CREATE INDEX users_name ON users (tenant_id, lower(name));
