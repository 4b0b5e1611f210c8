-- A request says which member of the resident's household its question is about (none: the
-- resident), and the consent the desk records with a request is carried into the case's consent
-- ledger when the request goes to the team, instead of being asked again.

ALTER TABLE requests
    ADD COLUMN about_member_id uuid,
    ADD CONSTRAINT requests_about_member_fkey FOREIGN KEY (tenant_id, about_member_id)
        REFERENCES residents (tenant_id, id) ON DELETE SET NULL (about_member_id),
    ADD CONSTRAINT requests_about_someone_else CHECK (about_member_id <> resident_id);

-- A ledger entry shares with one organisation, with whoever offers one service, or (carried
-- from the request) with the social team and every organisation the team refers the resident to.
ALTER TABLE consents
    ADD COLUMN request_id uuid,
    ADD CONSTRAINT consents_request_fkey FOREIGN KEY (tenant_id, request_id) REFERENCES requests (tenant_id, id);

DO $$
DECLARE
    recipient_check text;
BEGIN
    SELECT conname INTO STRICT recipient_check FROM pg_constraint
    WHERE conrelid = 'consents'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%organisation_id IS NULL%service_id IS NULL%';
    EXECUTE format('ALTER TABLE consents DROP CONSTRAINT %I', recipient_check);
END
$$;
ALTER TABLE consents ADD CONSTRAINT consents_one_recipient CHECK (
    CASE WHEN request_id IS NULL THEN (organisation_id IS NULL) <> (service_id IS NULL)
         ELSE organisation_id IS NULL AND service_id IS NULL END);
-- Erasing a resident sets the requests about them to none, found by this index.
CREATE INDEX requests_about_member ON requests (tenant_id, about_member_id) WHERE about_member_id IS NOT NULL;
