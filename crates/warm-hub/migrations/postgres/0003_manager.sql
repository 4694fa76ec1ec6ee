-- 3 (the site manager, issue 11): van routes, dispatch notes, planned restock requests: the
-- SQLite store's schema 3 in PostgreSQL. Never edit a migration once shipped.
CREATE INDEX events_by_kind ON events (kind, created_at);
CREATE TABLE van_routes (
    market TEXT COLLATE "C" PRIMARY KEY,
    van    TEXT COLLATE "C" NOT NULL,
    stop   BIGINT NOT NULL
);
CREATE TABLE dispatch_notes (
    id         TEXT COLLATE "C" PRIMARY KEY,        -- UUIDv7
    version    BIGINT NOT NULL UNIQUE,              -- the kiosks' cursor
    market     TEXT COLLATE "C" NOT NULL,
    date       TEXT COLLATE "C" NOT NULL,
    van        TEXT COLLATE "C" NOT NULL,
    stop       BIGINT NOT NULL,
    lines      TEXT NOT NULL,                       -- JSON [DispatchLine]
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX dispatch_by_market ON dispatch_notes (market, version);
CREATE TABLE planned_requests (
    request_id TEXT COLLATE "C" PRIMARY KEY,        -- the restock.requested event's request id
    note_id    TEXT COLLATE "C" NOT NULL REFERENCES dispatch_notes (id),
    date       TEXT COLLATE "C" NOT NULL,
    n          BIGINT GENERATED ALWAYS AS IDENTITY  -- a note lists its requests in the order planned (SQLite's rowid)
);
CREATE INDEX planned_by_note ON planned_requests (note_id);
