-- The desk's one search box finds a resident by any word people type: each word of the name
-- ("de" and "vries" of "Jan de Vries", "celik" of "Müller-Çelik"), the street with or without
-- house number, and the postcode's four digits or whole. Each word of a resident is a row here,
-- lower case without accents, so that a typed word is a prefix range of one index, read in the
-- list's order. Maintained by a trigger on residents; nothing else writes it.

-- The words of a value as the search compares them: lower case, without accents, split at
-- spaces and punctuation (hyphens of double surnames, apostrophes, dots of initials).
CREATE FUNCTION search_words(value text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT array_remove(regexp_split_to_array(search_text(value), '[[:space:][:punct:]]+'), '') $$;

CREATE TABLE resident_search_terms (
    tenant_id   uuid NOT NULL,
    resident_id uuid NOT NULL,
    -- 1: a word of the surname, listed first; 2: any other word (first names, the surname's
    -- prefix, street, house number, street with house number, postcode).
    tier        smallint NOT NULL CHECK (tier IN (1, 2)),
    term        text COLLATE "C" NOT NULL,
    -- The list's order within one word, copied from the resident.
    surname     text COLLATE "C" NOT NULL,
    first_names text COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, resident_id, tier, term),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT resident_search_terms_term_length CHECK (char_length(term) <= 1000),
    CONSTRAINT resident_search_terms_surname_length CHECK (char_length(surname) <= 1000),
    CONSTRAINT resident_search_terms_first_names_length CHECK (char_length(first_names) <= 1000)
);
CREATE INDEX resident_search_terms_order
    ON resident_search_terms (tenant_id, tier, term, surname, first_names, resident_id);
SELECT make_tenant_owned('resident_search_terms');

-- The street's last word with the house number, as one word ("dorpsstraat12", "dorpsstraat12a"):
-- "Dorpsstraat 12" is then one range of the index, where a common street and a common number
-- each on their own would be thousands of residents.
CREATE FUNCTION street_with_number(street text, house_number text, addition text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    SELECT CASE WHEN cardinality(w) = 0 OR house_number = '' THEN '{}'::text[]
                ELSE ARRAY[w[cardinality(w)] || search_text(house_number),
                           w[cardinality(w)] || search_text(house_number || addition)] END
    FROM (SELECT search_words(street) AS w) s
    $$;

-- A resident's search words with their tier.
CREATE FUNCTION resident_search_terms_of(r residents) RETURNS TABLE (tier smallint, term text)
    LANGUAGE sql STABLE
    AS $$
    SELECT DISTINCT w.tier::smallint, w.term
    FROM (SELECT 1 AS tier, unnest(search_words(r.surname)) AS term
          UNION ALL
          SELECT 2, unnest(search_words(r.first_names) || search_words(r.surname_prefix)
                           || search_words(r.street) || search_words(r.house_number)
                           || search_words(r.house_number || r.house_number_addition)
                           || street_with_number(r.street, r.house_number, r.house_number_addition)
                           || CASE WHEN r.postcode IS NULL THEN '{}'::text[]
                                   ELSE ARRAY[left(r.postcode, 4), search_text(replace(r.postcode, ' ', ''))]
                              END)) w
    $$;

CREATE FUNCTION residents_refresh_search_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM resident_search_terms WHERE tenant_id = OLD.tenant_id AND resident_id = OLD.id;
    END IF;
    INSERT INTO resident_search_terms (tenant_id, resident_id, tier, term, surname, first_names)
    SELECT NEW.tenant_id, NEW.id, t.tier, t.term, NEW.search_surname, NEW.search_first_names
    FROM resident_search_terms_of(NEW) t;
    RETURN NULL;
END
$$;
CREATE TRIGGER residents_search_terms AFTER INSERT OR UPDATE OF first_names, surname_prefix, surname, street,
    house_number, house_number_addition, postcode ON residents
    FOR EACH ROW EXECUTE FUNCTION residents_refresh_search_terms();

-- The residents registered so far; row-level security is forced on both tables, which would
-- hide other cooperatives' rows from a schema owner that is not superuser.
ALTER TABLE residents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE resident_search_terms NO FORCE ROW LEVEL SECURITY;
INSERT INTO resident_search_terms (tenant_id, resident_id, tier, term, surname, first_names)
SELECT r.tenant_id, r.id, t.tier, t.term, r.search_surname, r.search_first_names
FROM residents r CROSS JOIN LATERAL resident_search_terms_of(r) t;
ALTER TABLE residents FORCE ROW LEVEL SECURITY;
ALTER TABLE resident_search_terms FORCE ROW LEVEL SECURITY;
