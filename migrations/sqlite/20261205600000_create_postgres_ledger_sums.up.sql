-- PostgreSQL's statements read the ledger_sums rollup too (see the PostgreSQL migration of the same
-- id); SQLite has had it since 20261204100000. This migration keeps the two folders' ids in step.
SELECT 1;
