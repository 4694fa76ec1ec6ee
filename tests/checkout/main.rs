//! The volunteer's checkout across layers: a real pty pair plays the serial scanner, the real
//! reader thread feeds the app, taps go through iced_test, and the SQLite file and the receipt's
//! bytes are checked. One test binary on purpose: each binary links the whole GUI stack.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

mod garbage;
mod parser;
mod pty;
mod recall;
mod screens;
mod story;
#[path = "../kiosk/support.rs"]
#[allow(dead_code)]
mod support;
#[path = "../kiosk/tasks.rs"]
mod tasks;
mod tool;
