-- Two lists are kept by the web server between views: what a member organisation's staff see
-- in their inbox (its counts in the navigation and its pages, see referrals::inbox) and the
-- pages of the team's queue (see cases::queue). Whether a kept copy still holds is decided
-- here, inside PostgreSQL, so no write path can forget to say so: every transaction that
-- changes anything a list shows raises the cooperative's revision of that list.
CREATE TABLE list_revisions (
    tenant_id uuid NOT NULL,
    list      text NOT NULL CHECK (list IN ('inbox', 'queue')),
    revision  bigint NOT NULL,
    -- The transaction that last raised it: a transaction raises it once, however many rows it
    -- changes (updating one row again and again in one transaction costs ever more).
    xact      bigint NOT NULL,
    PRIMARY KEY (tenant_id, list)
);
SELECT make_tenant_owned('list_revisions');

-- Raises the revision of the list named by the trigger's argument.
CREATE FUNCTION note_list_change() RETURNS trigger
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
    INSERT INTO list_revisions AS l (tenant_id, list, revision, xact)
    VALUES (changed.tenant_id, TG_ARGV[0], 1, txid_current())
    ON CONFLICT (tenant_id, list) DO UPDATE SET revision = l.revision + 1, xact = excluded.xact
    WHERE l.xact <> excluded.xact;
    RETURN NULL;
END
$$;

-- Deferred to the commit: the revision's row is then the last lock a transaction takes and is
-- held only while it commits, so two people answering referrals or saving cases at once never
-- deadlock on it and wait on each other for no longer than a commit.
DO $$
DECLARE
    shown text[];
BEGIN
    FOREACH shown SLICE 1 IN ARRAY ARRAY[
        -- list, table, the change that shows
        ['inbox', 'referrals', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'referral_passes', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'organisation_services', 'INSERT OR UPDATE OR DELETE'],
        ['inbox', 'services', 'DELETE OR UPDATE OF name'],
        ['inbox', 'cases', 'UPDATE OF resident_id'],
        ['inbox', 'residents', 'DELETE OR UPDATE OF first_names, initials, surname_prefix, surname'],
        -- A member's counts are those of their organisation.
        ['inbox', 'users', 'UPDATE OF organisation_id'],
        ['queue', 'cases', 'INSERT OR DELETE OR UPDATE OF request_id, resident_id, urgency, status, created_at, '
                           'lead_id, coordinator_id, escalation, confidentiality, next_deadline'],
        ['queue', 'requests', 'UPDATE OF domains'],
        ['queue', 'residents', 'DELETE OR UPDATE OF first_names, initials, surname_prefix, surname'],
        ['queue', 'users', 'UPDATE OF name'],
        -- Who may see a very confidential case.
        ['queue', 'case_members', 'INSERT OR UPDATE OR DELETE']]
    LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER %s ON %I DEFERRABLE INITIALLY DEFERRED
                        FOR EACH ROW EXECUTE FUNCTION note_list_change(%L)',
                       shown[2] || '_' || shown[1] || '_change', shown[3], shown[2], shown[1]);
    END LOOP;
END
$$;

-- The navigation's counts (migration 0011), now with the revision they were counted at; when
-- the caller already holds counts of the current revision (`known`), only that revision.
-- Returns [revision] or [revision, new, mine, report].
DROP FUNCTION member_inbox_counts(uuid, uuid);
CREATE FUNCTION member_inbox_counts(member uuid, organisation uuid, known bigint) RETURNS bigint[]
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
    SELECT revision INTO current FROM list_revisions WHERE tenant_id = tenant AND list = 'inbox';
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
GRANT EXECUTE ON FUNCTION member_inbox_counts(uuid, uuid, bigint) TO schakel_app;
