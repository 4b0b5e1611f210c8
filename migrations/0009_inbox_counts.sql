-- The organisation rides along in the handler index, so a member's "mine" and "waiting for my
-- report" counts in the navigation read the index alone (they fetched every row to check the
-- organisation); as a key column it would have cost the tabs their order by sending date.
DROP INDEX referrals_handler;
CREATE INDEX referrals_handler ON referrals (tenant_id, handled_by, status, sent_at, id) INCLUDE (organisation_id)
    WHERE handled_by IS NOT NULL AND access_revoked_at IS NULL;
