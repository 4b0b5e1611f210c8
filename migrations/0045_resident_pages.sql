-- A resident's own pages (/{slug}/mijn): accounts set up with a sign-in code from the desk or
-- the lead, their sessions, a parent's access to a minor's pages, the plan's agreed versions as
-- the resident read them, and what a resident does there (agree, withdraw, write).

-- Who acted, as NEN 7513 asks: the roles and organisation a user acted in, or the resident
-- when a resident acts on their own pages (those looks are not listed to them as "who looked").
ALTER TABLE audit_events
    ADD COLUMN actor_roles text[] NOT NULL DEFAULT '{}'
        CHECK (actor_roles <@ ARRAY['desk', 'professional', 'process_manager', 'member', 'admin', 'chair', 'treasurer']),
    ADD COLUMN actor_organisation_id uuid,
    ADD COLUMN actor_resident_id uuid;

-- The hash covers the new fields only when an event has them, so every event sealed before
-- keeps its hash and the chains still verify.
CREATE OR REPLACE FUNCTION audit_event_hash(prev bytea, e audit_events) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT sha256(coalesce(prev, '\x'::bytea) || convert_to(concat_ws(chr(31),
        e.tenant_id::text, e.id::text, e.chain_seq::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.actor_id::text, ''), e.actor_name, e.kind, coalesce(e.subject_user_id::text, ''),
        e.subject_name, coalesce(e.resident_id::text, ''), coalesce(e.case_id::text, ''),
        coalesce(host(e.client_ip), '')), 'UTF8')
        || CASE WHEN cardinality(e.actor_roles) > 0 OR e.actor_organisation_id IS NOT NULL
                     OR e.actor_resident_id IS NOT NULL
                THEN convert_to(concat_ws(chr(31), '', 'actor', array_to_string(e.actor_roles, ','),
                                          coalesce(e.actor_organisation_id::text, ''),
                                          coalesce(e.actor_resident_id::text, '')), 'UTF8')
                ELSE '\x'::bytea END
        || coalesce(e.details_digest, '\x'::bytea))
$$;

-- A resident's name as their own pages show it: first names (else initials), prefix, surname.
CREATE FUNCTION resident_display_name(first_names text, initials text, surname_prefix text, surname text)
    RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT concat_ws(' ', nullif(coalesce(nullif(first_names, ''), initials), ''), nullif(surname_prefix, ''), surname) $$;

-- A resident's account: one per resident, set up with a sign-in code and their date of birth.
CREATE TABLE resident_accounts (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    resident_id   uuid NOT NULL,
    email         text NOT NULL CHECK (char_length(email) <= 254 AND email = lower(email) AND email LIKE '%_@_%'),
    -- An argon2 hash in PHC form, written only by the application.
    password_hash text NOT NULL CHECK (char_length(password_hash) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, resident_id),
    UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);
SELECT make_tenant_owned('resident_accounts');

-- A one-time sign-in code handed to a resident. Only a keyed digest is stored (the key is
-- outside the database), so a dump of this table lets no one in.
CREATE TABLE resident_sign_in_codes (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    resident_id uuid NOT NULL,
    code_digest bytea NOT NULL CHECK (length(code_digest) = 32),
    issued_by   uuid NOT NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code_digest),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, issued_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX resident_sign_in_codes_resident ON resident_sign_in_codes (tenant_id, resident_id);
SELECT make_tenant_owned('resident_sign_in_codes');

-- A resident's session: apart from staff sessions, so that neither can be taken for the other.
-- `acting_for` is whose pages are shown: the resident's own, or a minor's they were given.
CREATE TABLE resident_sessions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    account_id   uuid NOT NULL,
    acting_for   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    user_agent   text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 200),
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, account_id) REFERENCES resident_accounts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, acting_for) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX resident_sessions_account ON resident_sessions (tenant_id, account_id);
CREATE INDEX resident_sessions_last_seen ON resident_sessions (tenant_id, last_seen_at);
SELECT make_tenant_owned('resident_sessions');

