-- The case row itself, with its request and its resident's name, joins the case page's kept
-- copy (see cases::document): each view then reads only what depends on the viewer and the
-- moment (whether they are involved or hold a grant, the time) and the key of the copy.
CREATE OR REPLACE FUNCTION note_case_change() RETURNS trigger
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
    IF TG_TABLE_NAME = 'cases' THEN
        INSERT INTO case_changes (tenant_id, case_id, xact)
        VALUES (changed.tenant_id, changed.id, txid_current())
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'requests' THEN
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT c.tenant_id, c.id, txid_current() FROM cases c
        WHERE c.tenant_id = changed.tenant_id AND c.request_id = changed.id
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'residents' THEN
        -- The resident's name shows on every case of theirs.
        INSERT INTO case_changes (tenant_id, case_id, xact)
        SELECT c.tenant_id, c.id, txid_current() FROM cases c
        WHERE c.tenant_id = changed.tenant_id AND c.resident_id = changed.id
        ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'network_contacts' THEN
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

CREATE TRIGGER cases_case_change AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION note_case_change();
CREATE TRIGGER requests_case_change AFTER UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION note_case_change();
CREATE TRIGGER residents_case_change AFTER UPDATE OF first_names, initials, surname_prefix, surname ON residents
    FOR EACH ROW EXECUTE FUNCTION note_case_change();

-- The directory's revision likewise rises once per transaction, not once per row changed.
ALTER TABLE directory_revisions ADD COLUMN xact bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION note_directory_change() RETURNS trigger
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
    INSERT INTO directory_revisions AS d (tenant_id, revision, xact) VALUES (changed.tenant_id, 1, txid_current())
    ON CONFLICT (tenant_id) DO UPDATE SET revision = d.revision + 1, xact = excluded.xact
    WHERE d.xact <> excluded.xact;
    RETURN NULL;
END
$$;
