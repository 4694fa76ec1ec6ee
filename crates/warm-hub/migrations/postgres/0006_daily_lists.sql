-- 6 (issue 10, building leaders): each market's daily goods list, one row per market holding the
-- whole list, pulled with the catalog: the SQLite store's schema 6 in PostgreSQL. Never edit a
-- migration once shipped.
CREATE TABLE daily_lists (
    market  TEXT COLLATE "C" PRIMARY KEY,
    items   TEXT NOT NULL,                  -- JSON [{product, available?}], in the order set; [] none
    version BIGINT NOT NULL UNIQUE          -- from the catalog's counter: pulled with the catalog
);
