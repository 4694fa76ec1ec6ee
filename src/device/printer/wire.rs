//! The byte pipe under the serial and network transports: writing a job with flow control,
//! and asking real-time status with one answer per query.

use super::status::{self, DLE_EOT, PrinterStatus, Problem};
use super::transport::PrintError;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

const XON: u8 = 0x11;
const XOFF: u8 = 0x13;

/// A connected printer line. `read` returns what arrives within `wait` (0 bytes if nothing).
pub trait Line {
    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize>;
    fn read_within(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize>;
    /// Waits until written bytes left this machine (tcdrain); a no-op where that is not known.
    fn drain(&mut self) -> io::Result<()>;
}

/// How bytes are paced onto the line.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Bytes per write; small with XON/XOFF so at most this much is in flight after an XOFF.
    pub chunk: usize,
    /// Line time of one byte (start + data + parity + stop bits at the baud rate); zero = unpaced.
    /// Writing is never faster than the line: on a real port the driver already waits this long,
    /// on a pseudo-terminal it keeps the printer's receive buffer honest.
    pub byte_time: Duration,
    /// Honour XON/XOFF from the printer.
    pub xon_xoff: bool,
    /// How long a silent printer is waited for.
    pub timeout: Duration,
}

/// Line state between calls: whether the printer last said XOFF.
#[derive(Debug, Default)]
pub struct Flow {
    pub paused: bool,
}

impl Flow {
    /// Takes in what the printer sent: flow-control bytes change the state, status answers are
    /// returned (late ones are simply the newest), anything else is dropped.
    fn take(&mut self, bytes: &[u8], xon_xoff: bool) -> Option<u8> {
        let mut answer = None;
        for &b in bytes {
            match b {
                XOFF if xon_xoff => self.paused = true,
                XON if xon_xoff => self.paused = false,
                b if status::is_status_byte(b) => answer = Some(b),
                _ => {}
            }
        }
        answer
    }
}

fn lost(e: &io::Error) -> String {
    e.to_string()
}

/// Writes a whole job. Errors say how many bytes were taken.
pub fn send(line: &mut dyn Line, flow: &mut Flow, pace: Pace, bytes: &[u8]) -> Result<(), PrintError> {
    let total = bytes.len();
    let interrupted = |sent: usize, reason: String| {
        if sent == 0 { PrintError::Write(reason) } else { PrintError::Interrupted { sent, total, reason } }
    };
    let mut sent = 0;
    let mut next = Instant::now();
    let mut inbox = [0u8; 64];
    while sent < total {
        // What the printer said since the last chunk (XOFF first of all).
        if pace.xon_xoff {
            let n = line.read_within(&mut inbox, Duration::ZERO).map_err(|e| interrupted(sent, lost(&e)))?;
            flow.take(&inbox[..n], true);
            if flow.paused {
                wait_for_xon(line, flow, pace).map_err(|e| match e {
                    PrintError::NotReady(p) => interrupted(sent, format!("{p:?}")),
                    other => interrupted(sent, other.to_string()),
                })?;
                next = Instant::now();
            }
        }
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        }
        let end = (sent + pace.chunk.max(1)).min(total);
        let n = match line.write_some(&bytes[sent..end]) {
            Ok(0) => return Err(interrupted(sent, "the line took no bytes".into())),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => {
                // Hardware flow control holding us back: ask why if it lasts.
                if let Err(p) = still_ready(line, flow, pace) {
                    return Err(interrupted(sent, p.to_string()));
                }
                continue;
            }
            Err(e) => return Err(interrupted(sent, lost(&e))),
        };
        sent += n;
        next = next.max(now) + pace.byte_time * n as u32;
    }
    line.drain().map_err(|e| interrupted(sent, lost(&e)))?;
    Ok(())
}

