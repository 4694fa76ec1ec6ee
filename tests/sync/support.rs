//! Real processes and real files for the sync stories.

use jiff::Timestamp;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
use warm_hub::config::{Database, db_path};
use warm_hub::postgres::scratch::ScratchDb;
use warm_hub::store::HubStore;
use warm_kiosk::config::Config;
use warm_kiosk::demo;
use warm_kiosk::store::{NewOrder, Store};

pub use crate::hub_binary::hub_binary;
pub const KIOSK: &str = env!("CARGO_BIN_EXE_warm-kiosk");

/// A child process that is killed (and reaped) when dropped, so a failing test leaves none behind.
pub struct Killed(pub Child);

impl Killed {
    /// kill -9, and wait for it.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        self.kill();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A story told against both of the hub's engines, as `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both_engines {
    ($(#[$attr:meta])* fn $name:ident($engine:ident: Engine) $body:block) => {
        $(#[$attr])*
        mod $name {
            use super::*;

            #[test]
            fn sqlite() {
                story(Engine::Sqlite)
            }

            #[test]
            fn postgres() {
                story(Engine::Postgres)
            }

            fn story($engine: Engine) $body
        }
    };
}
pub(crate) use on_both_engines;

/// Where a test's hub keeps everything: its data folder and, on PostgreSQL, a database of its
/// own on the test server (see `warm_hub::postgres::scratch`). Every `warm-hub` it runs is
/// pointed at it; the tests read what the hub stored through the hub's own store.
pub struct HubHome {
    pub dir: PathBuf,
    pub database: Database,
    store: OnceLock<Arc<dyn HubStore>>,
    _db: Option<ScratchDb>,
}

impl HubHome {
    pub fn new(dir: PathBuf, engine: Engine) -> HubHome {
        let db = (engine == Engine::Postgres).then(|| ScratchDb::new().unwrap());
        let database = match &db {
            Some(db) => Database::Postgres(db.url.clone()),
            None => Database::Sqlite(db_path(&dir)),
        };
        HubHome { dir, database, store: OnceLock::new(), _db: db }
    }

    /// `--data DIR`, and `--database URL` on PostgreSQL.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec!["--data".to_owned(), self.dir.display().to_string()];
        if let Database::Postgres(url) = &self.database {
            args.extend(["--database".to_owned(), url.clone()]);
        }
        args
    }

    pub fn store(&self) -> &dyn HubStore {
        self.store.get_or_init(|| warm_hub::store::open(&self.database).unwrap()).as_ref()
    }
}

/// A `warm-hub serve` child process on a free loopback port.
pub struct Hub {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Hub {
    pub fn start(home: &HubHome) -> Hub {
        let mut child = Command::new(hub_binary())
            .args(home.args())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().rsplit("http://").next().unwrap().parse().unwrap_or_else(|_| panic!("{line:?}"));
        Hub { child, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// kill -9.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs an operator command (`terminal add`, `catalog import`, ...) and returns its stdout.
pub fn hub_cli(home: &HubHome, args: &[&str]) -> String {
    let out = Command::new(hub_binary()).args(home.args()).args(args).env("RUST_LOG", "error").output().unwrap();
    assert!(out.status.success(), "warm-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn add_terminal(home: &HubHome, id: &str, market: &str) -> String {
    hub_cli(home, &["terminal", "add", id, "--market", market]).trim().to_owned()
}

/// What the hub stored for a terminal: (events, distinct ids, max seq, total of order amounts).
pub fn hub_totals(home: &HubHome, terminal: &str) -> (i64, i64, i64, i64) {
    let census = home.store().census().unwrap();
    let t = census.terminals.iter().find(|t| t.id == terminal).unwrap();
    (t.events as i64, t.distinct_ids as i64, t.max_seq as i64, t.amount_fen)
}

pub fn open_alarms(home: &HubHome) -> Vec<String> {
    let dashboard = home.store().dashboard(jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::MAX).unwrap();
    dashboard.alarms.iter().map(|a| format!("{}: {}", a.kind, a.message)).collect()
}

/// A kiosk's data folder and config file, talking to `hub_url`.
pub struct Kiosk {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub terminal: String,
}

impl Kiosk {
    pub fn new(dir: &Path, terminal: &str, hub_url: &str, token: &str, batch: u32) -> Kiosk {
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "terminal_id = \"{terminal}\"\n[sync]\nhub_url = \"{hub_url}\"\ntoken = \"{token}\"\n\
                 interval_seconds = 1\nmax_backoff_seconds = 1\ntimeout_seconds = 5\nbatch_events = {batch}\n"
            ),
        )
        .unwrap();
        Kiosk { dir: dir.to_owned(), config, terminal: terminal.to_owned() }
    }

    pub fn store_path(&self) -> PathBuf {
        warm_kiosk::kiosk::store_path(&self.dir)
    }

    pub fn store(&self) -> Store {
        Store::open(&self.store_path()).unwrap()
    }

    pub fn loaded_config(&self) -> Config {
        Config::load(&self.config).unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(KIOSK);
        c.arg("--config").arg(&self.config).arg("--data").arg(&self.dir).args(args).env("RUST_LOG", "error");
        c
    }

    /// `warm-kiosk sync once`: (success, stdout + stderr).
    pub fn sync_once(&self) -> (bool, String) {
        let out = self.command(&["sync", "once"]).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }

    pub fn sync_status(&self) -> String {
        let out = self.command(&["sync", "status"]).output().unwrap();
        assert!(out.status.success(), "sync status: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// `warm-kiosk sync run` in the background, killed when the guard drops (pass or fail).
    pub fn spawn_sync(&self) -> Killed {
        Killed(self.command(&["sync", "run"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap())
    }

    /// Places `n` orders offline, as the screen would; returns their total in fen.
    pub fn make_orders(&self, n: usize) -> i64 {
        let mut store = self.store();
        // Only to make ten thousand orders quickly: the kiosk itself runs with synchronous=FULL.
        store.connection().pragma_update(None, "synchronous", "OFF").unwrap();
        place_orders(&mut store, &self.terminal, n)
    }

    pub fn waiting(&self) -> u64 {
        self.store().outbox_len().unwrap()
    }

    /// A consistent copy of the kiosk's database, as a backup tool would make it.
    pub fn snapshot(&self, to: &Path) {
        let store = self.store();
        store.connection().execute("VACUUM INTO ?1", [to.to_str().unwrap()]).unwrap();
    }

    /// Puts a snapshot back in place of the kiosk's database.
    pub fn restore(&self, from: &Path) {
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.store_path().display()));
        }
        std::fs::copy(from, self.store_path()).unwrap();
    }
}

/// Places `n` one-line orders of the demo catalog's products; returns their total in fen.
pub fn place_orders(store: &mut Store, terminal: &str, n: usize) -> i64 {
    let catalog = demo::catalog().unwrap().catalog;
    let mut slots = Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut total = 0;
    for i in 0..n {
        let p = &catalog.products[i % catalog.products.len()];
        let line = OrderLine::of(p, 1 + (i % 3) as u32);
        total += line.total().as_fen();
        let new = NewOrder {
            id: uuid::Uuid::now_v7(),
            terminal: terminal.to_owned(),
            lang: Lang::Zh,
            household: None,
            lines: vec![line],
        };
        store.place_order(new, Timestamp::now(), &slots, &tz, |_| Vec::new()).unwrap();
    }
    total
}

/// Polls `done` until it holds or `limit` passes (a deadline for failing, not a timing test).
pub fn eventually(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not reached within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A TCP proxy in front of the hub that can lose requests and responses and reset connections.
/// Its upstream can be changed (the hub restarted on another port) while the kiosk keeps one URL.
/// With several upstreams it sends each request to the next one in turn (a round-robin load
/// balancer in front of several hub processes).
pub struct Proxy {
    pub addr: SocketAddr,
    pub upstream: Upstreams,
    stop: Arc<AtomicBool>,
    pub stats: Arc<ProxyStats>,
}

#[derive(Default)]
pub struct ProxyStats {
    pub forwarded: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub resets: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub drop_request: f64,
    pub drop_response: f64,
    pub reset: f64,
}

impl Faults {
    pub const NONE: Faults = Faults { drop_request: 0.0, drop_response: 0.0, reset: 0.0 };
}

/// The hubs behind a proxy, and which one the next request goes to.
#[derive(Clone, Default)]
pub struct Upstreams(Arc<Mutex<(Vec<SocketAddr>, usize)>>);

impl Upstreams {
    fn next(&self) -> SocketAddr {
        let mut u = self.0.lock().unwrap();
        u.1 = (u.1 + 1) % u.0.len();
        u.0[u.1]
    }
}

impl Proxy {
    pub fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        Proxy::round_robin(vec![upstream], faults, seed)
    }

    pub fn round_robin(upstreams: Vec<SocketAddr>, faults: Faults, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let upstream = Upstreams(Arc::new(Mutex::new((upstreams, 0))));
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ProxyStats::default());
        let (up, st, stats2) = (upstream.clone(), stop.clone(), stats.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            for client in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                n += 1;
                let upstream = up.clone();
                let stats = stats2.clone();
                let rng = fastrand::Rng::with_seed(seed.wrapping_mul(1_000_003).wrapping_add(n));
                std::thread::spawn(move || relay(client, upstream, faults, rng, &stats));
            }
        });
        Proxy { addr, upstream, stop, stats }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn point_to(&self, upstream: SocketAddr) {
        *self.upstream.0.lock().unwrap() = (vec![upstream], 0);
    }

    /// Upstream `i` has moved (its hub was restarted on another port).
    pub fn replace(&self, i: usize, upstream: SocketAddr) {
        self.upstream.0.lock().unwrap().0[i] = upstream;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads an HTTP/1.1 message head; returns it and the Content-Length.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<(Vec<u8>, usize)> {
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(line.as_bytes());
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        if line == "\r\n" {
            return Some((head, length));
        }
    }
}

fn relay(client: TcpStream, upstream: Upstreams, faults: Faults, mut rng: fastrand::Rng, stats: &ProxyStats) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    loop {
        let Some((head, length)) = read_head(&mut reader) else { return };
        if length > 0 && rng.f64() < faults.reset {
            // Closing with the body unread makes the kernel answer with a TCP reset.
            stats.resets.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if rng.f64() < faults.drop_request {
            stats.dropped_requests.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let Ok(up) = TcpStream::connect(upstream.next()) else { return };
        let mut up_writer = up.try_clone().unwrap();
        if up_writer.write_all(&head).and_then(|()| up_writer.write_all(&body)).is_err() {
            return;
        }
        let mut up_reader = BufReader::new(up);
        let Some((rhead, rlength)) = read_head(&mut up_reader) else { return };
        let mut rbody = vec![0; rlength];
        if up_reader.read_exact(&mut rbody).is_err() {
            return;
        }
        stats.forwarded.fetch_add(1, Ordering::SeqCst);
        if rng.f64() < faults.drop_response {
            // The hub did the work; the kiosk never hears of it.
            stats.dropped_responses.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if client.write_all(&rhead).and_then(|()| client.write_all(&rbody)).is_err() {
            return;
        }
    }
}
