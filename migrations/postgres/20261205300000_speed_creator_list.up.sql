-- The name and e-mail search reads the pg_trgm GIN indexes. GIN gathers new entries in a pending list
-- that every search reads from end to end, and that only VACUUM, autoanalyze or an overflow of
-- gin_pending_list_limit (4 MB by default) moves into the index proper: after a bulk load, or on a
-- server without autovacuum, a search read 130 + 300 pages of pending entries (20,000 creators:
-- 5.7 ms for a two-word Japanese name that takes 0.2 ms once they are merged; internal/bench/creators.go,
-- list_search_name). The smallest limit (64 kB) keeps the batching of inserts and bounds what a search
-- reads. (The SQLite side of this migration adds covering indexes for the filtered list's walk; here
-- an index-only scan needs a vacuumed table, so the walk's indexes stay as they are.)
ALTER INDEX IF EXISTS creators_name_trgm_idx SET (gin_pending_list_limit = 64);
--bun:split
ALTER INDEX IF EXISTS creators_email_trgm_idx SET (gin_pending_list_limit = 64);
--bun:split
SELECT gin_clean_pending_list(i) FROM (VALUES (to_regclass('creators_name_trgm_idx')), (to_regclass('creators_email_trgm_idx'))) AS t (i)
    WHERE i IS NOT NULL;
