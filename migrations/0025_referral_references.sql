-- A reference per referral that people can read out on the phone and that a member
-- organisation's notification carries instead of the resident's name (issue 21): "V-2026-0012",
-- numbered per cooperative and per year (in the Netherlands) in the order they were sent.

-- The last number given per cooperative and year. A referral's insert takes the next one under
-- the row's lock, so two referrals sent at once never share a number.
CREATE TABLE referral_numbers (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    year      integer NOT NULL,
    last      integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (tenant_id, year)
);
SELECT make_tenant_owned('referral_numbers');

-- At least four digits: lpad alone would cut off a ten-thousandth referral in a year.
CREATE FUNCTION referral_reference(year integer, number bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'V-' || year || '-' || CASE WHEN number < 10000 THEN lpad(number::text, 4, '0') ELSE number::text END $$;

ALTER TABLE referrals ADD COLUMN reference text;

-- Referrals sent before now, per cooperative, as the rows are only visible with its tenant setting.
DO $$
DECLARE
    tenant record;
BEGIN
    FOR tenant IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tenant.id::text, true);
        UPDATE referrals r SET reference = n.reference
        FROM (SELECT id, referral_reference(year, number) AS reference
              FROM (SELECT id, extract(year FROM local_time(sent_at))::integer AS year,
                           row_number() OVER (PARTITION BY extract(year FROM local_time(sent_at))
                                              ORDER BY sent_at, id) AS number
                    FROM referrals WHERE tenant_id = tenant.id) numbered) n
        WHERE r.tenant_id = tenant.id AND r.id = n.id;
        INSERT INTO referral_numbers (tenant_id, year, last)
        SELECT tenant.id, extract(year FROM local_time(sent_at))::integer, count(*)
        FROM referrals WHERE tenant_id = tenant.id
        GROUP BY 2;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$$;

CREATE FUNCTION referrals_number() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    sent_year integer := extract(year FROM local_time(NEW.sent_at))::integer;
    next_number integer;
BEGIN
    INSERT INTO referral_numbers AS n (tenant_id, year, last) VALUES (NEW.tenant_id, sent_year, 1)
    ON CONFLICT (tenant_id, year) DO UPDATE SET last = n.last + 1
    RETURNING n.last INTO next_number;
    NEW.reference := referral_reference(sent_year, next_number);
    RETURN NEW;
END
$$;

CREATE TRIGGER referrals_number BEFORE INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION referrals_number();

ALTER TABLE referrals
    ALTER COLUMN reference SET NOT NULL,
    ADD CONSTRAINT referrals_reference_length CHECK (char_length(reference) <= 20),
    ADD CONSTRAINT referrals_reference_key UNIQUE (reference, tenant_id);
