//! The terminal's side of sync, with no UI: push the outbox to the hub in seq order, drop rows
//! only up to the hub's `acked_upto`, pull catalog pages (each applied with its cursor in one
//! transaction), download pictures by hash into a cache. At-least-once delivery plus the hub's
//! idempotent ingest makes every event arrive exactly once.
//!
//! One loop per terminal: whoever syncs holds an exclusive lock on `sync.lock` in the data
//! folder (the kernel releases it if the process dies, even by `kill -9`).

pub mod client;

use crate::config::SyncConfig;
use crate::store::{Store, StoreError};
use client::Client;
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;
use warm_core::catalog_file::PictureSource;
use warm_core::domain::Catalog;

/// Events in the first push of a round: small, so the hub starts work at once and a slow link
/// is found out cheaply.
const FIRST_BATCH: usize = 250;
/// The smallest push a slow link shrinks to.
const SMALLEST_BATCH: usize = 50;
/// A push answered within this doubles the next one (up to `batch_events`); a slower one halves it,
/// so a slow market uplink sends pushes it can carry well inside the request timeout.
const QUICK_ANSWER: Duration = Duration::from_secs(2);

/// The size of the next push after one of `size` events was answered in `took`.
fn next_batch_size(size: usize, took: Duration, cap: usize) -> usize {
    let next = if took <= QUICK_ANSWER { size.saturating_mul(2) } else { size / 2 };
    next.clamp(SMALLEST_BATCH.min(cap), cap)
}

/// Why a sync round stopped. `Clone` so it can travel in UI messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("no hub is configured ([sync] hub_url is empty)")]
    NoHub,
    #[error("the hub cannot be reached: {0}")]
    Offline(String),
    #[error("the hub had a problem ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("the hub refused ({status} {error}): {message}")]
    Refused { status: u16, error: String, message: String, acked_upto: Option<u64> },
    #[error("another sync of this terminal is running (lock {0})")]
    Busy(String),
    // The cause is in the message, not also a `source`: `{:#}` would print it twice.
    #[error("local store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Local(String),
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e)
    }
}

impl SyncError {
    /// Network trouble and server errors are retried; a refusal needs a person.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Offline(_) | SyncError::Server { .. } | SyncError::Store(StoreError::Busy(_)))
    }
}

/// The exclusive right to sync this terminal, held until dropped.
pub struct SyncLock {
    _file: File,
}

impl SyncLock {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("sync.lock")
    }

    pub fn try_acquire(data_dir: &Path) -> Result<SyncLock, SyncError> {
        let path = Self::path(data_dir);
        std::fs::create_dir_all(data_dir).map_err(|e| SyncError::Local(format!("{}: {e}", data_dir.display())))?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| SyncError::Local(format!("{}: {e}", path.display())))?;
        match file.try_lock() {
            Ok(()) => Ok(SyncLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(SyncError::Busy(path.display().to_string())),
            Err(std::fs::TryLockError::Error(e)) => Err(SyncError::Local(format!("{}: {e}", path.display()))),
        }
    }
}

/// Where the picture cache lives in the data folder.
pub fn pictures_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("pictures")
}

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundReport {
    pub pushed: u64,
    pub duplicates: u64,
    pub batches: u64,
    pub catalog_changes: u64,
    pub pictures_fetched: u64,
    /// Dispatch notes pulled (the van's deliveries to this market).
    pub dispatch_notes: u64,
}

/// What the screen (or `sync status`) shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    pub configured: bool,
    pub online: bool,
    pub waiting: u64,
    pub last_ok: Option<Timestamp>,
    pub problem: Option<String>,
    /// The hub refused our data (conflict, gap, token): retrying alone will not help; a person must.
    pub needs_help: bool,
}

pub struct Syncer {
    store: Store,
    client: Client,
    pictures: PathBuf,
    batch: usize,
    page: u32,
    /// Whether this process has checked that every synced picture is in the cache.
    cache_checked: bool,
}

