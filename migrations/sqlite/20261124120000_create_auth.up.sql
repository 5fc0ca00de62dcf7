CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    base_currency TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
--bun:split
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id),
    email               TEXT NOT NULL,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL,
    status              TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    last_login_at       TIMESTAMP
);
--bun:split
-- Login is by e-mail alone, so an address belongs to one user across all organizations.
CREATE UNIQUE INDEX users_email_key ON users (email);
--bun:split
CREATE INDEX users_org_idx ON users (org_id, created_at, id);
--bun:split
-- A session is one login: the family of its rotating refresh tokens. Revoking it ends the login,
-- refresh tokens and access tokens alike (access tokens carry the session id).
CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    user_id        TEXT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    revoked_reason TEXT,
    ip             TEXT NOT NULL,
    user_agent     TEXT NOT NULL
);
--bun:split
CREATE INDEX sessions_user_idx ON sessions (user_id);
--bun:split
CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
--bun:split
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
--bun:split
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);
--bun:split
CREATE INDEX api_keys_org_idx ON api_keys (org_id, created_at, id);
--bun:split
-- JWT signing keys, shared by every replica through the database. The newest unretired key signs;
-- every unexpired key verifies, so a rotation never logs anyone out.
CREATE TABLE signing_keys (
    id         TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);
--bun:split
-- Fixed-window counters for rate limits that every replica shares (login per account and per IP).
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL
);
--bun:split
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    org_id      TEXT REFERENCES organizations (id),
    actor_id    TEXT,
    actor_kind  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    details     TEXT NOT NULL,
    ip          TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX audit_log_org_idx ON audit_log (org_id, created_at, id);
