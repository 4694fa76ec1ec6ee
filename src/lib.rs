//! Warm Market (暖心市集): an elderly-friendly grocery kiosk. Layers, each depending only on those
//! below it: `ui` → `device` → `receipt` → `store` → `domain`; `config`, `i18n` and `fonts` are
//! shared leaves.

pub mod catalog_file;
pub mod config;
pub mod device;
pub mod domain;
pub mod fonts;
pub mod i18n;
pub mod kiosk;
pub mod receipt;
pub mod store;
pub mod ui;
