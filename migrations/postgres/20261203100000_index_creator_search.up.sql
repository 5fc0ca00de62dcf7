-- The creator list at 100,000 creators: indexes for the name and e-mail search, and a change counter
-- that lets the list reuse a total it has already counted.
--
-- The search ("q is a substring of the name or the e-mail", LIKE '%q%') uses trigram GIN indexes
-- (pg_trgm) instead of reading every creator of the organization. pg_trgm ships with PostgreSQL and is
-- a trusted extension (PostgreSQL 13+): the database's owner may create it. It goes into the public
-- schema when there is one, so that it outlives any one schema (each test and benchmark works in a
-- schema of its own and drops it after); an extension already there, or created meanwhile by a
-- concurrent migration, is used as it is. Without the right to create it the indexes are left out:
-- the search still answers the same, by reading every creator.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'public') AND has_schema_privilege('public', 'CREATE') THEN
            CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
        ELSE
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
        END IF;
    END IF;
EXCEPTION
    WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE WARNING 'pg_trgm is not available (%): the creator search will read every creator', SQLERRM;
    WHEN unique_violation OR duplicate_object THEN
        NULL; -- created by a concurrent migration
END
$$;
--bun:split
-- The operator class is named with the extension's schema, which need not be on the search path.
DO $$
DECLARE
    ext_schema text;
BEGIN
    SELECT n.nspname INTO ext_schema FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX creators_name_trgm_idx ON creators USING gin (name_key %I.gin_trgm_ops)', ext_schema);
        EXECUTE format('CREATE INDEX creators_email_trgm_idx ON creators USING gin (email %I.gin_trgm_ops)', ext_schema);
    END IF;
END
$$;
--bun:split
-- creator_changes counts, per organization, the changes to what the creator list filters on: its
-- creators, their tags and their accounts. The list caches a filter's total with the count it was
-- taken at and counts again once the count has moved, so a total is never stale, on any replica.
-- Inserts and deletes move it once per statement (an import inserts creators by the hundred); an
-- update of a creator once per row, except the GMV refresh, which changes only a sort key.
CREATE TABLE creator_changes (
    org_id TEXT PRIMARY KEY REFERENCES organizations (id),
    seq    BIGINT NOT NULL
);
--bun:split
CREATE FUNCTION creator_changes_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO creator_changes (org_id, seq) SELECT DISTINCT org_id, 1 FROM changed
        ON CONFLICT (org_id) DO UPDATE SET seq = creator_changes.seq + 1;
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION creator_changes_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET seq = creator_changes.seq + 1;
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER creator_changes_creator_insert AFTER INSERT ON creators
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_creator_update AFTER UPDATE ON creators
    FOR EACH ROW WHEN (OLD.gmv_90d_minor IS NOT DISTINCT FROM NEW.gmv_90d_minor) EXECUTE FUNCTION creator_changes_row();
--bun:split
CREATE TRIGGER creator_changes_creator_delete AFTER DELETE ON creators
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_tag_insert AFTER INSERT ON creator_tags
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_tag_update AFTER UPDATE ON creator_tags
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_tag_delete AFTER DELETE ON creator_tags
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_account_insert AFTER INSERT ON creator_accounts
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_account_update AFTER UPDATE ON creator_accounts
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
--bun:split
CREATE TRIGGER creator_changes_account_delete AFTER DELETE ON creator_accounts
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION creator_changes_statement();
