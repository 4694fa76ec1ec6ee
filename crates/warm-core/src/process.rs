//! What every process of ours does the same way: its log, and locks shared between threads.

use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard};

/// Logs to standard error, one line an event, filtered by `RUST_LOG` or else `default_filter`;
/// colours only on a terminal, so a log written to a file or the journal has no escape codes.
pub fn init_logging(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// Locks `m`. A poisoned lock only means another thread panicked while holding it; the data it
/// guards (a store whose own transactions keep the file consistent, a map of counters) is still
/// usable, so carry on rather than take every other thread down too.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
