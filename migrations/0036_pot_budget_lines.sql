-- A pot's spending counts towards a budget line of a contract (the joint projects' line), so
-- that the quarterly account shows per budget line what was spent.
ALTER TABLE pots ADD COLUMN budget_line_id uuid,
    ADD CONSTRAINT pots_budget_line_fkey FOREIGN KEY (tenant_id, budget_line_id) REFERENCES budget_lines (tenant_id, id);
CREATE INDEX pots_by_budget_line ON pots (tenant_id, budget_line_id) WHERE budget_line_id IS NOT NULL;
-- The account counts grants by the day they were decided.
CREATE INDEX grants_decided ON grants (tenant_id, pot_id, decided_at) WHERE status = 'toegekend';
