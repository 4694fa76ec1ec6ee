//! Drains the stored print queue in order.
//!
//! - Before each job the printer's real-time status is asked; a problem leaves the job queued.
//! - A job is marked sending (durably) before its first byte, and printed only after the
//!   transport took every byte AND the status after it is clean.
//! - A job that may be partly on paper (cut off mid-way, a problem right after it, or the kiosk
//!   killed while sending) is sent again marked 重印 / REPRINT: never silently lost, and a second
//!   copy is never mistaken for a second order. Nothing else is ever sent twice.

use super::status::PrinterStatus;
use super::transport::{PrintError, Transport};
use crate::store::{PrintJob, Store, StoreError};
use jiff::Timestamp;
use std::ops::Deref;
use uuid::Uuid;
use warm_core::receipt::reprint::mark_reprint;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Print(#[from] PrintError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no order {0} in this kiosk's store")]
    NoSuchOrder(String),
    #[error("order {0} has never had anything printed")]
    NothingToReprint(String),
}

/// What a drain did and the printer status it ended with.
#[derive(Debug, Clone, Default)]
pub struct Drained {
    pub printed: Vec<PrintJob>,
    pub status: PrinterStatus,
}

/// Prints every pending job, oldest first, with the store given directly (one thread).
pub fn print_pending(store: &Store, printer: &mut dyn Transport) -> Result<Vec<PrintJob>, QueueError> {
    drain(|| store, printer).map(|d| d.printed)
}

/// Prints every pending job, oldest first. `store` is called for each store access, so a caller
/// sharing the store behind a lock holds it only for the moment of the access, never while bytes
/// trickle out at 9600 baud.
pub fn drain<S: Deref<Target = Store>>(
    store: impl Fn() -> S,
    printer: &mut dyn Transport,
) -> Result<Drained, QueueError> {
    let mut printed = Vec::new();
    let mut status;
    loop {
        // Asked before every job (and when the queue is empty, for the screen's sake).
        status = ready(printer)?;
        let Some(job) = store().next_print_job()? else { break };
        let bytes = if job.interrupted { mark_reprint(&job.bytes) } else { job.bytes.clone() };
        store().mark_print_started(job.id)?;
        if let Err(e) = printer.send(&job_name(&job), &bytes) {
            store().mark_print_failed_after(job.id, &e.to_string(), e.partly_sent())?;
            return Err(e.into());
        }
        // All bytes taken; only a clean status afterwards says they made a whole slip.
        match ready(printer) {
            Ok(_) => {}
            Err(QueueError::Print(e)) => {
                store().mark_print_failed_after(job.id, &e.to_string(), true)?;
                return Err(e.into());
            }
            Err(e) => return Err(e),
        }
        store().mark_printed(job.id, Timestamp::now())?;
        printed.push(job);
    }
    Ok(Drained { printed, status })
}

/// The status, or the problem that stops printing as an error.
fn ready(printer: &mut dyn Transport) -> Result<PrinterStatus, QueueError> {
    let status = printer.status()?;
    match status.problem() {
        Some(p) => Err(PrintError::NotReady(p).into()),
        None => Ok(status),
    }
}

/// File name of a job for the file printer: reprints get their own, so a copy never overwrites.
fn job_name(job: &PrintJob) -> String {
    if job.interrupted { format!("{}-reprint-{}", job.id, job.attempts) } else { job.id.to_string() }
}

/// A volunteer's reprint of an order's newest slip or receipt, queued behind everything else
/// and marked 重印 / REPRINT. `number` is what is printed on it: `K1-0042`, or the slip's big
/// `0042`, which is this `terminal`'s.
pub fn reprint(store: &Store, number: &str, terminal: &str, now: Timestamp) -> Result<Uuid, QueueError> {
    let order = parse_number(number, terminal)
        .map(|(terminal, seq)| store.order_id_by_number(terminal, seq))
        .transpose()?
        .flatten()
        .ok_or_else(|| QueueError::NoSuchOrder(number.to_owned()))?;
    reprint_order(store, order, now).map_err(|e| match e {
        QueueError::NothingToReprint(_) => QueueError::NothingToReprint(number.to_owned()),
        e => e,
    })
}

/// The same, by order id (the checkout's reprint button).
pub fn reprint_order(store: &Store, order: Uuid, now: Timestamp) -> Result<Uuid, QueueError> {
    let job = store.latest_print_job(order)?.ok_or_else(|| QueueError::NothingToReprint(order.to_string()))?;
    Ok(store.add_reprint(&job, &mark_reprint(&job.bytes), now)?)
}

/// `K1-0042` → (`K1`, 42); the terminal id may itself contain `-`. The big number on a slip,
/// `0042`, is an order of `this_terminal`.
pub fn parse_number<'a>(number: &'a str, this_terminal: &'a str) -> Option<(&'a str, u64)> {
    let number = number.trim();
    let (terminal, seq) = match number.rsplit_once('-') {
        Some(split) => split,
        None if number.bytes().all(|b| b.is_ascii_digit()) => (this_terminal, number),
        None => return None,
    };
    Some((terminal, seq.parse().ok()?)).filter(|(t, _)| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers() {
        assert_eq!(parse_number("K1-0042", "K9"), Some(("K1", 42)));
        assert_eq!(parse_number("EH-2-0007", "K9"), Some(("EH-2", 7)));
        assert_eq!(parse_number(" 0042 ", "K9"), Some(("K9", 42)), "the slip's big number is this kiosk's");
        assert_eq!(parse_number("K1-x", "K9"), None);
        assert_eq!(parse_number("x42", "K9"), None);
        assert_eq!(parse_number("", "K9"), None);
    }
}
