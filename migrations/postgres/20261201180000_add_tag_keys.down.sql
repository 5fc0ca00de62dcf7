DROP INDEX creator_tags_key_idx;
--bun:split
DROP INDEX creator_tags_key_key;
--bun:split
ALTER TABLE creator_tags DROP COLUMN tag_key;
