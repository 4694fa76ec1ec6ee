-- 5 (issue 17): sub-categories, and a market's own order of its products set by the co-op:
-- the SQLite store's schema 5 in PostgreSQL. Never edit a migration once shipped.
ALTER TABLE categories ADD COLUMN parent TEXT COLLATE "C";   -- NULL: a category of the home screen
ALTER TABLE assortment ADD COLUMN position BIGINT;           -- NULL: ordered by what sells most
