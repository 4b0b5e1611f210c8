-- The cooperative's money (issue 22): contracts with the municipality and their budget lines,
-- joint project pots opened or raised by a decision of the general assembly, grants from a pot
-- to a member's project and what the member spends of them. Amounts are whole cents.

-- The treasurer (penningmeester) keeps the money; the role joins the others.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check
    CHECK (cardinality(roles) > 0
           AND roles <@ ARRAY['desk', 'professional', 'process_manager', 'member', 'admin', 'chair',
                              'treasurer']);

-- A contract (opdracht) or subsidy the municipality gives the cooperative for a period.
CREATE TABLE contracts (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('opdracht', 'subsidie')),
    title         text NOT NULL CHECK (btrim(title) <> '' AND char_length(title) <= 200),
    commissioner  text NOT NULL CHECK (btrim(commissioner) <> '' AND char_length(commissioner) <= 200),
    amount_cents  bigint NOT NULL CHECK (amount_cents >= 0),
    starts_on     date NOT NULL,
    ends_on       date NOT NULL,
    conditions    text NOT NULL DEFAULT '' CHECK (char_length(conditions) <= 20000),
    created_by    uuid NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (ends_on >= starts_on)
);
CREATE INDEX contracts_by_period ON contracts (tenant_id, starts_on DESC, id);
SELECT make_tenant_owned('contracts');

-- The contract's money divided: desk and social team, flexible support, joint projects.
CREATE TABLE budget_lines (
    tenant_id    uuid NOT NULL,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    contract_id  uuid NOT NULL,
    name         text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    UNIQUE (tenant_id, contract_id, name)
);
SELECT make_tenant_owned('budget_lines');

-- A joint project pot. It exists once a decision of the assembly opened it; every adopted
-- decision naming it adds its amount (pot_allocations).
CREATE TABLE pots (
    tenant_id  uuid NOT NULL,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX pots_name ON pots (tenant_id, lower(name));
SELECT make_tenant_owned('pots');

-- A decision item may put money in a pot: the proposal carries the pot and the amount, and the
-- decision copies them when it is taken.
ALTER TABLE agenda_items
    ADD COLUMN pot_name text CONSTRAINT agenda_items_pot_name_length CHECK (char_length(pot_name) <= 200),
    ADD COLUMN pot_amount_cents bigint CHECK (pot_amount_cents > 0),
    ADD CONSTRAINT agenda_items_pot_whole CHECK ((pot_name IS NULL) = (pot_amount_cents IS NULL)),
    ADD CONSTRAINT agenda_items_pot_decision CHECK (pot_name IS NULL OR kind = 'besluit');
ALTER TABLE decisions
    ADD COLUMN pot_name text,
    ADD COLUMN pot_amount_cents bigint,
    ADD CONSTRAINT decisions_pot_whole CHECK ((pot_name IS NULL) = (pot_amount_cents IS NULL));

CREATE TABLE pot_allocations (
    tenant_id    uuid NOT NULL,
    decision_id  uuid NOT NULL,
    pot_id       uuid NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents > 0),
    PRIMARY KEY (tenant_id, decision_id),
    FOREIGN KEY (tenant_id, decision_id) REFERENCES decisions (tenant_id, id),
    FOREIGN KEY (tenant_id, pot_id) REFERENCES pots (tenant_id, id)
);
CREATE INDEX pot_allocations_pot ON pot_allocations (tenant_id, pot_id);
SELECT make_tenant_owned('pot_allocations');

-- Adopting a decision that carries a pot opens or raises the pot; a re-vote that rejects it
-- takes the money out again. Kept in the database so that it holds however a decision is
-- taken or retaken.
CREATE FUNCTION decision_funds_pot() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.pot_name IS NULL THEN
        RETURN NULL;
    END IF;
    IF NEW.adopted THEN
        INSERT INTO pots (tenant_id, name) VALUES (NEW.tenant_id, btrim(NEW.pot_name))
            ON CONFLICT (tenant_id, lower(name)) DO NOTHING;
        INSERT INTO pot_allocations (tenant_id, decision_id, pot_id, amount_cents)
            SELECT NEW.tenant_id, NEW.id, p.id, NEW.pot_amount_cents
            FROM pots p WHERE p.tenant_id = NEW.tenant_id AND lower(p.name) = lower(btrim(NEW.pot_name))
            ON CONFLICT (tenant_id, decision_id) DO NOTHING;
    ELSE
        DELETE FROM pot_allocations WHERE tenant_id = NEW.tenant_id AND decision_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER decisions_fund_pots AFTER INSERT OR UPDATE OF adopted ON decisions
    FOR EACH ROW EXECUTE FUNCTION decision_funds_pot();

-- A member's application for money from a pot, granted or refused by the board. Whoever
-- applied never decides on it.
CREATE TABLE grants (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    pot_id           uuid NOT NULL,
    organisation_id  uuid NOT NULL,
    project          text NOT NULL CHECK (btrim(project) <> '' AND char_length(project) <= 200),
    amount_cents     bigint NOT NULL CHECK (amount_cents > 0),
    purpose          text NOT NULL CHECK (btrim(purpose) <> '' AND char_length(purpose) <= 1000),
    expected_result  text NOT NULL DEFAULT '' CHECK (char_length(expected_result) <= 1000),
    status           text NOT NULL DEFAULT 'aangevraagd'
                     CHECK (status IN ('aangevraagd', 'toegekend', 'afgewezen')),
    requested_by     uuid NOT NULL,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    decided_by       uuid,
    decided_at       timestamptz,
    decision_note    text NOT NULL DEFAULT '' CHECK (char_length(decision_note) <= 1000),
    -- Granting more than the pot holds is possible only said out loud, with a reason.
    over_commitment  text NOT NULL DEFAULT '' CHECK (char_length(over_commitment) <= 1000),
    result           text NOT NULL DEFAULT '' CHECK (char_length(result) <= 20000),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, pot_id) REFERENCES pots (tenant_id, id),
    FOREIGN KEY (tenant_id, organisation_id) REFERENCES organisations (tenant_id, id),
    CHECK (decided_by IS DISTINCT FROM requested_by),
    CHECK ((status = 'aangevraagd') = (decided_by IS NULL))
);
CREATE INDEX grants_by_pot ON grants (tenant_id, pot_id, requested_at DESC, id);
CREATE INDEX grants_by_organisation ON grants (tenant_id, organisation_id, requested_at DESC, id);
SELECT make_tenant_owned('grants');

-- What a member spent of a grant, with its receipt. The form's submission key makes a form
-- sent twice one expense.
CREATE TABLE grant_expenses (
    tenant_id     uuid NOT NULL,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    grant_id      uuid NOT NULL,
    spent_on      date NOT NULL,
    amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
    description   text NOT NULL CHECK (btrim(description) <> '' AND char_length(description) <= 1000),
    receipt_name  text NOT NULL CHECK (btrim(receipt_name) <> '' AND char_length(receipt_name) <= 200),
    receipt_type  text NOT NULL CHECK (receipt_type IN (
                      'application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    receipt       bytea NOT NULL CHECK (length(receipt) BETWEEN 1 AND 10485760),
    submission    uuid NOT NULL,
    recorded_by   uuid NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, grant_id) REFERENCES grants (tenant_id, id),
    UNIQUE (tenant_id, submission)
);
CREATE INDEX grant_expenses_by_grant ON grant_expenses (tenant_id, grant_id, spent_on DESC, id);
SELECT make_tenant_owned('grant_expenses');
REVOKE UPDATE, DELETE ON grant_expenses FROM schakel_app;
