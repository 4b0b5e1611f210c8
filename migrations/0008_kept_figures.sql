-- The dashboard's dearest figures (medians, distinct children, counts per organisation and per
-- month) per calendar month, quarter and year around today, kept by the server's periodic task
-- (reports::kept): a year's page then reads one row instead of every case and referral of the
-- year. Custom periods, and calendar periods without a fresh row, are computed when viewed.
CREATE TABLE kept_figures (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    period_from date NOT NULL,
    period_to   date NOT NULL CHECK (period_to >= period_from),
    figures     jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, period_from, period_to)
);
SELECT make_tenant_owned('kept_figures');
