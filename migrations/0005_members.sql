-- Member organisations and referrals: the member register with its service catalogue, the
-- consent ledger of a case, referrals with their lifecycle and progress notes, in-app
-- notifications, and working groups (werkateliers).

CREATE TABLE organisations (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (btrim(name) <> ''),
    kind          text NOT NULL CHECK (kind IN (
                      'ouderenzorg', 'jeugdhulp', 'thuishulp', 'welzijn', 'kerk', 'vrijwilligers',
                      'gemeente', 'huisartsen', 'wonen', 'anders')),
    description   text NOT NULL DEFAULT '',
    contact_name  text NOT NULL DEFAULT '',
    contact_email text NOT NULL DEFAULT '',
    contact_phone text NOT NULL DEFAULT '',
    -- The current membership status; its history is in organisation_statuses.
    status        text NOT NULL CHECK (status IN ('aspirant', 'lid', 'opgezegd', 'ontzet')),
    status_since  date NOT NULL,
    member_since  date,
    lock_version  integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX organisations_name ON organisations (tenant_id, lower(name));
CREATE TRIGGER organisations_updated_at BEFORE UPDATE ON organisations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
SELECT make_tenant_owned('organisations');

CREATE TABLE organisation_statuses (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL,
    status          text NOT NULL CHECK (status IN ('aspirant', 'lid', 'opgezegd', 'ontzet')),
    effective_on    date NOT NULL,
    note            text NOT NULL DEFAULT '',
    -- Empty when set from the command line or the demo.
    recorded_by     uuid,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX organisation_statuses_organisation
    ON organisation_statuses (tenant_id, organisation_id, effective_on DESC);
SELECT make_tenant_owned('organisation_statuses');

-- The cooperative's service catalogue: what member organisations offer, by domain and area,
-- so the team can find "who can help with this".
CREATE TABLE services (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    domains     text[] NOT NULL DEFAULT '{}' CHECK (domains <@ ARRAY[
                    'wmo', 'jeugd', 'leerplicht', 'participatie', 'wonen', 'schulden', 'werk_inkomen', 'overig']),
    -- Villages or neighbourhoods served; empty means the whole municipality.
    areas       text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX services_name ON services (tenant_id, lower(name));
SELECT make_tenant_owned('services');

CREATE TABLE organisation_services (
    tenant_id       uuid NOT NULL,
    organisation_id uuid NOT NULL,
    service_id      uuid NOT NULL,
    PRIMARY KEY (tenant_id, organisation_id, service_id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id)
);
CREATE INDEX organisation_services_service ON organisation_services (tenant_id, service_id);
SELECT make_tenant_owned('organisation_services');

-- Staff of a member organisation (role 'member') belong to it.
ALTER TABLE users
    ADD COLUMN organisation_id uuid,
    ADD FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id);
CREATE INDEX users_organisation ON users (tenant_id, organisation_id) WHERE organisation_id IS NOT NULL;

-- The consent ledger of a case: what the resident agreed may be shared, with whom (one
-- organisation, or whoever offers one service) and for what. Rows are never deleted; a
-- withdrawal is recorded on the row.
CREATE TABLE consents (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    organisation_id uuid,
    service_id      uuid,
    purpose         text NOT NULL CHECK (btrim(purpose) <> ''),
    given_on        date NOT NULL,
    expires_on      date CHECK (expires_on >= given_on),
    recorded_by     uuid NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid,
    withdrawal_note text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    CHECK ((organisation_id IS NULL) <> (service_id IS NULL)),
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL)),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, withdrawn_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX consents_case ON consents (tenant_id, case_id, recorded_at);
SELECT make_tenant_owned('consents');

CREATE TABLE referrals (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    service_id      uuid NOT NULL,
    -- Empty while an open offer ("wie kan dit oppakken?") waits for its first taker.
    organisation_id uuid,
    open_offer      boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'verstuurd' CHECK (status IN (
                        'verstuurd', 'geaccepteerd', 'afgewezen', 'gestart', 'afgerond', 'teruggegeven',
                        'ingetrokken')),
    purpose         text NOT NULL CHECK (btrim(purpose) <> ''),
    expected_start  date,
    -- Written for the organisation: all it sees of the case.
    summary         text NOT NULL CHECK (btrim(summary) <> ''),
    -- The support plan goal the referral serves; accepting adds an action to it.
    goal_id         uuid,
    plan_action_id  uuid,
    consent_id      uuid,
    -- Sent without consent by a process manager, with this reason.
    override_reason text,
    answer_due_on   date NOT NULL,
    sent_by         uuid NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    -- The member's staff member who accepted it and reports back.
    handled_by      uuid,
    answered_at     timestamptz,
    decline_reason  text CHECK (decline_reason IN (
                        'geen_capaciteit', 'past_niet', 'niet_bereikbaar', 'wil_niet', 'anders')),
    decline_note    text NOT NULL DEFAULT '',
    started_at      timestamptz,
    finished_at     timestamptz,
    outcome         text CHECK (outcome IN ('geslaagd', 'niet_geslaagd')),
    outcome_reason  text NOT NULL DEFAULT '',
    delivered       boolean,
    report          text NOT NULL DEFAULT '',
    returned_at     timestamptz,
    return_reason   text NOT NULL DEFAULT '',
    -- Set when consent is withdrawn: from then on the organisation sees nothing of it.
    access_revoked_at timestamptz,
    overdue_notified_at timestamptz,
    lock_version    integer NOT NULL DEFAULT 1,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (open_offer OR organisation_id IS NOT NULL),
    CHECK (status IN ('verstuurd', 'ingetrokken') OR organisation_id IS NOT NULL),
    CHECK ((status = 'afgewezen') = (decline_reason IS NOT NULL)),
    CHECK ((status = 'afgerond') = (outcome IS NOT NULL)),
    CHECK ((consent_id IS NOT NULL) OR (override_reason IS NOT NULL AND btrim(override_reason) <> '')),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, goal_id) REFERENCES plan_goals (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_action_id) REFERENCES plan_actions (tenant_id, id),
    FOREIGN KEY (tenant_id, consent_id) REFERENCES consents (tenant_id, id),
    FOREIGN KEY (tenant_id, sent_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, handled_by) REFERENCES users (tenant_id, id)
);
CREATE TRIGGER referrals_updated_at BEFORE UPDATE ON referrals FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX referrals_case ON referrals (tenant_id, case_id, sent_at DESC);
-- The member inbox: each tab is read off one of these in its order.
CREATE INDEX referrals_organisation_status ON referrals (tenant_id, organisation_id, status, sent_at, id)
    WHERE access_revoked_at IS NULL;
