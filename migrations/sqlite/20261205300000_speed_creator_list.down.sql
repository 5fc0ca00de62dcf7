DROP INDEX creator_accounts_search_idx;
--bun:split
CREATE INDEX creator_accounts_search_idx ON creator_accounts (org_id, handle);
--bun:split
DROP TRIGGER creator_search_times;
--bun:split
DROP TRIGGER creator_search_insert;
--bun:split
CREATE TRIGGER creator_search_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_search_rows (org_id, creator_id) VALUES (NEW.org_id, NEW.id);
    INSERT INTO creator_search (rowid, name_key, email) VALUES (last_insert_rowid(), NEW.name_key, lower(coalesce(NEW.email, '')));
END;
--bun:split
ALTER TABLE creator_search_rows DROP COLUMN deleted_at;
--bun:split
ALTER TABLE creator_search_rows DROP COLUMN created_at;
--bun:split
DROP INDEX creator_accounts_creator_idx;
--bun:split
CREATE INDEX creator_accounts_creator_idx ON creator_accounts (creator_id, org_id);
--bun:split
DROP INDEX creators_gmv_idx;
--bun:split
CREATE INDEX creators_gmv_idx ON creators (org_id, gmv_90d_minor, id);
--bun:split
DROP INDEX creators_followers_idx;
--bun:split
CREATE INDEX creators_followers_idx ON creators (org_id, max_followers, id);
--bun:split
DROP INDEX creators_name_idx;
--bun:split
CREATE INDEX creators_name_idx ON creators (org_id, name_key, id);
--bun:split
DROP INDEX creators_created_idx;
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id);
