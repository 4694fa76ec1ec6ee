//! Sync stories with real processes over loopback: `warm-hub serve` and `warm-kiosk sync` as child
//! processes, a fault proxy between them, kill -9 at random moments, replayed and cloned terminals,
//! catalog changes on the hub reaching the kiosk, HTTPS, a hostile client, a restored kiosk, the
//! operator's tools, and backups, restore and the doctor (issue 14). One test binary on purpose
//! (each links the GUI).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

mod backup;
mod catalog;
mod delivery;
mod doctor;
mod faults;
mod households;
mod hub_binary;
mod leader;
mod locks;
mod logs;
mod lossy;
mod manager;
mod netns;
mod operator;
mod package;
mod postgres;
mod proxy;
mod refusals;
mod security;
mod support;
// The kiosk's own screens on a synced store (households: the other kiosk refuses in words).
#[path = "../kiosk/tasks.rs"]
mod tasks;
