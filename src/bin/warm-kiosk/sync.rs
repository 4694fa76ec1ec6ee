//! `warm-kiosk sync once | status | run`: sync from the command line, for a volunteer or a
//! script (and for tests, which kill `sync run` at random moments).

use jiff::Timestamp;
use std::path::Path;
use warm_kiosk::config::Config;
use warm_kiosk::store::{Store, StoreError};
use warm_kiosk::sync::{Link, RoundReport, SyncError, SyncLock, SyncStatus, Syncer, Update, corner_lines, run_loop};

/// One round now: push everything waiting, pull the catalog. Refuses if a sync loop is running.
pub fn once(config: &Config, store_path: &Path, data_dir: &Path) -> Result<RoundReport, SyncError> {
    let _lock = SyncLock::try_acquire(data_dir)?;
    let mut syncer = Syncer::new(&config.sync, &config.terminal_id, store_path, data_dir)?;
    syncer.round()
}

/// Lines describing the sync state, in the kiosk's time zone. Reads the store without taking
/// its write lock, so it answers while the kiosk or a sync loop is writing.
pub fn status(config: &Config, store_path: &Path, data_dir: &Path) -> Result<Vec<String>, SyncError> {
    let tz = config.time_zone().map_err(|e| SyncError::Local(e.to_string()))?;
    let configured = !config.sync.hub_url.is_empty();
    let hub = if configured { config.sync.hub_url.clone() } else { "none (offline only)".to_owned() };
    let running = match SyncLock::try_acquire(data_dir) {
        Ok(_) => "no",
        Err(SyncError::Busy(_)) => "yes",
        Err(_) => "unknown",
    };
    let local = |t: Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S %Z").to_string();
    let or_never = |t: Option<Timestamp>| t.map_or_else(|| "never".to_owned(), local);
    let mut lines = vec![format!("terminal:          {}", config.terminal_id), format!("hub:               {hub}")];
    match Store::open_read_only(store_path) {
        Err(StoreError::Outdated { found, known }) => {
            lines.push(format!("store:             being upgraded (schema {found} of {known}); ask again shortly"))
        }
        Err(e) => return Err(e.into()),
        Ok(None) => lines.push(format!("store:             none yet ({})", store_path.display())),
        Ok(Some(store)) => {
            let s = SyncStatus::read(&store, configured, None)?;
            let link = match SyncStatus::link_record(&store)? {
                None => "not tried yet".to_owned(),
                Some(r) => {
                    let word = match r.link {
                        Link::Unknown => "unknown",
                        Link::Online => "online",
                        Link::Unstable => "unstable (some requests fail, work gets through)",
                        Link::Offline => "offline (no request got through)",
                    };
                    format!("{word}: {} of {} recent requests failed (as of {})", r.failed, r.tried, local(r.at))
                }
            };
            let problems = SyncStatus::problems(&store)?;
            let corner = corner_lines(&s, config.language, &tz, Timestamp::now());
            lines.extend([
                format!("events waiting:    {}", s.waiting),
                format!("orders waiting:    {}", s.orders_waiting),
                format!("last sync:         {}", or_never(s.last_ok)),
                format!("orders delivered:  {}", or_never(s.delivered_at)),
                format!("catalog changed:   {}", or_never(s.catalog_changed_at)),
                format!("catalog cursor:    {}", store.catalog_cursor()?),
                format!(
                    "synced catalog:    {}",
                    match store.synced_catalog()? {
                        Some(c) => format!("{} products", c.products.len()),
                        None => "none (using the file or built-in catalog)".into(),
                    }
                ),
                format!("link:              {link}"),
                format!(
                    "bytes on the wire: {} sent, {} received (request and response bodies)",
                    s.bytes_sent, s.bytes_received
                ),
            ]);
            if problems.is_empty() {
                lines.push("problem:           none".into());
            }
            for (side, p) in problems {
                let who = if p.needs_help { " — retrying will not help: a person must act" } else { "" };
                lines.push(format!("problem:           {side}: {} (at {}){who}", p.message, local(p.at)));
            }
            lines.push(format!("corner:            {} / {}", corner[0], corner[1]));
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
                tracing::info!(
                    link = s.link.as_str(),
                    waiting = s.waiting,
                    sent = s.bytes_sent,
                    received = s.bytes_received,
                    problem = s.problem.as_deref().unwrap_or("none"),
                    "sync status"
                );
            }
        },
        || false,
    );
    Ok(())
}
