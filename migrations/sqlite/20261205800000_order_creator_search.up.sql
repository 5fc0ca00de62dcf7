-- A search's first page is its newest matches. The trigram index (creator_search) answers its
-- matches in rowid order, and rowids were numbered as creators were written, which need not be
-- creation order (a catalogue loaded by SQL with its own dates). So a search gathered every match,
-- ordered them by created_at and counted them (5 to 9 ms for a term matching 1,000 of 100,000
-- creators), or walked the newest creators testing each one (5,000 of them for a term matching
-- 1,100). Now a creator's rowid says when it was created: the millisecond of created_at (UTC, 1970
-- to 2109) times 2^20, plus a slot within that millisecond. The index gives a search's matches
-- newest millisecond first and the search stops once its page is full; creators of one millisecond
-- are put in the list's order by the query (internal/creator/ordered.go). The price: the index's
-- doclists hold larger rowid gaps (10.0 → 21.6 MB at 100,000 creators), and FTS5 writes a row
-- whose rowid is below the last one written by flushing first, so creators written out of creation
-- order are slow to index (creators are written as they are created: in order).
--
-- A handle's creators come from creator_handle_rows: each account's handle with its creator's
-- number, in handle order, kept by triggers on creator_accounts. A handle prefix gives the numbers
-- at once, and the search merges them with the index's. (In a second trigram index, a creator's
-- second account rewrote its row there, and with secure-delete each rewrite searched every segment:
-- minutes for an import.) The creators' search_handles (migration 20261205700000) and the default
-- order's index columns that served the walk are dropped with the walk: each account written also
-- rewrote its creator's row.
--
-- Triggers number the rows, whoever writes creators: a new creator takes the next free slot of its
-- millisecond; a creator whose created_at changes is indexed again under its new number, and its
-- handles with it. More than 2^20 creators in one millisecond is refused rather than misordered.
DROP TRIGGER creator_search_insert;
--bun:split
DROP TRIGGER creator_search_update;
--bun:split
DROP TRIGGER creator_search_delete;
--bun:split
DROP TRIGGER creator_search_times;
--bun:split
DROP TABLE creator_search;
--bun:split
CREATE TABLE creator_search_ordered (
    id         INTEGER PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP,
    deleted_at TIMESTAMP
);
--bun:split
INSERT INTO creator_search_ordered (id, org_id, creator_id, created_at, deleted_at)
    SELECT (ms << 20) + row_number() OVER (PARTITION BY ms ORDER BY creator_id) - 1, org_id, creator_id, created_at, deleted_at
    FROM (SELECT max(0, min(4398046511103, CAST(strftime('%s', c.created_at) AS INTEGER) * 1000
            + CAST(substr(strftime('%f', c.created_at), 4) AS INTEGER))) AS ms,
        c.org_id, c.id AS creator_id, c.created_at, c.deleted_at FROM creators AS c);
--bun:split
DROP TABLE creator_search_rows;
--bun:split
ALTER TABLE creator_search_ordered RENAME TO creator_search_rows;
--bun:split
CREATE VIRTUAL TABLE creator_search USING fts5 (name_key, email, tokenize = 'trigram case_sensitive 1');
--bun:split
INSERT INTO creator_search (creator_search, rank) VALUES ('secure-delete', 1);
--bun:split
INSERT INTO creator_search (rowid, name_key, email)
    SELECT r.id, c.name_key, lower(coalesce(c.email, '')) FROM creator_search_rows AS r JOIN creators AS c ON c.id = r.creator_id;
--bun:split
CREATE TABLE creator_handle_rows (
    org_id    TEXT NOT NULL,
    handle    TEXT NOT NULL,
    platform  TEXT NOT NULL,
    search_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, handle, platform)
) WITHOUT ROWID;
--bun:split
INSERT INTO creator_handle_rows (org_id, handle, platform, search_id)
    SELECT a.org_id, a.handle, a.platform, r.id FROM creator_accounts AS a JOIN creator_search_rows AS r ON r.creator_id = a.creator_id;
--bun:split
CREATE TRIGGER creator_handle_rows_insert AFTER INSERT ON creator_accounts BEGIN
    INSERT INTO creator_handle_rows (org_id, handle, platform, search_id)
        SELECT NEW.org_id, NEW.handle, NEW.platform, r.id FROM creator_search_rows AS r WHERE r.creator_id = NEW.creator_id;
END;
--bun:split
CREATE TRIGGER creator_handle_rows_update AFTER UPDATE OF org_id, handle, platform, creator_id ON creator_accounts
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.handle IS NOT NEW.handle OR OLD.platform IS NOT NEW.platform OR OLD.creator_id IS NOT NEW.creator_id BEGIN
    DELETE FROM creator_handle_rows WHERE org_id = OLD.org_id AND handle = OLD.handle AND platform = OLD.platform;
    INSERT INTO creator_handle_rows (org_id, handle, platform, search_id)
        SELECT NEW.org_id, NEW.handle, NEW.platform, r.id FROM creator_search_rows AS r WHERE r.creator_id = NEW.creator_id;
