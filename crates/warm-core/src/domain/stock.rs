//! The stock ledger's kinds of movement and the restock suggestion. Stock is a ledger: what is
//! in the market is the sum of its movements; nothing here does I/O.

use super::ProductId;
use super::pin::Role;
use serde::{Deserialize, Serialize};

/// Why goods came in or went out. Sales and amendments are written by the checkout; the rest by
/// the site manager, each with a reason and who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Placed at the kiosk or sold at the counter (negative).
    Sale,
    /// A recalled order changed at the counter: goods back or out.
    Amend,
    /// An order never picked up, cancelled at the settlement: its goods are back on the shelf.
    Cancel,
    /// Goods off the co-op's van (or brought in without a dispatch note).
    Delivery,
    /// A stock count (盘点): the difference between the count and the ledger.
    Count,
    /// Goods gone bad or broken (negative).
    Spoilage,
    /// Goods sent back to the co-op (negative).
    Return,
    /// A manager's correction of an earlier mistake.
    Correction,
}

impl MovementKind {
    pub const MANAGER: [MovementKind; 5] = [
        MovementKind::Delivery,
        MovementKind::Count,
        MovementKind::Spoilage,
        MovementKind::Return,
        MovementKind::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Sale => "sale",
            MovementKind::Amend => "amend",
            MovementKind::Cancel => "cancel",
            MovementKind::Delivery => "delivery",
            MovementKind::Count => "count",
            MovementKind::Spoilage => "spoilage",
            MovementKind::Return => "return",
            MovementKind::Correction => "correction",
        }
    }

    pub fn parse(s: &str) -> Option<MovementKind> {
        [MovementKind::Sale, MovementKind::Amend, MovementKind::Cancel]
            .into_iter()
            .chain(MovementKind::MANAGER)
            .find(|k| k.as_str() == s)
    }

    /// Whether a movement of this kind may have this sign: spoilage and returns only take goods
    /// out; deliveries only bring them in.
    pub fn allows(self, delta: i64) -> bool {
        match self {
            MovementKind::Delivery => delta > 0,
            MovementKind::Spoilage | MovementKind::Return => delta < 0,
            _ => delta != 0,
        }
    }
}

/// A manager's movement as it travels to the hub (`stock.moved`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockMoved {
    pub id: uuid::Uuid,
    pub product: ProductId,
    pub delta: i64,
    pub kind: MovementKind,
    /// In the manager's words, or the reason picked on screen.
    pub reason: String,
    pub who: Role,
    /// The dispatch note received, the count, the settlement: what this movement belongs to.
    pub ref_id: Option<uuid::Uuid>,
    /// For counts: what the ledger said before the count (so the hub sees the variance).
    pub expected: Option<i64>,
}

/// What the restock suggestion needs of one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestockBasis {
    /// Units sold on each of the recent days (a day with no sales counts as 0).
    pub daily_sales: Vec<i64>,
    pub on_hand: i64,
    /// Already dispatched to this market or requested and not yet received.
    pub on_the_way: i64,
    /// The co-op sends whole packs of this many units.
    pub pack: u32,
}

/// Suggested units to ask for: the sales expected until the next van (`cycle_days` days at the
/// recent daily rate, rounded up), minus what is on hand and on its way, rounded up to whole packs;
/// never negative.
pub fn suggest(basis: &RestockBasis, cycle_days: u32) -> i64 {
    let days = i64::try_from(basis.daily_sales.len()).unwrap_or(i64::MAX);
    if days == 0 {
        return 0;
    }
    let sold: i64 = basis.daily_sales.iter().map(|d| (*d).max(0)).fold(0i64, i64::saturating_add);
    let expected = sold.saturating_mul(i64::from(cycle_days)).saturating_add(days - 1) / days;
    let need = expected.saturating_sub(basis.on_hand.max(0)).saturating_sub(basis.on_the_way.max(0));
    round_up_to_pack(need, basis.pack)
}

/// `units` rounded up to whole packs (a pack of 0 counts as 1); 0 for nothing needed.
pub fn round_up_to_pack(units: i64, pack: u32) -> i64 {
    if units <= 0 {
        return 0;
    }
    let pack = i64::from(pack.max(1));
    units.saturating_add(pack - 1) / pack * pack
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basis(sales: &[i64], on_hand: i64, on_the_way: i64, pack: u32) -> RestockBasis {
        RestockBasis { daily_sales: sales.to_vec(), on_hand, on_the_way, pack }
    }

    #[test]
    fn suggestion_is_expected_sales_minus_stock_in_whole_packs() {
        // 7 days, 70 sold: 10 a day; 2 days until the van: 20; 6 on hand, 0 on the way: 14 → 2 packs of 10.
        assert_eq!(suggest(&basis(&[10; 7], 6, 0, 10), 2), 20);
        assert_eq!(suggest(&basis(&[10; 7], 6, 4, 1), 2), 10);
        // Enough on hand: nothing.
        assert_eq!(suggest(&basis(&[3, 4, 5], 40, 0, 6), 2), 0);
        // Rate rounds up: 10 in 3 days at cycle 2 is 6.67 → 7.
        assert_eq!(suggest(&basis(&[3, 3, 4], 0, 0, 1), 2), 7);
        // No history, no suggestion; negative stock is not counted as an extra need.
        assert_eq!(suggest(&basis(&[], 0, 0, 1), 2), 0);
        assert_eq!(suggest(&basis(&[5, 5], -3, 0, 1), 2), 10);
        assert_eq!(round_up_to_pack(1, 0), 1);
    }

    #[test]
    fn kinds_have_their_signs() {
        assert!(MovementKind::Delivery.allows(3) && !MovementKind::Delivery.allows(-3));
        assert!(MovementKind::Spoilage.allows(-1) && !MovementKind::Spoilage.allows(1));
        assert!(MovementKind::Correction.allows(-1) && MovementKind::Count.allows(2));
        assert!(!MovementKind::Count.allows(0));
        for k in MovementKind::MANAGER {
            assert_eq!(MovementKind::parse(k.as_str()), Some(k));
        }
    }
}
