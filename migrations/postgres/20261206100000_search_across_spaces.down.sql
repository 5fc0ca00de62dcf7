DO $$
DECLARE
    ext_schema text;
BEGIN
    SELECT n.nspname INTO ext_schema FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NOT NULL THEN
        DROP INDEX IF EXISTS creators_name_trgm_idx;
        DROP INDEX IF EXISTS creators_email_trgm_idx;
        EXECUTE format('CREATE INDEX creators_name_trgm_idx ON creators USING gin (name_key %I.gin_trgm_ops) WITH (gin_pending_list_limit = 64)', ext_schema);
        EXECUTE format('CREATE INDEX creators_email_trgm_idx ON creators USING gin (email %I.gin_trgm_ops) WITH (gin_pending_list_limit = 64)', ext_schema);
    END IF;
END
$$;
