//! kill -9 of the kiosk between commit and print, and in the middle of sending: on restart the
//! job prints once (whole, or marked 重印 when part of it may be on paper already).

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use warm_kiosk::config::Config;
use warm_kiosk::device::printer::FlowControl;

const ENV_DATA: &str = "WARM_PRINTER_CHILD_DATA";
const ENV_PORT: &str = "WARM_PRINTER_CHILD_PORT";

/// The child kiosk: commits one order through the real kiosk context (store + print worker on
/// the configured serial printer), reports it, then waits to be killed.
#[test]
#[ignore = "run by crash::* as a child process"]
fn printer_child_commits_an_order() {
    let (Ok(data), Ok(port)) = (std::env::var(ENV_DATA), std::env::var(ENV_PORT)) else { return };
    // 1200 baud: the slip takes seconds on the line, so the kill surely comes mid-job even
    // when the machine is busy (the test checks that it did).
    let config = Config { printer: serial(std::path::Path::new(&port), 1200, FlowControl::None), ..Config::default() };
    let ctx = warm_kiosk::kiosk::context(config.clone(), std::path::Path::new(&data)).unwrap();
    let catalog = ctx.catalog.clone();
    let lines: Vec<_> = catalog.products[..6].iter().map(|p| warm_core::domain::OrderLine::of(p, 2)).collect();
    let new = warm_kiosk::store::NewOrder {
        id: uuid::Uuid::now_v7(),
        terminal: "K1".into(),
        lang: warm_core::domain::Lang::Zh,
        household: None,
        lines,
    };
    let profile = config.printer.profile();
    let placed = ctx
        .store()
        .place_order(new, jiff::Timestamp::now(), &config.slot_policy(), &ctx.time_zone, |o| {
            warm_core::receipt::slip::pickup_slip(o, &catalog.market_name, &profile, &ctx.time_zone)
        })
        .unwrap();
    println!("COMMITTED {}", placed.order.id);
    ctx.printer.wake();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

fn child(data: &std::path::Path, port: &std::path::Path) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash::printer_child_commits_an_order", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(ENV_DATA, data)
        .env(ENV_PORT, port)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

fn committed(rx: &std::sync::mpsc::Receiver<String>) -> String {
    loop {
        let line = rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the child never committed");
        // The harness may print the test's name on the same line first.
        if let Some((_, id)) = line.split_once("COMMITTED ") {
            return id.trim().to_owned();
        }
    }
}

/// Restarts the kiosk on the same data folder with the printer plugged in; waits for its queue.
fn restart(data: &std::path::Path, emu: &Emulator) {
    let config = Config { printer: serial(&emu.link, 115_200, FlowControl::None), ..Config::default() };
    let ctx = warm_kiosk::kiosk::context(config, data).unwrap();
    let state = ctx.printer.drain();
    assert_eq!((state.problem, state.pending), (None, 0), "{state:?}");
}

#[test]
fn killed_between_commit_and_print_the_slip_prints_once_after_restart() {
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // No printer yet: the child commits and its worker cannot print.
    let missing = dir.path().join("ttyPRINTER");
    let (mut kiosk, rx) = child(&data, &missing);
    let id = committed(&rx);
    kiosk.kill().unwrap(); // SIGKILL
    kiosk.wait().unwrap();

    let emu = Emulator::start(dir.path(), Setup::default());
    restart(&data, &emu);
    wait_for("the slip", || !emu.state().jobs().is_empty());
    let store = store(&data);
    let job: Vec<u8> =
        store.connection().query_row("SELECT bytes FROM print_jobs WHERE order_id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(emu.state().jobs(), vec![job], "printed once, unmarked");
    // A second restart prints nothing more.
    restart(&data, &emu);
    assert_eq!(emu.state().jobs().len(), 1);
}

#[test]
fn killed_while_sending_the_slip_is_reprinted_marked_after_restart() {
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let emu = Emulator::start(dir.path(), Setup::default());
    let (mut kiosk, rx) = child(&data, &emu.link);
    let id = committed(&rx);
    wait_for("part of the slip", || emu.state().printed.len() > 200);
    kiosk.kill().unwrap();
    kiosk.wait().unwrap();
    let torn = emu.state().printed.len();

    restart(&data, &emu);
    let store = store(&data);
    let job: Vec<u8> =
        store.connection().query_row("SELECT bytes FROM print_jobs WHERE order_id = ?1", [&id], |r| r.get(0)).unwrap();
    assert!(torn < job.len(), "the kill came mid-job ({torn} of {} bytes)", job.len());
    wait_for("the reprint", || emu.state().printed.ends_with(&job[4..]));
    let again = emu.state().printed[torn..].to_vec();
    assert!(contains(&again, &gb("重印 REPRINT")), "marked as a reprint");
    assert!(again.ends_with(&job[4..]), "the whole slip again");
}
