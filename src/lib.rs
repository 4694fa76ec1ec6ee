//! Warm Market (暖心市集): an elderly-friendly grocery kiosk. Layers, each depending only on those
//! below it: `ui` → `sync` → `device` → `receipt` → `store` → `domain`; `config`, `i18n`, `fonts`
//! and `api` (the wire contract with the hub) are shared leaves. `hub` is the cooperative's server
//! (the `warm-hub` binary): it uses `api`, `catalog_file` and `domain`, never `ui`.

pub mod api;
pub mod catalog_file;
pub mod config;
pub mod device;
pub mod domain;
pub mod fonts;
pub mod hub;
pub mod i18n;
pub mod kiosk;
pub mod receipt;
pub mod store;
pub mod sync;
pub mod ui;
