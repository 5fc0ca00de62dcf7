-- Erasure on request: erased_at is when a creator's personal data was removed (POST
-- /api/v1/creators/{id}/erase). The row stays, under a pseudonym, so the ledger, statements and
-- payouts that name it still add up; an erased creator cannot be changed.
ALTER TABLE creators ADD COLUMN erased_at TIMESTAMP;
--bun:split
-- Click retention: raw clicks older than CARAVAN_CLICK_RETENTION are rolled up into one row per link
-- and day (UTC) and deleted. creator_id, campaign_id and account_id are the link's (they never change),
-- kept here so the reports group the rollups like the clicks. counted, bots and duplicates are the
-- day's clicks of each kind.
CREATE TABLE click_days (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    link_id     TEXT NOT NULL,
    day         TEXT NOT NULL,
    creator_id  TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    account_id  TEXT,
    counted     BIGINT NOT NULL DEFAULT 0,
    bots        BIGINT NOT NULL DEFAULT 0,
    duplicates  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, link_id, day),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id)
);
--bun:split
CREATE INDEX click_days_day_idx ON click_days (org_id, day);
--bun:split
CREATE INDEX click_days_creator_idx ON click_days (org_id, creator_id, day);
--bun:split
CREATE INDEX click_days_campaign_idx ON click_days (org_id, campaign_id, day);
