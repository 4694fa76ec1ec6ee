//! Backups while orders are being placed, and putting one back (issue 14): `warm-kiosk backup`
//! and `warm-kiosk restore` as child processes, another child placing orders as the kiosk does
//! (synchronous=FULL, one transaction each), a real hub for the sync after a restore.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warm_kiosk::store::Store;

/// Set for the child that places orders (this test binary run again, see `orders_child`).
const CHILD_DIR: &str = "WARM_TEST_ORDERS_DIR";

/// The child: places orders in the store of the data folder in `WARM_TEST_ORDERS_DIR`, one
/// transaction each, and prints `committed <id>` once each COMMIT has returned, until killed.
#[test]
#[ignore = "run by a_backup_taken_while_orders_are_placed_is_whole_and_holds_every_earlier_order"]
fn orders_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else { return };
    let mut store = Store::open(&warm_kiosk::kiosk::store_path(Path::new(&dir))).unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let mut slots = warm_kiosk::config::Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    for i in 0.. {
        let p = &catalog.products[i % catalog.products.len()];
        let id = uuid::Uuid::now_v7();
        let new = warm_kiosk::store::NewOrder {
            id,
            terminal: "K1".into(),
            lang: warm_core::domain::Lang::Zh,
            household: None,
            lines: vec![warm_core::domain::OrderLine::of(p, 1)],
        };
        store.place_order(new, jiff::Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
        println!("committed {id}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn kiosk_cli(data: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(KIOSK).arg("--data").arg(data).args(args).env("RUST_LOG", "error").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn ids_in(copy: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(copy, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "{}", copy.display());
    let mut stmt = conn.prepare("SELECT id FROM orders").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

fn backups_in(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite"))
        .collect();
    files.sort();
    files
}

#[test]
fn a_backup_taken_while_orders_are_placed_is_whole_and_holds_every_earlier_order() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let stick = dir.path().join("stick");
    // The store exists before the child starts, as it does once a kiosk has run.
    drop(Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap());
    let mut child = Killed(
        Command::new(std::env::current_exe().unwrap())
            .args(["--ignored", "--exact", "backup::orders_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, &data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let committed = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let committed = committed.clone();
        let out = child.0.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(id) = line.strip_prefix("committed ") {
                    committed.lock().unwrap().push(id.to_owned());
                }
            }
        })
    };
    eventually(Duration::from_secs(60), "the first orders", || committed.lock().unwrap().len() >= 5);

    // Each backup with the orders whose commit was seen before it started.
    let mut taken: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for _ in 0..8 {
        let before = committed.lock().unwrap().clone();
        let (ok, out) = kiosk_cli(&data, &["backup", "--to", stick.to_str().unwrap()]);
        assert!(ok, "{out}");
        let path = backups_in(&stick).into_iter().find(|p| !taken.iter().any(|(t, _)| t == p)).unwrap();
        assert!(out.contains(&path.display().to_string()), "the copy is named: {out}");
        taken.push((path, before));
        std::thread::sleep(Duration::from_millis(300));
    }
    let placed_meanwhile = committed.lock().unwrap().len();
    child.kill();
    let _ = reader.join();
    assert!(placed_meanwhile > taken[0].1.len() + 8, "orders kept coming during the backups ({placed_meanwhile})");

    let mut previous = 0;
    for (path, before) in &taken {
        let ids = ids_in(path);
        let missing: Vec<&String> = before.iter().filter(|id| !ids.contains(id)).collect();
        assert!(missing.is_empty(), "{} misses {} committed orders", path.display(), missing.len());
        assert!(ids.len() >= previous, "a later copy holds no fewer orders");
        previous = ids.len();
        assert!(!Path::new(&format!("{}-wal", path.display())).exists(), "a copy is a single file");
    }
    assert_eq!(backups_in(&stick).len(), 8, "nothing pruned within 14 days, no leftovers");
}

#[test]
fn a_restore_is_refused_while_the_kiosk_runs_and_for_a_damaged_copy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut store = Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap();
    place_orders(&mut store, "K1", 3);
    drop(store);
    let (ok, out) = kiosk_cli(&data, &["backup"]);
    assert!(ok, "{out}");
    let copy = backups_in(&data.join("backups")).pop().unwrap();
    let mut store = Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap();
    place_orders(&mut store, "K1", 2);
    drop(store);

    // The kiosk's lock, held as the running window holds it: refused, nothing replaced.
    let running = warm_kiosk::store::backup::KioskLock::try_acquire(&data).unwrap().unwrap();
    let (ok, out) = kiosk_cli(&data, &["restore", copy.to_str().unwrap()]);
    assert!(!ok && out.contains("收银机程序还在运行") && out.contains("kiosk.lock"), "{out}");
    drop(running);
    // A sync loop running beside it (a real `warm-kiosk sync run`) holds the store too.
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, "[sync]\nhub_url = \"http://127.0.0.1:9\"\ntoken = \"t\"\n").unwrap();
    let mut sync = Killed(
        Command::new(KIOSK)
            .arg("--config")
            .arg(&config)
            .arg("--data")
            .arg(&data)
            .args(["sync", "run"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    eventually(Duration::from_secs(30), "the sync loop's lock", || {
        warm_kiosk::sync::SyncLock::try_acquire(&data).is_err()
    });
    let (ok, out) = kiosk_cli(&data, &["restore", copy.to_str().unwrap()]);
    assert!(!ok && out.contains("sync.lock"), "{out}");
    sync.kill();
    assert_eq!(Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap().order_ids().unwrap().len(), 5);

    // A damaged copy: pages overwritten in the middle.
    let damaged = dir.path().join("damaged.sqlite");
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    let end = (middle + 8192).min(bytes.len());
    bytes[middle..end].fill(0x5a);
    std::fs::write(&damaged, &bytes).unwrap();
    let (ok, out) = kiosk_cli(&data, &["restore", damaged.to_str().unwrap()]);
    assert!(!ok && out.contains("已损坏") && out.contains("damaged.sqlite"), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    // Not a database at all, and no file.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "shopping list: rice, noodles\n".repeat(100)).unwrap();
    let (ok, out) = kiosk_cli(&data, &["restore", text.to_str().unwrap()]);
    assert!(!ok && out.contains("notes.txt") && (out.contains("不是暖心市集") || out.contains("已损坏")), "{out}");
    let (ok, out) = kiosk_cli(&data, &["restore", "/no/such/backup.sqlite"]);
    assert!(!ok && out.contains("找不到备份文件"), "{out}");
    assert_eq!(Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap().order_ids().unwrap().len(), 5);

    // With everything closed, the copy goes back; the replaced store is kept whole.
    let (ok, out) = kiosk_cli(&data, &["restore", copy.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert_eq!(Store::open(&warm_kiosk::kiosk::store_path(&data)).unwrap().order_ids().unwrap().len(), 3);
    let aside: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("kiosk-replaced-"))
        .filter(|p| p.extension().is_some_and(|e| e == "sqlite"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(out.contains(&aside[0].display().to_string()), "{out}");
    assert_eq!(ids_in(&aside[0]).len(), 5);
}

/// A restored store does not break sync: the orders made after the backup reached the hub, the
/// copy brings back older ones the hub has, and new ones follow; each arrives exactly once.
#[test]
fn a_kiosk_restored_with_warm_kiosk_restore_syncs_every_order_once() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 100);
    let mut total = kiosk.make_orders(6);
    let (ok, out) = kiosk_cli(&kiosk.dir, &["backup"]);
    assert!(ok, "{out}");
    let copy = backups_in(&kiosk.dir.join("backups")).pop().unwrap();
    assert!(kiosk.sync_once().0);
    total += kiosk.make_orders(3);
    assert!(kiosk.sync_once().0);
    assert_eq!(hub_totals(&hub_dir, "K1").0, 9);

    let out = kiosk.command(&["restore", copy.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(kiosk.waiting(), 6, "the copy's unsent orders are back");
    std::thread::sleep(Duration::from_millis(20));
    total += kiosk.make_orders(2);
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(kiosk.waiting(), 0);
    assert_eq!(hub_totals(&hub_dir, "K1"), (11, 11, 11, total), "every order once");
    assert!(kiosk.sync_once().0, "and nothing more next time");
}
