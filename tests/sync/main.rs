//! Sync stories with real processes over loopback: `warm-hub serve` and `warm-kiosk sync` as child
//! processes, a fault proxy between them, kill -9 at random moments, replayed and cloned terminals,
//! and catalog changes on the hub reaching the kiosk. One test binary on purpose (each links the GUI).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

mod catalog;
mod delivery;
mod faults;
mod households;
mod hub_binary;
mod locks;
mod lossy;
mod netns;
mod proxy;
mod refusals;
mod support;
