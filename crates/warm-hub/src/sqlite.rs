//! The embedded hub store: one SQLite file, WAL with `synchronous=FULL`, one writer connection
//! (SQLite allows one writer at a time anyway) and one reader connection, which WAL lets read
//! while a push commits. A third connection, on its own thread, checkpoints the WAL into the
//! database file, so no push waits for a checkpoint before it may acknowledge.

use super::ingest::{Aborted, Incoming, OrderUsage};
use super::store::{
    self, Alarm, CatalogImport, Census, Dashboard, HouseholdImport, HubError, HubStore, ImportSummary, ManagerDay,
    Operator, PRODUCT_COLUMNS, PushOutcome, Recovery, RestockRow, Role, Session, Terminal, TerminalCensus,
    TerminalInfo, TerminalRow, VanPlan, conflict,
};
use super::validate;
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use warm_core::api::{
    CatalogChange, CatalogPage, LimitAlarm, PushResponse, RecoveryAnswer, RecoveryEvent, UsageEntry, UsagePage,
};
use warm_core::domain::household::{Purchase, breach};
use warm_core::domain::{DailyItem, Household, HouseholdId, Limit, LimitPeriod, ProductRow, RestockCycle};
use warm_core::process::lock;

/// A market's terms for a product: listed, price, limit, its period, its place in the category.
type AssortmentRow = (bool, Option<i64>, Option<u32>, Option<String>, Option<i64>);

const SCHEMA: &[&str] = &[
    // 1: terminals, events, alarms, and the versioned catalog.
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    CREATE TABLE terminals (
        id           TEXT PRIMARY KEY,
        market       TEXT NOT NULL,
        token_hash   TEXT NOT NULL UNIQUE,   -- sha256 hex of the token; the token itself is never stored
        high_seq     INTEGER NOT NULL DEFAULT 0,
        last_push_at TEXT,
        last_pull_at TEXT,
        created_at   TEXT NOT NULL
    ) STRICT;
    CREATE TABLE events (
        id          TEXT PRIMARY KEY,        -- UUIDv7 from the terminal: UNIQUE enforced here
        terminal    TEXT NOT NULL REFERENCES terminals (id),
        seq         INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        payload     TEXT NOT NULL,
        received_at TEXT NOT NULL,
        amount_fen  INTEGER,                 -- order total for order.placed, for the dashboard
        UNIQUE (terminal, seq)
    ) STRICT;
    -- Only orders (the rows with an amount) are indexed by time, for the dashboard's today.
    CREATE INDEX orders_by_time ON events (created_at) WHERE amount_fen IS NOT NULL;
    CREATE TABLE alarms (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,           -- first seen
        last_at    TEXT NOT NULL,           -- last seen: a terminal retrying raises the same alarm again
        repeats    INTEGER NOT NULL DEFAULT 1,
        terminal   TEXT,
        kind       TEXT NOT NULL,
        message    TEXT NOT NULL,
        cleared_at TEXT
    ) STRICT;
    CREATE TABLE market_names (
        id      TEXT PRIMARY KEY,
        name_zh TEXT NOT NULL,
        name_en TEXT NOT NULL,
        version INTEGER NOT NULL UNIQUE
    ) STRICT;
    CREATE TABLE categories (
        id       TEXT PRIMARY KEY,
        name_zh  TEXT NOT NULL,
        name_en  TEXT NOT NULL,
        picture  TEXT NOT NULL,
        position INTEGER NOT NULL,
        deleted  INTEGER NOT NULL DEFAULT 0,
        version  INTEGER NOT NULL UNIQUE
    ) STRICT;
    CREATE TABLE products (
        id         TEXT PRIMARY KEY,
        category   TEXT NOT NULL,
        name_zh    TEXT NOT NULL,
        name_en    TEXT NOT NULL,
        spec_zh    TEXT NOT NULL,
        spec_en    TEXT NOT NULL,
        unit_zh    TEXT NOT NULL,
        unit_en    TEXT NOT NULL,
        price_fen  INTEGER NOT NULL,
        ean13      TEXT NOT NULL,
        limit_per_household INTEGER,
        picture    TEXT NOT NULL,
        position   INTEGER NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0,
        version    INTEGER NOT NULL UNIQUE
    ) STRICT;
    CREATE TABLE assortment (
        market    TEXT NOT NULL,
        product   TEXT NOT NULL,
        listed    INTEGER NOT NULL,
        price_fen INTEGER,
        limit_per_household INTEGER,
        version   INTEGER NOT NULL UNIQUE,
        PRIMARY KEY (market, product)
    ) STRICT;
    CREATE TABLE pictures (hash TEXT PRIMARY KEY, bytes BLOB NOT NULL) STRICT;",
    // 2: revoked tokens, the kiosk copy that recovered a terminal, operators and their sessions.
    "ALTER TABLE terminals ADD COLUMN revoked_at TEXT;  -- token_hash is then 'revoked:' || id
    ALTER TABLE terminals ADD COLUMN instance TEXT;     -- set by a recovery: the only copy that may push
    CREATE TABLE operators (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('desk', 'read-only')),
        password_hash TEXT NOT NULL,                -- argon2id PHC string
        failures      INTEGER NOT NULL DEFAULT 0,   -- wrong passwords in a row
        paused_until  TEXT,                         -- no login is checked before this
        created_at    TEXT NOT NULL
    ) STRICT;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,                -- sha256 hex of the cookie; the cookie itself is never stored
        operator   TEXT NOT NULL REFERENCES operators (name) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    ) STRICT;",
    // 3 (the site manager, issue 11): van routes, dispatch notes, planned restock requests.
    manager::SCHEMA_3,
    // 4 (issue 10): households per market, limits with a period, restock cycles, and what each
    // household bought (per order and product), served to the market's kiosks by its own cursor.
    "CREATE TABLE households (
        market      TEXT NOT NULL,
        id          TEXT NOT NULL,          -- building-unit-room, normalised (3-2-501)
        building    TEXT NOT NULL,
        surname     TEXT,                   -- a surname only, never a full name
        phone_last4 TEXT,                   -- four digits, never a whole number
        deleted     INTEGER NOT NULL DEFAULT 0,
        version     INTEGER NOT NULL UNIQUE, -- from the catalog's counter: pulled with the catalog
        PRIMARY KEY (market, id)
    ) STRICT;
    CREATE TABLE restock_cycles (
        market    TEXT PRIMARY KEY,
        days      INTEGER NOT NULL,         -- 0: none
        from_date TEXT NOT NULL,            -- local date the first cycle starts
        version   INTEGER NOT NULL UNIQUE
    ) STRICT;
    ALTER TABLE assortment ADD COLUMN limit_period TEXT; -- day, week, cycle; NULL: day
    CREATE TABLE usage (
        order_id  TEXT NOT NULL,
        product   TEXT NOT NULL,
        market    TEXT NOT NULL,
        terminal  TEXT NOT NULL,
        seq       INTEGER NOT NULL,         -- the order's number at its terminal
        household TEXT NOT NULL,
        qty       INTEGER NOT NULL,         -- now (an amendment may lower it to 0)
        at        TEXT NOT NULL,            -- when the order was placed (UTC)
        version   INTEGER NOT NULL UNIQUE,  -- counter usage_version: the kiosks' usage cursor
        checked   INTEGER NOT NULL DEFAULT 0, -- compared with the limits since its last change
        PRIMARY KEY (order_id, product)
    ) STRICT;
    CREATE INDEX usage_by_market ON usage (market, version);
    CREATE INDEX usage_by_household ON usage (market, household, product, at);
    CREATE INDEX usage_unchecked ON usage (checked) WHERE checked = 0;",
    // 5 (issue 17): sub-categories, and a market's own order of its products set by the co-op.
    "ALTER TABLE categories ADD COLUMN parent TEXT;   -- NULL: a category of the home screen
    ALTER TABLE assortment ADD COLUMN position INTEGER; -- NULL: ordered by what sells most",
    // 6 (issue 10, building leaders): each market's daily goods list, one row per market.
    daily_list::SCHEMA_6,
];

