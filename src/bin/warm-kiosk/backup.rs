//! `warm-kiosk backup` and `warm-kiosk restore`: the store copied somewhere safe while the kiosk
//! runs, and put back while it does not (see `warm_kiosk::store::backup`). Said in the
//! operator's language.

use std::path::Path;
use warm_core::domain::Lang;
use warm_core::i18n::{UpkeepWords as W, tr};
use warm_kiosk::config::Config;
use warm_kiosk::device::printer::lock::PrinterLock;
use warm_kiosk::kiosk;
use warm_kiosk::store::backup::{self, BackupError, KioskLock};
use warm_kiosk::sync::{SyncError, SyncLock};

/// Takes a copy now into `to` (or the config's backup folder); returns what to print.
pub fn take(config: &Config, data_dir: &Path, to: Option<&Path>) -> anyhow::Result<String> {
    let lang = config.language;
    let folder = to.map_or_else(|| config.backup_folder(data_dir), Path::to_owned);
    let taken = backup::take(
        &kiosk::store_path(data_dir),
        &folder,
        &config.terminal_id,
        config.backup.keep_days,
        jiff::Timestamp::now(),
    )
    .map_err(|e| anyhow::anyhow!(tr(W::BackupFailed, lang, &[("reason", &e.words(lang))])))?;
    let mut out =
        tr(W::BackupDone, lang, &[("path", &taken.path.display().to_string()), ("n", &taken.orders.to_string())]);
    if !taken.pruned.is_empty() {
        let (n, days) = (taken.pruned.len().to_string(), config.backup.keep_days.to_string());
        out.push('\n');
        out.push_str(&tr(W::BackupPruned, lang, &[("n", &n), ("days", &days)]));
    }
    Ok(out)
}

/// Puts `copy` back as the store, refusing while the kiosk, its sync or a printer tool runs.
pub fn restore(config: &Config, data_dir: &Path, copy: &Path) -> anyhow::Result<String> {
    let lang = config.language;
    let words = |e: BackupError| anyhow::anyhow!(e.words(lang));
    // Held until the restore is done, so none of them starts on a half-restored store.
    let _locks = take_locks(data_dir).map_err(words)?;
    let restored = backup::restore(&kiosk::store_path(data_dir), copy, jiff::Timestamp::now()).map_err(words)?;
    let aside = restored.aside.map(|p| p.display().to_string()).unwrap_or_else(|| "-".into());
    let mut out = tr(
        W::RestoreDone,
        lang,
        &[("path", &copy.display().to_string()), ("n", &restored.orders.to_string()), ("aside", &aside)],
    );
    if restored.already_printed > 0 {
        out.push('\n');
        out.push_str(&tr(W::RestoreAlreadyPrinted, lang, &[("n", &restored.already_printed.to_string())]));
    }
    out.push('\n');
    out.push_str(W::RestoreSyncNote.text(lang));
    Ok(out)
}

type Locks = (KioskLock, SyncLock, PrinterLock);

/// Everything that writes the store while it runs holds one of these.
fn take_locks(data_dir: &Path) -> Result<Locks, BackupError> {
    let held = |path: std::path::PathBuf| BackupError::Running(path.display().to_string());
    let io = |path: std::path::PathBuf, e: std::io::Error| BackupError::Running(format!("{}: {e}", path.display()));
    let kiosk = KioskLock::try_acquire(data_dir)
        .map_err(|e| io(KioskLock::path(data_dir), e))?
        .ok_or_else(|| held(KioskLock::path(data_dir)))?;
    let sync = SyncLock::try_acquire(data_dir).map_err(|e| match e {
        SyncError::Busy(path) => BackupError::Running(path),
        other => BackupError::Running(other.to_string()),
    })?;
    let printer = PrinterLock::try_acquire(data_dir)
        .map_err(|e| io(PrinterLock::path(data_dir), e))?
        .ok_or_else(|| held(PrinterLock::path(data_dir)))?;
    Ok((kiosk, sync, printer))
}

/// The words for a kiosk that will not start beside another on the same data folder.
pub fn already_running(data_dir: &Path, lang: Lang) -> String {
    tr(W::KioskRunning, lang, &[("path", &KioskLock::path(data_dir).display().to_string())])
}
