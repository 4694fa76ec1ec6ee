//! What the seniors may still order: for each product the stock ledger tracks (it was delivered
//! or counted), the ledger's sum — goods of orders placed and not picked up are already taken
//! out of it. A product never delivered or counted is not tracked and never shown sold out, so a
//! kiosk without stock-keeping sells as before (offline sales are never refused after the fact).

use super::stock::StockLevel;
use std::collections::HashMap;
use warm_core::domain::{Cart, ProductId};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shelf {
    available: HashMap<ProductId, i64>,
}

impl Shelf {
    pub fn from_levels(levels: &HashMap<ProductId, StockLevel>) -> Shelf {
        Shelf { available: levels.iter().filter_map(|(p, l)| l.available().map(|a| (p.clone(), a))).collect() }
    }

    /// Units left to order; `None` for a product not tracked.
    pub fn left(&self, product: &ProductId) -> Option<i64> {
        self.available.get(product).copied()
    }

    pub fn sold_out(&self, product: &ProductId) -> bool {
        self.left(product).is_some_and(|n| n <= 0)
    }

    /// Whether one more may go into a basket that already holds `in_basket`.
    pub fn can_add(&self, product: &ProductId, in_basket: u32) -> bool {
        self.left(product).is_none_or(|n| n > i64::from(in_basket))
    }

    /// The basket's lines that ask for more than is left (it ran out while the senior chose):
    /// each with what is left (0 when sold out).
    pub fn short_lines(&self, cart: &Cart) -> Vec<(ProductId, i64)> {
        cart.lines()
            .iter()
            .filter_map(|l| {
                self.left(&l.product).filter(|n| *n < i64::from(l.qty)).map(|n| (l.product.clone(), n.max(0)))
            })
            .collect()
    }
}
