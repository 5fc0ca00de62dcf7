DROP TRIGGER creator_changes_account_delete;
--bun:split
DROP TRIGGER creator_changes_account_update;
--bun:split
DROP TRIGGER creator_changes_account_insert;
--bun:split
DROP TRIGGER creator_changes_tag_delete;
--bun:split
DROP TRIGGER creator_changes_tag_update;
--bun:split
DROP TRIGGER creator_changes_tag_insert;
--bun:split
DROP TRIGGER creator_changes_creator_delete;
--bun:split
DROP TRIGGER creator_changes_creator_update;
--bun:split
DROP TRIGGER creator_changes_creator_insert;
--bun:split
DROP TABLE creator_changes;
--bun:split
DROP TRIGGER creator_search_delete;
--bun:split
DROP TRIGGER creator_search_update;
--bun:split
DROP TRIGGER creator_search_insert;
--bun:split
DROP TABLE creator_search;
--bun:split
DROP TABLE creator_search_rows;
