DROP INDEX creators_created_idx;
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id, deleted_at);
--bun:split
DROP TRIGGER creator_changes_creator_update;
--bun:split
CREATE TRIGGER creator_changes_creator_update AFTER UPDATE ON creators WHEN OLD.gmv_90d_minor IS NEW.gmv_90d_minor BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
DROP TRIGGER creator_handles_delete;
--bun:split
DROP TRIGGER creator_handles_update;
--bun:split
DROP TRIGGER creator_handles_insert;
--bun:split
ALTER TABLE creators DROP COLUMN search_handles;
