-- PostgreSQL's statements read the ledger_sums rollup too (ledger.SumsBy), as SQLite's have since
-- 20261204100000 (its comment says what the rollup holds and why). Here both triggers run once per
-- statement over its transition table, so a batch of a thousand orders is one grouped upsert, in key
-- order (two writers lock rows in the same order).
-- 20261204100000 left PostgreSQL out because its inserts slowed down run after run. The cause was the
-- entry trigger's join to conversions on (org_id, id): on tables without statistics (autovacuum off,
-- or a new database before its first analyse) the planner cached a plan that found the conversions
-- by org_id alone, through another index or a scan of the table, for every entry or every statement.
-- Each entry's conversion is now a subquery on the primary key alone (ids are unique across
-- organizations), which reads that one row whatever the statistics say;
-- TestLedgerSumsTriggerReadsNoConversionsButTheEntrysOwn holds it.
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
CREATE FUNCTION ledger_sums_on_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
    FROM (SELECT n.*, CASE WHEN n.kind = 'adjustment' THEN 1 ELSE COALESCE((SELECT CASE WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END
                                                                        FROM conversions AS cv WHERE cv.id = n.conversion_id), 0) END AS st
          FROM new_entries AS n) AS e
    GROUP BY e.org_id, e.period, e.creator_id, e.currency
    ORDER BY e.org_id, e.period, e.creator_id, e.currency
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        entries = s.entries + EXCLUDED.entries, conversions = s.conversions + EXCLUDED.conversions,
        gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor, commission_minor = s.commission_minor + EXCLUDED.commission_minor,
        reversal_minor = s.reversal_minor + EXCLUDED.reversal_minor, adjustment_minor = s.adjustment_minor + EXCLUDED.adjustment_minor,
        agency_share_minor = s.agency_share_minor + EXCLUDED.agency_share_minor, payable_minor = s.payable_minor + EXCLUDED.payable_minor,
        pending_minor = s.pending_minor + EXCLUDED.pending_minor, base_payable_minor = s.base_payable_minor + EXCLUDED.base_payable_minor,
        base_missing = s.base_missing + EXCLUDED.base_missing;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER ledger_sums_on_entry AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_sums_on_entry();
--bun:split
-- A conversion's state change moves its entries' figures (adjustments excepted: always payable)
-- between the state columns: dp is +1 when they become payable and -1 when they stop being payable,
-- dq the same for pending.
CREATE FUNCTION ledger_sums_on_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_sums AS s (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
    SELECT le.org_id, le.period, le.creator_id, le.currency,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        SUM(mv.dp * (le.amount_minor - le.agency_share_minor)),
        SUM(mv.dq * (le.amount_minor - le.agency_share_minor)),
        SUM(mv.dp * COALESCE(le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0), 0)),
        SUM(mv.dp * CASE WHEN le.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT n.org_id, n.id,
              (CASE WHEN (CASE WHEN n.approved_at IS NOT NULL THEN 1 WHEN n.status = 'pending' THEN 2 ELSE 0 END) = 1 THEN 1 ELSE 0 END) - (CASE WHEN (CASE WHEN o.approved_at IS NOT NULL THEN 1 WHEN o.status = 'pending' THEN 2 ELSE 0 END) = 1 THEN 1 ELSE 0 END) AS dp,
              (CASE WHEN (CASE WHEN n.approved_at IS NOT NULL THEN 1 WHEN n.status = 'pending' THEN 2 ELSE 0 END) = 2 THEN 1 ELSE 0 END) - (CASE WHEN (CASE WHEN o.approved_at IS NOT NULL THEN 1 WHEN o.status = 'pending' THEN 2 ELSE 0 END) = 2 THEN 1 ELSE 0 END) AS dq
          FROM old_conversions AS o JOIN new_conversions AS n ON n.id = o.id
          WHERE (CASE WHEN o.approved_at IS NOT NULL THEN 1 WHEN o.status = 'pending' THEN 2 ELSE 0 END) <> (CASE WHEN n.approved_at IS NOT NULL THEN 1 WHEN n.status = 'pending' THEN 2 ELSE 0 END)) AS mv
    JOIN ledger_entries AS le ON le.org_id = mv.org_id AND le.conversion_id = mv.id AND le.kind <> 'adjustment'
    GROUP BY le.org_id, le.period, le.creator_id, le.currency
    ORDER BY le.org_id, le.period, le.creator_id, le.currency
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        entries = s.entries + EXCLUDED.entries, conversions = s.conversions + EXCLUDED.conversions,
        gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor, commission_minor = s.commission_minor + EXCLUDED.commission_minor,
        reversal_minor = s.reversal_minor + EXCLUDED.reversal_minor, adjustment_minor = s.adjustment_minor + EXCLUDED.adjustment_minor,
        agency_share_minor = s.agency_share_minor + EXCLUDED.agency_share_minor, payable_minor = s.payable_minor + EXCLUDED.payable_minor,
        pending_minor = s.pending_minor + EXCLUDED.pending_minor, base_payable_minor = s.base_payable_minor + EXCLUDED.base_payable_minor,
        base_missing = s.base_missing + EXCLUDED.base_missing;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER ledger_sums_on_state AFTER UPDATE ON conversions
    REFERENCING OLD TABLE AS old_conversions NEW TABLE AS new_conversions FOR EACH STATEMENT EXECUTE FUNCTION ledger_sums_on_state();
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
FROM (SELECT le.*, CASE WHEN le.kind = 'adjustment' THEN 1 ELSE (CASE WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END) END AS st
      FROM ledger_entries AS le LEFT JOIN conversions AS cv ON cv.org_id = le.org_id AND cv.id = le.conversion_id) AS e
GROUP BY e.org_id, e.period, e.creator_id, e.currency;
--bun:split
-- The covering indexes of the summing query (20261203130000) served only statements; they cost every
-- entry and conversion written.
DROP INDEX ledger_entries_statement_idx;
--bun:split
DROP INDEX conversions_state_idx;
