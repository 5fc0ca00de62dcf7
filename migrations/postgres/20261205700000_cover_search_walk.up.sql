-- SQLite's creators gain search_handles, kept by triggers on creator_accounts, for the walk of a
-- search (see the SQLite migration of the same id). PostgreSQL's walk reads the handles' set
-- instead: copying every account's handle to its creator's row would write that row again for
-- every account added, a dead row version each until a vacuum. This migration keeps the two
-- folders' ids in step.
SELECT 1;
