-- What a case page shows besides the case row (its lists, the plan, the first page of the
-- journal) is kept by the web server between views (see cases::document). Whether a kept copy
-- still holds is decided here, inside PostgreSQL, so no write path can forget to say so.

-- Every transaction that changes anything shown on a case page notes the case once. The number
-- of notes a reader sees is what a kept copy is checked against: a note is only added, never
-- updated, so a referral answered by a member organisation never waits on (or deadlocks with)
-- the lead saving the case, as a counter on the case row would.
CREATE TABLE case_changes (
    tenant_id uuid NOT NULL,
    case_id   uuid NOT NULL,
    xact      bigint NOT NULL,
    PRIMARY KEY (tenant_id, case_id, xact)
);
SELECT make_tenant_owned('case_changes');
REVOKE UPDATE, DELETE ON case_changes FROM schakel_app;

CREATE FUNCTION note_case_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    IF TG_TABLE_NAME = 'network_contacts' THEN
        -- The network belongs to the resident: every case of theirs shows it.
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT c.tenant_id, c.id, txid_current() FROM cases c
        WHERE c.tenant_id = changed.tenant_id AND c.resident_id = changed.resident_id
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'plan_goals' THEN
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT p.tenant_id, p.case_id, txid_current() FROM support_plans p
        WHERE p.tenant_id = changed.tenant_id AND p.id = changed.plan_id
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'plan_actions' THEN
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT p.tenant_id, p.case_id, txid_current()
        FROM plan_goals g JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
        WHERE g.tenant_id = changed.tenant_id AND g.id = changed.goal_id
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'journal_attachments' THEN
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT e.tenant_id, e.case_id, txid_current() FROM journal_entries e
        WHERE e.tenant_id = changed.tenant_id AND e.id = changed.entry_id
        ON CONFLICT DO NOTHING;
    ELSIF changed.case_id IS NOT NULL THEN
        -- (The desk's follow-up tasks belong to no case.)
        INSERT INTO case_changes (tenant_id, case_id, xact)
        VALUES (changed.tenant_id, changed.case_id, txid_current())
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    shown text;
BEGIN
    FOREACH shown IN ARRAY ARRAY['case_clocks', 'conversations', 'network_contacts', 'tasks', 'case_members',
                                 'consents', 'referrals', 'support_plans', 'plan_goals', 'plan_actions',
                                 'journal_entries', 'journal_attachments']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                        FOR EACH ROW EXECUTE FUNCTION note_case_change()', shown || '_case_change', shown);
    END LOOP;
END
$$;

-- Names of colleagues, organisations and services, and the list of colleagues, appear on every
-- case page: a change to any of them makes every kept page of the cooperative stale.
CREATE TABLE directory_revisions (
    tenant_id uuid PRIMARY KEY,
    revision  bigint NOT NULL
);
SELECT make_tenant_owned('directory_revisions');

CREATE FUNCTION note_directory_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    INSERT INTO directory_revisions AS d (tenant_id, revision) VALUES (changed.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET revision = d.revision + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_directory_change AFTER INSERT OR DELETE OR UPDATE OF name, roles, active ON users
    FOR EACH ROW EXECUTE FUNCTION note_directory_change();
CREATE TRIGGER organisations_directory_change AFTER INSERT OR DELETE OR UPDATE OF name ON organisations
    FOR EACH ROW EXECUTE FUNCTION note_directory_change();
CREATE TRIGGER services_directory_change AFTER INSERT OR DELETE OR UPDATE OF name ON services
    FOR EACH ROW EXECUTE FUNCTION note_directory_change();
