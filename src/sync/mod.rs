//! The terminal's side of sync, with no UI: push the outbox to the hub in seq order, drop rows
//! only up to the hub's `acked_upto`, pull catalog pages (each applied with its cursor in one
//! transaction), download pictures by hash into a cache. At-least-once delivery plus the hub's
//! idempotent ingest makes every event arrive exactly once.
//!
//! One loop per terminal: whoever syncs holds an exclusive lock on `sync.lock` in the data
//! folder (the kernel releases it if the process dies, even by `kill -9`).
//!
//! Built for a bad network (issue 16): pushing and pulling run on their own threads with their
//! own back-off, so a catalog or picture that will not come never holds an order back; a push
//! starts as soon as the kiosk commits an order ([`Waker`]) and at least every interval; every
//! request is idempotent and retried a few times with short jittered pauses before a pass counts
//! as failed; pictures come a few at a time and a page is applied as soon as its own pictures
//! are on disk; nothing that arrived is fetched again. What happened is kept in the store for the
//! corner of the screen ([`SyncStatus`], [`corner_lines`]) and `warm-kiosk sync status`.

pub mod client;
pub mod meter;
pub mod pictures;
mod recover;
pub mod status;
mod waker;

pub use meter::Meter;
pub use status::{Link, LinkRecord, Problem, SyncStatus, corner_lines};
pub use waker::Waker;

use crate::config::SyncConfig;
use crate::store::{Store, StoreError};
use client::{Client, with_retries};
use jiff::Timestamp;
use status::keys;
use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use waker::Signal;
use warm_core::api::{CatalogChange, CatalogPage};
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
/// How often a waiting push looks for events committed without a wake (by the print worker,
/// another process): the wake is the fast way, this the safety net.
const NOTICE: Duration = Duration::from_secs(1);

/// The size of the next push after one of `size` events was answered in `took`.
fn next_batch_size(size: usize, took: Duration, cap: usize) -> usize {
    let next = if took <= QUICK_ANSWER { size.saturating_mul(2) } else { size / 2 };
    next.clamp(SMALLEST_BATCH.min(cap), cap)
}

/// Why a sync pass stopped. `Clone` so it can travel in UI messages. Each says what to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("no hub is configured ([sync] hub_url is empty)")]
    NoHub,
    #[error("the hub cannot be reached: {0}")]
    Offline(String),
    #[error("the hub had a problem ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("the hub refused ({status}{}): {message}", code(.error))]
    Refused { status: u16, error: String, message: String, acked_upto: Option<u64> },
    /// An https hub whose certificate does not check out: never talked to, and a person must look.
    #[error("{0}")]
    Untrusted(String),
    #[error("another sync of this terminal is running (lock {0})")]
    Busy(String),
    // The cause is in the message, not also a `source`: `{:#}` would print it twice.
    #[error("local store: {0}")]
    Store(StoreError),
    #[error("{0}")]
    Local(String),
}

