//! Sync benchmark (docs/BENCHMARKS.md, "Sync"): run with `cargo bench --bench sync`.
//!
//! 1. 10,000 orders (40,000 events: each order plus three more events as checkout and printing
//!    add them) pushed from a kiosk database to a real `warm-hub` process over loopback, side by
//!    side with a raw SQLite batch insert of the same rows on the same disk.
//! 2. Hub ingest with 50 terminals pushing at once.
//!
//!    1 and 2 both over plain HTTP and over HTTPS (rustls on both sides, a CA and certificate made
//!    here with rcgen, the kiosk trusting only that CA as with `[sync] ca_file`), side by side.
//! 3. Catalog pull of 1,000 products with pictures (`BIG_CATALOG=/tmp/bigcat/catalog.toml`, made
//!    by `python3 tools/assets/make_big_catalog.py /tmp/bigcat/catalog.toml`).
//! 4. On a bad network (issue 16), the sync loop as the kiosk runs it, behind the fault proxy of
//!    `tests/sync/proxy.rs` with no faults and with 10 % of requests and 30 % of responses lost:
//!    200 orders placed one by one, commit to acknowledgement (p50/p95); and a fresh kiosk
//!    pulling the 1,000-product catalog with its pictures (time and bytes). Only this part:
//!    `cargo bench --bench sync -- network`.
//!
//! During the push and the pull a probe measures how long a seniors' order commit would wait
//! for the kiosk store's write lock (the longest write transaction sync holds).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::Timestamp;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use warm_core::api::{Event, PushRequest, PushResponse};
use warm_core::domain::{Lang, OrderLine};
use warm_hub::ingest::order_total;
use warm_hub::sqlite::{self, SqliteHub};
use warm_hub::store::HubStore;
use warm_kiosk::config::{Config, SyncConfig};
use warm_kiosk::demo;
use warm_kiosk::store::{NewOrder, Store};
use warm_kiosk::sync::Syncer;

#[path = "../tests/sync/hub_binary.rs"]
mod hub_binary;
#[path = "../tests/sync/proxy.rs"]
#[allow(dead_code)] // the tests use all of it, the benchmark some
mod proxy;
use hub_binary::hub_binary;
use proxy::{Faults, Proxy};
/// Each push and raw insert is measured this many times.
const RUNS: usize = 9;

/// Median, fastest and slowest, in seconds.
fn spread(times: &[Duration]) -> (f64, f64, f64) {
    let mut s: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    (s[s.len() / 2], s[0], s[s.len() - 1])
}

struct Hub(Child, String);

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hub_cli(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(hub_binary()).arg("--data").arg(dir).args(args).env("RUST_LOG", "error").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A hub; with `tls`, HTTPS with the bench's certificate (see [`Tls`]).
fn start_hub(dir: &Path, tls: Option<&Tls>) -> Hub {
    let mut command = Command::new(hub_binary());
    if let Some(tls) = tls {
        command.arg("--config").arg(&tls.hub_config);
    }
    let mut child = command
        .args(["--data", dir.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_owned();
    Hub(child, url)
}

fn sync_config(url: &str, token: &str, batch: u32, tls: Option<&Tls>) -> SyncConfig {
    SyncConfig {
        hub_url: url.into(),
        token: token.into(),
        batch_events: batch,
        ca_file: tls.map(|t| t.ca.clone()),
        ..SyncConfig::default()
    }
}

/// A CA and a certificate it signed for 127.0.0.1, and a hub config serving HTTPS with it.
struct Tls {
    ca: std::path::PathBuf,
    hub_config: std::path::PathBuf,
}

impl Tls {
    fn make(dir: &Path) -> Tls {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        std::fs::create_dir_all(dir).unwrap();
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        std::fs::write(dir.join("ca.pem"), ca.self_signed(&ca_key).unwrap().pem()).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &issuer).unwrap();
        std::fs::write(dir.join("hub.crt"), cert.pem()).unwrap();
        std::fs::write(dir.join("hub.key"), key.serialize_pem()).unwrap();
        let config = format!(
            "[tls]\ncert_file = {:?}\nkey_file = {:?}\n",
            dir.join("hub.crt").display().to_string(),
            dir.join("hub.key").display().to_string()
        );
        std::fs::write(dir.join("hub.toml"), config).unwrap();
        Tls { ca: dir.join("ca.pem"), hub_config: dir.join("hub.toml") }
    }

    /// A client trusting only this CA.
    fn agent(&self) -> ureq::Agent {
        let pem = std::fs::read(&self.ca).unwrap();
        let certs: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|i| match i.unwrap() {
                ureq::tls::PemItem::Certificate(c) => Some(c),
                _ => None,
            })
            .collect();
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
        ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).tls_config(tls).build())
    }
}

