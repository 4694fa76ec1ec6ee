//! A keyboard-wedge scanner types its code as a fast burst of keys and presses Enter. A person
//! types much slower, so keys closer together than the configured gap form a scan; a slow key
//! starts the burst over. Pure: the caller passes the time of each key.

use std::time::{Duration, Instant};

/// Shortest burst taken as a scan (EAN-8 is the shortest code we read).
pub const MIN_CHARS: usize = 4;
/// A burst never grows past this (a stuck key).
pub const MAX_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct Wedge {
    gap: Duration,
    buf: String,
    last: Option<Instant>,
}

impl Wedge {
    pub fn new(gap: Duration) -> Wedge {
        Wedge { gap, buf: String::new(), last: None }
    }

    /// A key that typed text.
    pub fn key(&mut self, text: &str, at: Instant) {
        if self.last.is_none_or(|last| at.saturating_duration_since(last) > self.gap) {
            self.buf.clear();
        }
        self.last = Some(at);
        if self.buf.chars().count() + text.chars().count() <= MAX_CHARS {
            self.buf.push_str(text);
        }
    }

    /// Enter: the burst so far, when it was fast and long enough to be a scanner.
    pub fn enter(&mut self, at: Instant) -> Option<String> {
        let fast = self.last.is_some_and(|last| at.saturating_duration_since(last) <= self.gap);
        let code = std::mem::take(&mut self.buf);
        self.last = None;
        (fast && code.chars().count() >= MIN_CHARS).then_some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_burst_is_a_scan_and_typing_is_not() {
        let gap = Duration::from_millis(50);
        let mut w = Wedge::new(gap);
        let t0 = Instant::now();
        for (i, c) in "6952022100012".chars().enumerate() {
            w.key(&c.to_string(), t0 + Duration::from_millis(5 * i as u64));
        }
        assert_eq!(w.enter(t0 + Duration::from_millis(70)).as_deref(), Some("6952022100012"));
        // A person typing 2468 at 200 ms a key.
        for (i, c) in "2468".chars().enumerate() {
            w.key(&c.to_string(), t0 + Duration::from_millis(1000 + 200 * i as u64));
        }
        assert_eq!(w.enter(t0 + Duration::from_millis(1800)), None);
        // A slow first key then a burst: the burst alone counts.
        w.key("x", t0 + Duration::from_secs(5));
        for (i, c) in "96385074".chars().enumerate() {
            w.key(&c.to_string(), t0 + Duration::from_secs(6) + Duration::from_millis(i as u64));
        }
        assert_eq!(w.enter(t0 + Duration::from_secs(6) + Duration::from_millis(20)).as_deref(), Some("96385074"));
        assert_eq!(w.enter(t0 + Duration::from_secs(7)), None, "Enter alone");
    }
}
