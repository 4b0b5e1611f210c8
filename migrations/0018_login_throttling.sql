-- Login throttling as OWASP ASVS 2.2 asks (issue 20): counters that slow guessing down step by
-- step instead of locking an account for everyone, and the browsers a user has logged in with
-- before, which failures from elsewhere never slow down. See src/auth/throttle.rs.

-- Replaced by login_throttles: a row per failure, counted before and inserted after the
-- password check, let concurrent guesses past the limit.
DROP TABLE login_failures;

-- One counter per account (the e-mail address as typed, known or not), per client address and
-- per known browser. `key` is a SHA-256 of what is counted, so nothing typed into the login
-- form (a password typed into the e-mail field, say) is kept, whatever its length. Each
-- attempt claims its turn and counts itself a failure in one statement, before the password
-- is checked; a right password gives the count back.
CREATE TABLE login_throttles (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    kind            text NOT NULL CHECK (kind IN ('account', 'address', 'device')),
    key             bytea NOT NULL CHECK (length(key) = 32),
    failures        integer NOT NULL CHECK (failures >= 0),
    last_failure_at timestamptz NOT NULL,
    -- No attempt is checked before this moment.
    next_attempt_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, kind, key)
);
CREATE INDEX login_throttles_last_failure ON login_throttles (tenant_id, last_failure_at);
SELECT make_tenant_owned('login_throttles');

-- How long to wait after `failures` failures: nothing for the first `free` ones, then
-- `first_seconds`, doubling with every further failure up to `max_seconds`.
CREATE FUNCTION login_delay(failures integer, free integer, first_seconds integer, max_seconds integer)
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT CASE WHEN failures < free THEN interval '0'
                    ELSE make_interval(secs => least(first_seconds * 2 ^ least(failures - free, 20), max_seconds))
               END
    $$;

-- A browser a user has logged in with (a "device cookie"): the cookie carries a random token,
-- one per user and browser; only its SHA-256 is kept.
CREATE TABLE known_devices (
    tenant_id    uuid NOT NULL,
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX known_devices_user ON known_devices (tenant_id, user_id);
CREATE INDEX known_devices_last_used ON known_devices (tenant_id, last_used_at);
SELECT make_tenant_owned('known_devices');
