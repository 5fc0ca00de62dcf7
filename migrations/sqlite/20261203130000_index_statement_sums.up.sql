-- Statements sum a period's entries joined to their conversions' statuses in one query (ledger.SumsBy).
-- ledger_entries_statement_idx holds every column that query reads, so a period is one range of one
-- index and the table (with its long explanations) is never read; it runs in conversion order, so the
-- conversions are looked up in the order of their keys (each index page read once, not at random).
-- conversions_state_idx answers each lookup with the status and approval time, without a second
-- search of the table. Measured on 49k entries of one month: about a quarter less CPU than with the
-- existing indexes; see internal/bench/statement.go.
CREATE INDEX ledger_entries_statement_idx ON ledger_entries (org_id, period, conversion_id, creator_id, currency, kind,
    amount_minor, agency_share_minor, gmv_minor, base_amount_minor, base_agency_share_minor);
--bun:split
CREATE INDEX conversions_state_idx ON conversions (org_id, id, status, approved_at);
