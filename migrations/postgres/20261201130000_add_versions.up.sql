-- Optimistic concurrency: every updatable resource carries a version, its ETag; a write naming a
-- stale version in If-Match is refused (412).
ALTER TABLE creators ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
--bun:split
ALTER TABLE creator_accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
--bun:split
ALTER TABLE agencies ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
--bun:split
-- The handle's confusable skeleton (Unicode TR39), computed by the creator package: two handles of a
-- platform with one skeleton look the same to people, so the second is refused. '' until the
-- creator package fills it in at start-up.
ALTER TABLE creator_accounts ADD COLUMN handle_key TEXT NOT NULL DEFAULT '';
--bun:split
CREATE INDEX creator_accounts_key_idx ON creator_accounts (org_id, platform, handle_key);
--bun:split
-- Idempotency keys of creating POSTs: the same key and body within 24 hours answer the stored
-- response; the row is written in the transaction that creates the resource, so a rolled-back
-- request leaves no key behind and a committed one always has it.
CREATE TABLE idempotency_keys (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    key         TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    status      INTEGER,
    response    TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, key)
);
--bun:split
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
