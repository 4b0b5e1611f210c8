-- /readyz tells whether the database has every migration this build knows: the web role may
-- read which were applied (versions and names only). The table is sqlx's, made before the
-- first migration runs; scripts/prepare applies the migrations without it.
DO $$
BEGIN
    IF to_regclass('_sqlx_migrations') IS NOT NULL THEN
        GRANT SELECT ON _sqlx_migrations TO schakel_app;
    END IF;
END
$$;
