-- MCN agencies: a creator belongs to at most one, which takes share_bps of what the creator earns.
CREATE TABLE agencies (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    name          TEXT NOT NULL,
    name_key      TEXT COLLATE "C" NOT NULL,
    country       TEXT NOT NULL,
    contact_email TEXT,
    share_bps     INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE UNIQUE INDEX agencies_name_key ON agencies (org_id, name_key);
--bun:split
-- (PostgreSQL: name_key and handle use the "C" collation, so they sort and compare by code point as on
-- SQLite, and range scans on them use the indexes.)
-- Creators are the seller's distributors. name_key is the display name in lower case (computed in Go,
-- which lower-cases every script; SQLite's lower() knows ASCII only), for sorting and search.
-- max_followers is the largest active or dormant account's followers, kept in step by the creator
-- package, so the tier filter and the followers sort use an index. gmv_90d_minor is the last 90 days'
-- attributed GMV in the organization's base currency, kept by the conversions package.
CREATE TABLE creators (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    display_name     TEXT NOT NULL,
    name_key         TEXT COLLATE "C" NOT NULL,
    country          TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    wechat           TEXT,
    whatsapp         TEXT,
    languages        TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL,
    agency_id        TEXT REFERENCES agencies (id),
    owner_id         TEXT REFERENCES users (id),
    payout_currency  TEXT,
    default_rate_bps INTEGER,
    notes            TEXT NOT NULL DEFAULT '',
    max_followers    BIGINT NOT NULL DEFAULT 0,
    gmv_90d_minor    BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    deleted_at       TIMESTAMPTZ
);
--bun:split
-- One index per sort of the list, each ending with the id that breaks ties in the keyset cursor.
CREATE INDEX creators_name_idx ON creators (org_id, name_key, id);
--bun:split
CREATE INDEX creators_followers_idx ON creators (org_id, max_followers, id);
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id);
--bun:split
CREATE INDEX creators_gmv_idx ON creators (org_id, gmv_90d_minor, id);
--bun:split
CREATE INDEX creators_agency_idx ON creators (agency_id);
--bun:split
CREATE INDEX creators_owner_idx ON creators (org_id, owner_id);
--bun:split
CREATE INDEX creators_country_idx ON creators (org_id, country);
--bun:split
-- The list's total counts live (or deleted) creators from this index alone.
CREATE INDEX creators_live_idx ON creators (org_id, deleted_at);
--bun:split
-- Tags in their own table: filtering by tag is an index lookup on both dialects.
CREATE TABLE creator_tags (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL REFERENCES creators (id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (creator_id, tag)
);
--bun:split
CREATE INDEX creator_tags_tag_idx ON creator_tags (org_id, tag, creator_id);
--bun:split
-- The tags of a page of creators, covered by one index (same reason as creator_accounts_creator_idx).
CREATE INDEX creator_tags_creator_idx ON creator_tags (creator_id, org_id, tag);
--bun:split
-- A creator's accounts on the platforms. platform+handle is unique in an organization, whatever the
-- state of the creator that holds it (a soft-deleted creator keeps its handles reserved).
CREATE TABLE creator_accounts (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    creator_id     TEXT NOT NULL REFERENCES creators (id),
    platform       TEXT NOT NULL,
    handle         TEXT COLLATE "C" NOT NULL,
    url            TEXT,
    followers      BIGINT NOT NULL DEFAULT 0,
    avg_views      BIGINT,
    engagement_bps INTEGER,
    status         TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE UNIQUE INDEX creator_accounts_handle_key ON creator_accounts (org_id, platform, handle);
--bun:split
-- Search by handle on any platform: a range scan on this index.
CREATE INDEX creator_accounts_search_idx ON creator_accounts (org_id, handle);
--bun:split
-- A page of creators fetches its accounts by creator: (creator_id, org_id) serves that lookup whole,
-- where an org_id-first index would make the planner walk every account of the organization.
CREATE INDEX creator_accounts_creator_idx ON creator_accounts (creator_id, org_id);
--bun:split
-- Follower history: at most one snapshot per account and day (captured_on is an ISO date, YYYY-MM-DD).
CREATE TABLE account_snapshots (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    account_id     TEXT NOT NULL REFERENCES creator_accounts (id),
    captured_on    TEXT NOT NULL,
    followers      BIGINT NOT NULL,
    avg_views      BIGINT,
    engagement_bps INTEGER,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, captured_on)
);
--bun:split
-- The creator's timeline: status changes, notes, accounts, and later enrolments, conversions and
-- payouts. data is a JSON object whose shape depends on kind.
CREATE TABLE creator_events (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL REFERENCES creators (id),
    kind       TEXT NOT NULL,
    actor_id   TEXT,
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
--bun:split
CREATE INDEX creator_events_creator_idx ON creator_events (creator_id, created_at, id);
--bun:split
-- Risk marks: a platform at risk or banned in a country, for one organization. "ok" is no row.
CREATE TABLE platform_risks (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    platform   TEXT NOT NULL,
    country    TEXT NOT NULL,
    level      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    updated_by TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, platform, country)
);
