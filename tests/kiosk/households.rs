//! Households and purchase limits on the seniors' screens (issue 10): the market's households in
//! the kiosk's real store, as the hub's catalog pull leaves them; taps through the real views.

use crate::layout::targets;
use crate::support::{Kiosk, config, qr_payload, slip_text};
use std::sync::Arc;
use warm_core::api::CatalogChange;
use warm_core::domain::{Catalog, LimitPeriod, PaymentMethod, ProductId};
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::ui::app::{KeyPress, Volunteer};
use warm_kiosk::ui::screen::modal::Modal;
use warm_kiosk::ui::screen::{Screen, category, counter, home, household, pin};
use warm_kiosk::ui::widget::basket;
use warm_kiosk::ui::widget::numpad::Key;
use warm_kiosk::ui::{App, Message};

pub const RICE: &str = "rice-5kg";

/// The market's households as the catalog pull stores them.
pub fn add_households(k: &Kiosk, ids: &[&str]) {
    let changes: Vec<CatalogChange> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| CatalogChange::Household {
            version: i as u64 + 1,
            id: (*id).to_owned(),
            deleted: false,
            building: id.split('-').next().unwrap().to_owned(),
            surname: None,
            phone_last4: None,
        })
        .collect();
    k.ctx.store().apply_catalog_page(&changes, ids.len() as u64).unwrap();
}

/// The demo catalog with rice limited to 2 a week (the demo counts by the day).
fn weekly_rice(catalog: &Catalog) -> Catalog {
    let mut products = catalog.products.clone();
    for p in &mut products {
        if p.id.0 == RICE {
            p.limit_per_household = Some(2);
            p.limit_period = LimitPeriod::Week;
        }
    }
    Catalog::new(catalog.market_name.clone(), catalog.categories.clone(), products)
}

/// Makes `k` a kiosk of a market that keeps households (3-2-501 and 3-2-502); rice limited to
/// 2 a week.
pub fn with_households(k: &mut Kiosk) {
    add_households(k, &["3-2-501", "3-2-502"]);
    k.ctx.catalog = Arc::new(weekly_rice(&k.ctx.catalog));
    k.app = App::new(k.ctx.clone());
}

pub fn kiosk_with_households() -> Kiosk {
    let mut k = crate::support::kiosk_with(config());
    with_households(&mut k);
    k
}

fn key(k: &mut Kiosk, d: u8) {
    k.update(Message::Household(household::Message::Key(Key::Digit(d))));
}

/// Types a home number on the pad as a senior would: building, 下一格, unit, 下一格, room.
pub fn type_home(k: &mut Kiosk, home: &str) {
    let parts: Vec<&str> = home.split('-').collect();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            k.update(Message::Household(household::Message::Next));
        }
        for d in part.bytes() {
            key(k, d - b'0');
        }
    }
}

fn open_rice_category(k: &mut Kiosk) {
    k.update(Message::HomeScreen(home::Message::OpenCategory(warm_core::domain::CategoryId("grain_oil".into()))));
}

fn add_rice(k: &mut Kiosk) {
    k.update(Message::Category(category::Message::Add(ProductId::new(RICE))));
}

fn rice_in_basket(k: &Kiosk) -> u32 {
    k.app.cart().qty(&ProductId::new(RICE))
}

#[test]
fn without_a_household_list_the_kiosk_sells_as_before() {
    let mut k = crate::support::kiosk();
    assert!(!k.app.limits().on);
    assert!(!k.shows("输入门牌"), "no household in the top bar");
    open_rice_category(&mut k);
    for _ in 0..3 {
        add_rice(&mut k);
    }
    assert_eq!(rice_in_basket(&k), 3, "the demo's limit of 2 is not enforced without households");
    assert!(matches!(k.app.screen(), Screen::Category(_)));
    assert!(!k.texts().iter().any(|(t, _)| t.contains("限购")), "no limit words on the tiles");
    // A household card means nothing here.
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
    assert!(matches!(k.app.screen(), Screen::Category(_)) && k.app.limits().household.is_none());
}

