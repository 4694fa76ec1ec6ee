//! Pushes that follow one another. A terminal may send its next batch before the answer to the
//! one before it has come back (header `Follows-Seq: S`: "events up to #S are in a push I have
//! already sent"). The hub reads and decodes such a batch at once but stores it only after the
//! events up to #S are stored, so the two transfers overlap while the order stays strict. If the
//! push before it fails, or never comes, the follower is refused as `out_of_order` (503): no
//! alarm, the terminal simply sends again from the hub's high-water mark.
//!
//! A terminal has at most `max_in_flight` pushes being handled at once (a kiosk sends two): more
//! are answered `429 busy` at once. A follower is decoded whole before it waits, so a waiting
//! push holds no thread, and a bad body is answered `400` straight away.

use super::store::{HubError, HubStore};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long a follower waits for the push before it to show up at all (it was sent first).
pub const ARRIVAL_WAIT: Duration = Duration::from_secs(1);
/// How long a follower waits for a push of its terminal that is being handled to finish (it may
/// queue for the writer behind many other terminals).
pub const FINISH_WAIT: Duration = Duration::from_secs(25);

/// Per terminal: pushes being handled now, how many of them are followers waiting, and pushes
/// finished so far (stored or not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Pushes {
    running: u32,
    waiting: u32,
    finished: u64,
}

#[derive(Default)]
pub struct Pushing(Mutex<HashMap<String, Arc<watch::Sender<Pushes>>>>);

impl Pushing {
    fn of(&self, terminal: &str) -> Arc<watch::Sender<Pushes>> {
        let mut map = warm_core::process::lock(&self.0);
        map.entry(terminal.to_owned()).or_insert_with(|| Arc::new(watch::channel(Pushes::default()).0)).clone()
    }

    /// Counts a push of `terminal` as running until the guard is dropped, however its handler
    /// ends; `None` if `max_in_flight` of its pushes are running already.
    pub fn start(&self, terminal: &str, max_in_flight: u32) -> Option<Running> {
        let pushes = self.of(terminal);
        let mut admitted = false;
        pushes.send_if_modified(|p| {
            admitted = p.running < max_in_flight;
            if admitted {
                p.running += 1;
            }
            admitted
        });
        // Made only if admitted: a guard made and dropped would count a push as finished.
        admitted.then(|| Running(pushes))
    }
}

/// Counts a follower as waiting while it lives.
struct Waiting(Arc<watch::Sender<Pushes>>);

impl Waiting {
    fn new(pushes: Arc<watch::Sender<Pushes>>) -> Waiting {
        pushes.send_modify(|p| p.waiting += 1);
        Waiting(pushes)
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.send_modify(|p| p.waiting = p.waiting.saturating_sub(1));
    }
}

pub struct Running(Arc<watch::Sender<Pushes>>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.send_modify(|p| {
            p.running = p.running.saturating_sub(1);
            p.finished += 1;
        });
    }
}

/// Waits, as a push that is itself running, until `terminal`'s events up to `seq` are stored.
/// `Err(high-water mark)` if the push carrying them failed or did not come in time.
pub async fn wait_for(
    pushing: &Pushing,
    store: Arc<dyn HubStore>,
    terminal: &str,
    seq: u64,
) -> Result<Result<(), u64>, HubError> {
    let sender = pushing.of(terminal);
    let _waiting = Waiting::new(sender.clone());
    let mut pushes = sender.subscribe();
    let since = Instant::now();
    let finished_before = pushes.borrow_and_update().finished;
    loop {
        // The state first, then the mark: a push seen finished here has committed before the read.
        let now = *pushes.borrow_and_update();
        let (store, id) = (store.clone(), terminal.to_owned());
        let high = tokio::task::spawn_blocking(move || store.high_seq(&id))
            .await
            .map_err(|e| HubError::Db(format!("reading the high-water mark: {e}")))??;
        if high >= seq {
            return Ok(Ok(()));
        }
        if now.finished > finished_before {
            // The push before this one ended without storing what this one follows.
            return Ok(Err(high));
        }
        // Another push of this terminal that is itself being read or stored (not a follower
        // waiting like this one) is on its way: give it time to finish.
        let limit = if now.running > now.waiting { FINISH_WAIT } else { ARRIVAL_WAIT };
        let left = limit.saturating_sub(since.elapsed());
        match tokio::time::timeout(left, pushes.changed()).await {
            Ok(Ok(())) => {}
            _ => return Ok(Err(high)),
        }
    }
}
