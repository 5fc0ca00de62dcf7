-- Statements read a rollup instead of summing a period's entries (ledger.SumsBy): ledger_sums holds,
-- per organization, period, creator and currency, the sums a statement line is made of (API.md,
-- "Statements"). payable_minor, pending_minor, base_payable_minor and base_missing depend on the state
-- of each entry's conversion, as conversion.StateExpr says (payable once approved, pending while
-- pending; adjustments always payable): net is amount − agency share, base net the same in the base
-- currency over the entries that have a base amount, base_missing counts the payable entries without.
-- Triggers keep the rollup in the writing transactions, whatever path writes: a new entry adds to its
-- row; a conversion whose state changes moves its entries' figures between the state columns of their
-- rows. The property test in internal/payout holds it to the entries read one by one, and the
-- migration back-fills it from the entries already written.
CREATE TABLE ledger_sums (
    org_id             TEXT NOT NULL,
    period             TEXT NOT NULL,
    creator_id         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    entries            INTEGER NOT NULL,
    conversions        INTEGER NOT NULL,
    gmv_minor          INTEGER NOT NULL,
    commission_minor   INTEGER NOT NULL,
    reversal_minor     INTEGER NOT NULL,
    adjustment_minor   INTEGER NOT NULL,
    agency_share_minor INTEGER NOT NULL,
    payable_minor      INTEGER NOT NULL,
    pending_minor      INTEGER NOT NULL,
    base_payable_minor INTEGER NOT NULL,
    base_missing       INTEGER NOT NULL,
    PRIMARY KEY (org_id, period, creator_id, currency)
) WITHOUT ROWID;
--bun:split
CREATE TRIGGER ledger_sums_on_entry AFTER INSERT ON ledger_entries
BEGIN
    INSERT INTO ledger_sums (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
    SELECT NEW.org_id, NEW.period, NEW.creator_id, NEW.currency,
        1,
        CASE WHEN NEW.kind = 'commission' THEN 1 ELSE 0 END,
        CASE WHEN NEW.kind = 'commission' THEN NEW.gmv_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'commission' THEN NEW.amount_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'reversal' THEN NEW.amount_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'adjustment' THEN NEW.amount_minor ELSE 0 END,
        NEW.agency_share_minor,
        CASE WHEN e.st = 1 THEN NEW.amount_minor - NEW.agency_share_minor ELSE 0 END,
        CASE WHEN e.st = 2 THEN NEW.amount_minor - NEW.agency_share_minor ELSE 0 END,
        CASE WHEN e.st = 1 THEN COALESCE(NEW.base_amount_minor - COALESCE(NEW.base_agency_share_minor, 0), 0) ELSE 0 END,
        CASE WHEN e.st = 1 AND NEW.base_amount_minor IS NULL THEN 1 ELSE 0 END
    FROM (SELECT CASE WHEN NEW.kind = 'adjustment' THEN 1 ELSE COALESCE((SELECT (CASE WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END) FROM conversions AS cv WHERE cv.org_id = NEW.org_id AND cv.id = NEW.conversion_id), 0) END AS st) AS e
    WHERE TRUE
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        entries = entries + excluded.entries, conversions = conversions + excluded.conversions,
        gmv_minor = gmv_minor + excluded.gmv_minor, commission_minor = commission_minor + excluded.commission_minor,
        reversal_minor = reversal_minor + excluded.reversal_minor, adjustment_minor = adjustment_minor + excluded.adjustment_minor,
        agency_share_minor = agency_share_minor + excluded.agency_share_minor, payable_minor = payable_minor + excluded.payable_minor,
        pending_minor = pending_minor + excluded.pending_minor, base_payable_minor = base_payable_minor + excluded.base_payable_minor,
        base_missing = base_missing + excluded.base_missing;
END;
--bun:split
-- A conversion's state change moves its entries' figures (adjustments excepted: always payable)
-- between the state columns: dp is +1 when they become payable and -1 when they stop being payable,
-- dq the same for pending.
CREATE TRIGGER ledger_sums_on_state AFTER UPDATE OF status, approved_at ON conversions
WHEN (CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END) <> (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END)
BEGIN
    INSERT INTO ledger_sums (org_id, period, creator_id, currency, entries, conversions, gmv_minor, commission_minor, reversal_minor, adjustment_minor, agency_share_minor, payable_minor, pending_minor, base_payable_minor, base_missing)
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
    FROM ledger_entries AS le,
        (SELECT (CASE WHEN (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END) = 1 THEN 1 ELSE 0 END) - (CASE WHEN (CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END) = 1 THEN 1 ELSE 0 END) AS dp,
                (CASE WHEN (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END) = 2 THEN 1 ELSE 0 END) - (CASE WHEN (CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END) = 2 THEN 1 ELSE 0 END) AS dq) AS mv
    WHERE le.org_id = NEW.org_id AND le.conversion_id = NEW.id AND le.kind <> 'adjustment'
    GROUP BY le.org_id, le.period, le.creator_id, le.currency
    ON CONFLICT (org_id, period, creator_id, currency) DO UPDATE SET
        entries = entries + excluded.entries, conversions = conversions + excluded.conversions,
        gmv_minor = gmv_minor + excluded.gmv_minor, commission_minor = commission_minor + excluded.commission_minor,
        reversal_minor = reversal_minor + excluded.reversal_minor, adjustment_minor = adjustment_minor + excluded.adjustment_minor,
        agency_share_minor = agency_share_minor + excluded.agency_share_minor, payable_minor = payable_minor + excluded.payable_minor,
        pending_minor = pending_minor + excluded.pending_minor, base_payable_minor = base_payable_minor + excluded.base_payable_minor,
        base_missing = base_missing + excluded.base_missing;
END;
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
