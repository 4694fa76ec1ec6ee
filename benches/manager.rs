//! Benchmarks of the site manager's day (figures go in docs/BENCHMARKS.md), side by side in one run:
//! 1. the day's figures (X report) over a day of 2,000 orders and their payments, beside a plain
//!    SQL `sum()` over the same payments; encoding the report at 58 and 80 mm; closing the day
//!    (figures, stamps, print job and event in one transaction);
//! 2. the restock suggestion for 1,000 products over 30 days of sales, beside a plain SQL
//!    `sum()` over the same sales.
//!
//! Run: `cargo bench --bench manager`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot go on should stop loudly

use jiff::{SignedDuration, Timestamp};
use std::time::{Duration, Instant};
use uuid::Uuid;
use warm_core::domain::day::DayReport;
use warm_core::domain::{Lang, Money, OrderLine, PaymentMethod, ProductId, Text};
use warm_core::receipt::day_report::day_report;
use warm_core::receipt::{Paper, PaperProfile};
use warm_kiosk::config::Config;
use warm_kiosk::store::day::{Closing, DayContext};
use warm_kiosk::store::payments::{NewPayment, SaleToPay};
use warm_kiosk::store::{NewOrder, Store};

const RUNS: usize = 7;
const ORDERS: usize = 2000;
const PRODUCTS: usize = 1000;
const DAYS: i64 = 30;

fn main() {
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    day(work.path());
    restock(work.path());
}