#[test]
fn a_limited_tile_says_the_limit_and_what_is_left_and_plus_at_the_limit_only_explains() {
    let mut k = kiosk_with_households();
    assert!(k.app.limits().on);
    k.tap("粮油");
    assert!(k.shows("每户每周限购 2 袋"), "the limit before the household is said");
    assert!(k.shows("请先输入门牌"));
    k.tap("东北大米");
    // The first limited product asks who is buying; nothing went in yet.
    assert!(matches!(k.app.screen(), Screen::Household(_)), "the household screen opens");
    assert!(k.shows("请告诉我们您家的门牌"));
    assert_eq!(rice_in_basket(&k), 0);
    type_home(&mut k, "3-2-501");
    k.tap("就是我家");
    // Back on the category with the rice that asked for it in the basket.
    assert!(matches!(k.app.screen(), Screen::Category(_)));
    assert_eq!(rice_in_basket(&k), 1);
    assert!(k.shows("3-2-501 户 · 换一户"), "the household in the top bar, with a way to change it");
    assert!(k.shows("每户每周限购 2 袋") && k.shows("您还可买 1 袋"), "{:?}", k.texts());
    k.tap("东北大米");
    assert_eq!(rice_in_basket(&k), 2);
    assert!(k.shows("您已买够了"));

    // + at the limit: the tile and the basket's + only explain, in words; nothing moves.
    let before = targets(&k);
    k.tap("东北大米");
    assert_eq!(rice_in_basket(&k), 2);
    let Some(Modal::AtLimit { words }) = k.app.modal() else { panic!("no explanation: {:?}", k.app.modal()) };
    assert_eq!(words, "这件每户每周限购 2 袋，您家已买 0 袋，篮里 2 袋，不能再加了");
    assert!(k.shows(words));
    k.tap("知道了");
    assert!(k.app.modal().is_none());
    assert_eq!(targets(&k), before, "the screen is as it was");
    k.update(Message::Basket(basket::Message::Increase(ProductId::new(RICE))));
    assert_eq!(rice_in_basket(&k), 2, "the basket's + refuses too");
    assert!(matches!(k.app.modal(), Some(Modal::AtLimit { .. })));
    k.tap("知道了");
    // Another limited product counts on its own.
    k.tap("挂面");
    assert_eq!(k.app.cart().qty(&ProductId::new("noodles-1kg")), 1);

    // English: the same words, units counted.
    k.update(Message::SwitchLanguage);
    assert!(k.shows("Limit 2 bags a week") && k.shows("Limit reached"), "{:?}", k.texts());
    assert!(k.shows("3-2-501 · change"));
    // Taking one out frees it again.
    k.update(Message::Basket(basket::Message::Decrease(ProductId::new(RICE))));
    assert!(k.shows("1 more bag for you"), "{:?}", k.texts());
}

#[test]
fn a_home_number_not_on_the_list_is_said_in_words_and_nothing_moves() {
    let mut k = kiosk_with_households();
    k.tap("输入门牌");
    assert!(matches!(k.app.screen(), Screen::Household(_)));
    type_home(&mut k, "3-2-509");
    let before = targets(&k);
    k.tap("就是我家");
    assert!(k.shows("没有这一户：3-2-509，请再看一下门牌，或请志愿者帮忙"), "{:?}", k.texts());
    assert!(matches!(k.app.screen(), Screen::Household(_)), "still asking");
    assert_eq!(targets(&k), before, "the message has its room: nothing moved");
    assert!(k.app.limits().household.is_none());
    // No dead end: a volunteer can help, and goods without a limit need no number.
    k.tap("请志愿者帮忙");
    assert!(k.shows("请到取货处找志愿者，志愿者可以帮您查门牌。不限购的东西不用门牌也能买。"));
    assert_eq!(targets(&k), before);
    // A number that is not one: said so, not looked up.
    k.update(Message::Household(household::Message::Key(Key::Clear)));
    key(&mut k, 3);
    k.tap("就是我家");
    assert!(k.shows("门牌要有楼号和房号，例如 3-2-501"));
    k.tap("← 返回");
    assert!(matches!(k.app.screen(), Screen::Home(_)));
    assert!(k.shows("输入门牌"));
}

