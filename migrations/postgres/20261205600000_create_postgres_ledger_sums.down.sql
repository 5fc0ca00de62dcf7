CREATE INDEX ledger_entries_statement_idx ON ledger_entries (org_id, period, conversion_id)
    INCLUDE (creator_id, currency, kind, amount_minor, agency_share_minor, gmv_minor, base_amount_minor, base_agency_share_minor);
--bun:split
DROP TRIGGER ledger_sums_on_state ON conversions;
--bun:split
DROP FUNCTION ledger_sums_on_state();
--bun:split
DROP TRIGGER ledger_sums_on_entry ON ledger_entries;
--bun:split
DROP FUNCTION ledger_sums_on_entry();
--bun:split
DROP TABLE ledger_sums;
