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
}

const COLUMNS: &str = "id, order_id, kind, bytes, created_at, printed_at, attempts";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawJob> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
}

type RawJob = (String, Option<String>, String, Vec<u8>, String, Option<String>, u32);

fn decode((id, order_id, kind, bytes, created, printed, attempts): RawJob) -> Result<PrintJob> {
    let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()));
    Ok(PrintJob {
        id: uuid(&id)?,
        order_id: order_id.as_deref().map(uuid).transpose()?,
        kind,
        bytes,
        created_at: time_from_sql(&created)?,
        printed_at: printed.as_deref().map(time_from_sql).transpose()?,
        attempts,
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

    pub fn mark_printed(&self, id: Uuid, at: Timestamp) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET printed_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id.to_string(), time_to_sql(at)],
        )?;
        Ok(())
    }

    pub fn mark_print_failed(&self, id: Uuid, error: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE print_jobs SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            params![id.to_string(), error],
        )?;
        Ok(())
    }
}
