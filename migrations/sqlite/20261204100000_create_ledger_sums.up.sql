-- Statements read a rollup instead of summing a period's entries (ledger.SumsBy): ledger_sums holds,
-- per organization, period, creator, currency and state, the sums a statement line is made of. state
-- is that of the entry's conversion as conversion.StateExpr says (1 payable, 2 pending, 0 neither;
-- adjustments always 1). Triggers keep it in the writing transactions, whatever path writes: a new
-- entry adds to its row; a conversion whose state changes moves its entries' sums from the old state's
-- rows to the new one's. The property test in internal/payout holds it to the entries read one by one.
-- net_minor sums amount − agency share; base_net_minor the same in the base currency over the entries
-- that have a base amount; base_missing counts those that have none.
CREATE TABLE ledger_sums (
    org_id             TEXT NOT NULL,
    period             TEXT NOT NULL,
    creator_id         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    state              INTEGER NOT NULL,
    entries            INTEGER NOT NULL,
    conversions        INTEGER NOT NULL,
    gmv_minor          INTEGER NOT NULL,
    commission_minor   INTEGER NOT NULL,
    reversal_minor     INTEGER NOT NULL,
    adjustment_minor   INTEGER NOT NULL,
    agency_share_minor INTEGER NOT NULL,
    net_minor          INTEGER NOT NULL,
    base_net_minor     INTEGER NOT NULL,
    base_missing       INTEGER NOT NULL,
    PRIMARY KEY (org_id, period, creator_id, currency, state)
) WITHOUT ROWID;
--bun:split
CREATE TRIGGER ledger_sums_on_entry AFTER INSERT ON ledger_entries
BEGIN
    INSERT INTO ledger_sums (org_id, period, creator_id, currency, state, entries, conversions, gmv_minor, commission_minor,
        reversal_minor, adjustment_minor, agency_share_minor, net_minor, base_net_minor, base_missing)
    SELECT NEW.org_id, NEW.period, NEW.creator_id, NEW.currency,
        CASE WHEN NEW.kind = 'adjustment' THEN 1 ELSE COALESCE((SELECT
            CASE WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END
            FROM conversions AS cv WHERE cv.org_id = NEW.org_id AND cv.id = NEW.conversion_id), 0) END,
        1,
        CASE WHEN NEW.kind = 'commission' THEN 1 ELSE 0 END,
        CASE WHEN NEW.kind = 'commission' THEN NEW.gmv_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'commission' THEN NEW.amount_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'reversal' THEN NEW.amount_minor ELSE 0 END,
        CASE WHEN NEW.kind = 'adjustment' THEN NEW.amount_minor ELSE 0 END,
        NEW.agency_share_minor,
        NEW.amount_minor - NEW.agency_share_minor,
        COALESCE(NEW.base_amount_minor - COALESCE(NEW.base_agency_share_minor, 0), 0),
        CASE WHEN NEW.base_amount_minor IS NULL THEN 1 ELSE 0 END
    WHERE TRUE
    ON CONFLICT (org_id, period, creator_id, currency, state) DO UPDATE SET
        entries = entries + excluded.entries, conversions = conversions + excluded.conversions,
        gmv_minor = gmv_minor + excluded.gmv_minor, commission_minor = commission_minor + excluded.commission_minor,
        reversal_minor = reversal_minor + excluded.reversal_minor, adjustment_minor = adjustment_minor + excluded.adjustment_minor,
        agency_share_minor = agency_share_minor + excluded.agency_share_minor, net_minor = net_minor + excluded.net_minor,
        base_net_minor = base_net_minor + excluded.base_net_minor, base_missing = base_missing + excluded.base_missing;
END;
--bun:split
-- A conversion's state change moves its entries (adjustments excepted: always payable): their sums
-- leave the old state's rows (sign -1) and join the new state's (sign 1).
CREATE TRIGGER ledger_sums_on_state AFTER UPDATE OF status, approved_at ON conversions
WHEN (CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END) <>
     (CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END)
