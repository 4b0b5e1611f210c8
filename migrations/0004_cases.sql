-- Case handling by the social team: the lead and its history, the status workflow, escalation,
-- confidentiality, the kitchen-table conversation, the support plan, the resident's network,
-- the journal with attachments, tasks (shared with the desk's follow-up calls) and the
-- statutory clocks.

ALTER TABLE cases
    ADD CONSTRAINT cases_status_check CHECK (status IN (
        'aangemeld', 'in_onderzoek', 'plan_vastgesteld', 'in_uitvoering', 'evaluatie', 'afgesloten')),
    -- The one lead (regisseur); its history is in case_leads.
    ADD COLUMN lead_id uuid,
    -- The process manager who coordinates a case scaled up to "zorg en veiligheid".
    ADD COLUMN coordinator_id uuid,
    ADD COLUMN escalation text NOT NULL DEFAULT 'normaal'
        CHECK (escalation IN ('normaal', 'opgeschaald', 'zorg_en_veiligheid')),
    ADD COLUMN confidentiality text NOT NULL DEFAULT 'normaal'
        CHECK (confidentiality IN ('normaal', 'vertrouwelijk', 'zeer_vertrouwelijk')),
    ADD COLUMN closing_result text CHECK (closing_result IN (
        'doel_bereikt', 'verhuisd', 'overleden', 'elders_geholpen', 'gestopt_op_verzoek', 'anders')),
    ADD COLUMN closed_at timestamptz,
    -- Maintained summaries, so that queues and the stall monitor read them off an index.
    ADD COLUMN next_deadline date,
    ADD COLUMN last_journal_at timestamptz,
    -- Optimistic locking: a save names the version it started from.
    ADD COLUMN lock_version integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_by uuid,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD FOREIGN KEY (tenant_id, lead_id) REFERENCES users (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, coordinator_id) REFERENCES users (tenant_id, id),
    ADD CONSTRAINT cases_closed_has_result CHECK ((status = 'afgesloten') = (closing_result IS NOT NULL)),
    ADD CONSTRAINT cases_closed_has_time CHECK ((status = 'afgesloten') = (closed_at IS NOT NULL)),
    ADD CONSTRAINT cases_coordinated_when_safety
        CHECK ((escalation = 'zorg_en_veiligheid') = (coordinator_id IS NOT NULL));
CREATE TRIGGER cases_updated_at BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION set_updated_at();

DROP INDEX cases_queue;
-- One per queue tab, in the tab's order, so a page is read straight off an index.
CREATE INDEX cases_open_age ON cases (tenant_id, created_at) WHERE status <> 'afgesloten';
CREATE INDEX cases_open_deadline ON cases (tenant_id, next_deadline) WHERE status <> 'afgesloten';
CREATE INDEX cases_unassigned ON cases (tenant_id, (urgency = 'crisis') DESC, created_at)
    WHERE lead_id IS NULL AND status <> 'afgesloten';
-- "Mine" walks the open cases in order: a caseload is a good share of them.
CREATE INDEX cases_escalated ON cases (tenant_id, created_at)
    WHERE escalation <> 'normaal' AND status <> 'afgesloten';
CREATE INDEX cases_quiet ON cases (tenant_id, last_journal_at)
    WHERE lead_id IS NOT NULL AND status <> 'afgesloten';
CREATE INDEX cases_resident ON cases (tenant_id, resident_id, created_at DESC);

-- Who led a case, from when to when; at most one open row per case.
CREATE TABLE case_leads (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id       uuid NOT NULL,
    user_id       uuid NOT NULL,
    assigned_by   uuid NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    ended_at      timestamptz,
    handover_note text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX case_leads_one_current ON case_leads (tenant_id, case_id) WHERE ended_at IS NULL;
CREATE INDEX case_leads_case ON case_leads (tenant_id, case_id, started_at DESC);
SELECT make_tenant_owned('case_leads');

-- Professionals involved besides the lead; for a "zeer vertrouwelijk" case, the named ones.
CREATE TABLE case_members (
    tenant_id uuid NOT NULL,
    case_id   uuid NOT NULL,
    user_id   uuid NOT NULL,
    added_by  uuid NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, user_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX case_members_user ON case_members (tenant_id, user_id);
SELECT make_tenant_owned('case_members');

-- Status transitions, escalations and changes of confidentiality: timestamped and attributed.
CREATE TABLE case_events (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id     uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('status', 'escalation', 'confidentiality')),
    from_value  text NOT NULL,
    to_value    text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    actor_id    uuid NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_events_case ON case_events (tenant_id, case_id, occurred_at DESC);
SELECT make_tenant_owned('case_events');
REVOKE UPDATE, DELETE ON case_events FROM schakel_app;

-- "Inzage met reden": a professional not involved opens a case after stating why.
CREATE TABLE case_access_grants (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id    uuid NOT NULL,
    user_id    uuid NOT NULL,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    granted_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_access_grants_lookup ON case_access_grants (tenant_id, case_id, user_id, expires_at);
SELECT make_tenant_owned('case_access_grants');

-- The keukentafelgesprek: scheduled, then reported on per life domain.
CREATE TABLE conversations (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    planned_at      timestamptz NOT NULL,
    place           text NOT NULL CHECK (btrim(place) <> ''),
    participants    text NOT NULL DEFAULT '',
    report_on       date,
    housing         text NOT NULL DEFAULT '',
    finances        text NOT NULL DEFAULT '',
    health          text NOT NULL DEFAULT '',
    social_network  text NOT NULL DEFAULT '',
    daytime         text NOT NULL DEFAULT '',
    parenting       text NOT NULL DEFAULT '',
    safety          text NOT NULL DEFAULT '',
    wishes          text NOT NULL DEFAULT '',
    recorded_by     uuid,
    recorded_at     timestamptz,
    created_by      uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK ((report_on IS NULL) = (recorded_at IS NULL))
);
CREATE INDEX conversations_case ON conversations (tenant_id, case_id, planned_at DESC);
SELECT make_tenant_owned('conversations');

-- The support plan: one per case, versioned each time it is agreed with the resident.
CREATE TABLE support_plans (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id       uuid NOT NULL,
    -- 0 while a draft; 1, 2, … each time it is agreed.
    version       integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    agreed_on     date,
    evaluation_on date,
    lock_version  integer NOT NULL DEFAULT 1,
    updated_by    uuid,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK ((version = 0) = (agreed_on IS NULL))
);
CREATE TRIGGER support_plans_updated_at BEFORE UPDATE ON support_plans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE INDEX support_plans_evaluation ON support_plans (tenant_id, evaluation_on);
SELECT make_tenant_owned('support_plans');

CREATE TABLE plan_goals (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    plan_id     uuid NOT NULL,
    position    integer NOT NULL,
    description text NOT NULL CHECK (btrim(description) <> ''),
    result      text CHECK (result IN ('behaald', 'deels_behaald', 'niet_behaald')),
    result_note text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES support_plans (tenant_id, id)
);
CREATE INDEX plan_goals_plan ON plan_goals (tenant_id, plan_id, position);
SELECT make_tenant_owned('plan_goals');

CREATE TABLE plan_actions (
    tenant_id      uuid NOT NULL,
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    goal_id        uuid NOT NULL,
    description    text NOT NULL CHECK (btrim(description) <> ''),
    performer      text NOT NULL CHECK (performer IN ('inwoner', 'netwerk', 'professional', 'lidorganisatie')),
    performer_name text NOT NULL DEFAULT '',
    target_on      date,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, goal_id) REFERENCES plan_goals (tenant_id, id)
);
CREATE INDEX plan_actions_goal ON plan_actions (tenant_id, goal_id);
SELECT make_tenant_owned('plan_actions');

-- The meterkastkaart: who is involved with the resident and how to reach them.
CREATE TABLE network_contacts (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    resident_id uuid NOT NULL,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    role        text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    relation    text NOT NULL CHECK (relation IN (
                    'partner', 'familie', 'buur', 'maatje', 'vriend',
                    'huisarts', 'lidorganisatie', 'school', 'wijkverpleging', 'anders')),
    created_by  uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    removed_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id)
);
CREATE INDEX network_contacts_resident ON network_contacts (tenant_id, resident_id) WHERE removed_at IS NULL;
SELECT make_tenant_owned('network_contacts');

-- The journal: entries are only added. A correction is a new entry naming the one it corrects.
CREATE TABLE journal_entries (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id     uuid NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('notitie', 'telefoon', 'huisbezoek', 'overleg')),
    body        text NOT NULL CHECK (btrim(body) <> ''),
    occurred_at timestamptz NOT NULL,
    author_id   uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    corrects_id uuid,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, corrects_id) REFERENCES journal_entries (tenant_id, id)
);
CREATE INDEX journal_entries_case ON journal_entries (tenant_id, case_id, occurred_at DESC, id DESC);
CREATE INDEX journal_entries_corrects ON journal_entries (tenant_id, corrects_id) WHERE corrects_id IS NOT NULL;
SELECT make_tenant_owned('journal_entries');
REVOKE UPDATE, DELETE ON journal_entries FROM schakel_app;

