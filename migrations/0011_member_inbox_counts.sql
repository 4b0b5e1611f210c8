-- The counts in a member organisation's navigation (see auth::session::load_at and
-- referrals::inbox), as a function so that the session check of everyone else does not pay
-- for them: PostgreSQL starts every part of a statement's plan on each execution, whether that
-- part runs or not, and these counts were a third of the session check of users who are no
-- member. A function's queries are started only when it is called. Returns [new, mine, report].
CREATE FUNCTION member_inbox_counts(member uuid, organisation uuid) RETURNS bigint[]
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    tenant constant uuid := app_tenant_id();
    waiting bigint;
    offered bigint;
    accepted bigint;
    started bigint;
BEGIN
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
    RETURN ARRAY[waiting + offered, accepted, started];
END
$$;
GRANT EXECUTE ON FUNCTION member_inbox_counts(uuid, uuid) TO schakel_app;
