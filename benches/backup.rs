//! A backup of a store with 100,000 orders (issue 14): how long `backup::take` takes, and the
//! longest an order commit waits while it runs, beside the same commits with no backup running,
//! in one run. Orders are committed as the kiosk commits them (synchronous=FULL, one transaction
//! each) by a second connection on its own thread, without pause.
//!
//! Run: `cargo bench --profile dev --bench backup` (figures in docs/BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot go on should stop loudly

use jiff::Timestamp;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
use warm_kiosk::store::{NewOrder, Store, backup};

const ORDERS: usize = 100_000;

/// Commits orders until `stop`; returns each commit's time.
fn committer(path: std::path::PathBuf, stop: Arc<AtomicBool>, times: Arc<Mutex<Vec<(Instant, Duration)>>>) {
    let mut store = Store::open(&path).unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let mut slots = warm_kiosk::config::Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let p = &catalog.products[i % catalog.products.len()];
        let new = NewOrder {
            id: uuid::Uuid::now_v7(),
            terminal: "K1".into(),
            lang: Lang::Zh,
            household: None,
            lines: vec![OrderLine::of(p, 1 + (i % 3) as u32)],
        };
        let started = Instant::now();
        store.place_order(new, Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
        times.lock().unwrap().push((started, started.elapsed()));
        i += 1;
    }
}

fn stats(mut d: Vec<Duration>) -> (usize, f64, f64, f64) {
    d.sort();
    let ms = |x: Duration| x.as_secs_f64() * 1000.0;
    if d.is_empty() {
        return (0, 0.0, 0.0, 0.0);
    }
    (d.len(), ms(d[d.len() / 2]), ms(d[d.len() * 99 / 100]), ms(d[d.len() - 1]))
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.sqlite");
    let mut store = Store::open(&path).unwrap();
    // The history: 100,000 orders placed the kiosk's way, without waiting for the disk each time.
    let started = Instant::now();
    store.connection().pragma_update(None, "synchronous", "OFF").unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let mut slots = warm_kiosk::config::Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    for i in 0..ORDERS {
        let p = &catalog.products[i % catalog.products.len()];
        let lines = vec![
            OrderLine::of(p, 1 + (i % 3) as u32),
            OrderLine::of(&catalog.products[(i + 7) % catalog.products.len()], 1),
        ];
        let new = NewOrder { id: uuid::Uuid::now_v7(), terminal: "K1".into(), lang: Lang::Zh, household: None, lines };
        store.place_order(new, Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
    }
    store.connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(store);
    let size = std::fs::metadata(&path).unwrap().len();
    println!("store: {ORDERS} orders, {:.1} MB, made in {:.1} s", size as f64 / 1e6, started.elapsed().as_secs_f64());

    let stop = Arc::new(AtomicBool::new(false));
    let times = Arc::new(Mutex::new(Vec::new()));
    let worker = {
        let (path, stop, times) = (path.clone(), stop.clone(), times.clone());
        std::thread::spawn(move || committer(path, stop, times))
    };
    // Commits alone first: the same commits with no backup running, for comparison.
    std::thread::sleep(Duration::from_secs(1));
    let quiet_from = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let quiet_to = Instant::now();
    let folder = dir.path().join("backups");
    let backup_from = Instant::now();
    let taken = backup::take(&path, &folder, "K1", 14, Timestamp::now()).unwrap();
    let took = backup_from.elapsed();
    let backup_to = Instant::now();
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    worker.join().unwrap();
    let times = times.lock().unwrap().clone();
    // A commit overlapping the backup counts, even if it began just before.
    let during: Vec<Duration> =
        times.iter().filter(|(at, d)| *at + *d >= backup_from && *at <= backup_to).map(|(_, d)| *d).collect();
    let quiet: Vec<Duration> =
        times.iter().filter(|(at, _)| *at >= quiet_from && *at < quiet_to).map(|(_, d)| *d).collect();
    println!(
        "backup: {:.2} s, copy {:.1} MB with {} orders (integrity_check included)",
        took.as_secs_f64(),
        taken.bytes as f64 / 1e6,
        taken.orders
    );
    let (n, p50, p99, max) = stats(during);
    println!("order commits during the backup: {n}, median {p50:.1} ms, p99 {p99:.1} ms, longest {max:.1} ms");
    let (n, p50, p99, max) = stats(quiet);
    println!("order commits with no backup (3 s): {n}, median {p50:.1} ms, p99 {p99:.1} ms, longest {max:.1} ms");
}
