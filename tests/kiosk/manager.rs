//! The site manager's screens driven through the real root (`Kiosk::update`, iced_test): the
//! manager's PIN and its pause across a restart, the size rules on every screen in both
//! languages, receiving the van by scanning, a count, a restock request, cash, the X report, the
//! guided settlement to a printed Z report, and the lock after a quiet time.

use crate::layout::check;
use crate::support::{Kiosk, NOW, kiosk, simulator};
use jiff::Timestamp;
use std::sync::Arc;
use warm_core::api::manager as wire;
use warm_core::domain::ProductId;
use warm_core::domain::pin::DEMO_MANAGER_PIN;
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::ui::App;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::manager::{self, Area};
use warm_kiosk::ui::screen::{
    manager_cash, manager_count, manager_receive, manager_restock, manager_settle, manager_stock, pin,
};
use warm_kiosk::ui::theme;
use warm_kiosk::ui::widget::numpad::Key;

pub fn m(k: &mut Kiosk, msg: manager::Message) {
    k.update(Message::Manager(msg));
}

pub fn type_digits(k: &mut Kiosk, digits: &str, wrap: impl Fn(Key) -> manager::Message) {
    for d in digits.bytes() {
        m(k, wrap(Key::Digit(d - b'0')));
    }
}

/// From the seniors' screens to the manager's menu, through the volunteer's pad and 暖当家.
pub fn enter_manager(k: &mut Kiosk, pin_digits: &str) {
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    k.update(Message::Pin(pin::Message::Manager));
    type_digits(k, pin_digits, manager::Message::PinKey);
    m(k, manager::Message::PinOk);
}

fn picture(k: &Kiosk, name: &str) {
    let snapshot = simulator(&k.app).snapshot(&theme::theme()).unwrap();
    let path = format!("{}/target/manager-{name}.png", env!("CARGO_MANIFEST_DIR"));
    let _ = std::fs::remove_file(path.replace(".png", "-tiny-skia.png"));
    let _ = snapshot.matches_image(&path);
}

/// A dispatch note for the demo market's rice and flour, pulled as sync would.
pub fn note_arrives(k: &Kiosk) -> warm_core::api::manager::DispatchNote {
    let c = &k.ctx.catalog;
    let (rice, flour) = (c.products[0].id.clone(), c.products[1].id.clone());
    note_arrives_with(k, &[(&rice, 10), (&flour, 6)])
}

/// A dispatch note of these products and quantities, pulled as sync would.
pub fn note_arrives_with(k: &Kiosk, lines: &[(&ProductId, i64)]) -> warm_core::api::manager::DispatchNote {
    let c = &k.ctx.catalog;
    let note = warm_core::api::manager::DispatchNote {
        version: 1,
        id: uuid::Uuid::now_v7(),
        market: "M1".into(),
        date: "2022-05-06".into(),
        van: "V1".into(),
        stop: 2,
        lines: lines
            .iter()
            .map(|(p, qty)| {
                let product = c.product(p).unwrap();
                warm_core::api::manager::DispatchLine {
                    product: p.0.clone(),
                    name_zh: product.name.zh.clone(),
                    name_en: product.name.en.clone(),
                    qty: *qty,
                }
            })
            .collect(),
        requests: vec![],
    };
    k.ctx.store().apply_dispatch_page(std::slice::from_ref(&note), 1).unwrap();
    note
}

/// The manager's screens as pictures in target/manager-*.png, to look at.
#[test]
#[ignore]
fn write_manager_pictures() {
    let mut k = kiosk();
    note_arrives(&k);
    crate::manager_day::sell_some(&mut k, 5);
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    picture(&k, "menu");
    m(&mut k, manager::Message::Open(Area::Stock));
    picture(&k, "stock");
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Receive));
    picture(&k, "receive-choose");
    m(&mut k, manager::Message::Receive(manager_receive::Message::Choose(0)));
    m(&mut k, manager::Message::Receive(manager_receive::Message::More(0)));
    picture(&k, "receive-lines");
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Count));
    picture(&k, "count");
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Restock));
    picture(&k, "restock");
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Cash));
    type_digits(&mut k, "200", |key| manager::Message::Cash(manager_cash::Message::Key(key)));
    picture(&k, "cash");
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Settle));
    for i in 0..6 {
        picture(&k, &format!("settle-{i}"));
        m(&mut k, manager::Message::Settle(manager_settle::Message::Next));
    }
}

fn scan(k: &mut Kiosk, code: &str) {
    k.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
}

fn shows_pin(k: &Kiosk) -> bool {
    k.app.manager_screen().is_some_and(|m| m.locked())
}

