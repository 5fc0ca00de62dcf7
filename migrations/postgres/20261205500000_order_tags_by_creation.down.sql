DROP INDEX creator_tags_key_idx;
--bun:split
CREATE INDEX creator_tags_key_idx ON creator_tags (org_id, tag_key, creator_id);
--bun:split
ALTER TABLE creator_tags DROP COLUMN created_at;
