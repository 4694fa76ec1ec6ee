//! Households and what they bought (issue 10): the market's households and restock cycle as the
//! catalog pull brought them, the usage other terminals reported through the hub (pulled by its
//! own cursor), and the count a limit is checked against: this terminal's own orders plus what
//! it heard of other terminals' orders, each order counted once.

use super::{Result, Store, StoreError, time_to_sql};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use warm_core::api::UsageEntry;
use warm_core::domain::household::Purchase;
use warm_core::domain::{Allowance, Cart, Catalog, Household, HouseholdId, Product, ProductId, RestockCycle};

impl Store {
    /// A household of this market, if the hub listed it.
    pub fn household(&self, id: &HouseholdId) -> Result<Option<Household>> {
        Ok(self
            .conn
            .prepare_cached("SELECT building, surname, phone_last4 FROM synced_households WHERE id = ?1")?
            .query_row([id.as_str()], |r| {
                Ok(Household { id: id.clone(), building: r.get(0)?, surname: r.get(1)?, phone_last4: r.get(2)? })
            })
            .optional()?)
    }

    /// How many households the hub listed for this market (0: the market keeps no list).
    pub fn household_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM synced_households", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// The market's restock cycle, if it has one.
    pub fn restock_cycle(&self) -> Result<Option<RestockCycle>> {
        let row: Option<(u32, String)> = self
            .conn
            .query_row("SELECT days, from_date FROM synced_restock_cycle WHERE id = '*'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(row.filter(|(d, _)| *d > 0).and_then(|(days, from)| Some(RestockCycle { days, from: from.parse().ok()? })))
    }

    pub fn usage_cursor(&self) -> Result<u64> {
        Ok(self.sync_value("usage_cursor")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Applies one page of usage and moves the usage cursor, in one transaction. The latest
    /// entry of an (order, product) replaces what was heard before (an amendment).
    pub fn apply_usage_page(&mut self, entries: &[UsageEntry], next_cursor: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for e in entries {
            let at: Timestamp =
                e.at.parse().map_err(|err| StoreError::Decode(format!("usage time {:?}: {err}", e.at)))?;
            tx.prepare_cached(
                "INSERT INTO heard_usage (order_id, product, terminal, household, qty, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (order_id, product) DO UPDATE SET qty = ?5",
            )?
            .execute(params![e.order_id.to_string(), e.product, e.terminal, e.household, e.qty, time_to_sql(at)])?;
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('usage_cursor', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1",
            [next_cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// What `household` bought since `since`, per product: this terminal's own orders (not
    /// cancelled) and the orders of other terminals the hub told of. An order of this terminal
    /// that comes back from the hub is counted once, from the local copy (which knows of
    /// amendments at this counter first).
    pub fn purchases_since(&self, household: &HouseholdId, since: Timestamp) -> Result<Vec<(ProductId, Purchase)>> {
        let since = time_to_sql(since);
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.product_id, o.created_at, l.qty FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.household_id = ?1 AND o.created_at >= ?2 AND o.status != 'cancelled'
             UNION ALL
             SELECT h.product, h.at, h.qty FROM heard_usage h
             WHERE h.household = ?1 AND h.at >= ?2 AND h.qty > 0
               AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = h.order_id)",
        )?;
        let rows = stmt.query_map(params![household.as_str(), since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (product, at, qty) = row?;
            let at = super::time_from_sql(&at)?;
            out.push((ProductId(product), Purchase { at, qty }));
        }
        Ok(out)
    }
}

impl Store {
    /// What `household` may still put in its basket of `product` now: its limit (with its
    /// period in `tz` and the market's restock cycle) against what it bought in that period at
    /// this terminal and at the others this terminal heard of, plus `in_basket`.
    pub fn allowance(
        &self,
        household: &HouseholdId,
        product: &warm_core::domain::Product,
        in_basket: u32,
        now: Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> Result<warm_core::domain::Allowance> {
        use warm_core::domain::household::{bought_in, period_window};
        let Some(limit) = product.limit() else { return Ok(warm_core::domain::Allowance::Free) };
        let window = period_window(limit.period, now, tz, self.restock_cycle()?);
        let bought = bought_in(
            self.purchases_since(household, window.0)?.into_iter().filter(|(p, _)| *p == product.id).map(|(_, b)| b),
            window,
        );
        Ok(warm_core::domain::Allowance::of(Some(limit), bought, in_basket))
    }
}

impl Store {
    /// What `household` bought of each limited product among `products` in that product's
    /// current period (its own window: a day, a week or the restock cycle), at this terminal and
    /// at the others this terminal heard of. One read of the household's purchases for all of
    /// them: the seniors' screens load this once when the household is said.
    pub fn bought_this_period<'a>(
        &self,
        household: &HouseholdId,
        products: impl IntoIterator<Item = &'a warm_core::domain::Product>,
        now: Timestamp,
        tz: &jiff::tz::TimeZone,
    ) -> Result<HashMap<ProductId, u32>> {
        use warm_core::domain::household::{bought_in, period_window};
        let cycle = self.restock_cycle()?;
        let limited: Vec<(&ProductId, (Timestamp, Timestamp))> = products
            .into_iter()
            .filter_map(|p| p.limit().map(|l| (&p.id, period_window(l.period, now, tz, cycle))))
            .collect();
        let Some(since) = limited.iter().map(|(_, w)| w.0).min() else { return Ok(HashMap::new()) };
        let purchases = self.purchases_since(household, since)?;
        Ok(limited
            .into_iter()
            .map(|(id, window)| {
                let of_it = purchases.iter().filter(|(p, _)| p == id).map(|(_, b)| *b);
                (id.clone(), bought_in(of_it, window))
            })
            .collect())
    }
}

/// What the seniors' screens know of purchase limits for the order being made: whether they
/// apply (the hub sent this market's households; a market without a list sells as before), the
/// household said for this order, and what it already bought this period of each limited product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub on: bool,
    pub household: Option<HouseholdId>,
    pub bought: HashMap<ProductId, u32>,
}

impl Limits {
    /// Limits on or off, no household said yet.
    pub fn new(on: bool) -> Limits {
        Limits { on, ..Limits::default() }
    }

    /// What may still go in a basket holding `in_basket` of `product`: `Free` with limits off or
    /// for a product without a limit.
    pub fn allowance(&self, product: &Product, in_basket: u32) -> Allowance {
        if !self.on {
            return Allowance::Free;
        }
        Allowance::of(product.limit(), self.bought.get(&product.id).copied().unwrap_or(0), in_basket)
    }

    /// Whether the senior must say who they are before `product` goes in the basket.
    pub fn needs_household(&self, product: &Product) -> bool {
        self.on && self.household.is_none() && product.limit().is_some()
    }

    /// The basket's lines over this household's limit, each with how many too many.
    pub fn over_lines(&self, cart: &Cart, catalog: &Catalog) -> Vec<(ProductId, u32)> {
        if !self.on || self.household.is_none() {
            return Vec::new();
        }
        cart.lines()
            .iter()
            .filter_map(|l| {
                let product = catalog.product(&l.product)?;
                let over = self.allowance(product, l.qty).over_by();
                (over > 0).then(|| (l.product.clone(), over))
            })
            .collect()
    }

    /// Whether the basket holds a limited product while no household was said.
    pub fn missing_household(&self, cart: &Cart, catalog: &Catalog) -> bool {
        self.on
            && self.household.is_none()
            && cart.lines().iter().any(|l| catalog.product(&l.product).is_some_and(|p| p.limit().is_some()))
    }
}
