//! The market day's figures: what the X report (the day so far) and the Z report (the day closed)
//! print, what the settlement's steps compare, and what travels to the hub as `day.closed`.
//! Pure values; the kiosk's store computes them from its ledger with checked sums.

use super::{Money, PaymentMethod, ProductId, Text};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Notes and coins a cashbox holds, largest first, in fen: 100, 50, 20, 10, 5, 1, 0.5, 0.1 yuan.
pub const DENOMINATIONS: [i64; 8] = [10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10];

/// The payment methods in the order every report lists them.
pub const METHODS: [PaymentMethod; 4] =
    [PaymentMethod::Cash, PaymentMethod::Wechat, PaymentMethod::Alipay, PaymentMethod::OnAccount];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The day so far; changes nothing.
    X,
    /// The day closed: everything in it is frozen.
    Z,
}

/// A cash count by denomination: how many of each note or coin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    /// Pieces per denomination, in the order of `DENOMINATIONS`.
    pub pieces: [u32; 8],
}

impl CashCount {
    /// The counted total, or `None` if it would not fit (it always does for a real cashbox).
    pub fn total(&self) -> Option<Money> {
        DENOMINATIONS
            .iter()
            .zip(self.pieces)
            .try_fold(0i64, |sum, (fen, n)| fen.checked_mul(i64::from(n)).and_then(|v| sum.checked_add(v)))
            .map(Money)
    }
}

/// Payments of one method: how many and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub count: u64,
    pub amount: Money,
}

/// Cash put in or taken out of the box during the day, with why (float top-up, bank run, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMove {
    /// Positive in, negative out.
    pub amount: Money,
    pub reason: String,
    pub at: Timestamp,
}

/// The market's own QR account statement for WeChat or Alipay, as the manager read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub method: PaymentMethod,
    pub total: Money,
    pub note: String,
}

/// What one building or household owes (on account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    pub account: String,
    pub count: u64,
    pub amount: Money,
}

/// An order placed and not picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrder {
    pub id: uuid::Uuid,
    pub number: String,
    pub items: u32,
    pub total: Money,
}

/// What to do with orders not picked up when the day closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenOrdersChoice {
    /// Keep them: the goods stay set aside for tomorrow.
    #[default]
    Keep,
    /// Cancel them: the goods go back on the shelf.
    Cancel,
}

/// One product of the quick count: the ledger's figure and the manager's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCheck {
    pub product: ProductId,
    pub name: Text,
    pub sold: i64,
    pub expected: i64,
    pub counted: i64,
}

impl StockCheck {
    pub fn difference(&self) -> i64 {
        self.counted.saturating_sub(self.expected)
    }
}

/// Everything an X or Z report says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    pub kind: ReportKind,
    pub terminal: String,
    pub market: Text,
    /// The local market day (Asia/Shanghai) the report is for.
    pub date: jiff::civil::Date,
    /// The Z number (1, 2, 3, ... per terminal); `None` on an X report.
    pub z_number: Option<u64>,
    pub at: Timestamp,
    pub orders_placed: u64,
    pub orders_paid: u64,
    pub orders_amended: u64,
    /// Every method, in the order of `METHODS`, from the payments (never from placed orders).
    pub methods: Vec<MethodTotal>,
    pub opening_float: Money,
    /// Cash handed over by customers, and change given back.
    pub cash_tendered: Money,
    pub change_given: Money,
    pub cash_moves: Vec<CashMove>,
    /// The cash count (Z: required; X: none).
    pub cash_counted: Option<Money>,
    pub statements: Vec<Statement>,
    pub on_account: Vec<AccountLine>,
    pub not_picked_up: Vec<OpenOrder>,
    pub open_orders: OpenOrdersChoice,
    pub stock: Vec<StockCheck>,
    /// Entries recorded after an earlier day was closed that belong to it: shown, never merged
    /// into the closed day.
    pub late_entries: u64,
}

