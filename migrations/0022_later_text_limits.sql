-- The length limit (migration 0019) of the text column added beside it, in 0020: the reason a
-- meeting was opened on another day than it was convened for is a short text.
ALTER TABLE meetings
    ADD CONSTRAINT meetings_reschedule_reason_length CHECK (char_length(reschedule_reason) <= 1000);
