DROP TRIGGER creator_changes_account_delete ON creator_accounts;
--bun:split
DROP TRIGGER creator_changes_account_update ON creator_accounts;
--bun:split
DROP TRIGGER creator_changes_account_insert ON creator_accounts;
--bun:split
DROP TRIGGER creator_changes_tag_delete ON creator_tags;
--bun:split
DROP TRIGGER creator_changes_tag_update ON creator_tags;
--bun:split
DROP TRIGGER creator_changes_tag_insert ON creator_tags;
--bun:split
DROP TRIGGER creator_changes_creator_delete ON creators;
--bun:split
DROP TRIGGER creator_changes_creator_update ON creators;
--bun:split
DROP TRIGGER creator_changes_creator_insert ON creators;
--bun:split
DROP FUNCTION creator_changes_row();
--bun:split
DROP FUNCTION creator_changes_statement();
--bun:split
DROP TABLE creator_changes;
--bun:split
-- pg_trgm stays: other schemas of the database may use it.
DROP INDEX IF EXISTS creators_email_trgm_idx;
--bun:split
DROP INDEX IF EXISTS creators_name_trgm_idx;