BEGIN
    INSERT INTO ledger_sums (org_id, period, creator_id, currency, state, entries, conversions, gmv_minor, commission_minor,
        reversal_minor, adjustment_minor, agency_share_minor, net_minor, base_net_minor, base_missing)
    SELECT le.org_id, le.period, le.creator_id, le.currency, mv.state,
        mv.sign * COUNT(*),
        mv.sign * SUM(CASE WHEN le.kind = 'commission' THEN 1 ELSE 0 END),
        mv.sign * SUM(CASE WHEN le.kind = 'commission' THEN le.gmv_minor ELSE 0 END),
        mv.sign * SUM(CASE WHEN le.kind = 'commission' THEN le.amount_minor ELSE 0 END),
        mv.sign * SUM(CASE WHEN le.kind = 'reversal' THEN le.amount_minor ELSE 0 END),
        0,
        mv.sign * SUM(le.agency_share_minor),
        mv.sign * SUM(le.amount_minor - le.agency_share_minor),
        mv.sign * SUM(COALESCE(le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0), 0)),
        mv.sign * SUM(CASE WHEN le.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM ledger_entries AS le,
        (SELECT -1 AS sign, CASE WHEN OLD.approved_at IS NOT NULL THEN 1 WHEN OLD.status = 'pending' THEN 2 ELSE 0 END AS state
         UNION ALL
         SELECT 1, CASE WHEN NEW.approved_at IS NOT NULL THEN 1 WHEN NEW.status = 'pending' THEN 2 ELSE 0 END) AS mv
    WHERE le.org_id = NEW.org_id AND le.conversion_id = NEW.id AND le.kind <> 'adjustment'
    GROUP BY le.period, le.creator_id, le.currency, mv.state, mv.sign
    ON CONFLICT (org_id, period, creator_id, currency, state) DO UPDATE SET
        entries = entries + excluded.entries, conversions = conversions + excluded.conversions,
        gmv_minor = gmv_minor + excluded.gmv_minor, commission_minor = commission_minor + excluded.commission_minor,
        reversal_minor = reversal_minor + excluded.reversal_minor, adjustment_minor = adjustment_minor + excluded.adjustment_minor,
        agency_share_minor = agency_share_minor + excluded.agency_share_minor, net_minor = net_minor + excluded.net_minor,
        base_net_minor = base_net_minor + excluded.base_net_minor, base_missing = base_missing + excluded.base_missing;
END;
--bun:split
-- The entries written before this migration.
INSERT INTO ledger_sums (org_id, period, creator_id, currency, state, entries, conversions, gmv_minor, commission_minor,
    reversal_minor, adjustment_minor, agency_share_minor, net_minor, base_net_minor, base_missing)
SELECT le.org_id, le.period, le.creator_id, le.currency,
    CASE WHEN le.kind = 'adjustment' THEN 1
         WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END AS st,
    COUNT(*),
    SUM(CASE WHEN le.kind = 'commission' THEN 1 ELSE 0 END),
    SUM(CASE WHEN le.kind = 'commission' THEN le.gmv_minor ELSE 0 END),
    SUM(CASE WHEN le.kind = 'commission' THEN le.amount_minor ELSE 0 END),
    SUM(CASE WHEN le.kind = 'reversal' THEN le.amount_minor ELSE 0 END),
    SUM(CASE WHEN le.kind = 'adjustment' THEN le.amount_minor ELSE 0 END),
    SUM(le.agency_share_minor),
    SUM(le.amount_minor - le.agency_share_minor),
    SUM(COALESCE(le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0), 0)),
    SUM(CASE WHEN le.base_amount_minor IS NULL THEN 1 ELSE 0 END)
FROM ledger_entries AS le LEFT JOIN conversions AS cv ON cv.org_id = le.org_id AND cv.id = le.conversion_id
GROUP BY le.org_id, le.period, le.creator_id, le.currency, st;
--bun:split
-- The covering indexes of the summing query (20261203130000) served only statements; they cost every
-- entry and conversion written.
DROP INDEX ledger_entries_statement_idx;
--bun:split
DROP INDEX conversions_state_idx;
