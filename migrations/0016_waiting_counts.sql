-- What waits for a user beside the navigation: unread notifications for everyone and, for a
-- member organisation's staff, their inbox's counts (member_inbox_counts). Asked for in the
-- session check's own statement (auth::session), so that no page spends a round trip on it;
-- what the numbers mean is for the referrals area to say (referrals::waiting).
-- Returns [unread] or [unread, inbox revision] or [unread, inbox revision, new, mine, report].
-- PL/pgSQL, whose statements' plans each connection keeps (a SQL function's body would be
-- planned again on every call that PostgreSQL cannot inline).
CREATE FUNCTION waiting_counts(member uuid, roles text[], organisation uuid, known bigint) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    unread bigint;
BEGIN
    SELECT count(*) INTO unread FROM notifications n
    WHERE n.tenant_id = app_tenant_id() AND n.user_id = member AND n.read_at IS NULL;
    IF 'member' = ANY (roles) AND organisation IS NOT NULL THEN
        RETURN ARRAY[unread] || member_inbox_counts(member, organisation, known);
    END IF;
    RETURN ARRAY[unread];
END
$$;
GRANT EXECUTE ON FUNCTION waiting_counts(uuid, text[], uuid, bigint) TO schakel_app;
