-- Figures for the cooperative and the municipality, and the anonymisation that retention
-- leaves behind so that those figures stay right after personal data is erased.

-- The backfills below must see every cooperative's rows. Row-level security is forced on these
-- tables, which would hide them from a schema owner that is not superuser; forced again at the end.
ALTER TABLE tenant_settings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE residents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE requests NO FORCE ROW LEVEL SECURITY;
ALTER TABLE cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE conversations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE case_events NO FORCE ROW LEVEL SECURITY;

-- Issue 8: seven years after a case closes is the default for cases other than youth care.
ALTER TABLE tenant_settings ALTER COLUMN retention_case_years SET DEFAULT 7;
UPDATE tenant_settings SET retention_case_years = 7 WHERE retention_case_years = 15;

-- Erasing a resident past the retention term keeps the request and case rows without anything
-- that points to the person; these mark that it happened.
ALTER TABLE requests ADD COLUMN anonymised_at timestamptz;
ALTER TABLE cases
    ADD COLUMN anonymised_at timestamptz,
    -- Kept from the erased resident's date of birth: the youth figure counts children per year.
    ADD COLUMN resident_birth_year smallint,
    ADD CHECK (resident_birth_year IS NULL OR anonymised_at IS NOT NULL);

-- Requests counted per day and per month, by channel, domain and triage, kept by a trigger, so
-- that a year of figures is a sum over a thousand monthly rows (days only for the ragged ends
-- of a period of one's own choosing) instead of a scan of every request. A request counts once
-- under domain '' (for the totals) and once under each of its domains; triage '' while it waits.
CREATE TABLE request_counts (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    channel   text NOT NULL,
    domain    text NOT NULL,
    triage    text NOT NULL,
    requests  integer NOT NULL,
    PRIMARY KEY (tenant_id, day, channel, domain, triage)
);
CREATE TABLE request_counts_monthly (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    channel   text NOT NULL,
    domain    text NOT NULL,
    triage    text NOT NULL,
    requests  integer NOT NULL,
    PRIMARY KEY (tenant_id, month, channel, domain, triage)
);

CREATE FUNCTION count_request(r requests, delta integer) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO request_counts (tenant_id, day, channel, domain, triage, requests)
    SELECT r.tenant_id, (r.received_at AT TIME ZONE 'Europe/Amsterdam')::date, r.channel, d,
           coalesce(r.triage, ''), delta
    FROM unnest(array_append(r.domains, '')) AS d
    ON CONFLICT (tenant_id, day, channel, domain, triage)
    DO UPDATE SET requests = request_counts.requests + EXCLUDED.requests;
    INSERT INTO request_counts_monthly (tenant_id, month, channel, domain, triage, requests)
    SELECT r.tenant_id, date_trunc('month', r.received_at AT TIME ZONE 'Europe/Amsterdam')::date, r.channel, d,
           coalesce(r.triage, ''), delta
    FROM unnest(array_append(r.domains, '')) AS d
    ON CONFLICT (tenant_id, month, channel, domain, triage)
    DO UPDATE SET requests = request_counts_monthly.requests + EXCLUDED.requests;
$$;

CREATE FUNCTION requests_counted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM count_request(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM count_request(NEW, 1);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER requests_counted AFTER INSERT OR DELETE OR UPDATE OF tenant_id, received_at, channel, domains, triage
    ON requests FOR EACH ROW EXECUTE FUNCTION requests_counted();

INSERT INTO request_counts (tenant_id, day, channel, domain, triage, requests)
SELECT r.tenant_id, (r.received_at AT TIME ZONE 'Europe/Amsterdam')::date, r.channel, d, coalesce(r.triage, ''),
       count(*)
FROM requests r, unnest(array_append(r.domains, '')) AS d
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO request_counts_monthly (tenant_id, month, channel, domain, triage, requests)
SELECT tenant_id, date_trunc('month', day)::date, channel, domain, triage, sum(requests)
FROM request_counts
GROUP BY 1, 2, 3, 4, 5;
SELECT make_tenant_owned('request_counts');
SELECT make_tenant_owned('request_counts_monthly');

-- What the case figures need from the request and the case's course, kept on the case so that
-- a period's cases are read off one index: when the question came in and in which domains,
-- when the first kitchen-table conversation was held and when a plan was first agreed.
ALTER TABLE cases
    ADD COLUMN received_at timestamptz,
    ADD COLUMN domains text[] NOT NULL DEFAULT '{}',
    ADD COLUMN first_conversation_at timestamptz,
    ADD COLUMN plan_agreed_at timestamptz,
    -- The resident's date of birth, for the youth figure without a join to every resident.
    ADD COLUMN resident_born_on date;

UPDATE cases c SET received_at = q.received_at, domains = q.domains
FROM requests q WHERE q.tenant_id = c.tenant_id AND q.id = c.request_id;
UPDATE cases c SET first_conversation_at = v.first_at
FROM (SELECT tenant_id, case_id, min(planned_at) AS first_at FROM conversations
      WHERE report_on IS NOT NULL GROUP BY 1, 2) v
WHERE v.tenant_id = c.tenant_id AND v.case_id = c.id;
UPDATE cases c SET plan_agreed_at = e.first_at
FROM (SELECT tenant_id, case_id, min(occurred_at) AS first_at FROM case_events
      WHERE kind = 'status' AND to_value = 'plan_vastgesteld' GROUP BY 1, 2) e
WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id;
ALTER TABLE cases ALTER COLUMN received_at SET NOT NULL;
UPDATE cases c SET resident_born_on = r.date_of_birth
FROM residents r WHERE r.tenant_id = c.tenant_id AND r.id = c.resident_id;

CREATE FUNCTION case_resident_born() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.resident_born_on := (SELECT date_of_birth FROM residents WHERE tenant_id = NEW.tenant_id AND id = NEW.resident_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_resident_born BEFORE INSERT OR UPDATE OF resident_id ON cases
    FOR EACH ROW EXECUTE FUNCTION case_resident_born();

CREATE FUNCTION resident_born_to_cases() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE cases SET resident_born_on = NEW.date_of_birth WHERE tenant_id = NEW.tenant_id AND resident_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER residents_born_to_cases AFTER UPDATE OF date_of_birth ON residents
    FOR EACH ROW WHEN (OLD.date_of_birth IS DISTINCT FROM NEW.date_of_birth)
    EXECUTE FUNCTION resident_born_to_cases();

CREATE FUNCTION case_from_request() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    SELECT q.received_at, q.domains INTO NEW.received_at, NEW.domains
    FROM requests q WHERE q.tenant_id = NEW.tenant_id AND q.id = NEW.request_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_from_request BEFORE INSERT ON cases FOR EACH ROW EXECUTE FUNCTION case_from_request();

CREATE FUNCTION request_to_case() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE cases SET received_at = NEW.received_at, domains = NEW.domains
    WHERE tenant_id = NEW.tenant_id AND request_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER requests_to_case AFTER UPDATE OF received_at, domains ON requests
    FOR EACH ROW WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at OR OLD.domains IS DISTINCT FROM NEW.domains)
    EXECUTE FUNCTION request_to_case();

-- A conversation counts once its report is recorded: then it has taken place.
CREATE FUNCTION conversation_to_case() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE cases c SET first_conversation_at = (
        SELECT min(v.planned_at) FROM conversations v
        WHERE v.tenant_id = NEW.tenant_id AND v.case_id = NEW.case_id AND v.report_on IS NOT NULL)
    WHERE c.tenant_id = NEW.tenant_id AND c.id = NEW.case_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER conversations_to_case AFTER INSERT OR UPDATE OF planned_at, report_on ON conversations
    FOR EACH ROW EXECUTE FUNCTION conversation_to_case();

CREATE FUNCTION plan_agreed_to_case() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE cases SET plan_agreed_at = NEW.occurred_at
    WHERE tenant_id = NEW.tenant_id AND id = NEW.case_id AND plan_agreed_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER case_events_plan_agreed AFTER INSERT ON case_events
    FOR EACH ROW WHEN (NEW.kind = 'status' AND NEW.to_value = 'plan_vastgesteld')
    EXECUTE FUNCTION plan_agreed_to_case();

-- The dashboard's reads, each off one index (checked under a generic plan by a test).
CREATE INDEX cases_opened ON cases (tenant_id, created_at)
    INCLUDE (received_at, first_conversation_at, plan_agreed_at);
CREATE INDEX cases_closed ON cases (tenant_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_open_levels ON cases (tenant_id, status, escalation) WHERE status <> 'afgesloten';
CREATE INDEX cases_youth ON cases (tenant_id, created_at)
    INCLUDE (id, closed_at, resident_id, resident_born_on, resident_birth_year, domains) WHERE 'jeugd' = ANY (domains);
DROP INDEX case_clocks_kind;
CREATE INDEX case_clocks_kind ON case_clocks (tenant_id, kind, completed_on) INCLUDE (due_on);
CREATE INDEX case_clocks_running ON case_clocks (tenant_id, kind, due_on) INCLUDE (case_id, paused_on, resumed_on)
    WHERE completed_on IS NULL;
CREATE INDEX referrals_sent ON referrals (tenant_id, organisation_id, sent_at)
    INCLUDE (status, answered_at, decline_reason, finished_at);
CREATE INDEX referrals_declined_sent ON referrals (tenant_id, sent_at) INCLUDE (decline_reason)
    WHERE status = 'afgewezen';
CREATE INDEX decisions_decided ON decisions (tenant_id, decided_on);

ALTER TABLE tenant_settings FORCE ROW LEVEL SECURITY;
ALTER TABLE residents FORCE ROW LEVEL SECURITY;
ALTER TABLE requests FORCE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
ALTER TABLE conversations FORCE ROW LEVEL SECURITY;
ALTER TABLE case_events FORCE ROW LEVEL SECURITY;
