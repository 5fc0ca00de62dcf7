-- Payouts: what is paid to a creator in one currency for the closed periods up to one. Each payable
-- ledger entry is paid by at most one payout (payout_items' primary key is the entry), so nothing is
-- paid twice, whatever runs at the same time.
CREATE TABLE payouts (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    period       TEXT NOT NULL,
    creator_id   TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    entries      INTEGER NOT NULL,
    status       TEXT NOT NULL,
    reference    TEXT,
    paid_on      TEXT,
    paid_by      TEXT,
    paid_at      TIMESTAMPTZ,
    created_by   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
CREATE INDEX payouts_period_idx ON payouts (org_id, period, creator_id);
--bun:split
CREATE TABLE payout_items (
    org_id    TEXT NOT NULL REFERENCES organizations (id),
    entry_id  TEXT NOT NULL,
    payout_id TEXT NOT NULL,
    PRIMARY KEY (entry_id),
    FOREIGN KEY (org_id, payout_id) REFERENCES payouts (org_id, id),
    FOREIGN KEY (org_id, entry_id) REFERENCES ledger_entries (org_id, id)
);
--bun:split
CREATE INDEX payout_items_payout_idx ON payout_items (org_id, payout_id);
--bun:split
-- Where a creator is paid: PayPal (account = e-mail), Wise or a bank (account = IBAN or account
-- number), and the account holder's name. Personal data: erasure clears them.
ALTER TABLE creators ADD COLUMN payout_method TEXT;
--bun:split
ALTER TABLE creators ADD COLUMN payout_account TEXT;
--bun:split
ALTER TABLE creators ADD COLUMN payout_holder TEXT;
