//! A thermal printer played on the master side of a real pseudo-terminal pair. The kiosk opens
//! the slave side through a symlink, exactly as it would open /dev/ttyUSB0.
//!
//! It records every byte, answers `DLE EOT n` from its configurable status, keeps a small
//! receive buffer (bytes arriving while it is full are LOST, as on a real printer), sends
//! XOFF/XON around it when told to, prints (drains the buffer) at a set speed, can run out of
//! paper after a number of cuts or bytes, and can be unplugged and plugged back in.

use serialport::{SerialPort, TTYPort};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

const XON: u8 = 0x11;
const XOFF: u8 = 0x13;
const CUT: [u8; 3] = [0x1D, 0x56, 0x41];

#[derive(Debug, Clone)]
pub struct Setup {
    /// Receive buffer in bytes.
    pub buffer: usize,
    /// Send XOFF when this many bytes are buffered, XON when back to `low`.
    pub xon_xoff: Option<(usize, usize)>,
    /// Bytes the print engine puts on paper per second; `None` = as fast as they come.
    pub print_per_s: Option<u64>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup { buffer: 64 * 1024, xon_xoff: None, print_per_s: None }
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub cover_open: bool,
    /// Answers no status query at all.
    pub silent: bool,
    /// Paper runs out after this many more cuts have been received: noticed when the printer
    /// feeds for the next slip, i.e. after the status check that follows the last cut (three
    /// queries), so that slip is whole and the next one finds no paper.
    pub paper_out_after_cuts: Option<usize>,
    /// Paper runs out after this many more bytes are printed (in the middle of a slip).
    pub paper_out_after_bytes: Option<usize>,
    /// Everything that arrived, status queries included.
    pub received: Vec<u8>,
    /// What the print engine put on paper (real-time commands removed).
    pub printed: Vec<u8>,
    /// Bytes that arrived while the buffer was full.
    pub lost: usize,
    pub status_queries: usize,
    pub xoff_sent: usize,
    buffer: VecDeque<u8>,
    xoff: bool,
    dle: u8,
    cut_seen: usize,
    queries_until_out: Option<usize>,
}

impl State {
    /// The printed stream split into jobs at each cut (the cut and its `n` end the job).
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        let mut jobs = Vec::new();
        let mut start = 0;
        let p = &self.printed;
        let mut i = 0;
        while i + 4 <= p.len() {
            if p[i..i + 3] == CUT {
                jobs.push(p[start..i + 4].to_vec());
                start = i + 4;
                i += 4;
            } else {
                i += 1;
            }
        }
        jobs
    }

    fn status_answer(&self, n: u8) -> u8 {
        let offline = self.paper_out || self.cover_open;
        match n {
            1 => 0x12 | if offline { 0x08 } else { 0 },
            2 => 0x12 | if self.cover_open { 0x04 } else { 0 } | if self.paper_out { 0x20 } else { 0 },
            4 => 0x12 | if self.paper_near_end { 0x0C } else { 0 } | if self.paper_out { 0x60 } else { 0 },
            _ => 0x12,
        }
    }
}

pub struct Emulator {
    pub link: PathBuf,
    setup: Setup,
    state: Arc<Mutex<State>>,
    plugged: Option<Plugged>,
}

