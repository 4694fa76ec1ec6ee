//! `warm-kiosk sync once | status | run`: sync from the command line, for a volunteer or a
//! script (and for tests, which kill `sync run` at random moments).

use jiff::Timestamp;
use std::path::Path;
use warm_kiosk::config::Config;
use warm_kiosk::store::{Store, StoreError};
use warm_kiosk::sync::{RoundReport, SyncError, SyncLock, Syncer, Update, run_loop};

/// One round now: push everything waiting, pull the catalog. Refuses if a sync loop is running.
pub fn once(config: &Config, store_path: &Path, data_dir: &Path) -> Result<RoundReport, SyncError> {
    let _lock = SyncLock::try_acquire(data_dir)?;
    let mut syncer = Syncer::new(&config.sync, &config.terminal_id, store_path, data_dir)?;
    syncer.round(Timestamp::now())
}

/// Lines describing the sync state, in the kiosk's time zone. Reads the store without taking
/// its write lock, so it answers while the kiosk or a sync loop is writing.
pub fn status(config: &Config, store_path: &Path, data_dir: &Path) -> Result<Vec<String>, SyncError> {
    let tz = config.time_zone().map_err(|e| SyncError::Local(e.to_string()))?;
    let hub =
        if config.sync.hub_url.is_empty() { "none (offline only)".to_owned() } else { config.sync.hub_url.clone() };
    let running = match SyncLock::try_acquire(data_dir) {
        Ok(_) => "no",
        Err(SyncError::Busy(_)) => "yes",
        Err(_) => "unknown",
    };
    let mut lines = vec![format!("terminal:          {}", config.terminal_id), format!("hub:               {hub}")];
    match Store::open_read_only(store_path) {
        Err(StoreError::Outdated { found, known }) => {
            lines.push(format!("store:             being upgraded (schema {found} of {known}); ask again shortly"))
        }
        Err(e) => return Err(e.into()),
        Ok(None) => lines.push(format!("store:             none yet ({})", store_path.display())),
        Ok(Some(store)) => {
            let last = match store.last_sync_ok()? {
                Some(t) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
                None => "never".into(),
            };
            lines.extend([
                format!("events waiting:    {}", store.outbox_len()?),
                format!("last sync:         {last}"),
                format!("catalog cursor:    {}", store.catalog_cursor()?),
                format!(
                    "synced catalog:    {}",
                    match store.synced_catalog()? {
                        Some(c) => format!("{} products", c.products.len()),
                        None => "none (using the file or built-in catalog)".into(),
                    }
                ),
            ]);
        }
    }
    lines.push(format!("sync loop running: {running}"));
    Ok(lines)
}

/// The background loop in the foreground, until the process is stopped.
pub fn run(config: &Config, store_path: &Path, data_dir: &Path) -> Result<(), SyncError> {
    if config.sync.hub_url.is_empty() {
        return Err(SyncError::NoHub);
    }
    run_loop(
        &config.sync,
        &config.terminal_id,
        store_path,
        data_dir,
        |update| {
            if let Update::Status(s) = update {
                tracing::info!(online = s.online, waiting = s.waiting, problem = ?s.problem, "sync status");
            }
        },
        || false,
    );
    Ok(())
}
