-- A filtered creator list walks the sort's index and probes each creator's tags and accounts until
-- the page is full: 400 to 1,300 creators for a tag + platform filter that matches a few percent of
-- them. Each step read the creator's row (for deleted_at) and the rows of its accounts (for
-- platform); with these indexes it reads index entries only, and a creator's row just for the few
-- that match (measured on 20,000 creators: 8 ms a walk before, 2 ms after; internal/bench/creators.go,
-- list_filtered). The sort indexes end with deleted_at, so "is it live?" is answered from the index;
-- the accounts' creator index ends with platform, so the platform probe is answered from the index.
-- Both keep their names and their leading columns: every plan that used them still does.
-- (The PostgreSQL side of this migration bounds the GIN pending lists of the search instead.)
DROP INDEX creators_created_idx;
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id, deleted_at);
--bun:split
DROP INDEX creators_name_idx;
--bun:split
CREATE INDEX creators_name_idx ON creators (org_id, name_key, id, deleted_at);
--bun:split
DROP INDEX creators_followers_idx;
--bun:split
CREATE INDEX creators_followers_idx ON creators (org_id, max_followers, id, deleted_at);
--bun:split
DROP INDEX creators_gmv_idx;
--bun:split
CREATE INDEX creators_gmv_idx ON creators (org_id, gmv_90d_minor, id, deleted_at);
--bun:split
DROP INDEX creator_accounts_creator_idx;
--bun:split
CREATE INDEX creator_accounts_creator_idx ON creator_accounts (creator_id, org_id, platform);
--bun:split
-- A search counts every creator it matches, and ordered them by reading each one's row: on 20,000
-- creators, a common three letters (1,300 matches) took 11 ms, most of it looking creators up by
-- their text id. creator_search_rows, one per creator and reached from the search index by integer
-- key, now also holds what the search's first page needs of a creator in the default order (whether
-- it is deleted, when it was created): the search counts and orders its matches without reading
-- creators (3.5 ms). The same triggers keep the copies in step, whoever writes creators.
ALTER TABLE creator_search_rows ADD COLUMN created_at TIMESTAMP;
--bun:split
ALTER TABLE creator_search_rows ADD COLUMN deleted_at TIMESTAMP;
--bun:split
UPDATE creator_search_rows SET (created_at, deleted_at) =
    (SELECT c.created_at, c.deleted_at FROM creators AS c WHERE c.id = creator_search_rows.creator_id);
--bun:split
DROP TRIGGER creator_search_insert;
--bun:split
CREATE TRIGGER creator_search_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_search_rows (org_id, creator_id, created_at, deleted_at) VALUES (NEW.org_id, NEW.id, NEW.created_at, NEW.deleted_at);
    INSERT INTO creator_search (rowid, name_key, email) VALUES (last_insert_rowid(), NEW.name_key, lower(coalesce(NEW.email, '')));
END;
--bun:split
CREATE TRIGGER creator_search_times AFTER UPDATE OF created_at, deleted_at ON creators
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.deleted_at IS NOT NEW.deleted_at BEGIN
    UPDATE creator_search_rows SET created_at = NEW.created_at, deleted_at = NEW.deleted_at WHERE creator_id = NEW.id;
END;
--bun:split
-- The handles a search matches give their creators from the index alone.
DROP INDEX creator_accounts_search_idx;
--bun:split
CREATE INDEX creator_accounts_search_idx ON creator_accounts (org_id, handle, creator_id);
