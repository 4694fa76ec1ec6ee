//! Building leaders (楼长, issue 10) through the real root (iced_test) on a real store: a leader
//! orders for 30 households of one building from the daily list (one product limited), and gets
//! 30 slips and one picking list whose printed bytes, decoded back (Chinese text and QR
//! payloads), add up to the stored orders; a household at its limit is refused in words; the
//! counter recalls the building from its picking list; the leader's screens meet the size rules
//! in both languages; and the taps and seconds of the whole building are counted.

use crate::layout::check;
use crate::support::{Kiosk, config, kiosk_with, qr_payload, slip_text};
use std::sync::Arc;
use warm_core::api::CatalogChange;
use warm_core::domain::leader::batch_payload;
use warm_core::domain::order::OrderStatus;
use warm_core::domain::pin::DEMO_LEADER_PIN;
use warm_core::domain::{DailyItem, HouseholdId, Lang, LimitPeriod, Money, Order, OrderLine, ProductId};
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::store::leader::NewBatch;
use warm_kiosk::store::{NewOrder, StoreError};
use warm_kiosk::ui::app::{KeyPress, Volunteer};
use warm_kiosk::ui::screen::leader::{self, Step};
use warm_kiosk::ui::screen::{counter, pin};
use warm_kiosk::ui::widget::numpad::Key;
use warm_kiosk::ui::{App, Message};

const RICE: &str = "rice-5kg";
const NOODLES: &str = "noodles-1kg";
const FLOUR: &str = "flour-2500g";

/// Building 7's 30 homes (units 1–3, rooms 101–1001) and two of building 8.
fn homes() -> Vec<String> {
    let mut ids: Vec<String> = (1..=3).flat_map(|u| (1..=10).map(move |f| format!("7-{u}-{}01", f))).collect();
    ids.extend(["8-1-101".to_owned(), "8-1-102".to_owned()]);
    ids
}

/// A kiosk whose store holds the market's households and daily list as the catalog pull
/// brings them, with rice limited to 2 a day per household.
pub fn seeded() -> Kiosk {
    let mut k = kiosk_with(config());
    let catalog = Arc::make_mut(&mut k.ctx.catalog);
    let rice = catalog.products.iter_mut().find(|p| p.id.0 == RICE).unwrap();
    rice.limit_per_household = Some(2);
    rice.limit_period = LimitPeriod::Day;
    k.app = App::new(k.ctx.clone());
    let mut changes: Vec<CatalogChange> = homes()
        .into_iter()
        .enumerate()
        .map(|(i, id)| CatalogChange::Household {
            version: i as u64 + 1,
            building: id.split('-').next().unwrap().to_owned(),
            id,
            deleted: false,
            surname: None,
            phone_last4: None,
        })
        .collect();
    changes.push(CatalogChange::DailyList {
        version: 100,
        items: vec![
            DailyItem { product: RICE.into(), available: Some(60) },
            DailyItem { product: NOODLES.into(), available: None },
            DailyItem { product: FLOUR.into(), available: Some(10) },
            DailyItem { product: "caviar".into(), available: None },
        ],
    });
    k.ctx.store().apply_catalog_page(&changes, 100).unwrap();
    k
}

/// Places a batch straight into the kiosk's store, as leader mode would, with empty slips.
fn place_without_paper(k: &Kiosk, batch: NewBatch) -> Result<warm_kiosk::store::leader::PlacedBatch, StoreError> {
    let (catalog, now, slots, tz) = (&k.ctx.catalog, (k.ctx.clock)(), k.ctx.config.slot_policy(), &k.ctx.time_zone);
    k.ctx.store().place_batch(batch, catalog, now, &slots, tz, |_| Vec::new(), |_| Vec::new())
}

pub fn l(k: &mut Kiosk, m: leader::Message) {
    k.update(Message::Leader(m));
}

/// Seniors' screens → volunteer PIN → counter → 楼长代订 → the leader's PIN → building pad.
pub fn enter_leader(k: &mut Kiosk) {
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    k.tap("楼长代订");
    assert!(k.shows("请输入楼长密码"), "the leader's own PIN");
    for d in DEMO_LEADER_PIN.bytes() {
        l(k, leader::Message::PinKey(Key::Digit(d - b'0')));
    }
    l(k, leader::Message::PinOk);
    assert!(k.shows("请按楼号"), "the leader's PIN opens the building pad");
}

