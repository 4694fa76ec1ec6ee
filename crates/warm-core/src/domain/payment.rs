//! How an order is paid at the checkout. No payment API: WeChat and Alipay are collected on the
//! market's own payment QR, and the volunteer records the reference shown on the customer's phone.

use super::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Wechat,
    Alipay,
    /// For building leaders: recorded now, settled later.
    OnAccount,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Wechat => "wechat",
            PaymentMethod::Alipay => "alipay",
            PaymentMethod::OnAccount => "on_account",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PaymentMethod::Cash, PaymentMethod::Wechat, PaymentMethod::Alipay, PaymentMethod::OnAccount]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: Uuid,
    pub order_id: Uuid,
    pub method: PaymentMethod,
    /// What the order costs: the amount this payment settles.
    pub amount: Money,
    /// Cash handed over; `None` for other methods.
    pub tendered: Option<Money>,
    /// The reference read off the customer's phone (WeChat/Alipay), or the account (on account).
    pub reference: Option<String>,
    pub at: jiff::Timestamp,
}

impl Payment {
    /// Change to give back for cash; zero otherwise.
    pub fn change(&self) -> Money {
        match self.tendered {
            Some(tendered) if tendered > self.amount => Money(tendered.as_fen() - self.amount.as_fen()),
            _ => Money::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_for_cash_only() {
        let mut p = Payment {
            id: Uuid::nil(),
            order_id: Uuid::nil(),
            method: PaymentMethod::Cash,
            amount: Money(8870),
            tendered: Some(Money(10000)),
            reference: None,
            at: jiff::Timestamp::UNIX_EPOCH,
        };
        assert_eq!(p.change(), Money(1130));
        p.tendered = None;
        assert_eq!(p.change(), Money::ZERO);
        assert_eq!(PaymentMethod::parse("on_account"), Some(PaymentMethod::OnAccount));
    }
}
