-- The ledger_sums rollup of PostgreSQL (see that folder); SQLite has had it since 20261204100000.
SELECT 1;
