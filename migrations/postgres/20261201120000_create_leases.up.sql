-- Leases let one process of several do a piece of work: a job that must run once per cluster, or
-- "a server is running on this database" (which `caravan migrate down` checks). A lease is claimed,
-- renewed and released by the worker package with one atomic upsert; an expired lease is free.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