/// The same kiosk started again on its data folder: nothing of the last run is in memory.
fn restart(k: &mut Kiosk, at: Timestamp) {
    k.ctx.clock = Arc::new(move || at);
    k.app = App::new(k.ctx.clone());
}

fn outbox(k: &Kiosk, kind: &str) -> Vec<serde_json::Value> {
    let store = k.ctx.store();
    let mut stmt = store.connection().prepare("SELECT payload FROM outbox WHERE kind = ?1 ORDER BY seq").unwrap();
    stmt.query_map([kind], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|p| serde_json::from_str(&p.unwrap()).unwrap())
        .collect()
}

#[test]
fn the_managers_pin_is_its_own_and_its_pause_survives_a_restart() {
    let mut k = kiosk();
    // The volunteer's PIN does not open the manager's mode.
    enter_manager(&mut k, warm_core::domain::pin::DEMO_PIN);
    assert!(shows_pin(&k));
    assert!(k.shows("密码不对，还可以试 2 次"));
    assert!(k.shows("演示密码，请修改"), "the demo PIN is said on the manager's pad");
    for _ in 0..2 {
        type_digits(&mut k, "000000", manager::Message::PinKey);
        m(&mut k, manager::Message::PinOk);
    }
    assert!(k.shows("错误次数太多，请 30 秒后再试"));
    // Pulling the plug does not end the pause: the right PIN is refused after a restart.
    let now: Timestamp = NOW.parse().unwrap();
    restart(&mut k, now + std::time::Duration::from_secs(10));
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    assert!(shows_pin(&k));
    assert!(k.shows("错误次数太多，请 20 秒后再试"));
    restart(&mut k, now + std::time::Duration::from_secs(31));
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    assert!(!shows_pin(&k));
    assert!(k.shows("暖当家 · 今天要做什么？"));
    m(&mut k, manager::Message::Leave);
    assert!(k.app.volunteer().is_none());
}

#[test]
fn manager_screens_meet_the_size_rules_in_both_languages() {
    for english in [false, true] {
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        note_arrives(&k);
        crate::manager_day::sell_some(&mut k, 3);
        k.update(Message::Key(KeyPress::VolunteerShortcut));
        check(&k, "volunteer pad with 暖当家");
        k.update(Message::Pin(pin::Message::Manager));
        check(&k, "manager pad");
        type_digits(&mut k, DEMO_MANAGER_PIN, manager::Message::PinKey);
        m(&mut k, manager::Message::PinOk);
        check(&k, "menu");
        let open = |k: &mut Kiosk, area| {
            m(k, manager::Message::Menu);
            m(k, manager::Message::Open(area));
        };
        open(&mut k, Area::Stock);
        check(&k, "stock");
        let first = k.ctx.catalog.products[0].id.clone();
        m(&mut k, manager::Message::Stock(manager_stock::Message::Spoil(first)));
        check(&k, "spoilage");
        open(&mut k, Area::Receive);
        check(&k, "receive: notes");
        m(&mut k, manager::Message::Receive(manager_receive::Message::Choose(0)));
        scan(&mut k, "6952022100012");
        check(&k, "receive: lines");
        m(&mut k, manager::Message::Receive(manager_receive::Message::AddProduct));
        check(&k, "receive: add a product");
        open(&mut k, Area::Count);
        check(&k, "count");
        open(&mut k, Area::Restock);
        check(&k, "restock");
        open(&mut k, Area::Cash);
        m(&mut k, manager::Message::Cash(manager_cash::Message::Kind(wire::CashKind::Out)));
        check(&k, "cash out");
        open(&mut k, Area::Settle);
        for step in 0..6 {
            check(&k, &format!("settlement step {}", step + 1));
            m(&mut k, manager::Message::Settle(manager_settle::Message::Next));
        }
        m(&mut k, manager::Message::Settle(manager_settle::Message::Close));
        check(&k, "day closed");
    }
}

