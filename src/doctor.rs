//! `warm-kiosk doctor`: the kiosk checks itself and says, one line a check and in the operator's
//! language, what is fine and what needs a person (issue 14). Every check only looks: it opens
//! the store read-only, asks the printer for its status only when the kiosk is not using it, and
//! asks the hub for one catalog change with this terminal's token.

use crate::config::Config;
use crate::device::printer::config::PrinterKind;
use crate::device::printer::lock::PrinterLock;
use crate::device::printer::serial::from_config;
use crate::store::backup::{self, BackupError, KioskLock};
use crate::sync::SyncError;
use crate::sync::client::Client;
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use warm_core::domain::Lang;
use warm_core::i18n::{UpkeepWords as W, tr};

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What was checked (its name in words).
    pub check: W,
    /// False when a person is needed.
    pub ok: bool,
    pub detail: String,
}

impl Finding {
    /// `✓ 打印机：…` or `✗ 打印机：…`.
    pub fn line(&self, lang: Lang) -> String {
        let form = if self.ok { W::DoctorOk } else { W::DoctorProblem };
        tr(form, lang, &[("what", self.check.text(lang)), ("detail", &self.detail)])
    }
}

/// What the doctor looks at. `config` is what the kiosk would run with; `file` the config file
/// and, if it could not be used, why (the other checks then run on the built-in defaults).
pub struct Setup {
    pub config: Config,
    pub file: Option<(PathBuf, Option<String>)>,
    pub data_dir: PathBuf,
}

/// The longest the doctor waits for the hub.
const HUB_WAIT: u64 = 10;
/// Older than this, a waiting event says the outbox is stuck.
const STUCK: Duration = Duration::from_secs(3600);
/// Older than this, the newest backup says backups have stopped.
const BACKUP_AGE: Duration = Duration::from_secs(2 * 24 * 3600);

/// Runs every check, in the order a person would look.
pub fn examine(setup: &Setup, now: Timestamp) -> Vec<Finding> {
    let lang = setup.config.language;
    let store = crate::store::file_in(&setup.data_dir);
    vec![
        config(setup, lang),
        data_folder(&setup.data_dir, lang),
        disk(&setup.data_dir, setup.config.kiosk.min_free_mb, lang),
        store_check(&store, lang),
        clock(now, &setup.config, lang),
        fonts(lang),
        printer(&setup.config, &setup.data_dir, lang),
        scanner(&setup.config, &setup.data_dir, lang),
        hub(&setup.config, lang),
        print_queue(setup, &store, now, lang),
        outbox(&store, &setup.config, now, lang),
        backups(setup, &store, now, lang),
    ]
}

fn ok(check: W, detail: String) -> Finding {
    Finding { check, ok: true, detail }
}

fn problem(check: W, detail: String) -> Finding {
    Finding { check, ok: false, detail }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn config(setup: &Setup, lang: Lang) -> Finding {
    match &setup.file {
        None => ok(W::CheckConfig, W::ConfigDefaults.text(lang).to_owned()),
        Some((path, None)) => ok(W::CheckConfig, tr(W::ConfigFine, lang, &[("path", &shown(path))])),
        Some((path, Some(reason))) => {
            problem(W::CheckConfig, tr(W::ConfigBroken, lang, &[("path", &shown(path)), ("reason", reason)]))
        }
    }
}

fn data_folder(dir: &Path, lang: Lang) -> Finding {
    let probe = dir.join(".doctor-probe");
    let written = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&probe, b"ok"));
    let _ = std::fs::remove_file(&probe);
    match written {
        Ok(()) => ok(W::CheckDataFolder, tr(W::DataFolderFine, lang, &[("path", &shown(dir))])),
        Err(e) => problem(
            W::CheckDataFolder,
            tr(W::DataFolderBroken, lang, &[("path", &shown(dir)), ("reason", &e.to_string())]),
        ),
    }
}

/// Free space of the data folder in MB, `None` when it cannot be read.
pub fn free_mb(dir: &Path) -> std::io::Result<u64> {
    crate::store::free_bytes(dir).map(|b| b / (1024 * 1024))
}

