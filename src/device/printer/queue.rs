//! Drains the stored print queue in order. A job is marked printed only after the transport
//! took all of it; on a failure the job and every job after it stay queued for the next try.

use super::transport::{PrintError, Transport};
use crate::store::{PrintJob, Store, StoreError};
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Print(#[from] PrintError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Prints every pending job, oldest first; returns the jobs printed by this call.
pub fn print_pending(store: &Store, printer: &mut dyn Transport) -> Result<Vec<PrintJob>, QueueError> {
    let mut printed = Vec::new();
    for job in store.pending_print_jobs()? {
        if let Err(e) = printer.send(&job.id.to_string(), &job.bytes) {
            store.mark_print_failed(job.id, &e.to_string())?;
            return Err(e.into());
        }
        store.mark_printed(job.id, Timestamp::now())?;
        printed.push(job);
    }
    Ok(printed)
}
