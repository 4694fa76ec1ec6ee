//! `warm-kiosk printer status|test|reprint` against the emulator, through `--config FILE`.

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use std::process::Command;
use warm_core::receipt::{Paper, PaperProfile};

fn kiosk(config: &std::path::Path, data: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
        .arg("--config")
        .arg(config)
        .arg("--data")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn status_and_test_page_on_the_configured_printer_and_a_clear_failure_when_it_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let mut emu = Emulator::start(dir.path(), Setup::default());
    let config = dir.path().join("kiosk.toml");
    let text = format!(
        "[printer]\nkind = \"serial\"\nport = \"{}\"\nbaud = 115200\nflow_control = \"none\"\npaper = \"58mm\"\ntimeout_ms = 2000\n",
        emu.link.display()
    );
    std::fs::write(&config, text).unwrap();
    let data = dir.path().join("data");

    let (ok, out, err) = kiosk(&config, &data, &["printer", "status"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("打印机正常"), "{out}");

    emu.state().paper_out = true;
    let (ok, _, err) = kiosk(&config, &data, &["printer", "status"]);
    assert!(!ok);
    assert!(err.contains("打印机缺纸，请换纸"), "{err}");
    emu.state().paper_out = false;

    let (ok, out, err) = kiosk(&config, &data, &["printer", "test"]);
    assert!(ok, "{out}{err}");
    wait_for("the test page", || emu.state().jobs().len() == 1);
    let page = emu.state().jobs().remove(0);
    let picture =
        warm_core::receipt::preview::render(&page, &PaperProfile { paper: Paper::Mm58, ..PaperProfile::default() })
            .unwrap();
    let mut img = rqrr::PreparedImage::prepare(picture);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, warm_core::receipt::test_page::TEST_QR);

    emu.unplug();
    let (ok, _, err) = kiosk(&config, &data, &["printer", "status"]);
    assert!(!ok, "unreachable printer must fail");
    assert!(err.contains("打印机没有响应，请检查电源和连接线") && err.contains("ttyPRINTER"), "{err}");
    let (ok, _, err) = kiosk(&config, &data, &["printer", "reprint", "K1-0042"]);
    assert!(!ok);
    assert!(err.contains("K1-0042"), "{err}");
}