END;
--bun:split
CREATE TRIGGER creator_handle_rows_delete AFTER DELETE ON creator_accounts BEGIN
    DELETE FROM creator_handle_rows WHERE org_id = OLD.org_id AND handle = OLD.handle AND platform = OLD.platform;
END;
--bun:split
CREATE TRIGGER creator_search_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_search_rows (id, org_id, creator_id, created_at, deleted_at)
        SELECT CASE WHEN s.id >= (s.ms + 1) << 20
                THEN RAISE(ABORT, 'creator_search: more than 1,048,576 creators created in one millisecond')
                ELSE s.id END,
            NEW.org_id, NEW.id, NEW.created_at, NEW.deleted_at
        FROM (SELECT k.ms, coalesce((SELECT max(r.id) + 1 FROM creator_search_rows AS r
                    WHERE r.id >= k.ms << 20 AND r.id < (k.ms + 1) << 20), k.ms << 20) AS id
            FROM (SELECT max(0, min(4398046511103, CAST(strftime('%s', NEW.created_at) AS INTEGER) * 1000
                + CAST(substr(strftime('%f', NEW.created_at), 4) AS INTEGER))) AS ms) AS k) AS s;
    INSERT INTO creator_search (rowid, name_key, email) VALUES (last_insert_rowid(), NEW.name_key, lower(coalesce(NEW.email, '')));
END;
--bun:split
CREATE TRIGGER creator_search_update AFTER UPDATE OF name_key, email ON creators
WHEN OLD.name_key IS NOT NEW.name_key OR OLD.email IS NOT NEW.email BEGIN
    UPDATE creator_search SET name_key = NEW.name_key, email = lower(coalesce(NEW.email, ''))
        WHERE rowid = (SELECT id FROM creator_search_rows WHERE creator_id = NEW.id);
END;
--bun:split
CREATE TRIGGER creator_search_delete AFTER DELETE ON creators BEGIN
    DELETE FROM creator_search WHERE rowid = (SELECT id FROM creator_search_rows WHERE creator_id = OLD.id);
    DELETE FROM creator_search_rows WHERE creator_id = OLD.id;
END;
--bun:split
CREATE TRIGGER creator_search_times AFTER UPDATE OF deleted_at ON creators
WHEN OLD.deleted_at IS NOT NEW.deleted_at BEGIN
    UPDATE creator_search_rows SET deleted_at = NEW.deleted_at WHERE creator_id = NEW.id;
END;
--bun:split
-- A creator whose created_at changes (no request changes it; a script's UPDATE may) is numbered anew.
CREATE TRIGGER creator_search_moved AFTER UPDATE OF created_at ON creators
WHEN OLD.created_at IS NOT NEW.created_at BEGIN
    DELETE FROM creator_search WHERE rowid = (SELECT id FROM creator_search_rows WHERE creator_id = OLD.id);
    DELETE FROM creator_search_rows WHERE creator_id = OLD.id;
    INSERT INTO creator_search_rows (id, org_id, creator_id, created_at, deleted_at)
        SELECT CASE WHEN s.id >= (s.ms + 1) << 20
                THEN RAISE(ABORT, 'creator_search: more than 1,048,576 creators created in one millisecond')
                ELSE s.id END,
            NEW.org_id, NEW.id, NEW.created_at, NEW.deleted_at
        FROM (SELECT k.ms, coalesce((SELECT max(r.id) + 1 FROM creator_search_rows AS r
                    WHERE r.id >= k.ms << 20 AND r.id < (k.ms + 1) << 20), k.ms << 20) AS id
            FROM (SELECT max(0, min(4398046511103, CAST(strftime('%s', NEW.created_at) AS INTEGER) * 1000
                + CAST(substr(strftime('%f', NEW.created_at), 4) AS INTEGER))) AS ms) AS k) AS s;
    INSERT INTO creator_search (rowid, name_key, email) VALUES (last_insert_rowid(), NEW.name_key, lower(coalesce(NEW.email, '')));
    UPDATE creator_handle_rows SET search_id = (SELECT id FROM creator_search_rows WHERE creator_id = NEW.id)
        WHERE (org_id, handle, platform) IN (SELECT org_id, handle, platform FROM creator_accounts WHERE creator_id = NEW.id);
END;
--bun:split
DROP INDEX creators_created_idx;
--bun:split
CREATE INDEX creators_created_idx ON creators (org_id, created_at, id, deleted_at);
--bun:split
DROP TRIGGER creator_handles_insert;
--bun:split
DROP TRIGGER creator_handles_update;
--bun:split
DROP TRIGGER creator_handles_delete;
--bun:split
DROP TRIGGER creator_changes_creator_update;
--bun:split
CREATE TRIGGER creator_changes_creator_update AFTER UPDATE ON creators WHEN OLD.gmv_90d_minor IS NEW.gmv_90d_minor BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
ALTER TABLE creators DROP COLUMN search_handles;
