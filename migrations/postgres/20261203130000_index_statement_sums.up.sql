-- Statements sum a period's entries joined to their conversions' statuses in one query (ledger.SumsBy).
-- Both indexes make that an index-only join: ledger_entries_statement_idx carries every column the
-- query reads of a period's entries (the ledger is append-only, so its pages stay all-visible and the
-- heap, with its long explanations, is not read); conversions_state_idx carries each conversion's
-- status and approval time next to its key. See internal/bench/statement.go.
CREATE INDEX ledger_entries_statement_idx ON ledger_entries (org_id, period, conversion_id)
    INCLUDE (creator_id, currency, kind, amount_minor, agency_share_minor, gmv_minor, base_amount_minor, base_agency_share_minor);
--bun:split
CREATE INDEX conversions_state_idx ON conversions (org_id, id) INCLUDE (status, approved_at);
