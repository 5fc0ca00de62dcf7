-- Conversions: orders from every channel, each stored once per (organization, source, external id).
-- Shop connections (stores) receive Shopify webhooks; webhook_secret is write-only in the API (the
-- HMAC needs it in the clear). webhook_deliveries dedupes by Shopify's X-Shopify-Webhook-Id.
CREATE TABLE stores (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    domain         TEXT NOT NULL,
    webhook_secret TEXT NOT NULL,
    created_by     TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    deleted_at     TIMESTAMPTZ,
    UNIQUE (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX stores_domain_key ON stores (org_id, domain) WHERE deleted_at IS NULL;
--bun:split
CREATE TABLE webhook_deliveries (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    store_id      TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    topic         TEXT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    outcome       TEXT NOT NULL,
    conversion_id TEXT,
    PRIMARY KEY (store_id, delivery_id),
    FOREIGN KEY (org_id, store_id) REFERENCES stores (org_id, id)
);
--bun:split
-- rule is the attribution rule that matched (creator, account, promo_code, click, link, manual); NULL
-- while unattributed. clues keeps what the order said (platform, handle, codes, click id) as JSON so
-- the UI can show why it matched or did not. hold_until is when automatic approval may take it.
CREATE TABLE conversions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    source         TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    currency       TEXT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    discount_minor BIGINT NOT NULL DEFAULT 0,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    creator_id     TEXT,
    account_id     TEXT,
    platform       TEXT,
    campaign_id    TEXT,
    rule           TEXT,
    clues          TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL,
    status_reason  TEXT,
    hold_until     TIMESTAMPTZ,
    attributed_at  TIMESTAMPTZ,
    decided_by     TEXT,
    decided_at     TIMESTAMPTZ,
    approved_at    TIMESTAMPTZ,
    paid_at        TIMESTAMPTZ,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, source, external_id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id)
);
--bun:split
CREATE INDEX conversions_occurred_idx ON conversions (org_id, occurred_at, id);
--bun:split
CREATE INDEX conversions_creator_idx ON conversions (org_id, creator_id, occurred_at);
--bun:split
CREATE INDEX conversions_campaign_idx ON conversions (org_id, campaign_id, occurred_at);
--bun:split
CREATE INDEX conversions_hold_idx ON conversions (status, hold_until);
--bun:split
CREATE TABLE conversion_items (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    conversion_id TEXT NOT NULL,
    line          INTEGER NOT NULL,
    sku           TEXT NOT NULL,
    quantity      BIGINT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    PRIMARY KEY (conversion_id, line),
    FOREIGN KEY (org_id, conversion_id) REFERENCES conversions (org_id, id)
);
--bun:split
-- Refunds are unique per (organization, source, external id) like orders. A refund that arrives
-- before its order keeps order_external_id and waits with conversion_id NULL; the order's arrival
-- applies it.
CREATE TABLE refunds (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (id),
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    order_external_id TEXT NOT NULL,
    conversion_id     TEXT,
    amount_minor      BIGINT NOT NULL,
    currency          TEXT,
    occurred_at       TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    UNIQUE (org_id, source, external_id),
    FOREIGN KEY (org_id, conversion_id) REFERENCES conversions (org_id, id)
);
--bun:split
CREATE INDEX refunds_conversion_idx ON refunds (org_id, conversion_id);
--bun:split
CREATE INDEX refunds_waiting_idx ON refunds (org_id, source, order_external_id) WHERE conversion_id IS NULL;
--bun:split
-- The ledger: append-only entries in minor units. A trigger refuses any UPDATE or DELETE: refunds,
-- rejections and corrections are new entries. explanation is the JSON a finance user recomputes the
-- entry from (plan, version, rate, base, tier, FX). base_amount_minor is NULL (and fx_missing set)
-- when no FX rate was known on the order's date.
CREATE TABLE ledger_entries (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organizations (id),
    conversion_id      TEXT,
    reverses_id        TEXT,
    refund_id          TEXT,
    creator_id         TEXT NOT NULL,
    account_id         TEXT,
    platform           TEXT,
    campaign_id        TEXT,
    kind               TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    base_amount_minor  BIGINT,
    base_currency      TEXT NOT NULL,
    fx_rate            TEXT,
    fx_missing         BOOLEAN NOT NULL DEFAULT FALSE,
    rate_bps           INTEGER,
    gmv_minor          BIGINT NOT NULL DEFAULT 0,
    base_gmv_minor     BIGINT,
    agency_id          TEXT,
    agency_share_bps   INTEGER NOT NULL DEFAULT 0,
    agency_share_minor BIGINT NOT NULL DEFAULT 0,
    base_agency_share_minor BIGINT,
    period             TEXT NOT NULL,
    occurred_at        TIMESTAMPTZ NOT NULL,
    explanation        TEXT NOT NULL,
    reason             TEXT,
    created_by         TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, conversion_id) REFERENCES conversions (org_id, id),
    FOREIGN KEY (org_id, reverses_id) REFERENCES ledger_entries (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id)
);
--bun:split
CREATE INDEX ledger_entries_conversion_idx ON ledger_entries (org_id, conversion_id, created_at, id);
--bun:split
CREATE INDEX ledger_entries_period_idx ON ledger_entries (org_id, period, id);
--bun:split
CREATE INDEX ledger_entries_creator_idx ON ledger_entries (org_id, creator_id, occurred_at);
--bun:split
CREATE INDEX ledger_entries_created_idx ON ledger_entries (org_id, created_at, id);
--bun:split
CREATE UNIQUE INDEX ledger_entries_refund_key ON ledger_entries (org_id, reverses_id, refund_id);
--bun:split
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
--bun:split
CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
--bun:split
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only();
--bun:split
-- FX rates: 1 unit of currency = rate units of base_currency on day "on" (YYYY-MM-DD); an entry uses
-- the most recent rate on or before its order's date. rate is a decimal string.
CREATE TABLE fx_rates (
    org_id        TEXT NOT NULL REFERENCES organizations (id),
    currency      TEXT NOT NULL,
    base_currency TEXT NOT NULL,
    day           TEXT NOT NULL,
    rate          TEXT NOT NULL,
    updated_by    TEXT,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, currency, base_currency, day)
);
--bun:split
-- Commission periods (YYYY-MM in the organization's time zone). A month without a row is open.
CREATE TABLE periods (
    org_id    TEXT NOT NULL REFERENCES organizations (id),
    period    TEXT NOT NULL,
    status    TEXT NOT NULL,
    closed_by TEXT,
    closed_at TIMESTAMPTZ,
    PRIMARY KEY (org_id, period)
);