pub(crate) mod daily_list;
pub(crate) mod manager;

pub struct SqliteHub {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
    /// Tells the checkpointer a commit happened; dropping it ends the checkpointer's thread.
    committed: SyncSender<()>,
}

/// At most one background checkpoint in this interval: often enough to keep the WAL small, rarely
/// enough that checkpoints do not compete with pushes for the disk.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Checkpoints (PASSIVE: never blocks a writer or a reader) after commits, until the hub closes.
fn spawn_checkpointer(path: &Path) -> Result<SyncSender<()>, HubError> {
    let conn = open_conn(path)?;
    let (committed, commits) = sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("hub-checkpoint".into())
        .spawn(move || {
            while commits.recv().is_ok() {
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!("hub: checkpoint: {e}");
                }
                std::thread::sleep(CHECKPOINT_INTERVAL);
            }
        })
        .map_err(|e| HubError::Db(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(committed)
}

fn open_conn(path: &Path) -> Result<Connection, HubError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| HubError::Db(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// The writer connection, held for one write; letting go of it tells the checkpointer.
struct Write<'a> {
    conn: MutexGuard<'a, Connection>,
    committed: &'a SyncSender<()>,
}

impl std::ops::Deref for Write<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Drop for Write<'_> {
    fn drop(&mut self) {
        // Full means a checkpoint is already due; gone means the hub is closing.
        let _ = self.committed.try_send(());
    }
}

