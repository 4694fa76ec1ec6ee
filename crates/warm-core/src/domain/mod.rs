//! Pure types and rules of the market: no I/O here, so every rule is testable on its own.

pub mod barcode;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod day;
pub mod household;
pub mod leader;
pub mod money;
pub mod order;
pub mod payment;
pub mod pin;
pub mod scan;
pub mod slot;
pub mod stock;
pub mod text;

pub use cart::Cart;
pub use catalog::{Catalog, Category, CategoryId, PRODUCT_COLUMNS, Product, ProductId, ProductRow};
pub use household::{Allowance, Household, HouseholdId, Limit, LimitPeriod, RestockCycle};
pub use leader::DailyItem;
pub use money::Money;
pub use order::{Order, OrderLine, OrderNumber};
pub use payment::{Payment, PaymentMethod};
pub use slot::{PickupSlot, SlotPolicy};
pub use text::{Lang, Text};
