-- The general assembly (algemene ledenvergadering): the statute rules every poll takes its rules
-- from, meetings with their agenda and documents, who may represent a member, attendance and
-- proxies, polls with named votes or secret ballots, the decision list, minutes, and the
-- proposals of working groups. Governance never reaches residents' files: nothing here refers
-- to residents, requests or cases.

-- A member under expulsion is suspended (geschorst) during its month for appeal.
ALTER TABLE organisations DROP CONSTRAINT organisations_status_check,
    ADD CONSTRAINT organisations_status_check
        CHECK (status IN ('aspirant', 'lid', 'geschorst', 'opgezegd', 'ontzet'));
ALTER TABLE organisation_statuses DROP CONSTRAINT organisation_statuses_status_check,
    ADD CONSTRAINT organisation_statuses_status_check
        CHECK (status IN ('aspirant', 'lid', 'geschorst', 'opgezegd', 'ontzet'));

-- The statutes' rules for meetings and votes, one row per cooperative.
CREATE TABLE statute_rules (
    tenant_id           uuid PRIMARY KEY REFERENCES tenants (id),
    notice_days         integer NOT NULL DEFAULT 14 CHECK (notice_days BETWEEN 0 AND 90),
    -- At least this share of the voting members present or represented.
    quorum_percent      integer NOT NULL DEFAULT 50 CHECK (quorum_percent BETWEEN 0 AND 100),
    -- Majority per kind of decision: 'meerderheid' is more than half of the votes cast; the
    -- others are at least that share of the votes cast.
    majority_ordinary   text NOT NULL DEFAULT 'meerderheid',
    majority_statutes   text NOT NULL DEFAULT 'twee_derde',
    majority_admission  text NOT NULL DEFAULT 'twee_derde',
    majority_expulsion  text NOT NULL DEFAULT 'twee_derde',
    majority_notice     text NOT NULL DEFAULT 'meerderheid',
    proxies_allowed     boolean NOT NULL DEFAULT true,
    max_proxies         integer NOT NULL DEFAULT 1 CHECK (max_proxies BETWEEN 0 AND 10),
    -- Whether an abstention counts as a vote cast (and so weighs against a proposal).
    abstentions_count   boolean NOT NULL DEFAULT false,
    -- Days a member has to appeal against its expulsion, suspended meanwhile.
    appeal_days         integer NOT NULL DEFAULT 30 CHECK (appeal_days BETWEEN 1 AND 90),
    updated_by          uuid,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (majority_ordinary IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    CHECK (majority_statutes IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    CHECK (majority_admission IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    CHECK (majority_expulsion IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    CHECK (majority_notice IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER statute_rules_updated_at BEFORE UPDATE ON statute_rules
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT make_tenant_owned('statute_rules');
REVOKE DELETE ON statute_rules FROM schakel_app;
INSERT INTO statute_rules (tenant_id) SELECT id FROM tenants;

CREATE TABLE meetings (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    title          text NOT NULL CHECK (btrim(title) <> ''),
    starts_at      timestamptz NOT NULL,
    place          text NOT NULL DEFAULT '',
    video_url      text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'concept' CHECK (status IN (
                       'concept', 'uitgeschreven', 'geopend', 'gesloten', 'notulen_vastgesteld')),
    convened_at    timestamptz,
    convened_by    uuid,
    opened_at      timestamptz,
    closed_at      timestamptz,
    lock_version   integer NOT NULL DEFAULT 1,
    created_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (btrim(place) <> '' OR btrim(video_url) <> ''),
    CHECK ((status = 'concept') = (convened_at IS NULL)),
    FOREIGN KEY (tenant_id, convened_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX meetings_starts ON meetings (tenant_id, starts_at DESC, id);
CREATE TRIGGER meetings_updated_at BEFORE UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT make_tenant_owned('meetings');

-- Proposals a working group submits to the assembly; an administrator promotes one to an agenda
-- item.
CREATE TABLE working_group_proposals (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    working_group_id uuid NOT NULL,
    title            text NOT NULL CHECK (btrim(title) <> ''),
    proposal         text NOT NULL CHECK (btrim(proposal) <> ''),
    submitted_by     uuid NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, working_group_id) REFERENCES working_groups (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX working_group_proposals_group
    ON working_group_proposals (tenant_id, working_group_id, submitted_at DESC);
SELECT make_tenant_owned('working_group_proposals');

CREATE TABLE agenda_items (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    meeting_id      uuid NOT NULL,
    -- A sub-item (3a, 3b) hangs under an item; items are numbered by position.
    parent_id       uuid,
    position        integer NOT NULL CHECK (position >= 1),
    kind            text NOT NULL CHECK (kind IN ('mededeling', 'bespreking', 'besluit')),
    title           text NOT NULL CHECK (btrim(title) <> ''),
    description     text NOT NULL DEFAULT '',
    proposal        text NOT NULL DEFAULT '',
    decision_kind   text CHECK (decision_kind IN (
                        'gewoon', 'statutenwijziging', 'toelating', 'ontzetting', 'opzegging')),
    -- The member an admission, expulsion or notice is about.
    organisation_id uuid,
    -- For an expulsion: the reasons, given to the member in writing.
    reasons         text NOT NULL DEFAULT '',
    proposal_id     uuid,
    -- What was said, typed by the secretary for the minutes.
    notes           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT agenda_items_position UNIQUE NULLS NOT DISTINCT (tenant_id, meeting_id, parent_id, position)
        DEFERRABLE INITIALLY DEFERRED,
    CHECK ((kind = 'besluit') = (decision_kind IS NOT NULL)),
    CHECK (coalesce(decision_kind IN ('toelating', 'ontzetting', 'opzegging'), false) = (organisation_id IS NOT NULL)),
    CHECK (decision_kind IS DISTINCT FROM 'ontzetting' OR btrim(reasons) <> ''),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES agenda_items (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, proposal_id) REFERENCES working_group_proposals (tenant_id, id)
);
CREATE INDEX agenda_items_parent ON agenda_items (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX agenda_items_proposal ON agenda_items (tenant_id, proposal_id) WHERE proposal_id IS NOT NULL;
SELECT make_tenant_owned('agenda_items');

-- Meeting documents (PDF), for the whole meeting or one item.
CREATE TABLE agenda_documents (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    meeting_id     uuid NOT NULL,
    agenda_item_id uuid,
    filename       text NOT NULL CHECK (btrim(filename) <> ''),
    content_type   text NOT NULL CHECK (content_type = 'application/pdf'),
    size_bytes     integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 20971520),
    content        bytea NOT NULL,
    uploaded_by    uuid NOT NULL,
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, agenda_item_id) REFERENCES agenda_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX agenda_documents_meeting ON agenda_documents (tenant_id, meeting_id, uploaded_at);
SELECT make_tenant_owned('agenda_documents');

-- Who may represent a member organisation in the assembly, and for how long.
CREATE TABLE representatives (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL,
    user_id         uuid NOT NULL,
    valid_from      date NOT NULL,
    valid_until     date CHECK (valid_until >= valid_from),
    recorded_by     uuid,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX representatives_user ON representatives (tenant_id, user_id);
CREATE INDEX representatives_organisation ON representatives (tenant_id, organisation_id, valid_from);
SELECT make_tenant_owned('representatives');

-- The attendance list: per member, present, represented by another member's representative
-- (volmacht), or absent with notice. Members may register it themselves before the meeting.
CREATE TABLE attendance (
    tenant_id             uuid NOT NULL,
    meeting_id            uuid NOT NULL,
    organisation_id       uuid NOT NULL,
    presence              text NOT NULL CHECK (presence IN ('aanwezig', 'volmacht', 'afwezig_met_bericht')),
    -- The member whose representative holds the proxy.
    proxy_holder_id       uuid,
    -- The written proxy: what it is and where it is kept.
    proxy_note            text NOT NULL DEFAULT '',
    recorded_by           uuid NOT NULL,
    recorded_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, meeting_id, organisation_id),
    CHECK ((presence = 'volmacht') = (proxy_holder_id IS NOT NULL)),
    CHECK (proxy_holder_id <> organisation_id),
    CHECK (presence <> 'volmacht' OR btrim(proxy_note) <> ''),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, proxy_holder_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX attendance_proxy_holder ON attendance (tenant_id, meeting_id, proxy_holder_id)
    WHERE proxy_holder_id IS NOT NULL;
SELECT make_tenant_owned('attendance');

CREATE TABLE polls (
    tenant_id         uuid NOT NULL,
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    meeting_id        uuid NOT NULL,
    agenda_item_id    uuid NOT NULL,
    round             integer NOT NULL DEFAULT 1 CHECK (round >= 1),
    secret            boolean NOT NULL,
    status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'gesloten')),
    -- The rules the poll was held under, copied from statute_rules when it opened.
    decision_kind     text NOT NULL,
    majority          text NOT NULL CHECK (majority IN ('meerderheid', 'twee_derde', 'drie_kwart', 'unaniem')),
    quorum_percent    integer NOT NULL,
    abstentions_count boolean NOT NULL,
    -- Voting members, and those present or represented, when the poll opened.
    electorate        integer NOT NULL,
    present           integer NOT NULL,
    opened_by         uuid NOT NULL,
    opened_at         timestamptz NOT NULL DEFAULT now(),
    closed_by         uuid,
    closed_at         timestamptz,
    -- Counted when the poll closes.
    votes_for         integer,
    votes_against     integer,
    abstentions       integer,
    adopted           boolean,
    -- The chair's declaration of the result, and a challenge that leads to a re-vote.
    declared_by       uuid,
    declared_at       timestamptz,
    challenged_at     timestamptz,
    challenge_note    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, agenda_item_id, round),
    CHECK ((status = 'gesloten') = (closed_at IS NOT NULL)),
    CHECK ((status = 'gesloten') = (adopted IS NOT NULL)),
    CHECK (declared_at IS NULL OR status = 'gesloten'),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, agenda_item_id) REFERENCES agenda_items (tenant_id, id),
    FOREIGN KEY (tenant_id, opened_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, closed_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, declared_by) REFERENCES users (tenant_id, id)
);
-- At most one poll per agenda item is open at a time.
CREATE UNIQUE INDEX polls_open_item ON polls (tenant_id, agenda_item_id) WHERE status = 'open';
CREATE INDEX polls_meeting ON polls (tenant_id, meeting_id, opened_at);
SELECT make_tenant_owned('polls');

-- The electorate as it stood when the poll opened and when it closed: who could vote, with how
-- many votes (its own plus the proxies it held).
CREATE TABLE poll_electorate (
    tenant_id       uuid NOT NULL,
    poll_id         uuid NOT NULL,
    moment          text NOT NULL CHECK (moment IN ('opening', 'sluiting')),
    organisation_id uuid NOT NULL,
    -- Set when this member's vote is cast by another member's representative.
    proxy_holder_id uuid,
    PRIMARY KEY (tenant_id, poll_id, moment, organisation_id),
    FOREIGN KEY (tenant_id, poll_id) REFERENCES polls (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id)
);
SELECT make_tenant_owned('poll_electorate');
REVOKE UPDATE, DELETE ON poll_electorate FROM schakel_app;

-- A named vote: one per member per poll (the primary key), changeable until the poll closes.
CREATE TABLE votes (
    tenant_id       uuid NOT NULL,
    poll_id         uuid NOT NULL,
    organisation_id uuid NOT NULL,
    choice          text NOT NULL CHECK (choice IN ('voor', 'tegen', 'onthouding')),
    cast_by         uuid NOT NULL,
    -- Recorded by the secretary for a member voting by show of hands.
    by_secretary    boolean NOT NULL DEFAULT false,
    cast_at         timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz,
    PRIMARY KEY (tenant_id, poll_id, organisation_id),
    FOREIGN KEY (tenant_id, poll_id) REFERENCES polls (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, cast_by) REFERENCES users (tenant_id, id)
);
SELECT make_tenant_owned('votes');
REVOKE DELETE ON votes FROM schakel_app;

-- A secret ballot: deliberately without member, user or time, so it cannot be linked to whoever
-- cast it. That a member voted is recorded apart, in poll_participation.
CREATE TABLE ballots (
    tenant_id uuid NOT NULL,
    id        uuid NOT NULL DEFAULT gen_random_uuid(),
    poll_id   uuid NOT NULL,
    choice    text NOT NULL CHECK (choice IN ('voor', 'tegen', 'onthouding')),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, poll_id) REFERENCES polls (tenant_id, id)
);
CREATE INDEX ballots_poll ON ballots (tenant_id, poll_id);
SELECT make_tenant_owned('ballots');
REVOKE UPDATE, DELETE ON ballots FROM schakel_app;

CREATE TABLE poll_participation (
    tenant_id       uuid NOT NULL,
    poll_id         uuid NOT NULL,
    organisation_id uuid NOT NULL,
    cast_by         uuid NOT NULL,
    by_secretary    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, poll_id, organisation_id),
    FOREIGN KEY (tenant_id, poll_id) REFERENCES polls (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, cast_by) REFERENCES users (tenant_id, id)
);
SELECT make_tenant_owned('poll_participation');
REVOKE UPDATE, DELETE ON poll_participation FROM schakel_app;

-- The decision list (besluitenlijst): numbered per cooperative and year, ALV-2026-07.
CREATE TABLE decisions (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    year            integer NOT NULL,
    seq             integer NOT NULL CHECK (seq >= 1),
    meeting_id      uuid NOT NULL,
    agenda_item_id  uuid NOT NULL,
    poll_id         uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN (
                        'gewoon', 'statutenwijziging', 'toelating', 'ontzetting', 'opzegging')),
    title           text NOT NULL,
    proposal        text NOT NULL,
    adopted         boolean NOT NULL,
    decided_on      date NOT NULL,
    organisation_id uuid,
    -- When a change to the member register takes effect.
    effective_on    date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, year, seq),
    -- One decision per item: a re-vote after a challenge replaces the poll it rests on.
    UNIQUE (tenant_id, agenda_item_id),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, agenda_item_id) REFERENCES agenda_items (tenant_id, id),
    FOREIGN KEY (tenant_id, poll_id) REFERENCES polls (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id)
);
CREATE INDEX decisions_list ON decisions (tenant_id, year DESC, seq DESC);
SELECT make_tenant_owned('decisions');
REVOKE DELETE ON decisions FROM schakel_app;

-- A change to the member register made by a decision links to it.
ALTER TABLE organisation_statuses ADD COLUMN decision_id uuid,
    ADD FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id);

