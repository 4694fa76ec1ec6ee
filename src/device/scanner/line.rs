//! Splits a scanner's byte stream into lines. Scanners end a code with CR, LF or CRLF (whichever
//! they are set to); a code may arrive in several reads. Memory is bounded: a line longer than
//! the limit is dropped as it arrives and reported once its end comes. NUL and bytes that are not
//! UTF-8 are rejected with the reason, never passed on and never a panic.

use warm_core::domain::Lang;
use warm_core::i18n::{Msg, tr};

/// Why a line is not a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("line too long ({bytes} bytes, at most {max})")]
    TooLong { bytes: u64, max: usize },
    #[error("contains a NUL byte at byte {at}")]
    Nul { at: usize },
    #[error("not text (invalid UTF-8 at byte {at})")]
    NotUtf8 { at: usize },
    #[error("contains control character 0x{byte:02X} at byte {at}")]
    Control { byte: u8, at: usize },
}

impl LineError {
    /// What went wrong, in the volunteer's language (the `Display` form is for the log).
    pub fn words(&self, lang: Lang) -> String {
        match *self {
            LineError::TooLong { bytes, max } => {
                tr(Msg::LineTooLong, lang, &[("bytes", &bytes.to_string()), ("max", &max.to_string())])
            }
            LineError::Nul { at } => tr(Msg::LineNul, lang, &[("at", &at.to_string())]),
            LineError::NotUtf8 { at } => tr(Msg::LineNotText, lang, &[("at", &at.to_string())]),
            LineError::Control { byte, at } => {
                tr(Msg::LineControl, lang, &[("byte", &format!("0x{byte:02X}")), ("at", &at.to_string())])
            }
        }
    }
}

pub type Line = Result<String, LineError>;

#[derive(Debug)]
pub struct LineReader {
    buf: Vec<u8>,
    max: usize,
    /// Bytes of the current line dropped because it grew past `max`.
    overflow: u64,
    /// The last byte was CR: an LF right after it ends nothing.
    after_cr: bool,
}

impl LineReader {
    pub fn new(max: usize) -> LineReader {
        let max = max.max(1);
        LineReader { buf: Vec::with_capacity(max.min(1024)), max, overflow: 0, after_cr: false }
    }

    /// Bytes held for the line not yet ended; never more than the limit.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Capacity of the line buffer, to show memory stays bounded.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Feeds bytes as read; each finished line goes to `out`.
    pub fn push(&mut self, bytes: &[u8], mut out: impl FnMut(Line)) {
        for &b in bytes {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    if let Some(line) = self.finish() {
                        out(line);
                    }
                }
                _ => {
                    self.after_cr = false;
                    if self.overflow > 0 || self.buf.len() >= self.max {
                        if self.overflow == 0 {
                            self.overflow = self.buf.len() as u64;
                            self.buf.clear();
                            self.buf.shrink_to(self.max.min(1024));
                        }
                        self.overflow += 1;
                    } else {
                        self.buf.push(b);
                    }
                }
            }
        }
    }

    /// Convenience for tests and tools: every line `bytes` completes.
    pub fn lines(&mut self, bytes: &[u8]) -> Vec<Line> {
        let mut lines = Vec::new();
        self.push(bytes, |l| lines.push(l));
        lines
    }

    /// Forgets a half-received line (the port went away mid-code).
    pub fn reset(&mut self) {
        self.buf.clear();
        self.overflow = 0;
        self.after_cr = false;
    }

    fn finish(&mut self) -> Option<Line> {
        if self.overflow > 0 {
            let bytes = self.overflow;
            self.overflow = 0;
            return Some(Err(LineError::TooLong { bytes, max: self.max }));
        }
        if self.buf.is_empty() {
            // A blank line (or scanner sending LF CR): nothing was scanned.
            return None;
        }
        let line = check(&self.buf);
        self.buf.clear();
        Some(line)
    }
}

fn check(bytes: &[u8]) -> Line {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(LineError::Nul { at });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| LineError::NotUtf8 { at: e.valid_up_to() })?;
    // Tab is tolerated (some scanners send it between fields); other controls are not a code.
    if let Some(at) = bytes.iter().position(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(LineError::Control { byte: bytes[at], at });
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Line {
        Ok(s.to_owned())
    }

    #[test]
    fn every_suffix_and_split_reads() {
        let mut r = LineReader::new(64);
        assert_eq!(r.lines(b"6952022100012\r"), vec![ok("6952022100012")]);
        assert_eq!(r.lines(b"\n"), vec![], "the LF of a CRLF split across reads ends nothing");
        assert_eq!(r.lines(b"A\nB\r\nC\rD"), vec![ok("A"), ok("B"), ok("C")]);
        assert_eq!(r.lines(b"EF"), vec![]);
        assert_eq!(r.lines(b"\r\n"), vec![ok("DEF")]);
        assert_eq!(r.lines(b"\n\n\r\r"), vec![], "blank lines are not scans");
        let mut r = LineReader::new(64);
        let mut all = Vec::new();
        for b in b"6952022100012\r\n96385074\n" {
            all.extend(r.lines(&[*b]));
        }
        assert_eq!(all, vec![ok("6952022100012"), ok("96385074")]);
    }

    #[test]
    fn long_lines_are_dropped_not_stored() {
        let mut r = LineReader::new(16);
        assert_eq!(r.lines(&[b'7'; 1000]), vec![]);
        assert!(r.pending() <= 16);
        assert_eq!(r.lines(b"\rOK\r"), vec![Err(LineError::TooLong { bytes: 1000, max: 16 }), ok("OK")]);
        assert_eq!(r.lines(&[b'x'; 16]), vec![]);
        assert_eq!(r.lines(b"\n"), vec![ok(&"x".repeat(16))], "exactly the limit is fine");
    }

    #[test]
    fn nul_binary_and_controls_are_named() {
        let mut r = LineReader::new(64);
        assert_eq!(r.lines(b"69\x0052\r"), vec![Err(LineError::Nul { at: 2 })]);
        assert_eq!(r.lines(b"ab\xff\xfe\n"), vec![Err(LineError::NotUtf8 { at: 2 })]);
        assert_eq!(r.lines(b"\x1b[A\n"), vec![Err(LineError::Control { byte: 0x1b, at: 0 })]);
        assert_eq!(r.lines("取货\n".as_bytes()), vec![ok("取货")]);
    }
}
