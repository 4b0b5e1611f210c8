-- References people can read out on the phone: each cooperative numbers its requests
-- (M-2026-0412) and cases (C-2026-0087) per year of creation in the Netherlands. A counter row per
-- cooperative, kind and year, bumped by a trigger in the transaction that inserts the row, so every
-- insert path (desk, online form, triage, demo generator) gets one; the row lock on the counter
-- makes concurrent inserts wait for each other, and a rolled-back insert leaves no gap.
CREATE TABLE reference_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    kind      text NOT NULL CHECK (kind IN ('M', 'C')),
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last      integer NOT NULL CHECK (last > 0),
    PRIMARY KEY (tenant_id, kind, year)
);
SELECT make_tenant_owned('reference_counters');

-- The reference of the n-th row of a kind in a year: four digits at least, more when needed.
CREATE FUNCTION format_reference(kind text, year integer, n integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT kind || '-' || year || '-' || CASE WHEN n < 10000 THEN lpad(n::text, 4, '0') ELSE n::text END $$;

CREATE FUNCTION assign_reference() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    this_kind   text;
    this_year   integer;
    this_number integer;
BEGIN
    IF TG_TABLE_NAME = 'requests' THEN
        this_kind := 'M';
        this_year := extract(year FROM local_time(NEW.received_at));
    ELSE
        this_kind := 'C';
        this_year := extract(year FROM local_time(NEW.created_at));
    END IF;
    INSERT INTO reference_counters AS c (tenant_id, kind, year, last)
    VALUES (NEW.tenant_id, this_kind, this_year, 1)
    ON CONFLICT (tenant_id, kind, year) DO UPDATE SET last = c.last + 1
    RETURNING c.last INTO this_number;
    NEW.reference := format_reference(this_kind, this_year, this_number);
    RETURN NEW;
END
$$;

-- Existing rows, numbered in order of creation within cooperative and year.
ALTER TABLE requests ADD COLUMN reference text;
ALTER TABLE cases ADD COLUMN reference text;

UPDATE requests r SET reference = format_reference('M', n.year, n.number)
FROM (SELECT tenant_id, id, extract(year FROM local_time(received_at))::integer AS year,
             row_number() OVER (PARTITION BY tenant_id, extract(year FROM local_time(received_at))
                                ORDER BY received_at, id)::integer AS number
      FROM requests) n
WHERE r.tenant_id = n.tenant_id AND r.id = n.id;

UPDATE cases c SET reference = format_reference('C', n.year, n.number)
FROM (SELECT tenant_id, id, extract(year FROM local_time(created_at))::integer AS year,
             row_number() OVER (PARTITION BY tenant_id, extract(year FROM local_time(created_at))
                                ORDER BY created_at, id)::integer AS number
      FROM cases) n
WHERE c.tenant_id = n.tenant_id AND c.id = n.id;

INSERT INTO reference_counters (tenant_id, kind, year, last)
SELECT tenant_id, 'M', extract(year FROM local_time(received_at))::integer, count(*)
FROM requests GROUP BY 1, 3
UNION ALL
SELECT tenant_id, 'C', extract(year FROM local_time(created_at))::integer, count(*)
FROM cases GROUP BY 1, 3;

-- The unique keys lead with the reference: they serve only lookups by reference, and a key led
-- by tenant_id would be a narrower index the planner takes for lists and counts that need the
-- date indexes (seen under generic plans on small data).
ALTER TABLE requests
    ALTER COLUMN reference SET NOT NULL,
    ADD CONSTRAINT requests_reference_length CHECK (char_length(reference) <= 20),
    ADD CONSTRAINT requests_reference_key UNIQUE (reference, tenant_id);
ALTER TABLE cases
    ALTER COLUMN reference SET NOT NULL,
    ADD CONSTRAINT cases_reference_length CHECK (char_length(reference) <= 20),
    ADD CONSTRAINT cases_reference_key UNIQUE (reference, tenant_id);

CREATE TRIGGER requests_reference BEFORE INSERT ON requests
    FOR EACH ROW EXECUTE FUNCTION assign_reference();
CREATE TRIGGER cases_reference BEFORE INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION assign_reference();

-- A reference is read out, written down and kept on pages (docs/caching.md): it never changes.
CREATE FUNCTION keep_reference() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'the reference of % % never changes', TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER requests_reference_kept BEFORE UPDATE OF reference ON requests
    FOR EACH ROW WHEN (NEW.reference IS DISTINCT FROM OLD.reference) EXECUTE FUNCTION keep_reference();
CREATE TRIGGER cases_reference_kept BEFORE UPDATE OF reference ON cases
    FOR EACH ROW WHEN (NEW.reference IS DISTINCT FROM OLD.reference) EXECUTE FUNCTION keep_reference();
