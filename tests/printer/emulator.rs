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
use std::time::{Duration, Instant};

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
    /// Bytes that overflowed only because the emulator's XOFF was late (its thread was not
    /// scheduled); they were held on the wire and printed, not lost.
    pub held_on_wire: usize,
    /// Where the first byte was lost (bytes received by then, XOFFs sent by then), for the log.
    pub first_lost: Option<(usize, usize)>,
    buffer: VecDeque<u8>,
    held: VecDeque<u8>,
    xoff: bool,
    /// An XOFF is decided but not yet written to the line.
    xoff_owed: bool,
    /// The batch after an XOFF was written: what the sender wrote before it could see it.
    grace: bool,
    /// This batch's overflow is the emulator's lateness, not the sender's.
    excuse: bool,
    /// Bytes taken behind the held ones since the last XOFF was written.
    since_told: usize,
    dle: u8,
    cut_seen: usize,
    queries_until_out: Option<usize>,
}

impl State {
    /// Nothing waiting to be printed (the buffer and the wire are empty).
    pub fn idle(&self) -> bool {
        self.buffer.is_empty() && self.held.is_empty()
    }

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
        lock(&self.state)
    }

    /// Pulls the cable: the line closes under the kiosk and the device name disappears.
    pub fn unplug(&mut self) {
        if let Some(p) = self.plugged.take() {
            p.stop.store(true, Ordering::SeqCst);
            for t in p.threads {
                // Runs in Drop, maybe while a failed test unwinds: never panic here.
                let _ = t.join();
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
        self.plugged = Some(Plugged { stop, threads: vec![wire.unwrap()] });
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // What the printer saw, for the failed test's log (never block or panic here).
            if let Ok(s) = self.state.try_lock() {
                eprintln!(
                    "emulator: received {} printed {} lost {} (first at {:?}) held on wire {} (left {}) buffered {} xoff {} queries {}",
                    s.received.len(),
                    s.printed.len(),
                    s.lost,
                    s.first_lost,
                    s.held_on_wire,
                    s.held.len(),
                    s.buffer.len(),
                    s.xoff,
                    s.status_queries
                );
            }
        }
        self.unplug();
    }
}

/// Receives bytes as they arrive on the line, answers real-time status, keeps XON/XOFF, and
/// runs the print engine, all under one lock and in line time.
///
/// A real printer's UART takes bytes at line rate and its XOFF goes out the moment the buffer
/// reaches the mark, whatever its firmware is doing. This thread is an ordinary thread and may
/// be descheduled on a loaded machine, so it does not take a batch read from the pty as having
/// arrived all at once: byte `i` of a batch read at `T` arrived at `T - (n-1-i) * byte_time` (the
/// line's byte time, from the baud the kiosk set on the port), and the engine is advanced to
/// each byte's arrival before the byte goes into the buffer. Bytes that overflow only because
/// this thread had not yet put an XOFF it owed on the line are held on the wire (the sender
/// could not have known) and fed in after the printer is ready again; every other byte that
/// finds the buffer full is LOST. So a sender that ignores XOFF still loses bytes, and one that
/// honours it loses none, however late this thread runs.
fn wire(mut master: TTYPort, slave: TTYPort, state: Arc<Mutex<State>>, stop: Arc<AtomicBool>, setup: Setup) {
    let mut buf = [0u8; 512];
    let mut engine = Engine::new(setup.print_per_s, Instant::now());
    while !stop.load(Ordering::SeqCst) {
        // Nothing within the timeout reads as 0 bytes.
        let n: usize = master.read(&mut buf).unwrap_or_default();
        let now = Instant::now();
        let byte_time = byte_time(&slave);
        let mut reply = Vec::new();
        {
            let mut s = lock(&state);
            // The batch after an XOFF went out holds what the sender wrote while this thread was late
            // between its read and that write: the sender could not have known.
            s.excuse = std::mem::take(&mut s.grace);
            let mut at = now.checked_sub(byte_time * n.saturating_sub(1) as u32).unwrap_or(now);
            for &b in &buf[..n] {
                // Never before the engine's clock (bytes of the last batch, the last advance).
                at = at.max(engine.clock);
                engine.advance(&mut s, &at);
                s.received.push(b);
                receive(&mut s, &setup, b, &mut reply);
                flow(&mut s, &setup, &mut reply);
                at += byte_time;
            }
            engine.advance(&mut s, &now);
            flow(&mut s, &setup, &mut reply);
        }
        if !reply.is_empty() {
            let _ = master.write_all(&reply);
        }
        let mut s = lock(&state);
        if s.xoff_owed {
            // The XOFF is on the line now. Bytes the sender wrote while this thread was between
            // its read and this write come in the next batch and are excused; after that the
            // sender has the printer's headroom, as on a real wire.
            s.xoff_owed = false;
            s.grace = true;
            s.since_told = 0;
        }
    }
    drop(slave);
    drop(master);
}

