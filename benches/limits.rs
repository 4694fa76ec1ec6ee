//! The purchase-limit check behind one tap (issue 10), beside the same tap with limits off, in
//! one run: a kiosk store with 5,000 households, 50 limited products and 90 days of orders (half
//! placed at this kiosk, half heard from the market's other kiosk through the hub).
//!
//! Run: `cargo bench --profile dev --bench limits` (figures in docs/BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot go on should stop loudly

use jiff::{SignedDuration, Timestamp};
use std::time::Instant;
use warm_core::api::UsageEntry;
use warm_core::domain::{Cart, HouseholdId, LimitPeriod, Product};
use warm_kiosk::store::Store;

const HOUSEHOLDS: u64 = 5_000;
const LIMITED: usize = 50;
const DAYS: i64 = 90;
/// Orders a day at the market (the seed's market sold ~2,000 items a day: ~3 items an order).
const ORDERS_PER_DAY: i64 = 660;
const TAPS: usize = 5_000;

fn household(n: u64) -> HouseholdId {
    HouseholdId::parse(&format!("{}-{}-{}", 1 + n % 40, 1 + (n / 40) % 4, 101 + n / 160)).unwrap()
}

fn percentiles(mut us: Vec<f64>) -> (f64, f64) {
    us.sort_by(f64::total_cmp);
    (us[us.len() / 2], us[us.len() * 99 / 100])
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("kiosk.sqlite")).unwrap();
    let mut products: Vec<Product> = warm_kiosk::demo::catalog().unwrap().catalog.products;
    products.truncate(LIMITED);
    for (i, p) in products.iter_mut().enumerate() {
        p.limit_per_household = Some(2 + (i % 3) as u32);
        p.limit_period = [LimitPeriod::Day, LimitPeriod::Week, LimitPeriod::Cycle][i % 3];
    }
    let now = Timestamp::now();
    let mut rng = fastrand::Rng::with_seed(10);
    let started = Instant::now();
    let mut heard = Vec::new();
    {
        let conn = store.connection();
        conn.execute_batch("PRAGMA synchronous = OFF; BEGIN").unwrap();
        let mut order = conn
            .prepare(
                "INSERT INTO orders (id, terminal_id, seq, household_id, status, lang, created_at, slot_start, slot_end,
                                     total_fen, item_count) VALUES (?1, 'K1', ?2, ?3, 'paid', 'zh-CN', ?4, ?4, ?4, 0, 0)",
            )
            .unwrap();
        let mut line = conn
            .prepare(
                "INSERT INTO order_lines (order_id, line_no, product_id, name_zh, name_en, spec_zh, spec_en,
                                          unit_price_fen, qty) VALUES (?1, ?2, ?3, '', '', '', '', 100, ?4)",
            )
            .unwrap();
        let mut seq = 0i64;
        for day in 0..DAYS {
            for _ in 0..ORDERS_PER_DAY {
                let at = now - SignedDuration::from_hours(24 * day) - SignedDuration::from_secs(rng.i64(0..86_400));
                let id = uuid::Uuid::now_v7();
                let home = household(rng.u64(0..HOUSEHOLDS)).to_string();
                let lines: Vec<(String, u32)> =
                    (0..3).map(|_| (products[rng.usize(0..LIMITED)].id.0.clone(), rng.u32(1..3))).collect();
                let at_text = at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
                if seq % 2 == 0 {
                    seq += 1;
                    order.execute(rusqlite::params![id.to_string(), seq, home, at_text]).unwrap();
                    for (n, (p, q)) in lines.iter().enumerate() {
                        line.execute(rusqlite::params![id.to_string(), n as i64 + 1, p, q]).unwrap();
                    }
                } else {
                    seq += 1;
                    for (p, q) in lines {
                        heard.push(UsageEntry {
                            version: heard.len() as u64 + 1,
                            order_id: id,
                            terminal: "K2".into(),
                            household: home.clone(),
                            product: p,
                            qty: q,
                            at: at.to_string(),
                        });
                    }
                }
            }
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    let last = heard.len() as u64;
    store.apply_usage_page(&heard, last).unwrap();
    let orders = DAYS * ORDERS_PER_DAY;
    println!(
        "store: {HOUSEHOLDS} households, {LIMITED} limited products, {DAYS} days, {orders} orders ({} heard from K2), built in {:.1} s",
        orders / 2,
        started.elapsed().as_secs_f64()
    );

    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let mut unlimited = products.clone();
    for p in &mut unlimited {
        p.limit_per_household = None;
    }
    // One tap: + on a product for a household, the basket updated; with limits on, the
    // household's allowance for that product is checked against the store first.
    let tap = |products: &[Product], rng: &mut fastrand::Rng| -> f64 {
        let mut cart = Cart::default();
        let (home, p) = (household(rng.u64(0..HOUSEHOLDS)), &products[rng.usize(0..LIMITED)]);
        let start = Instant::now();
        let allowance = store.allowance(&home, p, cart.qty(&p.id), now, &tz).unwrap();
        if allowance.may_add_one() {
            cart.add(&p.id);
        }
        std::hint::black_box(&cart);
        start.elapsed().as_secs_f64() * 1e6
    };
    let (mut on, mut off) = (Vec::with_capacity(TAPS), Vec::with_capacity(TAPS));
    for _ in 0..TAPS {
        on.push(tap(&products, &mut rng));
        off.push(tap(&unlimited, &mut rng));
    }
    let (on50, on99) = percentiles(on);
    let (off50, off99) = percentiles(off);
    println!("## one tap, {TAPS} each, interleaved (p50 / p99)");
    println!("limits on   {on50:>9.1} µs / {on99:>9.1} µs");
    println!("limits off  {off50:>9.1} µs / {off99:>9.1} µs");

    // What the kiosk's screens do (issue 10, seniors' side): when the household is said, one
    // read of what it bought this period of every limited product (off the UI thread); each tap
    // then checks `Limits` in memory.
    const SAID: usize = 1_000;
    let mut said = Vec::with_capacity(SAID);
    let mut in_memory = Vec::with_capacity(TAPS);
    for _ in 0..SAID {
        let home = household(rng.u64(0..HOUSEHOLDS));
        let start = Instant::now();
        let bought = store.bought_this_period(&home, &products, now, &tz).unwrap();
        said.push(start.elapsed().as_secs_f64() * 1e6);
        let limits = warm_kiosk::store::households::Limits { on: true, household: Some(home), bought };
        for _ in 0..TAPS / SAID {
            let p = &products[rng.usize(0..LIMITED)];
            let mut cart = Cart::default();
            let start = Instant::now();
            if limits.allowance(p, cart.qty(&p.id)).may_add_one() {
                cart.add(&p.id);
            }
            std::hint::black_box(&cart);
            in_memory.push(start.elapsed().as_secs_f64() * 1e6);
        }
    }
    let (said50, said99) = percentiles(said);
    let (mem50, mem99) = percentiles(in_memory);
    println!("## the kiosk's screens: household said ({SAID}), then taps ({TAPS}) (p50 / p99)");
    println!("household said, 50 products read  {said50:>9.1} µs / {said99:>9.1} µs");
    println!("tap, checked in memory             {mem50:>9.1} µs / {mem99:>9.1} µs");
}
