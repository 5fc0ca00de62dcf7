-- Tags keep the case they were typed in ("Home Decor"); tag_key is the tag in lower case (computed in
-- Go, which lower-cases every script; SQLite's lower() knows ASCII only), so matching and the
-- filter ignore case and still use an index. Tags were stored lower-cased until now: the key of an
-- existing tag is the tag.
ALTER TABLE creator_tags ADD COLUMN tag_key TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE creator_tags SET tag_key = tag;
--bun:split
CREATE UNIQUE INDEX creator_tags_key_key ON creator_tags (creator_id, tag_key);
--bun:split
CREATE INDEX creator_tags_key_idx ON creator_tags (org_id, tag_key, creator_id);