fn disk(dir: &Path, min_mb: u64, lang: Lang) -> Finding {
    match free_mb(dir) {
        Ok(free) if free < min_mb => {
            problem(W::CheckDisk, tr(W::DiskLow, lang, &[("free", &free.to_string()), ("min", &min_mb.to_string())]))
        }
        Ok(free) => ok(W::CheckDisk, tr(W::DiskFine, lang, &[("free", &free.to_string())])),
        Err(e) => problem(W::CheckDisk, tr(W::DiskUnknown, lang, &[("reason", &e.to_string())])),
    }
}

fn store_check(store: &Path, lang: Lang) -> Finding {
    if !store.exists() {
        return ok(W::CheckStore, W::StoreNew.text(lang).to_owned());
    }
    match backup::check_copy(store) {
        Ok(facts) => ok(W::CheckStore, tr(W::StoreFine, lang, &[("n", &facts.orders.to_string())])),
        Err(e) => {
            let reason = match &e {
                BackupError::Damaged { reason, .. } | BackupError::NotAStore { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            problem(W::CheckStore, tr(W::StoreBroken, lang, &[("path", &shown(store)), ("reason", &reason)]))
        }
    }
}

/// A clock before 2024 was never set (a board without a battery starts in 1970 or 2000).
pub fn clock_is_set(now: Timestamp) -> bool {
    now.to_zoned(jiff::tz::TimeZone::UTC).year() >= 2024
}

fn clock(now: Timestamp, config: &Config, lang: Lang) -> Finding {
    let tz = config.time_zone().unwrap_or(jiff::tz::TimeZone::UTC);
    let time = warm_core::i18n::local_time(now, &tz);
    if clock_is_set(now) {
        ok(W::CheckClock, tr(W::ClockFine, lang, &[("time", &time), ("zone", &config.time_zone)]))
    } else {
        problem(W::CheckClock, tr(W::ClockUnset, lang, &[("time", &time)]))
    }
}

fn fonts(lang: Lang) -> Finding {
    match warm_core::fonts::check() {
        Ok(()) => ok(W::CheckFonts, W::FontsFine.text(lang).to_owned()),
        Err(reason) => problem(W::CheckFonts, tr(W::FontsBroken, lang, &[("reason", &reason.to_string())])),
    }
}

/// A missing device file says more than the port's own error: the cable, or the udev rule.
fn port_missing(port: &str) -> bool {
    port.starts_with('/') && !Path::new(port).exists()
}

fn printer(config: &Config, data_dir: &Path, lang: Lang) -> Finding {
    let p = &config.printer;
    let target = match p.kind {
        PrinterKind::File => {
            let dir = crate::device::printer::prints_dir(data_dir);
            return ok(W::CheckPrinter, tr(W::PrinterFileOnly, lang, &[("path", &shown(&dir))]));
        }
        PrinterKind::Serial => {
            let port = p.port.display().to_string();
            if port_missing(&port) {
                return problem(W::CheckPrinter, tr(W::PortMissing, lang, &[("port", &port)]));
            }
            port
        }
        PrinterKind::Tcp => format!("{}:{}", p.host, p.tcp_port),
    };
    // Asking beside the kiosk's worker would mix our status bytes into its job.
    let _owned = match PrinterLock::try_acquire(data_dir) {
        Ok(Some(lock)) => lock,
        Ok(None) => return ok(W::CheckPrinter, W::PrinterInUse.text(lang).to_owned()),
        Err(e) => {
            return problem(
                W::CheckPrinter,
                tr(W::DataFolderBroken, lang, &[("path", &shown(data_dir)), ("reason", &e.to_string())]),
            );
        }
    };
    let mut transport = from_config(p, crate::device::printer::prints_dir(data_dir));
    match transport.status() {
        Ok(status) => match status.problem() {
            None => ok(W::CheckPrinter, tr(W::PrinterReady, lang, &[("target", &target)])),
            Some(trouble) => problem(
                W::CheckPrinter,
                tr(W::PrinterTrouble, lang, &[("target", &target), ("problem", trouble.text(lang))]),
            ),
        },
        Err(e) => {
            let words = format!("{} ({e})", e.problem().text(lang));
            problem(W::CheckPrinter, tr(W::PrinterTrouble, lang, &[("target", &target), ("problem", &words)]))
        }
    }
}

fn scanner(config: &Config, data_dir: &Path, lang: Lang) -> Finding {
    let Some(port) = config.scanner.port.as_deref() else {
        return ok(W::CheckScanner, W::ScannerNone.text(lang).to_owned());
    };
    if port_missing(port) {
        return problem(W::CheckScanner, tr(W::PortMissing, lang, &[("port", port)]));
    }
    match crate::device::scanner::serial::builder(&config.scanner, port).open() {
        Ok(_) => ok(W::CheckScanner, tr(W::ScannerFine, lang, &[("port", port)])),
        // The kiosk holds the port exclusively while it reads it.
        Err(_) if kiosk_running(data_dir) => ok(W::CheckScanner, tr(W::ScannerInUse, lang, &[("port", port)])),
        Err(e) => problem(W::CheckScanner, tr(W::PortBroken, lang, &[("port", port), ("reason", &e.to_string())])),
    }
}

fn kiosk_running(data_dir: &Path) -> bool {
    matches!(KioskLock::try_acquire(data_dir), Ok(None))
}

fn hub(config: &Config, lang: Lang) -> Finding {
    let sync = &config.sync;
    if sync.hub_url.is_empty() {
        return ok(W::CheckHub, W::HubNone.text(lang).to_owned());
    }
    let url = sync.hub_url.as_str();
    let mut quick = sync.clone();
    quick.timeout_seconds = quick.timeout_seconds.min(HUB_WAIT);
    let asked = Client::new(&quick, &config.terminal_id, Arc::new(crate::sync::Meter::default()))
        .and_then(|client| client.catalog_page(0, 1));
    match asked {
        Ok(_) if url.starts_with("https://") => ok(W::CheckHub, tr(W::HubFineTls, lang, &[("url", url)])),
        Ok(_) => ok(W::CheckHub, tr(W::HubFine, lang, &[("url", url)])),
        Err(e) => {
            let reason = e.to_string();
            let words = match &e {
                SyncError::Offline(_) => W::HubOffline,
                SyncError::Untrusted(_) => W::HubUntrusted,
                SyncError::Refused { status: 401 | 403, .. } => W::HubTokenRefused,
                _ => W::HubProblem,
            };
            problem(W::CheckHub, tr(words, lang, &[("url", url), ("reason", &reason)]))
        }
    }
}

/// The store read-only, or the finding that says why not (`None` with no store yet).
fn read_store(store: &Path) -> Option<crate::store::Store> {
    crate::store::Store::open_read_only(store).ok().flatten()
}

/// A slip the running kiosk's worker has not printed in this long is stuck, not on its way.
const SLIP_STUCK: Duration = Duration::from_secs(120);

fn print_queue(setup: &Setup, store: &Path, now: Timestamp, lang: Lang) -> Finding {
    let waiting = read_store(store).and_then(|s| s.pending_print_jobs().ok()).unwrap_or_default();
    let Some(oldest) = waiting.iter().map(|j| j.created_at).min() else {
        return ok(W::CheckPrintQueue, W::QueueFine.text(lang).to_owned());
    };
    let n = waiting.len().to_string();
    // With the kiosk closed, its worker prints them when it starts: nothing is wrong yet.
    if !kiosk_running(&setup.data_dir) {
        return ok(W::CheckPrintQueue, tr(W::QueueForKiosk, lang, &[("n", &n)]));
    }
    if now.duration_since(oldest).unsigned_abs() < SLIP_STUCK || oldest > now {
        return ok(W::CheckPrintQueue, tr(W::QueuePrinting, lang, &[("n", &n)]));
    }
    let tz = setup.config.time_zone().unwrap_or(jiff::tz::TimeZone::UTC);
    let since = warm_core::i18n::local_time(oldest, &tz);
    problem(W::CheckPrintQueue, tr(W::QueueWaiting, lang, &[("n", &n), ("since", &since)]))
}

fn outbox(store: &Path, config: &Config, now: Timestamp, lang: Lang) -> Finding {
    let Some(store) = read_store(store) else { return ok(W::CheckOutbox, W::OutboxFine.text(lang).to_owned()) };
    let waiting = store.outbox_len().unwrap_or(0);
    if waiting == 0 {
        return ok(W::CheckOutbox, W::OutboxFine.text(lang).to_owned());
    }
    let n = waiting.to_string();
    if config.sync.hub_url.is_empty() {
        // Stand-alone: events wait for a hub that is not there; nothing to do about it.
        return ok(W::CheckOutbox, tr(W::OutboxWaiting, lang, &[("n", &n)]));
    }
    let oldest: Option<Timestamp> = store
        .connection()
        .query_row("SELECT min(created_at) FROM outbox", [], |r| r.get::<_, Option<String>>(0))
        .ok()
        .flatten()
        .and_then(|t| t.parse().ok());
    match oldest {
        Some(at) if now.duration_since(at).unsigned_abs() > STUCK && at < now => {
            let tz = config.time_zone().unwrap_or(jiff::tz::TimeZone::UTC);
            let since = warm_core::i18n::local_time(at, &tz);
            problem(W::CheckOutbox, tr(W::OutboxOld, lang, &[("n", &n), ("since", &since)]))
        }
        _ => ok(W::CheckOutbox, tr(W::OutboxWaiting, lang, &[("n", &n)])),
    }
}

fn backups(setup: &Setup, store: &Path, now: Timestamp, lang: Lang) -> Finding {
    let folder = setup.config.backup_folder(&setup.data_dir);
    let newest = backup::copies(&folder, &setup.config.terminal_id).last().map(|(at, _)| *at);
    let tz = setup.config.time_zone().unwrap_or(jiff::tz::TimeZone::UTC);
    let has_orders = read_store(store).and_then(|s| s.order_ids().ok()).is_some_and(|ids| !ids.is_empty());
    match newest {
        None if has_orders => problem(W::CheckBackup, tr(W::BackupNone, lang, &[("path", &shown(&folder))])),
        None => ok(W::CheckBackup, tr(W::BackupNone, lang, &[("path", &shown(&folder))])),
        Some(at) => {
            let time = warm_core::i18n::local_time(at, &tz);
            if now.duration_since(at).unsigned_abs() > BACKUP_AGE && at < now && has_orders {
                problem(W::CheckBackup, tr(W::BackupOld, lang, &[("time", &time)]))
            } else {
                ok(W::CheckBackup, tr(W::BackupFine, lang, &[("time", &time)]))
            }
        }
    }
}

/// The closing line: all fine, or how many things need a person.
pub fn summary(findings: &[Finding], lang: Lang) -> String {
    match findings.iter().filter(|f| !f.ok).count() {
        0 => W::DoctorAllGood.text(lang).to_owned(),
        n => tr(W::DoctorNeedsPerson, lang, &[("n", &n.to_string())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_before_2024_is_unset_and_said_so() {
        assert!(!clock_is_set("1970-01-01T00:00:10Z".parse().unwrap()));
        assert!(!clock_is_set("2023-12-31T23:59:59Z".parse().unwrap()));
        assert!(clock_is_set("2026-12-01T08:00:00Z".parse().unwrap()));
        let f = clock("2000-01-01T00:00:00Z".parse().unwrap(), &Config::default(), Lang::En);
        assert!(!f.ok);
        assert!(f.line(Lang::En).contains("not set"), "{}", f.line(Lang::En));
    }

    #[test]
    fn every_check_has_a_line_and_a_fresh_folder_needs_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let setup = Setup { config: Config::default(), file: None, data_dir: dir.path().join("data") };
        let findings = examine(&setup, Timestamp::now());
        assert_eq!(findings.len(), 12);
        let bad: Vec<String> = findings.iter().filter(|f| !f.ok).map(|f| f.line(Lang::En)).collect();
        // The disk of a test machine may be small: everything else must be fine.
        assert!(bad.iter().all(|l| l.contains("Free space")), "{bad:?}");
        assert!(findings[0].line(Lang::Zh).starts_with("✓ 配置文件"), "{}", findings[0].line(Lang::Zh));
    }
}
