//! Opening the store and reading its status never fail because another process writes: a child
//! places orders in a loop and is killed -9 again and again (SQLite recovers its log each time),
//! while a second child opens the store as the kiosk does and `warm-kiosk sync status` runs over
//! and over beside them.

use crate::support::*;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use warm_kiosk::store::Store;

const WRITER: &str = "WARM_LOCKS_WRITER_DB";
const OPENER: &str = "WARM_LOCKS_OPENER_DB";
const KILLS: usize = 25;

/// Child: places orders until killed.
#[test]
#[ignore = "run by locks::the_store_opens_and_reports_while_another_process_writes_and_is_killed"]
fn locks_child_writes_orders() {
    let Ok(path) = std::env::var(WRITER) else { return };
    let mut store = Store::open(Path::new(&path)).unwrap();
    loop {
        place_orders(&mut store, "K1", 10);
    }
}

/// Child: opens the store for writing (as the kiosk does at start) and reads it, again and again,
/// printing one line per attempt.
#[test]
#[ignore = "run by locks::the_store_opens_and_reports_while_another_process_writes_and_is_killed"]
fn locks_child_opens_the_store() {
    let Ok(path) = std::env::var(OPENER) else { return };
    let mut out = std::io::stdout().lock();
    loop {
        let line = match Store::open(Path::new(&path)).and_then(|s| s.outbox_len()) {
            Ok(n) => format!("OPENED {n}"),
            Err(e) => format!("FAILED {e}"),
        };
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn child(env: &str, test: &str, db: &Path) -> Killed {
    Killed(
        Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(env, db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

#[test]
fn the_store_opens_and_reports_while_another_process_writes_and_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", "http://127.0.0.1:9", "wmt_unused", 100);
    let db = kiosk.store_path();
    // All three start at once on a store that does not exist yet: creating it races too.
    let mut writer = child(WRITER, "locks::locks_child_writes_orders", &db);
    let mut opener = child(OPENER, "locks::locks_child_opens_the_store", &db);
    let opener_out = opener.0.stdout.take().unwrap();
    let opener_lines = std::thread::spawn(move || BufReader::new(opener_out).lines().map_while(Result::ok).collect());

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let status_loop = {
        let (stop, command) = (stop.clone(), move || kiosk.command(&["sync", "status"]));
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let out = command().output().unwrap();
                if out.status.success() {
                    ok += 1;
                } else {
                    failed.push(String::from_utf8_lossy(&out.stderr).into_owned());
                }
            }
            (ok, failed)
        })
    };

    let mut rng = fastrand::Rng::with_seed(19);
    let started = Instant::now();
    for _ in 0..KILLS {
        std::thread::sleep(Duration::from_millis(rng.u64(20..300)));
        writer.kill();
        writer = child(WRITER, "locks::locks_child_writes_orders", &db);
    }
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (status_ok, status_failed) = status_loop.join().unwrap();
    writer.kill();
    opener.kill();
    let opener_lines: Vec<String> = opener_lines.join().unwrap();

    // libtest's own lines surround ours; the child's lines end in OPENED n or FAILED reason.
    let failed: Vec<&String> = opener_lines.iter().filter(|l| l.contains("FAILED ")).collect();
    let opened = opener_lines.iter().filter(|l| l.contains("OPENED ")).count();
    assert!(failed.is_empty(), "opening the store failed {} times: {:?}", failed.len(), &failed[..failed.len().min(5)]);
    assert!(status_failed.is_empty(), "sync status failed {} times: {:?}", status_failed.len(), status_failed.first());
    assert!(opened > 50 && status_ok > 10, "too few tries to mean anything: {opened} opens, {status_ok} status reads");
    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let orders: i64 = store.connection().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    assert!(orders > 0, "the writer placed nothing");
    eprintln!(
        "{KILLS} kills in {:.1} s: {opened} opens and {status_ok} status reads beside {orders} orders, none failed",
        started.elapsed().as_secs_f64(),
    );
}
