DROP INDEX conversions_state_idx;
--bun:split
DROP INDEX ledger_entries_statement_idx;
