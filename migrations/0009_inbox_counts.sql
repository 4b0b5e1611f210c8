-- The organisation is part of what a member's "mine" and "waiting for my report" tabs and their
-- counts in the navigation select on, so both read the index alone (they fetched every row
-- to check the organisation).
DROP INDEX referrals_handler;
CREATE INDEX referrals_handler ON referrals (tenant_id, handled_by, organisation_id, status, sent_at, id)
    WHERE handled_by IS NOT NULL AND access_revoked_at IS NULL;
