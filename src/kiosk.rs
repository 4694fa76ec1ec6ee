//! Assembles a kiosk from its config: catalog, pictures, store and printer, then opens the window.
//! Shared by the binary, the tests and the benchmarks so all three run the same thing.

use crate::config::Config;
use crate::device::printer::serial;
use crate::device::printer::worker::Printer;
use crate::store::{Store, StoreError};
use crate::ui::picture::Decoding;
use crate::ui::{App, Context, REFERENCE_SIZE, theme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use warm_core::catalog_file::{self, CatalogError, LoadedCatalog};
use warm_core::fonts;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    // Causes are in the messages, not also `source`s: `{:#}` would print them twice.
    #[error("catalog: {0}")]
    Catalog(CatalogError),
    #[error("order store: {0}")]
    Store(StoreError),
    #[error("config: {0}")]
    Config(#[from] crate::config::ConfigProblem),
    #[error("the print worker thread could not start: {0}")]
    Printer(String),
}

impl From<CatalogError> for StartError {
    fn from(e: CatalogError) -> Self {
        StartError::Catalog(e)
    }
}

impl From<StoreError> for StartError {
    fn from(e: StoreError) -> Self {
        StartError::Store(e)
    }
}

/// Paths inside the data folder.
pub fn store_path(data_dir: &Path) -> PathBuf {
    crate::store::file_in(data_dir)
}

pub fn prints_dir(data_dir: &Path) -> PathBuf {
    crate::device::printer::prints_dir(data_dir)
}

pub fn context(config: Config, data_dir: &Path) -> Result<Context, StartError> {
    let store = Store::open(&store_path(data_dir))?;
    // The catalog last pulled from the hub wins; without one, the file or the built-in demo.
    let LoadedCatalog { catalog, pictures } = load_catalog(&config, &store, data_dir)?;
    let time_zone = config.time_zone()?;
    let store = Arc::new(Mutex::new(store));
    // Slips committed before a crash or a printer fault print now, in order, on the worker.
    let transport = serial::from_config(&config.printer, prints_dir(data_dir));
    let printer =
        Printer::spawn_owning(store.clone(), transport, data_dir).map_err(|e| StartError::Printer(e.to_string()))?;
    Ok(Context {
        config: Arc::new(config),
        catalog: Arc::new(catalog),
        // Decoded a screen at a time, off the UI thread: start does not grow with the catalog.
        pictures,
        picture_decoding: Decoding::Background,
        store,
        printer,
        time_zone,
        clock: Arc::new(jiff::Timestamp::now),
        ids: Arc::new(uuid::Uuid::now_v7),
        now: Arc::new(std::time::Instant::now),
        voice: None,
        config_file: None,
    })
}

/// The catalog the kiosk shows: the one last pulled from the hub, else the file, else the demo.
pub fn load_catalog(config: &Config, store: &Store, data_dir: &Path) -> Result<LoadedCatalog, StartError> {
    Ok(match crate::sync::synced_catalog(store, data_dir)? {
        Some((catalog, pictures)) => LoadedCatalog { catalog, pictures },
        None => match &config.catalog {
            Some(path) => catalog_file::load(path)?,
            None => crate::demo::catalog()?,
        },
    })
}

/// The iced settings the kiosk runs with: the bundled fonts, whatever the machine has.
pub fn settings() -> iced::Settings {
    iced::Settings {
        fonts: vec![fonts::REGULAR.into(), fonts::BOLD.into()],
        default_font: theme::FONT,
        default_text_size: theme::BODY.into(),
        ..iced::Settings::default()
    }
}

/// Runs the window with the kiosk's voice (espeak-ng on its own thread; without the engine, one
/// log line and silence).
pub fn run(mut ctx: Context) -> iced::Result {
    use crate::device::speech::{Espeak, Output, Speaker};
    ctx.voice = Some(Arc::new(Speaker::start(Espeak::new(&ctx.config.speech), Output::Device)));
    let window = window_settings(&ctx.config.kiosk);
    if ctx.config.kiosk.fullscreen {
        keep_screen_on();
    }
    iced::application(move || App::boot(ctx.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .scale_factor(App::scale_factor)
        .settings(settings())
        .window(window)
        .run()
}

/// The window of kiosk mode: full screen, no title bar, and a close request (Alt+F4, a window
/// manager's menu) ignored, so a senior cannot end it; Ctrl+Alt+Q and the manager's screen do.
/// Without kiosk mode, a normal window that closes.
pub fn window_settings(kiosk: &crate::config::KioskConfig) -> iced::window::Settings {
    iced::window::Settings {
        size: REFERENCE_SIZE,
        fullscreen: kiosk.fullscreen,
        decorations: !kiosk.fullscreen,
        resizable: !kiosk.fullscreen,
        closeable: !kiosk.fullscreen,
        minimizable: !kiosk.fullscreen,
        exit_on_close_request: !kiosk.fullscreen,
        ..iced::window::Settings::default()
    }
}

/// Switches off the X screen saver and power saving, so the screen never blanks while the kiosk
/// waits for the next senior. Best effort: without `xset` (Wayland, a minimal system) nothing.
fn keep_screen_on() {
    match std::process::Command::new("xset")
        .args(["s", "off", "-dpms"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
    {
        Ok(status) if status.success() => {}
        Ok(status) => tracing::info!(%status, "xset could not switch off screen blanking"),
        Err(e) => tracing::info!("xset is not there to switch off screen blanking: {e}"),
    }
}