/// The hub's error code after the status, when it gave one.
fn code(error: &str) -> String {
    if error.is_empty() { String::new() } else { format!(" {error}") }
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

    /// Retrying alone will not help: the corner asks for a person.
    pub fn needs_help(&self) -> bool {
        !self.is_transient() && !matches!(self, SyncError::Busy(_))
    }

    /// The hub's certificate was refused: the corner says so rather than "the hub refused".
    pub fn untrusted(&self) -> bool {
        matches!(self, SyncError::Untrusted(_))
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

/// What a pass or a round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundReport {
    pub pushed: u64,
    pub duplicates: u64,
    pub batches: u64,
    pub catalog_changes: u64,
    pub pictures_fetched: u64,
    /// Purchases of the market's households heard from the hub (issue 10).
    pub usage_entries: u64,
    /// Dispatch notes pulled (the van's deliveries to this market).
    pub dispatch_notes: u64,
}

impl RoundReport {
    /// Something reached the hub or arrived from it.
    pub fn moved(&self) -> bool {
        self.pushed
            + self.duplicates
            + self.catalog_changes
            + self.pictures_fetched
            + self.usage_entries
            + self.dispatch_notes
            > 0
    }
}

/// One push or pull: what it did, and why it stopped early if it did (what it did stays done).
#[derive(Debug, Clone, Default)]
pub struct Pass {
    pub report: RoundReport,
    pub error: Option<SyncError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Push,
    Pull,
}

pub struct Syncer {
    store: Store,
    client: Client,
    pictures: PathBuf,
    /// The most events per push now: `batch_setting`, less after the hub refused a push as too
    /// large (see `recover`).
    batch: usize,
    batch_setting: usize,
    /// The size and last seq of a push the hub refused as too large, in the last `push_all`.
    too_large: Option<(usize, u64)>,
    page: u32,
    /// Whether this process has checked that every synced picture is in the cache.
    cache_checked: bool,
    /// Pages that arrived but whose pictures did not all: applied once they have, never fetched
    /// again (each kept with the cursor it was fetched at).
    pending: Vec<(u64, CatalogPage)>,
}

impl Syncer {
    /// `store_path` is the kiosk's database; the syncer opens its own connection to it.
    pub fn new(config: &SyncConfig, terminal: &str, store_path: &Path, data_dir: &Path) -> Result<Syncer, SyncError> {
        Self::with_meter(config, terminal, store_path, data_dir, Arc::default())
    }

    /// A syncer whose requests count into `meter` (shared by a loop's push and pull).
    pub fn with_meter(
        config: &SyncConfig,
        terminal: &str,
        store_path: &Path,
        data_dir: &Path,
        meter: Arc<Meter>,
    ) -> Result<Syncer, SyncError> {
        if config.hub_url.is_empty() {
            return Err(SyncError::NoHub);
        }
        let store = Store::open(store_path)?;
        // This connection only deletes acknowledged outbox rows and writes pulled catalog pages:
        // if power loss undid one of those commits, the rows would be sent again (and acknowledged
        // as duplicates) or the page pulled again. So it may skip the fsync per commit that
        // business writes need (WAL + NORMAL still never corrupts the file).
        store.connection().pragma_update(None, "synchronous", "NORMAL").map_err(StoreError::from)?;
        let mut client = Client::new(config, terminal, meter)?;
        client.set_instance(store.sync_instance()?);
        Ok(Syncer {
            store,
            client,
            pictures: pictures_dir(data_dir),
            batch: config.batch_events as usize,
            batch_setting: config.batch_events as usize,
            too_large: None,
            page: config.catalog_page,
            cache_checked: false,
            pending: Vec::new(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn meter(&self) -> &Arc<Meter> {
        self.client.meter()
    }

    /// The status as this syncer's store and live link reading have it.
    pub fn status(&self) -> Result<SyncStatus, SyncError> {
        Ok(SyncStatus::read(&self.store, true, Some(self.meter().link().link))?)
    }

    /// Push, then pull (the pull runs even if the push failed); the first failure is returned.
    /// Whatever was acknowledged or applied stays done.
    pub fn round(&mut self) -> Result<RoundReport, SyncError> {
        let push = self.push();
        let pull = self.pull();
        match push.error.or(pull.error) {
            Some(e) => Err(e),
            None => Ok(RoundReport {
                catalog_changes: pull.report.catalog_changes,
                pictures_fetched: pull.report.pictures_fetched,
                usage_entries: pull.report.usage_entries,
                dispatch_notes: pull.report.dispatch_notes,
                ..push.report
            }),
        }
    }

    /// Pushes everything waiting. A push that fails is sent again (up to [`client::ATTEMPTS`]
    /// times in a row that move nothing) before the pass counts as failed; one the hub finds too
    /// large is sent in smaller pieces, and a kiosk restored from a backup recovers (see `recover`).
    pub fn push(&mut self) -> Pass {
        let mut report = RoundReport::default();
        let result = with_retries(|| {
            let before = report.pushed + report.duplicates;
            self.push_everything(&mut report).map_err(|e| (e, report.pushed + report.duplicates > before))
        });
        let pass = Pass { report, error: result.err() };
        // Nothing was waiting and nothing was sent: nothing to record.
        if pass.report.batches > 0 || pass.error.is_some() {
            self.record(Side::Push, &pass);
        }
        pass
    }

    /// Pulls catalog pages until the hub has no more, each applied as soon as its pictures are
    /// on disk; once per process, also refills pictures missing from the cache.
    pub fn pull(&mut self) -> Pass {
        let mut report = RoundReport::default();
        let mut result = self.pull_catalog(&mut report);
        if result.is_ok() {
            // The van's dispatch notes ride the pull: a second cursor feed beside the catalog's.
            result = self.pull_dispatch(&mut report);
        }
        // What the market's households bought elsewhere, so limits hold across terminals; pulled
        // even when the catalog failed (they are independent).
        let usage = self.pull_usage(&mut report);
        if result.is_ok() && !self.cache_checked {
            // A picture cache emptied by hand (or a disk fault) is refilled once per start.
            result = self.refill_cache(&mut report);
        }
        let pass = Pass { report, error: result.and(usage).err() };
        self.record(Side::Pull, &pass);
        pass
    }

    /// Pulls usage pages until the hub has no more, each applied with its cursor at once.
    fn pull_usage(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let cursor = self.store.usage_cursor()?;
            let page = with_retries(|| self.client.usage_page(cursor, self.page).map_err(|e| (e, false)))?;
            if page.entries.is_empty() {
                return Ok(());
            }
            if page.next_cursor <= cursor {
                return Err(SyncError::Server {
                    status: 200,
                    message: format!("a usage page after cursor {cursor} ends at {}", page.next_cursor),
                });
            }
            self.store.apply_usage_page(&page.entries, page.next_cursor)?;
            report.usage_entries += page.entries.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Pushes batches in seq order with two on their way at a time: the hub stores the second
    /// right after committing the first (it waits for it; see `hub::pipeline`), so neither side
    /// idles while a body crosses the network. Meanwhile the kiosk drops the rows the last answer
    /// acknowledged and writes the next body. Answers are taken in order; rows are dropped only
    /// after their acknowledgement, never beyond what was sent.
    fn push_all(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        let mut size = self.batch.min(FIRST_BATCH);
        let (mut body, mut last) = self.store.outbox_push_body(0, size)?;
        // The most events `body` may hold (the size it was made with; `size` moves on).
        let mut body_size = size;
        let (mut acked, mut to_drop): (Option<u64>, Option<u64>) = (None, None);
        let mut too_large = None;
        let pushed = std::thread::scope(|scope| {
            let mut on_the_way = std::collections::VecDeque::with_capacity(2);
            loop {
                while on_the_way.len() < 2 {
                    let Some(sent_upto) = last else { break };
                    let follows = on_the_way.back().map(|(_, seq, _, _)| *seq);
                    let (client, sending) = (&self.client, std::mem::take(&mut body));
                    let sent_at = Instant::now();
                    let pushing = scope.spawn(move || client.push(&sending, follows));
                    on_the_way.push_back((pushing, sent_upto, sent_at, body_size));
                    (body, last) = self.store.outbox_push_body(sent_upto, size)?;
                    body_size = size;
                }
                if let Some(upto) = to_drop.take() {
                    self.store.drop_acked(upto)?;
                }
                // A failure below leaves the other push to finish on its own (the scope waits
                // for it); the hub answers it once this one's fate is known.
                let Some((answer, sent_upto, sent_at, sent_size)) = on_the_way.pop_front() else { return Ok(()) };
                let answer = answer.join().map_err(|_| SyncError::Local("the push thread panicked".into()))?;
                if let Err(SyncError::Refused { status: 413, .. }) = &answer {
                    too_large = Some((sent_size, sent_upto));
                }
                let answer = answer?;
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
        self.too_large = too_large;
        // The last acknowledgement is kept even if the round stopped after it.
        let dropped = acked.map_or(Ok(0), |upto| self.store.drop_acked(upto));
        pushed?;
        dropped?;
        Ok(())
    }

    /// Fetches up to [`PAGES_AHEAD`] pages, then their pictures all together (so the pictures of
    /// the next page fill the wait for a straggler of this one), applying each page in order as
    /// soon as its own pictures are on disk. Pages left unapplied are kept for the next pass.
    fn pull_catalog(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let mut cursor = self.store.catalog_cursor()?;
            let mut kept = std::mem::take(&mut self.pending).into_iter();
            let mut pages: VecDeque<WaitingPage> = VecDeque::new();
            let (mut more, mut fetch_error) = (true, None);
            while more && pages.len() < PAGES_AHEAD {
                let page = match kept.next() {
                    Some((at, page)) if at == cursor => page,
                    _ => match with_retries(|| self.client.catalog_page(cursor, self.page).map_err(|e| (e, false))) {
                        Ok(page) => page,
                        Err(e) => {
                            fetch_error = Some(e);
                            break;
                        }
                    },
                };
                if page.changes.is_empty() {
                    more = false;
                    break;
                }
                let shown = page.changes.iter().filter_map(|change| match change {
                    CatalogChange::Category { picture, deleted: false, .. }
                    | CatalogChange::Product { picture, deleted: false, .. } => Some(picture.clone()),
                    _ => None,
                });
                let missing = pictures::missing(&self.pictures, shown)?.into_iter().collect();
                if page.next_cursor <= cursor {
                    // A hub that answers nonsense must not keep this loop going forever.
                    return Err(SyncError::Server {
                        status: 200,
                        message: format!("a catalog page after cursor {cursor} ends at {}", page.next_cursor),
                    });
                }
                more = page.more;
                let next = page.next_cursor;
                pages.push_back(WaitingPage { cursor, missing, page });
                cursor = next;
            }
            let mut applied = apply_ready(&mut self.store, &mut pages, report);
            let mut fetched_error = None;
            while applied.is_ok() {
                let mut wanted: Vec<String> = Vec::new();
                for hash in pages.iter().flat_map(|p| &p.missing) {
                    if !wanted.contains(hash) {
                        wanted.push(hash.clone());
                    }
                }
                if wanted.is_empty() {
                    break;
                }
                let (fetched, result) = pictures::fetch_all(&self.client, &self.pictures, wanted, |hash| {
                    for page in pages.iter_mut() {
                        page.missing.remove(hash);
                    }
                    if applied.is_ok() {
                        applied = apply_ready(&mut self.store, &mut pages, report);
                    }
                });
                report.pictures_fetched += fetched;
                match result {
                    Ok(()) => {}
                    // Pictures keep arriving: go on with those that did not (yet).
                    Err(e) if e.is_transient() && fetched > 0 => {}
                    Err(e) => {
                        fetched_error = Some(e);
                        break;
                    }
                }
            }
            self.pending = pages.into_iter().map(|p| (p.cursor, p.page)).collect();
            if let Some(e) = applied.err().or(fetched_error).or(fetch_error) {
                return Err(e);
            }
            if !more {
                return Ok(());
            }
        }
    }

    /// Pulls dispatch notes by their own cursor; each page is stored with its cursor in one
    /// transaction, so a note is never lost or stored twice.
    fn pull_dispatch(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let cursor = self.store.dispatch_cursor()?;
            let page = with_retries(|| self.client.dispatch_page(cursor, self.page).map_err(|e| (e, false)))?;
            if page.notes.is_empty() {
                return Ok(());
            }
            if page.next_cursor <= cursor {
                // A hub that answers nonsense must not keep this loop going forever.
                return Err(SyncError::Server {
                    status: 200,
                    message: format!("a dispatch page after cursor {cursor} ends at {}", page.next_cursor),
                });
            }
            self.store.apply_dispatch_page(&page.notes, page.next_cursor)?;
            report.dispatch_notes += page.notes.len() as u64;
            if !page.more {
                return Ok(());
            }
        }
    }

    fn refill_cache(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        let missing = pictures::missing(&self.pictures, self.store.synced_picture_hashes()?)?;
        let (fetched, result) = pictures::fetch_all(&self.client, &self.pictures, missing, |_| {});
        report.pictures_fetched += fetched;
        result?;
        self.cache_checked = true;
        Ok(())
    }

    /// Keeps what a pass did in the store, in one transaction, for the corner and `sync status`:
    /// bytes on the wire, the link, this side's problem (or none), and the times of the last
    /// success, delivery and catalog change.
    fn record(&mut self, side: Side, pass: &Pass) {
        let now = Timestamp::now();
        let at = now.to_string();
        let meter = self.client.meter().clone();
        let (sent, received) = meter.take_unsaved();
        let reading = meter.link();
        let link = LinkRecord { link: reading.link, at: now, tried: reading.tried, failed: reading.failed };
        let link = serde_json::to_string(&link).ok();
        let problem = pass.error.as_ref().and_then(|e| {
            let problem =
                Problem { at: now, message: e.to_string(), needs_help: e.needs_help(), untrusted: e.untrusted() };
            serde_json::to_string(&problem).ok()
        });
        let r = &pass.report;
        let mut set = vec![
            (keys::LINK, link.as_deref()),
            (if side == Side::Push { keys::PUSH_PROBLEM } else { keys::PULL_PROBLEM }, problem.as_deref()),
        ];
        if pass.error.is_none() {
            set.push((keys::LAST_OK, Some(at.as_str())));
        }
        if r.pushed + r.duplicates > 0 {
            set.push((keys::DELIVERED, Some(at.as_str())));
        }
        if r.catalog_changes > 0 {
            set.push((keys::CATALOG_CHANGED, Some(at.as_str())));
        }
        if let Err(e) =
            self.store.update_sync_state(&set, &[(keys::BYTES_SENT, sent), (keys::BYTES_RECEIVED, received)])
        {
            // The bytes wait for the next pass's record rather than being lost.
            meter.sent(sent);
            meter.received(received);
            tracing::warn!("sync state not recorded: {e}");
        }
    }
}

/// Catalog pages fetched ahead of their pictures: enough to keep the picture downloads busy
/// while a straggler of the page before is retried, few enough to hold little in memory.
const PAGES_AHEAD: usize = 4;

/// A fetched page, the cursor it was fetched at, and the pictures it still waits for.
struct WaitingPage {
    cursor: u64,
    missing: HashSet<String>,
    page: CatalogPage,
}

/// Applies, in order, the pages at the front whose pictures are all on disk, each with its
/// cursor in one transaction.
fn apply_ready(
    store: &mut Store,
    pages: &mut VecDeque<WaitingPage>,
    report: &mut RoundReport,
) -> Result<(), SyncError> {
    while let Some(front) = pages.front().filter(|p| p.missing.is_empty()) {
        store.apply_catalog_page(&front.page.changes, front.page.next_cursor)?;
        report.catalog_changes += front.page.changes.len() as u64;
        pages.pop_front();
    }
    Ok(())
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

/// [`run_loop_with`] with a waker nobody holds: pushes start on the timer and when the loop
/// notices new events (within a second).
pub fn run_loop(
    config: &SyncConfig,
    terminal: &str,
    store_path: &Path,
    data_dir: &Path,
    on_update: impl FnMut(Update),
    stop: impl Fn() -> bool,
) {
    run_loop_with(&Waker::new(), config, terminal, store_path, data_dir, on_update, stop);
}

/// A finished pass, from a worker to the loop.
struct Done {
    side: Side,
    pass: Pass,
}

/// The background loop until `stop()` says so: a push thread (woken by `waker`, by new events,
/// and at least every `interval_seconds`; after a failure it retries with a back-off never
/// longer than the interval) and a pull thread (every interval, backing off up to
/// `max_backoff_seconds` while the hub is away). Neither waits for the other. `on_update` and
/// `stop` are called on this thread only. Waits for the lock if another process syncs this
/// terminal.
pub fn run_loop_with(
    waker: &Waker,
    config: &SyncConfig,
    terminal: &str,
    store_path: &Path,
    data_dir: &Path,
    mut on_update: impl FnMut(Update),
    stop: impl Fn() -> bool,
) {
    let interval = Duration::from_secs(config.interval_seconds.max(1));
    let max_backoff = Duration::from_secs(config.max_backoff_seconds.max(1));
    let mut backoff = Backoff::new(max_backoff);
    let sleep = |d: Duration| {
        let until = Instant::now() + d;
        while Instant::now() < until && !stop() {
            std::thread::sleep(Duration::from_millis(100).min(until - Instant::now()));
        }
    };
    let mut trouble = |e: SyncError| {
        on_update(Update::Status(SyncStatus {
            configured: true,
            problem: Some(e.to_string()),
            needs_help: e.needs_help(),
            untrusted: e.untrusted(),
            ..SyncStatus::default()
        }))
    };
    let _lock = loop {
        match SyncLock::try_acquire(data_dir) {
            Ok(lock) => break lock,
            Err(e) => {
                trouble(e);
                sleep(interval);
                if stop() {
                    return;
                }
            }
        }
    };
    let meter = Arc::new(Meter::default());
    let open = || -> Result<(Syncer, Syncer, Store), SyncError> {
        let syncer = || Syncer::with_meter(config, terminal, store_path, data_dir, meter.clone());
        Ok((syncer()?, syncer()?, Store::open(store_path)?))
    };
    let (mut pusher, mut puller, store) = loop {
        match open() {
            Ok(opened) => break opened,
            Err(e) => {
                trouble(e);
                sleep(backoff.wait());
                if stop() {
                    return;
                }
            }
        }
    };
    let status = |store: &Store| SyncStatus::read(store, true, Some(meter.link().link));
    if let Ok(s) = status(&store) {
        on_update(Update::Status(s));
    }
    let quit = AtomicBool::new(false);
    let pull_signal = Signal::default();
    let (done, finished) = mpsc::channel();
    std::thread::scope(|scope| {
        let (to_push, to_pull) = (done.clone(), done);
        let (quit, pull_signal) = (&quit, &pull_signal);
        let spawned = [
            std::thread::Builder::new()
                .name("sync-push".into())
                .spawn_scoped(scope, move || push_worker(&mut pusher, waker, quit, interval, to_push)),
            std::thread::Builder::new().name("sync-pull".into()).spawn_scoped(scope, move || {
                pull_worker(&mut puller, pull_signal, quit, interval, max_backoff, to_pull)
            }),
        ];
        if let Some(Err(e)) = spawned.iter().find(|s| s.is_err()) {
            tracing::error!("a sync thread could not start: {e}");
        }
        loop {
            if stop() {
                break;
            }
            let Done { side, pass } = match finished.recv_timeout(Duration::from_millis(100)) {
                Ok(done) => done,
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            match &pass.error {
                Some(e) => tracing::warn!("sync {}: {e}", if side == Side::Push { "push" } else { "pull" }),
                None if pass.report.moved() => tracing::info!(report = ?pass.report, "sync"),
                None => {}
            }
            match status(&store) {
                Ok(s) => on_update(Update::Status(s)),
                Err(e) => tracing::warn!("sync status unreadable: {e}"),
            }
            if pass.report.catalog_changes > 0 || pass.report.pictures_fetched > 0 {
                match synced_catalog(&store, data_dir) {
                    Ok(Some((catalog, pictures))) => on_update(Update::Catalog(catalog, pictures)),
                    Ok(None) => {}
                    Err(e) => tracing::error!("synced catalog unreadable: {e}"),
                }
            }
        }
        // Both workers end at their next wait; the scope waits for them.
        quit.store(true, Ordering::SeqCst);
        waker.0.raise();
        pull_signal.raise();
    });
}

/// Pushes whenever there is something new, and at least every `interval`.
fn push_worker(syncer: &mut Syncer, waker: &Waker, quit: &AtomicBool, interval: Duration, done: mpsc::Sender<Done>) {
    // Orders must not wait for a long back-off: a failed push is tried again at least every
    // interval (a hub away for hours costs one refused connection an interval).
    let mut backoff = Backoff::new(interval);
    let mut seen = 0;
    let mut wait = Duration::ZERO;
    loop {
        let until = Instant::now() + wait;
        loop {
            if quit.load(Ordering::SeqCst) {
                return;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() || waker.0.wait(left.min(NOTICE)) {
                break;
            }
            if syncer.store().outbox_max_seq().is_ok_and(|newest| newest > seen) {
                break;
            }
        }
        if quit.load(Ordering::SeqCst) {
            return;
        }
        seen = syncer.store().outbox_max_seq().unwrap_or(seen);
        let pass = syncer.push();
        wait = match &pass.error {
            None => {
                backoff.reset();
                interval
            }
            Some(e) if e.is_transient() => backoff.wait(),
            Some(_) => interval,
        };
        if done.send(Done { side: Side::Push, pass }).is_err() {
            return;
        }
    }
}

/// Pulls every `interval`; backs off up to `max_backoff` while nothing comes.
fn pull_worker(
    syncer: &mut Syncer,
    signal: &Signal,
    quit: &AtomicBool,
    interval: Duration,
    max_backoff: Duration,
    done: mpsc::Sender<Done>,
) {
    let mut backoff = Backoff::new(max_backoff);
    while !quit.load(Ordering::SeqCst) {
        let pass = syncer.pull();
        let wait = match &pass.error {
            None => {
                backoff.reset();
                interval
            }
            // Pages or pictures arrived before it stopped: the link moves, so no long wait.
            Some(_) if pass.report.moved() => {
                backoff.reset();
                backoff.wait()
            }
            Some(e) if e.is_transient() => backoff.wait(),
            Some(_) => backoff.wait().max(interval),
        };
        if done.send(Done { side: Side::Pull, pass }).is_err() {
            return;
        }
        signal.wait(wait);
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
        use std::io::{BufRead, BufReader, Read, Write};
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
                        } else if head.contains("/usage") {
                            r#"{"entries": [], "next_cursor": 0, "more": false}"#
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
        syncer.round().unwrap();
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
        let err = syncer.round().unwrap_err();
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
    fn a_page_is_applied_in_order_as_soon_as_its_own_pictures_are_in() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let page = |v: u64, name: &str| CatalogPage {
            changes: vec![CatalogChange::Market { version: v, name_zh: name.into(), name_en: name.into() }],
            next_cursor: v,
            more: true,
        };
        let waiting = |cursor, missing: &[&str], page| WaitingPage {
            cursor,
            missing: missing.iter().map(|m| m.to_string()).collect(),
            page,
        };
        let mut pages: VecDeque<WaitingPage> =
            [waiting(0, &["a"], page(1, "one")), waiting(1, &[], page(2, "two")), waiting(2, &["b"], page(3, "three"))]
                .into();
        let mut report = RoundReport::default();
        apply_ready(&mut store, &mut pages, &mut report).unwrap();
        assert_eq!((pages.len(), store.catalog_cursor().unwrap()), (3, 0), "page two waits for page one");
        pages[0].missing.clear();
        apply_ready(&mut store, &mut pages, &mut report).unwrap();
        assert_eq!((pages.len(), store.catalog_cursor().unwrap(), report.catalog_changes), (1, 2, 2));
        pages[0].missing.clear();
        apply_ready(&mut store, &mut pages, &mut report).unwrap();
        assert_eq!((pages.len(), store.catalog_cursor().unwrap()), (0, 3));
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
