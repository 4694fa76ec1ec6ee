//! The devices' and the sync loop's news as iced subscriptions: each runs as long as the kiosk
//! listens, and a changed config restarts it. The devices themselves know nothing of iced.

use crate::device::printer::worker::{Printer, PrinterState};
use crate::device::scanner::serial::spawn;
use crate::device::scanner::{ScannerConfig, ScannerEvent, ScannerLink};
use futures_channel::mpsc;
use iced::Subscription;
use std::time::Duration;

/// The print worker's states, starting with the current one.
pub fn printer(printer: &Printer) -> Subscription<PrinterState> {
    Subscription::run_with(printer.clone(), Printer::updates)
}

/// The serial scanner when `[scanner] port` is set: one reader thread per config.
pub fn scanner(config: &ScannerConfig) -> Subscription<ScannerEvent> {
    match &config.port {
        None => Subscription::none(),
        Some(_) => Subscription::run_with(config.clone(), scanner_stream),
    }
}

fn scanner_stream(config: &ScannerConfig) -> mpsc::UnboundedReceiver<ScannerEvent> {
    let port = config.port.clone().unwrap_or_default();
    match spawn(config.clone(), port.clone()) {
        Ok(rx) => rx,
        Err(e) => {
            // No thread: report it once and stay disconnected (the screen says so).
            let (tx, rx) = mpsc::unbounded();
            let _ = tx.unbounded_send(ScannerEvent::Link(ScannerLink::Disconnected {
                port,
                reason: format!("cannot start the scanner thread: {e}"),
                retry_in: Duration::ZERO,
            }));
            rx
        }
    }
}