/// Waits for XON; after each `timeout` of silence asks the printer why (real-time commands are
/// taken even while its buffer is full) and gives up on a problem or after ten silent rounds.
fn wait_for_xon(line: &mut dyn Line, flow: &mut Flow, pace: Pace) -> Result<(), PrintError> {
    let mut inbox = [0u8; 64];
    for _ in 0..10 {
        let deadline = Instant::now() + pace.timeout;
        while Instant::now() < deadline {
            let n = line
                .read_within(&mut inbox, Duration::from_millis(20))
                .map_err(|e| PrintError::Unreachable(lost(&e)))?;
            flow.take(&inbox[..n], true);
            if !flow.paused {
                return Ok(());
            }
        }
        still_ready(line, flow, pace)?;
    }
    Err(PrintError::NotReady(Problem::Offline))
}

fn still_ready(line: &mut dyn Line, flow: &mut Flow, pace: Pace) -> Result<(), PrintError> {
    let s = query(line, flow, pace)?;
    match s.problem() {
        Some(p) => Err(PrintError::NotReady(p)),
        None => Ok(()),
    }
}

/// Asks `DLE EOT 1`, `2`, `4`, each answered before the next is sent.
pub fn query(line: &mut dyn Line, flow: &mut Flow, pace: Pace) -> Result<PrinterStatus, PrintError> {
    // Stale bytes from before (a late answer, flow control) must not be taken for an answer.
    let mut inbox = [0u8; 64];
    let n = line.read_within(&mut inbox, Duration::ZERO).map_err(|e| PrintError::Unreachable(lost(&e)))?;
    flow.take(&inbox[..n], pace.xon_xoff);
    let mut answers = [0u8; 3];
    for (slot, n) in answers.iter_mut().zip([status::PRINTER, status::OFFLINE_CAUSE, status::PAPER]) {
        let cmd = [DLE_EOT[0], DLE_EOT[1], n];
        let mut written = 0;
        while written < cmd.len() {
            match line.write_some(&cmd[written..]) {
                Ok(k) => written += k,
                Err(e) if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock => {
                    return Err(PrintError::NoAnswer);
                }
                Err(e) => return Err(PrintError::Unreachable(lost(&e))),
            }
        }
        *slot = read_answer(line, flow, pace)?;
    }
    Ok(PrinterStatus::from_answers(answers[0], answers[1], answers[2]))
}

fn read_answer(line: &mut dyn Line, flow: &mut Flow, pace: Pace) -> Result<u8, PrintError> {
    let deadline = Instant::now() + pace.timeout;
    let mut one = [0u8; 1];
    while Instant::now() < deadline {
        let n = line.read_within(&mut one, Duration::from_millis(20)).map_err(|e| PrintError::Unreachable(lost(&e)))?;
        if let Some(b) = flow.take(&one[..n], pace.xon_xoff) {
            return Ok(b);
        }
    }
    Err(PrintError::NoAnswer)
}

/// `Line` over any `Read + Write` whose reads time out (`TimedOut`/`WouldBlock` = nothing yet).
pub struct IoLine<T> {
    pub io: T,
    pub set_wait: fn(&mut T, Duration) -> io::Result<()>,
    pub drain: fn(&mut T) -> io::Result<()>,
    /// How long one write may wait (hardware flow control holding it back) before the
    /// printer is asked why. A serial port has one timeout for reads and writes, so it is set
    /// again before each write.
    pub write_wait: Duration,
}

impl<T: Read + Write> Line for IoLine<T> {
    fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize> {
        (self.set_wait)(&mut self.io, self.write_wait)?;
        self.io.write(bytes)
    }

    fn read_within(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        (self.set_wait)(&mut self.io, wait.max(Duration::from_millis(1)))?;
        match self.io.read(buf) {
            Ok(0) => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the printer closed the line")),
            Ok(n) => Ok(n),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn drain(&mut self) -> io::Result<()> {
        (self.drain)(&mut self.io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_bytes_and_answers_are_told_apart() {
        let mut f = Flow::default();
        assert_eq!(f.take(&[XOFF, 0x12], true), Some(0x12));
        assert!(f.paused);
        assert_eq!(f.take(&[XON, 0x00], true), None);
        assert!(!f.paused);
        // Without XON/XOFF configured, those bytes are just noise.
        assert_eq!(f.take(&[XOFF], false), None);
        assert!(!f.paused);
    }
}
