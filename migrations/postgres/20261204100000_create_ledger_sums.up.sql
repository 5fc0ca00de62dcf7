-- Statements read a rollup instead of summing a period's entries (ledger.SumsBy): ledger_sums holds,
-- per organization, period, creator, currency and state, the sums a statement line is made of. state
-- is that of the entry's conversion as conversion.StateExpr says (1 payable, 2 pending, 0 neither;
-- adjustments always 1). Triggers keep it in the writing transactions, whatever path writes: new
-- entries add to their rows; conversions whose state changes move their entries' sums from the old
-- state's rows to the new one's. Both triggers run once per statement over its transition table, so
-- a batch of a thousand orders is one grouped upsert, in key order (two writers lock rows in the same
-- order). The property test in internal/payout holds it to the entries read one by one.
-- net_minor sums amount − agency share; base_net_minor the same in the base currency over the entries
-- that have a base amount; base_missing counts those that have none.
CREATE TABLE ledger_sums (
    org_id             TEXT NOT NULL,
    period             TEXT NOT NULL,
    creator_id         TEXT NOT NULL,
    currency           TEXT NOT NULL,
    state              SMALLINT NOT NULL,
    entries            BIGINT NOT NULL,
    conversions        BIGINT NOT NULL,
    gmv_minor          BIGINT NOT NULL,
    commission_minor   BIGINT NOT NULL,
    reversal_minor     BIGINT NOT NULL,
    adjustment_minor   BIGINT NOT NULL,
    agency_share_minor BIGINT NOT NULL,
    net_minor          BIGINT NOT NULL,
    base_net_minor     BIGINT NOT NULL,
    base_missing       BIGINT NOT NULL,
    PRIMARY KEY (org_id, period, creator_id, currency, state)
);
--bun:split
CREATE FUNCTION ledger_sums_on_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_sums AS s (org_id, period, creator_id, currency, state, entries, conversions, gmv_minor, commission_minor,
        reversal_minor, adjustment_minor, agency_share_minor, net_minor, base_net_minor, base_missing)
    SELECT e.org_id, e.period, e.creator_id, e.currency, e.st, COUNT(*),
        SUM(CASE WHEN e.kind = 'commission' THEN 1 ELSE 0 END),
        SUM(CASE WHEN e.kind = 'commission' THEN e.gmv_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'commission' THEN e.amount_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'reversal' THEN e.amount_minor ELSE 0 END),
        SUM(CASE WHEN e.kind = 'adjustment' THEN e.amount_minor ELSE 0 END),
        SUM(e.agency_share_minor),
        SUM(e.amount_minor - e.agency_share_minor),
        SUM(COALESCE(e.base_amount_minor - COALESCE(e.base_agency_share_minor, 0), 0)),
        SUM(CASE WHEN e.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT n.*, CASE WHEN n.kind = 'adjustment' THEN 1
                      WHEN cv.approved_at IS NOT NULL THEN 1 WHEN cv.status = 'pending' THEN 2 ELSE 0 END AS st
          FROM new_entries AS n LEFT JOIN conversions AS cv ON cv.org_id = n.org_id AND cv.id = n.conversion_id) AS e
    GROUP BY e.org_id, e.period, e.creator_id, e.currency, e.st
    ORDER BY e.org_id, e.period, e.creator_id, e.currency, e.st
    ON CONFLICT (org_id, period, creator_id, currency, state) DO UPDATE SET
        entries = s.entries + EXCLUDED.entries, conversions = s.conversions + EXCLUDED.conversions,
        gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor, commission_minor = s.commission_minor + EXCLUDED.commission_minor,
        reversal_minor = s.reversal_minor + EXCLUDED.reversal_minor, adjustment_minor = s.adjustment_minor + EXCLUDED.adjustment_minor,
        agency_share_minor = s.agency_share_minor + EXCLUDED.agency_share_minor, net_minor = s.net_minor + EXCLUDED.net_minor,
        base_net_minor = s.base_net_minor + EXCLUDED.base_net_minor, base_missing = s.base_missing + EXCLUDED.base_missing;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER ledger_sums_on_entry AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_sums_on_entry();
