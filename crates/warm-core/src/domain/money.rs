//! Money is integer fen (分): 1 yuan = 100 fen. Never a float.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Mul};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn fen(fen: i64) -> Self {
        Money(fen)
    }

    pub fn as_fen(self) -> i64 {
        self.0
    }

    /// Amount without the currency sign, e.g. `39.90`.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    pub fn checked_mul(self, qty: u32) -> Option<Money> {
        self.0.checked_mul(i64::from(qty)).map(Money)
    }
}

/// Shown with the full-width yuan sign `￥` (U+FFE5): it is two bytes in GB18030, so the same
/// text prints on thermal printers that lack four-byte codes (the half-width `¥` is four bytes).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "￥{}", self.plain())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
    }
}

impl Mul<u32> for Money {
    type Output = Money;
    fn mul(self, rhs: u32) -> Money {
        Money(self.0.saturating_mul(i64::from(rhs)))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_fen_as_yuan_with_full_width_sign() {
        assert_eq!(Money(3990).to_string(), "￥39.90");
        assert_eq!(Money(5).to_string(), "￥0.05");
        assert_eq!(Money(-120).plain(), "-1.20");
        assert_eq!(Money(0).to_string(), "￥0.00");
    }

    #[test]
    fn arithmetic_stays_in_fen() {
        assert_eq!(Money(199) * 3, Money(597));
        assert_eq!([Money(1), Money(2)].into_iter().sum::<Money>(), Money(3));
        assert_eq!(Money(i64::MAX).checked_mul(2), None);
    }
}
