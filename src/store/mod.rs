//! The terminal's durable store: one SQLite file in the data folder, WAL with
//! `synchronous=FULL`, so a committed order survives `kill -9` and power loss.

mod migrations;
pub mod orders;
pub mod payments;
pub mod print_jobs;
pub mod sync;

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use orders::NewOrder;
pub use print_jobs::PrintJob;

/// How long a writer waits for another connection's lock before giving up with `Busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

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
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open { path: path.to_owned(), reason: e.to_string() };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(&e))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(&e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // PRAGMAs live outside migrations: they are per connection, not part of the schema.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::run(&mut conn)?;
        Ok(Store { conn, path: path.to_owned() })
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
