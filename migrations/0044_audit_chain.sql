-- A tamper-evident audit log. Each cooperative's events are chained: an event's hash covers
-- the previous event's hash, its place in the chain and its content (who, when, what, which
-- resident and case, from where) with a digest of its details in place of the details, so
-- retention may erase the details (marking them erased) without breaking the chain.
--
-- Writers do not take part: an event is inserted as before, unchained, and the sealer
-- (`seal_audit_events`, run by the server every few seconds and before every verification)
-- chains the committed ones in a short transaction of its own that locks only the
-- cooperative's chain head. So no writer waits for another's transaction to end. An event can
-- be altered unnoticed only in the seconds before it is sealed.
ALTER TABLE audit_events
    ADD COLUMN chain_seq bigint,
    ADD COLUMN details_digest bytea,
    ADD COLUMN details_erased boolean NOT NULL DEFAULT false,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN hash bytea;
CREATE UNIQUE INDEX audit_events_chain ON audit_events (tenant_id, chain_seq) WHERE chain_seq IS NOT NULL;
CREATE INDEX audit_events_unsealed ON audit_events (tenant_id, occurred_at, id) WHERE chain_seq IS NULL;

-- Where each chain ends, what retention removed from its start, and the last verification.
CREATE TABLE audit_chains (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id),
    head_seq         bigint NOT NULL DEFAULT 0,
    head_hash        bytea,
    -- Events up to this place were removed by retention; the next one links to this hash.
    pruned_seq       bigint NOT NULL DEFAULT 0,
    pruned_hash      bytea,
    verified_at      timestamptz,
    verified_ok      boolean,
    verified_events  bigint,
    verified_message text NOT NULL DEFAULT '' CHECK (char_length(verified_message) <= 1000)
);
SELECT make_tenant_owned('audit_chains');
REVOKE INSERT, UPDATE, DELETE ON audit_chains FROM schakel_app;

-- The hash of an event at its place in the chain.
CREATE FUNCTION audit_event_hash(prev bytea, e audit_events) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT sha256(coalesce(prev, '\x'::bytea) || convert_to(concat_ws(chr(31),
        e.tenant_id::text, e.id::text, e.chain_seq::text,
        to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        coalesce(e.actor_id::text, ''), e.actor_name, e.kind, coalesce(e.subject_user_id::text, ''),
        e.subject_name, coalesce(e.resident_id::text, ''), coalesce(e.case_id::text, ''),
        coalesce(host(e.client_ip), '')), 'UTF8') || coalesce(e.details_digest, '\x'::bytea))
$$;

-- Chains the cooperative's committed, unchained events in the order they happened; how many.
-- Runs as the schema owner (the web role may not change audit events).
CREATE FUNCTION seal_audit_events(p_tenant uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    chain audit_chains;
    e audit_events;
    sealed integer := 0;
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
        UPDATE audit_events
        SET chain_seq = e.chain_seq, details_digest = e.details_digest, prev_hash = e.prev_hash, hash = e.hash
        WHERE tenant_id = p_tenant AND id = e.id;
        chain.head_seq := e.chain_seq;
        chain.head_hash := e.hash;
        sealed := sealed + 1;
    END LOOP;
    UPDATE audit_chains SET head_seq = chain.head_seq, head_hash = chain.head_hash WHERE tenant_id = p_tenant;
    RETURN sealed;
END
$$;
REVOKE ALL ON FUNCTION seal_audit_events(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION seal_audit_events(uuid) TO schakel_app;
