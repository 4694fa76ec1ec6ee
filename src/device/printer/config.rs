//! The `[printer]` table of the config file: which transport the bytes take and the paper
//! profile the layouts are drawn for. One flat table, so every key is named in an error.
//!
//! ```toml
//! [printer]
//! kind = "serial"            # "file" (default), "serial" or "tcp"
//! port = "/dev/ttyUSB0"      # serial: device path
//! baud = 9600
//! data_bits = 8              # 5..=8
//! parity = "none"            # "none", "odd", "even"
//! stop_bits = 1              # 1 or 2
//! flow_control = "rts_cts"   # "none", "rts_cts", "xon_xoff"
//! host = "192.168.1.50"      # tcp: address of a network printer
//! tcp_port = 9100
//! timeout_ms = 3000          # how long a silent printer is waited for before "no answer"
//! paper = "80mm"             # paper profile, see receipt::PaperProfile
//! chinese_mode = true
//! native_qr = true
//! cut_feed = 0
//! ```

pub use crate::device::serial_line::{FlowControl, Parity};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;
use warm_core::receipt::{Paper, PaperProfile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterKind {
    /// Each job becomes a file in `<data>/prints/` (the embedded default, and training).
    #[default]
    File,
    Serial,
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterConfig {
    pub kind: PrinterKind,
    pub port: PathBuf,
    pub baud: u32,
    pub data_bits: u8,
    pub parity: Parity,
    pub stop_bits: u8,
    pub flow_control: FlowControl,
    pub host: String,
    pub tcp_port: u16,
    pub timeout_ms: u64,
    pub paper: Paper,
    pub chinese_mode: bool,
    pub native_qr: bool,
    pub cut_feed: u8,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        let p = PaperProfile::default();
        PrinterConfig {
            kind: PrinterKind::File,
            port: PathBuf::from("/dev/ttyUSB0"),
            baud: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
            flow_control: FlowControl::RtsCts,
            host: String::new(),
            tcp_port: 9100,
            timeout_ms: 3000,
            paper: p.paper,
            chinese_mode: p.chinese_mode,
            native_qr: p.native_qr,
            cut_feed: p.cut_feed,
        }
    }
}

impl PrinterConfig {
    pub fn profile(&self) -> PaperProfile {
        PaperProfile {
            paper: self.paper,
            chinese_mode: self.chinese_mode,
            native_qr: self.native_qr,
            cut_feed: self.cut_feed,
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// Checks the keys the chosen transport needs; the message names the key.
    pub fn check(&self) -> Result<(), PrinterConfigError> {
        use PrinterConfigError::*;
        if !(5..=8).contains(&self.data_bits) {
            return Err(DataBits(self.data_bits));
        }
        if !(1..=2).contains(&self.stop_bits) {
            return Err(StopBits(self.stop_bits));
        }
        if self.timeout_ms == 0 {
            return Err(NoTimeout);
        }
        match self.kind {
            PrinterKind::Serial if self.port.as_os_str().is_empty() => Err(NoPort),
            PrinterKind::Serial if self.baud == 0 => Err(NoBaud),
            PrinterKind::Tcp if self.host.is_empty() => Err(NoHost),
            _ => Ok(()),
        }
    }
}

/// A `[printer]` value the kiosk cannot print with; the message names the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrinterConfigError {
    #[error("printer.data_bits = {0}: must be 5, 6, 7 or 8")]
    DataBits(u8),
    #[error("printer.stop_bits = {0}: must be 1 or 2")]
    StopBits(u8),
    #[error("printer.timeout_ms must be at least 1")]
    NoTimeout,
    #[error("printer.port: a serial printer needs its device, e.g. \"/dev/ttyUSB0\"")]
    NoPort,
    #[error("printer.baud must be at least 1")]
    NoBaud,
    #[error("printer.host: a network printer needs its address, e.g. \"192.168.1.50\"")]
    NoHost,
}
