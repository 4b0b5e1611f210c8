-- The session check that every request makes, in one statement instead of three (BEGIN with
-- the tenant setting, SELECT, COMMIT). The function scopes itself to the tenant, for the
-- length of the statement's own transaction, so row-level security applies as everywhere.
CREATE FUNCTION active_session(p_tenant uuid, p_token_hash bytea, p_idle_minutes int, p_max_hours int)
    RETURNS TABLE (csrf_token text, stage text, user_id uuid, name text, email text, roles text[], language text)
    LANGUAGE plpgsql VOLATILE
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    -- Activity is recorded at most once a minute, so reading pages does not write each time.
    UPDATE sessions s SET last_seen_at = now()
     WHERE s.tenant_id = p_tenant AND s.token_hash = p_token_hash
       AND s.last_seen_at < now() - interval '1 minute'
       AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes)
       AND s.created_at > now() - make_interval(hours => p_max_hours);
    RETURN QUERY
        SELECT s.csrf_token, s.stage, u.id, u.name, u.email, u.roles, u.language
        FROM sessions s
        JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
        WHERE s.tenant_id = p_tenant AND s.token_hash = p_token_hash AND u.active
          AND s.last_seen_at > now() - make_interval(mins => p_idle_minutes)
          AND s.created_at > now() - make_interval(hours => p_max_hours);
END
$$;
