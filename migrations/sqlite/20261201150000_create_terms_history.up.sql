-- What commissions depend on keeps its history, so an order from March is computed with March's
-- terms after they change: a creator's default rate and agency membership (creator_terms), and an
-- agency's share (agency_shares). The row in force at an instant t has valid_from <= t and
-- (valid_to IS NULL or t < valid_to); a change closes the open row and opens a new one.
CREATE TABLE creator_terms (
    org_id           TEXT NOT NULL REFERENCES organizations (id),
    creator_id       TEXT NOT NULL,
    valid_from       TIMESTAMP NOT NULL,
    valid_to         TIMESTAMP,
    default_rate_bps INTEGER,
    agency_id        TEXT,
    PRIMARY KEY (creator_id, valid_from),
    -- agency_id is history: it may name an agency deleted since, so it has no foreign key.
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
CREATE TABLE agency_shares (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    agency_id  TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_to   TIMESTAMP,
    share_bps  INTEGER NOT NULL,
    PRIMARY KEY (agency_id, valid_from),
    FOREIGN KEY (org_id, agency_id) REFERENCES agencies (org_id, id) ON DELETE CASCADE
);
--bun:split
-- Today's terms of what exists, in force since it was created.
INSERT INTO creator_terms (org_id, creator_id, valid_from, default_rate_bps, agency_id)
    SELECT org_id, id, created_at, default_rate_bps, agency_id FROM creators;
--bun:split
INSERT INTO agency_shares (org_id, agency_id, valid_from, share_bps)
    SELECT org_id, id, created_at, share_bps FROM agencies;
