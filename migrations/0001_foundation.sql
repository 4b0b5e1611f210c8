-- Foundation: tenants, users, sessions and login throttling, plus the helpers every later
-- migration uses to make a table tenant-owned.

-- The role the web server acts as. It owns nothing, is never superuser and never BYPASSRLS,
-- so row-level security applies to every query it makes. The embedded cluster lets it log in;
-- on an external server the operator decides how it logs in (see README).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'schakel_app') THEN
        CREATE ROLE schakel_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO schakel_app;

-- The tenant of the current transaction, set by the data layer with set_config(..., true).
-- NULLIF: once set in a session the setting reverts to '' (not NULL) after the transaction.
CREATE FUNCTION app_tenant_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

-- Makes a table tenant-owned: row-level security enabled and forced (so even the owner is
-- subject to it), one policy on app_tenant_id(), and the web role's privileges.
CREATE FUNCTION make_tenant_owned(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())',
        tbl);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO schakel_app', tbl);
END
$$;

CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TABLE tenants (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug       text NOT NULL UNIQUE
               CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,39}$'
                      AND slug NOT IN ('static', 'healthz', 'login', 'logout', 'admin', 'api')),
    name       text NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Tenants are resolved from the URL before any tenant is known; the web role may only read them.
GRANT SELECT ON tenants TO schakel_app;

CREATE TABLE users (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    name          text NOT NULL CHECK (btrim(name) <> ''),
    password_hash text NOT NULL,
    roles         text[] NOT NULL
                  CHECK (cardinality(roles) > 0
                         AND roles <@ ARRAY['desk', 'professional', 'process_manager', 'member', 'admin', 'chair']),
    language      text CHECK (language IN ('nl', 'en')),
    active        boolean NOT NULL DEFAULT true,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);
CREATE TRIGGER users_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT make_tenant_owned('users');

-- A login session. Only a SHA-256 hash of the cookie's token is stored, so a copy of the
-- database cannot be used to take over sessions.
CREATE TABLE sessions (
    tenant_id    uuid NOT NULL,
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    user_agent   text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_last_seen ON sessions (tenant_id, last_seen_at);
SELECT make_tenant_owned('sessions');

-- Failed login attempts, kept briefly to throttle guessing per account and per address.
CREATE TABLE login_failures (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    email     text NOT NULL,
    client_ip inet,
    failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX login_failures_email ON login_failures (tenant_id, email, failed_at);
CREATE INDEX login_failures_ip ON login_failures (tenant_id, client_ip, failed_at);
SELECT make_tenant_owned('login_failures');
