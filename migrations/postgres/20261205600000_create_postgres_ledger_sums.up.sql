-- PostgreSQL's statements read the ledger_sums rollup too (ledger.SumsBy), as SQLite's have since
-- 20261204100000 (its SQLite side says what the rollup holds). New entries add to their rows once per
-- statement, over its transition table: a batch of a thousand orders is one grouped upsert, in key
-- order (two writers lock the rows they share in the same order). A conversion whose state changes
-- moves its entries' figures, row by row.
--
-- The first try (2026-12-02, taken out again) slowed every insert down, run after run. The cause:
-- PL/pgSQL plans a function's static SQL once per connection, at its first call, and keeps the plan.
-- Planned while conversions was empty (a new database; its statistics say so until the next
-- analyse, and autovacuum may be off), the lookup of each entry's conversion was a sequential scan, or
-- a scan of the organization's conversions through another index, and it stayed one as the table
-- grew. With empty statistics every path costs the same, so no rewriting of the static SQL (nor
-- turning sequential scans off) pins the right one. Both functions here run their statement through
-- EXECUTE, which plans it at every call against the tables as they are then: 0.23 ms a statement on
-- the bench's VM (psql, 2,000 single-entry INSERTs: 0.27 ms each with this trigger, 0.04 without).
-- TestLedgerSumsTriggersReadByIndexAsTheTablesGrow holds it.
CREATE TABLE ledger_sums (
    org_id             TEXT NOT NULL,
    period             TEXT NOT NULL,
    creator_id         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    entries            BIGINT NOT NULL,
    conversions        BIGINT NOT NULL,
    gmv_minor          BIGINT NOT NULL,
    commission_minor   BIGINT NOT NULL,
    reversal_minor     BIGINT NOT NULL,
    adjustment_minor   BIGINT NOT NULL,
    agency_share_minor BIGINT NOT NULL,
    payable_minor      BIGINT NOT NULL,
    pending_minor      BIGINT NOT NULL,
    base_payable_minor BIGINT NOT NULL,
    base_missing       BIGINT NOT NULL,
    PRIMARY KEY (org_id, period, creator_id, currency)
);
--bun:split
-- New entries add to their rows. Each entry's state (conversion.StateExpr: 1 payable, 2 pending,
-- 0 neither; an adjustment is always payable) is read once, by a join to its conversion.
CREATE FUNCTION ledger_sums_on_entry() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE $sql$
    INSERT INTO ledger_sums AS s (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
    SELECT e.org_id, e.period, e.creator_id, e.currency,
        COUNT(*),
        SUM(CASE WHEN e.kind = 'commission' THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'commission' THEN e.gmv_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'commission' THEN e.amount_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'reversal' THEN e.amount_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'adjustment' THEN e.amount_minor ELSE 0 END),
        SUM(e.agency_share_minor),
        SUM(CASE WHEN e.st = 1 THEN e.amount_minor - e.agency_share_minor ELSE 0 END),
        SUM(CASE WHEN e.st = 2 THEN e.amount_minor - e.agency_share_minor ELSE 0 END),
        SUM(CASE WHEN e.st = 1 THEN COALESCE(e.base_amount_minor - COALESCE(e.base_agency_share_minor, 0), 0) ELSE 0 END),
        SUM(CASE WHEN e.st = 1 AND e.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT n.org_id, n.period, n.creator_id, n.currency, n.kind, n.amount_minor, n.gmv_minor, n.agency_share_minor, n.base_amount_minor, n.base_agency_share_minor,
              CASE WHEN n.kind = 'adjustment' THEN 1 WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END AS st
          FROM new_entries AS n LEFT JOIN conversions AS cv ON cv.org_id = n.org_id AND cv.id = n.conversion_id) AS e
    GROUP BY e.org_id, e.period, e.creator_id, e.currency
    ORDER BY e.org_id, e.period, e.creator_id, e.currency
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        entries = s.entries + EXCLUDED.entries, conversions = s.conversions + EXCLUDED.conversions,
        gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor, commission_minor = s.commission_minor + EXCLUDED.commission_minor,
        reversal_minor = s.reversal_minor + EXCLUDED.reversal_minor, adjustment_minor = s.adjustment_minor + EXCLUDED.adjustment_minor,
        agency_share_minor = s.agency_share_minor + EXCLUDED.agency_share_minor, payable_minor = s.payable_minor + EXCLUDED.payable_minor,
        pending_minor = s.pending_minor + EXCLUDED.pending_minor, base_payable_minor = s.base_payable_minor + EXCLUDED.base_payable_minor,
        base_missing = s.base_missing + EXCLUDED.base_missing
    $sql$;
    RETURN NULL;
END;
$fn$;
--bun:split
CREATE TRIGGER ledger_sums_on_entry AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_sums_on_entry();
--bun:split
-- A conversion whose state changes moves its entries' figures (adjustments excepted: always payable)
-- between the state columns: dp is +1 when they become payable and -1 when they stop being payable,
-- dq the same for pending. Row by row, for the rows whose state changed (the trigger's WHEN): an
-- update that changes no state (paying an approved conversion, an attribution) costs nothing.
CREATE FUNCTION ledger_sums_on_state() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    dp bigint := (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 ELSE 0 END) - (CASE WHEN OLD.approved_at IS NOT NULL THEN 1 ELSE 0 END);
    dq bigint := (CASE WHEN NEW.approved_at IS NULL AND NEW.status = 'pending' THEN 1 ELSE 0 END) - (CASE WHEN OLD.approved_at IS NULL AND OLD.status = 'pending' THEN 1 ELSE 0 END);
BEGIN
    EXECUTE $sql$
    INSERT INTO ledger_sums AS s (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
    SELECT le.org_id, le.period, le.creator_id, le.currency,
        0, 0, 0, 0, 0, 0, 0,
        SUM($1 * (le.amount_minor - le.agency_share_minor)),
        SUM($2 * (le.amount_minor - le.agency_share_minor)),
        SUM($1 * COALESCE(le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0), 0)),
        SUM($1 * CASE WHEN le.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM ledger_entries AS le
    WHERE le.org_id = $3 AND le.conversion_id = $4 AND le.kind <> 'adjustment'
    GROUP BY le.org_id, le.period, le.creator_id, le.currency
    ORDER BY le.org_id, le.period, le.creator_id, le.currency
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        payable_minor = s.payable_minor + EXCLUDED.payable_minor, pending_minor = s.pending_minor + EXCLUDED.pending_minor,
        base_payable_minor = s.base_payable_minor + EXCLUDED.base_payable_minor, base_missing = s.base_missing + EXCLUDED.base_missing
    $sql$ USING dp, dq, NEW.org_id, NEW.id;
    RETURN NULL;
END;
$fn$;
--bun:split
CREATE TRIGGER ledger_sums_on_state AFTER UPDATE OF status, approved_at ON conversions FOR EACH ROW
    WHEN ((CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END) <> (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END))
    EXECUTE FUNCTION ledger_sums_on_state();
--bun:split
-- The entries written before this migration.
INSERT INTO ledger_sums (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
SELECT e.org_id, e.period, e.creator_id, e.currency,
    COUNT(*),
    SUM(CASE WHEN e.kind = 'commission' THEN 1 ELSE 0 END),
    SUM(CASE WHEN e.kind = 'commission' THEN e.gmv_minor ELSE 0 END),
    SUM(CASE WHEN e.kind = 'commission' THEN e.amount_minor ELSE 0 END),
    SUM(CASE WHEN e.kind = 'reversal' THEN e.amount_minor ELSE 0 END),
    SUM(CASE WHEN e.kind = 'adjustment' THEN e.amount_minor ELSE 0 END),
    SUM(e.agency_share_minor),
    SUM(CASE WHEN e.st = 1 THEN e.amount_minor - e.agency_share_minor ELSE 0 END),
    SUM(CASE WHEN e.st = 2 THEN e.amount_minor - e.agency_share_minor ELSE 0 END),
    SUM(CASE WHEN e.st = 1 THEN COALESCE(e.base_amount_minor - COALESCE(e.base_agency_share_minor, 0), 0) ELSE 0 END),
    SUM(CASE WHEN e.st = 1 AND e.base_amount_minor IS NULL THEN 1 ELSE 0 END)
FROM (SELECT le.*, CASE WHEN le.kind = 'adjustment' THEN 1 WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END AS st
      FROM ledger_entries AS le LEFT JOIN conversions AS cv ON cv.org_id = le.org_id AND cv.id = le.conversion_id) AS e
GROUP BY e.org_id, e.period, e.creator_id, e.currency;
--bun:split
-- The covering index of a period's entries (20261203130000) served only the summing of a period,
-- which the rollup now answers; it costs every entry written. conversions_state_idx stays: the entry
-- trigger reads each conversion's state through it, and without it PostgreSQL planned the foreign-key
-- checks of new items and entries on small statistics through conversions_campaign_idx, by the
-- organization alone (caravan bench --quick --only ingest, its first run: 25 million index rows read
-- for 12,000 checks, batches 1,951 orders/s against 8,309 with the index).
DROP INDEX ledger_entries_statement_idx;