CREATE INDEX referrals_open_offers ON referrals (tenant_id, service_id, sent_at)
    WHERE organisation_id IS NULL AND status = 'verstuurd';
CREATE INDEX referrals_handler ON referrals (tenant_id, handled_by, status, sent_at, id)
    WHERE handled_by IS NOT NULL AND access_revoked_at IS NULL;
-- Unanswered referrals by their answer date: the overdue lists and the notifier.
CREATE INDEX referrals_unanswered ON referrals (tenant_id, answer_due_on) WHERE status = 'verstuurd';
-- Cases whose referrals were declined more than once show in the stall monitor.
CREATE INDEX referrals_declined ON referrals (tenant_id, case_id) WHERE status = 'afgewezen';
SELECT make_tenant_owned('referrals');

ALTER TABLE plan_actions
    ADD COLUMN referral_id uuid,
    ADD FOREIGN KEY (tenant_id, referral_id) REFERENCES referrals (tenant_id, id);

-- An organisation that passes on an open offer; the offer stays open for the others.
CREATE TABLE referral_passes (
    tenant_id       uuid NOT NULL,
    referral_id     uuid NOT NULL,
    organisation_id uuid NOT NULL,
    reason          text NOT NULL CHECK (reason IN (
                        'geen_capaciteit', 'past_niet', 'niet_bereikbaar', 'wil_niet', 'anders')),
    note            text NOT NULL DEFAULT '',
    passed_by       uuid NOT NULL,
    passed_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, referral_id, organisation_id),
    FOREIGN KEY (tenant_id, referral_id) REFERENCES referrals (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, passed_by) REFERENCES users (tenant_id, id)
);
SELECT make_tenant_owned('referral_passes');

-- Every step of a referral and every progress note, timestamped and attributed; only added.
CREATE TABLE referral_events (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    referral_id     uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN (
                        'verstuurd', 'geaccepteerd', 'afgewezen', 'gepasseerd', 'gestart', 'afgerond',
                        'teruggegeven', 'ingetrokken', 'notitie')),
    organisation_id uuid,
    actor_id        uuid NOT NULL,
    note            text NOT NULL DEFAULT '',
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, referral_id) REFERENCES referrals (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX referral_events_referral ON referral_events (tenant_id, referral_id, occurred_at);
SELECT make_tenant_owned('referral_events');
REVOKE UPDATE, DELETE ON referral_events FROM schakel_app;

-- In-app notifications, one per recipient.
CREATE TABLE notifications (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN (
                    'referral_new', 'referral_accepted', 'referral_declined', 'referral_finished',
                    'referral_returned', 'referral_overdue', 'referral_note')),
    referral_id uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    -- Set once the notice went out by email too (when that is switched on).
    emailed_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, referral_id) REFERENCES referrals (tenant_id, id)
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, created_at DESC);
CREATE INDEX notifications_unread ON notifications (tenant_id, user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_to_email ON notifications (tenant_id, created_at) WHERE emailed_at IS NULL;
SELECT make_tenant_owned('notifications');

-- Working groups (werkateliers): members working together on one topic.
CREATE TABLE working_groups (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    topic          text NOT NULL CHECK (btrim(topic) <> ''),
    description    text NOT NULL DEFAULT '',
    coordinator_id uuid,
    outcome        text NOT NULL DEFAULT '',
    closed_on      date,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, coordinator_id) REFERENCES users (tenant_id, id)
);
SELECT make_tenant_owned('working_groups');

CREATE TABLE working_group_members (
    tenant_id        uuid NOT NULL,
    working_group_id uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    PRIMARY KEY (tenant_id, working_group_id, organisation_id),
    FOREIGN KEY (tenant_id, working_group_id) REFERENCES working_groups (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id)
);
CREATE INDEX working_group_members_organisation ON working_group_members (tenant_id, organisation_id);
SELECT make_tenant_owned('working_group_members');

CREATE TABLE working_group_notes (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    working_group_id uuid NOT NULL,
    met_on           date NOT NULL,
    body             text NOT NULL CHECK (btrim(body) <> ''),
    author_id        uuid NOT NULL,
    written_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, working_group_id) REFERENCES working_groups (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX working_group_notes_group ON working_group_notes (tenant_id, working_group_id, met_on DESC);
SELECT make_tenant_owned('working_group_notes');
