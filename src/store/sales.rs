//! What this market sold lately, for the order seniors see products in: within a category the
//! co-op's own order for the market first (where it set one), then what sold most here in the
//! last days, then the catalog's order; and the home screen's first row: today's daily goods list
//! when the hub published one (most-bought first), else the day's most-bought products.

use super::{Result, Store, time_to_sql};
use jiff::Timestamp;
use std::collections::HashMap;
use warm_core::domain::{Catalog, Product, ProductId};

/// Units sold per product: over the recent days, and today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sales {
    recent: HashMap<ProductId, u64>,
    today: HashMap<ProductId, u64>,
    /// Today's daily goods list from the hub (issue 10), in its order; empty: none published.
    daily: Vec<ProductId>,
}

/// What home's first row shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HomeRow {
    pub products: Vec<ProductId>,
    /// The hub's daily goods list (今日供应), not only what sold most today.
    pub daily: bool,
}

impl Store {
    /// Units of each product in the orders placed here since `recent_since` (cancelled ones
    /// left out), with what the hub said the market's other terminals sold to households; and
    /// the same since `today_since`. `terminal`: this kiosk (its own orders come back from the
    /// hub too, and are counted once).
    pub fn sales(&self, terminal: &str, recent_since: Timestamp, today_since: Timestamp) -> Result<Sales> {
        let (recent_at, today_at) = (time_to_sql(recent_since), time_to_sql(today_since));
        let mut sales = Sales::default();
        let mut add = |product: String, recent: i64, today: i64| {
            let id = ProductId(product);
            *sales.recent.entry(id.clone()).or_default() += u64::try_from(recent).unwrap_or(0);
            if today > 0 {
                *sales.today.entry(id).or_default() += u64::try_from(today).unwrap_or(0);
            }
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.product_id, sum(l.qty), sum(CASE WHEN o.created_at >= ?2 THEN l.qty ELSE 0 END)
             FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.created_at >= ?1 AND o.status <> 'cancelled'
             GROUP BY l.product_id",
        )?;
        for row in stmt.query_map([&recent_at, &today_at], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            let (product, recent, today) = row?;
            add(product, recent, today);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT product, sum(qty), sum(CASE WHEN at >= ?2 THEN qty ELSE 0 END) FROM heard_usage
             WHERE at >= ?1 AND terminal <> ?3 GROUP BY product",
        )?;
        for row in stmt.query_map([&recent_at, &today_at, terminal], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            let (product, recent, today) = row?;
            add(product, recent, today);
        }
        sales.daily = self.daily_list()?.into_iter().map(|item| ProductId(item.product)).collect();
        Ok(sales)
    }
}

impl Sales {
    /// Units sold in the recent days.
    pub fn recent(&self, product: &ProductId) -> u64 {
        self.recent.get(product).copied().unwrap_or(0)
    }

    /// `products` in the order seniors see them: the co-op's order for the market first where it
    /// set one, then the most sold lately, then the catalog's order (a stable sort).
    pub fn ordered<'a>(&self, catalog: &Catalog, mut products: Vec<&'a Product>) -> Vec<&'a Product> {
        products.sort_by_key(|p| {
            let pinned = catalog.pinned(&p.id);
            (pinned.is_none(), pinned.unwrap_or(0), std::cmp::Reverse(self.recent(&p.id)))
        });
        products
    }

    /// Up to `n` of today's most-bought products still in the catalog, most first (ties in
    /// catalog order); empty when nothing sold today.
    /// Home's first row: today's daily goods list when the hub published one (those that sold
    /// most today first, then the hub's order; products this catalog does not sell left out),
    /// else the day's most-bought products.
    pub fn home_row(&self, catalog: &Catalog, n: usize) -> HomeRow {
        let mut daily: Vec<_> = self.daily.iter().filter(|id| catalog.product(id).is_some()).collect();
        if daily.is_empty() {
            return HomeRow { products: self.top_today(catalog, n), daily: false };
        }
        // Stable: equal sales keep the hub's order.
        daily.sort_by_key(|id| std::cmp::Reverse(self.today.get(*id).copied().unwrap_or(0)));
        HomeRow { products: daily.into_iter().take(n).cloned().collect(), daily: true }
    }

    pub fn top_today(&self, catalog: &Catalog, n: usize) -> Vec<ProductId> {
        let mut sold: Vec<_> = catalog
            .products
            .iter()
            .enumerate()
            .filter_map(|(i, p)| self.today.get(&p.id).filter(|u| **u > 0).map(|u| (std::cmp::Reverse(*u), i)))
            .collect();
        sold.sort();
        sold.into_iter().take(n).map(|(_, i)| catalog.products[i].id.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewOrder;
    use warm_core::domain::{Lang, OrderLine};

    #[test]
    fn what_sold_most_comes_first_and_the_coop_order_wins_where_set() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("k.sqlite")).unwrap();
        let catalog = crate::demo::catalog().unwrap().catalog;
        let grain = catalog.categories[0].id.clone();
        let products: Vec<_> = catalog.in_category(&grain).collect();
        let last = products.last().unwrap().id.clone();
        let now: Timestamp = "2022-05-06T02:10:00Z".parse().unwrap();
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let policy = crate::config::Config::default().slot_policy();
        let profile = warm_core::receipt::PaperProfile::default();
        let p = catalog.product(&last).unwrap();
        let new = NewOrder {
            id: uuid::Uuid::now_v7(),
            terminal: "K1".into(),
            lang: Lang::Zh,
            household: None,
            lines: vec![OrderLine::of(p, 3)],
        };
        store
            .place_order(new, now, &policy, &tz, |o| {
                warm_core::receipt::slip::pickup_slip(o, &catalog.market_name, &profile, &tz)
            })
            .unwrap();
        let day = std::time::Duration::from_secs(86_400);
        let sales = store.sales("K1", now - day * 14, now - day / 4).unwrap();
        assert_eq!(sales.recent(&last), 3);
        assert_eq!(sales.ordered(&catalog, products.clone())[0].id, last, "the one sold comes first");
        assert_eq!(sales.top_today(&catalog, 3), vec![last.clone()]);
        let old = store.sales("K1", now + day, now + day).unwrap();
        assert!(old.top_today(&catalog, 3).is_empty(), "nothing sold in that window");
        // The co-op put the second product first for this market.
        let second = products[1].id.clone();
        let pinned = catalog.clone().with_pinned([(second.clone(), 1)].into());
        let ordered = sales.ordered(&pinned, products);
        assert_eq!((&ordered[0].id, &ordered[1].id), (&second, &last));
    }
}
