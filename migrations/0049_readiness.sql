-- /readyz tells whether the database has every migration this build knows: the web role may
-- read which were applied (versions and names only).
GRANT SELECT ON _sqlx_migrations TO schakel_app;