pub fn screen(k: &Kiosk) -> &leader::Leader {
    k.app.leader_screen().expect("leader mode is on")
}

pub fn notice(k: &Kiosk) -> String {
    match &screen(k).notice {
        Some(leader::Notice::Ok(w) | leader::Notice::Problem(w)) => w.clone(),
        None => String::new(),
    }
}

/// One bought rice earlier today (at this kiosk): one more is all it may have.
fn earlier_rice(k: &Kiosk, household: &str) {
    let rice = k.ctx.catalog.product(&ProductId::new(RICE)).unwrap().clone();
    let now = (k.ctx.clock)();
    k.ctx
        .store()
        .place_order(
            NewOrder {
                id: uuid::Uuid::now_v7(),
                terminal: "K1".into(),
                lang: Lang::Zh,
                household: Some(household.into()),
                lines: vec![OrderLine::of(&rice, 1)],
            },
            now,
            &k.ctx.config.slot_policy(),
            &k.ctx.time_zone,
            |_| b"slip".to_vec(),
        )
        .unwrap();
}

#[test]
fn a_leader_orders_for_30_households_and_gets_30_slips_and_one_picking_list_that_add_up() {
    let mut k = seeded();
    earlier_rice(&k, "7-1-201");
    let started = std::time::Instant::now();
    let mut taps = 0u32;
    let mut tap = |k: &mut Kiosk, m: leader::Message| {
        taps += 1;
        l(k, m);
    };
    enter_leader(&mut k);
    tap(&mut k, leader::Message::BuildingKey(Key::Digit(7)));
    tap(&mut k, leader::Message::StartBuilding);
    let round = screen(&k).round().expect("building 7 is open");
    assert_eq!(round.loaded.households.len(), 30, "building 7's homes only");
    let items: Vec<&str> = round.loaded.items.iter().map(|(p, _)| p.id.0.as_str()).collect();
    assert_eq!(items, [RICE, NOODLES, FLOUR], "the daily list in its order, without what is not sold here");
    assert_eq!(round.loaded.households[0].as_str(), "7-1-101");
    assert_eq!(round.loaded.households[29].as_str(), "7-3-1001");

    // Every home: rice 1 or 2, noodles 0–2; flour for the first 3 (10 available, so all fit).
    for h in 0..30usize {
        let at = screen(&k).round().unwrap().loaded.households[h].clone();
        let rice = if at.as_str() == "7-1-201" { 2 } else { 1 + (h % 2) };
        for _ in 0..rice {
            tap(&mut k, leader::Message::Increase(0));
        }
        if at.as_str() == "7-1-201" {
            // It bought one this morning: the second is refused, in words, and not added.
            let words = notice(&k);
            assert!(words.contains("限购 2") && words.contains("已买 1"), "{words}");
            assert_eq!(screen(&k).round().unwrap().qty[h][0], 1);
        }
        for _ in 0..(h % 3) {
            tap(&mut k, leader::Message::Increase(1));
        }
        if h < 3 {
            tap(&mut k, leader::Message::Increase(2));
        }
        if h == 0 {
            check(&k, "leader: ordering a home");
        }
        if h < 29 {
            tap(&mut k, leader::Message::Next);
        }
    }
    let expected_total = screen(&k).round().unwrap().building_total();
    assert!(k.shows(&expected_total.to_string()), "the building's running total is on screen");
    tap(&mut k, leader::Message::Finish);
    assert!(notice(&k).is_empty());
    check(&k, "leader: asking before placing");
    let placing = std::time::Instant::now();
    tap(&mut k, leader::Message::FinishYes);
    let (elapsed, placed_in) = (started.elapsed(), placing.elapsed());
    assert!(matches!(screen(&k).step, Step::Done { homes: 30, .. }), "{}", notice(&k));
    assert!(notice(&k).contains("30 户"), "{}", notice(&k));
    println!(
        "leader entered a 30-household building in {taps} taps from the building pad; the kiosk took {} ms \
         for them, {} ms of it placing the 30 orders, slips and picking list",
        elapsed.as_millis(),
        placed_in.as_millis()
    );

    let state = k.ctx.printer.drain();
    assert_eq!(state.problem, None, "{:?}", state.last_error);
    let store = k.ctx.store();
    assert!(store.pending_print_jobs().unwrap().is_empty(), "everything printed");

    // The stored orders: one per home of building 7, household set, waiting for payment.
    let orders: Vec<Order> = store
        .order_ids()
        .unwrap()
        .into_iter()
        .filter_map(|id| store.order(id).unwrap())
        // Not the rice 7-1-201 bought this morning (order 1): the building's orders come after it.
        .filter(|o| o.household.as_deref().is_some_and(|h| h.starts_with("7-")) && o.number.seq > 1)
        .collect();
    assert_eq!(orders.len(), 30);
    assert!(orders.iter().all(|o| o.status == OrderStatus::Placed));
    assert_eq!(orders.iter().map(Order::total).sum::<Money>(), expected_total);
    assert!(orders.iter().all(|o| o.slot == orders[0].slot), "one pickup slot for the building");

    // 30 slips: the room big, the home, pay at pickup, the items, the amount; QR → its order.
    let jobs = |kind: &str| -> Vec<(Option<String>, Vec<u8>)> {
        let mut stmt = store
            .connection()
            .prepare("SELECT order_id, bytes FROM print_jobs WHERE kind = ?1 ORDER BY rowid")
            .unwrap();
        stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let slips: Vec<_> =
        jobs("pickup_slip").into_iter().filter(|(o, _)| orders.iter().any(|x| Some(x.id.to_string()) == *o)).collect();
    assert_eq!(slips.len(), 30);
    for order in &orders {
        let (_, bytes) = slips.iter().find(|(o, _)| *o == Some(order.id.to_string())).unwrap();
        let text = slip_text(bytes);
        let home = HouseholdId::parse(order.household.as_deref().unwrap()).unwrap();
        for word in
            ["房号", &format!("{home} 户"), "7 号楼 楼长代订", "取货时付款", "东北大米", &order.total().to_string()]
        {
            assert!(text.contains(word), "{home}'s slip lacks {word:?}:\n{text}");
        }
        assert!(text.find(home.room()).unwrap() < text.find(&order.number.short()).unwrap(), "the room first");
        assert_eq!(qr_payload(bytes).as_deref(), Some(order.slip_payload().as_str()));
    }

    // One picking list: per product the sum of the stored orders; the homes; the batch's QR.
    let picking = jobs("picking_list");
    assert_eq!(picking.len(), 1);
    let (none, bytes) = &picking[0];
    assert!(none.is_none());
    let text = slip_text(bytes);
    let batch: uuid::Uuid = {
        let payload = qr_payload(bytes).unwrap();
        payload.strip_prefix("WM1:B:").expect("a batch QR").parse().unwrap()
    };
    assert_eq!(store.building_batch(batch).unwrap().unwrap().households.len(), 30);
    assert!(text.contains("7 号楼 拣货单") && text.contains("共 30 户"), "{text}");
    for id in [RICE, NOODLES, FLOUR] {
        let sum: u32 = orders.iter().flat_map(|o| &o.lines).filter(|l| l.product.0 == id).map(|l| l.qty).sum();
        let name = k.ctx.catalog.product(&ProductId::new(id)).unwrap().name.zh.clone();
        let line =
            text.lines().find(|l| l.contains(&name)).unwrap_or_else(|| panic!("{name} not on the list:\n{text}"));
        assert!(line.trim_end().ends_with(&format!("×{sum}")), "{name}: {line:?} should total {sum}");
    }
    assert!(text.contains(&format!("合计 {expected_total}")), "{text}");
    for order in &orders {
        assert!(text.contains(&format!("{} ({})", order.household.as_deref().unwrap(), order.number)), "{text}");
    }
}

#[test]
fn a_batch_over_a_limit_is_refused_whole_and_in_words() {
    let k = seeded();
    earlier_rice(&k, "7-1-101");
    let rice = k.ctx.catalog.product(&ProductId::new(RICE)).unwrap().clone();
    let noodles = k.ctx.catalog.product(&ProductId::new(NOODLES)).unwrap().clone();
    let before = k.ctx.store().order_ids().unwrap().len();
    let batch = NewBatch {
        id: uuid::Uuid::now_v7(),
        terminal: "K1".into(),
        lang: Lang::Zh,
        building: "7".into(),
        orders: vec![
            (uuid::Uuid::now_v7(), HouseholdId::parse("7-1-201").unwrap(), vec![OrderLine::of(&noodles, 3)]),
            (uuid::Uuid::now_v7(), HouseholdId::parse("7-1-101").unwrap(), vec![OrderLine::of(&rice, 2)]),
        ],
    };
    let refused = place_without_paper(&k, batch);
    assert!(
        matches!(&refused, Err(StoreError::OverLimit { household, product, over: 1 }) if household == "7-1-101" && product == RICE),
        "{refused:?}"
    );
    assert_eq!(k.ctx.store().order_ids().unwrap().len(), before, "nothing of the batch was placed");
    let words = warm_core::i18n::tr(
        warm_core::i18n::LeaderWords::OverLimit,
        Lang::Zh,
        &[("household", "7-1-101"), ("product", "东北大米"), ("over", "1"), ("unit", "袋")],
    );
    assert_eq!(words, "住户 7-1-101 的 东北大米 超出限购 1 袋，请减去");
}

/// A leader orders for the two homes of building 8 (one product each); then the volunteer's
/// counter is opened. The building's batch id, for its picking list.
fn two_homes_then_the_counter(k: &mut Kiosk) -> uuid::Uuid {
    enter_leader(k);
    l(k, leader::Message::BuildingKey(Key::Digit(8)));
    l(k, leader::Message::StartBuilding);
    l(k, leader::Message::Increase(0));
    l(k, leader::Message::Next);
    l(k, leader::Message::Increase(1));
    l(k, leader::Message::Finish);
    l(k, leader::Message::FinishYes);
    assert!(matches!(screen(k).step, Step::Done { homes: 2, .. }), "{}", notice(k));
    l(k, leader::Message::Leave);
    let batch: String =
        k.ctx.store().connection().query_row("SELECT id FROM leader_batches", [], |r| r.get(0)).unwrap();
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    batch.parse().unwrap()
}

/// 收这一户 on the first home of the building on show, then that order ticked and paid in cash.
fn take_the_first_home_in_cash(k: &mut Kiosk, first: uuid::Uuid) {
    k.update(Message::Counter(counter::Message::TakeHousehold(first)));
    k.update(Message::Counter(counter::Message::PickAll));
    k.update(Message::Counter(counter::Message::Pay));
    k.update(Message::Counter(counter::Message::Method(warm_core::domain::PaymentMethod::Cash)));
    for d in [5, 0] {
        k.update(Message::Counter(counter::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Counter(counter::Message::ConfirmPay));
}

#[test]
fn the_counter_recalls_a_building_from_its_picking_list_and_takes_each_home_on_its_own() {
    let mut k = seeded();
    let batch = two_homes_then_the_counter(&mut k);
    // The counter: scan the picking list.
    let scan = |k: &mut Kiosk, code: &str| k.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
    scan(&mut k, &batch_payload(batch));
    assert!(k.shows("8 号楼：2 户"), "the building is recalled");
    check(&k, "counter: a building's homes");
    let first = {
        let Some(Volunteer::Counter(c)) = k.app.volunteer() else { panic!("not at the counter") };
        let counter::Step::Building { batch, .. } = &c.step else { panic!("no building on show") };
        assert_eq!(batch.households.iter().map(|h| h.household.as_str()).collect::<Vec<_>>(), ["8-1-101", "8-1-102"]);
        batch.households[0].order_id
    };
    // 收这一户: the first home's order, ticked and paid in cash like any slip's.
    take_the_first_home_in_cash(&mut k, first);
    assert_eq!(k.ctx.store().order(first).unwrap().unwrap().status, OrderStatus::Paid);
    // The list again: the first home is paid, the second still to pay.
    scan(&mut k, &batch_payload(batch));
    let Some(Volunteer::Counter(c)) = k.app.volunteer() else { panic!("not at the counter") };
    let counter::Step::Building { batch: b, .. } = &c.step else { panic!("no building on show") };
    assert_eq!(b.households.iter().map(|h| h.status).collect::<Vec<_>>(), [OrderStatus::Paid, OrderStatus::Placed]);
    // A picking list of another kiosk: said in words.
    scan(&mut k, &batch_payload(uuid::Uuid::now_v7()));
    assert!(k.shows("这张拣货单不是这台机器打印的，找不到订单"));
}

#[test]
fn a_building_with_no_daily_list_says_so() {
    let mut k = seeded();
    k.ctx.store().apply_catalog_page(&[CatalogChange::DailyList { version: 200, items: vec![] }], 200).unwrap();
    enter_leader(&mut k);
    l(&mut k, leader::Message::BuildingKey(Key::Digit(7)));
    l(&mut k, leader::Message::StartBuilding);
    assert!(screen(&k).round().is_none());
    assert!(notice(&k).contains("货品清单"), "{}", notice(&k));
}

/// Issue 10: at the counter, the homes of a building still to pay are billed to the building on
/// account at once (the others paid as they came): asked first, each order paid on account with
/// its own payment and receipt, nothing paid twice.
#[test]
fn the_counter_bills_the_homes_still_to_pay_to_the_building_on_account() {
    let mut k = seeded();
    let batch = two_homes_then_the_counter(&mut k);
    let scan = |k: &mut Kiosk| k.update(Message::Scanner(ScannerEvent::Line(Ok(batch_payload(batch)))));
    scan(&mut k);
    let homes = |k: &Kiosk| {
        let Some(Volunteer::Counter(c)) = k.app.volunteer() else { panic!("not at the counter") };
        let (counter::Step::Building { batch, .. } | counter::Step::AskBuildingAccount { batch, .. }) = &c.step else {
            panic!("no building on show")
        };
        batch.households.clone()
    };
    // The first home pays in cash as it comes.
    let first = homes(&k)[0].order_id;
    take_the_first_home_in_cash(&mut k, first);
    scan(&mut k);
    let open: Money = homes(&k).iter().filter(|h| h.status == OrderStatus::Placed).map(|h| h.total).sum();

    // 整栋记账 asks first, naming the homes, the sum and the account; 不，返回 leaves all as it was.
    k.update(Message::Counter(counter::Message::AskBuildingAccount));
    assert!(k.shows("1 户待付，全部记在“8 号楼”？") && k.shows(&open.to_string()), "the question and the sum");
    check(&k, "counter: bill the building?");
    crate::touch::assert_fits(&k, "counter: bill the building?");
    k.update(Message::Counter(counter::Message::SwitchLanguage));
    assert!(k.shows("Bill the 1 home still to pay to “Building 8”?"), "in English, one home");
    check(&k, "counter: bill the building? (English)");
    crate::touch::assert_fits(&k, "counter: bill the building? (English)");
    k.update(Message::Counter(counter::Message::SwitchLanguage));
    k.update(Message::Counter(counter::Message::BuildingAccountCancelled));
    assert_eq!(homes(&k).iter().filter(|h| h.status == OrderStatus::Placed).count(), 1);
    k.update(Message::Counter(counter::Message::AskBuildingAccount));
    k.update(Message::Counter(counter::Message::BuildingAccountConfirmed));
    // A second 是 (a trembling hand) finds nothing to confirm.
    k.update(Message::Counter(counter::Message::BuildingAccountConfirmed));
    assert!(k.shows(&format!("已记账：1 户，共 {open}，记在“8 号楼”")), "said in words");
    assert!(homes(&k).iter().all(|h| h.status == OrderStatus::Paid), "every home paid");
    let store = k.ctx.store();
    let c = store.connection();
    let mut stmt = c.prepare("SELECT method, reference, amount_fen FROM payments ORDER BY at, id").unwrap();
    let payments: Vec<(String, Option<String>, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(payments.len(), 2, "one payment per home, none twice: {payments:?}");
    let on_account: Vec<_> =
        payments.iter().filter(|p| p.0 == warm_core::domain::PaymentMethod::OnAccount.as_str()).collect();
    assert_eq!(on_account.len(), 1);
    assert!(on_account.iter().all(|p| p.1.as_deref() == Some("8 号楼")), "{on_account:?}");
    assert_eq!(on_account.iter().map(|p| p.2).sum::<i64>(), open.as_fen());
    let receipts: i64 =
        c.query_row("SELECT count(*) FROM print_jobs WHERE kind = 'receipt'", [], |r| r.get(0)).unwrap();
    assert_eq!(receipts, 2, "each home its receipt");
}

/// The leader's PIN pad, like the volunteer's: after five wrong tries its keys and OK are off for
/// the pause, which it counts down each second; after the pause the right PIN opens the pad.
#[test]
fn the_leaders_pin_pad_is_switched_off_during_a_pause_and_counts_it_down() {
    let mut k = seeded();
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    k.tap("楼长代订");
    for _ in 0..5 {
        l(&mut k, leader::Message::PinKey(Key::Digit(1)));
        l(&mut k, leader::Message::PinOk);
    }
    assert!(screen(&k).pin_paused(), "five wrong tries pause the pad");
    let said = |k: &Kiosk| k.texts().into_iter().map(|(t, _)| t).find(|t| t.starts_with("错误次数太多"));
    let first = said(&k).expect("the pause is said in words");
    // A digit tapped now is not taken; OK does nothing.
    let before = k.texts();
    k.tap("8");
    l(&mut k, leader::Message::PinOk);
    assert_eq!(k.texts(), before, "the paused pad takes no digit and no OK");
    k.taps.wait(10_000);
    k.update(Message::Tick(std::time::Instant::now()));
    assert_ne!(said(&k), Some(first), "the countdown counts");
    k.taps.wait(3_600_000);
    k.update(Message::Tick(std::time::Instant::now()));
    assert!(!screen(&k).pin_paused(), "the pause ends");
    for d in DEMO_LEADER_PIN.bytes() {
        l(&mut k, leader::Message::PinKey(Key::Digit(d - b'0')));
    }
    l(&mut k, leader::Message::PinOk);
    assert!(k.shows("请按楼号"), "the right PIN works after the pause");
}

/// The daily list's "available today" is shared by the day's buildings: after building 7 took
/// all 10 flour, building 8's leader cannot add any, in words; rice, with room left, still goes.
#[test]
fn what_an_earlier_building_took_today_is_not_available_to_the_next() {
    let mut k = seeded();
    let flour = k.ctx.catalog.product(&ProductId::new(FLOUR)).unwrap().clone();
    let orders = homes()[..10]
        .iter()
        .map(|h| (uuid::Uuid::now_v7(), HouseholdId::parse(h).unwrap(), vec![OrderLine::of(&flour, 1)]))
        .collect();
    let batch =
        NewBatch { id: uuid::Uuid::now_v7(), terminal: "K1".into(), lang: Lang::Zh, building: "7".into(), orders };
    place_without_paper(&k, batch).unwrap();
    // The paper sheet printed now says the same.
    let midnight = warm_kiosk::store::start_of_day((k.ctx.clock)(), &k.ctx.time_zone);
    let sheet = k.ctx.store().sheet_lines(&k.ctx.catalog, midnight).unwrap();
    let flour_line = sheet.iter().find(|line| line.name == flour.name).unwrap();
    assert_eq!(flour_line.available, Some(0), "the sheet: 今日剩 0");
    enter_leader(&mut k);
    l(&mut k, leader::Message::BuildingKey(Key::Digit(8)));
    l(&mut k, leader::Message::StartBuilding);
    let Step::Order(round) = &screen(&k).step else { panic!("not ordering") };
    assert_eq!(round.loaded.items[2].0.id.0, FLOUR);
    assert_eq!(round.loaded.items[2].1, Some(0), "10 available, 10 taken by building 7");
    assert_eq!(round.loaded.items[0].1, Some(60), "no rice taken yet");
    l(&mut k, leader::Message::Increase(2));
    assert!(notice(&k).starts_with("今日还剩 0"), "{}", notice(&k));
    l(&mut k, leader::Message::Increase(0));
    let Step::Order(round) = &screen(&k).step else { panic!("not ordering") };
    assert_eq!((round.qty[0][2], round.qty[0][0]), (0, 1), "no flour; one rice");
}
