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
use warm_core::domain::stock::{MovementKind, StockMoved};

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

    /// A stock count: each difference between the count and what is on hand becomes a `count`
    /// movement, in one transaction. Returns the differences written.
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
        tx.execute("DELETE FROM drafts WHERE key = 'count'", [])?;
        tx.commit()?;
        Ok(moves)
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

    /// Stores a page of dispatch notes and advances the cursor in one transaction. Requests sent
    /// before a note came are covered by it (the desk plans from every open request).
    pub fn apply_dispatch_page(&mut self, notes: &[DispatchNote], next_cursor: u64, now: Timestamp) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for note in notes {
            let json = serde_json::to_string(note).map_err(|e| StoreError::Other(e.to_string()))?;
            tx.execute(
                "INSERT INTO dispatch_notes (id, version, note) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET version = ?2, note = ?3",
                params![note.id.to_string(), note.version as i64, json],
            )?;
        }
        if !notes.is_empty() {
            tx.execute("UPDATE restock_requests SET covered = 1 WHERE at <= ?1", [time_to_sql(now)])?;
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

    /// Units on their way per product: unreceived dispatch notes, and requests no note covers yet.
    pub fn on_the_way(&self) -> Result<HashMap<ProductId, i64>> {
        let mut way: HashMap<ProductId, i64> = HashMap::new();
        for note in self.open_dispatch_notes()? {
            for l in note.lines {
                let e = way.entry(ProductId::new(l.product)).or_default();
                *e = e.saturating_add(l.qty);
            }
        }
        let mut stmt = self.conn.prepare("SELECT request FROM restock_requests WHERE covered = 0")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
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
        tx.execute("DELETE FROM drafts WHERE key = 'restock'", [])?;
        tx.commit()?;
        Ok(true)
    }

    /// Units sold per product on each of the `days` days before `now` (index 0 = the last 24 hours),
    /// sales net of amendments and cancellations.
    pub fn daily_sales(&self, now: Timestamp, days: u32) -> Result<HashMap<ProductId, Vec<i64>>> {
        let since = now - jiff::SignedDuration::from_hours(24 * i64::from(days));
        let mut stmt = self.conn.prepare_cached(
            "SELECT product_id, at, delta FROM stock_movements
             WHERE reason IN ('sale', 'amend', 'cancel') AND at >= ?1",
        )?;
        let mut rows = stmt.query([time_to_sql(since)])?;
        let mut sales: HashMap<ProductId, Vec<i64>> = HashMap::new();
        let now_ms = now.as_millisecond();
        while let Some(r) = rows.next()? {
            let at: Timestamp = super::time_from_sql(&r.get::<_, String>(1)?)?;
            let day = (now_ms.saturating_sub(at.as_millisecond()) / 86_400_000).clamp(0, i64::from(days) - 1);
            let delta: i64 = r.get(2)?;
            let v = sales.entry(ProductId(r.get(0)?)).or_insert_with(|| vec![0; days as usize]);
            if let Some(slot) = usize::try_from(day).ok().and_then(|d| v.get_mut(d)) {
                *slot = slot.saturating_sub(delta);
            }
        }
        Ok(sales)
    }
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
        .filter_map(|(product, counted)| {
            let on_hand = levels.get(product).copied().unwrap_or_default().on_hand();
            let delta = counted.saturating_sub(on_hand);
            let was_tracked = levels.get(product).is_some_and(|l| l.tracked);
            // A first count of an untracked product is written even when it matches, so the
            // product is tracked from now on.
            (delta != 0 || !was_tracked).then(|| NewMovement {
                product: product.clone(),
                delta,
                kind: MovementKind::Count,
                reason: String::new(),
                expected: Some(on_hand),
            })
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
