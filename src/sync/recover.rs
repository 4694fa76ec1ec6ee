//! Two ways out of a push the hub refuses every round, so that an outbox never stalls silently:
//!
//! - `413`: the hub takes smaller bodies than this kiosk sends (its `max_body_bytes`). The push is
//!   halved and sent again, down to one event; one event alone too large is said plainly.
//! - `409` of a kiosk restored from an older backup: it reuses event numbers the hub holds. The
//!   hub says which of its unsent events it already has; if it judges this a restored kiosk (not
//!   a second live copy), the kiosk numbers the rest again after the hub's mark and sends them.

use super::{RoundReport, SyncError, Syncer};
use warm_core::api::{self, RecoveryRequest};

/// Outbox pages a recovery may look through for the first event the hub does not have.
const MAX_RECOVERY_PAGES: usize = 1_000;

impl Syncer {
    /// Pushes everything waiting, shrinking pushes the hub finds too large and recovering once
    /// per round from a restore.
    pub(super) fn push_everything(&mut self, report: &mut RoundReport) -> Result<(), SyncError> {
        let mut recovered = false;
        loop {
            match self.push_all(report) {
                Ok(()) => {
                    // A hub that once took less may take more again: grow back a step a round.
                    self.batch = self.batch.saturating_mul(2).min(self.batch_setting);
                    return Ok(());
                }
                Err(e @ SyncError::Refused { status: 413, .. }) => {
                    let Some((size, upto)) = self.too_large.take() else { return Err(e) };
                    if size <= 1 {
                        let SyncError::Refused { error, message, .. } = e else { return Err(e) };
                        return Err(SyncError::Refused {
                            status: 413,
                            error,
                            message: format!(
                                "event #{upto} alone is larger than the hub accepts ({message}); the events after it wait: ask the co-op desk to raise the hub's max_body_bytes"
                            ),
                            acked_upto: None,
                        });
                    }
                    self.batch = (size / 2).max(1);
                    tracing::warn!(
                        refused = size,
                        now = self.batch,
                        "the hub refused a push as too large; sending smaller ones"
                    );
                }
                Err(SyncError::Refused { status: 409, error, message, acked_upto }) if !recovered => {
                    recovered = true;
                    let conflict =
                        |message| SyncError::Refused { status: 409, error: error.clone(), message, acked_upto };
                    match self.recover() {
                        Ok(true) => {}
                        Ok(false) => return Err(conflict(message)),
                        // The hub's reason why this is not a kiosk back from a backup.
                        Err(SyncError::Refused { status: 409, message: reason, .. }) => {
                            return Err(conflict(format!("{message}; not a kiosk restored from a backup: {reason}")));
                        }
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Asks the hub about the outbox's head; drops what it confirms it has and, if it lets this
    /// copy, numbers the rest again from its mark. True if the outbox was renumbered.
    fn recover(&mut self) -> Result<bool, SyncError> {
        let instance = self.store.sync_instance()?;
        let next = self.store.next_sync_instance()?;
        for _ in 0..MAX_RECOVERY_PAGES {
            let events = self.store.recovery_head(api::MAX_BATCH_EVENTS)?;
            if events.is_empty() {
                return Ok(false);
            }
            let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
            let request = RecoveryRequest { instance: instance.clone(), new_instance: next.clone(), events };
            let answer = self.client.recover(&request)?;
            let known = usize::try_from(answer.known).unwrap_or(usize::MAX);
            if known > seqs.len() {
                return Err(SyncError::Server {
                    status: 200,
                    message: format!("the hub says it has {known} of the {} events it was asked about", seqs.len()),
                });
            }
            let known_upto = known.checked_sub(1).map(|i| seqs[i]);
            let renumbered = self.store.apply_recovery(known_upto, answer.renumber_from)?;
            if answer.renumber_from.is_some() {
                tracing::warn!(
                    known,
                    renumbered,
                    from = ?answer.renumber_from,
                    "this kiosk came back from an older backup: events the hub had are dropped, the rest numbered after the hub's"
                );
                self.client.set_instance(next);
                return Ok(true);
            }
            if known == 0 {
                return Ok(false);
            }
        }
        Ok(false)
    }
}
