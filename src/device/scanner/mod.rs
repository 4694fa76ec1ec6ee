//! The barcode scanner: a line reader that turns the port's bytes into codes (whatever the
//! suffix, however the bytes are split), the serial reader thread with its reconnect loop, the
//! iced subscription that feeds the UI, and the keyboard-wedge burst detector.

pub mod line;
pub mod serial;
pub mod tool;
pub mod wedge;

pub use line::{LineError, LineReader};
pub use serial::{ScannerEvent, ScannerLink, subscription};
