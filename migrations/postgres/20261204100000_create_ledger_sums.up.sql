-- SQLite keeps a rollup of the ledger for statements (ledger_sums, kept by triggers; see the SQLite
-- migration of the same id). PostgreSQL sums a period's entries where they lie, with the covering
-- indexes of 20261203130000 (ledger.SumsBy): the same rollup kept by statement-level
-- triggers made PostgreSQL's inserts slow down with every batch under concurrent orders (measured with
-- caravan bench --only ingest: 600 → 40 orders a second over five runs), and its cause was not found
-- in time. This migration keeps the two folders' ids in step.
SELECT 1;