CREATE TABLE journal_attachments (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    entry_id     uuid NOT NULL,
    filename     text NOT NULL CHECK (btrim(filename) <> ''),
    content_type text NOT NULL CHECK (content_type IN (
                     'application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    content      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES journal_entries (tenant_id, id)
);
CREATE INDEX journal_attachments_entry ON journal_attachments (tenant_id, entry_id);
SELECT make_tenant_owned('journal_attachments');
REVOKE UPDATE, DELETE ON journal_attachments FROM schakel_app;

-- One task mechanism: the desk's follow-up calls after signposting and the team's case tasks.
CREATE TABLE tasks (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    kind        text NOT NULL CHECK (kind IN ('follow_up', 'case')),
    request_id  uuid,
    case_id     uuid,
    title       text NOT NULL DEFAULT '',
    -- Follow-up calls belong to the whole desk; case tasks to one person.
    assignee_id uuid,
    due_on      date NOT NULL,
    done_at     timestamptz,
    done_by     uuid,
    outcome     text NOT NULL DEFAULT '',
    created_by  uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
    CHECK ((kind = 'follow_up') = (request_id IS NOT NULL)),
    CHECK ((kind = 'case') = (case_id IS NOT NULL AND assignee_id IS NOT NULL AND btrim(title) <> ''))
);
CREATE UNIQUE INDEX tasks_follow_up ON tasks (tenant_id, request_id) WHERE kind = 'follow_up';
CREATE INDEX tasks_desk_due ON tasks (tenant_id, due_on) WHERE done_at IS NULL AND kind = 'follow_up';
CREATE INDEX tasks_assignee_due ON tasks (tenant_id, assignee_id, due_on) WHERE done_at IS NULL;
CREATE INDEX tasks_case ON tasks (tenant_id, case_id, due_on) WHERE case_id IS NOT NULL;
SELECT make_tenant_owned('tasks');
INSERT INTO tasks (tenant_id, id, kind, request_id, due_on, done_at, done_by, outcome)
    SELECT tenant_id, id, 'follow_up', request_id, due_on, done_at, done_by, outcome FROM follow_up_tasks;
DROP TABLE follow_up_tasks;

-- Statutory clocks as a chain: Wmo melding → investigation report (6 weeks) → application →
-- decision (2 weeks); Jeugd: decision within 8 weeks. `due_on` is the current due date, with
-- the days of a pause and the weeks of an extension added.
CREATE TABLE case_clocks (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id          uuid NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('wmo_investigation', 'wmo_decision', 'jeugd_decision')),
    started_on       date NOT NULL,
    statutory_due_on date NOT NULL,
    due_on           date NOT NULL,
    paused_on        date,
    pause_reason     text,
    resumed_on       date,
    extended_weeks   integer NOT NULL DEFAULT 0 CHECK (extended_weeks >= 0),
    extension_reason text,
    completed_on     date,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, case_id, kind),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK ((paused_on IS NULL) = (pause_reason IS NULL)),
    CHECK (resumed_on IS NULL OR paused_on IS NOT NULL),
    CHECK ((extended_weeks = 0) = (extension_reason IS NULL))
);
CREATE INDEX case_clocks_kind ON case_clocks (tenant_id, kind, completed_on);
SELECT make_tenant_owned('case_clocks');

