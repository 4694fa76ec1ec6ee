//! The core of Warm Market (暖心市集), shared by the kiosk and the cooperative's hub: no GUI, no
//! HTTP server, no serial port, no database. Layers, each depending only on those below it:
//! `receipt` (layouts to ESC/POS bytes, and the preview that draws those bytes back) and `speech`
//! (what the kiosk says aloud, as words) → `i18n`
//! (every word, in zh-CN and English) → `domain` (pure rules: money, catalog, orders, ...);
//! `catalog_file` (the catalog's TOML format) → `domain`. `api` (the versioned wire contract) and
//! `fonts` (the bundled Noto Sans SC) are leaves, as are `process` (logging and locks) and
//! `toml_error` (a TOML file's error in words).

pub mod api;
pub mod catalog_file;
pub mod domain;
pub mod fonts;
pub mod i18n;
pub mod process;
pub mod receipt;
pub mod speech;
pub mod toml_error;
