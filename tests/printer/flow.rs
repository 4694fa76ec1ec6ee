//! 9600 baud into a printer with a 45-byte receive buffer that prints slower than the line:
//! with XON/XOFF not one byte of a 20 KB job is lost; without flow control bytes are lost
//! (which shows the emulator's buffer is real).

use crate::emulator::{Emulator, Setup};
use crate::support::*;
use warm_market::device::printer::FlowControl;
use warm_market::device::printer::serial::SerialTransport;
use warm_market::device::printer::transport::Transport;

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
    let dir = tempfile::tempdir().unwrap();
    let emu = Emulator::start(dir.path(), Setup { xon_xoff: None, ..small_printer() });
    let job = big_job(2 * 1024);
    let mut printer = SerialTransport::new(serial(&emu.link, 9600, FlowControl::None));
    printer.send("big", &job).unwrap();
    wait_for("the line to go quiet", || emu.state().received.len() >= job.len());
    assert!(emu.state().lost > 0, "a 45-byte buffer printing 800 B/s cannot keep up with 960 B/s");
}