-- An expulsion: the written notice with reasons, and the month for appeal during which the
-- member is suspended; after it the expulsion takes effect.
CREATE TABLE expulsions (
    tenant_id       uuid NOT NULL,
    decision_id     uuid NOT NULL,
    organisation_id uuid NOT NULL,
    reasons         text NOT NULL CHECK (btrim(reasons) <> ''),
    notified_on     date NOT NULL,
    appeal_until    date NOT NULL CHECK (appeal_until > notified_on),
    appealed_on     date,
    completed_on    date,
    PRIMARY KEY (tenant_id, decision_id),
    FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id)
);
CREATE INDEX expulsions_due ON expulsions (tenant_id, appeal_until) WHERE completed_on IS NULL;
SELECT make_tenant_owned('expulsions');

-- How an adopted decision is carried out.
CREATE TABLE decision_actions (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    decision_id  uuid NOT NULL,
    description  text NOT NULL CHECK (btrim(description) <> ''),
    owner        text NOT NULL CHECK (btrim(owner) <> ''),
    due_on       date NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'bezig', 'gereed')),
    updated_by   uuid NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX decision_actions_decision ON decision_actions (tenant_id, decision_id);
SELECT make_tenant_owned('decision_actions');

-- Minutes, versioned: drafted from the agenda, attendance, decisions and notes; approved by the
-- chair and the secretary; adopted by the next meeting, after which they cannot change.
CREATE TABLE minutes (
    tenant_id      uuid NOT NULL,
    meeting_id     uuid NOT NULL,
    version        integer NOT NULL CHECK (version >= 1),
    content        jsonb NOT NULL,
    drafted_by     uuid NOT NULL,
    drafted_at     timestamptz NOT NULL DEFAULT now(),
    chair_approved_by     uuid,
    chair_approved_at     timestamptz,
    secretary_approved_by uuid,
    secretary_approved_at timestamptz,
    -- The meeting that adopted these minutes.
    adopted_in     uuid,
    adopted_at     timestamptz,
    PRIMARY KEY (tenant_id, meeting_id, version),
    FOREIGN KEY (tenant_id, meeting_id) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, adopted_in) REFERENCES meetings (tenant_id, id),
    FOREIGN KEY (tenant_id, drafted_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, chair_approved_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, secretary_approved_by) REFERENCES users (tenant_id, id)
);
SELECT make_tenant_owned('minutes');
REVOKE DELETE ON minutes FROM schakel_app;

-- Adopted minutes are read-only.
CREATE FUNCTION minutes_read_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.adopted_at IS NOT NULL THEN
        RAISE EXCEPTION 'adopted minutes cannot change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER minutes_read_only BEFORE UPDATE ON minutes
    FOR EACH ROW EXECUTE FUNCTION minutes_read_only();