/// A figure that did not add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the day's {0} does not fit in a number: the ledger has impossible amounts")]
pub struct Overflow(pub &'static str);

impl DayReport {
    pub fn method(&self, method: PaymentMethod) -> MethodTotal {
        self.methods.iter().find(|m| m.method == method).cloned().unwrap_or(MethodTotal {
            method,
            count: 0,
            amount: Money::ZERO,
        })
    }

    /// Sales of the day: the sum of payments of every method.
    pub fn sales(&self) -> Result<Money, Overflow> {
        checked_sum(self.methods.iter().map(|m| m.amount), "sales")
    }

    pub fn cash_in_out(&self) -> Result<Money, Overflow> {
        checked_sum(self.cash_moves.iter().map(|m| m.amount), "cash in and out")
    }

    /// Expected cash in the box: opening float + cash taken − change given ± cash in/out.
    pub fn cash_expected(&self) -> Result<Money, Overflow> {
        let fen = [self.opening_float.0, self.cash_tendered.0, self.change_given.0.checked_neg().unwrap_or(i64::MAX)]
            .into_iter()
            .chain([self.cash_in_out()?.0])
            .try_fold(0i64, i64::checked_add)
            .ok_or(Overflow("expected cash"))?;
        Ok(Money(fen))
    }

    /// Counted minus expected: negative is a shortfall. `None` before the count.
    pub fn cash_difference(&self) -> Result<Option<Money>, Overflow> {
        let Some(counted) = self.cash_counted else { return Ok(None) };
        let diff = counted.0.checked_sub(self.cash_expected()?.0).ok_or(Overflow("cash difference"))?;
        Ok(Some(Money(diff)))
    }

    /// Statement minus recorded, for WeChat or Alipay.
    pub fn statement_difference(&self, method: PaymentMethod) -> Option<Money> {
        let s = self.statements.iter().find(|s| s.method == method)?;
        s.total.0.checked_sub(self.method(method).amount.0).map(Money)
    }

    pub fn open_total(&self) -> Result<Money, Overflow> {
        checked_sum(self.not_picked_up.iter().map(|o| o.total), "orders not picked up")
    }
}

/// A sum of amounts that refuses to wrap.
pub fn checked_sum(amounts: impl IntoIterator<Item = Money>, what: &'static str) -> Result<Money, Overflow> {
    amounts.into_iter().try_fold(0i64, |sum, m| sum.checked_add(m.0)).map(Money).ok_or(Overflow(what))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn report() -> DayReport {
        DayReport {
            kind: ReportKind::Z,
            terminal: "K1".into(),
            market: Text::new("峨海小区", "Ehai"),
            date: jiff::civil::date(2022, 5, 6),
            z_number: Some(1),
            at: Timestamp::UNIX_EPOCH,
            orders_placed: 3,
            orders_paid: 2,
            orders_amended: 1,
            methods: vec![
                MethodTotal { method: PaymentMethod::Cash, count: 1, amount: Money(3990) },
                MethodTotal { method: PaymentMethod::Wechat, count: 1, amount: Money(650) },
            ],
            opening_float: Money(20_000),
            cash_tendered: Money(5_000),
            change_given: Money(1_010),
            cash_moves: vec![CashMove { amount: Money(-5_000), reason: "bank".into(), at: Timestamp::UNIX_EPOCH }],
            cash_counted: Some(Money(18_940)),
            statements: vec![Statement { method: PaymentMethod::Wechat, total: Money(650), note: String::new() }],
            on_account: vec![],
            not_picked_up: vec![],
            open_orders: OpenOrdersChoice::Keep,
            stock: vec![],
            late_entries: 0,
        }
    }

    #[test]
    fn expected_cash_is_float_plus_taken_minus_change_and_moves() {
        let r = report();
        assert_eq!(r.sales().unwrap(), Money(4640));
        assert_eq!(r.cash_expected().unwrap(), Money(20_000 + 5_000 - 1_010 - 5_000));
        assert_eq!(r.cash_difference().unwrap(), Some(Money(-50)), "a ￥0.50 shortfall");
        assert_eq!(r.statement_difference(PaymentMethod::Wechat), Some(Money::ZERO));
        assert_eq!(r.method(PaymentMethod::Alipay).count, 0);
    }

    #[test]
    fn sums_refuse_to_wrap() {
        let mut r = report();
        r.methods.push(MethodTotal { method: PaymentMethod::Alipay, count: 1, amount: Money(i64::MAX) });
        assert_eq!(r.sales(), Err(Overflow("sales")));
        let count = CashCount { pieces: [1, 1, 1, 1, 1, 1, 1, 1] };
        assert_eq!(count.total(), Some(Money(18_660)));
        assert_eq!(CashCount { pieces: [u32::MAX; 8] }.total(), Some(Money(18_660 * i64::from(u32::MAX))));
    }
}
