-- What waits for a user beside the navigation: unread notifications for everyone and, for a
-- member organisation's staff, their inbox's counts (member_inbox_counts). Asked for in the
-- session check's own statement (auth::session), so that no page spends a round trip on it;
-- what the numbers mean is for the referrals area to say (referrals::waiting).
-- Returns [unread] or [unread, inbox revision] or [unread, inbox revision, new, mine, report].
CREATE FUNCTION waiting_counts(member uuid, roles text[], organisation uuid, known bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    AS $$
    SELECT ARRAY[(SELECT count(*) FROM notifications n
                  WHERE n.tenant_id = app_tenant_id() AND n.user_id = member AND n.read_at IS NULL)]
           || CASE WHEN 'member' = ANY (roles) AND organisation IS NOT NULL
                   THEN member_inbox_counts(member, organisation, known)
                   ELSE ARRAY[]::bigint[] END
$$;
GRANT EXECUTE ON FUNCTION waiting_counts(uuid, text[], uuid, bigint) TO schakel_app;
