DROP TABLE idempotency_keys;
--bun:split
DROP INDEX creator_accounts_key_idx;
--bun:split
ALTER TABLE creator_accounts DROP COLUMN handle_key;
--bun:split
ALTER TABLE agencies DROP COLUMN version;
--bun:split
ALTER TABLE creator_accounts DROP COLUMN version;
--bun:split
ALTER TABLE creators DROP COLUMN version;
