//! The sale on the volunteer's counter: goods scanned for a walk-in customer, or a senior's order
//! recalled by its slip, being picked and corrected before payment. Pure: the screen calls these
//! rules and the store commits the result.

use super::cart::MAX_QTY_PER_LINE;
use super::order::OrderStatus;
use super::{Money, Order, OrderLine, Product, Text};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    pub line: OrderLine,
    /// The volunteer has put this line's goods in the bag (scanned goods are picked as scanned).
    pub picked: bool,
    /// A weighed label: its price is fixed by the label, so it is never merged or counted up.
    pub weighed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The order id the payment will settle: the recalled order's, or a new UUIDv7 for a walk-in sale.
    pub id: Uuid,
    /// The order as the senior placed it, when this sale is a recalled slip.
    pub recalled: Option<Order>,
    pub lines: Vec<SaleLine>,
}

/// What a scan of goods did to the sale, for the words on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new line at this index.
    New(usize),
    /// One more on the line at this index.
    More(usize),
    /// The recalled order's line at this index is now ticked as picked.
    Picked(usize),
    /// The line is already at the most one line may hold.
    Full(usize),
}

/// Why a slip cannot be loaded into the sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecallRefused {
    /// This very order is on the counter already: nothing changes.
    AlreadyLoaded,
    /// Other goods are on the counter: pay or clear them first.
    Busy,
    Paid,
    Cancelled,
}

impl Sale {
    pub fn new(id: Uuid) -> Sale {
        Sale { id, recalled: None, lines: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Loads a recalled order; its lines start unpicked.
    pub fn recall(&mut self, order: Order) -> Result<(), RecallRefused> {
        if self.recalled.as_ref().is_some_and(|o| o.id == order.id) {
            return Err(RecallRefused::AlreadyLoaded);
        }
        match order.status {
            OrderStatus::Paid => return Err(RecallRefused::Paid),
            OrderStatus::Cancelled => return Err(RecallRefused::Cancelled),
            OrderStatus::Placed => {}
        }
        if !self.lines.is_empty() || self.recalled.is_some() {
            return Err(RecallRefused::Busy);
        }
        self.id = order.id;
        self.lines = order.lines.iter().map(|l| SaleLine { line: l.clone(), picked: false, weighed: false }).collect();
        self.recalled = Some(order);
        Ok(())
    }

    /// A scan of packaged goods: ticks the recalled order's unpicked line of that product, or
    /// adds one to its line, or starts a new line.
    pub fn add_goods(&mut self, product: &Product) -> Added {
        let same = |l: &SaleLine| !l.weighed && l.line.product == product.id;
        if let Some(i) = self.lines.iter().position(|l| same(l) && !l.picked) {
            self.lines[i].picked = true;
            return Added::Picked(i);
        }
        if let Some(i) = self.lines.iter().position(same) {
            let line = &mut self.lines[i].line;
            if line.qty >= MAX_QTY_PER_LINE {
                return Added::Full(i);
            }
            line.qty += 1;
            return Added::More(i);
        }
        self.lines.push(SaleLine { line: OrderLine::of(product, 1), picked: true, weighed: false });
        Added::New(self.lines.len() - 1)
    }

    /// A weighed label: always its own line, at the label's price.
    pub fn add_weighed(&mut self, product: &Product, price: Money, spec: Text) -> usize {
        self.lines.push(SaleLine {
            line: OrderLine {
                product: product.id.clone(),
                name: product.name.clone(),
                spec,
                unit_price: price,
                qty: 1,
            },
            picked: true,
            weighed: true,
        });
        self.lines.len() - 1
    }

    pub fn increase(&mut self, i: usize) {
        if let Some(l) = self.lines.get_mut(i).filter(|l| !l.weighed) {
            l.line.qty = (l.line.qty + 1).min(MAX_QTY_PER_LINE);
        }
    }

    /// One fewer; a line never goes below one here (removing is its own, explicit button).
    pub fn decrease(&mut self, i: usize) {
        if let Some(l) = self.lines.get_mut(i) {
            l.line.qty = l.line.qty.saturating_sub(1).max(1);
        }
    }

    pub fn remove(&mut self, i: usize) {
        if i < self.lines.len() {
            self.lines.remove(i);
        }
    }

    pub fn toggle_picked(&mut self, i: usize) {
        if let Some(l) = self.lines.get_mut(i) {
            l.picked = !l.picked;
        }
    }

    pub fn pick_all(&mut self) {
        self.lines.iter_mut().for_each(|l| l.picked = true);
    }

    /// Items still to be put in the bag.
    pub fn unpicked(&self) -> u32 {
        self.lines.iter().filter(|l| !l.picked).map(|l| l.line.qty).sum()
    }

    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.line.qty).sum()
    }

