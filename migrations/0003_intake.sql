-- The intake desk: residents, their households, requests for help, triage, follow-up tasks
-- for signposted requests, and the (for now empty) case a request to the team opens.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Lower case without accents, for searching names: "Öztürk" is found as "ozturk".
-- unaccent() is only STABLE (its dictionary could change); naming the dictionary makes this
-- safe to mark IMMUTABLE, so that it can feed generated columns and indexes.
CREATE FUNCTION search_text(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

CREATE TABLE residents (
    tenant_id             uuid NOT NULL REFERENCES tenants (id),
    id                    uuid NOT NULL DEFAULT gen_random_uuid(),
    first_names           text NOT NULL DEFAULT '',
    initials              text NOT NULL DEFAULT '',
    surname_prefix        text NOT NULL DEFAULT '',
    surname               text NOT NULL CHECK (btrim(surname) <> ''),
    date_of_birth         date CHECK (date_of_birth > date '1900-01-01'),
    bsn                   text CHECK (bsn ~ '^[0-9]{9}$'),
    street                text NOT NULL DEFAULT '',
    house_number          text NOT NULL DEFAULT '',
    house_number_addition text NOT NULL DEFAULT '',
    postcode              text CHECK (postcode ~ '^[0-9]{4} [A-Z]{2}$'),
    place                 text NOT NULL DEFAULT '',
    phone                 text NOT NULL DEFAULT '',
    email                 text NOT NULL DEFAULT '',
    preferred_language    text NOT NULL DEFAULT 'nl',
    remarks               text NOT NULL DEFAULT '',
    -- Normalised for searching; byte order ("C") so that prefix ranges can use the index.
    search_surname        text COLLATE "C" GENERATED ALWAYS AS (search_text(surname)) STORED,
    search_first_names    text COLLATE "C" GENERATED ALWAYS AS (search_text(first_names)) STORED,
    search_full_name      text GENERATED ALWAYS AS
                              (search_text(first_names || ' ' || surname_prefix || ' ' || surname)) STORED,
    created_by            uuid,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, bsn)
);
CREATE TRIGGER residents_updated_at BEFORE UPDATE ON residents FOR EACH ROW EXECUTE FUNCTION set_updated_at();
-- In the order the search lists them, so that a page is read straight off the index.
CREATE INDEX residents_surname ON residents (tenant_id, search_surname, search_first_names, id);
CREATE INDEX residents_first_names ON residents (tenant_id, search_first_names, search_surname, id);
CREATE INDEX residents_birth ON residents (tenant_id, date_of_birth);
CREATE INDEX residents_address ON residents (tenant_id, postcode, house_number);
CREATE INDEX residents_full_name_trgm ON residents USING gin (search_full_name gin_trgm_ops);
SELECT make_tenant_owned('residents');

-- Residents linked as one household: `relation` is what the other is to this resident.
CREATE TABLE household_members (
    tenant_id   uuid NOT NULL,
    resident_id uuid NOT NULL,
    member_id   uuid NOT NULL,
    relation    text NOT NULL CHECK (relation IN ('partner', 'child', 'parent', 'sibling', 'other')),
    PRIMARY KEY (tenant_id, resident_id, member_id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, member_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CHECK (resident_id <> member_id)
);
CREATE INDEX household_members_member ON household_members (tenant_id, member_id);
SELECT make_tenant_owned('household_members');

CREATE TABLE requests (
    tenant_id              uuid NOT NULL REFERENCES tenants (id),
    id                     uuid NOT NULL DEFAULT gen_random_uuid(),
    -- Online requests arrive without a resident; the desk links one at triage.
    resident_id            uuid,
    received_at            timestamptz NOT NULL DEFAULT now(),
    channel                text NOT NULL CHECK (channel IN ('desk', 'phone', 'email', 'referrer', 'online')),
    domains                text[] NOT NULL CHECK (cardinality(domains) > 0 AND domains <@ ARRAY[
                               'wmo', 'jeugd', 'leerplicht', 'participatie', 'wonen', 'schulden',
                               'werk_inkomen', 'overig']),
    question               text NOT NULL CHECK (btrim(question) <> ''),
    urgency                text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'crisis')),
    referrer               text NOT NULL DEFAULT '',
    consent_given          boolean NOT NULL DEFAULT false,
    consent_recorded_at    timestamptz,
    consent_recorded_by    uuid,
    contact_name           text NOT NULL DEFAULT '',
    contact_phone          text NOT NULL DEFAULT '',
    contact_email          text NOT NULL DEFAULT '',
    registered_by          uuid,
    -- One per form shown: submitting the same form twice finds the first request.
    form_token             uuid NOT NULL,
    status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'with_team')),
    triage                 text CHECK (triage IN ('handled_at_desk', 'signposted', 'to_team')),
    triage_note            text NOT NULL DEFAULT '',
    signpost_destination_id uuid,
    unsafe_at_home         boolean,
    triaged_at             timestamptz,
    triaged_by             uuid,
    -- Statutory terms, stored when the request is registered (Wmo 2015 art. 2.3.2; Jeugdwet).
    wmo_deadline           date,
    jeugd_deadline         date,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, form_token),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id),
    FOREIGN KEY (tenant_id, signpost_destination_id) REFERENCES signpost_destinations (tenant_id, id),
    CHECK ((triage IS NULL) = (triaged_at IS NULL)),
    CHECK (consent_given = (consent_recorded_at IS NOT NULL))
);
CREATE INDEX requests_received ON requests (tenant_id, received_at DESC);
-- In the desk's order (crisis first, then oldest), so the list is read straight off the index.
CREATE INDEX requests_untriaged ON requests (tenant_id, (urgency = 'crisis') DESC, received_at) WHERE triage IS NULL;
CREATE INDEX requests_resident ON requests (tenant_id, resident_id, received_at DESC);
CREATE INDEX requests_deadline ON requests (tenant_id, (least(wmo_deadline, jeugd_deadline)))
    WHERE status <> 'closed';
SELECT make_tenant_owned('requests');

-- "Is het gelukt?": the desk calls back after signposting, to close the loop.
CREATE TABLE follow_up_tasks (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    request_id uuid NOT NULL,
    due_on     date NOT NULL,
    done_at    timestamptz,
    done_by    uuid,
    outcome    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id)
);
CREATE INDEX follow_up_tasks_due ON follow_up_tasks (tenant_id, due_on) WHERE done_at IS NULL;
SELECT make_tenant_owned('follow_up_tasks');

-- A case for the social team; the cases area fills in the rest.
CREATE TABLE cases (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    request_id  uuid NOT NULL,
    resident_id uuid,
    urgency     text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'crisis')),
    status      text NOT NULL DEFAULT 'aangemeld',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, request_id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id)
);
CREATE INDEX cases_queue ON cases (tenant_id, status, created_at);
SELECT make_tenant_owned('cases');

-- Which resident an audit event is about, so the trail per resident is one index scan.
ALTER TABLE audit_events ADD COLUMN resident_id uuid;
CREATE INDEX audit_events_resident ON audit_events (tenant_id, resident_id, occurred_at DESC)
    WHERE resident_id IS NOT NULL;
