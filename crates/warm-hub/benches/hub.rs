//! Hub benchmark on both engines (docs/BENCHMARKS.md, "The hub on PostgreSQL"):
//! `cargo bench -p warm-hub --bench hub`. PostgreSQL is the server `WARM_TEST_PG` names, or one
//! started for the run from Debian's `postgresql` package (see `postgres::scratch`).
//!
//! 1. Ingest: 50 terminals push 4,000 events each at once (batches of 1,000) to a real
//!    `warm-hub serve` over loopback, on PostgreSQL and on SQLite, beside a raw `COPY` of the
//!    same 200,000 rows into a PostgreSQL hub's own `events` table (its keys and indexes): once
//!    all in one transaction, once from 12 connections at once (the hub's for pushes) with a
//!    commit per 1,000 rows.
//! 2. One season: 145 markets × 2,000 order lines a day × 30 days (orders of 4 lines: 500 a
//!    market a day, 2,175,000 events) pushed through the HTTP API by 145 terminals, day after
//!    day, while the dashboard is fetched every second. `SEASON_DAYS=N` replays fewer days,
//!    `SEASON_ENGINES=postgres` (or `sqlite`) one engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{SignedDuration, Timestamp};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use warm_core::api::{Event, PushResponse};
use warm_hub::postgres::scratch::ScratchDb;

const HUB: &str = env!("CARGO_BIN_EXE_warm-hub");
/// The connections a hub process has for pushes (`postgres::POOL_SIZE`).
const PUSH_CONNECTIONS: usize = 12;

/// Where a hub keeps everything: a data folder, and on PostgreSQL a database of its own.
struct Home {
    args: Vec<String>,
    _db: Option<ScratchDb>,
}

impl Home {
    fn new(dir: &Path, postgres: bool) -> Home {
        let mut args = vec!["--data".to_owned(), dir.display().to_string()];
        let db = postgres.then(|| ScratchDb::new().unwrap());
        if let Some(db) = &db {
            args.extend(["--database".to_owned(), db.url.clone()]);
        }
        Home { args, _db: db }
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(HUB).args(&self.args).args(args).env("RUST_LOG", "error").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// An operator of the dashboard, `bench`, with [`PASSWORD`] (read from standard input).
    fn add_operator(&self) {
        let mut child = Command::new(HUB)
            .args(&self.args)
            .args(["operator", "add", "bench", "--role", "read-only"])
            .env("RUST_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{PASSWORD}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    fn serve(&self) -> Serving {
        let mut child = Command::new(HUB)
            .args(&self.args)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().rsplit(' ').next().unwrap().to_owned();
        Serving(child, url)
    }
}

struct Serving(Child, String);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build())
}

const PASSWORD: &str = "a long enough password";

/// Signs operator `bench` in at the login form: the session cookie (`name=value`).
fn sign_in(url: &str) -> String {
    let resp = agent()
        .post(format!("{url}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(format!("name=bench&password={}", PASSWORD.replace(' ', "+")))
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "login");
    let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// The dashboard's JSON, as a signed-in operator sees it.
fn dashboard(agent: &ureq::Agent, url: &str, cookie: &str) -> serde_json::Value {
    let mut resp = agent.get(format!("{url}/v1/dashboard")).header("cookie", cookie).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    serde_json::from_slice(&resp.body_mut().read_to_vec().unwrap()).unwrap()
}

/// One push, which must be answered 200; returns how many events the hub stored anew.
fn push(agent: &ureq::Agent, url: &str, token: &str, body: &[u8]) -> u64 {
    let mut resp = agent
        .post(url)
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_vec().unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&text));
    let answer: PushResponse = serde_json::from_slice(&text).unwrap();
    answer.stored
}

fn order_event(seq: u64, created_at: &str, lines: usize) -> Event {
    let line = serde_json::json!({"product": "rice-5kg", "unit_price": 3280, "qty": 1});
    let payload =
        serde_json::json!({"order": uuid::Uuid::now_v7(), "lines": vec![line; lines], "amount_fen": 3280 * lines});
    Event {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "order.placed".into(),
        created_at: created_at.into(),
        payload: serde_json::value::to_raw_value(&payload).unwrap(),
    }
}

/// 50 terminals × 4,000 events, as push bodies of 1,000.
fn ingest_batches() -> Vec<Vec<Event>> {
    (0..50).map(|_| (1..=4000).map(|seq| order_event(seq, "2026-11-29T08:00:00.000Z", 1)).collect()).collect()
}

