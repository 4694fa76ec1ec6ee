//! The site manager's stock: levels from the ledger, movements with a reason and who made them,
//! deliveries received (against a dispatch note or without one), counts, dispatch notes pulled
//! from the hub, restock requests, work in progress kept across a crash, and PIN pauses.
//!
//! On hand is what is physically in the market: the ledger's sum plus the goods of orders placed
//! but not yet picked up (their sale is already in the ledger); those goods are reserved, so what
//! the seniors can still order is the ledger's sum. A product with no delivery or count yet is
//! not tracked: it is never shown sold out (sales offline are never refused).

use super::{Result, Store, StoreError, append_event, time_to_sql};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;
use warm_core::api::manager::{self as wire, DispatchNote, Received, RestockRequest};
use warm_core::domain::ProductId;
use warm_core::domain::pin::{PinGate, Role};
use warm_core::domain::stock::{MovementKind, RestockBasis, StockMoved, suggest};

/// One product's stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StockLevel {
    /// Sum of the ledger: what may still be ordered.
    pub ledger: i64,
    /// Goods of orders placed and not picked up.
    pub reserved: i64,
    /// Whether a delivery or count ever touched it.
    pub tracked: bool,
}

impl StockLevel {
    pub fn on_hand(&self) -> i64 {
        self.ledger.saturating_add(self.reserved)
    }

    /// What the seniors can still order; `None` when the product is not tracked.
    pub fn available(&self) -> Option<i64> {
        self.tracked.then_some(self.ledger)
    }
}

/// A manager's movement before it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement {
    pub product: ProductId,
    pub delta: i64,
    pub kind: MovementKind,
    pub reason: String,
    /// For counts: the ledger's figure before.
    pub expected: Option<i64>,
}

impl Store {
    /// Every product's stock that has a movement or a reservation.
    pub fn stock_levels(&self) -> Result<HashMap<ProductId, StockLevel>> {
        stock_levels(&self.conn)
    }

    /// Writes a manager's movements in one transaction, each with a `stock.moved` event.
    pub fn record_movements(
        &mut self,
        moves: &[NewMovement],
        who: Role,
        ref_id: Option<Uuid>,
        now: Timestamp,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_movements(&tx, moves, who, ref_id, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Confirms a delivery: deliveries as movements, the note marked received, a
    /// `delivery.received` event; the draft of it is dropped. `Ok(false)` when this delivery (or
    /// another of the same note) was already confirmed: nothing is written twice.
    pub fn receive(&mut self, delivery: &Received, now: Timestamp) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM deliveries WHERE id = ?1 OR (note_id IS NOT NULL AND note_id = ?2)",
                params![delivery.id.to_string(), delivery.note.map(|n| n.to_string())],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_some() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO deliveries (id, note_id, at) VALUES (?1, ?2, ?3)",
            params![delivery.id.to_string(), delivery.note.map(|n| n.to_string()), time_to_sql(now)],
        )?;
        let moves: Vec<NewMovement> = delivery
            .lines
            .iter()
            .filter(|l| l.received > 0)
            .map(|l| NewMovement {
                product: ProductId::new(&l.product),
                delta: l.received,
                kind: MovementKind::Delivery,
                reason: l.reason.clone(),
                expected: Some(l.expected),
            })
            .collect();
        insert_movements(&tx, &moves, Role::Manager, Some(delivery.id), now)?;
        if let Some(note) = delivery.note {
            tx.execute(
                "UPDATE dispatch_notes SET received_by = ?2 WHERE id = ?1",
                params![note.to_string(), delivery.id.to_string()],
            )?;
        }
        append_event(&tx, wire::DELIVERY_RECEIVED, delivery, now)?;
        tx.execute("DELETE FROM drafts WHERE key = ?1", [receiving_key(delivery.note)])?;
        tx.commit()?;
        Ok(true)
    }

