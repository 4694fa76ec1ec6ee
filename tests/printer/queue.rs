//! The stored queue against a printer that runs out of paper, or is unplugged mid-job.

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use warm_kiosk::device::printer::queue::{QueueError, print_pending};
use warm_kiosk::device::printer::serial::SerialTransport;
use warm_kiosk::device::printer::transport::PrintError;
use warm_kiosk::device::printer::worker::Printer;
use warm_kiosk::device::printer::{FlowControl, Problem};

#[test]
fn paper_out_in_a_queue_of_ten_then_refilled_prints_each_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup::default());
    emu.state().paper_out_after_cuts = Some(4);
    let store = store(dir.path());
    for n in 1..=10 {
        store.add_print_job(None, "test", &job(n), jiff::Timestamp::now()).unwrap();
    }
    let mut printer = SerialTransport::new(serial(&emu.link, 115_200, FlowControl::None));
    let err = print_pending(&store, &mut printer).unwrap_err();
    assert_eq!(err, QueueError::Print(PrintError::NotReady(Problem::PaperOut)));
    assert_eq!(store.pending_print_jobs().unwrap().len(), 6, "the rest stays queued");
    // Asked again while the paper is still out: nothing is sent.
    let received = emu.state().received.len();
    assert!(print_pending(&store, &mut printer).is_err());
    let asked = emu.state().received[received..].to_vec();
    assert!(!asked.is_empty() && asked.chunks(3).all(|c| c[..2] == [0x10, 0x04]), "only status queries: {asked:?}");

    emu.state().paper_out = false; // a new roll
    print_pending(&store, &mut printer).unwrap();
    wait_for("ten slips", || emu.state().jobs().len() >= 10);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let jobs = emu.state().jobs();
    assert_eq!(jobs, (1..=10).map(job).collect::<Vec<_>>(), "each exactly once, in order");
    assert!(store.pending_print_jobs().unwrap().is_empty());
}

#[test]
fn unplugged_mid_job_says_so_and_reprints_marked_after_reconnect() {
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut emu = Emulator::start(dir.path(), Setup::default());
    let store = std::sync::Arc::new(std::sync::Mutex::new(store(dir.path())));
    // A 3 KB slip takes about 3 s at 9600 baud: time to pull the cable in the middle.
    let mut slip = vec![0x1B, 0x40, 0x1C, 0x26];
    for i in 0..100 {
        slip.extend_from_slice(format!("line {i:03} ........................\n").as_bytes());
    }
    slip.extend_from_slice(&[0x1D, 0x56, 0x41, 0]);
    store.lock().unwrap().add_print_job(None, "pickup_slip", &slip, jiff::Timestamp::now()).unwrap();

    let transport = SerialTransport::new(serial(&emu.link, 9600, FlowControl::None));
    let printer = Printer::spawn(store.clone(), Box::new(transport)).unwrap();
    let mut updates = printer.updates();
    wait_for("half the slip", || emu.state().printed.len() > 1000);
    emu.unplug();
    let state = printer.drain();
    assert_eq!(state.problem, Some(Problem::NoAnswer), "{state:?}");
    assert_eq!(state.pending, 1);
    let (error, interrupted): (String, bool) = store
        .lock()
        .unwrap()
        .connection()
        .query_row("SELECT last_error, interrupted FROM print_jobs", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(error.contains("stopped after") && interrupted, "{error}");
    assert_eq!(Problem::NoAnswer.text(warm_core::domain::Lang::Zh), "打印机没有响应，请检查电源和连接线");
    // The screen heard about it through the subscription's stream.
    let mut heard = Vec::new();
    while let Ok(s) = updates.try_recv() {
        heard.push(s);
    }
    assert!(heard.iter().any(|s| s.problem == Some(Problem::NoAnswer)), "{heard:?}");
    let torn = emu.state().printed.len();
    assert!(torn < slip.len());

    emu.plug();
    let state = printer.drain();
    assert_eq!(state.problem, None, "{state:?}");
    assert_eq!(state.pending, 0);
    wait_for("the reprint", || emu.state().jobs().len() == 1);
    let printed = emu.state().printed[torn..].to_vec();
    // The whole slip again, after a 重印 / REPRINT banner.
    assert!(contains(&printed, &gb("重印 REPRINT")));
    assert!(printed.ends_with(&slip[4..]));
    assert!(store.lock().unwrap().pending_print_jobs().unwrap().is_empty());
}

#[test]
fn a_volunteer_reprint_is_marked_and_the_original_is_not_resent() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup::default());
    let mut store = store(dir.path());
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let p = &catalog.products[0];
    let line = warm_core::domain::OrderLine::of(p, 1);
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let new = warm_kiosk::store::NewOrder {
        id: uuid::Uuid::now_v7(),
        terminal: "K1".into(),
        lang: warm_core::domain::Lang::Zh,
        household: None,
        lines: vec![line],
    };
    let policy = warm_kiosk::config::Config::default().slot_policy();
    let placed = store.place_order(new, jiff::Timestamp::now(), &policy, &tz, |_| job(1)).unwrap();
    let mut printer = SerialTransport::new(serial(&emu.link, 115_200, FlowControl::None));
    print_pending(&store, &mut printer).unwrap();
    let number = placed.order.number.to_string();
    // The volunteer types the slip's big number (0001); the kiosk's own terminal is implied.
    let big = number.rsplit_once('-').unwrap().1;
    warm_kiosk::device::printer::queue::reprint(&store, big, "K1", jiff::Timestamp::now()).unwrap();
    assert!(matches!(
        warm_kiosk::device::printer::queue::reprint(&store, "K1-9999", "K1", jiff::Timestamp::now()),
        Err(QueueError::NoSuchOrder(_))
    ));
    print_pending(&store, &mut printer).unwrap();
    wait_for("two slips", || emu.state().jobs().len() == 2);
    let jobs = emu.state().jobs();
    assert_eq!(jobs[0], job(1));
    assert!(contains(&jobs[1], &gb("重印 REPRINT")) && jobs[1].ends_with(&job(1)[2..]));
}
