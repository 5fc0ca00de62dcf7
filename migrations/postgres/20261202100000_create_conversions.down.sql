DROP TABLE periods;
--bun:split
DROP TABLE fx_rates;
--bun:split
DROP TABLE ledger_entries;
--bun:split
DROP FUNCTION ledger_entries_append_only();
--bun:split
DROP TABLE refunds;
--bun:split
DROP TABLE conversion_items;
--bun:split
DROP TABLE conversions;
--bun:split
DROP TABLE webhook_deliveries;
--bun:split
DROP TABLE stores;
