//! Real processes and real files for the sync stories.

use jiff::Timestamp;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
use warm_hub::config::{Database, db_path};
use warm_hub::postgres::scratch::ScratchDb;
use warm_hub::store::HubStore;
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
        self.store.get_or_init(|| warm_hub::open_store(&self.database).unwrap()).as_ref()
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
        let knobs =
            format!("interval_seconds = 1\nmax_backoff_seconds = 1\ntimeout_seconds = 5\nbatch_events = {batch}\n");
        Kiosk::with_sync(dir, terminal, hub_url, token, &knobs)
    }

    /// A kiosk whose `[sync]` has `knobs` (TOML lines) besides the hub and token.
    pub fn with_sync(dir: &Path, terminal: &str, hub_url: &str, token: &str, knobs: &str) -> Kiosk {
        std::fs::create_dir_all(dir).unwrap();
        let config = dir.join("kiosk.toml");
        std::fs::write(
            &config,
            format!("terminal_id = \"{terminal}\"\n[sync]\nhub_url = \"{hub_url}\"\ntoken = \"{token}\"\n{knobs}"),
        )
        .unwrap();
        Kiosk { dir: dir.to_owned(), config, terminal: terminal.to_owned() }
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
pub fn hub_with_demo_catalog(hub_dir: &HubHome, scratch: &Path) -> String {
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
