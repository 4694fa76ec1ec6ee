//! One process owns the printer at a time: the kiosk's print worker holds an exclusive lock on
//! `printer.lock` in the data folder for as long as it runs (the kernel lets go of it if the
//! process dies, even by `kill -9`), and the command line's printer tools take it too, so two
//! processes never send the same job or mix their bytes on one port.

use std::fs::File;
use std::path::{Path, PathBuf};

pub struct PrinterLock {
    _file: File,
}

impl PrinterLock {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("printer.lock")
    }

    /// The lock, or `None` while another process holds it.
    pub fn try_acquire(data_dir: &Path) -> std::io::Result<Option<PrinterLock>> {
        std::fs::create_dir_all(data_dir)?;
        let file = File::options().create(true).truncate(false).write(true).open(Self::path(data_dir))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(PrinterLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_holds_the_printer() {
        let dir = tempfile::tempdir().unwrap();
        let first = PrinterLock::try_acquire(dir.path()).unwrap().unwrap();
        assert!(PrinterLock::try_acquire(dir.path()).unwrap().is_none());
        drop(first);
        assert!(PrinterLock::try_acquire(dir.path()).unwrap().is_some());
    }
}
