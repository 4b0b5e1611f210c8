-- The statutes may say that grants above an amount are decided by the general assembly, not
-- the board; the grant then names the assembly's decision it rests on.
ALTER TABLE statute_rules
    ADD COLUMN grants_by_assembly_above_cents bigint CHECK (grants_by_assembly_above_cents >= 0);
ALTER TABLE grants
    ADD COLUMN decision_id uuid,
    ADD FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id);
