//! 9600 baud into a printer with a 45-byte receive buffer that prints slower than the line:
//! with XON/XOFF not one byte of a 20 KB job is lost; without flow control bytes are lost
//! (which shows the emulator's buffer is real).

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use warm_kiosk::device::printer::FlowControl;
use warm_kiosk::device::printer::serial::SerialTransport;
use warm_kiosk::device::printer::transport::Transport;

fn small_printer() -> Setup {
    // XOFF with 20 bytes in the buffer leaves 25 bytes for what is already on the way.
    Setup { buffer: 45, xon_xoff: Some((20, 8)), print_per_s: Some(800) }
}

/// Text lines (no byte that could look like a real-time command) and a cut.
fn big_job(bytes: usize) -> Vec<u8> {
    let mut b = vec![0x1B, 0x40];
    let mut i = 0;
    while b.len() < bytes {
        b.extend_from_slice(format!("{i:05} the quick brown fox 0123456789\n").as_bytes());
        i += 1;
    }
    b.extend_from_slice(&[0x1D, 0x56, 0x41, 0]);
    b
}

#[test]
fn xon_xoff_at_9600_loses_no_byte_of_20_kb() {
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), small_printer());
    let job = big_job(20 * 1024);
    let mut printer = SerialTransport::new(serial(&emu.link, 9600, FlowControl::XonXoff));
    printer.send("big", &job).unwrap();
    wait_for("the whole job on paper", || emu.state().jobs().len() == 1 || emu.state().lost > 0);
    let s = emu.state();
    assert_eq!(s.lost, 0, "bytes lost");
    assert!(s.xoff_sent > 10, "the buffer filled and the printer said XOFF ({} times)", s.xoff_sent);
    assert!(s.printed == job, "printed {} of {} bytes", s.printed.len(), job.len());
}

#[test]
fn without_flow_control_the_small_buffer_overflows() {
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup { xon_xoff: None, ..small_printer() });
    let job = big_job(2 * 1024);
    let mut printer = SerialTransport::new(serial(&emu.link, 9600, FlowControl::None));
    printer.send("big", &job).unwrap();
    wait_for("the line to go quiet", || emu.state().received.len() >= job.len());
    assert!(emu.state().lost > 0, "a 45-byte buffer printing 800 B/s cannot keep up with 960 B/s");
}

/// The paper runs out in the middle of a slip: the printer holds XOFF, the kiosk asks why and
/// says "缺纸"; after a new roll the slip is printed again, whole, marked 重印.
#[test]
fn paper_out_mid_job_is_told_in_words_and_the_slip_reprinted_marked() {
    use warm_kiosk::device::printer::Problem;
    use warm_kiosk::device::printer::worker::Printer;
    let _line = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup { print_per_s: Some(4000), ..small_printer() });
    emu.state().paper_out_after_bytes = Some(600);
    let job = big_job(1500);
    let store = std::sync::Arc::new(std::sync::Mutex::new(store(dir.path())));
    store.lock().unwrap().add_print_job(None, "pickup_slip", &job, jiff::Timestamp::now()).unwrap();
    // 9600 baud, the printers' default: the stopped engine fills the 45-byte buffer and XOFF
    // must hold the kiosk, with headroom a loaded test machine's scheduler can meet.
    let printer =
        Printer::spawn(store.clone(), Box::new(SerialTransport::new(serial(&emu.link, 9600, FlowControl::XonXoff))))
            .unwrap();
    let state = printer.drain();
    assert_eq!(state.problem, Some(Problem::PaperOut), "{state:?}");
    assert_eq!(state.pending, 1);
    assert_eq!(Problem::PaperOut.text(warm_core::domain::Lang::Zh), "打印机缺纸，请换纸");
    let torn = emu.state().printed.len();
    assert_eq!(torn, 600);

    emu.state().paper_out = false;
    // The new roll in, the printer first prints what it still holds of the torn slip.
    wait_for("the printer to print what it held", || emu.state().idle());
    let state = printer.drain();
    assert_eq!((state.problem, state.pending), (None, 0), "{state:?}");
    wait_for("the reprint", || emu.state().printed.ends_with(&job[2..]));
    let s = emu.state();
    assert_eq!(s.lost, 0, "lost (first at {:?}; {} held on the wire)", s.first_lost, s.held_on_wire);
    assert!(contains(&s.printed[torn..], &gb("重印 REPRINT")));
}
