//! Building leaders (楼长) ordering for a sealed building (issue 10): the market's daily goods
//! list (每日货品清单) and the building batch that ties one leader's household orders together.
//! Pure: the hub keeps the list, the kiosk places the orders; this says what they mean.

use super::{Money, Order, OrderNumber, PickupSlot, ProductId, Text};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The most products one day's list may hold (a receipt sheet of them is already a metre long).
pub const MAX_DAILY_ITEMS: usize = 200;
/// The most of a product the list may say is available today.
pub const MAX_AVAILABLE: u32 = 100_000;

/// One product on the day's list and, if the market said so, how many there are today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyItem {
    pub product: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<u32>,
}

/// Why a daily list given by an operator is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDailyList {
    #[error("{0:?}: say a product id, or product=N for N available today")]
    Item(String),
    #[error("{product}: the number available is 0 to {MAX_AVAILABLE}, not {given:?}")]
    Available { product: String, given: String },
    #[error("{0} is on the list twice")]
    Twice(String),
    #[error("a daily list holds at most {MAX_DAILY_ITEMS} products")]
    TooMany,
}

/// Reads items as an operator writes them: `rice-5kg` or `rice-5kg=40` (also `rice-5kg,40`),
/// one per word or line; `#` starts a comment. Order is kept (the sheet prints in this order).
pub fn parse_daily_items<'a>(words: impl IntoIterator<Item = &'a str>) -> Result<Vec<DailyItem>, BadDailyList> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for word in words {
        let word = word.split('#').next().unwrap_or("").trim();
        if word.is_empty() {
            continue;
        }
        let (product, available) = match word.split_once(['=', ',']) {
            Some((p, n)) => (p.trim(), Some(n.trim())),
            None => (word, None),
        };
        if product.is_empty() || product.chars().any(|c| c.is_whitespace() || c.is_control()) || product.len() > 64 {
            return Err(BadDailyList::Item(word.to_owned()));
        }
        let available = match available {
            None | Some("") => None,
            Some(n) => Some(
                n.parse::<u32>()
                    .ok()
                    .filter(|n| *n <= MAX_AVAILABLE)
                    .ok_or_else(|| BadDailyList::Available { product: product.to_owned(), given: n.to_owned() })?,
            ),
        };
        if !seen.insert(product.to_owned()) {
            return Err(BadDailyList::Twice(product.to_owned()));
        }
        out.push(DailyItem { product: product.to_owned(), available });
    }
    if out.len() > MAX_DAILY_ITEMS {
        return Err(BadDailyList::TooMany);
    }
    Ok(out)
}

/// Prefix of a building picking list's QR payload: the counter's scanner recalls the batch by it.
pub const BATCH_QR_PREFIX: &str = "WM1:B:";

/// What a picking list's QR carries: a scheme tag and the batch id, nothing personal.
pub fn batch_payload(batch: Uuid) -> String {
    format!("{BATCH_QR_PREFIX}{batch}")
}

/// One product of a building's picking list: how many to pack for the whole building.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickingLine {
    pub product: ProductId,
    pub name: Text,
    pub spec: Text,
    pub qty: u32,
}

/// One household's order in a batch, as the picking list names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickingHousehold {
    pub household: String,
    pub number: OrderNumber,
    pub items: u32,
    pub total: Money,
}

/// What the packers need for one building: the totals per product over every household order
/// of the batch, the households and their amounts, and the batch id the QR carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickingList {
    pub batch: Uuid,
    pub building: String,
    pub created_at: Timestamp,
    pub slot: PickupSlot,
    pub lines: Vec<PickingLine>,
    pub households: Vec<PickingHousehold>,
}

impl PickingList {
    /// Sums `orders` per product, each product where it first appears (the daily list's order).
    pub fn of(batch: Uuid, building: &str, created_at: Timestamp, slot: PickupSlot, orders: &[Order]) -> PickingList {
        let mut lines: Vec<PickingLine> = Vec::new();
        for line in orders.iter().flat_map(|o| &o.lines) {
            match lines.iter_mut().find(|l| l.product == line.product) {
                Some(l) => l.qty = l.qty.saturating_add(line.qty),
                None => lines.push(PickingLine {
                    product: line.product.clone(),
                    name: line.name.clone(),
                    spec: line.spec.clone(),
                    qty: line.qty,
                }),
            }
        }
        let households = orders
            .iter()
            .map(|o| PickingHousehold {
                household: o.household.clone().unwrap_or_default(),
                number: o.number.clone(),
                items: o.item_count(),
                total: o.total(),
            })
            .collect();
        PickingList { batch, building: building.to_owned(), created_at, slot, lines, households }
    }

    pub fn total(&self) -> Money {
        self.households.iter().map(|h| h.total).sum()
    }

    pub fn item_count(&self) -> u32 {
        self.lines.iter().fold(0u32, |n, l| n.saturating_add(l.qty))
    }

    /// What the QR carries.
    pub fn payload(&self) -> String {
        batch_payload(self.batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_products_with_an_optional_count_in_the_order_given() {
        let got = parse_daily_items(["rice-5kg=40", " oil-5l ", "eggs,12 # two trays", "", "# none"]).unwrap();
        assert_eq!(
            got,
            [
                DailyItem { product: "rice-5kg".into(), available: Some(40) },
                DailyItem { product: "oil-5l".into(), available: None },
                DailyItem { product: "eggs".into(), available: Some(12) },
            ]
        );
        assert_eq!(parse_daily_items(["a", "a=2"]), Err(BadDailyList::Twice("a".into())));
        assert!(matches!(parse_daily_items(["a=-1"]), Err(BadDailyList::Available { .. })));
        assert!(matches!(parse_daily_items(["a=lots"]), Err(BadDailyList::Available { .. })));
        assert!(matches!(parse_daily_items(["=3"]), Err(BadDailyList::Item(_))));
        let many: Vec<String> = (0..=MAX_DAILY_ITEMS).map(|i| format!("p{i}")).collect();
        assert_eq!(parse_daily_items(many.iter().map(String::as_str)), Err(BadDailyList::TooMany));
        let id = Uuid::from_u128(7);
        assert_eq!(batch_payload(id), format!("WM1:B:{id}"));
    }
}