#[test]
fn the_van_is_received_by_scanning_and_booked_once() {
    let mut k = kiosk();
    let note = note_arrives(&k);
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    m(&mut k, manager::Message::Open(Area::Receive));
    assert!(k.shows("配送单 V1 第 2 站 · 2022-05-06"));
    m(&mut k, manager::Message::Receive(manager_receive::Message::Choose(0)));
    let (rice, flour) = (&k.ctx.catalog.products[0], &k.ctx.catalog.products[1]);
    let (rice_ean, flour_ean, rice_id, flour_id) =
        (rice.ean13.clone(), flour.ean13.clone(), rice.id.clone(), flour.id.clone());
    for _ in 0..8 {
        scan(&mut k, &rice_ean);
    }
    for _ in 0..6 {
        scan(&mut k, &flour_ean);
    }
    assert!(k.shows("少了 2") && k.shows("原因：少送") && k.shows("相符"));
    // Two bags came broken, not missing: one tap on the reason.
    m(&mut k, manager::Message::Receive(manager_receive::Message::Reason(0)));
    assert!(k.shows("原因：破损"));
    // A scan of goods the note does not list adds a line of its own.
    let milk = k.ctx.catalog.products.iter().find(|p| p.id.0.contains("milk")).unwrap().clone();
    scan(&mut k, &milk.ean13);
    m(&mut k, manager::Message::Receive(manager_receive::Message::Confirm));
    assert!(k.shows("已收货，库存已更新"));
    // A second 确认 (a double tap) after it went through does nothing more.
    m(&mut k, manager::Message::Receive(manager_receive::Message::Confirm));
    let store = k.ctx.store();
    assert_eq!(store.stock(&rice_id).unwrap(), 8);
    assert_eq!(store.stock(&flour_id).unwrap(), 6);
    assert_eq!(store.stock(&milk.id).unwrap(), 1);
    assert!(store.open_dispatch_notes().unwrap().is_empty());
    assert_eq!(
        store.draft::<serde_json::Value>(&warm_kiosk::store::stock::receiving_key(Some(note.id))).unwrap(),
        None
    );
    drop(store);
    let received = outbox(&k, wire::DELIVERY_RECEIVED);
    assert_eq!(received.len(), 1);
    let lines = received[0]["lines"].as_array().unwrap();
    assert_eq!(lines[0]["expected"], 10);
    assert_eq!(lines[0]["received"], 8);
    assert_eq!(lines[0]["reason"], "破损");
    assert_eq!(lines[2]["expected"], 0);
    assert_eq!(outbox(&k, wire::STOCK_MOVED).len(), 3);
}

#[test]
fn a_count_a_spoilage_a_restock_request_and_the_float() {
    let mut k = kiosk();
    let products: Vec<ProductId> =
        k.ctx.catalog.categories.iter().flat_map(|c| k.ctx.catalog.in_category(&c.id)).map(|p| p.id.clone()).collect();
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    // The count: 12 of the first product, the second skipped, 3 of the third.
    m(&mut k, manager::Message::Open(Area::Count));
    assert!(k.shows("第 1/56 个 · 已数 0 样"));
    let count = |k: &mut Kiosk, msg| m(k, manager::Message::Count(msg));
    type_digits(&mut k, "12", |key| manager::Message::Count(manager_count::Message::Key(key)));
    count(&mut k, manager_count::Message::Next);
    count(&mut k, manager_count::Message::Next);
    type_digits(&mut k, "3", |key| manager::Message::Count(manager_count::Message::Key(key)));
    count(&mut k, manager_count::Message::Finish);
    assert!(k.shows("盘点完成，差异已记为更正"));
    let levels = k.ctx.store().stock_levels().unwrap();
    assert_eq!(levels[&products[0]].available(), Some(12));
    assert_eq!(levels[&products[2]].available(), Some(3));
    assert!(!levels.contains_key(&products[1]), "a product not counted is left alone");
    // Two of the first product went bad.
    m(&mut k, manager::Message::Open(Area::Stock));
    assert!(k.shows("可卖 12"));
    m(&mut k, manager::Message::Stock(manager_stock::Message::Spoil(products[0].clone())));
    m(&mut k, manager::Message::Spoil(manager_stock::SpoilMessage::More));
    m(&mut k, manager::Message::Spoil(manager_stock::SpoilMessage::Save));
    assert!(k.shows("可卖 10"), "back on the stock list with the new figure");
    // A restock request: the first product sold 10 a day for a week (picked up and paid)
    // suggests 20 for the two days until the van, minus the 10 on the shelf.
    {
        let mut store = k.ctx.store();
        let product = k.ctx.catalog.product(&products[0]).unwrap();
        let now: Timestamp = NOW.parse().unwrap();
        for day in 1..=7 {
            let at = now - jiff::SignedDuration::from_hours(24 * day - 1);
            let sale = warm_kiosk::store::payments::SaleToPay {
                order_id: uuid::Uuid::now_v7(),
                recalled: false,
                terminal: "K1".into(),
                lang: warm_core::domain::Lang::Zh,
                lines: vec![warm_core::domain::OrderLine::of(product, 10)],
            };
            let payment = warm_kiosk::store::payments::NewPayment {
                id: uuid::Uuid::now_v7(),
                method: warm_core::domain::PaymentMethod::Wechat,
                tendered: None,
                reference: Some("wx".into()),
            };
            store.pay(sale, payment, at, |_, _| Vec::new()).unwrap();
        }
        let id = uuid::Uuid::now_v7();
        store.record_count(id, &[(products[0].clone(), 10)], warm_core::domain::pin::Role::Manager, now).unwrap();
    }
    m(&mut k, manager::Message::Menu);
    m(&mut k, manager::Message::Open(Area::Restock));
    assert!(k.shows("建议 10"), "{:?}", k.texts().iter().map(|t| t.0.clone()).collect::<Vec<_>>());
    m(&mut k, manager::Message::Restock(manager_restock::Message::More(0)));
    m(&mut k, manager::Message::Restock(manager_restock::Message::Send));
    assert!(k.shows("要货单已发送（联网时上传）"));
    let sent = outbox(&k, wire::RESTOCK_REQUESTED);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["lines"][0]["product"], products[0].0.as_str());
    assert_eq!((sent[0]["lines"][0]["qty"].as_i64(), sent[0]["lines"][0]["suggested"].as_i64()), (Some(11), Some(10)));
    // The opening float: ￥200.
    m(&mut k, manager::Message::Open(Area::Cash));
    type_digits(&mut k, "200", |key| manager::Message::Cash(manager_cash::Message::Key(key)));
    m(&mut k, manager::Message::Cash(manager_cash::Message::Save));
    assert!(k.shows("现金已记下"));
    let floats = outbox(&k, wire::CASH_MOVED);
    assert_eq!(
        (floats.len(), floats[0]["kind"].as_str(), floats[0]["amount_fen"].as_i64()),
        (1, Some("float"), Some(20_000))
    );
    // The X report goes to the printer; nothing of the day changes.
    let waiting = k.ctx.store().outbox_len().unwrap();
    m(&mut k, manager::Message::PrintX);
    assert!(k.shows("报表已送去打印"));
    let store = k.ctx.store();
    assert_eq!(store.outbox_len().unwrap(), waiting);
    let printed: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM print_jobs WHERE kind = 'x_report'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(printed, 1);
}

