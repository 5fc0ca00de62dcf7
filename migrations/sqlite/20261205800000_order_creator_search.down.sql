-- The index of names and e-mails numbered as creators are written (the rows keep their numbers), the
-- handles in the creators' search_handles, and the default order's index carrying them for the walk.
ALTER TABLE creators ADD COLUMN search_handles TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE creators SET search_handles = coalesce((SELECT group_concat(char(31) || a.handle, '') FROM creator_accounts AS a
    WHERE a.creator_id = creators.id), '');
--bun:split
CREATE TRIGGER creator_handles_insert AFTER INSERT ON creator_accounts BEGIN
    UPDATE creators SET search_handles = search_handles || char(31) || NEW.handle WHERE id = NEW.creator_id;
END;
--bun:split
CREATE TRIGGER creator_handles_update AFTER UPDATE OF handle, creator_id ON creator_accounts
WHEN OLD.handle IS NOT NEW.handle OR OLD.creator_id IS NOT NEW.creator_id BEGIN
    UPDATE creators SET search_handles = coalesce((SELECT group_concat(char(31) || a.handle, '') FROM creator_accounts AS a
        WHERE a.creator_id = creators.id), '') WHERE id IN (OLD.creator_id, NEW.creator_id);
END;
--bun:split
CREATE TRIGGER creator_handles_delete AFTER DELETE ON creator_accounts BEGIN
    UPDATE creators SET search_handles = coalesce((SELECT group_concat(char(31) || a.handle, '') FROM creator_accounts AS a
        WHERE a.creator_id = creators.id), '') WHERE id = OLD.creator_id;
END;
--bun:split
DROP TRIGGER creator_changes_creator_update;
--bun:split
CREATE TRIGGER creator_changes_creator_update AFTER UPDATE ON creators
WHEN OLD.gmv_90d_minor IS NEW.gmv_90d_minor AND OLD.search_handles IS NEW.search_handles BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
DROP INDEX creators_created_idx;
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id, deleted_at, name_key, email, search_handles);
--bun:split
DROP TRIGGER creator_handle_rows_delete;
--bun:split
DROP TRIGGER creator_handle_rows_update;
--bun:split
DROP TRIGGER creator_handle_rows_insert;
--bun:split
DROP TABLE creator_handle_rows;
--bun:split
DROP TRIGGER creator_search_moved;
--bun:split
DROP TRIGGER creator_search_insert;
--bun:split
CREATE TRIGGER creator_search_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_search_rows (org_id, creator_id, created_at, deleted_at) VALUES (NEW.org_id, NEW.id, NEW.created_at, NEW.deleted_at);
    INSERT INTO creator_search (rowid, name_key, email) VALUES (last_insert_rowid(), NEW.name_key, lower(coalesce(NEW.email, '')));
END;
--bun:split
DROP TRIGGER creator_search_times;
--bun:split
CREATE TRIGGER creator_search_times AFTER UPDATE OF created_at, deleted_at ON creators
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.deleted_at IS NOT NEW.deleted_at BEGIN
    UPDATE creator_search_rows SET created_at = NEW.created_at, deleted_at = NEW.deleted_at WHERE creator_id = NEW.id;
END;
