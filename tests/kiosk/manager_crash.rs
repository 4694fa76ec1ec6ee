//! kill -9 in the middle of receiving the van and of the settlement: a child process drives the
//! real screens (as a manager would, looking at what the screen shows before each tap) and is
//! SIGKILLed at random moments; started again it resumes from the drafts. At the end the delivery
//! is booked once with exactly what arrived, and the day is closed once with exactly the cash
//! counted: nothing lost, nothing counted twice.

use crate::support::ChildRun;
use crate::tasks::settle;
use std::path::Path;
use std::time::Duration;
use warm_core::domain::day::{DENOMINATIONS, DayReport};
use warm_core::domain::pin::DEMO_MANAGER_PIN;
use warm_kiosk::kiosk;
use warm_kiosk::store::Store;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::manager::{self, Area, Step};
use warm_kiosk::ui::screen::{manager_receive, manager_settle, pin};
use warm_kiosk::ui::widget::numpad::Key;
use warm_kiosk::ui::{App, Message};

const ENV: &str = "WARM_MANAGER_CRASH_DIR";
const ROUNDS: usize = 25;
/// What arrives of the note's two lines (10 and 6 are listed).
const ARRIVED: [i64; 2] = [7, 5];
/// The cash counted, in pieces per denomination.
const PIECES: [u32; 8] = [3, 1, 4, 1, 5, 9, 2, 6];

fn m(app: &mut App, msg: manager::Message) {
    settle(app, Message::Manager(msg));
}

fn manager(app: &App) -> &manager::Manager {
    app.manager_screen().expect("in manager mode")
}

#[test]
#[ignore = "run by manager_crash::kill_9_while_receiving_and_settling_loses_and_doubles_nothing"]
fn manager_crash_child() {
    let Ok(dir) = std::env::var(ENV) else { return };
    let mut ctx = kiosk::context(warm_kiosk::config::Config::default(), Path::new(&dir)).unwrap();
    // Each message comes two seconds after the last, as a person's taps would: the screens'
    // settling after a change never holds one back.
    let (start, ticks) = (std::time::Instant::now(), std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)));
    ctx.now = std::sync::Arc::new(move || {
        start + Duration::from_secs(2 * ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    });
    let catalog = ctx.catalog.clone();
    let mut app = App::new(ctx);
    println!("READY");
    settle(&mut app, Message::Key(KeyPress::VolunteerShortcut));
    settle(&mut app, Message::Pin(pin::Message::Manager));
    for d in DEMO_MANAGER_PIN.bytes() {
        m(&mut app, manager::Message::PinKey(Key::Digit(d - b'0')));
    }
    m(&mut app, manager::Message::PinOk);
    m(&mut app, manager::Message::Open(Area::Receive));
    let open_notes = matches!(&manager(&app).step, Step::Receive(_))
        && !Store::open_read_only(&kiosk::store_path(Path::new(&dir)))
            .unwrap()
            .unwrap()
            .open_dispatch_notes()
            .unwrap()
            .is_empty();
    if open_notes {
        m(&mut app, manager::Message::Receive(manager_receive::Message::Choose(0)));
        for (i, want) in ARRIVED.iter().enumerate() {
            let ean = catalog.products[i].ean13.clone();
            loop {
                let Step::Receive(r) = &manager(&app).step else { panic!("not receiving") };
                let got = r.delivery().unwrap().lines[i].received;
                if got >= *want {
                    break;
                }
                m(&mut app, manager::Message::Scanned(Ok(ean.clone())));
                println!("SCANNED {i} {}", got + 1);
            }
        }
        m(&mut app, manager::Message::Receive(manager_receive::Message::Confirm));
        println!("RECEIVED");
    }
    m(&mut app, manager::Message::Menu);
    m(&mut app, manager::Message::Open(Area::Settle));
    let closing = |app: &App| match &manager(app).step {
        Step::Settle(s) => s.closing().cloned(),
        _ => None,
    };
    let Some(c) = closing(&app) else {
        // Closed already (the last run was killed right after the close): nothing to do again.
        println!("DONE");
        return;
    };
    if c.step == 0 {
        for (i, want) in PIECES.iter().enumerate() {
            if closing(&app).unwrap().cash.pieces[i] == *want {
                continue;
            }
            m(&mut app, manager::Message::Settle(manager_settle::Message::Select(i)));
            m(&mut app, manager::Message::Settle(manager_settle::Message::Key(Key::Clear)));
            for d in want.to_string().bytes() {
                m(&mut app, manager::Message::Settle(manager_settle::Message::Key(Key::Digit(d - b'0'))));
            }
            println!("TYPED {i}");
        }
    }
    while closing(&app).unwrap().step < manager_settle::STEPS.len() - 1 {
        m(&mut app, manager::Message::Settle(manager_settle::Message::Next));
        println!("STEP {}", closing(&app).unwrap().step);
    }
    m(&mut app, manager::Message::Settle(manager_settle::Message::Close));
    println!("DONE");
}

