//! The `[scanner]` table of the config file.

use crate::device::serial_line::{FlowControl, Parity};
use serde::Deserialize;
use warm_core::domain::scan::WeighedLayout;

/// `[scanner]`: a serial (CDC / virtual COM) barcode scanner. With no `port` the kiosk runs
/// without one; a keyboard-wedge scanner still works on the checkout screen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScannerConfig {
    /// Device path, e.g. "/dev/ttyACM0" or a stable "/dev/serial/by-id/..." link.
    pub port: Option<String>,
    pub baud: u32,
    pub data_bits: u8,
    pub parity: Parity,
    pub stop_bits: u8,
    pub flow_control: FlowControl,
    /// Seconds between tries to open the port while the scanner is unplugged.
    pub retry_seconds: u64,
    /// Longest line accepted, in bytes; longer ones are rejected and never held in memory.
    pub max_line_bytes: usize,
    /// Keyboard wedge: most milliseconds between two keys of one scan (people type slower).
    pub wedge_key_gap_ms: u64,
    /// Labels of the market's scale (prefix 20–29).
    pub weighed: WeighedLayout,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            port: None,
            baud: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
            flow_control: FlowControl::None,
            retry_seconds: 2,
            max_line_bytes: 512,
            wedge_key_gap_ms: 50,
            weighed: WeighedLayout::default(),
        }
    }
}
