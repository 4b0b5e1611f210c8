-- Every copy of a page that the web server keeps between views (docs/caching.md) is used only
-- while the revision it was read at still holds. This migration is the one place that says
-- what raises which revision: it drops the triggers of migrations 0010, 0012 and 0013 and
-- defines them all again here.
--
-- One mechanism for all of them: a revision per case (`case_revisions`: the case page) and per
-- cooperative and list (`list_revisions`: the team's queue, the member organisations' inboxes,
-- and the directory of names every case page shows), raised once per transaction by a deferred
-- trigger. Deferred to the commit, the revisions' rows are the last locks a transaction takes
-- and are held only while it commits: writers of one case (or one cooperative's lists) wait on
-- each other for no longer than a commit. For one changed row the case's revision is raised
-- before the lists' (triggers fire in the order of their names: `<table>_case_change` first).

DO $$
DECLARE
    dropped record;
BEGIN
    FOR dropped IN
        SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal
          AND t.tgfoid IN ('note_case_change'::regproc, 'note_directory_change'::regproc,
                           'note_list_change'::regproc)
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', dropped.tgname, dropped.relname);
    END LOOP;
END
$$;
DROP FUNCTION note_case_change();
DROP FUNCTION note_directory_change();
DROP FUNCTION note_list_change();
-- The notes of changes only grew, and every case view counted them.
DROP TABLE case_changes;
DROP TABLE directory_revisions;

-- A case's revision: raised by every transaction that changes anything its page shows.
CREATE TABLE case_revisions (
    tenant_id uuid NOT NULL,
    case_id   uuid NOT NULL,
    revision  bigint NOT NULL,
    -- The transaction that last raised it: a transaction raises it once, however many rows it
    -- changes.
    xact      bigint NOT NULL,
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE
);
SELECT make_tenant_owned('case_revisions');

-- The lists' revisions, one row per cooperative: the team's queue, the member organisations'
-- inboxes, and the directory (the names of colleagues, organisations and services, and the list
-- of colleagues, which every case page shows). One row, so that a transaction raising two
-- lists takes one lock, and two such transactions cannot each hold the lock the other waits for.
DROP TABLE list_revisions;
CREATE TABLE list_revisions (
    tenant_id      uuid PRIMARY KEY,
    queue          bigint NOT NULL DEFAULT 0,
    inbox          bigint NOT NULL DEFAULT 0,
    directory      bigint NOT NULL DEFAULT 0,
    -- The transaction that last raised each: a transaction raises a list once, however many
    -- rows it changes.
    queue_xact     bigint NOT NULL DEFAULT 0,
    inbox_xact     bigint NOT NULL DEFAULT 0,
    directory_xact bigint NOT NULL DEFAULT 0
);
SELECT make_tenant_owned('list_revisions');

-- Raises the revision of each case among `cases` (of the current cooperative) once in this
-- transaction; in the order of their ids, so two transactions raising the same cases lock them
-- in the same order.
CREATE FUNCTION raise_case_revisions(tenant uuid, cases uuid[]) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO case_revisions AS r (tenant_id, case_id, revision, xact)
    SELECT c.tenant_id, c.id, 1, txid_current() FROM cases c
    WHERE c.tenant_id = tenant AND c.id = ANY (cases)
    ORDER BY c.id
    ON CONFLICT (tenant_id, case_id) DO UPDATE SET revision = r.revision + 1, xact = excluded.xact
    WHERE r.xact <> excluded.xact;
$$;

-- The cases whose page shows the changed row, by the table it is in.
CREATE FUNCTION note_case_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed record;
    shown uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    IF TG_TABLE_NAME = 'cases' THEN
        shown := ARRAY[changed.id];
    ELSIF TG_TABLE_NAME = 'requests' THEN
        shown := ARRAY(SELECT c.id FROM cases c WHERE c.tenant_id = changed.tenant_id AND c.request_id = changed.id);
    ELSIF TG_TABLE_NAME = 'residents' THEN
        -- The resident's name shows on every case of theirs, and so does their network.
        shown := ARRAY(SELECT c.id FROM cases c WHERE c.tenant_id = changed.tenant_id AND c.resident_id = changed.id);
    ELSIF TG_TABLE_NAME = 'network_contacts' THEN
        shown := ARRAY(SELECT c.id FROM cases c
                       WHERE c.tenant_id = changed.tenant_id AND c.resident_id = changed.resident_id);
    ELSIF TG_TABLE_NAME = 'plan_goals' THEN
        shown := ARRAY(SELECT p.case_id FROM support_plans p
                       WHERE p.tenant_id = changed.tenant_id AND p.id = changed.plan_id);
    ELSIF TG_TABLE_NAME = 'plan_actions' THEN
        shown := ARRAY(SELECT p.case_id
                       FROM plan_goals g JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
                       WHERE g.tenant_id = changed.tenant_id AND g.id = changed.goal_id);
    ELSIF TG_TABLE_NAME = 'journal_attachments' THEN
        shown := ARRAY(SELECT e.case_id FROM journal_entries e
                       WHERE e.tenant_id = changed.tenant_id AND e.id = changed.entry_id);
    ELSE
        -- (The desk's follow-up tasks belong to no case: an empty array.)
        shown := array_remove(ARRAY[changed.case_id], NULL);
    END IF;
    IF cardinality(shown) > 0 THEN
        PERFORM raise_case_revisions(changed.tenant_id, shown);
    END IF;
    RETURN NULL;
END
$$;

-- Raises the revision of the list named by the trigger's argument, once per transaction.
CREATE FUNCTION note_list_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    changed record;
    list constant text := TG_ARGV[0];
    xact constant bigint := txid_current();
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
    ELSE
        changed := NEW;
    END IF;
    INSERT INTO list_revisions AS l (tenant_id, queue, inbox, directory, queue_xact, inbox_xact, directory_xact)
    VALUES (changed.tenant_id, (list = 'queue')::int, (list = 'inbox')::int, (list = 'directory')::int,
            CASE WHEN list = 'queue' THEN xact ELSE 0 END, CASE WHEN list = 'inbox' THEN xact ELSE 0 END,
            CASE WHEN list = 'directory' THEN xact ELSE 0 END)
    ON CONFLICT (tenant_id) DO UPDATE SET
        queue = l.queue + (list = 'queue')::int,
        inbox = l.inbox + (list = 'inbox')::int,
        directory = l.directory + (list = 'directory')::int,
        queue_xact = CASE WHEN list = 'queue' THEN xact ELSE l.queue_xact END,
        inbox_xact = CASE WHEN list = 'inbox' THEN xact ELSE l.inbox_xact END,
        directory_xact = CASE WHEN list = 'directory' THEN xact ELSE l.directory_xact END
    WHERE CASE list WHEN 'queue' THEN l.queue_xact WHEN 'inbox' THEN l.inbox_xact ELSE l.directory_xact END <> xact;
    RETURN NULL;
END
$$;

-- The navigation's counts of a member organisation's inbox (migration 0012), with the inbox's
-- revision as it is now kept.
CREATE OR REPLACE FUNCTION member_inbox_counts(member uuid, organisation uuid, known bigint) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    tenant constant uuid := app_tenant_id();
    current bigint;
    waiting bigint;
    offered bigint;
    accepted bigint;
    started bigint;
BEGIN
    SELECT inbox INTO current FROM list_revisions WHERE tenant_id = tenant;
    current := coalesce(current, 0);
    IF current = known THEN
        RETURN ARRAY[current];
    END IF;
    SELECT count(*) INTO waiting FROM referrals r
    WHERE r.tenant_id = tenant AND r.organisation_id = organisation AND r.status = 'verstuurd'
      AND r.access_revoked_at IS NULL;
    -- Open offers, counted per service the organisation offers in that service's own range of
    -- referrals_open_offers (a join read every open offer of the cooperative).
    SELECT coalesce(sum((SELECT count(*) FROM referrals r
                         WHERE r.tenant_id = os.tenant_id AND r.service_id = os.service_id
                           AND r.organisation_id IS NULL AND r.status = 'verstuurd'
                           AND NOT EXISTS (SELECT FROM referral_passes x
                                           WHERE x.tenant_id = r.tenant_id AND x.referral_id = r.id
                                             AND x.organisation_id = os.organisation_id))), 0)::bigint
    INTO offered
    FROM organisation_services os
    WHERE os.tenant_id = tenant AND os.organisation_id = organisation;
    SELECT count(*) INTO accepted FROM referrals r
    WHERE r.tenant_id = tenant AND r.handled_by = member AND r.organisation_id = organisation
      AND r.status = 'geaccepteerd' AND r.access_revoked_at IS NULL;
    SELECT count(*) INTO started FROM referrals r
    WHERE r.tenant_id = tenant AND r.handled_by = member AND r.organisation_id = organisation
      AND r.status = 'gestart' AND r.access_revoked_at IS NULL;
    RETURN ARRAY[current, waiting + offered, accepted, started];
END
$$;

-- Every trigger that feeds a kept page. tests/api/kept_pages.rs reads each kept page's
-- queries and fails when a column one of them reads is changed without a trigger here.
DO $$
DECLARE
    shown text[];
BEGIN
    FOREACH shown SLICE 1 IN ARRAY ARRAY[
        -- what is raised, table, the change that shows
        -- The case page (cases::document): the case row, its request and resident's name, and
        -- every table its lists, plan and journal read.
        ['case', 'cases', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'requests', 'UPDATE'],
        ['case', 'residents', 'UPDATE OF first_names, initials, surname_prefix, surname'],
        ['case', 'case_clocks', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'conversations', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'network_contacts', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'tasks', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'case_members', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'consents', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'referrals', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'support_plans', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'plan_goals', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'plan_actions', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'journal_entries', 'INSERT OR UPDATE OR DELETE'],
        ['case', 'journal_attachments', 'INSERT OR UPDATE OR DELETE'],
        -- The directory every case page shows: names of colleagues, organisations, services.
        ['directory', 'users', 'INSERT OR DELETE OR UPDATE OF name, roles, active'],
        ['directory', 'organisations', 'INSERT OR DELETE OR UPDATE OF name'],
        ['directory', 'services', 'INSERT OR DELETE OR UPDATE OF name'],
        -- A member organisation's inbox (referrals::inbox), its pages and its counts.
        ['inbox', 'referrals', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'referral_passes', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'organisation_services', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'services', 'DELETE OR UPDATE OF name'],
        ['inbox', 'cases', 'UPDATE OF resident_id'],
        ['inbox', 'residents', 'DELETE OR UPDATE OF first_names, initials, surname_prefix, surname'],
        -- A member's counts are those of their organisation.
        ['inbox', 'users', 'UPDATE OF organisation_id'],
        -- The team's queue (cases::queue).
        ['queue', 'cases', 'INSERT OR DELETE OR UPDATE OF request_id, resident_id, urgency, status, created_at, '
                           'lead_id, coordinator_id, escalation, confidentiality, next_deadline'],
        ['queue', 'requests', 'UPDATE OF domains'],
        ['queue', 'residents', 'DELETE OR UPDATE OF first_names, initials, surname_prefix, surname'],
        ['queue', 'users', 'UPDATE OF name'],
        -- Who may see a very confidential case.
        ['queue', 'case_members', 'INSERT OR UPDATE OR DELETE']]
    LOOP
        IF shown[1] = 'case' THEN
            EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER %s ON %I DEFERRABLE INITIALLY DEFERRED
                            FOR EACH ROW EXECUTE FUNCTION note_case_change()',
                           shown[2] || '_case_change', shown[3], shown[2]);
        ELSE
            EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER %s ON %I DEFERRABLE INITIALLY DEFERRED
                            FOR EACH ROW EXECUTE FUNCTION note_list_change(%L)',
                           shown[2] || '_' || shown[1] || '_change', shown[3], shown[2], shown[1]);
        END IF;
    END LOOP;
END
$$;
