//! A store on a temporary folder and a serial printer config aimed at an emulator.

use std::path::Path;
use std::time::{Duration, Instant};
use warm_kiosk::device::printer::{FlowControl, PrinterConfig, PrinterKind};
use warm_kiosk::store::Store;

pub fn serial(link: &Path, baud: u32, flow: FlowControl) -> PrinterConfig {
    PrinterConfig {
        kind: PrinterKind::Serial,
        port: link.to_owned(),
        baud,
        flow_control: flow,
        // How long a silent printer is waited for: a deadline, not a timing, so generous enough
        // for a loaded machine (only the tests of a silent printer wait it out).
        timeout_ms: 2000,
        ..PrinterConfig::default()
    }
}

pub fn store(dir: &Path) -> Store {
    Store::open(&dir.join("kiosk.sqlite")).unwrap()
}

/// A small job that says which it is: `ESC @`, its text, a cut.
pub fn job(n: usize) -> Vec<u8> {
    let mut b = vec![0x1B, 0x40];
    b.extend_from_slice(format!("JOB {n:02}\n").as_bytes());
    b.extend_from_slice(&[0x1D, 0x56, 0x41, 0]);
    b
}

/// Held by the tests that run a line in real time (flow control, kill -9 mid-job, unplugging
/// mid-job), so they do not compete with each other for the CPU inside this binary.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LINE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A failed test poisons it; the next one still runs.
    LINE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Waits (polling, bounded) for something another thread does; panics with `what` if it never does.
pub fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !f() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn gb(text: &str) -> Vec<u8> {
    let mut p = warm_core::receipt::escpos::EscPos::new();
    p.text(text);
    p.into_bytes()
}
