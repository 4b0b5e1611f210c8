-- Sealing (migration 0044) updated the events one statement at a time. The hashes are still
-- computed one after another, as a chain must be, but the events now get their places and
-- hashes in one UPDATE per batch: a tenth of the statements for the same work, so the sealer
-- takes less of the machine from the writers whose events it seals.
CREATE OR REPLACE FUNCTION seal_audit_events(p_tenant uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    chain audit_chains;
    e audit_events;
    ids uuid[] := '{}';
    places bigint[] := '{}';
    digests bytea[] := '{}';
    previous bytea[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    INSERT INTO audit_chains (tenant_id) VALUES (p_tenant) ON CONFLICT DO NOTHING;
    SELECT * INTO chain FROM audit_chains WHERE tenant_id = p_tenant FOR UPDATE;
    FOR e IN SELECT * FROM audit_events
             WHERE tenant_id = p_tenant AND chain_seq IS NULL
             ORDER BY occurred_at, id
             LIMIT 10000
    LOOP
        e.chain_seq := chain.head_seq + 1;
        e.details_digest := sha256(convert_to(e.details::text, 'UTF8'));
        e.prev_hash := chain.head_hash;
        e.hash := audit_event_hash(chain.head_hash, e);
        ids := ids || e.id;
        places := places || e.chain_seq;
        digests := digests || e.details_digest;
        previous := previous || e.prev_hash;
        hashes := hashes || e.hash;
        chain.head_seq := e.chain_seq;
        chain.head_hash := e.hash;
    END LOOP;
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    UPDATE audit_events a
    SET chain_seq = s.place, details_digest = s.digest, prev_hash = s.previous, hash = s.hash
    FROM unnest(ids, places, digests, previous, hashes) AS s (id, place, digest, previous, hash)
    WHERE a.tenant_id = p_tenant AND a.id = s.id;
    UPDATE audit_chains SET head_seq = chain.head_seq, head_hash = chain.head_hash WHERE tenant_id = p_tenant;
    RETURN cardinality(ids);
END
$$;
REVOKE ALL ON FUNCTION seal_audit_events(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION seal_audit_events(uuid) TO schakel_app;
