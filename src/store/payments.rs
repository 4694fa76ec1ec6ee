//! Payments at the checkout. One transaction holds everything a sale changes: a walk-in sale's
//! order (or a recalled order's amendments and their stock movements), the order's status, the
//! payment, the receipt's print job and the outbox events. The receipt prints only after COMMIT.
//! An order is paid at most once: checked here, and enforced by `UNIQUE (order_id)` in the file.

use super::orders::{insert_lines, insert_order, read_order};
use super::{Result, Store, StoreError, append_event, next_in_sequence, time_from_sql, time_to_sql};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;
use warm_core::domain::order::OrderStatus;
use warm_core::domain::{Lang, Money, Order, OrderLine, OrderNumber, Payment, PaymentMethod, PickupSlot, ProductId};

/// What the volunteer's counter hands to the store when the payment is confirmed.
#[derive(Debug, Clone)]
pub struct SaleToPay {
    /// The recalled order's id, or a new UUIDv7 for a walk-in sale (made when the sale started,
    /// so a retried commit can never become a second sale).
    pub order_id: Uuid,
    /// True when `order_id` is a senior's order recalled by its slip.
    pub recalled: bool,
    pub terminal: String,
    pub lang: Lang,
    pub lines: Vec<OrderLine>,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub id: Uuid,
    pub method: PaymentMethod,
    /// Cash handed over (cash only); at least the amount.
    pub tendered: Option<Money>,
    /// WeChat/Alipay reference or the account's name (required for those methods).
    pub reference: Option<String>,
}

/// The committed sale: the order as paid, its payment and the receipt's print job.
#[derive(Debug, Clone)]
pub struct Paid {
    pub order: Order,
    pub payment: Payment,
    pub print_job: Uuid,
    /// A recalled order whose lines the volunteer changed.
    pub amended: bool,
}

#[derive(Serialize)]
struct Amended<'a> {
    order_id: Uuid,
    before: &'a [OrderLine],
    after: &'a [OrderLine],
}

impl Store {
    /// Commits a sale and its payment in one transaction; `receipt` lays out the receipt bytes
    /// once the order and payment are final.
    pub fn pay(
        &mut self,
        sale: SaleToPay,
        payment: NewPayment,
        now: Timestamp,
        receipt: impl FnOnce(&Order, &Payment) -> Vec<u8>,
    ) -> Result<Paid> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let paid = pay_in(&tx, sale, payment, now, receipt)?;
        tx.commit()?;
        Ok(paid)
    }

    /// A building's household orders still to pay, all billed to one account (the building's
    /// residents' committee, say) in one transaction: each order paid on account with its own
    /// payment, receipt and outbox event, as the counter pays one; none if any fails.
    pub fn pay_building_on_account(
        &mut self,
        batch: Uuid,
        account: &str,
        mut new_id: impl FnMut() -> Uuid,
        now: Timestamp,
        receipt: impl Fn(&Order, &Payment) -> Vec<u8>,
    ) -> Result<Vec<Paid>> {
        let households =
            self.building_batch(batch)?.ok_or_else(|| StoreError::NoSuchOrder(batch.to_string()))?.households;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut paid = Vec::new();
        for household in households {
            // Read again inside the transaction: one paid meanwhile is left as it is.
            let Some(order) = read_order(&tx, household.order_id)? else { continue };
            if order.status != OrderStatus::Placed {
                continue;
            }
            let sale = SaleToPay {
                order_id: order.id,
                recalled: true,
                terminal: order.number.terminal.clone(),
                lang: order.lang,
                lines: order.lines,
            };
            let payment = NewPayment {
                id: new_id(),
                method: PaymentMethod::OnAccount,
                tendered: None,
                reference: Some(account.to_owned()),
            };
            paid.push(pay_in(&tx, sale, payment, now, &receipt)?);
        }
        tx.commit()?;
        Ok(paid)
    }
}

