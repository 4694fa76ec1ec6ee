//! The market day: cash in and out of the box, the X report (the day so far, from the ledger)
//! and the Z report that closes it. Closing is one transaction: the orders not picked up are
//! kept or cancelled, the quick count's differences are booked, the figures are computed, every
//! open row of the day is stamped with the Z number (triggers then refuse to change it), and the
//! report's print job and `day.closed` event are written. Anything recorded later belongs to the
//! next report.

use super::stock::{count_differences, insert_movements, stock_levels};
use super::{Result, Store, StoreError, append_event, next_in_sequence, time_from_sql, time_to_sql};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;
use warm_core::api::manager::{self as wire, CashKind, CashMoved, OrderCancelled};
use warm_core::domain::day::{
    AccountLine, CashCount, CashMove, DayReport, METHODS, MethodTotal, OpenOrder, OpenOrdersChoice, ReportKind,
    Statement, StockCheck, checked_sum,
};
use warm_core::domain::pin::Role;
use warm_core::domain::{Money, PaymentMethod, ProductId, Text};

/// What the manager entered in the settlement's steps, kept as a draft at every step so a crash
/// resumes where it stopped. Its id makes closing twice the same as closing once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    pub id: Uuid,
    /// The step on show (0-based), so a restart opens it again.
    pub step: usize,
    pub cash: CashCount,
    pub statements: Vec<Statement>,
    pub open_orders: OpenOrdersChoice,
    /// The quick count: product and units counted (`None` until entered).
    pub counts: Vec<(ProductId, Option<i64>)>,
}

/// The key of the settlement's draft.
pub const CLOSING_DRAFT: &str = "settlement";

/// A closed day: its figures and the print job of its Z report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub report: DayReport,
    pub print_job: Uuid,
    pub bytes: Vec<u8>,
}

/// Where the figures come from besides the ledger.
pub struct DayContext<'a> {
    pub terminal: &'a str,
    pub market: &'a Text,
    pub tz: &'a TimeZone,
    /// Names for the quick count.
    pub name_of: &'a dyn Fn(&ProductId) -> Text,
}