#[test]
fn the_mode_locks_after_the_quiet_time_and_the_work_waits_behind_the_pin() {
    let mut k = kiosk();
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    m(&mut k, manager::Message::Open(Area::Count));
    type_digits(&mut k, "7", |key| manager::Message::Count(manager_count::Message::Key(key)));
    m(&mut k, manager::Message::Count(manager_count::Message::Next));
    assert!(k.shows("第 2/56 个 · 已数 1 样"));
    let later = std::time::Instant::now() + std::time::Duration::from_secs(181);
    k.update(Message::Tick(later));
    assert!(shows_pin(&k));
    assert!(k.shows("已锁定，请重新输入密码"));
    type_digits(&mut k, DEMO_MANAGER_PIN, manager::Message::PinKey);
    m(&mut k, manager::Message::PinOk);
    assert!(k.shows("第 2/56 个 · 已数 1 样"), "the count goes on where it was");
    // The count's draft is in the store: leaving and opening the count again resumes it.
    m(&mut k, manager::Message::Leave);
    assert!(k.app.volunteer().is_none());
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    m(&mut k, manager::Message::Open(Area::Count));
    assert!(k.shows("第 2/56 个 · 已数 1 样"));
}

/// Issue 14: the doctor's checks on the site manager's screen, one line each with ✓ or ✗ and
/// words, off the UI thread; the same checks as `warm-kiosk doctor`, run beside the kiosk.
#[test]
fn the_self_check_runs_the_doctors_checks_on_the_managers_screen() {
    for english in [false, true] {
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        enter_manager(&mut k, DEMO_MANAGER_PIN);
        check(&k, "manager menu with 自检");
        m(&mut k, manager::Message::SelfCheck);
        let lines: Vec<String> =
            k.texts().into_iter().map(|(t, _)| t).filter(|t| t.starts_with('✓') || t.starts_with('✗')).collect();
        assert_eq!(lines.len(), 12, "one line per check: {lines:?}");
        let (store, clock) =
            if english { ("✓ Order store", "✗ Clock") } else { ("✓ 订单数据库", "✗ 时钟") };
        assert!(lines.iter().any(|l| l.starts_with(store)), "the store is checked: {lines:?}");
        // The tests' fixed clock says 2022: the check says the clock is not set, with a ✗.
        assert!(lines.iter().any(|l| l.starts_with(clock)), "a problem is marked in words: {lines:?}");
        check(&k, "manager self-check");
        crate::touch::assert_fits(&k, "manager self-check");
        m(&mut k, manager::Message::Menu);
        assert!(k.shows(if english { "Self-check" } else { "自检" }), "back at the menu");
    }
}