fn median(mut f: impl FnMut() -> Duration) -> (f64, f64) {
    let mut times: Vec<Duration> = (0..RUNS).map(|_| f()).collect();
    times.sort();
    (ms(times[RUNS / 2]), ms(times[0]))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn day(dir: &std::path::Path) {
    let mut store = Store::open(&dir.join("day.sqlite")).unwrap();
    // Only to build the day quickly: the kiosk itself runs with synchronous=FULL.
    store.connection().pragma_update(None, "synchronous", "OFF").unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut slots = Config::default().slot_policy();
    slots.orders_per_slot = u32::MAX;
    let now: Timestamp = "2022-05-06T02:00:00Z".parse().unwrap();
    for i in 0..ORDERS {
        let lines: Vec<OrderLine> = (0..1 + i % 3)
            .map(|j| OrderLine::of(&catalog.products[(i * 7 + j * 5) % catalog.products.len()], 1 + (j % 2) as u32))
            .collect();
        let new = NewOrder { id: Uuid::now_v7(), terminal: "K1".into(), lang: Lang::Zh, household: None, lines };
        let order = store.place_order(new, now, &slots, &tz, |_| vec![0u8; 900]).unwrap().order;
        // All but the last 100 are picked up and paid, every 20th amended (one line fewer).
        if i >= ORDERS - 100 {
            continue;
        }
        let mut lines = order.lines.clone();
        if i % 20 == 0 && lines.len() > 1 {
            lines.pop();
        }
        let amount: Money = lines.iter().map(OrderLine::total).sum();
        let method =
            [PaymentMethod::Cash, PaymentMethod::Wechat, PaymentMethod::Alipay, PaymentMethod::OnAccount][i % 4];
        let payment = NewPayment {
            id: Uuid::now_v7(),
            method,
            tendered: (method == PaymentMethod::Cash).then_some(Money((amount.as_fen() + 999) / 1000 * 1000)),
            reference: (method != PaymentMethod::Cash).then(|| format!("{}", i % 7)),
        };
        let sale = SaleToPay { order_id: order.id, recalled: true, terminal: "K1".into(), lang: Lang::Zh, lines };
        store.pay(sale, payment, now, |_, _| vec![0u8; 1200]).unwrap();
    }
    let count = |sql: &str| -> i64 { store.connection().query_row(sql, [], |r| r.get(0)).unwrap() };
    println!(
        "## the day's figures: {} orders, {} payments, {} stock movements, {} outbox events",
        count("SELECT count(*) FROM orders"),
        count("SELECT count(*) FROM payments"),
        count("SELECT count(*) FROM stock_movements"),
        count("SELECT count(*) FROM outbox")
    );
    let market = Text::new("峨海小区", "Ehai");
    let name_of = |p: &ProductId| Text::new(&p.0, &p.0);
    let ctx = DayContext { terminal: "K1", market: &market, tz: &tz, name_of: &name_of };
    let mut report: Option<DayReport> = None;
    let figures = median(|| {
        let (r, t) = timed(|| store.x_report(&ctx, now).unwrap());
        report = Some(r);
        t
    });
    let report = report.unwrap();
    let plain = median(|| {
        timed(|| {
            let mut stmt = store
                .connection()
                .prepare_cached("SELECT method, count(*), sum(amount_fen) FROM payments GROUP BY method")
                .unwrap();
            let rows: Vec<(String, i64, i64)> =
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
            rows
        })
        .1
    });
    let plain_sales: i64 =
        store.connection().query_row("SELECT sum(amount_fen) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(report.sales().unwrap().as_fen(), plain_sales, "the figures and the plain sum agree");
    println!("X report figures (every total of the report)   median {:>8.2} ms  min {:>8.2} ms", figures.0, figures.1);
    println!("plain SQL: count/sum of payments by method     median {:>8.2} ms  min {:>8.2} ms", plain.0, plain.1);
    for paper in [Paper::Mm58, Paper::Mm80] {
        let profile = PaperProfile { paper, ..PaperProfile::default() };
        let mut size = 0;
        let encode = median(|| {
            let (bytes, t) = timed(|| day_report(&report, Lang::Zh, &profile, &tz));
            size = bytes.len();
            t
        });
        println!(
            "encode the report, {:?} ({size} bytes)             median {:>8.3} ms  min {:>8.3} ms",
            paper, encode.0, encode.1
        );
    }
    let closing = Closing { id: Uuid::now_v7(), ..Closing::default() };
    let profile = PaperProfile::default();
    let (_, close) =
        timed(|| store.close_day(&closing, &ctx, now, |r| day_report(r, Lang::Zh, &profile, &tz)).unwrap());
    println!("close the day (figures, stamps, job, event; once) {:>8.2} ms", ms(close));
}

fn restock(dir: &std::path::Path) {
    let store = Store::open(&dir.join("restock.sqlite")).unwrap();
    let products: Vec<ProductId> = (0..PRODUCTS).map(|i| ProductId::new(format!("p{i:04}"))).collect();
    let now: Timestamp = "2022-05-31T02:00:00Z".parse().unwrap();
    // 30 days of sales: each product sold a few times a day, and one delivery each (the ledger
    // rows the kiosk writes; made here with one statement for speed).
    {
        let conn = store.connection();
        conn.execute_batch("BEGIN").unwrap();
        let mut insert = conn
            .prepare("INSERT INTO stock_movements (id, product_id, delta, reason, ref_id, at) VALUES (?1, ?2, ?3, ?4, NULL, ?5)")
            .unwrap();
        for (i, p) in products.iter().enumerate() {
            let at = (now - SignedDuration::from_hours(24 * DAYS)).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            // Enough for the month and five more: most products then want a restock.
            let daily: i64 = (0..(i % 4) as i64).map(|s| 1 + s).sum();
            insert
                .execute(rusqlite::params![Uuid::now_v7().to_string(), p.0, daily * DAYS + 5, "delivery", at])
                .unwrap();
            for d in 0..DAYS {
                for s in 0..(i % 4) as i64 {
                    let at = now - SignedDuration::from_hours(24 * d + 1 + s);
                    let at = at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                    insert.execute(rusqlite::params![Uuid::now_v7().to_string(), p.0, -1 - s, "sale", at]).unwrap();
                }
            }
        }
        drop(insert);
        conn.execute_batch("COMMIT").unwrap();
    }
    let rows: i64 = store.connection().query_row("SELECT count(*) FROM stock_movements", [], |r| r.get(0)).unwrap();
    println!("\n## restock suggestion: {PRODUCTS} products, {DAYS} days of sales ({rows} ledger rows)");
    let mut lines = Vec::new();
    let suggest = median(|| {
        let (l, t) = timed(|| store.restock_suggestions(&products, now, 2, DAYS as u32, |_| 6).unwrap());
        lines = l;
        t
    });
    let since = (now - SignedDuration::from_hours(24 * DAYS)).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let plain = median(|| {
        timed(|| {
            let mut stmt = store
                .connection()
                .prepare_cached(
                    "SELECT product_id, sum(delta) FROM stock_movements WHERE reason = 'sale' AND at >= ?1 GROUP BY product_id",
                )
                .unwrap();
            let rows: Vec<(String, i64)> =
                stmt.query_map([&since], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
            rows
        })
        .1
    });
    let asked = lines.iter().filter(|l| l.suggested > 0).count();
    println!(
        "restock suggestions (sales by day, stock, on its way, packs) median {:>8.2} ms  min {:>8.2} ms  ({asked} products to ask for)",
        suggest.0, suggest.1
    );
    println!(
        "plain SQL: sum of sales by product                         median {:>8.2} ms  min {:>8.2} ms",
        plain.0, plain.1
    );
}