    /// A stock count: each counted product gets a `count` movement of the difference between the
    /// count and what is on hand (0 when it matches), in one transaction. Returns the differences
    /// (only those that are not 0); confirming the same count again writes nothing.
    pub fn record_count(
        &mut self,
        count_id: Uuid,
        counted: &[(ProductId, i64)],
        who: Role,
        now: Timestamp,
    ) -> Result<Vec<NewMovement>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: Option<i64> = tx
            .query_row("SELECT 1 FROM stock_movements WHERE ref_id = ?1 LIMIT 1", [count_id.to_string()], |r| r.get(0))
            .optional()?;
        if done.is_some() {
            return Ok(Vec::new());
        }
        let moves = count_differences(&tx, counted)?;
        insert_movements(&tx, &moves, who, Some(count_id), now)?;
        tx.execute("DELETE FROM drafts WHERE key = ?1", [COUNT_DRAFT])?;
        tx.commit()?;
        Ok(moves.into_iter().filter(|m| m.delta != 0).collect())
    }

    /// Work in progress (a settlement, a delivery being checked, a count), kept at every step.
    pub fn save_draft(&self, key: &str, value: &impl serde::Serialize, now: Timestamp) -> Result<()> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO drafts (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
            params![key, json, time_to_sql(now)],
        )?;
        Ok(())
    }

    pub fn draft<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let json: Option<String> =
            self.conn.query_row("SELECT value FROM drafts WHERE key = ?1", [key], |r| r.get(0)).optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| StoreError::Decode(format!("draft {key}: {e}")))).transpose()
    }

    pub fn drop_draft(&self, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM drafts WHERE key = ?1", [key])?;
        Ok(())
    }

    /// The wrong-PIN count and pause of a role, as last saved.
    pub fn pin_gate(&self, role: Role) -> Result<PinGate> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT state FROM pin_gates WHERE role = ?1", [role.as_str()], |r| r.get(0))
            .optional()?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
    }

    pub fn save_pin_gate(&self, role: Role, gate: &PinGate) -> Result<()> {
        let json = serde_json::to_string(gate).map_err(|e| StoreError::Other(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO pin_gates (role, state) VALUES (?1, ?2) ON CONFLICT (role) DO UPDATE SET state = ?2",
            params![role.as_str(), json],
        )?;
        Ok(())
    }

    /// Where the dispatch feed was read up to.
    pub fn dispatch_cursor(&self) -> Result<u64> {
        Ok(self.sync_value("dispatch_cursor")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Stores a page of dispatch notes and advances the cursor in one transaction. The requests a
    /// note answers are covered by it: from now on its lines count as on their way, not theirs.
    pub fn apply_dispatch_page(&mut self, notes: &[DispatchNote], next_cursor: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for note in notes {
            let json = serde_json::to_string(note).map_err(|e| StoreError::Other(e.to_string()))?;
            tx.execute(
                "INSERT INTO dispatch_notes (id, version, note) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET version = ?2, note = ?3",
                params![note.id.to_string(), i64::try_from(note.version).unwrap_or(i64::MAX), json],
            )?;
            for request in &note.requests {
                tx.execute("UPDATE restock_requests SET covered = 1 WHERE id = ?1", [request.to_string()])?;
            }
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('dispatch_cursor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = ?1",
            [next_cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Dispatch notes not yet received, oldest first.
    pub fn open_dispatch_notes(&self) -> Result<Vec<DispatchNote>> {
        let mut stmt =
            self.conn.prepare("SELECT note FROM dispatch_notes WHERE received_by IS NULL ORDER BY version")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.iter()
            .map(|j| serde_json::from_str(j).map_err(|e| StoreError::Decode(format!("dispatch note: {e}"))))
            .collect()
    }

    /// Units on their way per product: unreceived dispatch notes, and requests sent since `since`
    /// that no note answers yet (an older one the desk never planned is taken as not coming).
    pub fn on_the_way(&self, since: Timestamp) -> Result<HashMap<ProductId, i64>> {
        let mut way: HashMap<ProductId, i64> = HashMap::new();
        for note in self.open_dispatch_notes()? {
            for l in note.lines {
                let e = way.entry(ProductId::new(l.product)).or_default();
                *e = e.saturating_add(l.qty);
            }
        }
        let mut stmt = self.conn.prepare("SELECT request FROM restock_requests WHERE covered = 0 AND at >= ?1")?;
        let rows =
            stmt.query_map([time_to_sql(since)], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        for json in rows {
            let request: RestockRequest =
                serde_json::from_str(&json).map_err(|e| StoreError::Decode(format!("restock request: {e}")))?;
            for l in request.lines {
                let e = way.entry(ProductId::new(l.product)).or_default();
                *e = e.saturating_add(l.qty);
            }
        }
        Ok(way)
    }

    /// Sends a restock request (an outbox event, like everything else). Sending it twice is once.
    pub fn send_restock(&mut self, request: &RestockRequest, now: Timestamp) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let json = serde_json::to_string(request).map_err(|e| StoreError::Other(e.to_string()))?;
        let n = tx.execute(
            "INSERT INTO restock_requests (id, at, request) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![request.id.to_string(), time_to_sql(now), json],
        )?;
        if n == 0 {
            return Ok(false);
        }
        append_event(&tx, wire::RESTOCK_REQUESTED, request, now)?;
        tx.execute("DELETE FROM drafts WHERE key = ?1", [RESTOCK_DRAFT])?;
        tx.commit()?;
        Ok(true)
    }

    /// The restock suggestion for `products` (in their order): sales of the last `window_days`
    /// days at their daily rate for `cycle_days`, minus what may still be sold and what is on its
    /// way, in whole packs (see `domain::stock::suggest`). Requests older than two cycles that no
    /// note answered are taken as not coming.
    pub fn restock_suggestions(
        &self,
        products: &[ProductId],
        now: Timestamp,
        cycle_days: u32,
        window_days: u32,
        pack: impl Fn(&ProductId) -> u32,
    ) -> Result<Vec<Suggestion>> {
        let window_days = window_days.max(1);
        let sales = self.daily_sales(now, window_days)?;
        let levels = self.stock_levels()?;
        let since = now - jiff::SignedDuration::from_hours(48 * i64::from(cycle_days.max(1)));
        let way = self.on_the_way(since)?;
        Ok(products
            .iter()
            .map(|p| {
                let daily_sales = sales.get(p).cloned().unwrap_or_else(|| vec![0; window_days as usize]);
                let available = levels.get(p).map_or(0, |l| l.ledger);
                let on_the_way = way.get(p).copied().unwrap_or(0);
                let basis = RestockBasis { daily_sales, on_hand: available, on_the_way, pack: pack(p) };
                Suggestion {
                    product: p.clone(),
                    suggested: suggest(&basis, cycle_days),
                    available,
                    on_the_way,
                    sold: basis.daily_sales.iter().copied().fold(0, i64::saturating_add),
                }
            })
            .collect())
    }

    /// Units sold per product on each of the `days` days before `now` (index 0 = the last 24 hours),
    /// sales net of amendments and cancellations.
    pub fn daily_sales(&self, now: Timestamp, days: u32) -> Result<HashMap<ProductId, Vec<i64>>> {
        if days == 0 {
            return Ok(HashMap::new());
        }
        let since = now - jiff::SignedDuration::from_hours(24 * i64::from(days));
        // Summed by product and day in SQLite: one row per product and day comes back, not one
        // per sale (the day is how many whole days before `now` the sale was).
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, CAST((julianday(?2) - julianday(at)) AS INTEGER) AS day, sum(delta)
             FROM stock_movements
             WHERE reason IN ('sale', 'amend', 'cancel') AND at >= ?1
             GROUP BY product_id, day",
        )?;
        let mut rows = stmt.query([time_to_sql(since), time_to_sql(now)])?;
        let mut sales: HashMap<ProductId, Vec<i64>> = HashMap::new();
        while let Some(r) = rows.next()? {
            let day = r.get::<_, i64>(1)?.clamp(0, i64::from(days) - 1);
            let delta: i64 = r.get(2)?;
            let v = sales.entry(ProductId(r.get(0)?)).or_insert_with(|| vec![0; days as usize]);
            if let Some(slot) = usize::try_from(day).ok().and_then(|d| v.get_mut(d)) {
                *slot = slot.saturating_sub(delta);
            }
        }
        Ok(sales)
    }
}

/// The draft key of a stock count in progress.
pub const COUNT_DRAFT: &str = "count";
/// The draft key of a restock request being adjusted.
pub const RESTOCK_DRAFT: &str = "restock";

/// One product's line of a restock suggestion, with what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub product: ProductId,
    pub suggested: i64,
    /// What may still be sold (the ledger's sum; reserved goods are already sold).
    pub available: i64,
    pub on_the_way: i64,
    /// Units sold over the whole window.
    pub sold: i64,
}

/// The draft key of a delivery being checked against `note` (or without a note).
pub fn receiving_key(note: Option<Uuid>) -> String {
    match note {
        Some(id) => format!("receiving:{id}"),
        None => "receiving:none".to_owned(),
    }
}

pub(super) fn stock_levels(conn: &rusqlite::Connection) -> Result<HashMap<ProductId, StockLevel>> {
    let mut levels: HashMap<ProductId, StockLevel> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, sum(delta), max(reason IN ('delivery', 'count')) FROM stock_movements GROUP BY product_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let level = levels.entry(ProductId(r.get(0)?)).or_default();
        level.ledger = r.get(1)?;
        level.tracked = r.get::<_, i64>(2)? != 0;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT l.product_id, sum(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id
         WHERE o.status = 'placed' GROUP BY l.product_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        levels.entry(ProductId(r.get(0)?)).or_default().reserved = r.get(1)?;
    }
    Ok(levels)
}

/// The movements that bring each counted product's on-hand figure to the count.
pub(super) fn count_differences(conn: &rusqlite::Connection, counted: &[(ProductId, i64)]) -> Result<Vec<NewMovement>> {
    let levels = stock_levels(conn)?;
    let mut by_product: BTreeMap<&ProductId, i64> = BTreeMap::new();
    for (p, n) in counted {
        by_product.insert(p, *n);
    }
    Ok(by_product
        .into_iter()
        .map(|(product, counted)| {
            let on_hand = levels.get(product).copied().unwrap_or_default().on_hand();
            let delta = counted.saturating_sub(on_hand);
            // A count that matches is written too (with no event for the hub): the ledger shows
            // the product was counted, a first count makes it tracked, and a count confirmed
            // twice is found by its id and written once.
            NewMovement {
                product: product.clone(),
                delta,
                kind: MovementKind::Count,
                reason: String::new(),
                expected: Some(on_hand),
            }
        })
        .collect())
}

pub(super) fn insert_movements(
    tx: &rusqlite::Transaction<'_>,
    moves: &[NewMovement],
    who: Role,
    ref_id: Option<Uuid>,
    now: Timestamp,
) -> Result<()> {
    for m in moves {
        if m.delta == 0 && m.kind != MovementKind::Count {
            continue;
        }
        if m.delta != 0 && !m.kind.allows(m.delta) {
            return Err(StoreError::Other(format!("a {} movement cannot be {}", m.kind.as_str(), m.delta)));
        }
        let id = Uuid::now_v7();
        tx.execute(
            "INSERT INTO stock_movements (id, product_id, delta, reason, ref_id, at, who, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id.to_string(),
                m.product.0,
                m.delta,
                m.kind.as_str(),
                ref_id.map(|r| r.to_string()),
                time_to_sql(now),
                who.as_str(),
                m.reason
            ],
        )?;
        if m.delta != 0 {
            let event = StockMoved {
                id,
                product: m.product.clone(),
                delta: m.delta,
                kind: m.kind,
                reason: m.reason.clone(),
                who,
                ref_id,
                expected: m.expected,
            };
            append_event(tx, wire::STOCK_MOVED, &event, now)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixture::*;
    use warm_core::api::manager::{DispatchLine, ReceivedLine, RestockLine};
    use warm_core::domain::PaymentMethod;

    fn rice() -> ProductId {
        ProductId::new("rice")
    }

    fn delivery(note: Option<Uuid>, lines: &[(&str, i64, i64, &str)]) -> Received {
        Received {
            id: Uuid::now_v7(),
            note,
            lines: lines
                .iter()
                .map(|(p, expected, received, reason)| ReceivedLine {
                    product: (*p).into(),
                    expected: *expected,
                    received: *received,
                    reason: (*reason).into(),
                })
                .collect(),
        }
    }

    fn note(version: u64, lines: &[(&str, i64)], requests: Vec<Uuid>) -> DispatchNote {
        DispatchNote {
            version,
            id: Uuid::now_v7(),
            market: "M1".into(),
            date: "2022-05-07".into(),
            van: "V1".into(),
            stop: 1,
            lines: lines
                .iter()
                .map(|(p, q)| DispatchLine {
                    product: (*p).into(),
                    name_zh: (*p).into(),
                    name_en: (*p).into(),
                    qty: *q,
                })
                .collect(),
            requests,
        }
    }

    #[test]
    fn placed_orders_reserve_their_goods_and_a_product_sells_out() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T02:00:00Z");
        assert!(store.receive(&delivery(None, &[("rice", 0, 5, "")]), now).unwrap());
        let order = place(&mut store, vec![line("rice", 3990, 2), line("milk", 650, 1)], now);
        let levels = store.stock_levels().unwrap();
        let rice_level = levels[&rice()];
        assert_eq!((rice_level.ledger, rice_level.reserved, rice_level.on_hand()), (3, 2, 5));
        assert_eq!(rice_level.available(), Some(3));
        // Milk was never delivered or counted: not tracked, never shown sold out.
        assert_eq!(levels[&ProductId::new("milk")].available(), None);
        // Picked up and paid: no longer reserved, gone from the market.
        pay(&mut store, Some(&order), order.lines.clone(), PaymentMethod::Cash, Some(10_000), now);
        let rice_level = store.stock_levels().unwrap()[&rice()];
        assert_eq!((rice_level.reserved, rice_level.on_hand(), rice_level.available()), (0, 3, Some(3)));
        place(&mut store, vec![line("rice", 3990, 3)], now);
        assert_eq!(store.stock_levels().unwrap()[&rice()].available(), Some(0), "sold out");
    }

    #[test]
    fn a_delivery_is_received_once_with_its_differences_and_events() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T01:00:00Z");
        let n = note(1, &[("rice", 10), ("oil", 6)], vec![]);
        store.apply_dispatch_page(std::slice::from_ref(&n), 1).unwrap();
        assert_eq!(store.open_dispatch_notes().unwrap(), vec![n.clone()]);
        assert_eq!(store.dispatch_cursor().unwrap(), 1);
        let d = delivery(Some(n.id), &[("rice", 10, 9, "少送"), ("oil", 6, 6, "")]);
        store.save_draft(&receiving_key(Some(n.id)), &d, now).unwrap();
        assert!(store.receive(&d, now).unwrap());
        assert_eq!(store.draft::<Received>(&receiving_key(Some(n.id))).unwrap(), None, "draft dropped");
        // Confirmed again (a double tap, a restart), or another delivery against the same note.
        assert!(!store.receive(&d, now).unwrap());
        assert!(!store.receive(&delivery(Some(n.id), &[("rice", 10, 10, "")]), now).unwrap());
        assert_eq!(store.stock(&rice()).unwrap(), 9);
        assert_eq!(store.stock(&ProductId::new("oil")).unwrap(), 6);
        assert!(store.open_dispatch_notes().unwrap().is_empty());
        assert_eq!((kinds(&store, wire::STOCK_MOVED), kinds(&store, wire::DELIVERY_RECEIVED)), (2, 1));
        outbox_is_valid(&store);
        // A note pulled again (a page fetched twice) does not reopen it.
        store.apply_dispatch_page(std::slice::from_ref(&n), 1).unwrap();
        assert!(store.open_dispatch_notes().unwrap().is_empty());
    }

    #[test]
    fn a_count_books_differences_once_and_marks_every_counted_product() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T01:00:00Z");
        store.receive(&delivery(None, &[("rice", 0, 10, ""), ("oil", 0, 4, "")]), now).unwrap();
        place(&mut store, vec![line("rice", 3990, 2)], now);
        // On hand: rice 10 (8 on the shelf + 2 set aside), oil 4; salt never seen.
        let count = Uuid::now_v7();
        let counted = [(rice(), 9), (ProductId::new("oil"), 4), (ProductId::new("salt"), 7)];
        let diffs = store.record_count(count, &counted, Role::Manager, now).unwrap();
        let diffs: Vec<(String, i64)> = diffs.iter().map(|m| (m.product.0.clone(), m.delta)).collect();
        assert_eq!(diffs, vec![("rice".to_owned(), -1), ("salt".to_owned(), 7)]);
        assert!(store.record_count(count, &counted, Role::Manager, now).unwrap().is_empty(), "once");
        let levels = store.stock_levels().unwrap();
        assert_eq!((levels[&rice()].on_hand(), levels[&rice()].available()), (9, Some(7)));
        assert_eq!(levels[&ProductId::new("salt")].available(), Some(7), "tracked from its first count");
        assert_eq!(kinds(&store, wire::STOCK_MOVED), 2 + 2, "two deliveries, two differences; no event for oil");
        outbox_is_valid(&store);
    }

    #[test]
    fn spoilage_needs_its_sign_and_is_written_with_who_and_why() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T01:00:00Z");
        let spoiled = NewMovement {
            product: ProductId::new("milk"),
            delta: -2,
            kind: MovementKind::Spoilage,
            reason: "变质".into(),
            expected: None,
        };
        store.record_movements(std::slice::from_ref(&spoiled), Role::Manager, None, now).unwrap();
        let wrong = NewMovement { delta: 2, ..spoiled };
        assert!(store.record_movements(&[wrong], Role::Manager, None, now).is_err());
        let (who, note): (String, String) = store
            .connection()
            .query_row("SELECT who, note FROM stock_movements WHERE reason = 'spoilage'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((who.as_str(), note.as_str()), ("manager", "变质"));
        assert_eq!(kinds(&store, wire::STOCK_MOVED), 1, "the refused movement wrote nothing");
        outbox_is_valid(&store);
    }

    #[test]
    fn a_restock_suggestion_counts_sales_stock_and_what_is_on_its_way() {
        let (_d, mut store) = store();
        let day = |d: u32| at(&format!("2022-05-{d:02}T03:00:00Z"));
        store.receive(&delivery(None, &[("rice", 0, 100, "")]), day(1)).unwrap();
        // 10 rice a day for 7 days (paid at once: walk-in sales).
        for d in 1..=7 {
            pay(&mut store, None, vec![line("rice", 3990, 10)], PaymentMethod::Wechat, None, day(d));
        }
        let now = day(7) + jiff::SignedDuration::from_hours(1);
        let suggest =
            |store: &Store| store.restock_suggestions(&[rice(), ProductId::new("oil")], now, 2, 7, |_| 6).unwrap();
        // 2 days × 10 = 20; 30 may still be sold: nothing. Oil never sold: nothing.
        assert_eq!(suggest(&store).iter().map(|s| s.suggested).collect::<Vec<_>>(), vec![0, 0]);
        store.record_count(Uuid::now_v7(), &[(rice(), 5)], Role::Manager, now).unwrap();
        let s = &suggest(&store)[0];
        assert_eq!((s.sold, s.available, s.suggested), (70, 5, 18), "20 − 5 = 15 → three packs of 6");
        let request = RestockRequest {
            id: Uuid::now_v7(),
            cycle_days: 2,
            lines: vec![RestockLine { product: "rice".into(), qty: 12, suggested: 18 }],
        };
        assert!(store.send_restock(&request, now).unwrap());
        assert!(!store.send_restock(&request, now).unwrap(), "sending twice is once");
        assert_eq!(kinds(&store, wire::RESTOCK_REQUESTED), 1);
        let s = &suggest(&store)[0];
        assert_eq!((s.on_the_way, s.suggested), (12, 6));
        // The van plan answers it with a note of 12: the note is on its way, not the request too.
        store.apply_dispatch_page(&[note(3, &[("rice", 12)], vec![request.id])], 3).unwrap();
        assert_eq!(suggest(&store)[0].on_the_way, 12);
        // A request never planned stops counting after two cycles.
        let old = RestockRequest { id: Uuid::now_v7(), ..request.clone() };
        store.send_restock(&old, now - jiff::SignedDuration::from_hours(24 * 5)).unwrap();
        assert_eq!(suggest(&store)[0].on_the_way, 12);
        outbox_is_valid(&store);
    }

    #[test]
    fn drafts_and_pin_pauses_outlive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let now = at("2022-05-06T01:00:00Z");
        {
            let store = Store::open(&path).unwrap();
            let mut gate = PinGate::default();
            for _ in 0..warm_core::domain::pin::TRIES {
                gate.record(false, now);
            }
            store.save_pin_gate(Role::Manager, &gate).unwrap();
            store.save_draft(COUNT_DRAFT, &vec![("rice", 3)], now).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert!(store.pin_gate(Role::Manager).unwrap().paused(now).is_some(), "the pause goes on");
        assert_eq!(store.pin_gate(Role::Volunteer).unwrap(), PinGate::default());
        assert_eq!(store.draft::<Vec<(String, i64)>>(COUNT_DRAFT).unwrap(), Some(vec![("rice".to_owned(), 3)]));
        store.drop_draft(COUNT_DRAFT).unwrap();
        assert_eq!(store.draft::<Vec<(String, i64)>>(COUNT_DRAFT).unwrap(), None);
    }
}
