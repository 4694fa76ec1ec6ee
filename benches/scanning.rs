//! Scanning latency: from the last byte of a code written on a real pty (the scanner's side) to
//! the sale updated in the app's state, through the real reader thread, channel and
//! `App::update`. A pty moves bytes instantly, so this is the time beyond serial transfer.
//!
//! Run: `cargo bench --bench scanning` (optionally `-- 5000` for more scans).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/kiosk/tasks.rs"]
mod tasks;
use tasks::settle;

use serialport::{SerialPort as _, TTYPort};
use std::io::Write;
use std::time::{Duration, Instant};
use warm_kiosk::config::Config;
use warm_kiosk::device::scanner::ScannerConfig;
use warm_kiosk::device::scanner::serial::spawn;
use warm_kiosk::device::scanner::{ScannerEvent, ScannerLink};
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::app::Volunteer;
use warm_kiosk::ui::screen::pin;
use warm_kiosk::ui::widget::numpad::Key;
use warm_kiosk::ui::{App, Message};

fn items(app: &App) -> u32 {
    match app.volunteer() {
        Some(Volunteer::Counter(c)) => c.sale.item_count(),
        _ => panic!("not at the counter"),
    }
}

fn main() {
    let scans: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let (mut master, slave) = TTYPort::pair().unwrap();
    let port = slave.name().unwrap();
    let config =
        Config { scanner: ScannerConfig { port: Some(port.clone()), ..ScannerConfig::default() }, ..Config::default() };
    let ctx = warm_kiosk::kiosk::context(config.clone(), dir.path()).unwrap();
    let codes: Vec<String> = ctx.catalog.products.iter().map(|p| p.ean13.clone()).collect();
    let mut app = App::new(ctx);
    settle(&mut app, Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        settle(&mut app, Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    settle(&mut app, Message::Pin(pin::Message::Ok));

    let mut rx = spawn(config.scanner.clone(), port).unwrap();
    loop {
        match rx.try_recv() {
            Ok(ScannerEvent::Link(ScannerLink::Connected { .. })) => break,
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(1)),
        }
    }

    let mut samples = Vec::with_capacity(scans);
    for i in 0..scans {
        let code = &codes[i % codes.len()];
        let before = items(&app);
        master.write_all(format!("{code}\r\n").as_bytes()).unwrap();
        master.flush().unwrap();
        let written = Instant::now();
        let event = loop {
            match rx.try_recv() {
                Ok(event) => break event,
                Err(_) => std::hint::spin_loop(),
            }
        };
        settle(&mut app, Message::Scanner(event));
        let done = written.elapsed();
        assert_eq!(items(&app), before + 1, "scan {i} ({code}) did not reach the sale");
        samples.push(done);
        // A human pace: scanners send a code every few hundred ms at most.
        std::thread::sleep(Duration::from_millis(2));
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).saturating_sub(1).min(samples.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // 10 bits per byte at 9600 baud: what the wire itself would add for "6952022100012\r\n".
    let wire = 15.0 * 10.0 / 9600.0 * 1000.0;
    println!("scanning: {scans} scans, pty → sale updated in App state");
    println!("  p50 {:.3} ms   p99 {:.3} ms   max {:.3} ms", ms(pct(0.50)), ms(pct(0.99)), ms(pct(1.0)));
    println!("  (serial transfer of a 15-byte EAN-13 line at 9600 8N1 adds {wire:.1} ms on a real scanner)");
    drop(slave);
}