#[test]
fn an_order_carries_its_household_to_the_slip_the_counter_and_the_receipt() {
    let mut k = kiosk_with_households();
    k.tap("粮油");
    k.tap("东北大米");
    type_home(&mut k, "3-2-501");
    k.tap("就是我家");
    k.tap("下单");
    assert!(k.shows("请核对您的订单") && k.shows("3-2-501 户"), "the review shows the household");
    k.tap("确认");
    let state = k.ctx.printer.drain();
    k.update(Message::Printer(state));
    let Screen::Done(done) = k.app.screen() else { panic!("not on the done screen") };
    let order = done.order.clone();
    assert_eq!(order.household.as_deref(), Some("3-2-501"));
    let stored = k.ctx.store().order(order.id).unwrap().unwrap();
    assert_eq!(stored.household.as_deref(), Some("3-2-501"), "the store keeps it");
    let slip: Vec<u8> = k
        .ctx
        .store()
        .connection()
        .query_row("SELECT bytes FROM print_jobs WHERE order_id = ?1", [order.id.to_string()], |r| r.get(0))
        .unwrap();
    assert!(slip_text(&slip).contains("3-2-501 户"), "{}", slip_text(&slip));

    // The next senior starts without it; this household has one rice left this week.
    k.tap("回到首页");
    assert!(k.app.limits().household.is_none() && k.shows("输入门牌"));
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
    k.tap("粮油");
    assert!(k.shows("您还可买 1 袋"), "the order just placed counts: {:?}", k.texts());

    // The volunteer recalls the slip: the counter says whose order it is; the receipt too.
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Counter(_))));
    let payload = qr_payload(&slip).unwrap();
    k.update(Message::Scanner(ScannerEvent::Line(Ok(payload))));
    assert!(k.shows("已调出取货单 K1-0001 · 3-2-501 户"), "{:?}", k.texts());
    k.update(Message::Counter(counter::Message::PickAll));
    k.update(Message::Counter(counter::Message::Pay));
    // On account, the bill goes to the household unless the volunteer types another.
    k.update(Message::Counter(counter::Message::Method(PaymentMethod::OnAccount)));
    assert!(k.texts().iter().any(|(t, _)| t == "3-2-501"), "{:?}", k.texts());
    k.update(Message::Counter(counter::Message::CancelPay));
    k.update(Message::Counter(counter::Message::Pay));
    k.update(Message::Counter(counter::Message::Method(PaymentMethod::Cash)));
    for d in [5, 0] {
        k.update(Message::Counter(counter::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Counter(counter::Message::ConfirmPay));
    let receipt: Vec<u8> = k
        .ctx
        .store()
        .connection()
        .query_row("SELECT bytes FROM print_jobs WHERE kind = 'receipt'", [], |r| r.get(0))
        .unwrap();
    let text = slip_text(&receipt);
    assert!(text.contains("住户") && text.contains("3-2-501"), "{text}");
}

#[test]
fn a_household_card_scan_says_who_is_buying() {
    let mut k = kiosk_with_households();
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:03-02-0501".into()))));
    assert_eq!(k.app.limits().household.as_ref().map(|h| h.as_str()), Some("3-2-501"));
    assert!(k.shows("3-2-501 户 · 换一户"));
    // A card of a household the market does not have: the household screen says so.
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:9-9-999".into()))));
    assert!(matches!(k.app.screen(), Screen::Household(_)));
    assert!(k.shows("没有这一户：9-9-999，请再看一下门牌，或请志愿者帮忙"));
    assert_eq!(k.app.limits().household.as_ref().map(|h| h.as_str()), Some("3-2-501"), "the one said is kept");
    // On the household screen, a card answers it, and back to where the senior was.
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-502".into()))));
    assert!(matches!(k.app.screen(), Screen::Home(_)));
    assert!(k.shows("3-2-502 户 · 换一户"));
}

#[test]
fn household_screens_match_their_snapshots() {
    let mut k = kiosk_with_households();
    k.tap("输入门牌");
    type_home(&mut k, "3-2-509");
    k.tap("就是我家");
    crate::snapshots::assert_snapshot(&k, "household-unknown");
    k.tap("← 返回");
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
    k.tap("粮油");
    k.tap("东北大米");
    crate::snapshots::assert_snapshot(&k, "category-limited");
}

#[test]
fn a_basket_over_the_limit_of_the_household_said_later_is_not_placed_and_says_why() {
    let mut k = kiosk_with_households();
    let card = |k: &mut Kiosk, id: &str| k.update(Message::Scanner(ScannerEvent::Line(Ok(format!("WM1:H:{id}")))));
    // 3-2-501 buys its two rice of the week.
    card(&mut k, "3-2-501");
    open_rice_category(&mut k);
    add_rice(&mut k);
    add_rice(&mut k);
    k.update(Message::Basket(basket::Message::Review));
    k.tap("确认");
    k.tap("回到首页");
    // Next, two rice for 3-2-502; then the card of 3-2-501 is scanned instead.
    card(&mut k, "3-2-502");
    open_rice_category(&mut k);
    add_rice(&mut k);
    add_rice(&mut k);
    assert_eq!(rice_in_basket(&k), 2);
    card(&mut k, "3-2-501");
    assert!(k.shows("3-2-501 户 · 换一户"));
    k.update(Message::Basket(basket::Message::Review));
    assert!(k.shows("东北大米：您家这期已超出限购 2 袋，请减去"), "{:?}", k.texts());
    k.tap("确认");
    assert!(matches!(k.app.screen(), Screen::Review(_)), "nothing placed over the limit");
    let orders: i64 = k.ctx.store().connection().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    assert_eq!(orders, 1);
}

#[test]
fn the_household_goes_with_the_basket_when_nobody_answers() {
    let mut k = kiosk_with_households();
    // Left on the household screen with nothing chosen: home again after the quiet time.
    k.update(Message::ChangeHousehold);
    assert!(matches!(k.app.screen(), Screen::Household(_)));
    let later = std::time::Instant::now() + std::time::Duration::from_secs(600);
    k.update(Message::Tick(later));
    assert!(matches!(k.app.screen(), Screen::Home(_)));
    // A household and a basket, then nobody: asked, then cleared, household and all.
    k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
    open_rice_category(&mut k);
    add_rice(&mut k);
    let later = std::time::Instant::now() + std::time::Duration::from_secs(600);
    k.update(Message::Tick(later));
    assert!(matches!(k.app.modal(), Some(Modal::StillThere { .. })));
    k.update(Message::Tick(later + std::time::Duration::from_secs(600)));
    assert!(k.app.cart().is_empty() && k.app.limits().household.is_none());
    assert!(k.shows("输入门牌"));
}

/// A senior who lost the slip shows the household's card: at the counter it recalls the oldest
/// order still waiting for that home, says how many more wait, and after each is paid the next;
/// a home with nothing waiting is said in words (issue 10, mended in issue 12's stop).
#[test]
fn a_household_card_at_the_counter_recalls_the_homes_waiting_orders_one_by_one() {
    let mut k = kiosk_with_households();
    for product in ["东北大米", "挂面"] {
        k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
        k.tap("粮油");
        k.tap(product);
        k.tap("下单");
        k.tap("确认");
        assert!(matches!(k.app.screen(), Screen::Done(_)), "{product} ordered");
        k.tap("回到首页");
    }
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    let card = |k: &mut Kiosk, id: &str| k.update(Message::Scanner(ScannerEvent::Line(Ok(format!("WM1:H:{id}")))));
    let pay = |k: &mut Kiosk| {
        k.update(Message::Counter(counter::Message::PickAll));
        k.update(Message::Counter(counter::Message::Pay));
        k.update(Message::Counter(counter::Message::Method(PaymentMethod::Cash)));
        for d in [5, 0] {
            k.update(Message::Counter(counter::Message::Key(Key::Digit(d))));
        }
        k.update(Message::Counter(counter::Message::ConfirmPay));
    };
    // In English first (the volunteer's switch), then again in Chinese.
    k.update(Message::SwitchLanguage);
    card(&mut k, "3-2-501");
    assert!(k.shows("Pickup slip K1-0001 loaded · Home 3-2-501"), "{:?}", k.texts());
    assert!(k.shows("1 more order waiting for this home"), "{:?}", k.texts());
    crate::touch::assert_fits(&k, "counter: a household's card recalled the first of two, in English");
    k.update(Message::SwitchLanguage);
    k.update(Message::Counter(counter::Message::Clear));
    k.update(Message::Counter(counter::Message::ClearConfirmed));
    card(&mut k, "3-2-501");
    assert!(k.shows("已调出取货单 K1-0001 · 3-2-501 户") && k.shows("此户还有 1 单待取"), "{:?}", k.texts());
    crate::layout::check(&k, "counter: a household's card recalled the first of two");
    crate::touch::assert_fits(&k, "counter: a household's card recalled the first of two");
    pay(&mut k);
    // On the paid screen the card starts the next sale with the next waiting order.
    card(&mut k, "03-02-0501");
    assert!(k.shows("已调出取货单 K1-0002 · 3-2-501 户"), "{:?}", k.texts());
    pay(&mut k);
    card(&mut k, "3-2-501");
    assert!(k.shows("3-2-501 户没有待取的订单"), "{:?}", k.texts());
    card(&mut k, "9-9-999");
    assert!(k.shows("9-9-999 户没有待取的订单"), "{:?}", k.texts());
    let store = k.ctx.store();
    let paid: i64 = store.connection().query_row("SELECT count(*) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(paid, 2, "each order paid once");
    assert!(store.waiting_orders_of("3-2-501").unwrap().is_empty());
}
