//! An order as committed: a snapshot of what was sold, at what price, for which pickup slot.

use super::{Cart, Catalog, Lang, Money, PickupSlot, Product, ProductId, Text};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// The number a senior is called by: terminal id plus that terminal's order sequence, so two
/// terminals of one market never hand out the same number and a restart never reuses one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderNumber {
    pub terminal: String,
    pub seq: u64,
}

impl OrderNumber {
    /// The big digits on the done screen and the slip; the terminal id is shown beside them.
    pub fn short(&self) -> String {
        format!("{:04}", self.seq)
    }
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}", self.terminal, self.seq)
    }
}

/// A line as sold: names and price are copied so a later catalog change never rewrites history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product: ProductId,
    pub name: Text,
    pub spec: Text,
    pub unit_price: Money,
    pub qty: u32,
}

impl OrderLine {
    pub fn total(&self) -> Money {
        self.unit_price * self.qty
    }

    /// `qty` of a catalog product at its catalog price.
    pub fn of(product: &Product, qty: u32) -> OrderLine {
        OrderLine {
            product: product.id.clone(),
            name: product.name.clone(),
            spec: product.spec.clone(),
            unit_price: product.price,
            qty,
        }
    }

    /// The lines of a basket, priced from the catalog; products no longer sold are skipped.
    pub fn from_cart(cart: &Cart, catalog: &Catalog) -> Vec<OrderLine> {
        cart.lines().iter().filter_map(|line| Some(OrderLine::of(catalog.product(&line.product)?, line.qty))).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed at the kiosk, waiting for pickup and payment at the checkout.
    Placed,
    Paid,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "placed" => Some(OrderStatus::Placed),
            "paid" => Some(OrderStatus::Paid),
            "cancelled" => Some(OrderStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: Uuid,
    pub number: OrderNumber,
    /// The household the order counts against (building-leader orders, purchase limits).
    pub household: Option<String>,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub slot: PickupSlot,
    /// The language the senior used, so the slip speaks the same language.
    pub lang: Lang,
    pub lines: Vec<OrderLine>,
}

impl Order {
    pub fn total(&self) -> Money {
        self.lines.iter().map(OrderLine::total).sum()
    }

    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.qty).sum()
    }

    /// What the pickup slip's QR code carries: a scheme tag and the order id, nothing personal.
    pub fn slip_payload(&self) -> String {
        format!("{}{}", SLIP_QR_PREFIX, self.id)
    }
}

/// Prefix of the pickup-slip QR payload; the checkout scanner recognises our slips by it.
pub const SLIP_QR_PREFIX: &str = "WM1:O:";
