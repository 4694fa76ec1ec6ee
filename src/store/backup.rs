//! Copies of the store kept somewhere safe (issue 14), and putting one back.
//!
//! A copy is taken online with SQLite's backup API in a single step: it reads one snapshot of
//! the WAL database (every transaction committed before it began, none half) while the kiosk
//! goes on committing orders, which a reader never blocks in WAL mode. A plain file copy of a
//! live WAL database can miss what is still in the `-wal` file or catch a page half written.
//! The copy is written beside its final name, checked (`PRAGMA integrity_check`), flushed and
//! only then renamed, so a stick pulled out mid-copy never leaves a file that looks like a backup.
//!
//! Copies are named by the UTC time they were taken (`kiosk-K1-20261201T210000.000Z.sqlite`, no
//! colons: a USB stick's FAT takes none) and those older than `keep_days` are deleted after each
//! new one.
//!
//! Restoring checks the copy first, keeps the store it replaces aside in the data folder, and
//! carries over the replaced store's sync identity so the hub sees this terminal's own copy come
//! back (see `recovery.rs`: the next push is refused 409, the kiosk asks the hub, which drops
//! what it already has and numbers the rest after its mark; no order is counted twice).

use super::{StoreError, migrations};
use jiff::Timestamp;
use jiff::civil::Time;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use warm_core::domain::Lang;
use warm_core::i18n::{UpkeepWords as W, tr};

/// What went wrong, with what a person needs to act on it; [`BackupError::words`] says it in the
/// operator's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("there is no store to back up at {0}")]
    NoStore(PathBuf),
    #[error("the backup folder {path} cannot be written: {reason}")]
    Folder { path: PathBuf, reason: String },
    #[error("the copy {0} does not exist")]
    Missing(PathBuf),
    #[error("{path} is not a Warm Market store: {reason}")]
    NotAStore { path: PathBuf, reason: String },
    #[error("the copy {path} is damaged: {reason}")]
    Damaged { path: PathBuf, reason: String },
    #[error("the copy {path} is from a newer program (schema {found}, this one knows {known})")]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the kiosk is running ({0})")]
    Running(String),
    #[error("the restore failed and the previous store is back: {0}")]
    RolledBack(String),
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Store(e)
    }
}

