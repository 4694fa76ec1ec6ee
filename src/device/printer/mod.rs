//! The receipt printer: where its bytes go (file, serial port, network), its real-time status,
//! the stored queue and the worker thread that drains it, and a preview of what it prints.

pub mod config;
pub mod lock;
pub mod queue;
pub mod serial;
pub mod status;
pub mod transport;
pub mod wire;
pub mod worker;

pub use config::{FlowControl, Parity, PrinterConfig, PrinterKind};
pub use status::{PrinterStatus, Problem};

/// Where the file printer writes its jobs in a data folder.
pub fn prints_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("prints")
}
