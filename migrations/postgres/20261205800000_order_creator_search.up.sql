-- SQLite's search index numbers its rows in creation order (see the SQLite migration of the same
-- id); PostgreSQL has no such index. This migration keeps the two folders' ids in step.
SELECT 1;
