-- Closed-loop signposting: how the desk's follow-up call went, as a choice the figures can
-- count, beside the note the desk writes (`outcome`). Calls recorded earlier have none.
ALTER TABLE tasks
    ADD COLUMN follow_up_result text
        CONSTRAINT tasks_follow_up_result_check
        CHECK (follow_up_result IN ('gelukt', 'niet_gelukt', 'niet_bereikt')),
    ADD CONSTRAINT tasks_follow_up_result_kind CHECK (follow_up_result IS NULL OR kind = 'follow_up');

-- The figures count the calls recorded in a period, by when they were made.
CREATE INDEX tasks_follow_up_done ON tasks (tenant_id, done_at) WHERE follow_up_result IS NOT NULL;