impl BackupError {
    /// The problem in the operator's words.
    pub fn words(&self, lang: Lang) -> String {
        let p = |path: &Path| path.display().to_string();
        match self {
            BackupError::NoStore(path) => tr(W::BackupNoStore, lang, &[("path", &p(path))]),
            BackupError::Folder { path, reason } => {
                format!("{} ({reason})", tr(W::BackupFolder, lang, &[("path", &p(path))]))
            }
            BackupError::Missing(path) => tr(W::CopyMissing, lang, &[("path", &p(path))]),
            BackupError::NotAStore { path, reason } => {
                format!("{} ({reason})", tr(W::CopyNotAStore, lang, &[("path", &p(path))]))
            }
            BackupError::Damaged { path, reason } => {
                tr(W::CopyDamaged, lang, &[("path", &p(path)), ("reason", reason)])
            }
            BackupError::TooNew { path, found, known } => tr(
                W::CopyTooNew,
                lang,
                &[("path", &p(path)), ("found", &found.to_string()), ("known", &known.to_string())],
            ),
            BackupError::Running(what) => tr(W::RestoreWhileRunning, lang, &[("what", what)]),
            BackupError::RolledBack(reason) => tr(W::RestoreFailed, lang, &[("reason", reason)]),
            BackupError::Store(e) => e.to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, BackupError>;

/// How long a copy waits for a moment when it may read (a checkpoint or migration in progress).
const BUSY: Duration = Duration::from_secs(10);

/// The lock the kiosk's window holds for as long as it runs (the kernel lets go of it when the
/// process ends, even by `kill -9`): a restore refuses while it is held, and a second kiosk on
/// the same data folder does not start.
pub struct KioskLock {
    _file: File,
}

impl KioskLock {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("kiosk.lock")
    }

    /// The lock, or `None` while another process holds it.
    pub fn try_acquire(data_dir: &Path) -> std::io::Result<Option<KioskLock>> {
        std::fs::create_dir_all(data_dir)?;
        let file = File::options().create(true).truncate(false).write(true).open(Self::path(data_dir))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(KioskLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// A copy just taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub path: PathBuf,
    pub orders: u64,
    pub bytes: u64,
    /// Copies older than the keeping time, deleted after this one was safe.
    pub pruned: Vec<PathBuf>,
}

/// What a copy holds, found by [`check_copy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFacts {
    pub schema: i64,
    pub orders: u64,
}

/// The file name of a copy of `terminal`'s store taken at `at`.
pub fn file_name(terminal: &str, at: Timestamp) -> String {
    format!("kiosk-{terminal}-{}.sqlite", at.strftime("%Y%m%dT%H%M%S%.3fZ"))
}

/// When a copy of `terminal`'s store named `name` was taken; `None` for any other file.
pub fn taken_at(name: &str, terminal: &str) -> Option<Timestamp> {
    let stamp = name.strip_prefix("kiosk-")?.strip_prefix(terminal)?.strip_prefix('-')?.strip_suffix(".sqlite")?;
    let (date, rest) = stamp.split_once('T')?;
    let (time, millis) = rest.strip_suffix('Z')?.split_once('.')?;
    if date.len() != 8 || time.len() != 6 || millis.len() != 3 {
        return None;
    }
    let text = format!(
        "{}-{}-{}T{}:{}:{}.{millis}Z",
        &date[..4],
        &date[4..6],
        &date[6..],
        &time[..2],
        &time[2..4],
        &time[4..]
    );
    text.parse().ok()
}

/// `terminal`'s copies in `folder`, oldest first.
pub fn copies(folder: &Path, terminal: &str) -> Vec<(Timestamp, PathBuf)> {
    let mut found: Vec<(Timestamp, PathBuf)> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            taken_at(name.to_str()?, terminal).map(|at| (at, entry.path()))
        })
        .collect();
    found.sort();
    found
}

/// Takes a copy of the store at `store` into `folder` (made if missing), then deletes the
/// terminal's copies there older than `keep_days`.
pub fn take(store: &Path, folder: &Path, terminal: &str, keep_days: u32, now: Timestamp) -> Result<Taken> {
    if !store.exists() {
        return Err(BackupError::NoStore(store.to_owned()));
    }
    let folder_error =
        |e: &dyn std::fmt::Display| BackupError::Folder { path: folder.to_owned(), reason: e.to_string() };
    std::fs::create_dir_all(folder).map_err(|e| folder_error(&e))?;
    // Two copies in one millisecond (a test taking them back to back) get two names.
    let mut at = now;
    let mut path = folder.join(file_name(terminal, at));
    while path.exists() {
        at += Duration::from_millis(1);
        path = folder.join(file_name(terminal, at));
    }
    let part = folder.join(format!(".{}.part", file_name(terminal, at)));
    let _ = std::fs::remove_file(&part);
    let result = copy_into(store, &part).and_then(|orders| {
        let bytes = std::fs::metadata(&part).map_err(|e| folder_error(&e))?.len();
        File::open(&part).and_then(|f| f.sync_all()).map_err(|e| folder_error(&e))?;
        std::fs::rename(&part, &path).map_err(|e| folder_error(&e))?;
        // The new name is durable once the folder is (FAT on a stick may not support this).
        let _ = File::open(folder).and_then(|d| d.sync_all());
        Ok((orders, bytes))
    });
    let (orders, bytes) = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    let pruned = prune(folder, terminal, keep_days, now);
    Ok(Taken { path, orders, bytes, pruned })
}

/// Copies one snapshot of the live store into a new file at `to`, leaves it a single file
/// (rollback journal, no `-wal` beside it) and checks it. Returns the number of orders in it.
fn copy_into(store: &Path, to: &Path) -> Result<u64> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let source = Connection::open_with_flags(store, flags).map_err(StoreError::from)?;
    source.busy_timeout(BUSY).map_err(StoreError::from)?;
    let folder_error = |e: rusqlite::Error| BackupError::Folder {
        path: to.parent().map(Path::to_owned).unwrap_or_default(),
        reason: e.to_string(),
    };
    let mut copy = Connection::open(to).map_err(folder_error)?;
    {
        let backup = Backup::new(&source, &mut copy).map_err(folder_error)?;
        let started = Instant::now();
        // All pages in one step: one read transaction, so one snapshot. Stepping in slices would
        // start over each time the kiosk commits in between, and never end on a busy day.
        loop {
            match backup.step(-1).map_err(StoreError::from)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked if started.elapsed() < BUSY => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                StepResult::Busy | StepResult::Locked => {
                    return Err(StoreError::Busy("the store stayed locked during the backup".into()).into());
                }
                _ => {}
            }
        }
    }
    let mode: String =
        copy.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0)).map_err(folder_error)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError::Folder {
            path: to.to_owned(),
            reason: format!("the copy stayed in journal mode {mode}"),
        });
    }
    let answer: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(folder_error)?;
    if answer != "ok" {
        return Err(BackupError::Damaged { path: to.to_owned(), reason: answer });
    }
    let orders: i64 = copy.query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap_or(0);
    drop(copy);
    Ok(orders.max(0) as u64)
}

