//! Where the kiosk's log goes. Under systemd (`JOURNAL_STREAM` set) standard error is the
//! journal, which keeps and rotates it. Started from a desktop session nobody reads standard
//! error, so the window and the sync loop write `logs/warm-kiosk.log` in the data folder, a few
//! MB at most: at `MAX_BYTES` it becomes `.1` (and `.1` becomes `.2` …) and the oldest goes.
//!
//! Nothing secret is logged: the hub's token travels only in a request header, PINs are only
//! hashed, payment references only stored; the HTTP client's own chatter (which could show
//! headers) is held at info whatever `RUST_LOG` asks.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Files kept besides the one being written.
const KEEP: usize = 4;

/// The folder of the log files in a data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// To the journal (standard error) under systemd or with no data folder, else to a rotating
/// file in `data_dir`; standard error too if the file cannot be opened.
pub fn init(data_dir: Option<&Path>, default_filter: &str) {
    let under_systemd = std::env::var_os("JOURNAL_STREAM").is_some_and(|v| !v.is_empty());
    let file = match data_dir {
        Some(data) if !under_systemd => match Rotating::open(&dir(data)) {
            Ok(file) => Some(file),
            Err(e) => {
                eprintln!(
                    "warm-kiosk: the log file in {} cannot be written ({e}); logging to standard error",
                    data.display()
                );
                None
            }
        },
        _ => None,
    };
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    for quiet in ["ureq=info", "ureq_proto=info", "rustls=info"] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
    match file {
        Some(file) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(Mutex::new(file))
                .try_init();
        }
        None => {
            use std::io::IsTerminal as _;
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr)
                .try_init();
        }
    }
}

/// `warm-kiosk.log` and its older files `.1` … `.KEEP`.
pub struct Rotating {
    path: PathBuf,
    file: File,
    written: u64,
}

impl Rotating {
    pub fn open(dir: &Path) -> std::io::Result<Rotating> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("warm-kiosk.log");
        let file = File::options().create(true).append(true).open(&path)?;
        let written = file.metadata()?.len();
        Ok(Rotating { path, file, written })
    }

    fn numbered(&self, n: usize) -> PathBuf {
        PathBuf::from(format!("{}.{n}", self.path.display()))
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let _ = std::fs::remove_file(self.numbered(KEEP));
        for n in (1..KEEP).rev() {
            let _ = std::fs::rename(self.numbered(n), self.numbered(n + 1));
        }
        std::fs::rename(&self.path, self.numbered(1))?;
        self.file = File::options().create(true).append(true).open(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

impl Write for Rotating {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > MAX_BYTES {
            // A log that cannot turn over keeps growing rather than losing lines.
            let _ = self.rotate();
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_turns_over_and_keeps_a_few_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = Rotating::open(dir.path()).unwrap();
        let line = vec![b'x'; 1024 * 1024];
        for _ in 0..40 {
            log.write_all(&line).unwrap();
        }
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(
            names,
            ["warm-kiosk.log", "warm-kiosk.log.1", "warm-kiosk.log.2", "warm-kiosk.log.3", "warm-kiosk.log.4"]
        );
        for name in names {
            assert!(std::fs::metadata(dir.path().join(&name)).unwrap().len() <= MAX_BYTES, "{name}");
        }
    }
}