/// Another connection to a kiosk store that takes and releases the write lock over and over, as
/// an order commit would, and keeps the longest wait: the longest write transaction of whatever
/// else runs meanwhile.
struct LockProbe {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<(Duration, u64)>,
}

impl LockProbe {
    fn start(path: &Path) -> LockProbe {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.busy_timeout(Duration::from_secs(60)).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let (mut longest, mut tries) = (Duration::ZERO, 0);
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                let start = Instant::now();
                conn.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
                longest = longest.max(start.elapsed());
                tries += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            (longest, tries)
        });
        LockProbe { stop, thread }
    }

    /// The longest wait, and how many times the lock was taken.
    fn finish(self) -> (Duration, u64) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

/// 10,000 orders, each followed by three more events, in a kiosk store.
fn fill_kiosk(path: &Path, terminal: &str, orders: usize) {
    let mut store = Store::open(path).unwrap();
    store.connection().pragma_update(None, "synchronous", "OFF").unwrap();
    let catalog = demo::catalog().unwrap().catalog;
    let mut slots = Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    for i in 0..orders {
        let lines: Vec<OrderLine> = (0..3)
            .map(|k| {
                let p = &catalog.products[(i + k * 7) % catalog.products.len()];
                OrderLine::of(p, 1)
            })
            .collect();
        let new =
            NewOrder { id: uuid::Uuid::now_v7(), terminal: terminal.into(), lang: Lang::Zh, household: None, lines };
        let placed = store.place_order(new, Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
        let conn = store.connection();
        for kind in ["payment.recorded", "print.done", "stock.moved"] {
            let seq: i64 = conn
                .query_row("UPDATE counters SET value = value + 1 WHERE name = 'event_seq' RETURNING value", [], |r| {
                    r.get(0)
                })
                .unwrap();
            let payload = serde_json::json!({"order": placed.order.id, "kind": kind, "amount_fen": placed.order.total().as_fen(), "method": "cash"});
            conn.execute(
                "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    seq,
                    uuid::Uuid::now_v7().to_string(),
                    kind,
                    payload.to_string(),
                    "2026-11-29T08:00:00.000Z"
                ],
            )
            .unwrap();
        }
    }
}

