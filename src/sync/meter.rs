//! What crossed the wire, and whether requests get through: the bytes shown by `warm-kiosk sync
//! status`, and the link state the corner shows ("网络不稳" when some requests fail but others
//! get through; "未联网" only when none does).

use super::status::Link;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How far back the link state looks. Long enough to hold several pulls and pushes at the
/// default interval (15 s), short enough that a link that came back is soon "online" again.
pub const LINK_WINDOW: Duration = Duration::from_secs(120);
/// The most request outcomes kept (a busy pull makes many requests a second).
const KEPT: usize = 512;

/// Shared by every request of one sync loop (push and pull alike).
#[derive(Debug, Default)]
pub struct Meter {
    /// Bytes of request and response bodies not yet added to the store's totals.
    unsaved_sent: AtomicU64,
    unsaved_received: AtomicU64,
    /// When each recent request ended, and whether it got an answer from the hub.
    outcomes: Mutex<VecDeque<(Instant, bool)>>,
}

/// The link as the window shows it, with the counts behind the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkReading {
    pub link: Link,
    pub tried: u32,
    pub failed: u32,
}

impl Meter {
    pub fn sent(&self, bytes: u64) {
        self.unsaved_sent.fetch_add(bytes, Ordering::Relaxed);
    }

    pub fn received(&self, bytes: u64) {
        self.unsaved_received.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The bytes counted since the last call (sent, received); each byte is taken once.
    pub fn take_unsaved(&self) -> (u64, u64) {
        (self.unsaved_sent.swap(0, Ordering::Relaxed), self.unsaved_received.swap(0, Ordering::Relaxed))
    }

    /// A request ended: `got_through` if the hub answered it (whatever it said).
    pub fn outcome(&self, got_through: bool) {
        let mut outcomes = self.outcomes.lock().unwrap_or_else(PoisonError::into_inner);
        if outcomes.len() == KEPT {
            outcomes.pop_front();
        }
        outcomes.push_back((Instant::now(), got_through));
    }

    pub fn link(&self) -> LinkReading {
        let now = Instant::now();
        let outcomes = self.outcomes.lock().unwrap_or_else(PoisonError::into_inner);
        let ages: Vec<(Duration, bool)> = outcomes.iter().map(|(at, ok)| (now.duration_since(*at), *ok)).collect();
        link_from(&ages)
    }
}

/// The verdict on request outcomes (age, got through), oldest first: within the window, all
/// through is online, some is unstable, none is offline. With nothing in the window the last
/// request tells (a quiet kiosk that last reached the hub is still online); with no request at
/// all it is unknown.
pub fn link_from(outcomes: &[(Duration, bool)]) -> LinkReading {
    let recent: Vec<bool> = outcomes.iter().filter(|(age, _)| *age <= LINK_WINDOW).map(|(_, ok)| *ok).collect();
    let judged = if recent.is_empty() { outcomes.last().map(|(_, ok)| vec![*ok]).unwrap_or_default() } else { recent };
    let tried = judged.len() as u32;
    let failed = judged.iter().filter(|ok| !**ok).count() as u32;
    let link = match (tried, failed) {
        (0, _) => Link::Unknown,
        (_, 0) => Link::Online,
        (t, f) if f < t => Link::Unstable,
        _ => Link::Offline,
    };
    LinkReading { link, tried, failed }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn some_requests_through_is_unstable_and_only_none_through_is_offline() {
        assert_eq!(link_from(&[]).link, Link::Unknown);
        assert_eq!(link_from(&[(s(5), true), (s(1), true)]).link, Link::Online);
        let r = link_from(&[(s(9), false), (s(5), true), (s(1), false)]);
        assert_eq!((r.link, r.tried, r.failed), (Link::Unstable, 3, 2));
        assert_eq!(link_from(&[(s(9), false), (s(1), false)]).link, Link::Offline);
        // Failures long ago do not count against a link that works now.
        assert_eq!(link_from(&[(s(600), false), (s(3), true)]).link, Link::Online);
        // Nothing recent: the last request tells.
        assert_eq!(link_from(&[(s(900), false), (s(600), true)]).link, Link::Online);
        assert_eq!(link_from(&[(s(900), true), (s(600), false)]).link, Link::Offline);
    }

    #[test]
    fn bytes_are_taken_once() {
        let m = Meter::default();
        m.sent(10);
        m.received(700);
        m.received(1);
        assert_eq!(m.take_unsaved(), (10, 701));
        assert_eq!(m.take_unsaved(), (0, 0));
        for _ in 0..KEPT + 10 {
            m.outcome(false);
        }
        m.outcome(true);
        let r = m.link();
        assert_eq!((r.link, r.tried), (Link::Unstable, KEPT as u32));
    }
}
