DROP TABLE platform_risks;
--bun:split
DROP TABLE creator_events;
--bun:split
DROP TABLE account_snapshots;
--bun:split
DROP TABLE creator_accounts;
--bun:split
DROP TABLE creator_tags;
--bun:split
DROP TABLE creators;
--bun:split
DROP TABLE agencies;
