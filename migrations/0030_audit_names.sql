-- The audit log and the privacy export are read by people (issue 21): an event's details name
-- what they are about by id (a meeting, an organisation, a referral, an agenda item), which
-- nobody can read. These functions give each such id the name people know it by, at the
-- moment the log is read; an id that names nothing (any more, after retention) stays as it is.

-- The name of what `value` (a JSON value of an event's details) points to, or NULL when it is no
-- id of anything this cooperative holds. Each table is read by its primary key.
CREATE FUNCTION audit_name(tenant uuid, value jsonb) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    this uuid;
BEGIN
    IF jsonb_typeof(value) IS DISTINCT FROM 'string'
       OR (value #>> '{}') !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN NULL;
    END IF;
    this := (value #>> '{}')::uuid;
    RETURN (
        SELECT name FROM (
            SELECT u.name FROM users u WHERE u.tenant_id = tenant AND u.id = this
            UNION ALL
            SELECT o.name FROM organisations o WHERE o.tenant_id = tenant AND o.id = this
            UNION ALL
            SELECT s.name FROM services s WHERE s.tenant_id = tenant AND s.id = this
            UNION ALL
            SELECT m.title || ' (' || to_char(local_time(m.starts_at), 'DD-MM-YYYY') || ')'
            FROM meetings m WHERE m.tenant_id = tenant AND m.id = this
            UNION ALL
            SELECT a.title FROM agenda_items a WHERE a.tenant_id = tenant AND a.id = this
            UNION ALL
            SELECT a.title FROM polls p JOIN agenda_items a ON a.tenant_id = p.tenant_id AND a.id = p.agenda_item_id
            WHERE p.tenant_id = tenant AND p.id = this
            UNION ALL
            SELECT d.filename FROM agenda_documents d WHERE d.tenant_id = tenant AND d.id = this
            UNION ALL
            SELECT d.title FROM decisions d WHERE d.tenant_id = tenant AND d.id = this
            UNION ALL
            SELECT d.description FROM decision_actions d WHERE d.tenant_id = tenant AND d.id = this
            UNION ALL
            SELECT u.name FROM representatives r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.user_id
            WHERE r.tenant_id = tenant AND r.id = this
            UNION ALL
            SELECT g.topic FROM working_groups g WHERE g.tenant_id = tenant AND g.id = this
            UNION ALL
            SELECT p.title FROM working_group_proposals p WHERE p.tenant_id = tenant AND p.id = this
            UNION ALL
            SELECT s.name || ' (' || c.reference || ')'
            FROM referrals f
            JOIN services s ON s.tenant_id = f.tenant_id AND s.id = f.service_id
            JOIN cases c ON c.tenant_id = f.tenant_id AND c.id = f.case_id
            WHERE f.tenant_id = tenant AND f.id = this
            UNION ALL
            SELECT k.purpose FROM consents k WHERE k.tenant_id = tenant AND k.id = this
            UNION ALL
            SELECT to_char(local_time(v.planned_at), 'DD-MM-YYYY HH24:MI')
            FROM conversations v WHERE v.tenant_id = tenant AND v.id = this
            UNION ALL
            SELECT j.filename FROM journal_attachments j WHERE j.tenant_id = tenant AND j.id = this
            UNION ALL
            SELECT c.reference FROM cases c WHERE c.tenant_id = tenant AND c.id = this
            UNION ALL
            SELECT q.reference FROM requests q WHERE q.tenant_id = tenant AND q.id = this
        ) names
        LIMIT 1
    );
END
$$;

-- An event's details with every id (at the top level) replaced by the name of what it points to.
CREATE FUNCTION audit_named_details(tenant uuid, details jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN jsonb_typeof(details) = 'object' THEN coalesce((
        SELECT jsonb_object_agg(d.key, coalesce(to_jsonb(audit_name(tenant, d.value)), d.value))
        FROM jsonb_each(details) d), details) ELSE details END
$$;
