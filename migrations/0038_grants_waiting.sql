-- The applications waiting for a decision, for the start page and the money overview of
-- whoever keeps the money.
CREATE INDEX grants_waiting ON grants (tenant_id, requested_at DESC, id) WHERE status = 'aangevraagd';
