//! A scanner on a real pseudo-terminal: the test writes to the master as the scanner would, the
//! kiosk's reader thread opens the slave by its path (a symlink, like /dev/serial/by-id, so the
//! scanner can be "replugged" as a new pty behind the same name).

use iced::futures::channel::mpsc::UnboundedReceiver;
use serialport::{SerialPort as _, TTYPort};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use warm_kiosk::device::scanner::ScannerConfig;
use warm_kiosk::device::scanner::serial::spawn;
use warm_kiosk::device::scanner::{ScannerEvent, ScannerLink};

/// Longest a test waits for an event before it fails (a guard against hanging, not a timing test).
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Scanner {
    pub master: TTYPort,
    _slave: TTYPort,
}

impl Scanner {
    /// A new pty, reachable at `link`.
    pub fn plug(link: &Path) -> Scanner {
        let (master, slave) = TTYPort::pair().unwrap();
        let _ = std::fs::remove_file(link);
        std::os::unix::fs::symlink(slave.name().unwrap(), link).unwrap();
        Scanner { master, _slave: slave }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }
}

pub fn config(link: &Path) -> ScannerConfig {
    ScannerConfig { port: Some(link.display().to_string()), retry_seconds: 1, ..ScannerConfig::default() }
}

pub fn start(config: &ScannerConfig) -> UnboundedReceiver<ScannerEvent> {
    spawn(config.clone(), config.port.clone().unwrap()).unwrap()
}

/// The next event, waiting at most `PATIENCE`.
pub fn next(rx: &mut UnboundedReceiver<ScannerEvent>) -> ScannerEvent {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match rx.try_recv() {
            Ok(event) => return event,
            Err(e) if e.is_closed() => panic!("the scanner thread ended"),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_micros(200)),
            Err(_) => panic!("no scanner event within {PATIENCE:?}"),
        }
    }
}

/// Waits for `Connected`, skipping the "not there yet" reports.
pub fn connected(rx: &mut UnboundedReceiver<ScannerEvent>) {
    loop {
        match next(rx) {
            ScannerEvent::Link(ScannerLink::Connected { .. }) => return,
            ScannerEvent::Link(ScannerLink::Disconnected { .. }) => {}
            other => panic!("expected Connected, got {other:?}"),
        }
    }
}

/// The next scanned line.
pub fn line(rx: &mut UnboundedReceiver<ScannerEvent>) -> ScannerEvent {
    let event = next(rx);
    assert!(matches!(event, ScannerEvent::Line(_)), "expected a line, got {event:?}");
    event
}
