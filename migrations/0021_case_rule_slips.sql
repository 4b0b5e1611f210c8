-- Rule slips on cases (issue 20): closing a case stops its clocks and withdraws its open
-- referrals, telling the organisations and the case's history; the desk's follow-up call after
-- signposting counts working days; and no event of a case is dated before its request came in,
-- nor what has happened after today.

-- A clock stopped because its case was closed: neither decided on time nor late, and no longer
-- running. Reopening the case lets it run again.
ALTER TABLE case_clocks
    ADD COLUMN stopped_on date,
    ADD CONSTRAINT case_clocks_stopped_or_completed CHECK (stopped_on IS NULL OR completed_on IS NULL),
    ADD CONSTRAINT case_clocks_paused_after_start CHECK (paused_on >= started_on),
    ADD CONSTRAINT case_clocks_resumed_after_pause CHECK (resumed_on >= paused_on),
    ADD CONSTRAINT case_clocks_completed_after_start CHECK (completed_on >= started_on),
    ADD CONSTRAINT case_clocks_stopped_after_start CHECK (stopped_on >= started_on);

-- Withdrawing a case's referrals as it closes is a step in the case's history.
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check,
    ADD CONSTRAINT case_events_kind_check
        CHECK (kind IN ('status', 'escalation', 'confidentiality', 'referral'));

-- The organisation hears that a referral to it was withdrawn.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'referral_new', 'referral_accepted', 'referral_declined', 'referral_finished',
        'referral_returned', 'referral_overdue', 'referral_note', 'referral_withdrawn'));

-- The follow-up call after signposting now counts working days like every other term:
-- fourteen calendar days are ten working days, and so on.
ALTER TABLE tenant_settings ALTER COLUMN signpost_follow_up_days SET DEFAULT 10;

-- Cases closed before now: their clocks stop on the day they closed. Per cooperative, as the
-- rows are only visible with its tenant setting.
DO $$
DECLARE
    tenant record;
BEGIN
    FOR tenant IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tenant.id::text, true);
        UPDATE tenant_settings
        SET signpost_follow_up_days = greatest(1, round(signpost_follow_up_days * 5 / 7.0))
        WHERE tenant_id = tenant.id;
        UPDATE case_clocks k SET stopped_on = greatest(k.started_on, local_time(c.closed_at)::date)
        FROM cases c
        WHERE c.tenant_id = k.tenant_id AND c.id = k.case_id AND c.status = 'afgesloten'
          AND k.tenant_id = tenant.id AND k.completed_on IS NULL;
        UPDATE cases SET next_deadline = NULL
        WHERE tenant_id = tenant.id AND status = 'afgesloten' AND next_deadline IS NOT NULL;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$$;

-- No event of a case is dated before its request came in (moments: before the moment; dates:
-- before its day in the Netherlands), and what has happened is not dated after today. The forms
-- say so beside the field; this is the backstop. One function for every table with such dates,
-- as a row trigger only on the date columns, so texts can change (retention) unchecked. (A
-- consent is the resident's, and may have been given before: its date is not checked.)
CREATE FUNCTION check_case_dates() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    case_of uuid;
    received timestamptz;
    received_on date;
    today constant date := local_now()::date;
    -- Dates that may not be before the request's day, and of those what has already happened.
    planned date[] := '{}';
    happened date[] := '{}';
    moment timestamptz;
BEGIN
    IF TG_TABLE_NAME = 'plan_actions' THEN
        SELECT p.case_id INTO case_of
        FROM plan_goals g JOIN support_plans p ON p.tenant_id = g.tenant_id AND p.id = g.plan_id
        WHERE g.tenant_id = NEW.tenant_id AND g.id = NEW.goal_id;
    ELSE
        case_of := NEW.case_id;
    END IF;
    SELECT c.received_at INTO received FROM cases c WHERE c.tenant_id = NEW.tenant_id AND c.id = case_of;
    IF received IS NULL THEN
        RETURN NEW;
    END IF;
    received_on := local_time(received)::date;
    CASE TG_TABLE_NAME
        WHEN 'conversations' THEN
            moment := NEW.planned_at;
            happened := ARRAY[NEW.report_on];
        WHEN 'journal_entries' THEN
            moment := NEW.occurred_at;
            IF NEW.occurred_at > now() + interval '5 minutes' THEN
                RAISE EXCEPTION 'journal entry of case % is dated in the future', case_of
                    USING ERRCODE = 'check_violation';
            END IF;
        WHEN 'support_plans' THEN
            planned := ARRAY[NEW.evaluation_on];
            happened := ARRAY[NEW.agreed_on];
        WHEN 'plan_actions' THEN
            planned := ARRAY[NEW.target_on];
        WHEN 'referrals' THEN
            planned := ARRAY[NEW.expected_start];
        WHEN 'tasks' THEN
            planned := ARRAY[NEW.due_on];
        WHEN 'case_clocks' THEN
            happened := ARRAY[NEW.started_on, NEW.paused_on, NEW.resumed_on, NEW.completed_on, NEW.stopped_on];
    END CASE;
    IF moment < received THEN
        RAISE EXCEPTION '% of case % is dated before its request came in', TG_TABLE_NAME, case_of
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT FROM unnest(planned || happened) d WHERE d < received_on) THEN
        RAISE EXCEPTION '% of case % is dated before its request came in', TG_TABLE_NAME, case_of
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT FROM unnest(happened) d WHERE d > today) THEN
        RAISE EXCEPTION '% of case % is dated in the future', TG_TABLE_NAME, case_of
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER conversations_dates BEFORE INSERT OR UPDATE OF planned_at, report_on ON conversations
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER journal_entries_dates BEFORE INSERT OR UPDATE OF occurred_at ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER support_plans_dates BEFORE INSERT OR UPDATE OF agreed_on, evaluation_on ON support_plans
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER plan_actions_dates BEFORE INSERT OR UPDATE OF target_on ON plan_actions
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER referrals_dates BEFORE INSERT OR UPDATE OF expected_start ON referrals
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER tasks_dates BEFORE INSERT OR UPDATE OF due_on ON tasks
    FOR EACH ROW WHEN (NEW.case_id IS NOT NULL) EXECUTE FUNCTION check_case_dates();
CREATE TRIGGER case_clocks_dates BEFORE INSERT OR UPDATE OF started_on, paused_on, resumed_on, completed_on,
    stopped_on ON case_clocks
    FOR EACH ROW EXECUTE FUNCTION check_case_dates();
