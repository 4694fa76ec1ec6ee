//! Where printer bytes go. The encoder never knows: a serial port, a network printer or, by
//! default, a folder of files that a trainer can look at.

use std::io::Write;
use std::path::PathBuf;

use super::status::{PrinterStatus, Problem};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("the printer cannot be reached: {0}")]
    Unreachable(String),
    #[error("the printer did not take the job: {0}")]
    Write(String),
    /// Part of the job reached the printer: what is on paper may be a torn slip.
    #[error("the printer stopped after {sent} of {total} bytes: {reason}")]
    Interrupted { sent: usize, total: usize, reason: String },
    #[error("the printer does not answer status queries")]
    NoAnswer,
    #[error("the printer cannot print: {0:?}")]
    NotReady(Problem),
}

impl PrintError {
    /// Whether some of the job's bytes may have been printed.
    pub fn partly_sent(&self) -> bool {
        matches!(self, PrintError::Interrupted { sent, .. } if *sent > 0)
    }

    /// What the volunteer is told to do about it.
    pub fn problem(&self) -> Problem {
        match self {
            PrintError::NotReady(p) => *p,
            _ => Problem::NoAnswer,
        }
    }
}

pub trait Transport: Send {
    /// Sends one whole job; `name` identifies it for transports that keep a record. Returns only
    /// once the transport took every byte; [`PrintError::Interrupted`] says how far it got.
    fn send(&mut self, name: &str, bytes: &[u8]) -> Result<(), PrintError>;

    /// Real-time status (`DLE EOT 1, 2, 4`). A transport that cannot ask is always ready.
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        Ok(PrinterStatus::READY)
    }
}

/// The embedded default printer: each job becomes `<dir>/<name>.bin`, written to a temporary
/// file, synced and renamed, so a crash never leaves half a job that looks printed.
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileTransport { dir: dir.into() }
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.bin"))
    }
}

impl Transport for FileTransport {
    fn send(&mut self, name: &str, bytes: &[u8]) -> Result<(), PrintError> {
        let unreachable = |e: std::io::Error| PrintError::Unreachable(format!("{}: {e}", self.dir.display()));
        std::fs::create_dir_all(&self.dir).map_err(unreachable)?;
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, self.path_of(name))
        };
        write().map_err(|e| PrintError::Write(format!("{}: {e}", self.path_of(name).display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_transport_writes_the_exact_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut printer = FileTransport::new(dir.path().join("prints"));
        printer.send("job-1", &[0x1b, 0x40, 0xff]).unwrap();
        assert_eq!(std::fs::read(printer.path_of("job-1")).unwrap(), vec![0x1b, 0x40, 0xff]);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let mut printer = FileTransport::new(blocker.join("prints"));
        assert!(matches!(printer.send("job", b"x"), Err(PrintError::Unreachable(_))));
    }
}
