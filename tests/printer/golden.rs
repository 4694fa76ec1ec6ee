//! A normal job over the serial line: what the printer records equals the golden file, for each
//! layout at both widths, and the QR on the preview of what it printed reads back.

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use std::path::PathBuf;
use warm_core::receipt::{Paper, PaperProfile};
use warm_kiosk::device::printer::queue::print_pending;
use warm_kiosk::device::printer::serial::SerialTransport;
use warm_kiosk::device::printer::transport::Transport;
use warm_kiosk::device::printer::{FlowControl, PrinterStatus};

fn golden(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)).unwrap()
}

#[test]
fn golden_bytes_reach_the_printer_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup::default());
    let store = store(dir.path());
    let names = [
        "slip_zh_58.bin",
        "slip_zh_80.bin",
        "receipt_zh_58.bin",
        "receipt_zh_80.bin",
        "receipt_reprint_zh_58.bin",
        "receipt_reprint_zh_80.bin",
        "slip_reprint_zh_58.bin",
        "slip_reprint_zh_80.bin",
    ];
    for name in names {
        store.add_print_job(None, "golden", &golden(name), jiff::Timestamp::now()).unwrap();
    }
    let mut printer = SerialTransport::new(serial(&emu.link, 115_200, FlowControl::None));
    let printed = print_pending(&store, &mut printer).unwrap();
    assert_eq!(printed.len(), names.len());
    wait_for("everything on paper", || emu.state().jobs().len() == names.len());
    let jobs = emu.state().jobs();
    for (name, job) in names.iter().zip(&jobs) {
        assert!(job == &golden(name), "{name}: printed {} bytes, golden {}", job.len(), golden(name).len());
    }
    // Status asked before and after each job: three queries each time (and once more at the end).
    assert_eq!(emu.state().status_queries, 3 * (2 * names.len() + 1));
    assert!(store.pending_print_jobs().unwrap().is_empty());

    // The pickup slip as printed, rendered and read back by a QR decoder.
    for (i, paper) in [(0, Paper::Mm58), (1, Paper::Mm80)] {
        let png =
            warm_core::receipt::preview::render(&jobs[i], &PaperProfile { paper, ..PaperProfile::default() }).unwrap();
        let mut img = rqrr::PreparedImage::prepare(png);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR on the slip");
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, "WM1:O:0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60");
    }
}

#[test]
fn status_is_read_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup::default());
    let mut printer = SerialTransport::new(serial(&emu.link, 9600, FlowControl::None));
    assert_eq!(printer.status().unwrap(), PrinterStatus::READY);
    emu.state().paper_near_end = true;
    let s = printer.status().unwrap();
    assert!(s.paper_near_end && s.is_clean());
    emu.state().cover_open = true;
    assert_eq!(printer.status().unwrap().problem(), Some(warm_kiosk::device::printer::Problem::CoverOpen));
    emu.state().cover_open = false;
    emu.state().silent = true;
    let e = printer.status().unwrap_err();
    assert_eq!(e.problem().text(warm_core::domain::Lang::Zh), "打印机没有响应，请检查电源和连接线");
}

/// A network printer on raw TCP: the same bytes arrive, status is asked on the same connection,
/// and a printer that is switched off is a clear error.
#[test]
fn tcp_9100_printer_gets_the_golden_bytes() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let printer_side = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let mut dle = 0;
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                got.push(b);
                dle = match (dle, b) {
                    (0, 0x10) => 1,
                    (1, 0x04) => 2,
                    (2, _) => {
                        conn.write_all(&[0x12]).unwrap();
                        0
                    }
                    _ => 0,
                };
            }
        }
        got
    });
    let config = warm_kiosk::device::printer::PrinterConfig {
        kind: warm_kiosk::device::printer::PrinterKind::Tcp,
        host: "127.0.0.1".into(),
        tcp_port: port,
        timeout_ms: 2000,
        ..Default::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    store.add_print_job(None, "golden", &golden("slip_zh_80.bin"), jiff::Timestamp::now()).unwrap();
    let mut printer = warm_kiosk::device::printer::serial::TcpTransport::new(config.clone());
    assert_eq!(print_pending(&store, &mut printer).unwrap().len(), 1);
    drop(printer);
    let got = printer_side.join().unwrap();
    let query = [0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4];
    let mut want = query.to_vec();
    want.extend_from_slice(&golden("slip_zh_80.bin"));
    want.extend_from_slice(&query);
    want.extend_from_slice(&query);
    assert!(got == want, "{} bytes, wanted {}", got.len(), want.len());

    // Nobody listening any more.
    let mut printer = warm_kiosk::device::printer::serial::TcpTransport::new(config);
    assert!(matches!(printer.status(), Err(warm_kiosk::device::printer::transport::PrintError::Unreachable(_))));
}
