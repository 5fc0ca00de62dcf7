DROP TABLE click_days;
--bun:split
ALTER TABLE creators DROP COLUMN erased_at;
