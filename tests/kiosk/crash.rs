//! Crash safety: a child process places orders in a loop and is SIGKILLed at random moments.
//! Every order it reported committed must be in the file, complete; none may be partial.

use crate::support::ChildRun;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;
use uuid::Uuid;
use warm_core::domain::{Lang, OrderLine, SlotPolicy};
use warm_kiosk::store::{NewOrder, Store};

const KILLS: usize = 60;
const ENV: &str = "WARM_CRASH_CHILD_DB";

/// The child: only runs when the parent test starts this binary with the database path set.
#[test]
#[ignore = "run by crash::orders_survive_sigkill as a child process"]
fn crash_child_places_orders() {
    let Ok(path) = std::env::var(ENV) else { return };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let policy: SlotPolicy = warm_kiosk::config::Config::default().slot_policy();
    let mut out = std::io::stdout().lock();
    for n in 0.. {
        let lines: Vec<OrderLine> = (0..1 + n % 4)
            .map(|i| {
                let p = &catalog.products[(n * 7 + i * 3) % catalog.products.len()];
                OrderLine::of(p, 1 + i as u32)
            })
            .collect();
        let new = NewOrder { id: Uuid::now_v7(), terminal: "K9".into(), lang: Lang::Zh, household: None, lines };
        let placed =
            store.place_order(new, jiff::Timestamp::now(), &policy, &tz, |o| o.slip_payload().into_bytes()).unwrap();
        // Reported only after COMMIT returned: the parent holds us to every line we print.
        writeln!(out, "COMMITTED {} {} {}", placed.order.id, placed.order.lines.len(), placed.order.total().as_fen())
            .unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn orders_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let mut reported: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for round in 0..KILLS {
        let child = ChildRun::start("crash::crash_child_places_orders", ENV, &db);
        // Random moments, some early (during open/migrate), most mid-loop.
        std::thread::sleep(Duration::from_millis(fastrand::u64(if round % 5 == 0 { 1..15 } else { 20..120 })));
        for line in child.kill() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.first() != Some(&"COMMITTED") {
                continue;
            }
            let (Some(id), Some(lines), Some(total)) = (parts.get(1), parts.get(2), parts.get(3)) else { continue };
            reported.insert(id.parse().unwrap(), (lines.parse().unwrap(), total.parse().unwrap()));
        }
    }
    assert!(reported.len() > KILLS, "the child committed too few orders ({}) to mean anything", reported.len());

    let store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    for (id, (lines, total)) in &reported {
        let order = store.order(*id).unwrap().unwrap_or_else(|| panic!("committed order {id} lost"));
        assert_eq!(order.lines.len() as i64, *lines, "order {id} incomplete");
        assert_eq!(order.total().as_fen(), *total);
    }
    // No partial order anywhere: every order has lines adding up to its total, a print job and
    // an outbox event; every line belongs to an order.
    let c = store.connection();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let orders = count("SELECT count(*) FROM orders");
    assert!(orders >= reported.len() as i64);
    assert_eq!(
        count(
            "SELECT count(*) FROM orders o WHERE total_fen = (SELECT sum(unit_price_fen * qty) FROM order_lines WHERE order_id = o.id)"
        ),
        orders
    );
    assert_eq!(count("SELECT count(DISTINCT order_id) FROM print_jobs"), orders);
    assert_eq!(count("SELECT count(*) FROM outbox"), orders);
    assert_eq!(count("SELECT count(*) FROM order_lines WHERE order_id NOT IN (SELECT id FROM orders)"), 0);
    // Order numbers are unique and gap-free: a killed transaction never burns or repeats one.
    assert_eq!(count("SELECT max(seq) FROM orders"), orders);
}