/// Deletes `terminal`'s copies in `folder` taken more than `keep_days` before `now`, keeping the
/// newest whatever its age. Returns what was deleted.
pub fn prune(folder: &Path, terminal: &str, keep_days: u32, now: Timestamp) -> Vec<PathBuf> {
    let keep = Duration::from_secs(u64::from(keep_days) * 24 * 3600);
    let Some(limit) = now.checked_sub(keep).ok() else { return Vec::new() };
    let mut found = copies(folder, terminal);
    found.pop();
    found
        .into_iter()
        .filter(|(at, _)| *at < limit)
        .filter_map(|(_, path)| std::fs::remove_file(&path).ok().map(|()| path))
        .collect()
}

/// Checks a copy before it is put back: a SQLite file that passes `integrity_check`, with the
/// kiosk's tables, at a schema this program knows. Only reads it.
pub fn check_copy(path: &Path) -> Result<CopyFacts> {
    if !path.is_file() {
        return Err(BackupError::Missing(path.to_owned()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| BackupError::NotAStore { path: path.to_owned(), reason: e.to_string() })?;
    let classify = |e: rusqlite::Error| match StoreError::from(e) {
        StoreError::Corrupt(reason) => BackupError::Damaged { path: path.to_owned(), reason },
        other => BackupError::NotAStore { path: path.to_owned(), reason: other.to_string() },
    };
    let schema: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(classify)?;
    let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(classify)?;
    let problems: Vec<String> =
        stmt.query_map([], |r| r.get(0)).map_err(classify)?.collect::<rusqlite::Result<_>>().map_err(classify)?;
    if problems != ["ok"] {
        let reason = problems.into_iter().take(3).collect::<Vec<_>>().join("; ");
        return Err(BackupError::Damaged { path: path.to_owned(), reason });
    }
    let known = migrations::known();
    if schema > known {
        return Err(BackupError::TooNew { path: path.to_owned(), found: schema, known });
    }
    if schema == 0 {
        return Err(BackupError::NotAStore { path: path.to_owned(), reason: "it holds no kiosk tables".into() });
    }
    let orders: i64 = conn
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .map_err(|e| BackupError::NotAStore { path: path.to_owned(), reason: e.to_string() })?;
    Ok(CopyFacts { schema, orders: orders.max(0) as u64 })
}

/// A restore done: how many orders the store now holds, and where the one it replaced is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub orders: u64,
    pub aside: Option<PathBuf>,
    /// Slips and receipts the copy still had waiting that the replaced store had printed since:
    /// marked printed, so a restore never prints them a second time.
    pub already_printed: u64,
}

/// The sync identity a store goes by (`sync_state` keys of `recovery.rs`), carried from the
/// store a restore replaces into the copy put back.
const IDENTITY: &[&str] = &["instance", "next_instance"];

/// Puts the copy at `copy` in place of the store at `store`. The caller holds the kiosk's, the
/// sync's and the printer's locks, so nothing else has the store open. The replaced store (with
/// its `-wal`) is renamed to `kiosk-replaced-<time>.sqlite` beside it; if anything fails after
/// that it is put back.
pub fn restore(store: &Path, copy: &Path, now: Timestamp) -> Result<Restored> {
    check_copy(copy)?;
    let folder = store.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .map_err(|e| BackupError::Folder { path: folder.to_owned(), reason: e.to_string() })?;
    let identity = if store.exists() { read_identity(store) } else { Vec::new() };
    let aside =
        store.exists().then(|| folder.join(format!("kiosk-replaced-{}.sqlite", now.strftime("%Y%m%dT%H%M%S%.3fZ"))));
    let suffixes = ["", "-wal", "-shm"];
    let with = |base: &Path, suffix: &str| PathBuf::from(format!("{}{suffix}", base.display()));
    if let Some(aside) = &aside {
        for suffix in suffixes {
            let from = with(store, suffix);
            if from.exists() {
                std::fs::rename(&from, with(aside, suffix)).map_err(|e| BackupError::Folder {
                    path: folder.to_owned(),
                    reason: format!("{}: {e}", from.display()),
                })?;
            }
        }
    }
    let put_back = |reason: String| {
        for suffix in suffixes {
            let _ = std::fs::remove_file(with(store, suffix));
            if let Some(aside) = &aside {
                let _ = std::fs::rename(with(aside, suffix), with(store, suffix));
            }
        }
        BackupError::RolledBack(reason)
    };
    let part = with(store, ".restoring");
    let copied = std::fs::copy(copy, &part)
        .and_then(|_| File::open(&part)?.sync_all())
        .and_then(|()| std::fs::rename(&part, store));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&part);
        return Err(put_back(format!("{}: {e}", store.display())));
    }
    let _ = File::open(folder).and_then(|d| d.sync_all());
    // Opening brings an older copy's schema up to date and puts it back in WAL mode.
    let opened = super::Store::open(store).and_then(|s| {
        let conn = s.connection();
        for (key, value) in &identity {
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                [key, value],
            )?;
        }
        let orders: i64 = conn.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?;
        Ok(orders.max(0) as u64)
    });
    match opened {
        Ok(orders) => {
            let already_printed = aside.as_deref().map_or(0, |aside| printed_since(store, aside));
            Ok(Restored { orders, aside, already_printed })
        }
        Err(e) => Err(put_back(e.to_string())),
    }
}