    pub fn total(&self) -> Money {
        self.lines.iter().map(|l| l.line.total()).sum()
    }

    pub fn order_lines(&self) -> Vec<OrderLine> {
        self.lines.iter().map(|l| l.line.clone()).collect()
    }
}

/// Cash typed on the numpad as yuan (`50`, `100.5`, `20.05`) in fen; `None` when it is not an amount.
pub fn parse_yuan(entry: &str) -> Option<Money> {
    let (whole, frac) = match entry.split_once('.') {
        Some((w, f)) => (w, f),
        None => (entry, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 7 {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some(Money(whole * 100 + frac))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Lang, OrderNumber, PickupSlot, ProductId};

    fn order(status: OrderStatus) -> Order {
        Order {
            id: Uuid::now_v7(),
            number: OrderNumber { terminal: "K1".into(), seq: 7 },
            household: None,
            status,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            slot: PickupSlot { start: jiff::Timestamp::UNIX_EPOCH, end: jiff::Timestamp::UNIX_EPOCH },
            lang: Lang::Zh,
            lines: vec![OrderLine {
                product: ProductId::new("rice"),
                name: Text::default(),
                spec: Text::default(),
                unit_price: Money(3990),
                qty: 2,
            }],
        }
    }

    #[test]
    fn scanning_again_adds_quantity() {
        let mut sale = Sale::new(Uuid::nil());
        let (rice, milk) = (Product::for_test("rice", 3990), Product::for_test("milk", 650));
        assert_eq!(sale.add_goods(&rice), Added::New(0));
        assert_eq!(sale.add_goods(&milk), Added::New(1));
        assert_eq!(sale.add_goods(&rice), Added::More(0));
        assert_eq!(sale.total(), Money(2 * 3990 + 650));
        sale.decrease(0);
        sale.decrease(0);
        assert_eq!(sale.lines[0].line.qty, 1, "never below one by −");
        sale.remove(0);
        assert_eq!(sale.item_count(), 1);
        for _ in 0..200 {
            sale.add_goods(&milk);
        }
        assert_eq!(sale.lines[0].line.qty, MAX_QTY_PER_LINE);
    }

    #[test]
    fn weighed_labels_stay_separate() {
        let mut sale = Sale::new(Uuid::nil());
        let tomato = Product::for_test("tomato", 590);
        sale.add_weighed(&tomato, Money(617), Text::new("523克", "523 g"));
        sale.add_weighed(&tomato, Money(300), Text::default());
        sale.increase(0);
        assert_eq!(sale.lines.len(), 2);
        assert_eq!(sale.total(), Money(917));
        assert_eq!(sale.add_goods(&tomato), Added::New(2), "packaged goods never merge into a weighed line");
    }

    #[test]
    fn a_recalled_order_is_picked_by_scanning() {
        let mut sale = Sale::new(Uuid::nil());
        let placed = order(OrderStatus::Placed);
        sale.recall(placed.clone()).unwrap();
        assert_eq!(sale.id, placed.id);
        assert_eq!(sale.unpicked(), 2);
        assert_eq!(sale.recall(placed.clone()), Err(RecallRefused::AlreadyLoaded));
        assert_eq!(sale.lines.len(), 1, "the second scan of the slip changed nothing");
        assert_eq!(sale.add_goods(&Product::for_test("rice", 3990)), Added::Picked(0));
        assert_eq!(sale.unpicked(), 0);
        assert_eq!(sale.add_goods(&Product::for_test("rice", 3990)), Added::More(0));
        let mut other = Sale::new(Uuid::nil());
        assert_eq!(other.recall(order(OrderStatus::Paid)), Err(RecallRefused::Paid));
        other.add_goods(&Product::for_test("milk", 650));
        assert_eq!(other.recall(order(OrderStatus::Placed)), Err(RecallRefused::Busy));
    }

    #[test]
    fn cash_entries() {
        assert_eq!(parse_yuan("50"), Some(Money(5000)));
        assert_eq!(parse_yuan("100.5"), Some(Money(10050)));
        assert_eq!(parse_yuan("0.05"), Some(Money(5)));
        assert_eq!(parse_yuan(".5"), Some(Money(50)));
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("."), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("1.2.3"), None);
        assert_eq!(parse_yuan("99999999"), None);
    }
}
