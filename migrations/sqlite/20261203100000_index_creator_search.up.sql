-- The creator list at 100,000 creators: an index for the name and e-mail search, and a change counter
-- that lets the list reuse a total it has already counted.
--
-- creator_search is a trigram full-text index (FTS5) of every creator's name_key and e-mail, so "q is
-- a substring of the name or the e-mail" is an index lookup instead of a LIKE '%q%' over every creator
-- of the organization (for q of three characters or more: a trigram index cannot answer shorter ones,
-- which still scan). It holds the values the list compares: name_key (lower-cased in Go) and the
-- e-mail in lower case; the index is case-sensitive, so it matches exactly what LIKE matched.
-- secure-delete: a changed or erased name leaves nothing of itself in the index.
-- Its rows are numbered by creator_search_rows, not by the rowid of creators, which VACUUM (and so a
-- backup, VACUUM INTO) may renumber. Triggers keep both in step with creators, whoever writes them:
-- a migration that rebuilds the creators table (CREATE creators_new, copy, DROP, RENAME) drops them
-- and must create them again.
CREATE TABLE creator_search_rows (
    id         INTEGER PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    creator_id TEXT NOT NULL UNIQUE
);
--bun:split
CREATE VIRTUAL TABLE creator_search USING fts5 (name_key, email, tokenize = 'trigram case_sensitive 1');
--bun:split
INSERT INTO creator_search (creator_search, rank) VALUES ('secure-delete', 1);
--bun:split
INSERT INTO creator_search_rows (org_id, creator_id) SELECT org_id, id FROM creators ORDER BY created_at, id;
--bun:split
INSERT INTO creator_search (rowid, name_key, email)
    SELECT r.id, c.name_key, lower(coalesce(c.email, '')) FROM creator_search_rows AS r JOIN creators AS c ON c.id = r.creator_id;
--bun:split
CREATE TRIGGER creator_search_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_search_rows (org_id, creator_id) VALUES (NEW.org_id, NEW.id);
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
-- creator_changes counts, per organization, the changes to what the creator list filters on: its
-- creators, their tags and their accounts. The list caches a filter's total with the count it was
-- taken at and counts again once the count has moved, so a total is never stale, on any replica.
-- The hourly GMV refresh changes only a sort key and does not move it.
CREATE TABLE creator_changes (
    org_id TEXT PRIMARY KEY REFERENCES organizations (id),
    seq    BIGINT NOT NULL
);
--bun:split
CREATE TRIGGER creator_changes_creator_insert AFTER INSERT ON creators BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_creator_update AFTER UPDATE ON creators WHEN OLD.gmv_90d_minor IS NEW.gmv_90d_minor BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_creator_delete AFTER DELETE ON creators BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_tag_insert AFTER INSERT ON creator_tags BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_tag_update AFTER UPDATE ON creator_tags BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_tag_delete AFTER DELETE ON creator_tags BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_account_insert AFTER INSERT ON creator_accounts BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_account_update AFTER UPDATE ON creator_accounts BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
--bun:split
CREATE TRIGGER creator_changes_account_delete AFTER DELETE ON creator_accounts BEGIN
    INSERT INTO creator_changes (org_id, seq) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET seq = seq + 1;
END;
