-- What a grant has spent, kept on the grant by a trigger on its expenses: a pot's page and its
-- balance read ten years of expenses as one number per grant (docs/caching.md).
ALTER TABLE grants ADD COLUMN spent_cents bigint NOT NULL DEFAULT 0 CHECK (spent_cents >= 0);
UPDATE grants g
SET spent_cents = coalesce((SELECT sum(e.amount_cents) FROM grant_expenses e
                            WHERE e.tenant_id = g.tenant_id AND e.grant_id = g.id), 0);

CREATE FUNCTION grant_expenses_add_up() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE grants SET spent_cents = spent_cents + NEW.amount_cents
        WHERE tenant_id = NEW.tenant_id AND id = NEW.grant_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE grants SET spent_cents = spent_cents - OLD.amount_cents
        WHERE tenant_id = OLD.tenant_id AND id = OLD.grant_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER grant_expenses_spent AFTER INSERT OR DELETE OR UPDATE OF amount_cents, grant_id ON grant_expenses
    FOR EACH ROW EXECUTE FUNCTION grant_expenses_add_up();