/// Marks printed, in the restored store at `store`, every job it still has waiting that the
/// replaced store (`aside`) printed after the copy was taken; how many. A replaced store that
/// cannot be read (the reason for many restores) marks none: its slips print again rather than
/// be lost.
fn printed_since(store: &Path, aside: &Path) -> u64 {
    let marked = Connection::open(store).and_then(|conn| {
        conn.execute("ATTACH DATABASE ?1 AS replaced", [aside.to_string_lossy()])?;
        let marked = conn.execute(
            "UPDATE print_jobs SET printed_at =
                 (SELECT r.printed_at FROM replaced.print_jobs r WHERE r.id = print_jobs.id)
             WHERE printed_at IS NULL
               AND id IN (SELECT id FROM replaced.print_jobs WHERE printed_at IS NOT NULL)",
            [],
        )?;
        conn.execute("DETACH DATABASE replaced", [])?;
        Ok(marked)
    });
    marked.map_or_else(
        |e| {
            tracing::warn!("the replaced store's printed slips could not be read, the copy's waiting ones print: {e}");
            0
        },
        |n| n as u64,
    )
}

/// The replaced store's sync identity, if it can still be read (a damaged one may not: then the
/// copy keeps its own, which the hub also accepts unless another copy recovered since).
fn read_identity(store: &Path) -> Vec<(String, String)> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(store, flags) else { return Vec::new() };
    IDENTITY
        .iter()
        .filter_map(|key| {
            let value: Option<String> = conn
                .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .ok()
                .flatten();
            value.map(|v| ((*key).to_owned(), v))
        })
        .collect()
}

/// Whether a nightly copy is due: none has been taken since the last time the clock in `tz`
/// showed `at`. A kiosk that was off at that hour takes one when it starts.
pub fn due(newest: Option<Timestamp>, now: Timestamp, at: Time, tz: &jiff::tz::TimeZone) -> bool {
    let today = now.to_zoned(tz.clone()).date();
    let at_today = today.to_datetime(at).to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
    let last = match at_today {
        Some(t) if t <= now => Some(t),
        _ => today.yesterday().ok().and_then(|d| d.to_datetime(at).to_zoned(tz.clone()).ok()).map(|z| z.timestamp()),
    };
    match (newest, last) {
        (None, _) => true,
        (Some(newest), Some(last)) => newest < last,
        (Some(_), None) => false,
    }
}

/// Where and when the kiosk's nightly copies go.
#[derive(Debug, Clone)]
pub struct Nightly {
    pub store: PathBuf,
    pub folder: PathBuf,
    pub terminal: String,
    pub keep_days: u32,
    pub at: Time,
    pub time_zone: jiff::tz::TimeZone,
}

/// How often the nightly thread looks whether a copy is due.
const LOOK_EVERY: Duration = Duration::from_secs(300);