struct Plugged {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Emulator {
    /// A printer plugged in at `link` (a symlink to the pty's slave side).
    pub fn start(dir: &Path, setup: Setup) -> Emulator {
        let mut e = Emulator {
            link: dir.join("ttyPRINTER"),
            setup,
            state: Arc::new(Mutex::new(State::default())),
            plugged: None,
        };
        e.plug();
        e
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Pulls the cable: the line closes under the kiosk and the device name disappears.
    pub fn unplug(&mut self) {
        if let Some(p) = self.plugged.take() {
            p.stop.store(true, Ordering::SeqCst);
            for t in p.threads {
                t.join().unwrap();
            }
        }
        let _ = std::fs::remove_file(&self.link);
    }

    /// A new pty pair behind the same name, like a USB adapter plugged back in.
    pub fn plug(&mut self) {
        let (mut master, slave) = TTYPort::pair().unwrap();
        master.set_timeout(Duration::from_millis(2)).unwrap();
        let _ = std::fs::remove_file(&self.link);
        std::os::unix::fs::symlink(slave.name().unwrap(), &self.link).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let wire = {
            let (state, stop, setup) = (self.state.clone(), stop.clone(), self.setup.clone());
            // The slave stays open here too, so the master never reads EIO between the kiosk's
            // closing and reopening the port; it is closed when the cable is pulled.
            std::thread::Builder::new()
                .name("emulator-wire".into())
                .spawn(move || wire(master, slave, state, stop, setup))
        };
        let engine = {
            let (state, stop, setup) = (self.state.clone(), stop.clone(), self.setup.clone());
            std::thread::Builder::new().name("emulator-engine".into()).spawn(move || engine(state, stop, setup))
        };
        self.plugged = Some(Plugged { stop, threads: vec![wire.unwrap(), engine.unwrap()] });
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.unplug();
    }
}

/// Receives bytes as they arrive on the line, answers real-time status, keeps XON/XOFF.
fn wire(mut master: TTYPort, slave: TTYPort, state: Arc<Mutex<State>>, stop: Arc<AtomicBool>, setup: Setup) {
    let mut buf = [0u8; 512];
    while !stop.load(Ordering::SeqCst) {
        // Nothing within the timeout reads as 0 bytes.
        let n: usize = master.read(&mut buf).unwrap_or_default();
        let mut reply = Vec::new();
        {
            let mut s = state.lock().unwrap();
            for &b in &buf[..n] {
                s.received.push(b);
                match (s.dle, b) {
                    (0, 0x10) => s.dle = 1,
                    (1, 0x04) => s.dle = 2,
                    (2, n) => {
                        s.dle = 0;
                        s.status_queries += 1;
                        match s.queries_until_out {
                            Some(0) => {
                                s.paper_out = true;
                                s.queries_until_out = None;
                            }
                            Some(k) => s.queries_until_out = Some(k - 1),
                            None => {}
                        }
                        if !s.silent {
                            reply.push(s.status_answer(n));
                        }
                    }
                    (1, other) => {
                        s.dle = 0;
                        push(&mut s, &setup, 0x10);
                        push(&mut s, &setup, other);
                    }
                    (_, other) => push(&mut s, &setup, other),
                }
                // Cuts as received (GS V A, then n): arms the paper end.
                s.cut_seen = match (s.cut_seen, b) {
                    (0, 0x1D) => 1,
                    (1, 0x56) => 2,
                    (2, 0x41) => 3,
                    (3, _) => {
                        if let Some(left) = s.paper_out_after_cuts {
                            if left <= 1 {
                                s.paper_out_after_cuts = None;
                                s.queries_until_out = Some(3);
                            } else {
                                s.paper_out_after_cuts = Some(left - 1);
                            }
                        }
                        0
                    }
                    (_, 0x1D) => 1,
                    _ => 0,
                };
            }
            if let Some((high, low)) = setup.xon_xoff {
                if !s.xoff && s.buffer.len() >= high {
                    s.xoff = true;
                    s.xoff_sent += 1;
                    reply.push(XOFF);
                } else if s.xoff && s.buffer.len() <= low {
                    s.xoff = false;
                    reply.push(XON);
                }
            }
        }
        if !reply.is_empty() {
            let _ = master.write_all(&reply);
        }
    }
    drop(slave);
    drop(master);
}

fn push(s: &mut State, setup: &Setup, b: u8) {
    if s.buffer.len() >= setup.buffer {
        s.lost += 1;
    } else {
        s.buffer.push_back(b);
    }
}

/// The print engine: takes bytes out of the buffer onto paper, at its speed, while it has paper.
fn engine(state: Arc<Mutex<State>>, stop: Arc<AtomicBool>, setup: Setup) {
    let start = std::time::Instant::now();
    let mut taken: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        {
            let mut s = state.lock().unwrap();
            let cap = match setup.print_per_s {
                Some(rate) => start.elapsed().as_micros() as u64 * rate / 1_000_000,
                None => u64::MAX,
            };
            while taken < cap && !s.paper_out && !s.cover_open {
                let Some(b) = s.buffer.pop_front() else {
                    // Idle time is not saved up for later.
                    if setup.print_per_s.is_some() {
                        taken = cap;
                    }
                    break;
                };
                s.printed.push(b);
                taken += 1;
                if let Some(left) = s.paper_out_after_bytes {
                    if left <= 1 {
                        s.paper_out_after_bytes = None;
                        s.paper_out = true;
                    } else {
                        s.paper_out_after_bytes = Some(left - 1);
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