/// One sale's payment inside the caller's transaction (see `Store::pay`).
fn pay_in(
    tx: &rusqlite::Transaction<'_>,
    sale: SaleToPay,
    payment: NewPayment,
    now: Timestamp,
    receipt: impl FnOnce(&Order, &Payment) -> Vec<u8>,
) -> Result<Paid> {
    if sale.lines.is_empty() {
        return Err(StoreError::EmptyOrder);
    }
    let amount: Money = sale.lines.iter().map(OrderLine::total).sum();
    check_payment(&payment, amount)?;
    let existing = read_order(tx, sale.order_id)?;
    let (order, amended) = match existing {
        Some(order) if order.status == OrderStatus::Paid => {
            return Err(StoreError::AlreadyPaid(order.number.to_string()));
        }
        Some(order) if order.status == OrderStatus::Cancelled => {
            return Err(StoreError::Cancelled(order.number.to_string()));
        }
        Some(before) => {
            let amended = before.lines != sale.lines;
            if amended {
                amend(tx, &before, &sale.lines, now)?;
            }
            let order = Order { status: OrderStatus::Paid, lines: sale.lines, ..before };
            tx.execute(
                    "UPDATE orders SET status = 'paid', total_fen = ?2, item_count = ?3 WHERE id = ?1 AND status = 'placed'",
                    params![order.id.to_string(), order.total().as_fen(), order.item_count()],
                )?;
            (order, amended)
        }
        None if sale.recalled => return Err(StoreError::NoSuchOrder(sale.order_id.to_string())),
        None => {
            // A walk-in sale: numbered in the same sequence as the seniors' orders, so a
            // receipt number is never reused; collected now, so its slot is this moment.
            let seq = next_in_sequence(tx, &format!("order_seq:{}", sale.terminal))?;
            let order = Order {
                id: sale.order_id,
                number: OrderNumber { terminal: sale.terminal, seq },
                household: None,
                status: OrderStatus::Paid,
                created_at: now,
                slot: PickupSlot { start: now, end: now },
                lang: sale.lang,
                lines: sale.lines,
            };
            insert_order(tx, &order)?;
            for line in &order.lines {
                movement(tx, &line.product, -i64::from(line.qty), "sale", order.id, now)?;
            }
            append_event(tx, "order.placed", &order, now)?;
            (order, false)
        }
    };
    let payment = Payment {
        id: payment.id,
        order_id: order.id,
        method: payment.method,
        amount: order.total(),
        tendered: payment.tendered,
        reference: payment.reference,
        at: now,
    };
    tx.execute(
        "INSERT INTO payments (id, order_id, method, amount_fen, tendered_fen, change_fen, reference, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            payment.id.to_string(),
            payment.order_id.to_string(),
            payment.method.as_str(),
            payment.amount.as_fen(),
            payment.tendered.map(Money::as_fen),
            payment.change().as_fen(),
            payment.reference,
            time_to_sql(now),
        ],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::AlreadyPaid(order.number.to_string()),
        _ => e.into(),
    })?;
    let print_job = Uuid::now_v7();
    tx.execute(
        "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at) VALUES (?1, ?2, 'receipt', ?3, ?4)",
        params![print_job.to_string(), order.id.to_string(), receipt(&order, &payment), time_to_sql(now)],
    )?;
    append_event(tx, "payment.recorded", &payment, now)?;
    Ok(Paid { order, payment, print_job, amended })
}

impl Store {
    /// The payment of an order, if it has one.
    pub fn payment_of(&self, order_id: Uuid) -> Result<Option<Payment>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, method, amount_fen, tendered_fen, reference, at FROM payments WHERE order_id = ?1",
                [order_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, method, amount, tendered, reference, at)) = row else { return Ok(None) };
        Ok(Some(Payment {
            id: Uuid::parse_str(&id).map_err(|e| StoreError::Decode(e.to_string()))?,
            order_id,
            method: PaymentMethod::parse(&method)
                .ok_or_else(|| StoreError::Decode(format!("payment method {method:?}")))?,
            amount: Money(amount),
            tendered: tendered.map(Money),
            reference,
            at: time_from_sql(&at)?,
        }))
    }
}

