//! Building leaders (楼长, issue 10): the market's daily goods list as the catalog pull brought
//! it, the households of a building, and a leader's building batch: one order per household and
//! one picking list, placed in ONE transaction (after `kill -9` either the whole building is
//! ordered or none of it), recalled at the counter by the picking list's QR.

use super::orders::{NewOrder, place_in, read_order};
use super::{Result, Store, StoreError, time_from_sql, time_to_sql};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use uuid::Uuid;
use warm_core::domain::leader::PickingList;
use warm_core::domain::order::OrderStatus;
use warm_core::domain::{Catalog, DailyItem, HouseholdId, Lang, Money, Order, OrderLine, ProductId, SlotPolicy};
use warm_core::receipt::leader::SheetLine;

/// A leader's building, as committed from the screen: one entry per household with something
/// ordered (households with nothing are left out), in the order the leader went through them.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// UUIDv7 made when the leader pressed 完成, so a retried commit is the same batch.
    pub id: Uuid,
    pub terminal: String,
    pub lang: Lang,
    pub building: String,
    /// The order id (UUIDv7) of each household, its household and its lines.
    pub orders: Vec<(Uuid, HouseholdId, Vec<OrderLine>)>,
}

/// A committed batch: its orders and print jobs (the slips in order, then the picking list).
#[derive(Debug, Clone)]
pub struct PlacedBatch {
    pub picking: PickingList,
    pub orders: Vec<Order>,
    pub print_jobs: Vec<Uuid>,
}

/// A batch as the counter sees it after scanning its picking list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildingBatch {
    pub id: Uuid,
    pub building: String,
    pub created_at: Timestamp,
    pub households: Vec<BatchHousehold>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHousehold {
    pub order_id: Uuid,
    pub household: String,
    pub number: String,
    pub total: Money,
    pub status: OrderStatus,
}

impl Store {
    /// The daily list as the sheet prints it: each product the catalog sells here, with its
    /// name, spec, price, how many are left today (after this kiosk's building orders since
    /// `since`, local midnight) and its limit (a product this market does not sell is left out).
    pub fn sheet_lines(&self, catalog: &Catalog, since: Timestamp) -> Result<Vec<SheetLine>> {
        Ok(self
            .daily_list_left(since)?
            .into_iter()
            .filter_map(|item| {
                let p = catalog.product(&ProductId::new(item.product))?;
                Some(SheetLine {
                    name: p.name.clone(),
                    spec: p.spec.clone(),
                    unit: p.unit.clone(),
                    price: p.price,
                    available: item.available,
                    limit: p.limit(),
                })
            })
            .collect())
    }

