//! Waking the push as soon as an order is committed, instead of at the next interval.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// A raised-or-not flag that a thread can wait on with a time limit.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Signal {
    pub(crate) fn raise(&self) {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    /// Waits until raised or `limit` passes; true if it was raised. Lowers it again.
    pub(crate) fn wait(&self, limit: Duration) -> bool {
        let raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut raised, _) =
            self.changed.wait_timeout_while(raised, limit, |raised| !*raised).unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *raised)
    }
}

/// The handle the kiosk calls after committing an order (or anything else that adds to the
/// outbox): the sync loop's push starts at once. Cheap to clone and to call from any thread; a
/// wake while a push is running makes one more push right after it, so nothing committed during a
/// push waits for the next interval. Without a wake the loop still notices new events within a
/// second, and pushes at least every interval.
#[derive(Debug, Clone, Default)]
pub struct Waker(pub(crate) Arc<Signal>);

impl Waker {
    pub fn new() -> Waker {
        Waker::default()
    }

    pub fn wake(&self) {
        self.0.raise();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wake_is_kept_until_waited_for_and_then_lowered() {
        let waker = Waker::new();
        assert!(!waker.0.wait(Duration::from_millis(1)), "nobody woke it");
        waker.wake();
        assert!(waker.0.wait(Duration::from_secs(60)), "a wake before the wait is not lost");
        assert!(!waker.0.wait(Duration::from_millis(1)), "one wake, one push");
        let other = waker.clone();
        let t = std::thread::spawn(move || other.0.wait(Duration::from_secs(60)));
        std::thread::sleep(Duration::from_millis(20));
        waker.wake();
        assert!(t.join().unwrap_or(false), "a wake from another thread ends the wait");
    }
}
