-- Who votes in a poll, and on which day a meeting opens.

-- Whether the statutes let a member take part in the meeting and vote by electronic means
-- (art. 2:38a BW). Every poll copies it with the other rules it is held under.
ALTER TABLE statute_rules ADD COLUMN electronic_participation boolean NOT NULL DEFAULT false;
ALTER TABLE polls ADD COLUMN electronic_participation boolean NOT NULL DEFAULT false;

-- A member present through taking part electronically: its representative's vote registered it.
ALTER TABLE attendance ADD COLUMN electronic boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT attendance_electronic_present CHECK (NOT electronic OR presence = 'aanwezig');

-- A poll's electorate: who was present or represented when it opened ('opening'), who joined
-- it by voting electronically while it was open ('elektronisch'), and the whole at the close.
ALTER TABLE poll_electorate DROP CONSTRAINT poll_electorate_moment_check,
    ADD CONSTRAINT poll_electorate_moment_check CHECK (moment IN ('opening', 'elektronisch', 'sluiting'));

-- A meeting opens on its date, or on another day when the chair records why it was moved: it
-- then starts when it opened, and keeps when it was convened for and the reason.
ALTER TABLE meetings ADD COLUMN rescheduled_from timestamptz,
    ADD COLUMN reschedule_reason text NOT NULL DEFAULT '',
    ADD CONSTRAINT meetings_rescheduled CHECK ((rescheduled_from IS NULL) = (btrim(reschedule_reason) = ''));
