//! The printer against a printer emulator on a real pseudo-terminal pair: golden bytes, status,
//! the queue through paper-out and unplugging, flow control at 9600 baud, and kill -9.
//! One test binary on purpose: each binary links the whole GUI stack.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

mod cli;
mod crash;
mod emulator;
mod flow;
mod golden;
mod queue;
mod support;
