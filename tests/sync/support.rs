//! Real processes and real files for the sync stories.

use jiff::Timestamp;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
use warm_kiosk::config::Config;
use warm_kiosk::demo;
use warm_kiosk::store::{NewOrder, Store};

pub use crate::hub_binary::hub_binary;
pub use crate::proxy::{Faults, Proxy};
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
        let child = command
            .args(["--data", dir.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Hub::serving(child)
    }

    /// A `serve` child started elsewhere (stdout piped): its address, from the first line it prints.
    pub fn serving(mut child: Child) -> Hub {
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

/// The `[sync]` lines of a test kiosk: quick rounds and pauses, pushes of `batch` events.
pub fn knobs(batch: u32) -> String {
    format!("interval_seconds = 1\nmax_backoff_seconds = 1\ntimeout_seconds = 5\nbatch_events = {batch}\n")
}

/// A CA and a certificate it signed for `names` (IP addresses or host names):
/// (CA PEM, certificate PEM, key PEM).
pub fn certificates(names: &[&str]) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Test co-op CA");
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut hub = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    hub.distinguished_name.push(DnType::CommonName, "warm-hub");
    let cert = hub.signed_by(&key, &issuer).unwrap();
    (ca_pem, cert.pem(), key.serialize_pem())
}

/// Writes into `dir` a CA, a hub certificate for `names` and its key, and a hub config serving
/// HTTPS with them: (the CA file for a kiosk's `ca_file`, the hub's config file).
pub fn https_files(dir: &Path, names: &[&str]) -> (PathBuf, PathBuf) {
    let (ca, cert, key) = certificates(names);
    std::fs::create_dir_all(dir).unwrap();
    let path = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let ca = path("ca.pem", &ca);
    let (cert, key) = (path("hub.crt", &cert), path("hub.key", &key));
    let config =
        format!("[tls]\ncert_file = {:?}\nkey_file = {:?}\n", cert.display().to_string(), key.display().to_string());
    (ca, path("hub.toml", &config))
}

/// A kiosk's data folder and config file, talking to `hub_url`.
pub struct Kiosk {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub terminal: String,
}

impl Kiosk {
    pub fn new(dir: &Path, terminal: &str, hub_url: &str, token: &str, batch: u32) -> Kiosk {
        Kiosk::with_sync(dir, terminal, hub_url, token, &knobs(batch))
    }

    /// A kiosk whose `[sync]` has `knobs` (TOML lines, e.g. `knobs(100)` and a `ca_file`) besides
    /// the hub and token.
    pub fn with_sync(dir: &Path, terminal: &str, hub_url: &str, token: &str, knobs: &str) -> Kiosk {
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("kiosk.toml");
        let kiosk = Kiosk { dir: dir.to_owned(), config, terminal: terminal.to_owned() };
        kiosk.write_config(hub_url, token, knobs);
        kiosk
    }

    /// Rewrites the config (a new token, CA or hub), as an operator would between runs.
    pub fn write_config(&self, hub_url: &str, token: &str, knobs: &str) {
        let terminal = &self.terminal;
        std::fs::write(
            &self.config,
            format!("terminal_id = \"{terminal}\"\n[sync]\nhub_url = \"{hub_url}\"\ntoken = \"{token}\"\n{knobs}\n"),
        )
        .unwrap();
    }

    /// The sync status as the store has it (what `sync status` and the corner read).
    pub fn status(&self) -> warm_kiosk::sync::SyncStatus {
        let store = Store::open_read_only(&self.store_path()).unwrap().unwrap();
        warm_kiosk::sync::SyncStatus::read(&store, true, None).unwrap()
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

const ASSETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets");

/// A copy of the demo catalog and its pictures in `to`, for the hub to import (and change).
pub fn copy_assets(to: &Path) {
    std::fs::create_dir_all(to.join("pictures")).unwrap();
    std::fs::copy(Path::new(ASSETS).join("catalog.toml"), to.join("catalog.toml")).unwrap();
    for entry in std::fs::read_dir(Path::new(ASSETS).join("pictures")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join("pictures").join(entry.file_name())).unwrap();
    }
}

/// A hub folder with terminal K1 of market M1 and the demo catalog imported; returns K1's token.
pub fn hub_with_demo_catalog(hub_dir: &Path, scratch: &Path) -> String {
    let token = add_terminal(hub_dir, "K1", "M1");
    let assets = scratch.join("catalog");
    copy_assets(&assets);
    hub_cli(hub_dir, &["catalog", "import", assets.join("catalog.toml").to_str().unwrap()]);
    token
}

/// Whether the kiosk's synced catalog is the demo catalog at the hub's prices (with `price` for
/// the first product, the rice), every picture in its cache and whole.
pub fn has_demo_catalog(kiosk: &Kiosk, rice_price: i64) -> bool {
    use sha2::Digest as _;
    let Ok(Some(store)) = Store::open_read_only(&kiosk.store_path()) else { return false };
    let Ok(Some(synced)) = store.synced_catalog() else { return false };
    let demo = demo::catalog().unwrap().catalog;
    let same =
        synced.products.len() == demo.products.len()
            && synced.categories.len() == demo.categories.len()
            && synced.products.iter().zip(&demo.products).enumerate().all(|(i, (a, b))| {
                a.id == b.id && a.price.as_fen() == if i == 0 { rice_price } else { b.price.as_fen() }
            });
    let pictures = warm_kiosk::sync::pictures_dir(&kiosk.dir);
    same && synced.products.iter().map(|p| &p.picture).chain(synced.categories.iter().map(|c| &c.picture)).all(|hash| {
        std::fs::read(pictures.join(hash)).is_ok_and(|bytes| {
            let got: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            &got == hash
        })
    })
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
