//! Assembles a kiosk from its config: catalog, pictures, store and printer, then opens the window.
//! Shared by the binary, the tests and the benchmarks so all three run the same thing.

use crate::catalog_file::{self, CatalogError, LoadedCatalog};
use crate::config::Config;
use crate::device::printer::transport::FileTransport;
use crate::fonts;
use crate::store::{Store, StoreError};
use crate::ui::picture::Pictures;
use crate::ui::{App, Context, REFERENCE_SIZE, theme};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("catalog: {0}")]
    Catalog(#[from] CatalogError),
    #[error("order store: {0}")]
    Store(#[from] StoreError),
    #[error("config: {0}")]
    Config(String),
}

/// Paths inside the data folder.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("kiosk.sqlite")
}

pub fn prints_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("prints")
}

pub fn context(config: Config, data_dir: &Path) -> Result<Context, StartError> {
    let store = Store::open(&store_path(data_dir))?;
    // The catalog last pulled from the hub wins; without one, the file or the built-in demo.
    let LoadedCatalog { catalog, pictures } = match crate::sync::synced_catalog(&store, data_dir)? {
        Some((catalog, pictures)) => LoadedCatalog { catalog, pictures },
        None => match &config.catalog {
            Some(path) => catalog_file::load(path)?,
            None => catalog_file::demo()?,
        },
    };
    let time_zone = config.time_zone().map_err(StartError::Config)?;
    let pictures = Pictures::load(&catalog, &pictures);
    Ok(Context {
        config: Arc::new(config),
        catalog: Arc::new(catalog),
        pictures: Arc::new(pictures),
        store: Arc::new(Mutex::new(store)),
        printer: Arc::new(Mutex::new(Box::new(FileTransport::new(prints_dir(data_dir))))),
        time_zone,
        clock: Arc::new(jiff::Timestamp::now),
        ids: Arc::new(uuid::Uuid::now_v7),
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

pub fn run(ctx: Context) -> iced::Result {
    iced::application(move || App::new(ctx.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .scale_factor(App::scale_factor)
        .settings(settings())
        .window_size(REFERENCE_SIZE)
        .run()
}