-- A parent or guardian (linked in the household) given access to a minor's pages by the lead.
CREATE TABLE resident_guardians (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    guardian_id uuid NOT NULL,
    minor_id    uuid NOT NULL,
    granted_by  uuid NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, guardian_id, minor_id),
    FOREIGN KEY (tenant_id, guardian_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, minor_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, granted_by) REFERENCES users (tenant_id, id),
    CHECK (guardian_id <> minor_id)
);
CREATE INDEX resident_guardians_minor ON resident_guardians (tenant_id, minor_id);
SELECT make_tenant_owned('resident_guardians');

-- Each agreed version of a support plan as it was agreed, for the resident to read back, and
-- whether the resident agreed to it themselves on their pages.
CREATE TABLE support_plan_versions (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    case_id            uuid NOT NULL,
    version            integer NOT NULL CHECK (version > 0),
    agreed_on          date NOT NULL,
    goals              jsonb NOT NULL,
    resident_agreed_at timestamptz,
    resident_agreed_by uuid,
    PRIMARY KEY (tenant_id, case_id, version),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, resident_agreed_by) REFERENCES residents (tenant_id, id) ON DELETE SET NULL
);
SELECT make_tenant_owned('support_plan_versions');
-- A plan's goals with their actions as it stands, for its agreed version.
CREATE FUNCTION support_plan_content(p_tenant uuid, p_plan uuid) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'description', g.description,
               'actions', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                  'description', a.description, 'performer', a.performer,
                                  'performer_name', a.performer_name, 'target_on', a.target_on)
                               ORDER BY a.target_on NULLS LAST, a.description), '[]')
                           FROM plan_actions a WHERE a.tenant_id = g.tenant_id AND a.goal_id = g.id))
            ORDER BY g.position), '[]')
    FROM plan_goals g WHERE g.tenant_id = p_tenant AND g.plan_id = p_plan
$$;
INSERT INTO support_plan_versions (tenant_id, case_id, version, agreed_on, goals)
SELECT p.tenant_id, p.case_id, p.version, p.agreed_on, support_plan_content(p.tenant_id, p.id)
FROM support_plans p WHERE p.version > 0;
-- The case page shows the resident's agreement with the plan itself.
ALTER TABLE support_plans
    ADD COLUMN resident_agreed_version integer,
    ADD COLUMN resident_agreed_at timestamptz;

-- A message from the resident to their lead is a journal entry written by the resident.
ALTER TABLE journal_entries
    ALTER COLUMN author_id DROP NOT NULL,
    ADD COLUMN author_resident_id uuid,
    ADD CONSTRAINT journal_entries_author_resident_fkey FOREIGN KEY (tenant_id, author_resident_id)
        REFERENCES residents (tenant_id, id) ON DELETE SET NULL,
    DROP CONSTRAINT journal_entries_kind_check,
    ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN ('notitie', 'telefoon', 'huisbezoek', 'overleg', 'bericht')),
    ADD CONSTRAINT journal_entries_author CHECK ((kind = 'bericht') = (author_id IS NULL)
                                                 AND (author_id IS NULL OR author_resident_id IS NULL));

-- A consent the resident withdrew on their own pages.
DO $$
DECLARE
    withdrawn_check text;
BEGIN
    SELECT conname INTO STRICT withdrawn_check FROM pg_constraint
    WHERE conrelid = 'consents'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%withdrawn_at IS NULL%withdrawn_by IS NULL%';
    EXECUTE format('ALTER TABLE consents DROP CONSTRAINT %I', withdrawn_check);
END
$$;
ALTER TABLE consents
    ADD COLUMN withdrawn_by_resident boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT consents_withdrawn_by CHECK (
        CASE WHEN withdrawn_at IS NULL THEN withdrawn_by IS NULL AND NOT withdrawn_by_resident
             ELSE (withdrawn_by IS NULL) = withdrawn_by_resident END);
-- The referral's own history says the resident withdrew it: no user acted.
ALTER TABLE referral_events ALTER COLUMN actor_id DROP NOT NULL,
    ADD CONSTRAINT referral_events_actor CHECK (actor_id IS NOT NULL OR kind = 'ingetrokken');

-- The lead hears of a message or a withdrawal from the resident.
ALTER TABLE notifications
    ADD COLUMN case_id uuid,
    ADD CONSTRAINT notifications_case_fkey FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'referral_new', 'referral_accepted', 'referral_declined', 'referral_finished',
        'referral_returned', 'referral_overdue', 'referral_note', 'referral_withdrawn',
        'resident_message', 'resident_withdrew_consent'));
