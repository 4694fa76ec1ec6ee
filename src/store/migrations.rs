//! Schema migrations, tracked in `PRAGMA user_version`. A shipped migration is never edited:
//! a change is a new entry at the end.

use super::{Result, StoreError};
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: orders with their lines, the stock ledger, the print queue and the sync outbox.
    "CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE orders (
        id           TEXT PRIMARY KEY,      -- UUIDv7
        terminal_id  TEXT NOT NULL,
        seq          INTEGER NOT NULL,      -- the terminal's order sequence: the pickup number
        household_id TEXT,                  -- purchase limits and building-leader orders
        status       TEXT NOT NULL,
        lang         TEXT NOT NULL,
        created_at   TEXT NOT NULL,         -- UTC
        slot_start   TEXT NOT NULL,
        slot_end     TEXT NOT NULL,
        total_fen    INTEGER NOT NULL,
        item_count   INTEGER NOT NULL,
        UNIQUE (terminal_id, seq)
    ) STRICT;
    CREATE INDEX orders_by_slot ON orders (slot_start);

    CREATE TABLE order_lines (
        order_id       TEXT NOT NULL REFERENCES orders (id),
        line_no        INTEGER NOT NULL,
        product_id     TEXT NOT NULL,
        name_zh        TEXT NOT NULL,
        name_en        TEXT NOT NULL,
        spec_zh        TEXT NOT NULL,
        spec_en        TEXT NOT NULL,
        unit_price_fen INTEGER NOT NULL,
        qty            INTEGER NOT NULL CHECK (qty > 0),
        PRIMARY KEY (order_id, line_no)
    ) STRICT;

    -- Stock is the sum of its movements; offline sales may drive it negative and are flagged, not refused.
    CREATE TABLE stock_movements (
        id         TEXT PRIMARY KEY,
        product_id TEXT NOT NULL,
        delta      INTEGER NOT NULL,
        reason     TEXT NOT NULL,           -- sale, delivery, count, ...
        ref_id     TEXT,
        at         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX stock_by_product ON stock_movements (product_id);

    CREATE TABLE print_jobs (
        id         TEXT PRIMARY KEY,
        order_id   TEXT REFERENCES orders (id),
        kind       TEXT NOT NULL,           -- pickup_slip, receipt, ...
        bytes      BLOB NOT NULL,           -- ESC/POS, exactly what goes to the printer
        created_at TEXT NOT NULL,
        printed_at TEXT,
        attempts   INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    ) STRICT;
    CREATE INDEX print_jobs_pending ON print_jobs (created_at) WHERE printed_at IS NULL;

    -- Events for the cooperative, written in the same transaction as the change they describe.
    CREATE TABLE outbox (
        seq        INTEGER PRIMARY KEY,     -- the terminal's event sequence, from counters
        id         TEXT NOT NULL UNIQUE,    -- UUIDv7
        kind       TEXT NOT NULL,
        payload    TEXT NOT NULL,           -- JSON
        created_at TEXT NOT NULL
    ) STRICT;",
    // 2: the print queue remembers a send in progress (a crash or an unplugged printer mid-job
    // leaves a torn slip, reprinted marked 重印) and which job a volunteer's reprint copies.
    "ALTER TABLE print_jobs ADD COLUMN sending INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE print_jobs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE print_jobs ADD COLUMN reprint_of TEXT REFERENCES print_jobs (id);",
    // 3 (sync): the catalog as last pulled from the hub, and the sync cursor and times.
    "CREATE TABLE sync_state (
        key   TEXT PRIMARY KEY,             -- catalog_cursor, last_ok_at, last_error
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE synced_market (
        id      TEXT PRIMARY KEY,
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL
    ) STRICT;
    CREATE TABLE synced_categories (
        id       TEXT PRIMARY KEY,
        name_zh  TEXT NOT NULL,
        name_en  TEXT NOT NULL,
        picture  TEXT NOT NULL,             -- sha256 hex; the file is in the picture cache
        position INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE synced_products (
        id        TEXT PRIMARY KEY,
        category  TEXT NOT NULL,
        name_zh   TEXT NOT NULL,
        name_en   TEXT NOT NULL,
        spec_zh   TEXT NOT NULL,
        spec_en   TEXT NOT NULL,
        unit_zh   TEXT NOT NULL,
        unit_en   TEXT NOT NULL,
        price_fen INTEGER NOT NULL,
        ean13     TEXT NOT NULL,
        limit_per_household INTEGER,
        picture   TEXT NOT NULL,
        position  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE synced_assortment (        -- this market's own terms; no row = sold at the cooperative price
        product   TEXT PRIMARY KEY,
        listed    INTEGER NOT NULL,
        price_fen INTEGER,
        limit_per_household INTEGER
    ) STRICT;",
    // 4 (checkout, issue 4): payments. UNIQUE (order_id): an order can never be paid twice,
    // whatever the screen does.
    "CREATE TABLE payments (
        id           TEXT PRIMARY KEY,      -- UUIDv7
        order_id     TEXT NOT NULL UNIQUE REFERENCES orders (id),
        method       TEXT NOT NULL CHECK (method IN ('cash', 'wechat', 'alipay', 'on_account')),
        amount_fen   INTEGER NOT NULL CHECK (amount_fen >= 0),
        tendered_fen INTEGER CHECK (tendered_fen IS NULL OR tendered_fen >= amount_fen),
        change_fen   INTEGER NOT NULL CHECK (change_fen >= 0),
        reference    TEXT,                  -- WeChat/Alipay reference, or the account
        at           TEXT NOT NULL          -- UTC
    ) STRICT;
    CREATE INDEX payments_by_time ON payments (at);",
    // 5: the outbox without a local index on the event id. Ids are UUIDv7 made here and the hub
    // enforces their uniqueness (UNIQUE(event id) across the cooperative); the local index only
    // made every order commit and every trim after a push write a second B-tree.
    "CREATE TABLE outbox_v5 (
        seq        INTEGER PRIMARY KEY,     -- the terminal's event sequence, from counters
        id         TEXT NOT NULL,           -- UUIDv7
        kind       TEXT NOT NULL,
        payload    TEXT NOT NULL,           -- JSON
        created_at TEXT NOT NULL
    ) STRICT;
    INSERT INTO outbox_v5 (seq, id, kind, payload, created_at) SELECT seq, id, kind, payload, created_at FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_v5 RENAME TO outbox;",
    // 6 (the site manager, issue 11): who moved stock and why; cash in and out of the box; the
    // closed days (Z), whose rows are frozen by triggers; the manager's work in progress
    // (settlement, receiving) so a crash resumes it; PIN pauses that outlive a restart; dispatch
    // notes pulled from the hub, deliveries received and restock requests sent.
    "ALTER TABLE stock_movements ADD COLUMN who TEXT;     -- volunteer, manager; NULL for sales
    ALTER TABLE stock_movements ADD COLUMN note TEXT;     -- the reason in words
    ALTER TABLE stock_movements ADD COLUMN z INTEGER;     -- the Z report that closed it
    ALTER TABLE payments ADD COLUMN z INTEGER;
    ALTER TABLE orders ADD COLUMN z INTEGER;
    CREATE INDEX stock_open ON stock_movements (z, reason);
    CREATE TABLE cash_moves (
        id         TEXT PRIMARY KEY,
        kind       TEXT NOT NULL CHECK (kind IN ('float', 'in', 'out')),
        amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
        reason     TEXT NOT NULL,
        at         TEXT NOT NULL,
        z          INTEGER
    ) STRICT;
    CREATE TABLE day_closes (
        z         INTEGER PRIMARY KEY,      -- 1, 2, 3, ... on this terminal
        id        TEXT NOT NULL UNIQUE,     -- UUIDv7 made when the settlement started: closing twice is closing once
        date      TEXT NOT NULL,            -- the local market day
        closed_at TEXT NOT NULL,
        report    TEXT NOT NULL,            -- the Z report's figures (JSON), as sent to the hub
        print_job TEXT NOT NULL REFERENCES print_jobs (id)
    ) STRICT;
    CREATE TABLE drafts (                   -- a settlement or a delivery being checked
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,           -- JSON
        updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE pin_gates (role TEXT PRIMARY KEY, state TEXT NOT NULL) STRICT;
    CREATE TABLE dispatch_notes (
        id          TEXT PRIMARY KEY,
        version     INTEGER NOT NULL,
        note        TEXT NOT NULL,          -- JSON, as pulled
        received_by TEXT                    -- the delivery that received it
    ) STRICT;
    CREATE TABLE deliveries (
        id      TEXT PRIMARY KEY,           -- made when receiving started: confirming twice is once
        note_id TEXT UNIQUE,
        at      TEXT NOT NULL
    ) STRICT;
    CREATE TABLE restock_requests (
        id      TEXT PRIMARY KEY,
        at      TEXT NOT NULL,
        request TEXT NOT NULL,              -- JSON, as sent
        covered INTEGER NOT NULL DEFAULT 0  -- a dispatch note came after it
    ) STRICT;
    CREATE TRIGGER payments_closed_u BEFORE UPDATE ON payments WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER payments_closed_d BEFORE DELETE ON payments WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER stock_closed_u BEFORE UPDATE ON stock_movements WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER stock_closed_d BEFORE DELETE ON stock_movements WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER cash_closed_u BEFORE UPDATE ON cash_moves WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER cash_closed_d BEFORE DELETE ON cash_moves WHEN OLD.z IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    -- An order of a closed day stays open only while it waits for pickup.
    CREATE TRIGGER orders_closed_u BEFORE UPDATE ON orders WHEN OLD.z IS NOT NULL AND OLD.status <> 'placed'
        BEGIN SELECT RAISE(ABORT, 'this day is closed'); END;
    CREATE TRIGGER day_closes_u BEFORE UPDATE ON day_closes BEGIN SELECT RAISE(ABORT, 'a Z report is final'); END;
    CREATE TRIGGER day_closes_d BEFORE DELETE ON day_closes BEGIN SELECT RAISE(ABORT, 'a Z report is final'); END;",
    // 7 (households, issue 10): the market's households and restock cycle as pulled with the
    // catalog, limits with a period, and what other terminals of the market sold to households
    // (pulled by its own cursor), so a limit holds across terminals.
    "CREATE TABLE synced_households (
        id          TEXT PRIMARY KEY,       -- building-unit-room, normalised (3-2-501)
        building    TEXT NOT NULL,
        surname     TEXT,
        phone_last4 TEXT
    ) STRICT;
    CREATE TABLE synced_restock_cycle (
        id        TEXT PRIMARY KEY,         -- '*': this market
        days      INTEGER NOT NULL,         -- 0: none
        from_date TEXT NOT NULL
    ) STRICT;
    ALTER TABLE synced_assortment ADD COLUMN limit_period TEXT; -- day, week, cycle; NULL: day
    CREATE TABLE heard_usage (              -- the latest the hub said of (order, product)
        order_id  TEXT NOT NULL,
        product   TEXT NOT NULL,
        terminal  TEXT NOT NULL,
        household TEXT NOT NULL,
        qty       INTEGER NOT NULL,
        at        TEXT NOT NULL,            -- UTC, as orders.created_at
        PRIMARY KEY (order_id, product)
    ) STRICT;
    CREATE INDEX heard_usage_by_household ON heard_usage (household, at);
    CREATE INDEX orders_by_household ON orders (household_id, created_at) WHERE household_id IS NOT NULL;",
    // 8 (assortment, issue 17): sub-categories and the market's own order of products as pulled
    // with the catalog; orders by time, for what sold most in the last days.
    "ALTER TABLE synced_categories ADD COLUMN parent TEXT;    -- NULL: a category of the home screen
    ALTER TABLE synced_assortment ADD COLUMN position INTEGER; -- NULL: ordered by recent sales
    CREATE INDEX orders_by_time ON orders (created_at);",
    // 9 (building leaders, issue 10): the market's daily goods list as pulled with the catalog,
    // and the building batches a leader placed: which orders, so the picking list recalls them.
    "CREATE TABLE synced_daily_list (
        position  INTEGER PRIMARY KEY,      -- the order the hub gave (the sheet prints in it)
        product   TEXT NOT NULL UNIQUE,
        available INTEGER                   -- how many today; NULL: the market did not say
    ) STRICT;
    CREATE TABLE leader_batches (
        id         TEXT PRIMARY KEY,        -- UUIDv7: the picking list's QR
        building   TEXT NOT NULL,
        terminal   TEXT NOT NULL,
        created_at TEXT NOT NULL,           -- UTC
        print_job  TEXT NOT NULL REFERENCES print_jobs (id)
    ) STRICT;
    CREATE TABLE leader_batch_orders (
        batch_id TEXT NOT NULL REFERENCES leader_batches (id),
        position INTEGER NOT NULL,          -- household order as the leader went through them
        order_id TEXT NOT NULL UNIQUE REFERENCES orders (id),
        PRIMARY KEY (batch_id, position)
    ) STRICT;",
];

/// The schema version this program writes.
pub(super) fn known() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the schema up to date. A current schema is only read: opening never takes the write
/// lock unless a migration is due, so a store busy with another process's writes still opens.
pub(super) fn run(conn: &mut Connection) -> Result<()> {
    let known = known();
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current == known {
        return Ok(());
    }
    if current > known {
        return Err(StoreError::TooNew { found: current, known });
    }
    // IMMEDIATE, with the version read again inside: two processes opening a new store at once
    // (the kiosk and `warm-kiosk sync`) must not both migrate it.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew { found: current, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_keeps_its_events_through_migration_5() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        for seq in 1..=3 {
            conn.execute(
                "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, 'order.placed', '{}', 'now')",
                rusqlite::params![seq, format!("id-{seq}")],
            )
            .unwrap();
        }
        run(&mut conn).unwrap();
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT seq, id FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(1, "id-1".into()), (2, "id-2".into()), (3, "id-3".into())]);
        let indexes: i64 =
            conn.query_row("SELECT count(*) FROM pragma_index_list('outbox')", [], |r| r.get(0)).unwrap();
        assert_eq!(indexes, 0, "the outbox is read and trimmed by seq only");
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
