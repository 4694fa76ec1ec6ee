//! The site manager's loop between real processes: restock requests from three markets' kiosks
//! reach a real `warm-hub serve` with `warm-kiosk sync once`, the desk runs `warm-hub van plan`
//! and confirms it, each kiosk pulls its market's dispatch note and one receives it with an item
//! short; every event arrives exactly once. And `warm-kiosk report x|z` on the command line.

use crate::support::*;
use jiff::Timestamp;
use uuid::Uuid;
use warm_core::api::manager::{self as wire, Received, ReceivedLine, RestockLine, RestockRequest};
use warm_core::domain::pin::Role;

fn request(lines: &[(&str, i64)]) -> RestockRequest {
    RestockRequest {
        id: Uuid::now_v7(),
        cycle_days: 2,
        lines: lines.iter().map(|(p, q)| RestockLine { product: (*p).into(), qty: *q, suggested: *q }).collect(),
    }
}

fn hub_kinds(dir: &std::path::Path, kind: &str) -> (i64, i64) {
    hub_db(dir)
        .query_row("SELECT count(*), count(DISTINCT id) FROM events WHERE kind = ?1", [kind], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
}

#[test]
fn restock_requests_of_three_markets_become_one_van_plan_whose_notes_are_pulled_and_received() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let demo = warm_kiosk::demo::catalog().unwrap().catalog;
    let (rice, oil, milk) = (&demo.products[0].id.0, &demo.products[1].id.0, &demo.products[2].id.0);
    let mut tokens = vec![hub_with_demo_catalog(&hub_dir, dir.path())];
    tokens.push(add_terminal(&hub_dir, "K2", "M2"));
    tokens.push(add_terminal(&hub_dir, "K3", "M3"));
    let hub = Hub::start(&hub_dir);
    let kiosks: Vec<Kiosk> = (0..3)
        .map(|i| {
            let id = format!("K{}", i + 1);
            Kiosk::new(&dir.path().join(&id), &id, &hub.url(), &tokens[i], 100)
        })
        .collect();
    let now = Timestamp::now();
    let requests = [request(&[(rice, 20), (oil, 6)]), request(&[(rice, 10)]), request(&[(milk, 24)])];
    for (kiosk, r) in kiosks.iter().zip(&requests) {
        assert!(kiosk.store().send_restock(r, now).unwrap());
        let (ok, out) = kiosk.sync_once();
        assert!(ok, "{out}");
    }
    let open = hub_cli(&hub_dir, &["restock", "list"]);
    assert_eq!(open.lines().count(), 3, "{open}");
    assert!(open.contains(&format!("{rice}×20")) && open.contains("[open]"), "{open}");

    hub_cli(&hub_dir, &["van", "route", "M3", "--van", "V1", "--stop", "1"]);
    hub_cli(&hub_dir, &["van", "route", "M1", "--van", "V1", "--stop", "2"]);
    hub_cli(&hub_dir, &["van", "route", "M2", "--van", "V2", "--stop", "1"]);
    let list = hub_cli(&hub_dir, &["van", "plan", "--date", "2022-05-07"]);
    assert!(list.contains("== 货车 Van V1 ==") && list.contains("== 货车 Van V2 =="), "{list}");
    let m1 = list.find("Stop 2: M1").unwrap_or_else(|| panic!("{list}"));
    assert!(list.find("Stop 1: M3").is_some_and(|m3| m3 < m1), "stops in order: {list}");
    let csv = hub_cli(&hub_dir, &["van", "plan", "--date", "2022-05-07", "--csv"]);
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    assert!(csv.contains(&format!("2022-05-07,V1,2,M1,{rice},")) && csv.contains(",20\n"), "{csv}");
    let confirmed = hub_cli(&hub_dir, &["van", "plan", "--date", "2022-05-07", "--confirm", "--csv"]);
    assert_eq!(confirmed, csv, "the confirmed plan is the one shown");
    assert_eq!(hub_cli(&hub_dir, &["restock", "list"]).trim(), "没有要货单 no restock requests");

    // Each kiosk pulls its own market's note; pulling again brings nothing new.
    for (i, kiosk) in kiosks.iter().enumerate() {
        for _ in 0..2 {
            let (ok, out) = kiosk.sync_once();
            assert!(ok, "{out}");
        }
        let notes = kiosk.store().open_dispatch_notes().unwrap();
        assert_eq!(notes.len(), 1, "K{}: {notes:?}", i + 1);
        assert_eq!(notes[0].requests, vec![requests[i].id]);
    }
    let note = kiosks[0].store().open_dispatch_notes().unwrap().remove(0);
    assert_eq!((note.market.as_str(), note.van.as_str(), note.stop), ("M1", "V1", 2));
    // K1 receives it: the rice is two bags short. Confirmed twice (a double tap): received once.
    let received = Received {
        id: Uuid::now_v7(),
        note: Some(note.id),
        lines: note
            .lines
            .iter()
            .map(|l| {
                let short = if &l.product == rice { 2 } else { 0 };
                let reason = if short > 0 { "少送" } else { "" };
                ReceivedLine {
                    product: l.product.clone(),
                    expected: l.qty,
                    received: l.qty - short,
                    reason: reason.into(),
                }
            })
            .collect(),
    };
    let mut store = kiosks[0].store();
    assert!(store.receive(&received, Timestamp::now()).unwrap());
    assert!(!store.receive(&received, Timestamp::now()).unwrap());
    assert!(store.open_dispatch_notes().unwrap().is_empty());
    let rice_id = warm_core::domain::ProductId::new(rice);
    assert_eq!(store.stock(&rice_id).unwrap(), 18);
    // A count the next morning, and a request of the same rice suggests nothing on its way.
    store.record_count(Uuid::now_v7(), &[(rice_id.clone(), 17)], Role::Manager, Timestamp::now()).unwrap();
    drop(store);
    for _ in 0..2 {
        let (ok, out) = kiosks[0].sync_once();
        assert!(ok, "{out}");
    }
    assert_eq!(kiosks[0].waiting(), 0);
    assert_eq!(hub_kinds(&hub_dir, wire::RESTOCK_REQUESTED), (3, 3));
    assert_eq!(hub_kinds(&hub_dir, wire::DELIVERY_RECEIVED), (1, 1));
    assert_eq!(hub_kinds(&hub_dir, wire::STOCK_MOVED), (3, 3), "rice and oil delivered, one count difference");
    let variance: i64 = hub_db(&hub_dir)
        .query_row(
            "SELECT json_extract(payload, '$.delta') FROM events WHERE kind = ?1 AND json_extract(payload, '$.kind') = 'count'",
            [wire::STOCK_MOVED],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(variance, -1);
    assert!(open_alarms(&hub_dir).is_empty(), "{:?}", open_alarms(&hub_dir));
}

#[test]
fn report_x_and_z_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", "", "", 100);
    let report = |args: &[&str]| {
        let out = kiosk.command(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, _, err) = report(&["report", "x"]);
    assert!(!ok && err.contains("nothing to report"), "{err}");
    let total = kiosk.make_orders(5);
    let (ok, out, err) = report(&["report", "x"]);
    assert!(ok, "{err}");
    assert!(out.contains("今日小结（X 报表）"), "{out}");
    assert!(out.contains("订单：下单 5 付款 0 改单 0"), "{out}");
    let open = out.lines().find(|l| l.starts_with("未取订单 5 张")).unwrap_or_else(|| panic!("{out}"));
    assert!(open.ends_with(&format!("￥{}.{:02}", total / 100, total % 100)), "{open}");
    let (ok, out, _) = report(&["report", "x", "--lang", "en"]);
    assert!(ok && out.contains("DAY SO FAR (X REPORT)"), "{out}");
    let (ok, _, err) = report(&["report", "z"]);
    assert!(!ok && err.contains("no day has been closed yet"), "{err}");
    let (ok, _, err) = report(&["report", "x", "--date", "2022-05-01"]);
    assert!(!ok && err.contains("report z --date 2022-05-01"), "{err}");
    // --print queues it for the print worker, nothing else changes.
    let waiting = kiosk.waiting();
    let (ok, _, err) = report(&["report", "x", "--print"]);
    assert!(ok, "{err}");
    let store = kiosk.store();
    let jobs = store.pending_print_jobs().unwrap();
    assert_eq!(jobs.iter().filter(|j| j.kind == "x_report").count(), 1);
    assert_eq!(store.outbox_len().unwrap(), waiting);
    drop(store);
    // The day closed by the settlement (as the manager's screens do it): its Z report again.
    let config = kiosk.loaded_config();
    let tz = config.time_zone().unwrap();
    let market = warm_core::domain::Text::new("峨海小区", "Ehai");
    let name_of = |p: &warm_core::domain::ProductId| warm_core::domain::Text::new(&p.0, &p.0);
    let ctx = warm_kiosk::store::day::DayContext { terminal: "K1", market: &market, tz: &tz, name_of: &name_of };
    let mut closing = warm_kiosk::store::day::Closing { id: Uuid::now_v7(), ..Default::default() };
    closing.cash.pieces[0] = 1; // ￥100 counted, nothing expected: ￥100 over
    let now = Timestamp::now();
    let profile = config.printer.profile();
    let closed = kiosk
        .store()
        .close_day(&closing, &ctx, now, |r| {
            warm_core::receipt::day_report::day_report(r, warm_core::domain::Lang::Zh, &profile, &tz)
        })
        .unwrap();
    let (ok, out, err) = report(&["report", "z"]);
    assert!(ok, "{err}");
    assert!(out.contains("日结报表（Z 报表）") && out.contains("长款 ￥100.00"), "{out}");
    let printed: Vec<String> =
        warm_core::receipt::day_report::printed_lines(&closed.bytes).into_iter().filter(|l| !l.is_empty()).collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), printed, "the command shows what the paper said");
    let date = now.to_zoned(tz).date().to_string();
    let (ok, again, _) = report(&["report", "z", "--date", &date]);
    assert!(ok && again == out);
    let (ok, _, err) = report(&["report", "z", "--date", "2022-05-01"]);
    assert!(!ok && err.contains("has not been closed"), "{err}");
}