/// Events per second for 50 terminals pushing `events` at once to a fresh hub.
fn ingest(dir: &Path, postgres: bool, events: &[Vec<Event>]) -> f64 {
    let home = Home::new(dir, postgres);
    let tokens: Vec<String> = (0..events.len())
        .map(|i| home.cli(&["terminal", "add", &format!("T{i}"), "--market", &format!("M{}", i % 7)]))
        .collect();
    let bodies: Vec<Vec<Vec<u8>>> =
        events.iter().map(|e| e.chunks(1000).map(|c| warm_core::api::encode_push(c).unwrap()).collect()).collect();
    let hub = home.serve();
    let start = Instant::now();
    let stored: u64 = std::thread::scope(|s| {
        let threads: Vec<_> = tokens
            .iter()
            .zip(&bodies)
            .enumerate()
            .map(|(i, (token, bodies))| {
                let url = format!("{}{}", hub.1, warm_core::api::events_path(&format!("T{i}")));
                s.spawn(move || {
                    let agent = agent();
                    bodies.iter().map(|body| push(&agent, &url, token, body)).sum::<u64>()
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum()
    });
    let took = start.elapsed();
    let total: usize = events.iter().map(Vec::len).sum();
    // Every event stored once: nothing counted that the hub did not keep.
    assert_eq!(stored, total as u64);
    total as f64 / took.as_secs_f64()
}

/// A row as the hub writes it into `events`: the event, its terminal, its order total.
type Row = (Event, String, Option<i64>);

/// One `COPY` of `rows` into `events` and its commit.
async fn copy_rows(client: &mut tokio_postgres::Client, rows: &[Row]) {
    use tokio_postgres::types::Type;
    let received = "2026-11-29T08:00:01.000Z";
    let tx = client.transaction().await.unwrap();
    let sink = tx
        .copy_in(
            "COPY events (id, terminal, seq, kind, created_at, payload, received_at, amount_fen) FROM STDIN (FORMAT binary)",
        )
        .await
        .unwrap();
    let types = [Type::UUID, Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8];
    let mut writer = std::pin::pin!(tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, &types));
    for (e, terminal, total) in rows {
        let seq = e.seq as i64;
        writer
            .as_mut()
            .write(&[&e.id, terminal, &seq, &e.kind, &e.created_at, &e.payload.get(), &received, total])
            .await
            .unwrap();
    }
    writer.as_mut().finish().await.unwrap();
    tx.commit().await.unwrap();
}

/// Events per second for a raw `COPY` of `events` into a fresh PostgreSQL hub's own `events`
/// table (its keys, indexes and foreign key): `alone`, one COPY of every row in one transaction
/// on one connection; else as the hub stores pushes, on as many connections as it has for them
/// (12), all at once, a COPY and a commit per terminal and 1,000 rows (without HTTP, JSON, the
/// row lock or the high-water mark).
fn raw_copy(dir: &Path, events: &[Vec<Event>], alone: bool) -> f64 {
    let home = Home::new(dir, true);
    for i in 0..events.len() {
        home.cli(&["terminal", "add", &format!("T{i}"), "--market", "M1"]);
    }
    let url = home.args[3].clone();
    let rows: Vec<Vec<Row>> = events
        .iter()
        .enumerate()
        .map(|(i, events)| {
            events
                .iter()
                .map(|e| (e.clone(), format!("T{i}"), warm_hub::ingest::order_total(&e.kind, e.payload.get())))
                .collect()
        })
        .collect();
    let total: usize = rows.iter().map(Vec::len).sum();
    let all: Vec<Row> = if alone { rows.concat() } else { Vec::new() };
    // Connection j stores terminals j, j + 12, ...
    let mut shares: Vec<Vec<Row>> = vec![Vec::new(); PUSH_CONNECTIONS];
    for (i, rows) in rows.into_iter().enumerate() {
        shares[i % PUSH_CONNECTIONS].extend(rows);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let mut clients = Vec::new();
        for _ in 0..if alone { 1 } else { PUSH_CONNECTIONS } {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            clients.push(client);
        }
        let start = Instant::now();
        if alone {
            copy_rows(&mut clients[0], &all).await;
        } else {
            let mut tasks = tokio::task::JoinSet::new();
            for (mut client, rows) in clients.into_iter().zip(shares) {
                tasks.spawn(async move {
                    for batch in rows.chunks(1000) {
                        copy_rows(&mut client, batch).await;
                    }
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
        }
        total as f64 / start.elapsed().as_secs_f64()
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One season through the API with the dashboard fetched every second.
fn season(dir: &Path, postgres: bool, days: u64) {
    const MARKETS: usize = 145;
    const ORDERS_A_DAY: u64 = 500; // 2,000 order lines in orders of 4
    let home = Home::new(dir, postgres);
    let tokens: Vec<String> = (0..MARKETS)
        .map(|i| home.cli(&["terminal", "add", &format!("S{i}"), "--market", &format!("市集{i:03}")]))
        .collect();
    home.add_operator();
    let hub = home.serve();
    let cookie = sign_in(&hub.1);
    // The season ends today, so the dashboard's "today" fills on the last day.
    let first_day = Timestamp::now() - SignedDuration::from_hours(24 * (days as i64 - 1));
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let latencies = std::thread::scope(|s| {
        let fetcher = s.spawn(|| {
            let agent = agent();
            let mut latencies = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let asked = Instant::now();
                dashboard(&agent, &hub.1, &cookie);
                latencies.push(asked.elapsed());
                std::thread::sleep(Duration::from_secs(1).saturating_sub(asked.elapsed()));
            }
            latencies
        });
        // 50 pushing threads (as many as the ingest test), each for a share of the markets.
        let pushers: Vec<_> = (0..50)
            .map(|t| {
                let (tokens, hub) = (&tokens, &hub);
                s.spawn(move || {
                    let agent = agent();
                    let mine: Vec<usize> = (t..MARKETS).step_by(50).collect();
                    for day in 0..days {
                        let at = first_day + SignedDuration::from_hours(24 * day as i64);
                        let created_at = warm_hub::sqlite::time_text(at);
                        for &m in &mine {
                            let events: Vec<Event> = (1..=ORDERS_A_DAY)
                                .map(|k| order_event(day * ORDERS_A_DAY + k, &created_at, 4))
                                .collect();
                            let url = format!("{}{}", hub.1, warm_core::api::events_path(&format!("S{m}")));
                            let stored = push(&agent, &url, &tokens[m], &warm_core::api::encode_push(&events).unwrap());
                            assert_eq!(stored, ORDERS_A_DAY);
                        }
                    }
                })
            })
            .collect();
        for p in pushers {
            p.join().unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        fetcher.join().unwrap()
    });
    let took = start.elapsed();
    let events = MARKETS as u64 * ORDERS_A_DAY * days;
    // What the dashboard says at the end: every terminal's mark at its last event, and today's
    // orders (the season's last day) counted.
    let dashboard = dashboard(&agent(), &hub.1, &cookie);
    let marks: u64 = dashboard["terminals"].as_array().unwrap().iter().map(|t| t["acked_upto"].as_u64().unwrap()).sum();
    assert_eq!(marks, events);
    let today: u64 = dashboard["markets"].as_array().unwrap().iter().map(|m| m["orders"].as_u64().unwrap()).sum();
    let mut sorted = latencies.clone();
    sorted.sort();
    println!(
        "season on {}: {MARKETS} markets × {days} days × {} order lines = {events} order events in {:.1} s = {:.0} events/s; \
         dashboard fetched {} times: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; at the end it counts {today} orders today",
        if postgres { "PostgreSQL" } else { "SQLite" },
        ORDERS_A_DAY * 4,
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64(),
        sorted.len(),
        percentile(&sorted, 0.5).as_secs_f64() * 1e3,
        percentile(&sorted, 0.99).as_secs_f64() * 1e3,
        sorted.last().unwrap().as_secs_f64() * 1e3,
    );
}

fn main() {
    // The hubs' folders (and SQLite files): in BENCH_DIR if set, else the system's temporary folder.
    let scratch = match std::env::var_os("BENCH_DIR") {
        Some(dir) => {
            std::fs::create_dir_all(&dir).unwrap();
            tempfile::tempdir_in(dir).unwrap()
        }
        None => tempfile::tempdir().unwrap(),
    };
    println!("## Hub benchmark ({})", Timestamp::now().strftime("%Y-%m-%d %H:%M UTC"));
    println!("PostgreSQL: {}", warm_hub::postgres::scratch::server().unwrap().rsplit('@').next().unwrap());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at start: {}", load.split(' ').take(3).collect::<Vec<_>>().join(" "));

    // 1. Ingest, three runs interleaved so a busy moment of the machine does not fall on one side.
    let events = ingest_batches();
    let (mut pg, mut sqlite, mut copy_one, mut copy_12) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..3 {
        let dir = scratch.path().join(format!("ingest-{run}"));
        copy_one.push(raw_copy(&dir.join("copy-one"), &events, true));
        copy_12.push(raw_copy(&dir.join("copy-12"), &events, false));
        pg.push(ingest(&dir.join("pg"), true, &events));
        sqlite.push(ingest(&dir.join("sqlite"), false, &events));
        std::fs::remove_dir_all(&dir).unwrap();
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let list = |v: &[f64]| v.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", ");
    println!("ingest, 50 terminals × 4,000 events in pushes of 1,000, events/s (3 runs):");
    println!("  raw COPY, all 200,000 rows in one transaction on one connection: {}", list(&copy_one));
    println!("  raw COPY, 12 connections at once, a COPY + commit per 1,000 rows: {}", list(&copy_12));
    println!("  hub on PostgreSQL (HTTP API): {}", list(&pg));
    println!("  hub on SQLite (HTTP API):     {}", list(&sqlite));
    let (pg_m, sqlite_m) = (median(&mut pg), median(&mut sqlite));
    let (one_m, twelve_m) = (median(&mut copy_one), median(&mut copy_12));
    println!(
        "  medians: hub on PostgreSQL {pg_m:.0}, hub on SQLite {sqlite_m:.0}, COPY alone {one_m:.0}, COPY ×12 {twelve_m:.0}; \
         the PostgreSQL hub takes {:.2}× the time of COPY alone and {:.2}× that of COPY ×12",
        one_m / pg_m,
        twelve_m / pg_m
    );

    // 2. One season.
    let days: u64 = std::env::var("SEASON_DAYS").ok().and_then(|d| d.parse().ok()).unwrap_or(30);
    let engines = std::env::var("SEASON_ENGINES").unwrap_or_else(|_| "postgres,sqlite".into());
    for engine in engines.split(',') {
        season(&scratch.path().join(format!("season-{engine}")), engine == "postgres", days);
    }
}