#[test]
fn kill_9_while_receiving_and_settling_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The van's note is in the store, as sync would leave it; the day has three orders.
    let note = {
        let ctx = kiosk::context(warm_kiosk::config::Config::default(), dir.path()).unwrap();
        let c = &ctx.catalog;
        let line = |i: usize, qty| warm_core::api::manager::DispatchLine {
            product: c.products[i].id.0.clone(),
            name_zh: c.products[i].name.zh.clone(),
            name_en: c.products[i].name.en.clone(),
            qty,
        };
        let note = warm_core::api::manager::DispatchNote {
            version: 1,
            id: uuid::Uuid::now_v7(),
            market: "M1".into(),
            date: "2022-05-06".into(),
            van: "V1".into(),
            stop: 2,
            lines: vec![line(0, 10), line(1, 6)],
            requests: vec![],
        };
        let mut store = ctx.store();
        store.apply_dispatch_page(std::slice::from_ref(&note), 1).unwrap();
        let mut slots = ctx.config.slot_policy();
        slots.orders_per_slot = u32::MAX;
        for i in 0..3 {
            let new = warm_kiosk::store::NewOrder {
                id: uuid::Uuid::now_v7(),
                terminal: "K1".into(),
                lang: warm_core::domain::Lang::Zh,
                household: None,
                lines: vec![warm_core::domain::OrderLine::of(&c.products[i], 1)],
            };
            store.place_order(new, jiff::Timestamp::now(), &slots, &ctx.time_zone, |_| Vec::new()).unwrap();
        }
        note
    };
    let run = || ChildRun::start("manager_crash::manager_crash_child", ENV, dir.path());
    let (mut interrupted, mut progress) = (0, Vec::new());
    for _ in 0..ROUNDS {
        let mut child = run();
        // Killed after a random number of the manager's steps, a random moment into the next one.
        let steps = fastrand::usize(0..8);
        let mut seen = 0;
        while let Some(line) = child.next_line() {
            let step = line.starts_with("SCANNED")
                || line.starts_with("TYPED")
                || line.starts_with("STEP")
                || line == "RECEIVED"
                || line == "READY";
            if step {
                seen += 1;
            }
            if line == "DONE" || seen > steps {
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(fastrand::u64(0..5_000)));
        let lines = child.kill();
        if !lines.iter().any(|l| l == "DONE") {
            interrupted += 1;
        }
        progress.extend(lines);
        if progress.iter().any(|l| l == "DONE") {
            break;
        }
    }
    // And once more to its end, whatever state the last kill left.
    assert!(run().finish(), "the last run did not finish");
    assert!(interrupted > 0, "no run was interrupted: nothing was tested");
    assert!(progress.iter().any(|l| l.starts_with("SCANNED") || l.starts_with("TYPED")), "{progress:?}");

    let store = Store::open(&kiosk::store_path(dir.path())).unwrap();
    store.integrity_check().unwrap();
    let c = store.connection();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    // The delivery: booked once, with exactly what arrived.
    assert_eq!(count("SELECT count(*) FROM deliveries"), 1);
    assert_eq!(count("SELECT count(*) FROM outbox WHERE kind = 'delivery.received'"), 1);
    for (i, line) in note.lines.iter().enumerate() {
        let delivered: i64 = c
            .query_row(
                "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE product_id = ?1 AND reason = 'delivery'",
                [&line.product],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(delivered, ARRIVED[i], "{}", line.product);
    }
    // The day: closed once, with exactly the cash counted; no draft left behind.
    assert_eq!(count("SELECT count(*) FROM day_closes"), 1);
    assert_eq!(count("SELECT count(*) FROM outbox WHERE kind = 'day.closed'"), 1);
    assert_eq!(count("SELECT count(*) FROM drafts"), 0);
    let report: String = c.query_row("SELECT report FROM day_closes", [], |r| r.get(0)).unwrap();
    let z: DayReport = serde_json::from_str(&report).unwrap();
    let counted: i64 = DENOMINATIONS.iter().zip(PIECES).map(|(fen, n)| fen * i64::from(n)).sum();
    assert_eq!(z.cash_counted.map(|m| m.as_fen()), Some(counted));
    assert_eq!(z.orders_placed, 3);
}