impl Store {
    /// Cash put in or out of the box, or the opening float, with why.
    pub fn cash_move(&mut self, kind: CashKind, amount: Money, reason: &str, id: Uuid, now: Timestamp) -> Result<()> {
        if amount.0 <= 0 || amount.0 > wire::MAX_CASH_FEN {
            return Err(StoreError::BadPayment(format!("a cash amount of {amount} is out of range")));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kind_text = match kind {
            CashKind::Float => "float",
            CashKind::In => "in",
            CashKind::Out => "out",
        };
        let n = tx.execute(
            "INSERT INTO cash_moves (id, kind, amount_fen, reason, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![id.to_string(), kind_text, amount.0, reason, time_to_sql(now)],
        )?;
        if n == 1 {
            append_event(
                &tx,
                wire::CASH_MOVED,
                &CashMoved { id, kind, amount_fen: amount.0, reason: reason.to_owned() },
                now,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The X report: the day so far (every row no Z has closed yet). Changes nothing.
    pub fn x_report(&self, ctx: &DayContext<'_>, now: Timestamp) -> Result<DayReport> {
        figures(&self.conn, ctx, now, ReportKind::X, None, &Closing::default())
    }

    /// What the Z report would say if the day closed now with what the manager has entered so
    /// far: the settlement's screens show it step by step. Changes nothing.
    pub fn settlement_preview(&self, closing: &Closing, ctx: &DayContext<'_>, now: Timestamp) -> Result<DayReport> {
        figures(&self.conn, ctx, now, ReportKind::Z, None, closing)
    }

    /// The ten products sold most since the last close, with what the ledger says is on hand.
    pub fn fastest_movers(&self, n: usize) -> Result<Vec<(ProductId, i64, i64)>> {
        fastest_movers(&self.conn, n)
    }

    /// Closes the day (see the module). `layout` prints the report; closing again with the same
    /// `closing.id` returns the day already closed and writes nothing.
    pub fn close_day(
        &mut self,
        closing: &Closing,
        ctx: &DayContext<'_>,
        now: Timestamp,
        layout: impl FnOnce(&DayReport) -> Vec<u8>,
    ) -> Result<Closed> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some(closed) = read_close(&tx, "id = ?1", &closing.id.to_string())? {
            return Ok(closed);
        }
        if closing.cash.total().is_none() {
            return Err(StoreError::BadPayment("the cash count is too large".into()));
        }
        // The orders not picked up, as they stand before the choice is carried out.
        let open = open_orders(&tx)?;
        if closing.open_orders == OpenOrdersChoice::Cancel {
            cancel_open_orders(&tx, now)?;
        }
        let counted: Vec<(ProductId, i64)> =
            closing.counts.iter().filter_map(|(p, n)| n.map(|n| (p.clone(), n))).collect();
        // The quick count's figures are read before its corrections are booked.
        let before = stock_levels(&tx)?;
        let moves = count_differences(&tx, &counted)?;
        insert_movements(&tx, &moves, Role::Manager, Some(closing.id), now)?;
        let z = next_in_sequence(&tx, "z_number")?;
        let mut report = figures(&tx, ctx, now, ReportKind::Z, Some(z), closing)?;
        report.not_picked_up = open;
        for check in &mut report.stock {
            check.expected = before.get(&check.product).copied().unwrap_or_default().on_hand();
        }
        let z_sql = z as i64;
        for table in ["payments", "stock_movements", "cash_moves", "orders"] {
            tx.execute(&format!("UPDATE {table} SET z = ?1 WHERE z IS NULL"), [z_sql])?;
        }
        let bytes = layout(&report);
        let print_job = Uuid::now_v7();
        tx.execute(
            "INSERT INTO print_jobs (id, order_id, kind, bytes, created_at) VALUES (?1, NULL, 'z_report', ?2, ?3)",
            params![print_job.to_string(), bytes, time_to_sql(now)],
        )?;
        let json = serde_json::to_string(&report).map_err(|e| StoreError::Other(e.to_string()))?;
        tx.execute(
            "INSERT INTO day_closes (z, id, date, closed_at, report, print_job) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                z_sql,
                closing.id.to_string(),
                report.date.to_string(),
                time_to_sql(now),
                json,
                print_job.to_string()
            ],
        )?;
        append_event(&tx, wire::DAY_CLOSED, &report, now)?;
        tx.execute("DELETE FROM drafts WHERE key = ?1", [CLOSING_DRAFT])?;
        tx.commit()?;
        Ok(Closed { report, print_job, bytes })
    }

    /// The Z report of a market day (the last one closed that day), or the last one of all.
    pub fn z_report(&self, date: Option<jiff::civil::Date>) -> Result<Option<Closed>> {
        match date {
            Some(d) => read_close(&self.conn, "date = ?1", &d.to_string()),
            None => read_close(&self.conn, "1 = 1 OR ?1 IS NULL", ""),
        }
    }
}

fn read_close(conn: &rusqlite::Connection, filter: &str, value: &str) -> Result<Option<Closed>> {
    let row: Option<(String, String)> = conn
        .query_row(
            &format!("SELECT report, print_job FROM day_closes WHERE {filter} ORDER BY z DESC LIMIT 1"),
            [value],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((report, job)) = row else { return Ok(None) };
    let report: DayReport = serde_json::from_str(&report).map_err(|e| StoreError::Decode(format!("Z report: {e}")))?;
    let print_job: Uuid = job.parse().map_err(|e| StoreError::Decode(format!("Z report job: {e}")))?;
    let bytes: Vec<u8> = conn.query_row("SELECT bytes FROM print_jobs WHERE id = ?1", [&job], |r| r.get(0))?;
    Ok(Some(Closed { report, print_job, bytes }))
}

/// Cancels every order placed and not picked up: its goods go back on the shelf.
fn cancel_open_orders(tx: &rusqlite::Transaction<'_>, now: Timestamp) -> Result<()> {
    let ids: Vec<String> = tx
        .prepare("SELECT id FROM orders WHERE status = 'placed' ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let lines: Vec<(String, i64)> = tx
            .prepare("SELECT product_id, qty FROM order_lines WHERE order_id = ?1")?
            .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (product, qty) in lines {
            tx.execute(
                "INSERT INTO stock_movements (id, product_id, delta, reason, ref_id, at, who, note)
                 VALUES (?1, ?2, ?3, 'cancel', ?4, ?5, 'manager', 'not picked up')",
                params![Uuid::now_v7().to_string(), product, qty, id, time_to_sql(now)],
            )?;
        }
        tx.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?1 AND status = 'placed'", [&id])?;
        let order_id: Uuid = id.parse().map_err(|e| StoreError::Decode(format!("order id: {e}")))?;
        append_event(
            tx,
            wire::ORDER_CANCELLED,
            &OrderCancelled { order_id, reason: "not picked up at the day's close".into() },
            now,
        )?;
    }
    Ok(())
}

/// Orders placed and not picked up (whatever day they were placed), oldest first.
fn open_orders(conn: &rusqlite::Connection) -> Result<Vec<OpenOrder>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, terminal_id, seq, item_count, total_fen FROM orders WHERE status = 'placed' ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut open = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let seq = u64::try_from(r.get::<_, i64>(2)?).map_err(|e| StoreError::Decode(format!("order seq: {e}")))?;
        open.push(OpenOrder {
            id: id.parse().map_err(|e| StoreError::Decode(format!("order id: {e}")))?,
            number: warm_core::domain::OrderNumber { terminal: r.get(1)?, seq }.to_string(),
            items: r.get(3)?,
            total: Money(r.get(4)?),
        });
    }
    Ok(open)
}

fn fastest_movers(conn: &rusqlite::Connection, n: usize) -> Result<Vec<(ProductId, i64, i64)>> {
    let levels = stock_levels(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT product_id, -sum(delta) AS sold FROM stock_movements
         WHERE z IS NULL AND reason IN ('sale', 'amend', 'cancel')
         GROUP BY product_id HAVING sold > 0 ORDER BY sold DESC, product_id LIMIT ?1",
    )?;
    let rows = stmt
        .query_map([i64::try_from(n).unwrap_or(i64::MAX)], |r| Ok((ProductId(r.get(0)?), r.get::<_, i64>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .map(|(p, sold)| {
            let on_hand = levels.get(&p).copied().unwrap_or_default().on_hand();
            (p, sold, on_hand)
        })
        .collect())
}

/// The figures of every row no Z has closed yet, summed with checked arithmetic.
fn figures(
    conn: &rusqlite::Connection,
    ctx: &DayContext<'_>,
    now: Timestamp,
    kind: ReportKind,
    z: Option<u64>,
    closing: &Closing,
) -> Result<DayReport> {
    let overflow = |what: &str| StoreError::Decode(format!("the day's {what} does not fit in a number"));
    let add = |a: i64, b: i64, what: &str| a.checked_add(b).ok_or_else(|| overflow(what));
    let mut methods: BTreeMap<&'static str, (u64, i64)> = BTreeMap::new();
    let (mut tendered, mut change) = (0i64, 0i64);
    let mut accounts: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let mut late = 0u64;
    {
        let mut stmt = conn.prepare_cached(
            "SELECT p.method, p.amount_fen, p.tendered_fen, p.change_fen, p.reference, o.z IS NOT NULL
             FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.z IS NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let method: String = r.get(0)?;
            let method = PaymentMethod::parse(&method).ok_or_else(|| StoreError::Decode(format!("method {method}")))?;
            let amount: i64 = r.get(1)?;
            let entry = methods.entry(method.as_str()).or_default();
            entry.0 += 1;
            entry.1 = add(entry.1, amount, "sales")?;
            if method == PaymentMethod::Cash {
                tendered = add(tendered, r.get::<_, Option<i64>>(2)?.unwrap_or(amount), "cash taken")?;
                change = add(change, r.get(3)?, "change")?;
            }
            if method == PaymentMethod::OnAccount {
                let account: Option<String> = r.get(4)?;
                let e = accounts.entry(account.unwrap_or_default().trim().to_owned()).or_default();
                e.0 += 1;
                e.1 = add(e.1, amount, "on account")?;
            }
            if r.get::<_, bool>(5)? {
                late += 1;
            }
        }
    }
    let methods = METHODS
        .iter()
        .map(|m| {
            let (count, amount) = methods.get(m.as_str()).copied().unwrap_or_default();
            MethodTotal { method: *m, count, amount: Money(amount) }
        })
        .collect();
    let mut opening_float = 0i64;
    let mut cash_moves = Vec::new();
    {
        let mut stmt =
            conn.prepare_cached("SELECT kind, amount_fen, reason, at FROM cash_moves WHERE z IS NULL ORDER BY at, id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let kind: String = r.get(0)?;
            let amount: i64 = r.get(1)?;
            let at = time_from_sql(&r.get::<_, String>(3)?)?;
            match kind.as_str() {
                "float" => opening_float = add(opening_float, amount, "opening float")?,
                "in" => cash_moves.push(CashMove { amount: Money(amount), reason: r.get(2)?, at }),
                _ => cash_moves.push(CashMove { amount: Money(-amount), reason: r.get(2)?, at }),
            }
        }
    }
    let count = |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64) };
    let orders_placed = count("SELECT count(*) FROM orders WHERE z IS NULL")?;
    let orders_paid = count("SELECT count(*) FROM payments WHERE z IS NULL")?;
    let orders_amended =
        count("SELECT count(DISTINCT ref_id) FROM stock_movements WHERE z IS NULL AND reason = 'amend'")?;
    let not_picked_up = open_orders(conn)?;
    // The ledger is summed only for a quick count (an X report has none).
    let (sold, levels): (BTreeMap<ProductId, i64>, _) = if closing.counts.iter().any(|(_, n)| n.is_some()) {
        (fastest_movers(conn, usize::MAX)?.into_iter().map(|(p, s, _)| (p, s)).collect(), stock_levels(conn)?)
    } else {
        Default::default()
    };
    let stock = closing
        .counts
        .iter()
        .filter_map(|(p, n)| {
            n.map(|counted| StockCheck {
                product: p.clone(),
                name: (ctx.name_of)(p),
                sold: sold.get(p).copied().unwrap_or(0),
                expected: levels.get(p).copied().unwrap_or_default().on_hand(),
                counted,
            })
        })
        .collect();
    let report = DayReport {
        kind,
        terminal: ctx.terminal.to_owned(),
        market: ctx.market.clone(),
        date: now.to_zoned(ctx.tz.clone()).date(),
        z_number: z,
        at: now,
        orders_placed,
        orders_paid,
        orders_amended,
        methods,
        opening_float: Money(opening_float),
        cash_tendered: Money(tendered),
        change_given: Money(change),
        cash_moves,
        cash_counted: if kind == ReportKind::Z { closing.cash.total() } else { None },
        statements: closing.statements.clone(),
        on_account: accounts
            .into_iter()
            .map(|(account, (count, amount))| AccountLine { account, count, amount: Money(amount) })
            .collect(),
        not_picked_up,
        open_orders: closing.open_orders,
        stock,
        late_entries: late,
    };
    // Every total the paper prints must add up, or the report is refused in words.
    report.sales().map_err(|e| StoreError::Decode(e.to_string()))?;
    report.cash_difference().map_err(|e| StoreError::Decode(e.to_string()))?;
    checked_sum(report.not_picked_up.iter().map(|o| o.total), "orders not picked up")
        .map_err(|e| StoreError::Decode(e.to_string()))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::fixture::*;
    use warm_core::api::manager::{Received, ReceivedLine};

    fn ctx_parts() -> (Text, TimeZone) {
        (Text::new("峨海小区", "Ehai"), shanghai())
    }

    fn name_of(p: &ProductId) -> Text {
        Text::new(&p.0, &p.0)
    }

    fn close(store: &mut Store, closing: &Closing, now: Timestamp) -> Closed {
        let (market, tz) = ctx_parts();
        let ctx = DayContext { terminal: "K1", market: &market, tz: &tz, name_of: &name_of };
        store.close_day(closing, &ctx, now, |r| format!("Z{}", r.z_number.unwrap_or(0)).into_bytes()).unwrap()
    }

    fn x(store: &Store, now: Timestamp) -> DayReport {
        let (market, tz) = ctx_parts();
        let ctx = DayContext { terminal: "K1", market: &market, tz: &tz, name_of: &name_of };
        store.x_report(&ctx, now).unwrap()
    }

    fn stock_in(store: &mut Store, product: &str, n: i64, now: Timestamp) {
        let lines = vec![ReceivedLine { product: product.into(), expected: 0, received: n, reason: String::new() }];
        store.receive(&Received { id: Uuid::now_v7(), note: None, lines }, now).unwrap();
    }

    /// A small day: float ￥200, a cash sale (￥39.90 from ￥50), a WeChat sale, an order amended
    /// and paid on account, one order not picked up, ￥50 to the bank.
    fn small_day(store: &mut Store, now: Timestamp) -> Vec<warm_core::domain::Order> {
        store.cash_move(CashKind::Float, Money(20_000), "", Uuid::now_v7(), now).unwrap();
        stock_in(store, "rice", 20, now);
        pay(store, None, vec![line("rice", 3990, 1)], PaymentMethod::Cash, Some(5000), now);
        pay(store, None, vec![line("milk", 650, 1)], PaymentMethod::Wechat, None, now);
        let amended = place(store, vec![line("rice", 3990, 2)], now);
        pay(store, Some(&amended), vec![line("rice", 3990, 1)], PaymentMethod::OnAccount, None, now);
        let open = place(store, vec![line("rice", 3990, 3)], now);
        store.cash_move(CashKind::Out, Money(5_000), "交银行", Uuid::now_v7(), now).unwrap();
        vec![amended, open]
    }

    #[test]
    fn the_x_report_sums_payments_cash_and_open_orders() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T02:00:00Z");
        small_day(&mut store, now);
        let r = x(&store, now);
        assert_eq!((r.kind, r.z_number, r.date), (ReportKind::X, None, jiff::civil::date(2022, 5, 6)));
        assert_eq!((r.orders_placed, r.orders_paid, r.orders_amended), (4, 3, 1));
        assert_eq!(
            r.method(PaymentMethod::Cash),
            MethodTotal { method: PaymentMethod::Cash, count: 1, amount: Money(3990) }
        );
        assert_eq!(r.method(PaymentMethod::OnAccount).amount, Money(3990), "amended to one bag: paid at what was paid");
        assert_eq!(r.sales(), Ok(Money(3990 + 650 + 3990)));
        assert_eq!((r.opening_float, r.cash_tendered, r.change_given), (Money(20_000), Money(5000), Money(1010)));
        assert_eq!(r.cash_expected(), Ok(Money(20_000 + 5000 - 1010 - 5000)));
        assert_eq!(r.cash_counted, None);
        assert_eq!(r.on_account, vec![AccountLine { account: "3号楼".into(), count: 1, amount: Money(3990) }]);
        assert_eq!(r.not_picked_up.len(), 1);
        assert_eq!(r.not_picked_up[0].total, Money(3 * 3990));
    }

