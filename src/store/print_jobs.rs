//! The print queue: a job is stored with its order and marked printed only after the printer
//! took every byte, so a crash or a jammed printer never loses a slip.

use super::{Result, Store, StoreError, time_from_sql, time_to_sql};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub id: Uuid,
    pub order_id: Option<Uuid>,
    pub kind: String,
    pub bytes: Vec<u8>,
    pub created_at: Timestamp,
    pub printed_at: Option<Timestamp>,
    pub attempts: u32,
    /// Part of it may be on paper already (a send was cut off, or the kiosk died mid-send): the
    /// next send must be marked as a reprint.
    pub interrupted: bool,
}

const COLUMNS: &str = "id, order_id, kind, bytes, created_at, printed_at, attempts, (sending OR interrupted)";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
}

type RawJob = (String, Option<String>, String, Vec<u8>, String, Option<String>, u32, bool);

fn decode((id, order_id, kind, bytes, created, printed, attempts, interrupted): RawJob) -> Result<PrintJob> {
    let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()));
    Ok(PrintJob {
        id: uuid(&id)?,
        order_id: order_id.as_deref().map(uuid).transpose()?,
        kind,
        bytes,
        created_at: time_from_sql(&created)?,
        printed_at: printed.as_deref().map(time_from_sql).transpose()?,
        attempts,
        interrupted,
    })
}

impl Store {
    /// Jobs not yet printed, in the order they were created.
    pub fn pending_print_jobs(&self) -> Result<Vec<PrintJob>> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {COLUMNS} FROM print_jobs WHERE printed_at IS NULL ORDER BY rowid"))?;
        let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(decode).collect()
    }

    pub fn print_job(&self, id: Uuid) -> Result<Option<PrintJob>> {
        let row = self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM print_jobs WHERE id = ?1"), [id.to_string()], from_row)
            .optional()?;
        row.map(decode).transpose()
    }

    /// The oldest job not yet printed.
    pub fn next_print_job(&self) -> Result<Option<PrintJob>> {
        let row = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM print_jobs WHERE printed_at IS NULL ORDER BY rowid LIMIT 1"),
                [],
                from_row,
            )
            .optional()?;
        row.map(decode).transpose()
    }

    pub fn pending_print_count(&self) -> Result<usize> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM print_jobs WHERE printed_at IS NULL", [], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Written (durably) before the first byte goes out: if the kiosk dies now, the job is known
    /// to be possibly half on paper.
    pub fn mark_print_started(&self, id: Uuid) -> Result<()> {
        self.conn.execute("UPDATE print_jobs SET sending = 1 WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    pub fn mark_printed(&self, id: Uuid, at: Timestamp) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET printed_at = ?2, attempts = attempts + 1, last_error = NULL, sending = 0
             WHERE id = ?1",
            params![id.to_string(), time_to_sql(at)],
        )?;
        Ok(())
    }

    /// A failed try; `partly` = some bytes may have been printed, so the next try is a reprint.
    pub fn mark_print_failed(&self, id: Uuid, error: &str) -> Result<()> {
        self.mark_print_failed_after(id, error, false)
    }

    pub fn mark_print_failed_after(&self, id: Uuid, error: &str, partly: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?2, sending = 0,
                 interrupted = (interrupted OR ?3) WHERE id = ?1",
            params![id.to_string(), error, partly],
        )?;
        Ok(())
    }

    /// The newest job of an order that is not itself a reprint (the slip, or the receipt once paid).
    pub fn latest_print_job(&self, order_id: Uuid) -> Result<Option<PrintJob>> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM print_jobs WHERE order_id = ?1 AND reprint_of IS NULL
                     ORDER BY rowid DESC LIMIT 1"
                ),
                [order_id.to_string()],
                from_row,
            )
            .optional()?;
        row.map(decode).transpose()
    }

    /// Queues a copy of `of` with `bytes` (already marked 重印 by the caller); returns its id.
    pub fn add_reprint(&self, of: &PrintJob, bytes: &[u8], now: Timestamp) -> Result<Uuid> {
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at, reprint_of) VALUES (?1, ?2, 'reprint', ?3, ?4, ?5)",
            params![id.to_string(), of.order_id.map(|o| o.to_string()), bytes, time_to_sql(now), of.id.to_string()],
        )?;
        Ok(id)
    }

    /// Queues a job that belongs to no order yet stored here (a test page, a report).
    pub fn add_print_job(&self, order_id: Option<Uuid>, kind: &str, bytes: &[u8], now: Timestamp) -> Result<Uuid> {
        let id = Uuid::now_v7();
        self.conn.execute(
            "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), order_id.map(|o| o.to_string()), kind, bytes, time_to_sql(now)],
        )?;
        Ok(id)
    }
}
