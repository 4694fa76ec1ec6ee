//! A kiosk put back from an older backup reuses event numbers the hub already holds. The hub
//! decides (`POST /v1/terminals/{id}/recovery`); here the kiosk keeps its copy's id, lists what it
//! has not had acknowledged, and, if the hub agrees, drops what the hub confirmed it has and
//! numbers the rest again after the hub's high-water mark, in one transaction.

use super::{Result, Store, StoreError};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use warm_core::api::RecoveryEvent;

/// `sync_state` keys: this copy's id, and the id it takes once a recovery lets it.
const INSTANCE: &str = "instance";
const NEXT_INSTANCE: &str = "next_instance";

impl Store {
    /// This kiosk copy's id, sent with every push (made on first use; a backup carries it along).
    pub fn sync_instance(&self) -> Result<String> {
        self.kept_id(INSTANCE)
    }

    /// The id this copy takes if the hub lets it recover; kept, so that asking again after a lost
    /// answer names the same one.
    pub fn next_sync_instance(&self) -> Result<String> {
        self.kept_id(NEXT_INSTANCE)
    }

    fn kept_id(&self, key: &str) -> Result<String> {
        let made = uuid::Uuid::now_v7().to_string();
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            params![key, made],
        )?;
        self.sync_value(key)?.ok_or_else(|| StoreError::Other(format!("sync_state {key} vanished")))
    }

    /// The oldest `limit` outbox events as the hub compares them: ids, seqs, kinds, times and the
    /// sha256 of each payload.
    pub fn recovery_head(&self, limit: usize) -> Result<Vec<RecoveryEvent>> {
        let mut stmt =
            self.conn.prepare("SELECT seq, id, kind, created_at, payload FROM outbox ORDER BY seq LIMIT ?1")?;
        let mut rows = stmt.query([limit as i64])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let id: String = row.get(1)?;
            let payload: String = row.get(4)?;
            out.push(RecoveryEvent {
                id: uuid::Uuid::parse_str(&id).map_err(|e| StoreError::Decode(format!("outbox id {id}: {e}")))?,
                seq: seq as u64,
                kind: row.get(2)?,
                created_at: row.get(3)?,
                payload_sha256: Sha256::digest(payload.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect(),
            });
        }
        Ok(out)
    }

    /// What the hub answered, in one transaction: the outbox rows up to `known_upto` are stored at
    /// the hub (dropped here); with `renumber_from`, the rest are numbered again from there, in
    /// order, the event counter follows them, and this copy takes its new id. Returns how many
    /// events were renumbered.
    pub fn apply_recovery(&mut self, known_upto: Option<u64>, renumber_from: Option<u64>) -> Result<u64> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(upto) = known_upto {
            tx.execute("DELETE FROM outbox WHERE seq <= ?1", [upto as i64])?;
        }
        let mut renumbered = 0;
        if let Some(from) = renumber_from {
            let first: Option<i64> =
                tx.query_row("SELECT min(seq) FROM outbox", [], |r| r.get(0)).optional()?.flatten();
            if let Some(first) = first {
                let offset = from as i64 - first;
                // Through negative numbers, so no row ever takes a seq another still has.
                tx.execute("UPDATE outbox SET seq = -seq", [])?;
                renumbered = tx.execute("UPDATE outbox SET seq = -seq + ?1", [offset])? as u64;
                tx.execute("UPDATE counters SET value = value + ?1 WHERE name = 'event_seq'", [offset])?;
                let last: i64 = tx.query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))?;
                tx.execute(
                    "INSERT INTO counters (name, value) VALUES ('event_seq', ?1)
                     ON CONFLICT (name) DO UPDATE SET value = max(value, ?1)",
                    [last],
                )?;
            }
            let next: Option<String> = tx
                .query_row("SELECT value FROM sync_state WHERE key = ?1", [NEXT_INSTANCE], |r| r.get(0))
                .optional()?;
            let next = next.ok_or_else(|| StoreError::Other("no new instance id was made for the recovery".into()))?;
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                params![INSTANCE, next],
            )?;
            tx.execute("DELETE FROM sync_state WHERE key = ?1", [NEXT_INSTANCE])?;
        }
        tx.commit()?;
        Ok(renumbered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(store: &Store, seqs: std::ops::RangeInclusive<i64>) {
        for seq in seqs {
            store
                .connection()
                .execute(
                    "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, 'k', ?3, 't')",
                    params![seq, uuid::Uuid::now_v7().to_string(), format!("{{\"n\":{seq}}}")],
                )
                .unwrap();
        }
        store
            .connection()
            .execute("INSERT OR REPLACE INTO counters (name, value) SELECT 'event_seq', max(seq) FROM outbox", [])
            .unwrap();
    }

    fn seqs(store: &Store) -> Vec<(i64, String)> {
        store
            .connection()
            .prepare("SELECT seq, payload FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn known_events_go_and_the_rest_follow_the_hubs_mark_with_the_counter_and_a_new_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("k.sqlite")).unwrap();
        outbox(&store, 3..=8);
        let old = store.sync_instance().unwrap();
        assert_eq!(store.sync_instance().unwrap(), old, "kept");
        let next = store.next_sync_instance().unwrap();
        assert_ne!(next, old);
        let head = store.recovery_head(100).unwrap();
        assert_eq!(head.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5, 6, 7, 8]);
        assert_eq!(head[0].payload_sha256, sha("{\"n\":3}"));

        // The hub has 3 and 4; its mark is 6: 5..8 become 7..10 (5 would collide with 7 midway).
        assert_eq!(store.apply_recovery(Some(4), Some(7)).unwrap(), 4);
        let rows = seqs(&store);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [7, 8, 9, 10]);
        assert_eq!(rows[0].1, "{\"n\":5}", "the order of events is kept");
        let counter: i64 = store
            .connection()
            .query_row("SELECT value FROM counters WHERE name = 'event_seq'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(counter, 10, "the next event is #11");
        assert_eq!(store.sync_instance().unwrap(), next);
        assert_ne!(store.next_sync_instance().unwrap(), next, "a later recovery takes another id");

        // Only known events: dropped, nothing renumbered, the id kept.
        assert_eq!(store.apply_recovery(Some(8), None).unwrap(), 0);
        assert_eq!(seqs(&store).iter().map(|r| r.0).collect::<Vec<_>>(), [9, 10]);
        assert_eq!(store.sync_instance().unwrap(), next);
    }

    fn sha(text: &str) -> String {
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}