/// Refuses a payment that does not settle the amount, before anything is written.
fn check_payment(payment: &NewPayment, amount: Money) -> Result<()> {
    let refuse = |why: &str| Err(StoreError::BadPayment(why.to_owned()));
    let has_reference = payment.reference.as_deref().is_some_and(|r| !r.trim().is_empty());
    match payment.method {
        PaymentMethod::Cash => match payment.tendered {
            Some(t) if t >= amount => Ok(()),
            Some(_) => refuse("cash tendered is less than the amount"),
            None => refuse("cash needs the amount tendered"),
        },
        PaymentMethod::Wechat | PaymentMethod::Alipay | PaymentMethod::OnAccount if payment.tendered.is_some() => {
            refuse("only cash has an amount tendered")
        }
        PaymentMethod::Wechat | PaymentMethod::Alipay | PaymentMethod::OnAccount if !has_reference => {
            refuse("this method needs a reference")
        }
        _ => Ok(()),
    }
}

/// Replaces a recalled order's lines and books the difference in the stock ledger: goods not
/// taken go back (`amend`, positive), extra goods go out.
fn amend(tx: &rusqlite::Transaction<'_>, before: &Order, after: &[OrderLine], now: Timestamp) -> Result<()> {
    let mut delta: BTreeMap<&ProductId, i64> = BTreeMap::new();
    for l in &before.lines {
        *delta.entry(&l.product).or_default() += i64::from(l.qty);
    }
    for l in after {
        *delta.entry(&l.product).or_default() -= i64::from(l.qty);
    }
    for (product, d) in delta.into_iter().filter(|(_, d)| *d != 0) {
        movement(tx, product, d, "amend", before.id, now)?;
    }
    tx.execute("DELETE FROM order_lines WHERE order_id = ?1", [before.id.to_string()])?;
    insert_lines(tx, before.id, after)?;
    append_event(tx, "order.amended", &Amended { order_id: before.id, before: &before.lines, after }, now)?;
    Ok(())
}

