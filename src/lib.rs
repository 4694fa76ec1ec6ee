//! Warm Market (暖心市集)'s kiosk: the touchscreen terminal seniors order at, with its serial
//! printer and scanner, its durable order store and its sync with the cooperative's hub. Layers,
//! each depending only on those below it:
//! `ui` (iced: the root `app`, `screen`s that own their state, `widget`s) → `kiosk` (assembles a
//! kiosk from its config) → `sync` (the terminal's side: outbox push, catalog pull) and `device`
//! (printer, scanner), and `doctor` (the self-check) above `sync` → `store` (the SQLite file) → `config`, `demo`. Everything below that is the
//! `warm_core` crate (domain rules, wire contract, words, receipt layouts), which the hub shares.

pub mod config;
pub mod demo;
pub mod device;
pub mod doctor;
pub mod kiosk;
pub mod store;
pub mod sync;
pub mod ui;