/// One transaction inserting `events` as they are into a real hub database's own `events` table
/// (its constraints, indexes and derived columns, as `warm-hub` makes them): the floor any push is
/// measured against. `checkpoint`: as SQLite does by default, copy the WAL into the database file
/// at commit (false: leave that for later, as the hub does in the background).
fn raw_insert(path: &Path, events: &[Event], checkpoint: bool) -> Duration {
    let store = SqliteHub::open(path).unwrap();
    store.add_terminal("K1", "M1", "0", Timestamp::now()).unwrap();
    drop(store);
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    if !checkpoint {
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    }
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    let received = sqlite::time_text(Timestamp::now());
    // Everything but the insert itself is prepared before the clock starts.
    let ids: Vec<String> = events.iter().map(|e| e.id.to_string()).collect();
    let totals: Vec<Option<i64>> = events.iter().map(|e| order_total(&e.kind, e.payload.get())).collect();
    let start = Instant::now();
    let tx = conn.transaction().unwrap();
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO events (id, terminal, seq, kind, created_at, payload, received_at, amount_fen)
                 VALUES (?1, 'K1', ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .unwrap();
        for ((e, id), total) in events.iter().zip(&ids).zip(&totals) {
            stmt.execute(rusqlite::params![id, e.seq as i64, e.kind, e.created_at, e.payload.get(), received, total])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    start.elapsed()
}

fn main() {
    let scratch = tempfile::tempdir_in(std::env::var("BENCH_DIR").unwrap_or_else(|_| ".".into())).unwrap();
    println!("## Sync benchmark ({})", Timestamp::now().strftime("%Y-%m-%d %H:%M UTC"));
    // `cargo bench --bench sync -- network`: only part 4.
    if std::env::args().skip(1).any(|a| a == "network") {
        bad_network(scratch.path());
        return;
    }

    // 1. 10,000 orders over loopback vs a raw batch insert, each RUNS times (interleaved, so a
    // busy moment of the machine does not fall on one side only); medians reported.
    let source = scratch.path().join("orders/kiosk.sqlite");
    fill_kiosk(&source, "K1", 10_000);
    let events = Store::open(&source).unwrap().outbox_head(1_000_000).unwrap();
    let tls = Tls::make(&scratch.path().join("tls"));
    let (mut raw, mut raw_deferred) = (Vec::new(), Vec::new());
    // (most per push, over HTTPS)
    let batches = [(2000u32, false), (5000, false), (5000, true)];
    let mut pushes: Vec<Vec<Duration>> = vec![Vec::new(); batches.len()];
    let mut push_lock_wait = (Duration::ZERO, 0);
    for run in 0..RUNS {
        let dir = scratch.path().join(format!("run-{run}"));
        raw.push(raw_insert(&dir.join("raw.sqlite"), &events, true));
        raw_deferred.push(raw_insert(&dir.join("raw-deferred.sqlite"), &events, false));
        for ((batch, https), times) in batches.iter().zip(&mut pushes) {
            let tls = https.then_some(&tls);
            let dir = dir.join(format!("push-{batch}-{}", if *https { "https" } else { "http" }));
            let hub_dir = dir.join("hub");
            let token = hub_cli(&hub_dir, &["terminal", "add", "K1", "--market", "M1"]);
            let hub = start_hub(&hub_dir, tls);
            let store_path = dir.join("kiosk/kiosk.sqlite");
            std::fs::create_dir_all(store_path.parent().unwrap()).unwrap();
            Store::open(&source)
                .unwrap()
                .connection()
                .execute("VACUUM INTO ?1", [store_path.to_str().unwrap()])
                .unwrap();
            let mut syncer =
                Syncer::new(&sync_config(&hub.1, &token, *batch, tls), "K1", &store_path, &dir.join("kiosk")).unwrap();
            let probe = LockProbe::start(&store_path);
            let start = Instant::now();
            let report = syncer.round().unwrap();
            times.push(start.elapsed());
            let (wait, tries) = probe.finish();
            push_lock_wait = (push_lock_wait.0.max(wait), push_lock_wait.1 + tries);
            assert_eq!(report.pushed, events.len() as u64);
            assert_eq!(syncer.store().outbox_len().unwrap(), 0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let (raw_median, raw_min, raw_max) = spread(&raw);
    println!(
        "raw SQLite insert of the same {} rows into the hub's events table, one transaction: median {raw_median:.3} s (min {raw_min:.3}, max {raw_max:.3}; {RUNS} runs)",
        events.len()
    );
    let (deferred_median, deferred_min, deferred_max) = spread(&raw_deferred);
    println!(
        "  the same with the checkpoint left for later (as the hub does): median {deferred_median:.3} s (min {deferred_min:.3}, max {deferred_max:.3})"
    );
    for ((batch, https), times) in batches.iter().zip(&pushes) {
        let (median, min, max) = spread(times);
        println!(
            "push 10,000 orders = {} events over {}, pushes of up to {batch} (growing from 250): median {median:.3} s = {:.0} events/s (min {min:.3}, max {max:.3}); ratio to the raw insert {:.2}x (to the one without its checkpoint {:.2}x)",
            events.len(),
            if *https { "HTTPS" } else { "HTTP" },
            events.len() as f64 / median,
            median / raw_median,
            median / deferred_median
        );
    }

    println!(
        "longest wait for the kiosk store's write lock while pushing: {:.1} ms ({} commits probed; busy timeout 5 s)",
        push_lock_wait.0.as_secs_f64() * 1e3,
        push_lock_wait.1
    );

    // 2. 50 terminals pushing at once, over HTTP then HTTPS.
    for https in [false, true] {
        ingest(&scratch.path().join(format!("ingest-{https}")), https.then_some(&tls));
    }

    // 3. Catalog pull of 1,000 products with pictures.
    match std::env::var("BIG_CATALOG") {
        Err(_) => {
            println!("catalog pull: skipped (set BIG_CATALOG to a catalog made by tools/assets/make_big_catalog.py)")
        }
        Ok(path) => {
            let dir = scratch.path().join("pull");
            let hub_dir = dir.join("hub");
            let token = hub_cli(&hub_dir, &["terminal", "add", "K1", "--market", "M1"]);
            println!("{}", hub_cli(&hub_dir, &["catalog", "import", &path]));
            let hub = start_hub(&hub_dir, None);
            let kiosk = dir.join("kiosk");
            let mut syncer =
                Syncer::new(&sync_config(&hub.1, &token, 2000, None), "K1", &kiosk.join("kiosk.sqlite"), &kiosk)
                    .unwrap();
            let probe = LockProbe::start(&kiosk.join("kiosk.sqlite"));
            let start = Instant::now();
            let report = syncer.round().unwrap();
            let took = start.elapsed();
            let (wait, tries) = probe.finish();
            let bytes: u64 =
                std::fs::read_dir(kiosk.join("pictures")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
            println!(
                "catalog pull: {} changes, {} pictures ({:.1} MB) in {:.3} s",
                report.catalog_changes,
                report.pictures_fetched,
                bytes as f64 / 1e6,
                took.as_secs_f64()
            );
            println!(
                "longest wait for the kiosk store's write lock while pulling: {:.1} ms ({tries} commits probed)",
                wait.as_secs_f64() * 1e3
            );
            let catalog = syncer.store().synced_catalog().unwrap().unwrap();
            assert_eq!(catalog.products.len(), 1000);
        }
    }

    // 4. A bad network, side by side with a clean one (the same proxy with no faults).
    bad_network(scratch.path());
}

/// 50 terminals, each with its own token, push 4,000 events each in batches of 1,000 at once.
fn ingest(dir: &Path, tls: Option<&Tls>) {
    let hub_dir = dir.join("hub");
    let terminals: Vec<(String, String)> = (1..=50)
        .map(|i| {
            let id = format!("T{i}");
            let token = hub_cli(&hub_dir, &["terminal", "add", &id, "--market", &format!("M{}", i % 7)]);
            (id, token)
        })
        .collect();
    let hub = start_hub(&hub_dir, tls);
    let per_terminal = 4_000u64;
    let batch = 1_000u64;
    let template = serde_json::json!({"order": uuid::Uuid::now_v7(), "lines": [{"product": "rice-5kg", "unit_price": 3280, "qty": 1}], "amount_fen": 3280});
    let bodies: Vec<Vec<Vec<u8>>> = terminals
        .iter()
        .map(|_| {
            (0..per_terminal / batch)
                .map(|b| {
                    let events: Vec<Event> = (1..=batch)
                        .map(|k| Event {
                            id: uuid::Uuid::now_v7(),
                            seq: b * batch + k,
                            kind: "order.placed".into(),
                            created_at: "2026-11-29T08:00:00.000Z".into(),
                            payload: serde_json::value::to_raw_value(&template).unwrap(),
                        })
                        .collect();
                    serde_json::to_vec(&PushRequest { events }).unwrap()
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for ((id, token), bodies) in terminals.iter().zip(&bodies) {
            let url = format!("{}/v1/terminals/{id}/events", hub.1);
            s.spawn(move || {
                let agent = match tls {
                    Some(tls) => tls.agent(),
                    None => {
                        ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build())
                    }
                };
                for body in bodies {
                    let mut resp = agent
                        .post(&url)
                        .header("authorization", &format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .send(&body[..])
                        .unwrap();
                    assert_eq!(resp.status().as_u16(), 200);
                    let _: PushResponse = serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap();
                }
            });
        }
    });
    let took = start.elapsed();
    let total = per_terminal * terminals.len() as u64;
    println!(
        "hub ingest over {}, 50 terminals at once, {total} events in batches of {batch}: {:.3} s = {:.0} events/s",
        if tls.is_some() { "HTTPS" } else { "HTTP" },
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    );
}

/// The sync loop of a kiosk in this process (as the window runs it), until the guard drops.
struct Loop {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Loop {
    fn start(
        config: SyncConfig,
        kiosk: &Path,
        waker: &warm_kiosk::sync::Waker,
        updates: std::sync::mpsc::Sender<warm_kiosk::sync::Update>,
    ) -> Loop {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, kiosk, waker) = (stop.clone(), kiosk.to_owned(), waker.clone());
        let thread = std::thread::spawn(move || {
            warm_kiosk::sync::run_loop_with(
                &waker,
                &config,
                "K1",
                &kiosk.join("kiosk.sqlite"),
                &kiosk,
                |u| {
                    let _ = updates.send(u);
                },
                || flag.load(std::sync::atomic::Ordering::SeqCst),
            )
        });
        Loop { stop, thread: Some(thread) }
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64()
}

fn bad_network(scratch: &Path) {
    let links = [("clean", Faults::NONE), ("lossy (10 % requests, 30 % responses lost, 5 % resets)", Faults::LOSSY)];
    let interval = SyncConfig::default().interval_seconds;
    println!(
        "### On a bad network (default [sync] config: interval {interval} s, pictures {} at a time)",
        warm_kiosk::sync::pictures::AT_ONCE
    );

    // Order commit (durable, synchronous=FULL, as the kiosk commits) to the hub's acknowledgement
    // (the outbox row dropped), one order at a time with the kiosk's waker called after each
    // commit, a random pause of 0-100 ms between orders.
    let orders = 200;
    let catalog = demo::catalog().unwrap().catalog;
    let mut slots = Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut rng = fastrand::Rng::with_seed(16);
    for (i, (name, faults)) in links.iter().enumerate() {
        let dir = scratch.join(format!("acks-{i}"));
        let hub_dir = dir.join("hub");
        let token = hub_cli(&hub_dir, &["terminal", "add", "K1", "--market", "M1"]);
        let hub = start_hub(&hub_dir, None);
        let proxy = Proxy::start(hub.1.trim_start_matches("http://").parse().unwrap(), *faults, 16);
        let kiosk = dir.join("kiosk");
        let waker = warm_kiosk::sync::Waker::new();
        let (tx, _updates) = std::sync::mpsc::channel();
        let mut store = Store::open(&kiosk.join("kiosk.sqlite")).unwrap();
        let sync = Loop::start(sync_config(&proxy.url(), &token, 5000, None), &kiosk, &waker, tx);
        let mut times = Vec::with_capacity(orders);
        for k in 0..orders {
            let p = &catalog.products[k % catalog.products.len()];
            let new = NewOrder {
                id: uuid::Uuid::now_v7(),
                terminal: "K1".into(),
                lang: Lang::Zh,
                household: None,
                lines: vec![OrderLine::of(p, 1)],
            };
            let start = Instant::now();
            store.place_order(new, Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
            waker.wake();
            while store.outbox_len().unwrap() > 0 {
                std::thread::sleep(Duration::from_millis(2));
            }
            times.push(start.elapsed());
            std::thread::sleep(Duration::from_millis(rng.u64(0..100)));
        }
        drop(sync);
        times.sort();
        let s = &proxy.stats;
        println!(
            "order commit -> acknowledged by the hub, {orders} orders one by one, {name}: p50 {:.3} s, p95 {:.3} s, max {:.3} s ({} requests and {} responses lost, {} resets)",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1].as_secs_f64(),
            s.dropped_requests.load(std::sync::atomic::Ordering::SeqCst),
            s.dropped_responses.load(std::sync::atomic::Ordering::SeqCst),
            s.resets.load(std::sync::atomic::Ordering::SeqCst),
        );
    }

    // A fresh kiosk pulling the big catalog with its pictures through each link, until its
    // catalog has every product (a page is applied only when its pictures are on disk).
    let Ok(path) = std::env::var("BIG_CATALOG") else {
        println!("fresh catalog pull on a bad network: skipped (set BIG_CATALOG)");
        return;
    };
    let dir = scratch.join("fresh");
    let hub_dir = dir.join("hub");
    let token = hub_cli(&hub_dir, &["terminal", "add", "K1", "--market", "M1"]);
    hub_cli(&hub_dir, &["catalog", "import", &path]);
    let hub = start_hub(&hub_dir, None);
    let expected = 1000;
    let mut clean_time = None;
    for (i, (name, faults)) in links.iter().enumerate() {
        let proxy = Proxy::start(hub.1.trim_start_matches("http://").parse().unwrap(), *faults, 61);
        let kiosk = dir.join(format!("kiosk-{i}"));
        let (tx, updates) = std::sync::mpsc::channel();
        let start = Instant::now();
        let sync =
            Loop::start(sync_config(&proxy.url(), &token, 5000, None), &kiosk, &warm_kiosk::sync::Waker::new(), tx);
        let mut bytes = (0, 0);
        loop {
            match updates.recv_timeout(Duration::from_secs(600)).expect("the pull made no progress for 10 minutes") {
                warm_kiosk::sync::Update::Status(s) => bytes = (s.bytes_sent, s.bytes_received),
                warm_kiosk::sync::Update::Catalog(c, _) if c.products.len() >= expected => break,
                warm_kiosk::sync::Update::Catalog(..) => {}
            }
        }
        let took = start.elapsed();
        drop(sync);
        let pictures = std::fs::read_dir(kiosk.join("pictures")).unwrap().count();
        let ratio = clean_time.map_or(String::new(), |c: Duration| {
            format!(" = {:.2}x the clean link", took.as_secs_f64() / c.as_secs_f64())
        });
        println!(
            "fresh kiosk pulls {expected} products and {pictures} pictures, {name}: {:.2} s{ratio}; {:.1} MB received, {} bytes sent ({} requests and {} responses lost)",
            took.as_secs_f64(),
            bytes.1 as f64 / 1e6,
            bytes.0,
            proxy.stats.dropped_requests.load(std::sync::atomic::Ordering::SeqCst),
            proxy.stats.dropped_responses.load(std::sync::atomic::Ordering::SeqCst),
        );
        clean_time.get_or_insert(took);
    }
}