impl Syncer {
    /// `store_path` is the kiosk's database; the syncer opens its own connection to it.
    pub fn new(config: &SyncConfig, terminal: &str, store_path: &Path, data_dir: &Path) -> Result<Syncer, SyncError> {
        if config.hub_url.is_empty() {
            return Err(SyncError::NoHub);
        }
        let store = Store::open(store_path)?;
        // This connection only deletes acknowledged outbox rows and writes pulled catalog pages:
        // if power loss undid one of those commits, the rows would be sent again (and acknowledged
        // as duplicates) or the page pulled again. So it may skip the fsync per commit that
        // business writes need (WAL + NORMAL still never corrupts the file).
        store.connection().pragma_update(None, "synchronous", "NORMAL").map_err(StoreError::from)?;
        Ok(Syncer {
            store,
            client: Client::new(config, terminal),
            pictures: pictures_dir(data_dir),
            batch: config.batch_events as usize,
            page: config.catalog_page,
            cache_checked: false,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Push everything waiting, then pull the catalog. Stops at the first failure; whatever was
    /// acknowledged or applied before it stays done.
    pub fn round(&mut self, now: Timestamp) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport::default();
        self.push_all(&mut report)?;
        self.pull_catalog(&mut report)?;
        self.pull_dispatch(&mut report, now)?;
        if !self.cache_checked {
            // A picture cache emptied by hand (or a disk fault) is refilled once per start.
            for hash in self.store.synced_picture_hashes()? {
                if self.fetch_picture(&hash)? {
                    report.pictures_fetched += 1;
                }
            }
            self.cache_checked = true;
        }
        self.store.set_last_sync_ok(now)?;
        Ok(report)
    }

    /// Pushes batches in seq order with two on their way at a time: the hub stores the second
    /// right after committing the first (it waits for it; see `hub::pipeline`), so neither side
    /// idles while a body crosses the network. Meanwhile the kiosk drops the rows the last answer
    /// acknowledged and writes the next body. Answers are taken in order; rows are dropped only
    /// after their acknowledgement, never beyond what was sent.
    fn push_all(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        let mut size = self.batch.min(FIRST_BATCH);
        let (mut body, mut last) = self.store.outbox_push_body(0, size)?;
        let (mut acked, mut to_drop): (Option<u64>, Option<u64>) = (None, None);
        let pushed = std::thread::scope(|scope| {
            let mut on_the_way = std::collections::VecDeque::with_capacity(2);
            loop {
                while on_the_way.len() < 2 {
                    let Some(sent_upto) = last else { break };
                    let follows = on_the_way.back().map(|(_, seq, _)| *seq);
                    let (client, sending) = (&self.client, std::mem::take(&mut body));
                    let sent_at = std::time::Instant::now();
                    on_the_way.push_back((scope.spawn(move || client.push(&sending, follows)), sent_upto, sent_at));
                    (body, last) = self.store.outbox_push_body(sent_upto, size)?;
                }
                if let Some(upto) = to_drop.take() {
                    self.store.drop_acked(upto)?;
                }
                // A failure below leaves the other push to finish on its own (the scope waits
                // for it); the hub answers it once this one's fate is known.
                let Some((answer, sent_upto, sent_at)) = on_the_way.pop_front() else { return Ok(()) };
                let answer = answer.join().map_err(|_| SyncError::Local("the push thread panicked".into()))??;
                size = next_batch_size(size, sent_at.elapsed(), self.batch);
                // Never beyond what this push carried, whatever the hub says.
                acked = Some(answer.acked_upto.min(sent_upto));
                report.pushed += answer.stored;
                report.duplicates += answer.duplicates;
                report.batches += 1;
                if answer.acked_upto < sent_upto {
                    return Err(SyncError::Server {
                        status: 200,
                        message: format!("the hub acknowledged up to #{} of #{sent_upto}", answer.acked_upto),
                    });
                }
                to_drop = acked;
            }
        });
        // The last acknowledgement is kept even if the round stopped after it.
        let dropped = acked.map_or(Ok(0), |upto| self.store.drop_acked(upto));
        pushed?;
        dropped?;
        Ok(())
    }

    fn pull_catalog(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let cursor = self.store.catalog_cursor()?;
            let page = self.client.catalog_page(cursor, self.page)?;
            if page.changes.is_empty() {
                return Ok(());
            }
            // Pictures first: a page is applied only once everything it shows is on disk.
            for change in &page.changes {
                let hash = match change {
                    warm_core::api::CatalogChange::Category { picture, deleted: false, .. }
                    | warm_core::api::CatalogChange::Product { picture, deleted: false, .. } => picture,
                    _ => continue,
                };
                if self.fetch_picture(hash)? {
                    report.pictures_fetched += 1;
                }
            }
            self.store.apply_catalog_page(&page.changes, page.next_cursor)?;
            report.catalog_changes += page.changes.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Pulls dispatch notes by their own cursor; each page is stored with its cursor in one
    /// transaction, so a note is never lost or stored twice.
    fn pull_dispatch(&mut self, report: &mut RoundReport, now: Timestamp) -> Result<(), SyncError> {
        loop {
            let cursor = self.store.dispatch_cursor()?;
            let page = self.client.dispatch_page(cursor, self.page)?;
            if page.notes.is_empty() {
                return Ok(());
            }
            self.store.apply_dispatch_page(&page.notes, page.next_cursor, now)?;
            report.dispatch_notes += page.notes.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Downloads a picture into the cache unless it is there; true if it was fetched.
    fn fetch_picture(&self, hash: &str) -> Result<bool, SyncError> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(SyncError::Server { status: 200, message: format!("picture name {hash:?} is not a sha256") });
        }
        let path = self.pictures.join(hash);
        if path.exists() {
            return Ok(false);
        }
        let bytes = self.client.picture(hash)?;
        let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        if got != hash {
            return Err(SyncError::Offline(format!("picture {hash} arrived damaged (sha256 {got})")));
        }
        let io = |e: std::io::Error| SyncError::Local(format!("picture cache {}: {e}", self.pictures.display()));
        std::fs::create_dir_all(&self.pictures).map_err(io)?;
        let tmp = self.pictures.join(format!("{hash}.part"));
        let mut file = File::create(&tmp).map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(true)
    }

    pub fn status(&self, online: bool, problem: Option<String>) -> SyncStatus {
        SyncStatus {
            configured: true,
            online,
            waiting: self.store.outbox_len().unwrap_or(0),
            last_ok: self.store.last_sync_ok().ok().flatten(),
            problem,
            needs_help: false,
        }
    }
}

/// The catalog the kiosk should show: the synced one if there is one, with its picture cache.
pub fn synced_catalog(store: &Store, data_dir: &Path) -> Result<Option<(Catalog, PictureSource)>, StoreError> {
    Ok(store.synced_catalog()?.map(|c| (c, PictureSource::Folder(pictures_dir(data_dir)))))
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s, ... up to `max`, each wait drawn from its
/// upper half so terminals that lost the hub together do not come back together.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new(max: Duration) -> Backoff {
        Backoff { next: Duration::from_secs(1).min(max), max }
    }

    pub fn reset(&mut self) {
        self.next = Duration::from_secs(1).min(self.max);
    }

    pub fn wait(&mut self) -> Duration {
        let full = self.next;
        self.next = (self.next * 2).min(self.max);
        let half = full / 2;
        let jitter = getrandom::u64().unwrap_or(0) % (half.as_millis() as u64 + 1);
        half + Duration::from_millis(jitter)
    }
}

/// What the loop tells its owner.
#[derive(Debug, Clone)]
pub enum Update {
    Status(SyncStatus),
    /// The catalog changed on the hub; here it is as this market sells it.
    Catalog(Catalog, PictureSource),
}

/// The background loop: rounds every `interval_seconds`, backing off while the hub is away,
/// until `stop()` says so. Waits for the lock if another process syncs this terminal.
pub fn run_loop(
    config: &SyncConfig,
    terminal: &str,
    store_path: &Path,
    data_dir: &Path,
    mut on_update: impl FnMut(Update),
    stop: impl Fn() -> bool,
) {
    let interval = Duration::from_secs(config.interval_seconds);
    let mut backoff = Backoff::new(Duration::from_secs(config.max_backoff_seconds.max(1)));
    let sleep = |d: Duration| {
        let until = std::time::Instant::now() + d;
        while std::time::Instant::now() < until && !stop() {
            std::thread::sleep(Duration::from_millis(100).min(until - std::time::Instant::now()));
        }
    };
    let _lock = loop {
        match SyncLock::try_acquire(data_dir) {
            Ok(lock) => break lock,
            Err(e) => {
                on_update(Update::Status(SyncStatus {
                    configured: true,
                    problem: Some(e.to_string()),
                    ..SyncStatus::default()
                }));
                sleep(interval);
                if stop() {
                    return;
                }
            }
        }
    };
    let mut syncer = loop {
        match Syncer::new(config, terminal, store_path, data_dir) {
            Ok(s) => break s,
            Err(e) => {
                on_update(Update::Status(SyncStatus {
                    configured: true,
                    problem: Some(e.to_string()),
                    ..SyncStatus::default()
                }));
                sleep(backoff.wait());
                if stop() {
                    return;
                }
            }
        }
    };
    on_update(Update::Status(syncer.status(false, None)));
    while !stop() {
        match syncer.round(Timestamp::now()) {
            Ok(report) => {
                backoff.reset();
                if report.pushed + report.duplicates > 0 || report.catalog_changes > 0 {
                    tracing::info!(?report, "sync round");
                }
                on_update(Update::Status(syncer.status(true, None)));
                if report.catalog_changes > 0 || report.pictures_fetched > 0 {
                    match synced_catalog(syncer.store(), data_dir) {
                        Ok(Some((catalog, pictures))) => on_update(Update::Catalog(catalog, pictures)),
                        Ok(None) => {}
                        Err(e) => tracing::error!("synced catalog unreadable: {e}"),
                    }
                }
                sleep(interval);
            }
            Err(e) => {
                tracing::warn!("sync: {e}");
                let mut status = syncer.status(false, Some(e.to_string()));
                status.needs_help = !e.is_transient() && !matches!(e, SyncError::Busy(_));
                on_update(Update::Status(status));
                sleep(if e.is_transient() { backoff.wait() } else { backoff.wait().max(interval) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_error_is_said_once_in_a_chain_of_causes() {
        let e = anyhow::Error::from(SyncError::from(StoreError::Busy("the cause".into())));
        let text = format!("{e:#}");
        assert_eq!(text.matches("the cause").count(), 1, "{text}");
    }

    /// A server that answers every push with `answer` (and every catalog request with an empty
    /// page), recording the seqs it was sent. Only for a hub that misbehaves; everything else is
    /// tested against the real `warm-hub` in tests/sync.
    fn misbehaving_hub(answer: &'static str) -> (String, std::sync::Arc<std::sync::Mutex<Vec<u64>>>) {
        use std::io::{BufRead, BufReader, Read};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let record = record.clone();
                // A connection each: the kiosk keeps two pushes on their way.
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut writer = stream;
                    loop {
                        let (mut head, mut line) = (String::new(), String::new());
                        while reader.read_line(&mut line).unwrap_or(0) > 2 {
                            head.push_str(&line);
                            line.clear();
                        }
                        if head.is_empty() {
                            break;
                        }
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                            })
                            .map_or(0, |v| v.parse().unwrap());
                        let mut body = vec![0; length];
                        reader.read_exact(&mut body).unwrap();
                        let reply = if head.starts_with("POST") {
                            let push: warm_core::api::PushRequest = serde_json::from_slice(&body).unwrap();
                            record.lock().unwrap().extend(push.events.iter().map(|e| e.seq));
                            answer
                        } else if head.contains("/dispatch") {
                            r#"{"notes": [], "next_cursor": 0, "more": false}"#
                        } else {
                            r#"{"changes": [], "next_cursor": 0, "more": false}"#
                        };
                        let response = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{reply}", reply.len());
                        writer.write_all(response.as_bytes()).unwrap();
                    }
                });
            }
        });
        (url, seen)
    }

