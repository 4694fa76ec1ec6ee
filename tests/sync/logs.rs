//! Where an unattended kiosk's log goes (issue 14): a file in the data folder, or standard error
//! for the journal under systemd; never the hub's token.

use crate::support::*;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::Duration;

const TOKEN: &str = "secret-token-that-must-not-be-logged";

fn sync_loop(dir: &std::path::Path, journal: bool) -> Killed {
    let config = dir.join("kiosk.toml");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&config, format!("[sync]\nhub_url = \"http://127.0.0.1:9\"\ntoken = \"{TOKEN}\"\ninterval_seconds = 1\nmax_backoff_seconds = 1\n")).unwrap();
    let mut command = Command::new(KIOSK);
    command.arg("--config").arg(&config).arg("--data").arg(dir.join("data")).args(["sync", "run"]);
    command.env_remove("RUST_LOG").env_remove("JOURNAL_STREAM").stdout(Stdio::null()).stderr(Stdio::piped());
    if journal {
        command.env("JOURNAL_STREAM", "8:12345");
    }
    Killed(command.spawn().unwrap())
}

#[test]
fn an_unattended_sync_logs_to_a_file_or_the_journal_and_never_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let file_dir = dir.path().join("file");
    let mut child = sync_loop(&file_dir, false);
    let log = file_dir.join("data/logs/warm-kiosk.log");
    eventually(Duration::from_secs(30), "a line about the hub in the log file", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("the hub cannot be reached"))
    });
    child.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(TOKEN), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes in a file");
    let mut stderr = String::new();
    child.0.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(!stderr.contains("the hub cannot be reached"), "the file, not standard error: {stderr}");

    let journal_dir = dir.path().join("journal");
    let mut child = sync_loop(&journal_dir, true);
    let mut err = child.0.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    std::thread::sleep(Duration::from_secs(4));
    child.kill();
    let text = reader.join().unwrap();
    assert!(text.contains("the hub cannot be reached"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(!journal_dir.join("data/logs").exists(), "no file under systemd");
}