    #[test]
    fn closing_freezes_the_day_once_and_later_entries_go_to_the_next_report() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T09:00:00Z");
        small_day(&mut store, now);
        let mut closing = Closing { id: Uuid::now_v7(), ..Closing::default() };
        closing.cash.pieces = [1, 1, 1, 1, 1, 4, 0, 4]; // ￥189.40 against ￥189.90 expected
        closing.counts = vec![(ProductId::new("rice"), Some(16)), (ProductId::new("milk"), None)];
        store.save_draft(CLOSING_DRAFT, &closing, now).unwrap();
        let preview = {
            let (market, tz) = ctx_parts();
            let ctx = DayContext { terminal: "K1", market: &market, tz: &tz, name_of: &name_of };
            store.settlement_preview(&closing, &ctx, now).unwrap()
        };
        let closed = close(&mut store, &closing, now);
        let z = &closed.report;
        assert_eq!((z.kind, z.z_number), (ReportKind::Z, Some(1)));
        assert_eq!(z.cash_counted, Some(Money(18_940)));
        assert_eq!(z.cash_difference(), Ok(Some(Money(-50))), "a ￥0.50 shortfall");
        assert_eq!(preview.cash_difference(), z.cash_difference(), "the screens showed what the paper says");
        // Rice: 20 in, 1 + 1 sold, 3 set aside: 18 on hand; counted 16.
        assert_eq!(z.stock.len(), 1);
        assert_eq!((z.stock[0].expected, z.stock[0].counted, z.stock[0].difference()), (18, 16, -2));
        assert_eq!(store.stock_levels().unwrap()[&ProductId::new("rice")].on_hand(), 16);
        assert_eq!(store.draft::<Closing>(CLOSING_DRAFT).unwrap(), None);
        assert_eq!(closed.bytes, b"Z1");
        // Closing again with the same id (a second tap, a restart) is the same close.
        let again = close(&mut store, &closing, now);
        assert_eq!(again, closed);
        assert_eq!(kinds(&store, wire::DAY_CLOSED), 1);
        outbox_is_valid(&store);
        // The closed day cannot be changed, not even by hand.
        let conn = store.connection();
        for sql in [
            "UPDATE payments SET amount_fen = 1",
            "DELETE FROM stock_movements",
            "UPDATE cash_moves SET amount_fen = 1",
            "UPDATE day_closes SET report = ''",
            "DELETE FROM day_closes",
        ] {
            let e = conn.execute(sql, []).unwrap_err().to_string();
            assert!(e.contains("closed") || e.contains("final"), "{sql}: {e}");
        }
        // A correction after the close is a new entry in the next report.
        let later = now + jiff::SignedDuration::from_hours(1);
        let fix = crate::store::stock::NewMovement {
            product: ProductId::new("rice"),
            delta: 1,
            kind: warm_core::domain::stock::MovementKind::Correction,
            reason: "更正".into(),
            expected: None,
        };
        store.record_movements(&[fix], Role::Manager, None, later).unwrap();
        pay(&mut store, None, vec![line("milk", 650, 2)], PaymentMethod::Cash, Some(1300), later);
        let next = x(&store, later);
        assert_eq!((next.orders_placed, next.orders_paid), (1, 1));
        assert_eq!(next.sales(), Ok(Money(1300)));
        assert_eq!(next.opening_float, Money::ZERO);
        assert_eq!(next.not_picked_up.len(), 1, "kept for tomorrow");
        assert_eq!(store.z_report(None).unwrap(), Some(closed.clone()));
        assert_eq!(store.z_report(Some(jiff::civil::date(2022, 5, 6))).unwrap(), Some(closed));
        assert_eq!(store.z_report(Some(jiff::civil::date(2022, 5, 5))).unwrap(), None);
    }

    #[test]
    fn a_kept_order_is_paid_the_next_day_and_cancelled_orders_put_goods_back() {
        let (_d, mut store) = store();
        let day1 = at("2022-05-06T09:00:00Z");
        let orders = small_day(&mut store, day1);
        close(&mut store, &Closing { id: Uuid::now_v7(), ..Closing::default() }, day1);
        // Day 2: the kept order is picked up and paid, amended at the counter.
        let day2 = at("2022-05-07T03:00:00Z");
        let kept = &orders[1];
        pay(&mut store, Some(kept), vec![line("rice", 3990, 2)], PaymentMethod::Cash, Some(10_000), day2);
        let r = x(&store, day2);
        assert_eq!((r.orders_placed, r.orders_paid, r.orders_amended, r.late_entries), (0, 1, 1, 1));
        assert_eq!(r.method(PaymentMethod::Cash).amount, Money(7980));
        assert!(r.not_picked_up.is_empty());
        // Another order not picked up on day 2, cancelled at the close: its rice goes back.
        let rice = ProductId::new("rice");
        let before = store.stock(&rice).unwrap();
        let open = place(&mut store, vec![line("rice", 3990, 4)], day2);
        let closing = Closing { id: Uuid::now_v7(), open_orders: OpenOrdersChoice::Cancel, ..Closing::default() };
        let z = close(&mut store, &closing, day2).report;
        assert_eq!(z.z_number, Some(2));
        assert_eq!(z.not_picked_up.iter().map(|o| o.id).collect::<Vec<_>>(), vec![open.id]);
        assert_eq!(store.stock(&rice).unwrap(), before, "the goods are back on the shelf");
        assert_eq!(store.order(open.id).unwrap().unwrap().status, warm_core::domain::order::OrderStatus::Cancelled);
        assert_eq!(kinds(&store, wire::ORDER_CANCELLED), 1);
        outbox_is_valid(&store);
    }

    #[test]
    fn cash_amounts_out_of_range_are_refused_and_a_move_is_written_once() {
        let (_d, mut store) = store();
        let now = at("2022-05-06T02:00:00Z");
        assert!(store.cash_move(CashKind::In, Money(0), "x", Uuid::now_v7(), now).is_err());
        assert!(store.cash_move(CashKind::In, Money(wire::MAX_CASH_FEN + 1), "x", Uuid::now_v7(), now).is_err());
        let id = Uuid::now_v7();
        store.cash_move(CashKind::In, Money(1000), "补零钱", id, now).unwrap();
        store.cash_move(CashKind::In, Money(1000), "补零钱", id, now).unwrap();
        assert_eq!(x(&store, now).cash_in_out(), Ok(Money(1000)));
        assert_eq!(kinds(&store, wire::CASH_MOVED), 1);
    }
}