    #[test]
    fn a_hub_acknowledging_more_than_it_was_sent_cannot_make_the_kiosk_drop_unsent_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.sqlite");
        let store = Store::open(&path).unwrap();
        for seq in 1..=5 {
            store
                .connection()
                .execute(
                    "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, 'test', '{}', 'now')",
                    rusqlite::params![seq, uuid::Uuid::now_v7().to_string()],
                )
                .unwrap();
        }
        let (url, seen) = misbehaving_hub(r#"{"acked_upto": 999, "stored": 2, "duplicates": 0}"#);
        let config = SyncConfig { hub_url: url, token: "t".into(), batch_events: 2, ..SyncConfig::default() };
        let mut syncer = Syncer::new(&config, "K1", &path, dir.path()).unwrap();
        syncer.round(Timestamp::now()).unwrap();
        let mut seen = seen.lock().unwrap().clone();
        seen.sort();
        assert_eq!(seen, [1, 2, 3, 4, 5], "every event must be sent before it is dropped");
        assert_eq!(store.outbox_len().unwrap(), 0);
    }

    #[test]
    fn a_hub_answering_nonsense_is_a_server_problem_and_nothing_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.sqlite");
        let store = Store::open(&path).unwrap();
        store
            .connection()
            .execute(
                "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (1, ?1, 'test', '{}', 'now')",
                [uuid::Uuid::now_v7().to_string()],
            )
            .unwrap();
        let (url, _) = misbehaving_hub("<html>a captive portal</html>");
        let config = SyncConfig { hub_url: url, token: "t".into(), ..SyncConfig::default() };
        let mut syncer = Syncer::new(&config, "K1", &path, dir.path()).unwrap();
        let err = syncer.round(Timestamp::now()).unwrap_err();
        assert!(matches!(err, SyncError::Server { .. }) && err.is_transient(), "{err}");
        assert_eq!(store.outbox_len().unwrap(), 1);
    }

    #[test]
    fn pushes_grow_while_answered_quickly_and_shrink_on_a_slow_link() {
        let quick = Duration::from_millis(30);
        let slow = Duration::from_secs(9);
        let mut size = FIRST_BATCH;
        let grown: Vec<usize> = (0..6)
            .map(|_| {
                size = next_batch_size(size, quick, 5000);
                size
            })
            .collect();
        assert_eq!(grown, [500, 1000, 2000, 4000, 5000, 5000]);
        let shrunk: Vec<usize> = (0..8)
            .map(|_| {
                size = next_batch_size(size, slow, 5000);
                size
            })
            .collect();
        assert_eq!(shrunk, [2500, 1250, 625, 312, 156, 78, 50, 50]);
        assert_eq!(next_batch_size(2, quick, 2), 2, "never beyond the configured most");
        assert_eq!(next_batch_size(2, slow, 2), 2);
    }

    #[test]
    fn only_one_sync_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = SyncLock::try_acquire(dir.path()).unwrap();
        assert!(matches!(SyncLock::try_acquire(dir.path()), Err(SyncError::Busy(_))));
        drop(first);
        SyncLock::try_acquire(dir.path()).unwrap();
    }

    #[test]
    fn backoff_doubles_up_to_the_limit_with_jitter_in_the_upper_half() {
        let mut b = Backoff::new(Duration::from_secs(8));
        let waits: Vec<Duration> = (0..6).map(|_| b.wait()).collect();
        let fulls = [1, 2, 4, 8, 8, 8];
        for (w, full) in waits.iter().zip(fulls) {
            let full = Duration::from_secs(full);
            assert!(*w >= full / 2 && *w <= full, "{w:?} not in [{:?}, {full:?}]", full / 2);
        }
        b.reset();
        assert!(b.wait() <= Duration::from_secs(1));
    }
}
