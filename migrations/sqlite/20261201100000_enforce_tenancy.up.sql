-- Tenancy in the schema: every tenant table is UNIQUE (org_id, id), and every reference from one
-- tenant row to another is a composite foreign key (org_id, x_id) → x (org_id, id), so a row can
-- never point into another organization, whatever a query forgets.
-- SQLite cannot change a table's foreign keys in place: the child tables are rebuilt as its manual
-- says (foreign keys off, new table, copy, drop, rename, check), on this one connection (bun runs a
-- migration without .tx in its name on a single connection) and in one transaction.
PRAGMA foreign_keys = OFF;
--bun:split
BEGIN IMMEDIATE;
--bun:split
CREATE UNIQUE INDEX users_org_id_id_key ON users (org_id, id);
--bun:split
CREATE UNIQUE INDEX agencies_org_id_id_key ON agencies (org_id, id);
--bun:split
CREATE TABLE sessions_new (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    user_id        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    revoked_reason TEXT,
    ip             TEXT NOT NULL,
    user_agent     TEXT NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id)
);
--bun:split
INSERT INTO sessions_new SELECT id, org_id, user_id, created_at, expires_at, revoked_at, revoked_reason, ip, user_agent FROM sessions;
--bun:split
DROP TABLE sessions;
--bun:split
ALTER TABLE sessions_new RENAME TO sessions;
--bun:split
CREATE INDEX sessions_user_idx ON sessions (user_id);
--bun:split
CREATE TABLE api_keys_new (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id)
);
--bun:split
INSERT INTO api_keys_new SELECT id, org_id, name, prefix, key_hash, role, created_by, created_at, last_used_at, revoked_at FROM api_keys;
--bun:split
DROP TABLE api_keys;
--bun:split
ALTER TABLE api_keys_new RENAME TO api_keys;
--bun:split
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);
--bun:split
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at, id);
--bun:split
CREATE TABLE creators_new (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    display_name     TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    country          TEXT NOT NULL,
    email            TEXT,
    phone            TEXT,
    wechat           TEXT,
    whatsapp         TEXT,
    languages        TEXT NOT NULL DEFAULT '[]',
    status           TEXT NOT NULL,
    agency_id        TEXT,
    owner_id         TEXT,
    payout_currency  TEXT,
    default_rate_bps INTEGER,
    notes            TEXT NOT NULL DEFAULT '',
    max_followers    BIGINT NOT NULL DEFAULT 0,
    gmv_90d_minor    BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    deleted_at       TIMESTAMP,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, agency_id) REFERENCES agencies (org_id, id),
    FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
);
--bun:split
INSERT INTO creators_new SELECT id, org_id, display_name, name_key, country, email, phone, wechat, whatsapp, languages, status,
    agency_id, owner_id, payout_currency, default_rate_bps, notes, max_followers, gmv_90d_minor, created_at, updated_at, deleted_at
    FROM creators;
--bun:split
DROP TABLE creators;
--bun:split
ALTER TABLE creators_new RENAME TO creators;
--bun:split
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
CREATE INDEX creators_live_idx ON creators (org_id, deleted_at);
--bun:split
CREATE TABLE creator_tags_new (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL,
    tag        TEXT NOT NULL,
    PRIMARY KEY (creator_id, tag),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
INSERT INTO creator_tags_new SELECT org_id, creator_id, tag FROM creator_tags;
--bun:split
DROP TABLE creator_tags;
--bun:split
ALTER TABLE creator_tags_new RENAME TO creator_tags;
--bun:split
CREATE INDEX creator_tags_tag_idx ON creator_tags (org_id, tag, creator_id);
--bun:split
CREATE INDEX creator_tags_creator_idx ON creator_tags (creator_id, org_id, tag);
--bun:split
CREATE TABLE creator_accounts_new (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    creator_id     TEXT NOT NULL,
    platform       TEXT NOT NULL,
    handle         TEXT NOT NULL,
    url            TEXT,
    followers      BIGINT NOT NULL DEFAULT 0,
    avg_views      BIGINT,
    engagement_bps INTEGER,
    status         TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
INSERT INTO creator_accounts_new SELECT id, org_id, creator_id, platform, handle, url, followers, avg_views, engagement_bps, status,
    created_at, updated_at FROM creator_accounts;
--bun:split
DROP TABLE creator_accounts;
--bun:split
ALTER TABLE creator_accounts_new RENAME TO creator_accounts;
--bun:split
CREATE UNIQUE INDEX creator_accounts_handle_key ON creator_accounts (org_id, platform, handle);
--bun:split
CREATE INDEX creator_accounts_search_idx ON creator_accounts (org_id, handle);
--bun:split
CREATE INDEX creator_accounts_creator_idx ON creator_accounts (creator_id, org_id);
--bun:split
CREATE TABLE account_snapshots_new (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    account_id     TEXT NOT NULL,
    captured_on    TEXT NOT NULL,
    followers      BIGINT NOT NULL,
    avg_views      BIGINT,
    engagement_bps INTEGER,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, captured_on),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id)
);
--bun:split
INSERT INTO account_snapshots_new SELECT org_id, account_id, captured_on, followers, avg_views, engagement_bps, created_at FROM account_snapshots;
--bun:split
DROP TABLE account_snapshots;
--bun:split
ALTER TABLE account_snapshots_new RENAME TO account_snapshots;
--bun:split
CREATE TABLE creator_events_new (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor_id   TEXT,
    data       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
INSERT INTO creator_events_new SELECT id, org_id, creator_id, kind, actor_id, data, created_at FROM creator_events;
--bun:split
DROP TABLE creator_events;
--bun:split
ALTER TABLE creator_events_new RENAME TO creator_events;
--bun:split
CREATE INDEX creator_events_creator_idx ON creator_events (creator_id, created_at, id);
--bun:split
COMMIT;
--bun:split
PRAGMA foreign_keys = ON;