/// The line's byte time (start + data + parity + stop bits) at the baud the port is set to.
fn byte_time(slave: &TTYPort) -> Duration {
    let baud = slave.baud_rate().unwrap_or(0);
    if baud == 0 {
        return Duration::ZERO;
    }
    let bits =
        1 + match slave.data_bits() {
            Ok(serialport::DataBits::Five) => 5,
            Ok(serialport::DataBits::Six) => 6,
            Ok(serialport::DataBits::Seven) => 7,
            _ => 8,
        } + u64::from(!matches!(slave.parity(), Ok(serialport::Parity::None)))
            + if matches!(slave.stop_bits(), Ok(serialport::StopBits::Two)) { 2 } else { 1 };
    Duration::from_nanos(bits * 1_000_000_000 / u64::from(baud))
}

/// One byte off the line: a real-time status query is answered, anything else goes into the
/// buffer (or is lost, or held on the wire, see [`wire`]).
fn receive(s: &mut State, setup: &Setup, b: u8, reply: &mut Vec<u8>) {
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
            push(s, setup, 0x10);
            push(s, setup, other);
        }
        (_, other) => push(s, setup, other),
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

/// Bytes held on the wire come in as the buffer has room (the sender would send them now);
/// XOFF when the buffer reaches the high mark, XON when it is back to the low one.
fn flow(s: &mut State, setup: &Setup, reply: &mut Vec<u8>) {
    while s.buffer.len() < setup.buffer {
        let Some(b) = s.held.pop_front() else { break };
        s.buffer.push_back(b);
    }
    let Some((high, low)) = setup.xon_xoff else { return };
    if !s.xoff && s.buffer.len() >= high {
        s.xoff = true;
        s.xoff_owed = true;
        s.excuse = true;
        s.xoff_sent += 1;
        reply.push(XOFF);
    } else if s.xoff && s.buffer.len() <= low && s.held.is_empty() {
        s.xoff = false;
        reply.push(XON);
    }
}

fn push(s: &mut State, setup: &Setup, b: u8) {
    let headroom = setup.xon_xoff.map_or(0, |(high, _)| setup.buffer.saturating_sub(high));
    if s.excuse && (!s.held.is_empty() || s.buffer.len() >= setup.buffer) {
        // Overflowing only because an XOFF this thread owed was not on the line (or not yet
        // read by the sender) when the byte was sent.
        s.held.push_back(b);
        s.held_on_wire += 1;
    } else if !s.held.is_empty() {
        // Behind bytes held on the wire: what the printer's headroom would have taken after its
        // XOFF, and no more.
        if s.since_told < headroom {
            s.since_told += 1;
            s.held.push_back(b);
        } else {
            s.first_lost = s.first_lost.or(Some((s.received.len(), s.xoff_sent)));
            s.lost += 1;
        }
    } else if s.buffer.len() >= setup.buffer {
        s.first_lost = s.first_lost.or(Some((s.received.len(), s.xoff_sent)));
        s.lost += 1;
    } else {
        s.buffer.push_back(b);
    }
}

/// The print engine: takes bytes out of the buffer onto paper at its speed, while it has paper.
/// It is advanced in line time by the wire thread, so it never falls behind the bytes arriving.
struct Engine {
    rate: Option<u64>,
    clock: Instant,
    /// Printing time not yet used, in byte-microseconds (rate * µs).
    credit: u128,
}

impl Engine {
    fn new(rate: Option<u64>, now: Instant) -> Engine {
        Engine { rate, clock: now, credit: 0 }
    }

    fn advance(&mut self, s: &mut State, to: &Instant) {
        if *to <= self.clock {
            return;
        }
        let elapsed = (*to - self.clock).as_micros();
        self.clock = *to;
        let mut budget = match self.rate {
            Some(rate) => {
                self.credit += elapsed * u128::from(rate);
                self.credit / 1_000_000
            }
            None => u128::MAX,
        };
        while budget > 0 && !s.paper_out && !s.cover_open {
            let Some(b) = s.buffer.pop_front() else {
                // Idle time is not saved up for later.
                self.credit = 0;
                break;
            };
            budget -= 1;
            self.credit = self.credit.saturating_sub(1_000_000);
            s.printed.push(b);
            if let Some(left) = s.paper_out_after_bytes {
                if left <= 1 {
                    s.paper_out_after_bytes = None;
                    s.paper_out = true;
                } else {
                    s.paper_out_after_bytes = Some(left - 1);
                }
            }
        }
        if s.paper_out || s.cover_open {
            self.credit = 0;
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A test that failed while holding the lock must not take the emulator down with it.
    state.lock().unwrap_or_else(|p| p.into_inner())
}
