-- The periodic jobs of the web servers, run once per period however many servers share the
-- database: a server runs a job only after claiming its turn here (jobs.rs). Global, not a
-- cooperative's: it holds job names and times only.
CREATE TABLE job_runs (
    name        text PRIMARY KEY CHECK (char_length(name) <= 100),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    runs        bigint NOT NULL DEFAULT 0
);
GRANT SELECT, INSERT, UPDATE ON job_runs TO schakel_app;
