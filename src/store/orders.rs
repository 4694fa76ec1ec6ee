//! Orders: placed in one transaction together with their lines, stock movements, print job and
//! outbox event, so either all of them exist or none does.

use super::{Result, Store, StoreError, append_event, next_in_sequence, time_from_sql, time_to_sql};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;
use warm_core::domain::order::OrderStatus;
use warm_core::domain::{Lang, Order, OrderLine, OrderNumber, PickupSlot, ProductId, SlotPolicy, Text};

/// What the screen hands to the store when a senior presses 确认.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// UUIDv7, made by the caller so a retried commit can never become a second order.
    pub id: Uuid,
    pub terminal: String,
    pub lang: Lang,
    pub household: Option<String>,
    pub lines: Vec<OrderLine>,
}

/// The order as committed and the id of its pickup-slip print job.
#[derive(Debug, Clone)]
pub struct Placed {
    pub order: Order,
    pub print_job: Uuid,
}

impl Store {
    /// Commits an order durably. `slip` lays out the pickup slip once the number and slot are
    /// known; its bytes are stored with the order, and nothing may print before this returns.
    pub fn place_order(
        &mut self,
        new: NewOrder,
        now: Timestamp,
        slots: &SlotPolicy,
        tz: &TimeZone,
        slip: impl FnOnce(&Order) -> Vec<u8>,
    ) -> Result<Placed> {
        if new.lines.is_empty() {
            return Err(StoreError::EmptyOrder);
        }
        // IMMEDIATE takes the write lock up front, so two terminals' processes sharing a file
        // (or a stray tool) can never interleave between reading the slot counts and inserting.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let placed = place_in(&tx, new, now, slots, tz, None, slip)?;
        tx.commit()?;
        Ok(placed)
    }

    /// The order with a printed number such as `K1-0042` (terminal, then sequence).
    pub fn order_id_by_number(&self, terminal: &str, seq: u64) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM orders WHERE terminal_id = ?1 AND seq = ?2",
                params![terminal, i64::try_from(seq).unwrap_or(i64::MAX)],
                |r| r.get(0),
            )
            .optional()?;
        id.map(|s| Uuid::parse_str(&s).map_err(|e| StoreError::Decode(e.to_string()))).transpose()
    }

    pub fn order(&self, id: Uuid) -> Result<Option<Order>> {
        read_order(&self.conn, id)
    }

    /// Ids of all orders, oldest first.
    pub fn order_ids(&self) -> Result<Vec<Uuid>> {
        let mut stmt = self.conn.prepare("SELECT id FROM orders ORDER BY created_at, seq")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()))).collect()
    }

    /// A household's orders still waiting to be paid and collected, oldest first: what the
    /// counter takes when a senior shows the household's card instead of a slip.
    pub fn waiting_orders_of(&self, household: &str) -> Result<Vec<Uuid>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM orders WHERE household_id = ?1 AND status = 'placed' ORDER BY created_at, seq")?;
        let ids = stmt.query_map([household], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()))).collect()
    }

    /// Stock of a product as the sum of its ledger.
    pub fn stock(&self, product: &ProductId) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = ?1",
            [&product.0],
            |r| r.get(0),
        )?)
    }

    /// Events waiting to be sent to the cooperative.
    pub fn outbox_len(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }
}