pub fn time_text(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn next_version(tx: &rusqlite::Transaction<'_>) -> Result<i64, HubError> {
    Ok(tx.query_row(
        "INSERT INTO counters (name, value) VALUES ('catalog_version', 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends the catalog changes one query finds (the page is put together from several tables).
fn changes_after(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<CatalogChange>,
    changes: &mut Vec<CatalogChange>,
) -> Result<(), HubError> {
    for change in conn.prepare_cached(sql)?.query_map(params, row)? {
        changes.push(change?);
    }
    Ok(())
}

fn next_usage_version(tx: &rusqlite::Transaction<'_>) -> Result<i64, HubError> {
    Ok(tx.query_row(
        "INSERT INTO counters (name, value) VALUES ('usage_version', 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        [],
        |r| r.get(0),
    )?)
}

/// Records what one stored event says a household bought, in the push's transaction: a placed
/// order's lines as new usage rows, an amendment's quantities on the rows of its order (the
/// order's household and time stay those of the order; an order with no rows had no household).
fn record_usage(tx: &rusqlite::Transaction<'_>, terminal: &Terminal, usage: &OrderUsage) -> Result<(), HubError> {
    match usage {
        OrderUsage::Placed { order_id, household, seq, created_at, lines } => {
            let order = order_id.to_string();
            // One text form for every instant, so periods compare as text (an unreadable time
            // is kept as sent: the order is stored all the same).
            let created_at = created_at.parse::<Timestamp>().map_or_else(|_| created_at.clone(), time_text);
            for (product, qty) in lines {
                let version = next_usage_version(tx)?;
                tx.prepare_cached(
                    "INSERT INTO usage (order_id, product, market, terminal, seq, household, qty, at, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (order_id, product) DO NOTHING",
                )?
                .execute(params![
                    order,
                    product,
                    terminal.market,
                    terminal.id,
                    i64::try_from(*seq).unwrap_or(i64::MAX),
                    household,
                    qty,
                    created_at,
                    version
                ])?;
            }
        }
        OrderUsage::Amended { order_id, lines } => {
            let order = order_id.to_string();
            type Row = (String, String, String, i64, String, String, u32);
            let rows: Vec<Row> = tx
                .prepare_cached(
                    "SELECT product, market, terminal, seq, household, at, qty FROM usage WHERE order_id = ?1",
                )?
                .query_map([&order], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let Some((_, market, placed_at, seq, household, at, _)) = rows.first().cloned() else { return Ok(()) };
            let mut products: Vec<(&str, u32)> = rows.iter().map(|r| (r.0.as_str(), 0)).collect();
            for (product, qty) in lines {
                match products.iter_mut().find(|(p, _)| p == product) {
                    Some((_, q)) => *q = *qty,
                    None => products.push((product, *qty)),
                }
            }
            for (product, qty) in products {
                let before = rows.iter().find(|r| r.0 == product).map(|r| r.6);
                if before == Some(qty) {
                    continue;
                }
                let version = next_usage_version(tx)?;
                tx.prepare_cached(
                    "INSERT INTO usage (order_id, product, market, terminal, seq, household, qty, at, version)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (order_id, product) DO UPDATE SET qty = ?7, version = ?9, checked = 0",
                )?
                .execute(params![order, product, market, placed_at, seq, household, qty, at, version])?;
            }
        }
    }
    Ok(())
}

/// The limit a market's kiosks apply to a product: the market's own, else the cooperative's
/// (per day); `None` if neither.
fn limit_of(conn: &Connection, market: &str, product: &str) -> Result<Option<Limit>, HubError> {
    let row: Option<(Option<u32>, Option<String>, Option<u32>)> = conn
        .prepare_cached(
            "SELECT a.limit_per_household, a.limit_period, p.limit_per_household
             FROM products p LEFT JOIN assortment a ON a.product = p.id AND a.market = ?1 WHERE p.id = ?2",
        )?
        .query_row([market, product], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        Some((Some(n), period, _)) => {
            Some(Limit { per_household: n, period: period.as_deref().and_then(LimitPeriod::parse).unwrap_or_default() })
        }
        Some((None, _, Some(n))) => Some(Limit { per_household: n, period: LimitPeriod::Day }),
        _ => None,
    })
}

fn restock_cycle_of(conn: &Connection, market: &str) -> Result<Option<RestockCycle>, HubError> {
    let row: Option<(u32, String)> = conn
        .prepare_cached("SELECT days, from_date FROM restock_cycles WHERE market = ?1")?
        .query_row([market], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.filter(|(days, _)| *days > 0).and_then(|(days, from)| Some(RestockCycle { days, from: from.parse().ok()? })))
}

fn operator_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Operator, HubError>> {
    let (name, role, password_hash, failures, paused): (String, String, String, u32, Option<String>) =
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
    Ok((|| {
        Ok(Operator {
            role: Role::parse(&role)
                .ok_or_else(|| HubError::Db(format!("operator {name:?}: unknown role {role:?}")))?,
            paused_until: paused
                .map(|t| t.parse().map_err(|e| HubError::Db(format!("operator {name:?}: pause {t:?}: {e}"))))
                .transpose()?,
            name,
            password_hash,
            failures,
        })
    })())
}

fn alarms(conn: &Connection, open_only: bool) -> Result<Vec<Alarm>, HubError> {
    let sql = if open_only {
        "SELECT id, at, terminal, kind, message, repeats, last_at, cleared_at FROM alarms WHERE cleared_at IS NULL ORDER BY id"
    } else {
        "SELECT id, at, terminal, kind, message, repeats, last_at, cleared_at FROM alarms ORDER BY id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(Alarm {
            id: r.get(0)?,
            at: r.get(1)?,
            terminal: r.get(2)?,
            kind: r.get(3)?,
            message: r.get(4)?,
            repeats: r.get::<_, i64>(5)? as u64,
            last_at: r.get(6)?,
            cleared_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl SqliteHub {
    fn write(&self) -> Write<'_> {
        Write { conn: lock(&self.writer), committed: &self.committed }
    }

    /// Opens the hub database at `path` only if it is there: the operator's tools never make a
    /// new, empty hub by mistake (a wrong or missing `--data`).
    pub fn open_existing(path: &Path) -> Result<SqliteHub, HubError> {
        if !path.is_file() {
            return Err(HubError::NotFound(format!("hub database {}", path.display())));
        }
        SqliteHub::open(path)
    }

    /// A consistent copy of the whole database in one file, taken while the hub serves.
    pub fn backup_to(&self, to: &Path) -> Result<(), HubError> {
        if to.exists() {
            return Err(HubError::Invalid(format!("{} exists already; name a new file", to.display())));
        }
        let to = to.to_str().ok_or_else(|| HubError::Invalid(format!("{}: not a UTF-8 path", to.display())))?;
        lock(&self.reader).execute("VACUUM INTO ?1", [to])?;
        Ok(())
    }

    /// Opens (creating if needed) the hub database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteHub, HubError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| HubError::Db(format!("{}: {e}", dir.display())))?;
        }
        let mut writer = open_conn(path)?;
        writer.pragma_update(None, "foreign_keys", "ON")?;
        let known = SCHEMA.len() as i64;
        // IMMEDIATE, version read inside: `serve` and an operator command starting together must
        // not both create the schema.
        let tx = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > known {
            return Err(HubError::Db(format!("the hub database has schema {current}; this program knows {known}")));
        }
        for (i, sql) in SCHEMA.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        // Commits leave checkpoints to the checkpointer thread; the WAL file is trimmed back to
        // this size after each one that caught up.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        writer.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        let reader = open_conn(path)?;
        reader.pragma_update(None, "wal_autocheckpoint", 0)?;
        let committed = spawn_checkpointer(path)?;
        Ok(SqliteHub { writer: Mutex::new(writer), reader: Mutex::new(reader), committed })
    }

    fn assortment_upsert(
        &self,
        market: &str,
        product: &str,
        change: impl FnOnce(&mut AssortmentRow),
    ) -> Result<(), HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<i64> =
            tx.query_row("SELECT 1 FROM products WHERE id = ?1", [product], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(HubError::NotFound(format!("product {product:?}")));
        }
        let mut row: AssortmentRow = tx
            .query_row(
                "SELECT listed, price_fen, limit_per_household, limit_period, position FROM assortment
                 WHERE market = ?1 AND product = ?2",
                [market, product],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .unwrap_or((true, None, None, None, None));
        change(&mut row);
        let version = next_version(&tx)?;
        tx.execute(
            "INSERT INTO assortment (market, product, listed, price_fen, limit_per_household, limit_period, version, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (market, product) DO UPDATE SET listed = ?3, price_fen = ?4, limit_per_household = ?5,
                limit_period = ?6, version = ?7, position = ?8",
            params![market, product, row.0, row.1, row.2, row.3, version, row.4],
        )?;
        tx.commit()?;
        Ok(())
    }
}

impl HubStore for SqliteHub {
    fn terminal_by_token(&self, token_hash: &str) -> Result<Option<Terminal>, HubError> {
        let conn = lock(&self.reader);
        Ok(conn
            .prepare_cached("SELECT id, market, instance FROM terminals WHERE token_hash = ?1 AND revoked_at IS NULL")?
            .query_row([token_hash], |r| Ok(Terminal { id: r.get(0)?, market: r.get(1)?, instance: r.get(2)? }))
            .optional()?)
    }

    fn push(
        &self,
        terminal: &Terminal,
        events: &mut dyn Iterator<Item = Result<Incoming, Aborted>>,
        now: Timestamp,
    ) -> Result<PushOutcome, HubError> {
        let mut events = events.peekable();
        // Wait for the first events before taking the writer: others may write meanwhile.
        if let Some(Err(Aborted)) = events.peek() {
            return Ok(PushOutcome::Aborted);
        }
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let start: i64 = tx.query_row("SELECT high_seq FROM terminals WHERE id = ?1", [&terminal.id], |r| r.get(0))?;
        let start = start as u64;
        let mut high = start;
        let mut last_seq = None;
        let (mut stored, mut duplicates) = (0u64, 0u64);
        let received = time_text(now);
        {
            let mut by_id = tx.prepare_cached("SELECT terminal, seq, kind, payload FROM events WHERE id = ?1")?;
            let mut by_seq = tx.prepare_cached("SELECT id FROM events WHERE terminal = ?1 AND seq = ?2")?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (id, terminal, seq, kind, created_at, payload, received_at, amount_fen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            )?;
            let mut id_text = uuid::Uuid::encode_buffer();
            for incoming in events {
                let Ok(Incoming { event: ev, order_total, usage }) = incoming else {
                    return Ok(PushOutcome::Aborted);
                };
                last_seq = Some(ev.seq);
                let id = &*ev.id.hyphenated().encode_lower(&mut id_text);
                let payload = ev.payload.get();
                if ev.seq <= high {
                    let found: Option<(String, i64, String, String)> =
                        by_id.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()?;
                    match found {
                        Some((t, s, k, p))
                            if t == terminal.id && s as u64 == ev.seq && k == ev.kind && p == payload =>
                        {
                            duplicates += 1;
                        }
                        Some((t, s, _, _)) => {
                            let detail = if t != terminal.id || s as u64 != ev.seq {
                                conflict::moved(id, &terminal.id, ev.seq, &t, s)
                            } else {
                                conflict::changed(id, &terminal.id, ev.seq)
                            };
                            return Ok(PushOutcome::Conflict { acked_upto: start, detail });
                        }
                        None => {
                            let other: Option<String> =
                                by_seq.query_row(params![terminal.id, ev.seq as i64], |r| r.get(0)).optional()?;
                            let detail = match other {
                                Some(other) => conflict::other_id(id, &terminal.id, ev.seq, &other),
                                None => conflict::unknown(id, &terminal.id, ev.seq),
                            };
                            return Ok(PushOutcome::Conflict { acked_upto: start, detail });
                        }
                    }
                    continue;
                }
                if ev.seq != high + 1 {
                    return Ok(PushOutcome::Gap { acked_upto: start, first_new: ev.seq });
                }
                let n = insert.execute(params![
                    id,
                    terminal.id,
                    ev.seq as i64,
                    ev.kind,
                    ev.created_at,
                    payload,
                    received,
                    order_total
                ])?;
                if n == 0 {
                    // UNIQUE(id) or UNIQUE(terminal, seq) held it back: the id is used elsewhere.
                    let stored_as: Option<(String, i64)> =
                        by_id.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
                    let detail = match stored_as {
                        Some((t, s)) => conflict::reused(id, &terminal.id, ev.seq, &t, s),
                        None => conflict::seq_taken(&terminal.id, ev.seq),
                    };
                    return Ok(PushOutcome::Conflict { acked_upto: start, detail });
                }
                if let Some(usage) = usage {
                    record_usage(&tx, terminal, &usage)?;
                }
                stored += 1;
                high = ev.seq;
            }
        }
        tx.execute(
            "UPDATE terminals SET high_seq = ?2, last_push_at = ?3 WHERE id = ?1",
            params![terminal.id, high as i64, received],
        )?;
        tx.commit()?;
        // Acknowledge what this batch proved, not more: events of an old copy beyond the batch
        // must still come and be compared before the terminal may drop them.
        let acked_upto = last_seq.map_or(high, |seq: u64| seq.min(high));
        Ok(PushOutcome::Accepted(PushResponse { acked_upto, stored, duplicates }))
    }

    fn raise_alarm(&self, terminal: Option<&str>, kind: &str, message: &str, now: Timestamp) -> Result<(), HubError> {
        let conn = self.write();
        let at = time_text(now);
        // The same open alarm again (a terminal retrying) is counted, not listed twice.
        let again = conn.execute(
            "UPDATE alarms SET repeats = repeats + 1, last_at = ?1
             WHERE cleared_at IS NULL AND terminal IS ?2 AND kind = ?3 AND message = ?4",
            params![at, terminal, kind, message],
        )?;
        if again == 0 {
            conn.execute(
                "INSERT INTO alarms (at, last_at, terminal, kind, message) VALUES (?1, ?1, ?2, ?3, ?4)",
                params![at, terminal, kind, message],
            )?;
        }
        Ok(())
    }

    fn clear_alarm(&self, id: i64, now: Timestamp) -> Result<(), HubError> {
        let n = self.write().execute(
            "UPDATE alarms SET cleared_at = ?2 WHERE id = ?1 AND cleared_at IS NULL",
            params![id, time_text(now)],
        )?;
        if n == 0 { Err(HubError::NotFound(format!("open alarm {id}"))) } else { Ok(()) }
    }

    fn catalog_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<CatalogPage, HubError> {
        let limit = i64::from(limit.max(1));
        // Each table is asked for one row more than a page, so `more` is known exactly.
        let fetch = limit + 1;
        let cursor_i = store::cursor_in_db(cursor)?;
        let mut changes = Vec::new();
        {
            let mut reader = lock(&self.reader);
            // One read transaction, one snapshot for the four tables: a change committed between
            // two of the reads could otherwise be skipped by the cursor.
            let conn = reader.transaction()?;
            changes_after(
                &conn,
                "SELECT version, name_zh, name_en FROM market_names WHERE id = '*' AND version > ?1 ORDER BY version LIMIT ?2",
                params![cursor_i, fetch],
                |r| {
                    Ok(CatalogChange::Market {
                        version: r.get::<_, i64>(0)? as u64,
                        name_zh: r.get(1)?,
                        name_en: r.get(2)?,
                    })
                },
                &mut changes,
            )?;
            changes_after(
                &conn,
                "SELECT version, id, deleted, name_zh, name_en, picture, position, parent FROM categories
                 WHERE version > ?1 ORDER BY version LIMIT ?2",
                params![cursor_i, fetch],
                |r| {
                    Ok(CatalogChange::Category {
                        version: r.get::<_, i64>(0)? as u64,
                        id: r.get(1)?,
                        deleted: r.get(2)?,
                        name_zh: r.get(3)?,
                        name_en: r.get(4)?,
                        picture: r.get(5)?,
                        position: r.get(6)?,
                        parent: r.get(7)?,
                    })
                },
                &mut changes,
            )?;
            changes_after(
                &conn,
                &format!(
                    "SELECT version, id, deleted, picture, position, {PRODUCT_COLUMNS}
                     FROM products WHERE version > ?1 ORDER BY version LIMIT ?2"
                ),
                params![cursor_i, fetch],
                |r| {
                    Ok(CatalogChange::Product {
                        version: r.get::<_, i64>(0)? as u64,
                        id: r.get(1)?,
                        deleted: r.get(2)?,
                        picture: r.get(3)?,
                        position: r.get(4)?,
                        row: ProductRow::from_sqlite(r, 5)?,
                    })
                },
                &mut changes,
            )?;
            changes_after(
                &conn,
                "SELECT version, product, listed, price_fen, limit_per_household, limit_period, position FROM assortment
                 WHERE market = ?3 AND version > ?1 ORDER BY version LIMIT ?2",
                params![cursor_i, fetch, terminal.market],
                |r| {
                    Ok(CatalogChange::Assortment {
                        version: r.get::<_, i64>(0)? as u64,
                        product: r.get(1)?,
                        listed: r.get(2)?,
                        price_fen: r.get(3)?,
                        limit_per_household: r.get(4)?,
                        limit_period: r.get::<_, Option<String>>(5)?.as_deref().and_then(LimitPeriod::parse),
                        position: r.get(6)?,
                    })
                },
                &mut changes,
            )?;
            changes_after(
                &conn,
                "SELECT version, id, deleted, building, surname, phone_last4 FROM households
                 WHERE market = ?3 AND version > ?1 ORDER BY version LIMIT ?2",
                params![cursor_i, fetch, terminal.market],
                |r| {
                    Ok(CatalogChange::Household {
                        version: r.get::<_, i64>(0)? as u64,
                        id: r.get(1)?,
                        deleted: r.get(2)?,
                        building: r.get(3)?,
                        surname: r.get(4)?,
                        phone_last4: r.get(5)?,
                    })
                },
                &mut changes,
            )?;
            changes_after(
                &conn,
                "SELECT version, days, from_date FROM restock_cycles
                 WHERE market = ?3 AND version > ?1 ORDER BY version LIMIT ?2",
                params![cursor_i, fetch, terminal.market],
                |r| {
                    Ok(CatalogChange::RestockCycle {
                        version: r.get::<_, i64>(0)? as u64,
                        days: r.get(1)?,
                        from: r.get(2)?,
                    })
                },
                &mut changes,
            )?;
            daily_list::changes_after(&conn, cursor_i, fetch, &terminal.market, &mut changes)?;
        }
        self.write()
            .execute("UPDATE terminals SET last_pull_at = ?2 WHERE id = ?1", params![terminal.id, time_text(now)])?;
        Ok(store::catalog_page(changes, cursor, limit as usize))
    }

    fn picture(&self, hash: &str) -> Result<Option<Vec<u8>>, HubError> {
        Ok(lock(&self.reader)
            .prepare_cached("SELECT bytes FROM pictures WHERE hash = ?1")?
            .query_row([hash], |r| r.get(0))
            .optional()?)
    }

    fn dashboard(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, HubError> {
        let conn = lock(&self.reader);
        let mut terminals = Vec::new();
        let mut stmt = conn.prepare(
            "SELECT id, market, high_seq, max(coalesce(last_push_at, ''), coalesce(last_pull_at, '')) FROM terminals ORDER BY market, id",
        )?;
        for row in stmt.query_map([], |r| {
            let last: String = r.get(3)?;
            Ok(TerminalRow {
                id: r.get(0)?,
                market: r.get(1)?,
                acked_upto: r.get::<_, i64>(2)? as u64,
                last_sync: (!last.is_empty()).then_some(last),
            })
        })? {
            terminals.push(row?);
        }
        // Orders placed and what they came to, and sales: what was paid (an order amended at the
        // counter counts at what was paid, one never collected not at all).
        let mut stmt = conn.prepare(
            "SELECT t.market, count(e.amount_fen), coalesce(sum(e.amount_fen), 0),
                    coalesce(sum(CASE WHEN e.kind = 'payment.recorded' THEN json_extract(e.payload, '$.amount') END), 0)
             FROM events e JOIN terminals t ON t.id = e.terminal
             WHERE e.kind IN ('order.placed', 'payment.recorded') AND e.created_at >= ?1 AND e.created_at < ?2
             GROUP BY t.market",
        )?;
        let sold: Vec<(String, i64, i64, i64)> = stmt
            .query_map([time_text(from), time_text(to)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let alarms = alarms(&conn, true)?;
        Ok(Dashboard::assemble(terminals, &sold, alarms))
    }

    fn add_terminal(&self, id: &str, market: &str, token_hash: &str, now: Timestamp) -> Result<(), HubError> {
        let conn = self.write();
        let exists: Option<i64> =
            conn.query_row("SELECT 1 FROM terminals WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if exists.is_some() {
            return Err(HubError::Invalid(format!("terminal {id:?} is already registered")));
        }
        conn.execute(
            "INSERT INTO terminals (id, market, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![id, market, token_hash, time_text(now)],
        )?;
        Ok(())
    }

    fn import_catalog(&self, catalog: &CatalogImport) -> Result<ImportSummary, HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = ImportSummary::default();
        let mut store_picture = |tx: &rusqlite::Transaction<'_>, bytes: &[u8]| -> Result<String, HubError> {
            let hash = sha256_hex(bytes);
            summary.pictures += tx.execute(
                "INSERT INTO pictures (hash, bytes) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![hash, bytes],
            )? as u64;
            Ok(hash)
        };
        let mut changed = 0u64;
        let mut unchanged = 0u64;
        let name: Option<(String, String)> = tx
            .query_row("SELECT name_zh, name_en FROM market_names WHERE id = '*'", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if name.as_ref() != Some(&(catalog.market_name_zh.clone(), catalog.market_name_en.clone())) {
            let v = next_version(&tx)?;
            tx.execute(
                "INSERT INTO market_names (id, name_zh, name_en, version) VALUES ('*', ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET name_zh = ?1, name_en = ?2, version = ?3",
                params![catalog.market_name_zh, catalog.market_name_en, v],
            )?;
        }
        for (pos, c) in catalog.categories.iter().enumerate() {
            let picture = store_picture(&tx, &c.picture)?;
            let row = (c.name_zh.clone(), c.name_en.clone(), picture.clone(), pos as i64, false, c.parent.clone());
            let old: Option<(String, String, String, i64, bool, Option<String>)> = tx
                .query_row(
                    "SELECT name_zh, name_en, picture, position, deleted, parent FROM categories WHERE id = ?1",
                    [&c.id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?;
            if old.as_ref() == Some(&row) {
                unchanged += 1;
                continue;
            }
            let v = next_version(&tx)?;
            tx.execute(
                "INSERT INTO categories (id, name_zh, name_en, picture, position, deleted, version, parent)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET name_zh = ?2, name_en = ?3, picture = ?4, position = ?5, deleted = 0,
                    version = ?6, parent = ?7",
                params![c.id, c.name_zh, c.name_en, picture, pos as i64, v, c.parent],
            )?;
            changed += 1;
        }
        let select_product =
            format!("SELECT {PRODUCT_COLUMNS}, picture, position, deleted FROM products WHERE id = ?1");
        // The row binds ?1 to ?10 (`ProductRow::sqlite_params`).
        let upsert_product = format!(
            "INSERT INTO products ({PRODUCT_COLUMNS}, picture, position, deleted, version, id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14)
             ON CONFLICT (id) DO UPDATE SET ({PRODUCT_COLUMNS}, picture, position, deleted, version)
                = (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13)"
        );
        for (pos, p) in catalog.products.iter().enumerate() {
            let picture = store_picture(&tx, &p.picture)?;
            let row = (p.row.clone(), picture.clone(), pos as i64, false);
            let old: Option<(ProductRow, String, i64, bool)> = tx
                .query_row(&select_product, [&p.id], |r| {
                    Ok((ProductRow::from_sqlite(r, 0)?, r.get(10)?, r.get(11)?, r.get(12)?))
                })
                .optional()?;
            if old.as_ref() == Some(&row) {
                unchanged += 1;
                continue;
            }
            let v = next_version(&tx)?;
            let mut params = p.row.sqlite_params().to_vec();
            params.extend([&picture as &dyn ToSql, &row.2, &v, &p.id]);
            tx.execute(&upsert_product, params.as_slice())?;
            changed += 1;
        }
        // Whatever the new catalog no longer has is withdrawn with a tombstone.
        let keep_products: HashSet<&str> = catalog.products.iter().map(|p| p.id.as_str()).collect();
        let keep_categories: HashSet<&str> = catalog.categories.iter().map(|c| c.id.as_str()).collect();
        let mut withdrawn = 0u64;
        for (table, keep) in [("products", &keep_products), ("categories", &keep_categories)] {
            let ids: Vec<String> = tx
                .prepare(&format!("SELECT id FROM {table} WHERE deleted = 0"))?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids.iter().filter(|id| !keep.contains(id.as_str())) {
                let v = next_version(&tx)?;
                tx.execute(&format!("UPDATE {table} SET deleted = 1, version = ?2 WHERE id = ?1"), params![id, v])?;
                withdrawn += 1;
            }
        }
        tx.commit()?;
        summary.changed = changed;
        summary.unchanged = unchanged;
        summary.withdrawn = withdrawn;
        Ok(summary)
    }

    fn set_price(&self, market: &str, product: &str, price_fen: Option<i64>) -> Result<(), HubError> {
        if price_fen.is_some_and(|p| p < 0) {
            return Err(HubError::Invalid("a price cannot be negative".into()));
        }
        self.assortment_upsert(market, product, |row| row.1 = price_fen)
    }

    fn set_household_limit(&self, market: &str, product: &str, limit: Option<Limit>) -> Result<(), HubError> {
        self.assortment_upsert(market, product, |row| {
            row.2 = limit.map(|l| l.per_household);
            row.3 = limit.map(|l| l.period.as_str().to_owned());
        })
    }

    fn set_listed(&self, market: &str, product: &str, listed: bool) -> Result<(), HubError> {
        self.assortment_upsert(market, product, |row| row.0 = listed)
    }

    fn set_position(&self, market: &str, product: &str, position: Option<i64>) -> Result<(), HubError> {
        self.assortment_upsert(market, product, |row| row.4 = position)
    }

    fn restock_cycle(&self, market: &str) -> Result<Option<RestockCycle>, HubError> {
        restock_cycle_of(&lock(&self.reader), market)
    }

    fn set_restock_cycle(&self, market: &str, cycle: Option<RestockCycle>) -> Result<(), HubError> {
        if cycle.is_some_and(|c| c.days == 0 || c.days > 366) {
            return Err(HubError::Invalid("a restock cycle is 1 to 366 days".into()));
        }
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = next_version(&tx)?;
        let (days, from) = cycle.map_or((0, String::new()), |c| (c.days, c.from.to_string()));
        tx.execute(
            "INSERT INTO restock_cycles (market, days, from_date, version) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (market) DO UPDATE SET days = ?2, from_date = ?3, version = ?4",
            params![market, days, from, version],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn daily_list(&self, market: &str) -> Result<Vec<DailyItem>, HubError> {
        daily_list::read(&lock(&self.reader), market)
    }

    fn set_daily_list(&self, market: &str, items: &[DailyItem]) -> Result<(), HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        daily_list::check_products(&tx, market, items)?;
        let version = next_version(&tx)?;
        daily_list::write(&tx, market, items, version)?;
        tx.commit()?;
        Ok(())
    }

    fn import_households(&self, market: &str, households: &[Household]) -> Result<HouseholdImport, HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summary = HouseholdImport::default();
        for h in households {
            type Row = (String, Option<String>, Option<String>, bool);
            let old: Option<Row> = tx
                .prepare_cached(
                    "SELECT building, surname, phone_last4, deleted FROM households WHERE market = ?1 AND id = ?2",
                )?
                .query_row([market, h.id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let row = (h.building.clone(), h.surname.clone(), h.phone_last4.clone(), false);
            match &old {
                Some(old) if *old == row => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.changed += 1,
                None => summary.added += 1,
            }
            let version = next_version(&tx)?;
            tx.prepare_cached(
                "INSERT INTO households (market, id, building, surname, phone_last4, deleted, version)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)
                 ON CONFLICT (market, id) DO UPDATE SET building = ?3, surname = ?4, phone_last4 = ?5, deleted = 0,
                    version = ?6",
            )?
            .execute(params![market, h.id.as_str(), h.building, h.surname, h.phone_last4, version])?;
        }
        tx.commit()?;
        Ok(summary)
    }

    fn remove_household(&self, market: &str, id: &HouseholdId) -> Result<(), HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = next_version(&tx)?;
        let n = tx.execute(
            "UPDATE households SET deleted = 1, version = ?3 WHERE market = ?1 AND id = ?2 AND deleted = 0",
            params![market, id.as_str(), version],
        )?;
        if n == 0 {
            return Err(HubError::NotFound(format!("household {id} of market {market}")));
        }
        tx.commit()?;
        Ok(())
    }

    fn households(&self, market: &str) -> Result<Vec<Household>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt = conn
            .prepare("SELECT id, building, surname, phone_last4 FROM households WHERE market = ?1 AND deleted = 0")?;
        let rows: Vec<(String, String, Option<String>, Option<String>)> = stmt
            .query_map([market], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, building, surname, phone_last4) in rows {
            let id = HouseholdId::parse(&id).map_err(|e| HubError::Db(format!("stored household {id:?}: {e}")))?;
            out.push(Household { id, building, surname, phone_last4 });
        }
        out.sort_by_key(|a| household_order(&a.id));
        Ok(out)
    }

    fn usage_page(&self, terminal: &Terminal, cursor: u64, limit: u32) -> Result<UsagePage, HubError> {
        let limit = i64::from(limit.max(1));
        let cursor_i = i64::try_from(cursor).unwrap_or(i64::MAX);
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT version, order_id, terminal, household, product, qty, at FROM usage
             WHERE market = ?1 AND version > ?2 ORDER BY version LIMIT ?3",
        )?;
        let rows: Vec<(i64, String, String, String, String, u32, String)> = stmt
            .query_map(params![terminal.market, cursor_i, limit + 1], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let more = rows.len() > limit as usize;
        let mut entries = Vec::with_capacity(rows.len());
        for (version, order_id, terminal, household, product, qty, at) in rows.into_iter().take(limit as usize) {
            let order_id = uuid::Uuid::parse_str(&order_id)
                .map_err(|e| HubError::Db(format!("stored usage order {order_id:?}: {e}")))?;
            entries.push(UsageEntry { version: version as u64, order_id, terminal, household, product, qty, at });
        }
        let next_cursor = entries.last().map_or(cursor, |e| e.version);
        Ok(UsagePage { entries, next_cursor, more })
    }

    fn check_limits(&self, tz: &jiff::tz::TimeZone, now: Timestamp) -> Result<Vec<LimitAlarm>, HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let unchecked: Vec<(String, String, String, String)> = tx
            .prepare_cached(
                "SELECT DISTINCT market, household, product, at FROM usage WHERE checked = 0 ORDER BY market, household, product, at",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut raised: Vec<LimitAlarm> = Vec::new();
        for (market, household, product, at) in unchecked {
            let Some(limit) = limit_of(&tx, &market, &product)? else { continue };
            let Ok(at) = at.parse::<Timestamp>() else { continue };
            let cycle = restock_cycle_of(&tx, &market)?;
            let (start, end) = warm_core::domain::household::period_window(limit.period, at, tz, cycle);
            let rows: Vec<(String, i64, String, u32, String)> = tx
                .prepare_cached(
                    "SELECT terminal, seq, order_id, qty, at FROM usage
                     WHERE market = ?1 AND household = ?2 AND product = ?3 AND at >= ?4 AND at < ?5 AND qty > 0
                     ORDER BY at, terminal, seq",
                )?
                .query_map(params![market, household, product, time_text(start), time_text(end)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let purchases = rows.iter().filter_map(|r| Some(Purchase { at: r.4.parse().ok()?, qty: r.3 }));
            let Some(found) = breach(limit, purchases, at, tz, cycle) else { continue };
            let orders: Vec<String> = rows.iter().map(|(t, seq, id, _, _)| format!("{t}-{seq:04} ({id})")).collect();
            let alarm = LimitAlarm {
                market: market.clone(),
                household: household.clone(),
                product: product.clone(),
                limit: limit.per_household,
                period: limit.period,
                bought: found.bought,
                orders,
            };
            // Two unchecked rows of one breach (both kiosks' orders came in one round) raise it once.
            if !raised.contains(&alarm) {
                raise_limit_alarm(&tx, &alarm, now)?;
                raised.push(alarm);
            }
        }
        tx.execute("UPDATE usage SET checked = 1 WHERE checked = 0", [])?;
        tx.commit()?;
        Ok(raised)
    }

    fn high_seq(&self, terminal: &str) -> Result<u64, HubError> {
        let high: Option<i64> = lock(&self.reader)
            .prepare_cached("SELECT high_seq FROM terminals WHERE id = ?1")?
            .query_row([terminal], |r| r.get(0))
            .optional()?;
        high.map(|h| h as u64).ok_or_else(|| HubError::NotFound(format!("terminal {terminal:?}")))
    }

    fn event_count(&self, terminal: Option<&str>) -> Result<u64, HubError> {
        let conn = lock(&self.reader);
        let n: i64 = match terminal {
            Some(t) => conn.query_row("SELECT count(*) FROM events WHERE terminal = ?1", [t], |r| r.get(0))?,
            None => conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?,
        };
        Ok(n as u64)
    }

    fn census(&self) -> Result<Census, HubError> {
        let mut reader = lock(&self.reader);
        let conn = reader.transaction()?;
        let count = |table: &str| -> Result<u64, HubError> {
            Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0))? as u64)
        };
        let mut census = Census {
            events: count("events")?,
            alarms: count("alarms")?,
            market_names: count("market_names")?,
            categories: count("categories")?,
            products: count("products")?,
            assortment: count("assortment")?,
            pictures: count("pictures")?,
            operators: count("operators")?,
            sessions: count("sessions")?,
            van_routes: count("van_routes")?,
            dispatch_notes: count("dispatch_notes")?,
            planned_requests: count("planned_requests")?,
            households: count("households")?,
            restock_cycles: count("restock_cycles")?,
            daily_lists: count("daily_lists")?,
            usage: count("usage")?,
            ..Census::default()
        };
        let counter = |name: &str| -> Result<u64, HubError> {
            Ok(conn
                .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| r.get::<_, i64>(0))
                .optional()?
                .unwrap_or(0) as u64)
        };
        census.catalog_version = counter("catalog_version")?;
        census.dispatch_version = counter("dispatch_version")?;
        census.usage_version = counter("usage_version")?;
        let mut stmt = conn.prepare(
            "SELECT t.id, t.market, t.high_seq, count(e.id), count(DISTINCT e.id), coalesce(max(e.seq), 0),
                    coalesce(sum(e.amount_fen), 0), t.revoked_at, t.instance
             FROM terminals t LEFT JOIN events e ON e.terminal = t.id GROUP BY t.id ORDER BY t.id",
        )?;
        for row in stmt.query_map([], |r| {
            Ok(TerminalCensus {
                id: r.get(0)?,
                market: r.get(1)?,
                high_seq: r.get::<_, i64>(2)? as u64,
                events: r.get::<_, i64>(3)? as u64,
                distinct_ids: r.get::<_, i64>(4)? as u64,
                max_seq: r.get::<_, i64>(5)? as u64,
                amount_fen: r.get(6)?,
                revoked_at: r.get(7)?,
                instance: r.get(8)?,
            })
        })? {
            census.terminals.push(row?);
        }
        Ok(census)
    }

    fn restock_requests(&self, open_only: bool) -> Result<Vec<RestockRow>, HubError> {
        self.restock_requests_sqlite(open_only)
    }

    fn set_route(&self, market: &str, van: &str, stop: u32) -> Result<(), HubError> {
        self.set_route_sqlite(market, van, stop)
    }

    fn van_plan(&self, date: &str) -> Result<VanPlan, HubError> {
        self.van_plan_sqlite(date)
    }

    fn confirm_van_plan(
        &self,
        date: &str,
        now: Timestamp,
    ) -> Result<Vec<warm_core::api::manager::DispatchNote>, HubError> {
        self.confirm_van_plan_sqlite(date, now)
    }

    fn dispatch_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<warm_core::api::manager::DispatchPage, HubError> {
        self.dispatch_page_sqlite(terminal, cursor, limit)
    }

    fn market_days(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ManagerDay>, HubError> {
        self.market_days_sqlite(from, to)
    }

    fn terminals(&self) -> Result<Vec<TerminalInfo>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare(
            "SELECT id, market, high_seq, nullif(max(coalesce(last_push_at, ''), coalesce(last_pull_at, '')), ''),
                    created_at, revoked_at
             FROM terminals ORDER BY market, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TerminalInfo {
                id: r.get(0)?,
                market: r.get(1)?,
                acked_upto: r.get::<_, i64>(2)? as u64,
                last_sync: r.get(3)?,
                created_at: r.get(4)?,
                revoked_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn revoke_terminal(&self, id: &str, now: Timestamp) -> Result<(), HubError> {
        let n = self.write().execute(
            "UPDATE terminals SET token_hash = 'revoked:' || id, revoked_at = ?2 WHERE id = ?1",
            params![id, time_text(now)],
        )?;
        if n == 0 { Err(HubError::NotFound(format!("terminal {id:?}"))) } else { Ok(()) }
    }

    fn rotate_terminal(&self, id: &str, token_hash: &str, _now: Timestamp) -> Result<(), HubError> {
        let n = self.write().execute(
            "UPDATE terminals SET token_hash = ?2, revoked_at = NULL WHERE id = ?1",
            params![id, token_hash],
        )?;
        if n == 0 { Err(HubError::NotFound(format!("terminal {id:?}"))) } else { Ok(()) }
    }

    fn markets(&self) -> Result<Vec<String>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare("SELECT DISTINCT market FROM terminals ORDER BY market")?;
        let markets = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(markets)
    }

    fn alarms(&self, open_only: bool) -> Result<Vec<Alarm>, HubError> {
        let conn = lock(&self.reader);
        alarms(&conn, open_only)
    }

    fn recover(
        &self,
        terminal: &Terminal,
        instance: &str,
        new_instance: &str,
        events: &[RecoveryEvent],
    ) -> Result<Recovery, HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (high, current): (i64, Option<String>) =
            tx.query_row("SELECT high_seq, instance FROM terminals WHERE id = ?1", [&terminal.id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let high = high as u64;
        let refuse = |reason: String| Ok(Recovery::Refused { acked_upto: high, reason });
        if let Some(current) = current.filter(|c| c != instance && c != new_instance) {
            return refuse(format!(
                "terminal {} was recovered from a backup by another kiosk copy ({current}); this copy ({instance}) may no longer send",
                terminal.id
            ));
        }
        // The first events the hub has exactly so (same id, seq, kind and payload) may be dropped.
        let mut known = 0usize;
        {
            let mut by_id = tx.prepare_cached("SELECT terminal, seq, kind, payload FROM events WHERE id = ?1")?;
            for (i, e) in events.iter().enumerate() {
                let stored: Option<(String, i64, String, String)> = by_id
                    .query_row([e.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                    .optional()?;
                match stored {
                    None => continue,
                    Some((t, s, k, p))
                        if i == known
                            && t == terminal.id
                            && s as u64 == e.seq
                            && k == e.kind
                            && sha256_hex(p.as_bytes()) == e.payload_sha256 =>
                    {
                        known += 1;
                    }
                    Some((t, s, _, _)) => {
                        return refuse(format!(
                            "event {} (#{}) is stored at the hub as {t}#{s} with other contents: not a backup of this terminal",
                            e.id, e.seq
                        ));
                    }
                }
            }
        }
        let unknown = &events[known..];
        let answer = |renumber_from| {
            Ok(Recovery::Answer(RecoveryAnswer { acked_upto: high, known: known as u64, renumber_from }))
        };
        let Some(first) = unknown.first() else { return answer(None) };
        if first.seq > high {
            return refuse(format!("event #{} does not reuse a number the hub holds (#{high} is the last)", first.seq));
        }
        if unknown.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
            return refuse("the events sent are not in consecutive seq order".into());
        }
        // A kiosk back from a backup made its unknown events after everything the hub holds at
        // those numbers (its own events from before the loss); a second live kiosk did not.
        let mut made_first: Option<Timestamp> = None;
        for e in unknown {
            let at = validate::created_at(&e.created_at).map_err(HubError::Invalid)?;
            made_first = Some(made_first.map_or(at, |m| m.min(at)));
        }
        let made_first = made_first.unwrap_or(Timestamp::MAX);
        let mut stmt = tx.prepare_cached("SELECT seq, created_at FROM events WHERE terminal = ?1 AND seq >= ?2")?;
        let mut rows = stmt.query(params![terminal.id, first.seq as i64])?;
        while let Some(row) = rows.next()? {
            let (seq, at): (i64, String) = (row.get(0)?, row.get(1)?);
            if at.parse::<Timestamp>().map_or(true, |at| at >= made_first) {
                return refuse(format!(
                    "the hub holds {}#{seq} made at {at}, not before this kiosk's unsent event #{} ({}): two kiosks are using terminal {} at once",
                    terminal.id, first.seq, first.created_at, terminal.id
                ));
            }
        }
        drop(rows);
        drop(stmt);
        tx.execute("UPDATE terminals SET instance = ?2 WHERE id = ?1", params![terminal.id, new_instance])?;
        tx.commit()?;
        answer(Some(high + 1))
    }

    fn add_operator(&self, name: &str, role: Role, password_hash: &str, now: Timestamp) -> Result<(), HubError> {
        let n = self.write().execute(
            "INSERT INTO operators (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO NOTHING",
            params![name, role.as_str(), password_hash, time_text(now)],
        )?;
        if n == 0 { Err(HubError::Invalid(format!("operator {name:?} exists already"))) } else { Ok(()) }
    }

    fn set_operator_password(&self, name: &str, password_hash: &str) -> Result<(), HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE operators SET password_hash = ?2, failures = 0, paused_until = NULL WHERE name = ?1",
            params![name, password_hash],
        )?;
        if n == 0 {
            return Err(HubError::NotFound(format!("operator {name:?}")));
        }
        tx.execute("DELETE FROM sessions WHERE operator = ?1", [name])?;
        tx.commit()?;
        Ok(())
    }

    fn remove_operator(&self, name: &str) -> Result<(), HubError> {
        let n = self.write().execute("DELETE FROM operators WHERE name = ?1", [name])?;
        if n == 0 { Err(HubError::NotFound(format!("operator {name:?}"))) } else { Ok(()) }
    }

    fn operator(&self, name: &str) -> Result<Option<Operator>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT name, role, password_hash, failures, paused_until FROM operators WHERE name = ?1",
        )?;
        let found = stmt.query_row([name], operator_row).optional()?;
        found.transpose()
    }

    fn operators(&self) -> Result<Vec<Operator>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt =
            conn.prepare("SELECT name, role, password_hash, failures, paused_until FROM operators ORDER BY name")?;
        let rows = stmt.query_map([], operator_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().collect()
    }

    fn set_login_state(&self, name: &str, failures: u32, paused_until: Option<Timestamp>) -> Result<(), HubError> {
        self.write().execute(
            "UPDATE operators SET failures = ?2, paused_until = ?3 WHERE name = ?1",
            params![name, failures, paused_until.map(time_text)],
        )?;
        Ok(())
    }

    fn add_session(
        &self,
        token_hash: &str,
        operator: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), HubError> {
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [time_text(now)])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, operator, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, operator, time_text(now), time_text(expires_at)],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, HubError> {
        let conn = lock(&self.reader);
        let mut stmt = conn.prepare_cached(
            "SELECT s.operator, o.role, s.expires_at FROM sessions s JOIN operators o ON o.name = s.operator
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        )?;
        let found: Option<(String, String, String)> = stmt
            .query_row(params![token_hash, time_text(now)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        found
            .map(|(operator, role, expires)| {
                Ok(Session {
                    operator,
                    role: Role::parse(&role).ok_or_else(|| HubError::Db(format!("unknown role {role:?}")))?,
                    expires_at: expires
                        .parse()
                        .map_err(|e| HubError::Db(format!("session expiry {expires:?}: {e}")))?,
                })
            })
            .transpose()
    }

    fn end_session(&self, token_hash: &str) -> Result<(), HubError> {
        self.write().execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }
}

/// Households in the order a person reads a list: building, unit, room as numbers.
pub(crate) fn household_order(id: &HouseholdId) -> Vec<u64> {
    id.as_str().split('-').map(|p| p.parse().unwrap_or(u64::MAX)).collect()
}

/// The words of a limit alarm, Chinese first (the site manager's), English after.
pub fn limit_alarm_message(alarm: &LimitAlarm) -> String {
    use warm_core::domain::Lang;
    use warm_core::i18n::{HouseholdWords, period_words, tr};
    let say = |lang| {
        let args = [
            ("household", alarm.household.as_str()),
            ("product", alarm.product.as_str()),
            ("limit", &alarm.limit.to_string()),
            ("period", period_words(alarm.period, lang)),
            ("bought", &alarm.bought.to_string()),
            ("orders", &alarm.orders.join(", ")),
        ];
        tr(HouseholdWords::LimitAlarm, lang, &args)
    };
    format!("{} / {}", say(Lang::Zh), say(Lang::En))
}

/// A limit alarm for the market (no terminal: it takes two or more to break a limit offline).
fn raise_limit_alarm(tx: &rusqlite::Transaction<'_>, alarm: &LimitAlarm, now: Timestamp) -> Result<(), HubError> {
    let at = time_text(now);
    let message = limit_alarm_message(alarm);
    let again = tx.execute(
        "UPDATE alarms SET repeats = repeats + 1, last_at = ?1
         WHERE cleared_at IS NULL AND terminal IS NULL AND kind = 'limit' AND message = ?2",
        params![at, message],
    )?;
    if again == 0 {
        tx.execute(
            "INSERT INTO alarms (at, last_at, terminal, kind, message) VALUES (?1, ?1, NULL, 'limit', ?2)",
            params![at, message],
        )?;
    }
    Ok(())
}
