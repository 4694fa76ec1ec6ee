//! The terminal's durable store: one SQLite file in the data folder, WAL with
//! `synchronous=FULL`, so a committed order survives `kill -9` and power loss.

pub mod backup;
pub mod day;
#[cfg(test)]
mod fixture;
pub mod households;
pub mod leader;
mod migrations;
pub mod orders;
pub mod payments;
pub mod print_jobs;
pub mod recovery;
pub mod sales;
pub mod shelf;
pub mod stock;
pub mod sync;

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use orders::NewOrder;
pub use print_jobs::PrintJob;

/// How long a connection waits for another's lock before giving up with `Busy`. Every write
/// transaction of the kiosk, its sync and its commands takes milliseconds (docs/BENCHMARKS.md,
/// "Store locks"), so this is only reached when something is truly stuck.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not do what was asked. `Clone` so it can travel in UI messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the disk is full ({0})")]
    Full(String),
    #[error("the database is locked by another program ({0})")]
    Busy(String),
    #[error("the database file is damaged ({0})")]
    Corrupt(String),
    #[error("cannot open the database {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("the database was written by a newer version of this program (schema {found}, this program knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error(
        "the database is from an older version (schema {found}, this program knows {known}); start the kiosk once to upgrade it"
    )]
    Outdated { found: i64, known: i64 },
    #[error("an order needs at least one line")]
    EmptyOrder,
    #[error("order {0} is already paid")]
    AlreadyPaid(String),
    #[error("order {0} was cancelled")]
    Cancelled(String),
    #[error("no order with id {0}")]
    NoSuchOrder(String),
    #[error("payment refused: {0}")]
    BadPayment(String),
    /// A building leader's order would take a household over a purchase limit (issue 10).
    #[error("household {household} would be {over} over its limit of {product}")]
    OverLimit { household: String, product: String, over: u32 },
    #[error("a stored row cannot be read: {0}")]
    Decode(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let text = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Full(text),
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(text),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt(text),
            _ => StoreError::Other(text),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_error(path, &e))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, &e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // PRAGMAs live outside migrations: they are per connection, not part of the schema.
        // Switching to WAL needs the exclusive lock; a store already in WAL is only read here.
        use_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::run(&mut conn)?;
        Ok(Store { conn, path: path.to_owned() })
    }

    /// Opens an existing store for reading only (`sync status`, reports): it takes no write lock,
    /// so it opens and reads while the kiosk or its sync writes, or while SQLite recovers the
    /// log after a crash (it waits for that, up to the busy timeout). `Ok(None)` when there is no
    /// store yet, or it is being created right now.
    pub fn open_read_only(path: &Path) -> Result<Option<Store>> {
        if !path.exists() {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| open_error(path, &e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = migrations::known();
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        if found == 0 {
            return Ok(None);
        }
        if found < known {
            // An older store is upgraded by the first program that opens it for writing.
            return Err(StoreError::Outdated { found, known });
        }
        Ok(Some(Store { conn, path: path.to_owned() }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `PRAGMA integrity_check`; `Ok(())` when SQLite answers "ok".
    pub fn integrity_check(&self) -> Result<()> {
        let answer: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if answer == "ok" { Ok(()) } else { Err(StoreError::Corrupt(answer)) }
    }

    /// For tests and tools that need to look at the raw tables.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Puts the file in WAL mode unless it already is. The switch needs the exclusive lock, and SQLite
/// answers a busy switch at once without calling the busy handler, so while another process is
/// creating the same new store this waits for it here, up to the busy timeout.
fn use_wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(now) if now.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(now) if started.elapsed() > BUSY_TIMEOUT => {
                return Err(StoreError::Busy(format!("cannot switch the journal to WAL (still {now})")));
            }
            Err(e) => {
                let e = StoreError::from(e);
                if !matches!(e, StoreError::Busy(_)) || started.elapsed() > BUSY_TIMEOUT {
                    return Err(e);
                }
            }
            Ok(_) => {}
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The store's file in a data folder.
pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join("kiosk.sqlite")
}

/// Free space in bytes for an unprivileged writer on the file system holding `dir` (the data
/// folder: the doctor and the volunteer's screens warn before SQLite hits a full disk).
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

fn open_error(path: &Path, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Open { path: path.to_owned(), reason: e.to_string() }
}

/// Takes the next value of a named, never-reused sequence inside the caller's transaction.
fn next_in_sequence(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<u64> {
    let value: i64 = tx.query_row(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1
         RETURNING value",
        [name],
        |r| r.get(0),
    )?;
    u64::try_from(value).map_err(|_| StoreError::Decode(format!("counter {name} is negative")))
}

/// Local midnight in `tz` of the day `now` falls on: where "today" starts for the day's counts.
pub fn start_of_day(now: Timestamp, tz: &jiff::tz::TimeZone) -> Timestamp {
    now.to_zoned(tz.clone()).start_of_day().map(|z| z.timestamp()).unwrap_or(now)
}

/// Instants are stored as UTC text with a fixed millisecond precision, so text order is time order.
fn time_to_sql(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn time_from_sql(text: &str) -> Result<Timestamp> {
    text.parse().map_err(|e| StoreError::Decode(format!("time {text:?}: {e}")))
}

/// Appends an event to the outbox that sync pushes to the cooperative, in the caller's transaction.
fn append_event(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    payload: &impl serde::Serialize,
    at: Timestamp,
) -> Result<u64> {
    let seq = next_in_sequence(tx, "event_seq")?;
    let payload = serde_json::to_string(payload).map_err(|e| StoreError::Other(e.to_string()))?;
    tx.execute(
        "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![seq as i64, uuid::Uuid::now_v7().to_string(), kind, payload, time_to_sql(at)],
    )?;
    Ok(seq)
}
