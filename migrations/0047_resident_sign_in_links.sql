-- A one-time sign-in link by e-mail for a resident with an account, when SMTP is configured:
-- only the SHA-256 of the link's random token is stored; valid a quarter of an hour, once.
CREATE TABLE resident_sign_in_links (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    account_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, account_id) REFERENCES resident_accounts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX resident_sign_in_links_account ON resident_sign_in_links (tenant_id, account_id, created_at);
SELECT make_tenant_owned('resident_sign_in_links');