impl Nightly {
    /// Runs for as long as the kiosk does, on its own thread: a copy when one is due (see
    /// [`due`]), said in the log; a failure (the stick not in) is tried again at the next look.
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new().name("nightly-backup".into()).spawn(move || {
            // Let the kiosk open its window first.
            std::thread::sleep(Duration::from_secs(60));
            loop {
                self.once(Timestamp::now());
                std::thread::sleep(LOOK_EVERY);
            }
        })
    }

    /// Takes a copy if one is due at `now`; returns it.
    pub fn once(&self, now: Timestamp) -> Option<Taken> {
        let newest = copies(&self.folder, &self.terminal).last().map(|(at, _)| *at);
        if !due(newest, now, self.at, &self.time_zone) {
            return None;
        }
        match take(&self.store, &self.folder, &self.terminal, self.keep_days, now) {
            Ok(taken) => {
                tracing::info!(path = %taken.path.display(), orders = taken.orders, pruned = taken.pruned.len(), "nightly backup taken");
                Some(taken)
            }
            Err(e) => {
                tracing::warn!(folder = %self.folder.display(), "nightly backup failed: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn names_carry_the_utc_time_and_only_ours_are_read_back() {
        let at = ts("2026-12-01T21:00:05.123Z");
        let name = file_name("K1", at);
        assert_eq!(name, "kiosk-K1-20261201T210005.123Z.sqlite");
        assert!(!name.contains(':'), "FAT sticks take no colon");
        assert_eq!(taken_at(&name, "K1"), Some(at));
        assert_eq!(taken_at(&name, "K2"), None);
        assert_eq!(taken_at("kiosk-K1-garbage.sqlite", "K1"), None);
        assert_eq!(taken_at("notes.txt", "K1"), None);
    }

    #[test]
    fn a_copy_is_whole_and_old_ones_go_after_fourteen_days() {
        let dir = tempfile::tempdir().unwrap();
        let store_path = dir.path().join("kiosk.sqlite");
        let store = Store::open(&store_path).unwrap();
        store.connection().execute("INSERT INTO counters (name, value) VALUES ('x', 41)", []).unwrap();
        let folder = dir.path().join("stick");
        std::fs::create_dir_all(&folder).unwrap();
        let old = folder.join(file_name("K1", ts("2026-11-01T21:00:00Z")));
        let other = folder.join(file_name("K2", ts("2026-11-01T21:00:00Z")));
        let recent = folder.join(file_name("K1", ts("2026-11-25T21:00:00Z")));
        for f in [&old, &other, &recent] {
            std::fs::write(f, b"x").unwrap();
        }
        let taken = take(&store_path, &folder, "K1", 14, ts("2026-12-01T21:00:00Z")).unwrap();
        assert_eq!(taken.pruned, vec![old.clone()]);
        assert!(!old.exists() && other.exists() && recent.exists());
        assert!(!Path::new(&format!("{}-wal", taken.path.display())).exists(), "one file");
        let facts = check_copy(&taken.path).unwrap();
        assert_eq!(facts.schema, migrations::known());
        let copy = Connection::open(&taken.path).unwrap();
        let x: i64 = copy.query_row("SELECT value FROM counters WHERE name = 'x'", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 41);
        // No leftovers of the writing.
        let names: Vec<String> =
            std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert!(names.iter().all(|n| !n.ends_with(".part")), "{names:?}");
    }

    #[test]
    fn a_damaged_or_foreign_file_is_refused_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.sqlite");
        std::fs::write(&text, "not a database at all, just some words ".repeat(200)).unwrap();
        let e = check_copy(&text).unwrap_err();
        assert!(matches!(e, BackupError::Damaged { .. } | BackupError::NotAStore { .. }), "{e:?}");
        assert!(e.words(Lang::Zh).contains("notes.sqlite"), "{}", e.words(Lang::Zh));
        let empty = dir.path().join("empty.sqlite");
        Connection::open(&empty).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
        assert!(matches!(check_copy(&empty), Err(BackupError::NotAStore { .. })));
        assert!(matches!(check_copy(&dir.path().join("none.sqlite")), Err(BackupError::Missing(_))));
        let newer = dir.path().join("newer.sqlite");
        Store::open(&newer).unwrap().connection().pragma_update(None, "user_version", 999).unwrap();
        let e = check_copy(&newer).unwrap_err();
        assert!(matches!(e, BackupError::TooNew { found: 999, .. }), "{e:?}");
        assert!(e.words(Lang::En).contains("newer version"), "{}", e.words(Lang::En));
    }

    #[test]
    fn a_restore_keeps_the_replaced_store_and_its_sync_identity() {
        let dir = tempfile::tempdir().unwrap();
        let store_path = dir.path().join("kiosk.sqlite");
        let store = Store::open(&store_path).unwrap();
        let first_id = store.sync_instance().unwrap();
        store.connection().execute("INSERT INTO counters (name, value) VALUES ('x', 1)", []).unwrap();
        let taken = take(&store_path, &dir.path().join("b"), "K1", 14, ts("2026-12-01T21:00:00Z")).unwrap();
        // Later the live store recovers once with the hub and so goes by a new id.
        store.connection().execute("UPDATE counters SET value = 2 WHERE name = 'x'", []).unwrap();
        store.connection().execute("UPDATE sync_state SET value = 'later-id' WHERE key = 'instance'", []).unwrap();
        drop(store);
        let restored = restore(&store_path, &taken.path, ts("2026-12-02T08:00:00Z")).unwrap();
        let aside = restored.aside.unwrap();
        assert!(aside.exists());
        let back = Store::open(&store_path).unwrap();
        let x: i64 =
            back.connection().query_row("SELECT value FROM counters WHERE name = 'x'", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 1, "the copy's data");
        assert_eq!(back.sync_instance().unwrap(), "later-id", "the terminal's current identity");
        assert_ne!(first_id, "later-id");
        let kept = Connection::open(&aside).unwrap();
        let x: i64 = kept.query_row("SELECT value FROM counters WHERE name = 'x'", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 2, "the replaced store is whole, aside");
    }

    /// Two slips wait when the copy is taken; one prints afterwards, then the store is restored:
    /// the printed one is not printed again, the other still is.
    #[test]
    fn a_restore_does_not_print_again_what_the_replaced_store_printed() {
        let dir = tempfile::tempdir().unwrap();
        let store_path = dir.path().join("kiosk.sqlite");
        let store = Store::open(&store_path).unwrap();
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        for id in [a, b] {
            store
                .connection()
                .execute(
                    "INSERT INTO print_jobs (id, kind, bytes, created_at)
                     VALUES (?1, 'pickup_slip', x'00', '2026-12-01T12:00:00Z')",
                    [id.to_string()],
                )
                .unwrap();
        }
        let taken = take(&store_path, &dir.path().join("b"), "K1", 14, ts("2026-12-01T21:00:00Z")).unwrap();
        let printed_a = "UPDATE print_jobs SET printed_at = '2026-12-01T21:05:00Z' WHERE id = ?1";
        store.connection().execute(printed_a, [a.to_string()]).unwrap();
        drop(store);
        let restored = restore(&store_path, &taken.path, ts("2026-12-02T08:00:00Z")).unwrap();
        assert_eq!(restored.already_printed, 1);
        let back = Store::open(&store_path).unwrap();
        let waiting: Vec<uuid::Uuid> = back.pending_print_jobs().unwrap().into_iter().map(|j| j.id).collect();
        assert_eq!(waiting, [b], "only the slip that never printed waits");
        let printed: Option<String> = back
            .connection()
            .query_row("SELECT printed_at FROM print_jobs WHERE id = ?1", [a.to_string()], |r| r.get(0))
            .unwrap();
        assert_eq!(printed.as_deref(), Some("2026-12-01T21:05:00Z"), "marked with when it printed");
    }

    #[test]
    fn a_copy_is_due_once_after_the_nightly_hour() {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let at = Time::constant(21, 0, 0, 0);
        // 21:00 in Shanghai is 13:00 UTC.
        let before = ts("2026-12-01T12:59:00Z");
        let after = ts("2026-12-01T13:01:00Z");
        assert!(due(None, before, at, &tz), "never backed up: now");
        assert!(!due(Some(ts("2026-11-30T13:05:00Z")), before, at, &tz), "yesterday's is the latest due");
        assert!(due(Some(ts("2026-11-30T13:05:00Z")), after, at, &tz), "tonight's is due");
        assert!(!due(Some(ts("2026-12-01T13:00:30Z")), after, at, &tz), "and taken");
        assert!(due(Some(ts("2026-11-28T13:05:00Z")), before, at, &tz), "off for days: at start");
    }
}