-- Cases opened before this migration get their clocks from their request's deadlines.
INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on)
    SELECT c.tenant_id, c.id, 'wmo_investigation', (q.received_at AT TIME ZONE 'Europe/Amsterdam')::date,
           q.wmo_deadline, q.wmo_deadline
    FROM cases c JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
    WHERE q.wmo_deadline IS NOT NULL;
INSERT INTO case_clocks (tenant_id, case_id, kind, started_on, statutory_due_on, due_on)
    SELECT c.tenant_id, c.id, 'jeugd_decision', (q.received_at AT TIME ZONE 'Europe/Amsterdam')::date,
           q.jeugd_deadline, q.jeugd_deadline
    FROM cases c JOIN requests q ON q.tenant_id = c.tenant_id AND q.id = c.request_id
    WHERE q.jeugd_deadline IS NOT NULL;
UPDATE cases c SET next_deadline = k.due
    FROM (SELECT tenant_id, case_id, min(due_on) AS due FROM case_clocks GROUP BY tenant_id, case_id) k
    WHERE k.tenant_id = c.tenant_id AND k.case_id = c.id;

-- Which case an audit event is about, so the trail per case is one index scan.
ALTER TABLE audit_events ADD COLUMN case_id uuid;
CREATE INDEX audit_events_case ON audit_events (tenant_id, case_id, occurred_at DESC) WHERE case_id IS NOT NULL;

-- The desk follows the terms of requests it still holds; the team's cases have their clocks.
DROP INDEX requests_deadline;
CREATE INDEX requests_open_deadline ON requests (tenant_id, (least(wmo_deadline, jeugd_deadline)))
    WHERE status = 'open';
