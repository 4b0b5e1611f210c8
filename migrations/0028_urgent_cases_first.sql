-- Cases without a lead: crises first, then those marked "spoed" at the desk, then the rest,
-- oldest first within each. The queue's first tab is read in this order straight off the index.
DROP INDEX cases_unassigned;
CREATE INDEX cases_unassigned ON cases (tenant_id, (urgency = 'crisis') DESC, (urgency = 'urgent') DESC, created_at)
    WHERE lead_id IS NULL AND status <> 'afgesloten';
