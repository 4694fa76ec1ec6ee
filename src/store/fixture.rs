//! What the store's tests of the manager's day share: a store on a temporary file, orders placed
//! and paid through the same functions the screens call, and the outbox read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::payments::{NewPayment, SaleToPay};
use super::{NewOrder, Store};
use jiff::Timestamp;
use uuid::Uuid;
use warm_core::domain::{Lang, Money, Order, OrderLine, PaymentMethod, ProductId, Text};

pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    (dir, store)
}

pub fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub fn shanghai() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
}

pub fn line(id: &str, fen: i64, qty: u32) -> OrderLine {
    OrderLine {
        product: ProductId::new(id),
        name: Text::new(id, id),
        spec: Text::default(),
        unit_price: Money(fen),
        qty,
    }
}

/// A senior's order placed at the kiosk (not yet picked up).
pub fn place(store: &mut Store, lines: Vec<OrderLine>, now: Timestamp) -> Order {
    let slots = warm_core::domain::SlotPolicy {
        minutes: 30,
        orders_per_slot: u32::MAX,
        opens: jiff::civil::time(8, 0, 0, 0),
        closes: jiff::civil::time(18, 0, 0, 0),
        lead_minutes: 15,
    };
    let new = NewOrder { id: Uuid::now_v7(), terminal: "K1".into(), lang: Lang::Zh, household: None, lines };
    store.place_order(new, now, &slots, &shanghai(), |_| b"S".to_vec()).unwrap().order
}

/// Pays an order (recalled with `lines`, or a walk-in sale when `order` is `None`).
pub fn pay(
    store: &mut Store,
    order: Option<&Order>,
    lines: Vec<OrderLine>,
    method: PaymentMethod,
    tendered: Option<i64>,
    now: Timestamp,
) -> super::payments::Paid {
    let sale = SaleToPay {
        order_id: order.map_or_else(Uuid::now_v7, |o| o.id),
        recalled: order.is_some(),
        terminal: "K1".into(),
        lang: Lang::Zh,
        lines,
    };
    let reference = (method != PaymentMethod::Cash).then(|| "3号楼".to_owned());
    let payment = NewPayment { id: Uuid::now_v7(), method, tendered: tendered.map(Money), reference };
    store.pay(sale, payment, now, |_, _| b"R".to_vec()).unwrap()
}

/// The outbox as (kind, payload), oldest first.
pub fn outbox(store: &Store) -> Vec<(String, String)> {
    let mut stmt = store.connection().prepare("SELECT kind, payload FROM outbox ORDER BY seq").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// Every event in the outbox passes the hub's check of its kind.
pub fn outbox_is_valid(store: &Store) {
    for (kind, payload) in outbox(store) {
        if let Err(e) = warm_core::api::manager::validate(&kind, &payload) {
            panic!("{kind} {payload}: {e}");
        }
    }
}

pub fn kinds(store: &Store, kind: &str) -> usize {
    outbox(store).iter().filter(|(k, _)| k == kind).count()
}
