-- The time in the Netherlands, where every cooperative is: what "now", "today" and a stored
-- moment mean on its pages and in its figures, named once instead of in every query. Plain SQL
-- functions, which PostgreSQL inlines into the queries that call them (so a plan is as before).

-- The date and time in the Netherlands now (at the start of the transaction).
CREATE FUNCTION local_now() RETURNS timestamp
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT now() AT TIME ZONE 'Europe/Amsterdam' $$;

-- A stored moment as the date and time it was in the Netherlands.
CREATE FUNCTION local_time(moment timestamptz) RETURNS timestamp
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT moment AT TIME ZONE 'Europe/Amsterdam' $$;

-- A date and time in the Netherlands as a moment, e.g. the start of a Dutch day.
CREATE FUNCTION local_moment(wall_clock timestamp) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT wall_clock AT TIME ZONE 'Europe/Amsterdam' $$;