/// Places one order inside `tx` (the caller commits): an order and its lines, stock movements,
/// pickup-slip print job and outbox event. A building leader's batch places many in one, all in
/// the `fixed` slot of its first (the building's goods are packed and fetched together).
pub(super) fn place_in(
    tx: &rusqlite::Transaction<'_>,
    new: NewOrder,
    now: Timestamp,
    slots: &SlotPolicy,
    tz: &TimeZone,
    fixed: Option<PickupSlot>,
    slip: impl FnOnce(&Order) -> Vec<u8>,
) -> Result<Placed> {
    if new.lines.is_empty() {
        return Err(StoreError::EmptyOrder);
    }
    // The id is made once per confirmation: a commit retried after it went through (a second
    // tap, an answer lost) is the same order, not a second one.
    if let Some(order) = read_order(tx, new.id)? {
        let print_job: Option<String> = tx
            .query_row(
                "SELECT id FROM print_jobs WHERE order_id = ?1 AND kind = 'pickup_slip'",
                [order.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let print_job = print_job
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| StoreError::Decode(format!("order {} has no pickup slip", order.number)))?;
        return Ok(Placed { order, print_job });
    }
    let seq = next_in_sequence(tx, &format!("order_seq:{}", new.terminal))?;
    let mut count_error = None;
    let slot = fixed.unwrap_or_else(|| {
        slots.choose(now, tz, |start| {
            let counted =
                tx.query_row("SELECT count(*) FROM orders WHERE slot_start = ?1", [time_to_sql(start)], |r| {
                    r.get::<_, u32>(0)
                });
            counted.unwrap_or_else(|e| {
                count_error = Some(e);
                u32::MAX
            })
        })
    });
    if let Some(e) = count_error {
        return Err(e.into());
    }
    let order = Order {
        id: new.id,
        number: OrderNumber { terminal: new.terminal, seq },
        household: new.household,
        status: OrderStatus::Placed,
        created_at: now,
        slot,
        lang: new.lang,
        lines: new.lines,
    };
    insert_order(tx, &order)?;
    for line in &order.lines {
        tx.execute(
            "INSERT INTO stock_movements (id, product_id, delta, reason, ref_id, at) VALUES (?1, ?2, ?3, 'sale', ?4, ?5)",
            params![Uuid::now_v7().to_string(), line.product.0, -i64::from(line.qty), order.id.to_string(), time_to_sql(now)],
        )?;
    }
    let print_job = Uuid::now_v7();
    tx.execute(
        "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at) VALUES (?1, ?2, 'pickup_slip', ?3, ?4)",
        params![print_job.to_string(), order.id.to_string(), slip(&order), time_to_sql(now)],
    )?;
    append_event(tx, "order.placed", &order, now)?;
    Ok(Placed { order, print_job })
}

pub(super) fn insert_order(tx: &rusqlite::Transaction<'_>, order: &Order) -> Result<()> {
    let lang = match order.lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    tx.execute(
        "INSERT INTO orders (id, terminal_id, seq, household_id, status, lang, created_at, slot_start, slot_end, total_fen, item_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            order.id.to_string(),
            order.number.terminal,
            order.number.seq as i64,
            order.household,
            order.status.as_str(),
            lang,
            time_to_sql(order.created_at),
            time_to_sql(order.slot.start),
            time_to_sql(order.slot.end),
            order.total().as_fen(),
            order.item_count(),
        ],
    )?;
    insert_lines(tx, order.id, &order.lines)
}

/// The lines of an order, numbered from 1 in the order given.
pub(super) fn insert_lines(tx: &rusqlite::Transaction<'_>, order_id: Uuid, lines: &[OrderLine]) -> Result<()> {
    for (i, line) in lines.iter().enumerate() {
        tx.execute(
            "INSERT INTO order_lines (order_id, line_no, product_id, name_zh, name_en, spec_zh, spec_en, unit_price_fen, qty)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                order_id.to_string(),
                i as i64 + 1,
                line.product.0,
                line.name.zh,
                line.name.en,
                line.spec.zh,
                line.spec.en,
                line.unit_price.as_fen(),
                line.qty,
            ],
        )?;
    }
    Ok(())
}

pub(super) fn read_order(conn: &rusqlite::Connection, id: Uuid) -> Result<Option<Order>> {
    let row = conn
        .query_row(
            "SELECT terminal_id, seq, household_id, status, lang, created_at, slot_start, slot_end
             FROM orders WHERE id = ?1",
            [id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((terminal, seq, household, status, lang, created, start, end)) = row else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT product_id, name_zh, name_en, spec_zh, spec_en, unit_price_fen, qty
         FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let lines = stmt
        .query_map([id.to_string()], |r| {
            Ok(OrderLine {
                product: ProductId(r.get(0)?),
                name: Text::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                spec: Text::new(r.get::<_, String>(3)?, r.get::<_, String>(4)?),
                unit_price: warm_core::domain::Money(r.get(5)?),
                qty: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Order {
        id,
        number: OrderNumber { terminal, seq: u64::try_from(seq).map_err(|e| StoreError::Decode(e.to_string()))? },
        household,
        status: OrderStatus::parse(&status).ok_or_else(|| StoreError::Decode(format!("order status {status:?}")))?,
        created_at: time_from_sql(&created)?,
        slot: PickupSlot { start: time_from_sql(&start)?, end: time_from_sql(&end)? },
        lang: if lang == "en" { Lang::En } else { Lang::Zh },
        lines,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_retried_with_the_same_id_is_the_same_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("k.sqlite")).unwrap();
        let catalog = crate::demo::catalog().unwrap().catalog;
        let product = &catalog.products[0];
        let new = || NewOrder {
            id: Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0001),
            terminal: "K1".into(),
            lang: Lang::Zh,
            household: None,
            lines: vec![OrderLine::of(product, 2)],
        };
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let (now, slots) = (Timestamp::now(), crate::config::Config::default().slot_policy());
        let first = store.place_order(new(), now, &slots, &tz, |_| b"slip".to_vec()).unwrap();
        let again = store.place_order(new(), now, &slots, &tz, |_| b"slip".to_vec()).unwrap();
        assert_eq!((first.order.number, first.print_job), (again.order.number, again.print_job));
        let count = |table: &str| -> i64 {
            store.connection().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
        };
        assert_eq!((count("orders"), count("print_jobs"), count("outbox"), count("stock_movements")), (1, 1, 1, 1));
    }
}