fn movement(
    tx: &rusqlite::Transaction<'_>,
    product: &ProductId,
    delta: i64,
    reason: &str,
    order: Uuid,
    now: Timestamp,
) -> Result<()> {
    tx.execute(
        "INSERT INTO stock_movements (id, product_id, delta, reason, ref_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![Uuid::now_v7().to_string(), product.0, delta, reason, order.to_string(), time_to_sql(now)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewOrder;
    use warm_core::domain::Text;

    fn line(id: &str, fen: i64, qty: u32) -> OrderLine {
        OrderLine {
            product: ProductId::new(id),
            name: Text::new(id, id),
            spec: Text::default(),
            unit_price: Money(fen),
            qty,
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        (dir, store)
    }

    fn cash(fen: i64) -> NewPayment {
        NewPayment { id: Uuid::now_v7(), method: PaymentMethod::Cash, tendered: Some(Money(fen)), reference: None }
    }

    /// A sale of goods scanned at the counter (no slip recalled).
    fn walk_in(lines: Vec<OrderLine>) -> SaleToPay {
        SaleToPay { order_id: Uuid::now_v7(), recalled: false, terminal: "K1".into(), lang: Lang::Zh, lines }
    }

    fn count(store: &Store, table: &str) -> i64 {
        store.connection().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_walk_in_sale_is_one_transaction_and_paid_once() {
        let (_d, mut store) = store();
        let sale = walk_in(vec![line("rice", 3990, 2), line("milk", 650, 1)]);
        let paid = store.pay(sale.clone(), cash(10000), Timestamp::UNIX_EPOCH, |_, _| b"R".to_vec()).unwrap();
        assert_eq!(paid.order.status, OrderStatus::Paid);
        assert_eq!(paid.payment.amount, Money(8630));
        assert_eq!(paid.payment.change(), Money(1370));
        assert_eq!(store.payment_of(paid.order.id).unwrap(), Some(paid.payment.clone()));
        assert_eq!(store.stock(&ProductId::new("rice")).unwrap(), -2);
        assert_eq!((count(&store, "orders"), count(&store, "payments"), count(&store, "print_jobs")), (1, 1, 1));
        assert_eq!(store.outbox_len().unwrap(), 2, "order.placed + payment.recorded");
        // The same sale again (a double tap, a retry): refused, nothing written.
        let again = store.pay(sale, cash(10000), Timestamp::UNIX_EPOCH, |_, _| b"R".to_vec());
        assert!(matches!(again, Err(StoreError::AlreadyPaid(_))), "{again:?}");
        assert_eq!((count(&store, "payments"), count(&store, "print_jobs")), (1, 1));
        assert_eq!(store.outbox_len().unwrap(), 2);
        assert_eq!(store.stock(&ProductId::new("rice")).unwrap(), -2);
    }

    #[test]
    fn a_recalled_order_is_amended_and_paid() {
        let (_d, mut store) = store();
        let policy = crate::config::Config::default().slot_policy();
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let now: Timestamp = "2022-05-06T02:10:00Z".parse().unwrap();
        let new = NewOrder {
            id: Uuid::now_v7(),
            terminal: "K1".into(),
            lang: Lang::Zh,
            household: None,
            lines: vec![line("rice", 3990, 2), line("eggs", 1290, 1)],
        };
        let placed = store.place_order(new, now, &policy, &tz, |_| b"S".to_vec()).unwrap().order;
        // Eggs are out of stock: the volunteer removes them; one rice instead of two.
        let sale = SaleToPay {
            order_id: placed.id,
            recalled: true,
            terminal: "K1".into(),
            lang: Lang::Zh,
            lines: vec![line("rice", 3990, 1)],
        };
        let wechat = || NewPayment {
            id: Uuid::now_v7(),
            method: PaymentMethod::Wechat,
            tendered: None,
            reference: Some("4200001234".into()),
        };
        let paid = store.pay(sale.clone(), wechat(), now, |_, _| b"R".to_vec()).unwrap();
        assert!(paid.amended);
        assert_eq!(paid.order.number, placed.number, "the same order, not a new one");
        let stored = store.order(placed.id).unwrap().unwrap();
        assert_eq!(stored.status, OrderStatus::Paid);
        assert_eq!(stored.lines, vec![line("rice", 3990, 1)]);
        assert_eq!(store.stock(&ProductId::new("rice")).unwrap(), -1);
        assert_eq!(store.stock(&ProductId::new("eggs")).unwrap(), 0);
        let total: i64 = store.connection().query_row("SELECT total_fen FROM orders", [], |r| r.get(0)).unwrap();
        assert_eq!(total, 3990);
        assert_eq!(store.outbox_len().unwrap(), 3, "placed, amended, payment");
        assert!(matches!(store.pay(sale, wechat(), now, |_, _| vec![]), Err(StoreError::AlreadyPaid(_))));
        assert_eq!(count(&store, "payments"), 1);
    }

    #[test]
    fn bad_payments_are_refused_before_writing() {
        let (_d, mut store) = store();
        let sale = walk_in(vec![line("rice", 3990, 1)]);
        let short = store.pay(sale.clone(), cash(3000), Timestamp::UNIX_EPOCH, |_, _| vec![]);
        assert!(matches!(short, Err(StoreError::BadPayment(_))));
        let no_ref = NewPayment { id: Uuid::now_v7(), method: PaymentMethod::Alipay, tendered: None, reference: None };
        assert!(matches!(
            store.pay(sale.clone(), no_ref, Timestamp::UNIX_EPOCH, |_, _| vec![]),
            Err(StoreError::BadPayment(_))
        ));
        let unknown = SaleToPay { recalled: true, ..sale };
        assert!(matches!(
            store.pay(unknown, cash(5000), Timestamp::UNIX_EPOCH, |_, _| vec![]),
            Err(StoreError::NoSuchOrder(_))
        ));
        assert_eq!(count(&store, "orders"), 0);
    }
}
