-- What the municipality paid on a contract (in tranches), as the treasurer records it from the
-- bank: the quarterly account shows money received beside money spent.
CREATE TABLE contract_payments (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    contract_id  uuid NOT NULL,
    received_on  date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    note         text NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
    recorded_by  uuid NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- Makes a form sent twice one payment.
    submission   uuid NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    UNIQUE (tenant_id, submission)
);
CREATE INDEX contract_payments_by_contract ON contract_payments (tenant_id, contract_id, received_on DESC, id);
SELECT make_tenant_owned('contract_payments');
