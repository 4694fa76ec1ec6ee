//! The sync corner of the screen and the background sync loop's link into the GUI: a catalog
//! change on the hub reaches the seniors' screen as a message carrying the new catalog and where
//! its pictures are (the root decodes them a screen at a time, off the UI thread).

use super::theme;
use super::widget::{bold, label};
use crate::config::{Config, SyncConfig};
use crate::store::Store;
use crate::sync::{self, SyncStatus, Update};
use futures_channel::mpsc;
use iced::widget::{column, container};
use iced::{Element, Subscription};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use warm_core::catalog_file::PictureSource;
use warm_core::domain::{Catalog, Lang};

/// What the sync loop tells the screen.
#[derive(Debug, Clone)]
pub enum SyncMsg {
    Status(SyncStatus),
    Catalog(Arc<Catalog>, PictureSource),
}

impl PartialEq for SyncMsg {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SyncMsg::Status(a), SyncMsg::Status(b)) => a == b,
            (SyncMsg::Catalog(a, _), SyncMsg::Catalog(b, _)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LoopKey {
    config: SyncConfig,
    terminal: String,
    store_path: PathBuf,
}

/// The background loop, when a hub is configured, on its own connection to the store at `store_path`.
pub fn subscription(config: &Config, store_path: &Path) -> Subscription<SyncMsg> {
    if config.sync.hub_url.is_empty() {
        return Subscription::none();
    }
    let key = LoopKey {
        config: config.sync.clone(),
        terminal: config.terminal_id.clone(),
        store_path: store_path.to_owned(),
    };
    Subscription::run_with(key, start)
}

fn start(key: &LoopKey) -> mpsc::UnboundedReceiver<SyncMsg> {
    let (tx, rx) = mpsc::unbounded();
    let key = key.clone();
    let spawned = std::thread::Builder::new().name("sync".into()).spawn(move || {
        let data_dir = key.store_path.parent().map(PathBuf::from).unwrap_or_default();
        let send = |m: SyncMsg| {
            let _ = tx.unbounded_send(m);
        };
        sync::run_loop(
            &key.config,
            &key.terminal,
            &key.store_path,
            &data_dir,
            |update| match update {
                Update::Status(s) => send(SyncMsg::Status(s)),
                Update::Catalog(catalog, source) => send(SyncMsg::Catalog(Arc::new(catalog), source)),
            },
            || tx.is_closed(),
        );
    });
    if let Err(e) = spawned {
        tracing::error!("the sync thread could not start: {e}");
    }
    rx
}

/// What the corner shows before the loop first reports: what the store recorded (the last pass's
/// link, what waits, when orders last reached the hub).
pub fn initial(store: &Store, config: &Config) -> SyncStatus {
    let configured = !config.sync.hub_url.is_empty();
    SyncStatus::read(store, configured, None).unwrap_or_else(|e| {
        tracing::warn!("sync status not read from the store: {e}");
        SyncStatus { configured, ..SyncStatus::default() }
    })
}

/// The corner: how the link is and what waits, when orders last reached the hub and when the
/// catalog changed, in words (`sync::corner_lines`), in the kiosk's time zone. `now`: the wall clock.
pub fn view<'a, M: 'a>(s: &SyncStatus, tz: &jiff::tz::TimeZone, lang: Lang, now: jiff::Timestamp) -> Element<'a, M> {
    let [first, second] = sync::corner_lines(s, lang, tz, now);
    // Calm when work gets through or there is no hub; the words say which, never the colour alone.
    let style = if !s.configured || (s.online && !s.needs_help) { theme::badge } else { theme::warning };
    // Two lines, so the corner is no taller than the buttons beside it.
    container(column![bold(first, theme::BODY), label(second, theme::BODY)].spacing(0))
        .padding([4.0, theme::GAP])
        .style(style)
        .into()
}
