-- Campaigns: the products a seller promotes, campaigns with their commission plans (every plan change is
-- a new version, effective from an instant, so an order is computed with the plan in force on its date),
-- the creators enrolled in a campaign (with a per-creator rate override that keeps its history too), the
-- content posts they owe and the samples sent to them. Dates (starts_on, due_on, shipped_on …) are ISO
-- days, YYYY-MM-DD, in the organization's time zone.
-- sku_key is the SKU in lower case: SKUs are unique per organization whatever their case.
CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    sku         TEXT NOT NULL,
    sku_key     TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    name_zh     TEXT,
    price_minor BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    rate_bps    INTEGER,
    url         TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX products_sku_key ON products (org_id, sku_key);
--bun:split
-- A product's rate keeps its history, like a creator's default rate (creator_terms).
CREATE TABLE product_rates (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    product_id TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_to   TIMESTAMP,
    rate_bps   INTEGER,
    PRIMARY KEY (product_id, valid_from),
    FOREIGN KEY (org_id, product_id) REFERENCES products (org_id, id) ON DELETE CASCADE
);
--bun:split
CREATE TABLE campaigns (
    id                      TEXT PRIMARY KEY,
    org_id                  TEXT NOT NULL REFERENCES organizations (id),
    name                    TEXT NOT NULL,
    name_key                TEXT NOT NULL,
    status                  TEXT NOT NULL,
    starts_on               TEXT NOT NULL,
    ends_on                 TEXT,
    platforms               TEXT NOT NULL DEFAULT '[]',
    attribution_window_days INTEGER NOT NULL,
    hold_days               INTEGER NOT NULL,
    budget_minor            BIGINT,
    currency                TEXT,
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL,
    UNIQUE (org_id, id)
);
--bun:split
CREATE INDEX campaigns_created_idx ON campaigns (org_id, created_at, id);
--bun:split
CREATE TABLE campaign_products (
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    campaign_id TEXT NOT NULL,
    product_id  TEXT NOT NULL,
    PRIMARY KEY (campaign_id, product_id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, product_id) REFERENCES products (org_id, id)
);
--bun:split
CREATE INDEX campaign_products_product_idx ON campaign_products (product_id);
--bun:split
-- Plan versions are only ever added: the version in force at t is the one with the latest
-- effective_from <= t (the higher version on a tie).
CREATE TABLE campaign_plans (
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    campaign_id    TEXT NOT NULL,
    version        INTEGER NOT NULL,
    effective_from TIMESTAMP NOT NULL,
    plan           TEXT NOT NULL,
    created_by     TEXT,
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (campaign_id, version),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
);
--bun:split
CREATE INDEX campaign_plans_effective_idx ON campaign_plans (campaign_id, effective_from);
--bun:split
-- An enrolment is a creator in a campaign (the contract), with an optional rate override and fixed fee.
-- account_ids is a JSON array of the creator's accounts that take part (empty: all of them).
CREATE TABLE enrolments (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    campaign_id  TEXT NOT NULL,
    creator_id   TEXT NOT NULL,
    status       TEXT NOT NULL,
    rate_bps     INTEGER,
    account_ids  TEXT NOT NULL DEFAULT '[]',
    fee_minor    BIGINT,
    fee_currency TEXT,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
CREATE UNIQUE INDEX enrolments_campaign_creator_key ON enrolments (campaign_id, creator_id);
--bun:split
CREATE INDEX enrolments_creator_idx ON enrolments (org_id, creator_id);
--bun:split
CREATE TABLE enrolment_rates (
    org_id       TEXT NOT NULL REFERENCES organizations (id),
    enrolment_id TEXT NOT NULL,
    valid_from   TIMESTAMP NOT NULL,
    valid_to     TIMESTAMP,
    rate_bps     INTEGER,
    PRIMARY KEY (enrolment_id, valid_from),
    FOREIGN KEY (org_id, enrolment_id) REFERENCES enrolments (org_id, id)
);
--bun:split
-- account_id has no foreign key: a creator may remove an account after it posted, and the post (with
-- its figures) stays in the campaign's history. The campaign package checks it on every write.
CREATE TABLE deliverables (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id),
    campaign_id TEXT NOT NULL,
    creator_id  TEXT NOT NULL,
    account_id  TEXT,
    url         TEXT,
    due_on      TEXT,
    status      TEXT NOT NULL,
    views       BIGINT,
    likes       BIGINT,
    comments    BIGINT,
    shares      BIGINT,
    posted_at   TIMESTAMP,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id)
);
--bun:split
CREATE INDEX deliverables_campaign_idx ON deliverables (campaign_id, created_at, id);
--bun:split
CREATE TABLE samples (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    campaign_id     TEXT NOT NULL,
    creator_id      TEXT NOT NULL,
    product_id      TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    unit_cost_minor BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    carrier         TEXT,
    tracking_number TEXT,
    shipped_on      TEXT,
    delivered_on    TEXT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id),
    FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id),
    FOREIGN KEY (org_id, product_id) REFERENCES products (org_id, id)
);
--bun:split
CREATE INDEX samples_campaign_idx ON samples (campaign_id, created_at, id);
--bun:split
CREATE INDEX samples_product_idx ON samples (product_id);
