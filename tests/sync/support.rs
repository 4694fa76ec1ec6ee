//! Real processes and real files for the sync stories.

use jiff::Timestamp;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
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

/// A `warm-hub serve` child process on a free loopback port.
pub struct Hub {
    pub child: Child,
    pub addr: SocketAddr,
    /// `http` or `https`, as the hub says on its first line.
    pub scheme: String,
}

impl Hub {
    pub fn start(dir: &Path) -> Hub {
        Hub::start_with(dir, None)
    }

    /// With a config file (`--config`), e.g. for `[tls]` or `[limits]`.
    pub fn start_with(dir: &Path, config: Option<&Path>) -> Hub {
        let mut command = Command::new(hub_binary());
        if let Some(config) = config {
            command.arg("--config").arg(config);
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
        let (scheme, addr) =
            line.trim().rsplit(' ').next().unwrap().split_once("://").unwrap_or_else(|| panic!("{line:?}"));
        let addr = addr.parse().unwrap_or_else(|_| panic!("{line:?}"));
        Hub { child, addr, scheme: scheme.to_owned() }
    }

    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
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

pub fn hub_db(dir: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("hub.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn
}

/// Runs an operator command (`terminal add`, `catalog import`, ...) and returns its stdout.
pub fn hub_cli(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(hub_binary()).arg("--data").arg(dir).args(args).env("RUST_LOG", "error").output().unwrap();
    assert!(out.status.success(), "warm-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// An operator command that reads a line from standard input (a password): (success, stdout, stderr).
pub fn hub_cli_input(dir: &Path, args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(hub_binary())
        .arg("--data")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

pub fn add_terminal(dir: &Path, id: &str, market: &str) -> String {
    hub_cli(dir, &["terminal", "add", id, "--market", market]).trim().to_owned()
}

/// What the hub stored for a terminal: (events, distinct ids, max seq, total of order amounts).
pub fn hub_totals(dir: &Path, terminal: &str) -> (i64, i64, i64, i64) {
    hub_db(dir)
        .query_row(
            "SELECT count(*), count(DISTINCT id), coalesce(max(seq), 0), coalesce(sum(amount_fen), 0)
             FROM events WHERE terminal = ?1",
            [terminal],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

pub fn open_alarms(dir: &Path) -> Vec<String> {
    let conn = hub_db(dir);
    let mut stmt = conn.prepare("SELECT kind || ': ' || message FROM alarms WHERE cleared_at IS NULL").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// A kiosk's data folder and config file, talking to `hub_url`.
pub struct Kiosk {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub terminal: String,
}

impl Kiosk {
    pub fn new(dir: &Path, terminal: &str, hub_url: &str, token: &str, batch: u32) -> Kiosk {
        Kiosk::new_with(dir, terminal, hub_url, token, batch, "")
    }

    /// With more `[sync]` lines (e.g. `ca_file = "..."`).
    pub fn new_with(dir: &Path, terminal: &str, hub_url: &str, token: &str, batch: u32, sync: &str) -> Kiosk {
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("kiosk.toml");
        let kiosk = Kiosk { dir: dir.to_owned(), config, terminal: terminal.to_owned() };
        kiosk.write_config(hub_url, token, batch, sync);
        kiosk
    }

    pub fn write_config(&self, hub_url: &str, token: &str, batch: u32, sync: &str) {
        let terminal = &self.terminal;
        std::fs::write(
            &self.config,
            format!(
                "terminal_id = \"{terminal}\"\n[sync]\nhub_url = \"{hub_url}\"\ntoken = \"{token}\"\n\
                 interval_seconds = 1\nmax_backoff_seconds = 1\ntimeout_seconds = 5\nbatch_events = {batch}\n{sync}\n"
            ),
        )
        .unwrap();
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
pub struct Proxy {
    pub addr: SocketAddr,
    pub upstream: Arc<Mutex<SocketAddr>>,
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

impl Proxy {
    pub fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let upstream = Arc::new(Mutex::new(upstream));
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
                let upstream = *up.lock().unwrap();
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
        *self.upstream.lock().unwrap() = upstream;
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

fn relay(client: TcpStream, upstream: SocketAddr, faults: Faults, mut rng: fastrand::Rng, stats: &ProxyStats) {
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
        let Ok(up) = TcpStream::connect(upstream) else { return };
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

/// An HTTP client for tests: answers of any status, no redirects followed, and (for https) the
/// CA certificate in `ca` trusted.
pub fn agent(ca: Option<&Path>) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0);
    if let Some(ca) = ca {
        let pem = std::fs::read(ca).unwrap();
        let certs: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|item| match item.unwrap() {
                ureq::tls::PemItem::Certificate(c) => Some(c),
                _ => None,
            })
            .collect();
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::new_with_certs(&certs)).build();
        config = config.tls_config(tls);
    }
    ureq::Agent::new_with_config(config.build())
}

pub const OPERATOR_PASSWORD: &str = "a long enough password";

/// Adds operator `name` and signs in through the login form: the session cookie (`name=value`)
/// and the whole `Set-Cookie` header.
pub fn sign_in(hub_dir: &Path, url: &str, name: &str, ca: Option<&Path>) -> (String, String) {
    let (ok, _, err) = hub_cli_input(hub_dir, &["operator", "add", name], &format!("{OPERATOR_PASSWORD}\n"));
    assert!(ok, "operator add: {err}");
    let resp = agent(ca)
        .post(&format!("{url}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(format!("name={name}&password={}", OPERATOR_PASSWORD.replace(' ', "+")))
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303, "login");
    let set = resp.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    (set.split(';').next().unwrap().to_owned(), set)
}

/// GET with a session cookie: (status, body).
pub fn get_signed_in(url: &str, cookie: &str, ca: Option<&Path>) -> (u16, String) {
    let mut resp = agent(ca).get(url).header("cookie", cookie).call().unwrap();
    (resp.status().as_u16(), resp.body_mut().read_to_string().unwrap())
}