    /// The market's daily goods list, in the hub's order (empty: none today).
    pub fn daily_list(&self) -> Result<Vec<DailyItem>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT product, available FROM synced_daily_list ORDER BY position")?;
        let rows = stmt.query_map([], |r| Ok(DailyItem { product: r.get(0)?, available: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The daily list with what is left of each product's "available today": the hub's number
    /// less what this kiosk's building orders took since `since` (local midnight), so a second
    /// building the same day cannot be given what the first already took.
    pub fn daily_list_left(&self, since: Timestamp) -> Result<Vec<DailyItem>> {
        let mut taken = self.conn.prepare_cached(
            "SELECT coalesce(sum(l.qty), 0) FROM order_lines l
             JOIN orders o ON o.id = l.order_id
             JOIN leader_batch_orders b ON b.order_id = o.id
             WHERE l.product_id = ?1 AND o.created_at >= ?2 AND o.status <> 'cancelled'",
        )?;
        let since = time_to_sql(since);
        let mut list = self.daily_list()?;
        for item in &mut list {
            if let Some(available) = &mut item.available {
                let took: i64 = taken.query_row(params![item.product, since], |r| r.get(0))?;
                *available = available.saturating_sub(u32::try_from(took).unwrap_or(u32::MAX));
            }
        }
        Ok(list)
    }

    /// The households of `building` (the first part of their ids: 3 of 3-2-501) the hub listed,
    /// by unit and room as numbers (3-2-99 before 3-2-101).
    pub fn households_in_building(&self, building: &str) -> Result<Vec<HouseholdId>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM synced_households WHERE id LIKE ?1 || '-%'")?;
        let ids = stmt.query_map([building], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        let mut ids: Vec<HouseholdId> =
            ids.iter().filter_map(|id| HouseholdId::parse(id).ok()).filter(|id| id.building() == building).collect();
        let key =
            |id: &HouseholdId| id.as_str().split('-').map(|p| p.parse::<u64>().unwrap_or(u64::MAX)).collect::<Vec<_>>();
        ids.sort_by_key(key);
        Ok(ids)
    }

    /// Places a building's orders, their slips and the picking list in one transaction. Every
    /// household's lines are checked against its limits first (what it bought here and what the
    /// hub told of, plus this order): one over refuses the whole batch with `OverLimit`.
    /// `slip` lays out each household's slip, `picking` the packers' list; a batch id already
    /// committed returns what it placed then.
    #[allow(clippy::too_many_arguments)]
    pub fn place_batch(
        &mut self,
        batch: NewBatch,
        catalog: &Catalog,
        now: Timestamp,
        slots: &SlotPolicy,
        tz: &TimeZone,
        slip: impl Fn(&Order) -> Vec<u8>,
        picking: impl FnOnce(&PickingList) -> Vec<u8>,
    ) -> Result<PlacedBatch> {
        if let Some(placed) = self.placed_batch(batch.id)? {
            return Ok(placed);
        }
        if batch.orders.iter().all(|(_, _, lines)| lines.is_empty()) {
            return Err(StoreError::EmptyOrder);
        }
        for (_, household, lines) in &batch.orders {
            for line in lines {
                let Some(product) = catalog.product(&line.product) else { continue };
                let allowance = self.allowance(household, product, line.qty, now, tz)?;
                if let over @ 1.. = allowance.over_by() {
                    return Err(StoreError::OverLimit {
                        household: household.to_string(),
                        product: line.product.0.clone(),
                        over,
                    });
                }
            }
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut orders = Vec::new();
        let mut print_jobs = Vec::new();
        for (id, household, lines) in batch.orders.into_iter().filter(|(_, _, lines)| !lines.is_empty()) {
            let new = NewOrder {
                id,
                terminal: batch.terminal.clone(),
                lang: batch.lang,
                household: Some(household.to_string()),
                lines,
            };
            let fixed = orders.first().map(|o: &Order| o.slot);
            let placed = place_in(&tx, new, now, slots, tz, fixed, &slip)?;
            print_jobs.push(placed.print_job);
            orders.push(placed.order);
        }
        let slot = orders.first().map(|o| o.slot).ok_or(StoreError::EmptyOrder)?;
        let list = PickingList::of(batch.id, &batch.building, now, slot, &orders);
        let job = Uuid::now_v7();
        tx.execute(
            "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at) VALUES (?1, NULL, 'picking_list', ?2, ?3)",
            params![job.to_string(), picking(&list), time_to_sql(now)],
        )?;
        tx.execute(
            "INSERT INTO leader_batches (id, building, terminal, created_at, print_job) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![batch.id.to_string(), batch.building, batch.terminal, time_to_sql(now), job.to_string()],
        )?;
        for (position, order) in orders.iter().enumerate() {
            tx.execute(
                "INSERT INTO leader_batch_orders (batch_id, position, order_id) VALUES (?1, ?2, ?3)",
                params![batch.id.to_string(), position as i64, order.id.to_string()],
            )?;
        }
        tx.commit()?;
        print_jobs.push(job);
        Ok(PlacedBatch { picking: list, orders, print_jobs })
    }

    /// A batch already committed, with its orders and print jobs, as `place_batch` returned it.
    fn placed_batch(&self, id: Uuid) -> Result<Option<PlacedBatch>> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT building, created_at, print_job FROM leader_batches WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((building, created, job)) = row else { return Ok(None) };
        let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()));
        let mut orders = Vec::new();
        let mut print_jobs = Vec::new();
        for order_id in self.batch_order_ids(id)? {
            let order = read_order(&self.conn, order_id)?
                .ok_or_else(|| StoreError::Decode(format!("batch {id} names a missing order")))?;
            let slip: String = self.conn.query_row(
                "SELECT id FROM print_jobs WHERE order_id = ?1 AND kind = 'pickup_slip'",
                [order_id.to_string()],
                |r| r.get(0),
            )?;
            print_jobs.push(uuid(&slip)?);
            orders.push(order);
        }
        print_jobs.push(uuid(&job)?);
        let slot =
            orders.first().map(|o| o.slot).ok_or_else(|| StoreError::Decode(format!("batch {id} has no order")))?;
        let picking = PickingList::of(id, &building, time_from_sql(&created)?, slot, &orders);
        Ok(Some(PlacedBatch { picking, orders, print_jobs }))
    }

    fn batch_order_ids(&self, id: Uuid) -> Result<Vec<Uuid>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT order_id FROM leader_batch_orders WHERE batch_id = ?1 ORDER BY position")?;
        let ids = stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        ids.iter().map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Decode(e.to_string()))).collect()
    }

    /// The batch of a scanned picking list: every household's order, its amount and whether it
    /// is paid yet (`None`: no such batch at this kiosk).
    pub fn building_batch(&self, id: Uuid) -> Result<Option<BuildingBatch>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row("SELECT building, created_at FROM leader_batches WHERE id = ?1", [id.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let Some((building, created)) = row else { return Ok(None) };
        let mut households = Vec::new();
        for order_id in self.batch_order_ids(id)? {
            let Some(order) = read_order(&self.conn, order_id)? else { continue };
            households.push(BatchHousehold {
                order_id,
                household: order.household.clone().unwrap_or_default(),
                number: order.number.to_string(),
                total: order.total(),
                status: order.status,
            });
        }
        Ok(Some(BuildingBatch { id, building, created_at: time_from_sql(&created)?, households }))
    }
}
