//! Stories across the kiosk's layers: a senior's taps through the real views (iced_test), the
//! SQLite file they leave, the slip bytes, crash safety and failures. One test binary on purpose:
//! each binary links the whole GUI stack.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

mod assortment;
mod crash;
mod failures;
mod households;
mod idle;
mod layout;
mod leader;
mod leader_crash;
mod manager;
mod manager_crash;
mod manager_day;
mod snapshots;
mod story;
mod support;
mod tasks;
mod touch;
mod upkeep;
mod window;
