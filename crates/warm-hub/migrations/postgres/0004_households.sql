-- 4 (issue 10): households per market, limits with a period, restock cycles, and what each
-- household bought (per order and product), served to the market's kiosks by its own cursor:
-- the SQLite store's schema 4 in PostgreSQL. Never edit a migration once shipped.
CREATE TABLE households (
    market      TEXT COLLATE "C" NOT NULL,
    id          TEXT COLLATE "C" NOT NULL,          -- building-unit-room, normalised (3-2-501)
    building    TEXT NOT NULL,
    surname     TEXT,                               -- a surname only, never a full name
    phone_last4 TEXT,                               -- four digits, never a whole number
    deleted     BOOLEAN NOT NULL DEFAULT false,
    version     BIGINT NOT NULL UNIQUE,             -- from the catalog's counter: pulled with the catalog
    PRIMARY KEY (market, id)
);
CREATE TABLE restock_cycles (
    market    TEXT COLLATE "C" PRIMARY KEY,
    days      BIGINT NOT NULL,                      -- 0: none
    from_date TEXT COLLATE "C" NOT NULL,            -- local date the first cycle starts
    version   BIGINT NOT NULL UNIQUE
);
ALTER TABLE assortment ADD COLUMN limit_period TEXT COLLATE "C"; -- day, week, cycle; NULL: day
CREATE TABLE usage (
    order_id  TEXT COLLATE "C" NOT NULL,
    product   TEXT COLLATE "C" NOT NULL,
    market    TEXT COLLATE "C" NOT NULL,
    terminal  TEXT COLLATE "C" NOT NULL,
    seq       BIGINT NOT NULL,                      -- the order's number at its terminal
    household TEXT COLLATE "C" NOT NULL,
    qty       BIGINT NOT NULL,                      -- now (an amendment may lower it to 0)
    at        TEXT COLLATE "C" NOT NULL,            -- when the order was placed (UTC)
    version   BIGINT NOT NULL UNIQUE,               -- counter usage_version: the kiosks' usage cursor
    checked   BOOLEAN NOT NULL DEFAULT false,       -- compared with the limits since its last change
    PRIMARY KEY (order_id, product)
);
CREATE INDEX usage_by_market ON usage (market, version);
CREATE INDEX usage_by_household ON usage (market, household, product, at);
CREATE INDEX usage_unchecked ON usage (checked) WHERE NOT checked;
