-- Tracking: short links with a public redirect (/r/{code}), promo codes, and the clicks on links.
-- A link's code is unguessable base62 and unique across every organization (the redirect has no other
-- key); a promo code is unique per organization whatever its case (code_key is its case-folded form).
-- account_id is optional; when set it is one of the creator's accounts (checked by the tracking
-- package) and the account cannot be removed while a link or code names it.
CREATE TABLE links (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    code            TEXT COLLATE "C" NOT NULL,
    creator_id      TEXT NOT NULL,
    campaign_id     TEXT NOT NULL,
    account_id      TEXT,
    destination_url TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX links_code_key ON links (code);
--bun:split
CREATE INDEX links_creator_idx ON links (org_id, creator_id, id);
--bun:split
CREATE INDEX links_campaign_idx ON links (org_id, campaign_id, id);
--bun:split
CREATE INDEX links_account_idx ON links (org_id, account_id, id);
--bun:split
CREATE TABLE promo_codes (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    code        TEXT NOT NULL,
    code_key    TEXT COLLATE "C" NOT NULL,
    creator_id  TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    account_id  TEXT,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX promo_codes_code_key ON promo_codes (org_id, code_key);
--bun:split
CREATE INDEX promo_codes_creator_idx ON promo_codes (org_id, creator_id, id);
--bun:split
CREATE INDEX promo_codes_campaign_idx ON promo_codes (org_id, campaign_id, id);
--bun:split
CREATE INDEX promo_codes_account_idx ON promo_codes (org_id, account_id, id);
--bun:split
-- One row per hit of /r/{code}, written in batches off the request path. kind is counted, duplicate
-- (the same visitor on the same link in the same minute) or bot (a crawler or link-preview fetcher).
-- ip_hash and visitor are HMAC-SHA256 digests under a key that changes every day (UTC), derived from
-- the organization's click_secrets row: the raw address is never stored. dedupe_key is set on counted
-- clicks only (link, visitor, minute): its unique index decides, on every replica alike, which click
-- of a visitor's minute counts. creator_id, campaign_id and account_id are the link's, for reports.
CREATE TABLE clicks (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    link_id     TEXT NOT NULL,
    creator_id  TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    account_id  TEXT,
    clicked_at  TIMESTAMPTZ NOT NULL,
    kind        TEXT NOT NULL,
    ip_hash     TEXT NOT NULL,
    visitor     TEXT NOT NULL,
    dedupe_key  TEXT COLLATE "C",
    user_agent  TEXT NOT NULL,
    referer     TEXT NOT NULL,
    country     TEXT,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX clicks_dedupe_key ON clicks (dedupe_key);
--bun:split
CREATE INDEX clicks_link_idx ON clicks (org_id, link_id, kind);
--bun:split
CREATE INDEX clicks_time_idx ON clicks (org_id, clicked_at);
--bun:split
-- The secret each organization's daily IP-hashing keys derive from: created once, shared by every replica.
CREATE TABLE click_secrets (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    secret     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id)
);