--bun:split
-- A conversion's state change moves its entries (adjustments excepted: always payable): their sums
-- leave the old state's rows (sign -1) and join the new state's (sign 1).
CREATE FUNCTION ledger_sums_on_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger_sums AS s (org_id, period, creator_id, currency, state, entries, conversions, gmv_minor, commission_minor,
        reversal_minor, adjustment_minor, agency_share_minor, net_minor, base_net_minor, base_missing)
    SELECT le.org_id, le.period, le.creator_id, le.currency, mv.state,
        SUM(mv.sign),
        SUM(mv.sign * CASE WHEN le.kind = 'commission' THEN 1 ELSE 0 END),
        SUM(mv.sign * CASE WHEN le.kind = 'commission' THEN le.gmv_minor ELSE 0 END),
        SUM(mv.sign * CASE WHEN le.kind = 'commission' THEN le.amount_minor ELSE 0 END),
        SUM(mv.sign * CASE WHEN le.kind = 'reversal' THEN le.amount_minor ELSE 0 END),
        0,
        SUM(mv.sign * le.agency_share_minor),
        SUM(mv.sign * (le.amount_minor - le.agency_share_minor)),
        SUM(mv.sign * COALESCE(le.base_amount_minor - COALESCE(le.base_agency_share_minor, 0), 0)),
        SUM(mv.sign * CASE WHEN le.base_amount_minor IS NULL THEN 1 ELSE 0 END)
    FROM (SELECT n.org_id, n.id, x.sign, x.state
          FROM old_conversions AS o JOIN new_conversions AS n ON n.id = o.id,
              LATERAL (VALUES (-1, CASE WHEN o.approved_at IS NOT NULL THEN 1 WHEN o.status = 'pending' THEN 2 ELSE 0 END),
                              (1, CASE WHEN n.approved_at IS NOT NULL THEN 1 WHEN n.status = 'pending' THEN 2 ELSE 0 END)) AS x(sign, state)
          WHERE (CASE WHEN o.approved_at IS NOT NULL THEN 1 WHEN o.status = 'pending' THEN 2 ELSE 0 END) <>
                (CASE WHEN n.approved_at IS NOT NULL THEN 1 WHEN n.status = 'pending' THEN 2 ELSE 0 END)) AS mv
    JOIN ledger_entries AS le ON le.org_id = mv.org_id AND le.conversion_id = mv.id AND le.kind <> 'adjustment'
    GROUP BY le.org_id, le.period, le.creator_id, le.currency, mv.state
    ORDER BY le.org_id, le.period, le.creator_id, le.currency, mv.state
    ON CONFLICT (org_id, period, creator_id, currency, state) DO UPDATE SET
        entries = s.entries + EXCLUDED.entries, conversions = s.conversions + EXCLUDED.conversions,
        gmv_minor = s.gmv_minor + EXCLUDED.gmv_minor, commission_minor = s.commission_minor + EXCLUDED.commission_minor,
        reversal_minor = s.reversal_minor + EXCLUDED.reversal_minor, adjustment_minor = s.adjustment_minor + EXCLUDED.adjustment_minor,
        agency_share_minor = s.agency_share_minor + EXCLUDED.agency_share_minor, net_minor = s.net_minor + EXCLUDED.net_minor,
        base_net_minor = s.base_net_minor + EXCLUDED.base_net_minor, base_missing = s.base_missing + EXCLUDED.base_missing;
    RETURN NULL;
END;
$$;
--bun:split
CREATE TRIGGER ledger_sums_on_state AFTER UPDATE ON conversions
    REFERENCING OLD TABLE AS old_conversions NEW TABLE AS new_conversions FOR EACH STATEMENT EXECUTE FUNCTION ledger_sums_on_state();
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
