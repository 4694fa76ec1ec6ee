//! `warm-kiosk doctor` against a good set-up and against one broken thing at a time: a real
//! `warm-hub`, a real pty for the scanner, real store files (issue 14).

use crate::support::*;
use serialport::{SerialPort as _, TTYPort};
use std::path::Path;
use std::process::Command;

/// Runs the doctor: (exit success, what it printed).
fn doctor(config: &Path, data: &Path) -> (bool, String) {
    let out = Command::new(KIOSK)
        .arg("--config")
        .arg(config)
        .arg("--data")
        .arg(data)
        .arg("doctor")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains("panicked"), "{text}");
    (out.status.success(), text)
}

/// The one line of a check, by its English name.
fn line<'a>(out: &'a str, check: &str) -> &'a str {
    out.lines()
        .find(|l| l[l.char_indices().nth(2).map_or(0, |(i, _)| i)..].starts_with(check))
        .unwrap_or_else(|| panic!("no line for {check}: {out}"))
}

/// A kiosk config in English with a hub, a scanner port, a free-space threshold and extra lines.
fn config(dir: &Path, hub: &str, token: &str, scanner: &str, extra: &str) -> std::path::PathBuf {
    // The disk case sets a threshold above any real free space.
    let min_mb = if extra == "DISK" { u64::MAX / (1 << 21) } else { 1 };
    let extra = if extra == "DISK" { "" } else { extra };
    let path = dir.join("kiosk.toml");
    std::fs::write(
        &path,
        format!(
            "language = \"en\"\n[kiosk]\nmin_free_mb = {min_mb}\n{extra}\n[sync]\nhub_url = \"{hub}\"\ntoken = \"{token}\"\ntimeout_seconds = 5\n[scanner]\nport = \"{scanner}\"\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_good_set_up_passes_and_each_broken_part_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let (_master, slave) = TTYPort::pair().unwrap();
    let pty = slave.name().unwrap();
    drop(slave);
    let data = dir.path().join("data");
    let good = config(dir.path(), &hub.url(), &token, &pty, "");
    let kiosk = Kiosk { dir: data.clone(), config: good.clone(), terminal: "K1".into() };
    kiosk.make_orders(2);
    assert!(kiosk.sync_once().0);
    let out = kiosk.command(&["backup"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (ok, out) = doctor(&good, &data);
    assert!(ok, "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with('✓')).count(), 12, "{out}");
    assert!(line(&out, "Co-op hub").contains("accepts the token"), "{out}");
    assert!(line(&out, "Scanner").contains(&pty), "{out}");
    assert!(line(&out, "Order store").contains("2 orders"), "{out}");
    assert!(out.trim_end().ends_with("Everything is fine"), "{out}");

    // Each broken part alone: its line says what and the doctor exits non-zero.
    let case = |name: &str, hub_url: &str, token: &str, scanner: &str, extra: &str, check: &str, words: &str| {
        let case_dir = dir.path().join(name);
        std::fs::create_dir_all(&case_dir).unwrap();
        let config = config(&case_dir, hub_url, token, scanner, extra);
        let (ok, out) = doctor(&config, &data);
        assert!(!ok, "{name}: {out}");
        let l = line(&out, check);
        assert!(l.starts_with('✗') && l.contains(words), "{name}: {l}\n{out}");
        assert!(out.contains("1 thing needs a person"), "{name}: only that part: {out}");
    };
    case(
        "port",
        &hub.url(),
        &token,
        "/dev/warm-scanner-unplugged",
        "",
        "Scanner",
        "/dev/warm-scanner-unplugged does not exist",
    );
    case(
        "printer",
        &hub.url(),
        &token,
        &pty,
        "[printer]\nkind = \"serial\"\nport = \"/dev/warm-printer-unplugged\"",
        "Printer",
        "is the cable plugged in",
    );
    case("token", &hub.url(), "not-the-token", &pty, "", "Co-op hub", "refuses this kiosk's token");
    case("offline", "http://127.0.0.1:9", &token, &pty, "", "Co-op hub", "Cannot reach http://127.0.0.1:9");
    case("disk", &hub.url(), &token, &pty, "DISK", "Free space", "MB free (below");

    // A config that does not load: named, and the rest still checked on the defaults.
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "language = \"en\"\nprinter_speed = 3\n").unwrap();
    let (ok, out) = doctor(&broken, &data);
    assert!(!ok && out.contains("printer_speed"), "{out}");
    assert!(out.lines().count() >= 12, "{out}");

    // A damaged store: named, with what to do.
    let store = warm_kiosk::kiosk::store_path(&data);
    let mut bytes = std::fs::read(&store).unwrap();
    let len = bytes.len();
    bytes[len / 2..].fill(0x5a);
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", store.display()));
    }
    std::fs::write(&store, &bytes).unwrap();
    let (ok, out) = doctor(&good, &data);
    assert!(!ok, "{out}");
    let l = line(&out, "Order store");
    assert!(l.starts_with('✗') && l.contains("warm-kiosk restore"), "{l}\n{out}");
}
