-- 2: revoked tokens, the kiosk copy that recovered a terminal, operators and their sessions: the
-- SQLite store's schema 2 in PostgreSQL. Never edit a migration once shipped.
ALTER TABLE terminals ADD COLUMN revoked_at TEXT COLLATE "C";  -- token_hash is then 'revoked:' || id
ALTER TABLE terminals ADD COLUMN instance TEXT COLLATE "C";    -- set by a recovery: the only copy that may push
CREATE TABLE operators (
    name          TEXT COLLATE "C" PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('desk', 'read-only')),
    password_hash TEXT NOT NULL,                -- argon2id PHC string
    failures      BIGINT NOT NULL DEFAULT 0,    -- wrong passwords in a row
    paused_until  TEXT COLLATE "C",             -- no login is checked before this
    created_at    TEXT COLLATE "C" NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,    -- sha256 hex of the cookie; the cookie itself is never stored
    operator   TEXT COLLATE "C" NOT NULL REFERENCES operators (name) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
