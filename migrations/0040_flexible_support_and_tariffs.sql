-- Flexible support (maatwerkbudget): from a case, the lead spends from a budget line marked for
-- it on whatever the resident needs, whoever provides it. Above the treasurer's threshold a
-- process manager approves first. Retention erases the description and the note, and keeps
-- amount, date and budget line.
ALTER TABLE budget_lines ADD COLUMN flexible boolean NOT NULL DEFAULT false;

ALTER TABLE tenant_settings
    ADD COLUMN flexible_approval_cents bigint NOT NULL DEFAULT 100000 CHECK (flexible_approval_cents >= 0);

CREATE TABLE flexible_support (
    tenant_id                uuid NOT NULL,
    id                       uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id                  uuid NOT NULL,
    budget_line_id           uuid NOT NULL,
    -- The support plan goal it serves.
    goal_id                  uuid,
    amount_cents             bigint NOT NULL CHECK (amount_cents > 0),
    provider_organisation_id uuid,
    provider_name            text NOT NULL DEFAULT '' CHECK (char_length(provider_name) <= 200),
    description              text NOT NULL CHECK (char_length(description) <= 1000),
    spent_on                 date NOT NULL,
    status                   text NOT NULL CHECK (status IN ('aangevraagd', 'goedgekeurd', 'afgewezen')),
    requested_by             uuid NOT NULL,
    requested_at             timestamptz NOT NULL DEFAULT now(),
    decided_by               uuid,
    decided_at               timestamptz,
    decision_note            text NOT NULL DEFAULT '' CHECK (char_length(decision_note) <= 1000),
    -- Makes a form sent twice one entry.
    submission               uuid NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, budget_line_id) REFERENCES budget_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, goal_id) REFERENCES plan_goals (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_organisation_id) REFERENCES organisations (tenant_id, id),
    UNIQUE (tenant_id, submission),
    CHECK (provider_organisation_id IS NOT NULL OR btrim(provider_name) <> ''),
    CHECK ((status = 'aangevraagd') = (decided_at IS NULL)),
    -- Nobody approves what they asked for.
    CHECK (decided_by IS DISTINCT FROM requested_by)
);
CREATE INDEX flexible_support_case ON flexible_support (tenant_id, case_id, requested_at DESC, id);
CREATE INDEX flexible_support_line ON flexible_support (tenant_id, budget_line_id, spent_on)
    WHERE status = 'goedgekeurd';
CREATE INDEX flexible_support_waiting ON flexible_support (tenant_id, requested_at, id)
    WHERE status = 'aangevraagd';
SELECT make_tenant_owned('flexible_support');

-- Costs per referral: a service may carry a tariff per referral, hour or week; a finished
-- referral keeps the tariff it was finished under, the units delivered and what they cost.
ALTER TABLE services
    ADD COLUMN tariff_cents bigint CHECK (tariff_cents >= 0),
    ADD COLUMN tariff_unit text CHECK (tariff_unit IN ('verwijzing', 'uur', 'week')),
    ADD CONSTRAINT services_tariff_whole CHECK ((tariff_cents IS NULL) = (tariff_unit IS NULL));

ALTER TABLE referrals
    ADD COLUMN units numeric(8, 2) CHECK (units >= 0),
    ADD COLUMN tariff_cents bigint CHECK (tariff_cents >= 0),
    ADD COLUMN tariff_unit text CHECK (tariff_unit IN ('verwijzing', 'uur', 'week')),
    ADD COLUMN cost_cents bigint CHECK (cost_cents >= 0),
    ADD CONSTRAINT referrals_cost_whole CHECK ((cost_cents IS NULL) = (tariff_cents IS NULL));
CREATE INDEX referrals_costs ON referrals (tenant_id, finished_at) WHERE cost_cents IS NOT NULL;
