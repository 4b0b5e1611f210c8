-- Performance agreements (prestatieafspraken) of a contract: a figure Schakel computes, with
-- its target — a least share in percent, or a most count.
CREATE TABLE performance_agreements (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    contract_id uuid NOT NULL,
    measure     text NOT NULL CHECK (measure IN ('wmo_besluit_op_tijd', 'jeugd_besluit_op_tijd', 'balie_afgehandeld',
                                                 'wegwijzer_gelukt', 'kinderen_jeugd')),
    target      integer NOT NULL CHECK (target BETWEEN 0 AND 1000000),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    UNIQUE (tenant_id, contract_id, measure)
);
SELECT make_tenant_owned('performance_agreements');
