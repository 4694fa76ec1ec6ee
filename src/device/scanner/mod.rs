//! The barcode scanner: its `[scanner]` config, a line reader that turns the port's bytes into
//! codes (whatever the suffix, however the bytes are split), the serial reader thread with its
//! reconnect loop, and the keyboard-wedge burst detector.

pub mod config;
pub mod line;
pub mod serial;
pub mod wedge;

pub use config::ScannerConfig;
pub use line::{LineError, LineReader};
pub use serial::{ScannerEvent, ScannerLink};
