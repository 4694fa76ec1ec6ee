//! Hands that tremble and hurry (issue 18): a doubled tap never does more than one tap, nothing
//! moves under a finger when a message, a digit or a countdown changes, every text fits its box in
//! both languages with ￥99999.99, and the states a hurried hand leaves behind tell the truth.

use crate::layout::targets;
use crate::support::{Kiosk, kiosk, kiosk_with, simulator};
use iced::advanced::text::Paragraph as _;
use iced::{Point, Rectangle, Size};
use std::sync::Arc;
use std::time::{Duration, Instant};
use warm_core::domain::{Catalog, Money, PaymentMethod};
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::ui::app::{KeyPress, Volunteer};
use warm_kiosk::ui::screen::{Screen, counter, pin};
use warm_kiosk::ui::widget::basket;
use warm_kiosk::ui::widget::numpad::Key;
use warm_kiosk::ui::{Message, theme};

/// Two taps this far apart: a trembling or doubled finger.
const DOUBLE_MS: u64 = 150;

/// What a person can see and what the kiosk keeps: the texts on screen, the basket and the
/// orders in the store. A second tap that did anything would change one of them.
fn fingerprint(k: &Kiosk) -> String {
    let texts: Vec<String> = k.texts().into_iter().map(|(t, _)| t).collect();
    let orders: i64 =
        k.ctx.store.lock().unwrap().connection().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    format!("{texts:?} {:?} orders={orders}", k.app.cart().lines())
}

fn centre(r: &Rectangle) -> Point {
    r.center()
}

fn scan(k: &mut Kiosk, code: &str) {
    k.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
}

fn counter(k: &mut Kiosk, m: counter::Message) {
    k.update(Message::Counter(m));
}

/// The volunteer's counter, through the PIN pad.
fn to_counter(k: &mut Kiosk) {
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Counter(_))), "the demo PIN opens the counter");
}

const RICE: &str = "6952022100012";
const FLOUR: &str = "6952022100029";
const NOODLES: &str = "6952022100036";
const OIL: &str = "6952022100043";

/// Opens a category and adds products, by message (quicker than finding them on screen).
fn open_and_add(k: &mut Kiosk, category: &str, products: &[&str]) {
    use warm_kiosk::ui::screen::{category, home};
    k.update(Message::HomeScreen(home::Message::OpenCategory(warm_core::domain::CategoryId(category.to_owned()))));
    for p in products {
        k.update(Message::Category(category::Message::Add(warm_core::domain::ProductId::new(*p))));
    }
    assert_eq!(k.app.cart().lines().len(), products.len(), "the demo catalog has {products:?}");
}

/// Every screen a finger can reach, each made from a fresh kiosk.
/// A way to bring a fresh kiosk to one screen.
type Setup = fn(&mut Kiosk);

fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("home", |_| {}),
        ("category with a basket", |k| {
            open_and_add(k, "grain_oil", &["rice-5kg", "noodles-1kg"]);
        }),
        ("empty-basket question", |k| {
            open_and_add(k, "grain_oil", &["rice-5kg"]);
            k.update(Message::Basket(basket::Message::AskEmpty));
        }),
        ("review", |k| {
            open_and_add(k, "grain_oil", &["rice-5kg"]);
            k.update(Message::Basket(basket::Message::Review));
        }),
        ("done", |k| {
            open_and_add(k, "grain_oil", &["rice-5kg"]);
            k.update(Message::Basket(basket::Message::Review));
            k.update(Message::Review(warm_kiosk::ui::screen::review::Message::Confirm));
        }),
        ("household entry with a number not on the list", |k| {
            crate::households::with_households(k);
            k.update(Message::ChangeHousehold);
            crate::households::type_home(k, "3-2-509");
            k.update(Message::Household(warm_kiosk::ui::screen::household::Message::Confirm));
        }),
        ("category with limited tiles, one at its limit", |k| {
            crate::households::with_households(k);
            k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
            open_and_add(k, "grain_oil", &["rice-5kg"]);
            k.update(Message::Category(warm_kiosk::ui::screen::category::Message::Add(
                warm_core::domain::ProductId::new("rice-5kg"),
            )));
        }),
        ("PIN pad", |k| {
            k.update(Message::Key(KeyPress::VolunteerShortcut));
            k.update(Message::Pin(pin::Message::Key(Key::Digit(1))));
        }),
        ("counter with lines", |k| {
            to_counter(k);
            for code in [RICE, FLOUR, NOODLES, OIL, RICE] {
                scan(k, code);
            }
        }),
        ("counter: clear?", |k| {
            to_counter(k);
            scan(k, RICE);
            counter(k, counter::Message::Clear);
        }),
        ("counter: pick by hand", |k| {
            to_counter(k);
            counter(k, counter::Message::PickByHand);
        }),
        ("counter: methods", |k| {
            to_counter(k);
            scan(k, RICE);
            counter(k, counter::Message::Pay);
        }),
        ("counter: cash", |k| {
            to_counter(k);
            scan(k, RICE);
            counter(k, counter::Message::Pay);
            counter(k, counter::Message::Method(PaymentMethod::Cash));
            counter(k, counter::Message::Key(Key::Digit(5)));
        }),
        ("counter: reference", |k| {
            to_counter(k);
            scan(k, RICE);
            counter(k, counter::Message::Pay);
            counter(k, counter::Message::Method(PaymentMethod::Wechat));
        }),
        ("counter: paid", |k| {
            to_counter(k);
            scan(k, RICE);
            counter(k, counter::Message::Pay);
            counter(k, counter::Message::Method(PaymentMethod::Cash));
            for d in [5, 0] {
                counter(k, counter::Message::Key(Key::Digit(d)));
            }
            counter(k, counter::Message::ConfirmPay);
        }),
    ]
}

#[test]
fn a_double_tap_on_place_order_never_confirms_the_order() {
    let mut k = kiosk();
    k.tap("粮油");
    k.tap("东北大米");
    let place = simulator(&k.app).find("下单").unwrap().visible_bounds().unwrap();
    k.taps.wait(2000);
    k.taps.step(DOUBLE_MS);
    k.tap_at(centre(&place));
    k.tap_at(centre(&place));
    assert!(matches!(k.app.screen(), Screen::Review(_)), "the second tap did not confirm");
    assert!(fingerprint(&k).ends_with("orders=0"), "no order was placed");
    // And by place too: where 下单 stood, the review screen has no target at all.
    assert!(targets(&k).iter().all(|t| !t.contains(centre(&place))), "a target sits where 下单 was");
    // A deliberate tap on 确认 still places it.
    k.taps.step(2000);
    k.tap("确认");
    assert!(matches!(k.app.screen(), Screen::Done(_)));
}

#[test]
fn two_quick_taps_on_any_target_do_what_one_tap_does() {
    for (name, setup) in screens() {
        let mut probe = kiosk();
        setup(&mut probe);
        let spots: Vec<Point> = targets(&probe).iter().map(centre).collect();
        assert!(!spots.is_empty(), "{name}: no targets");
        for spot in spots {
            let mut once = kiosk();
            setup(&mut once);
            once.tap_at(spot);

            let mut twice = kiosk();
            setup(&mut twice);
            twice.taps.wait(2000);
            twice.taps.step(DOUBLE_MS);
            twice.tap_at(spot);
            twice.tap_at(spot);
            assert_eq!(fingerprint(&twice), fingerprint(&once), "{name}: two quick taps at {spot:?} did more than one");
        }
    }
}

#[test]
fn destructive_answers_never_stand_where_the_question_was_asked() {
    // The counter's 清空 → "清空这一单？": nothing where 清空 was.
    let mut k = kiosk();
    to_counter(&mut k);
    scan(&mut k, RICE);
    let clear = simulator(&k.app).find("清空").unwrap().visible_bounds().unwrap();
    counter(&mut k, counter::Message::Clear);
    assert!(k.shows("清空这一单？"), "clearing a sale asks first");
    assert!(targets(&k).iter().all(|t| !t.contains(centre(&clear))), "a target sits where 清空 was");
    k.tap("不，保留");
    assert_eq!(k.app.volunteer().map(|_| ()), Some(()));
    assert!(k.shows("×1"), "the sale is kept");
    k.tap("清空");
    k.tap("是，清空");
    assert!(k.shows("台面上还没有商品"), "cleared only after yes");

    // The basket's 清空 → its question: 是，清空 is not where 清空 was.
    let mut k = kiosk();
    k.tap("粮油");
    k.tap("东北大米");
    let empty = simulator(&k.app).find("清空").unwrap().visible_bounds().unwrap();
    k.tap("清空");
    assert!(targets(&k).iter().all(|t| !t.contains(centre(&empty))), "an answer sits where 清空 was");
}

/// Targets that were on screen and still are must not have moved; one that went leaves its
/// place empty, and one that came takes nobody's place.
fn assert_nothing_moved(before: &[Rectangle], after: &[Rectangle], what: &str) {
    for b in before {
        if after.contains(b) {
            continue;
        }
        if let Some(a) = after.iter().find(|a| a.intersects(b)) {
            panic!("{what}: the target at {b:?} moved to {a:?}");
        }
    }
    for a in after {
        if !before.contains(a)
            && let Some(b) = before.iter().find(|b| b.intersects(a))
        {
            panic!("{what}: a new target at {a:?} took the place of {b:?}");
        }
    }
}

/// Runs each change and checks the targets stayed put across it.
fn steady(k: &mut Kiosk, name: &str, changes: Vec<(&str, Message)>) {
    for (what, message) in changes {
        let before = targets(k);
        k.update(message);
        assert_nothing_moved(&before, &targets(k), &format!("{name}: {what}"));
    }
}

#[test]
fn nothing_moves_under_a_finger_when_a_screen_changes_in_place() {
    use warm_kiosk::device::printer::Problem;
    use warm_kiosk::device::printer::worker::PrinterState;
    let digit = |d| Message::Counter(counter::Message::Key(Key::Digit(d)));
    for english in [false, true] {
        // The cash pad: nothing typed → 现金不够 → 找零.
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        to_counter(&mut k);
        scan(&mut k, RICE);
        counter(&mut k, counter::Message::Pay);
        counter(&mut k, counter::Message::Method(PaymentMethod::Cash));
        steady(&mut k, "cash", vec![("1", digit(1)), ("0", digit(0)), ("0", digit(0)), ("0", digit(0))]);
        assert!(k.shows("1000"), "1-0-0-0 typed as 1000");

        // The counter: scans that are taken, unknown, garbage, and the notice each leaves.
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        to_counter(&mut k);
        let line = |code: &str| Message::Scanner(ScannerEvent::Line(Ok(code.into())));
        steady(
            &mut k,
            "counter",
            vec![
                ("a scan", line(RICE)),
                ("an unknown code", line("6901234567892")),
                ("garbage", line("not a code at all, and rather long for a barcode too")),
                ("a second scan", line(FLOUR)),
                ("a line picked", Message::Counter(counter::Message::TogglePicked(0))),
                ("pay with lines to pick", Message::Counter(counter::Message::Pay)),
                ("all picked", Message::Counter(counter::Message::PickAll)),
            ],
        );

        // The PIN pad: a wrong PIN, the pause, its countdown and its end.
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        k.update(Message::Key(KeyPress::VolunteerShortcut));
        let mut changes = Vec::new();
        for _ in 0..5 {
            changes.push(("a digit", Message::Pin(pin::Message::Key(Key::Digit(1)))));
            changes.push(("a wrong PIN", Message::Pin(pin::Message::Ok)));
        }
        let now = Instant::now();
        for s in [1, 2, 11, 3600] {
            changes.push(("a second of the pause", Message::Tick(now + Duration::from_secs(s))));
        }
        steady(&mut k, "PIN pad", changes);
        k.taps.wait(3_600_000);
        steady(&mut k, "PIN pad", vec![("the end of the pause", Message::Tick(now))]);

        // The seniors' basket filling up, and the printer's banner coming.
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        k.tap(if english { "Grain & Oil" } else { "粮油" });
        let products: Vec<_> =
            k.ctx.catalog.in_category(&k.ctx.catalog.categories[0].id).map(|p| p.id.clone()).collect();
        k.ctx.printer.drain();
        let mut changes: Vec<(&str, Message)> = products
            .iter()
            .skip(1)
            .map(|p| ("one more product", Message::Category(warm_kiosk::ui::screen::category::Message::Add(p.clone()))))
            .collect();
        changes.push((
            "the printer's banner",
            Message::Printer(PrinterState { problem: Some(Problem::PaperOut), pending: 3, ..PrinterState::default() }),
        ));
        k.update(Message::Category(warm_kiosk::ui::screen::category::Message::Add(products[0].clone())));
        steady(&mut k, "basket", changes);
    }
}

/// The demo catalog with its first product at ￥99999.99 and named with the catalog's longest
/// name in each language.
fn dearest_catalog(catalog: &Catalog) -> Catalog {
    let mut products = catalog.products.clone();
    let longest = |en: bool| {
        products
            .iter()
            .map(|p| if en { p.name.en.clone() } else { p.name.zh.clone() })
            .max_by_key(|n| n.chars().count())
            .unwrap()
    };
    let (zh, en) = (longest(false), longest(true));
    products[0].name.zh = zh;
    products[0].name.en = en;
    products[0].price = Money(9_999_999);
    Catalog::new(catalog.market_name.clone(), catalog.categories.clone(), products)
}

/// Whether a text laid out in `bounds` fits: some size and weight of the theme gives it exactly
/// that height (its own lines, not clipped) and no line wider than the box.
fn fits(content: &str, bounds: Rectangle) -> bool {
    let sizes =
        [theme::BODY, theme::BUTTON, theme::TITLE, theme::PRICE, theme::TOTAL, theme::BANNER, theme::ORDER_NUMBER];
    sizes.iter().flat_map(|&size| [(size, theme::FONT), (size, theme::BOLD)]).any(|(size, font)| {
        let paragraph = iced::advanced::graphics::text::Paragraph::with_text(iced::advanced::Text {
            content,
            bounds: Size::new(bounds.width, f32::INFINITY),
            size: size.into(),
            line_height: iced::widget::text::LineHeight::Relative(1.3),
            font,
            align_x: iced::advanced::text::Alignment::Default,
            align_y: iced::alignment::Vertical::Top,
            shaping: iced::widget::text::Shaping::default(),
            wrapping: iced::widget::text::Wrapping::default(),
        });
        let min = paragraph.min_bounds();
        (min.height - bounds.height).abs() < 1.0 && min.width <= bounds.width + 0.5
    })
}

pub(crate) fn assert_fits(k: &Kiosk, screen: &str) {
    let large = k.app.room() != warm_kiosk::ui::REFERENCE_SIZE;
    let screen = &if large { format!("{screen} (大字)") } else { screen.to_owned() };
    let window = Rectangle::new(Point::ORIGIN, k.app.room());
    for (text, bounds) in k.texts() {
        assert!(fits(&text, bounds), "{screen}: {text:?} does not fit its box {bounds:?}");
        assert!(
            window.contains(bounds.position())
                && window.contains(Point::new(bounds.x + bounds.width, bounds.y + bounds.height)),
            "{screen}: {text:?} runs off the screen at {bounds:?}"
        );
    }
}

#[test]
fn every_text_fits_its_box_in_both_languages_with_the_dearest_amounts() {
    for english in [false, true] {
        // The seniors' screens in both text sizes (大字, issue 12); the volunteer's below keep one.
        for large in [false, true] {
            let mut k = dearest_kiosk(english);
            if large {
                k.update(Message::ToggleLargeText);
            }
            seniors_texts_fit(&mut k);
        }
        let mut k = dearest_kiosk(english);
        assert_fits(&k, "home");
        to_counter(&mut k);
        assert_fits(&k, "empty counter");
        let dear_code = k.ctx.catalog.products[0].ean13.clone();
        for code in [dear_code.as_str(), FLOUR, NOODLES, OIL, "6901234567892"] {
            scan(&mut k, code);
        }
        assert_fits(&k, "counter with ￥99999.99 and an unknown code");
        counter(&mut k, counter::Message::PickByHand);
        assert_fits(&k, "pick by hand");
        counter(&mut k, counter::Message::ClosePick);
        counter(&mut k, counter::Message::PickAll);
        counter(&mut k, counter::Message::Clear);
        assert_fits(&k, "clear?");
        counter(&mut k, counter::Message::ClearCancelled);
        counter(&mut k, counter::Message::Pay);
        assert_fits(&k, "methods");
        counter(&mut k, counter::Message::Method(PaymentMethod::OnAccount));
        assert_fits(&k, "on account");
        counter(&mut k, counter::Message::CancelPay);
        counter(&mut k, counter::Message::Pay);
        counter(&mut k, counter::Message::Method(PaymentMethod::Cash));
        for d in [1, 9, 9, 9, 9, 9, 9, 9] {
            counter(&mut k, counter::Message::Key(Key::Digit(d)));
        }
        assert_fits(&k, "cash with change");
        counter(&mut k, counter::Message::ConfirmPay);
        assert_fits(&k, "paid");
    }
}

/// A kiosk whose first product has the longest names and costs ￥99999.99.
fn dearest_kiosk(english: bool) -> Kiosk {
    let mut k = kiosk();
    let mut ctx = k.ctx.clone();
    ctx.catalog = Arc::new(dearest_catalog(&ctx.catalog));
    k = Kiosk { app: warm_kiosk::ui::App::new(ctx.clone()), ctx, ..k };
    if english {
        k.update(Message::SwitchLanguage);
    }
    k
}

/// The seniors' screens with the dearest product in the basket and the longest top-bar words.
fn seniors_texts_fit(k: &mut Kiosk) {
    let dear = k.ctx.catalog.products[0].clone();
    assert_fits(k, "home");
    // The longest corner: refused by the hub, orders waiting, the last delivery.
    let refused = warm_kiosk::sync::SyncStatus {
        configured: true,
        waiting: 12,
        orders_waiting: 12,
        delivered_at: Some("2022-05-05T02:42:00Z".parse().unwrap()),
        needs_help: true,
        ..warm_kiosk::sync::SyncStatus::default()
    };
    k.update(Message::Sync(warm_kiosk::ui::sync_status::SyncMsg::Status(refused)));
    assert_fits(k, "home with the hub refusing");
    k.ctx.printer.drain();
    k.update(Message::Printer(warm_kiosk::device::printer::worker::PrinterState {
        problem: Some(warm_kiosk::device::printer::Problem::PaperOut),
        pending: 12,
        ..Default::default()
    }));
    assert_fits(k, "home with the hub refusing and the printer out of paper");
    k.update(Message::HomeScreen(warm_kiosk::ui::screen::home::Message::OpenCategory(dear.category.clone())));
    k.update(Message::Category(warm_kiosk::ui::screen::category::Message::Add(dear.id.clone())));
    assert_fits(k, "category with ￥99999.99 in the basket");
    k.update(Message::Basket(basket::Message::Review));
    assert_fits(k, "review");
}

#[test]
fn the_pin_pad_is_switched_off_during_a_pause_and_counts_it_down() {
    let mut k = kiosk();
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    k.update(Message::Pin(pin::Message::Ok));
    assert!(k.shows("请先输入密码"), "OK on nothing says what to do");
    // Five wrong tries: the fifth starts the pause.
    for _ in 0..5 {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(1))));
        k.update(Message::Pin(pin::Message::Ok));
    }
    let Some(Volunteer::Pin(pad)) = k.app.volunteer() else { panic!("not on the PIN pad") };
    assert!(pad.locked(), "five wrong tries pause the pad");
    // The right PIN typed now is not taken (and so not thrown away silently: the keys are off).
    let before = fingerprint(&k);
    k.tap("2");
    assert_eq!(fingerprint(&k), before, "a key of the paused pad takes no digit");
    let texts = |k: &Kiosk| k.texts().into_iter().map(|(t, _)| t).collect::<Vec<_>>().join("|");
    let shown = texts(&k);
    k.taps.wait(10_000);
    k.update(Message::Tick(Instant::now()));
    assert_ne!(texts(&k), shown, "the countdown counts");
    k.taps.wait(3_600_000);
    k.update(Message::Tick(Instant::now()));
    let Some(Volunteer::Pin(pad)) = k.app.volunteer() else { panic!("not on the PIN pad") };
    assert!(!pad.locked(), "the pause ends");
    for d in ["2", "4", "6", "8"] {
        k.tap(d);
    }
    k.tap("确定");
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Counter(_))), "the right PIN works after the pause");
}

#[test]
fn the_volunteers_pin_pause_survives_a_restart() {
    let mut k = kiosk();
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for _ in 0..3 {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(1))));
        k.update(Message::Pin(pin::Message::Ok));
    }
    let Some(Volunteer::Pin(pad)) = k.app.volunteer() else { panic!("not on the PIN pad") };
    assert!(pad.locked(), "three wrong tries pause the pad");
    // Pulling the plug: nothing of the last run is in memory, the store keeps the pause.
    k.app = warm_kiosk::ui::App::new(k.ctx.clone());
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    let Some(Volunteer::Pin(pad)) = k.app.volunteer() else { panic!("not on the PIN pad") };
    assert!(pad.locked(), "the pause goes on after a restart");
    for d in "2468".chars() {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d.to_digit(10).unwrap() as u8))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Pin(_))), "the right PIN waits for the pause to end");
    k.taps.wait(3_600_000);
    k.update(Message::Tick(Instant::now()));
    for d in ["2", "4", "6", "8"] {
        k.tap(d);
    }
    k.tap("确定");
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Counter(_))), "the right PIN works after the pause");
    assert!(k.shows("演示密码，请修改"), "the counter says the kiosk is still on the demo PIN");
}

#[test]
fn the_counter_switches_language_and_the_seniors_get_the_markets_back() {
    let mut k = kiosk();
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in ["2", "4", "6", "8"] {
        k.tap(d);
    }
    k.tap("确定");
    assert!(k.shows("收银台"));
    k.tap("English");
    assert!(k.shows("Checkout"), "the counter speaks English");
    k.tap("Exit");
    assert!(k.app.volunteer().is_none());
    assert!(k.shows("请点选您要买的东西"), "the next senior gets the market's language");
}

#[test]
fn a_paid_sale_cannot_be_changed_and_notices_tell_the_current_state() {
    let mut k = kiosk();
    to_counter(&mut k);
    counter(&mut k, counter::Message::Pay);
    assert!(k.shows("台面上还没有商品，先扫码"), "收款 on nothing says why");
    scan(&mut k, RICE);
    scan(&mut k, FLOUR);
    assert!(k.shows("✓ 已加入：面粉"));
    counter(&mut k, counter::Message::Remove(1));
    assert!(!k.shows("✓ 已加入：面粉"), "the notice about a deleted line goes");
    counter(&mut k, counter::Message::TogglePicked(0));
    counter(&mut k, counter::Message::Pay);
    assert!(k.shows("还有 1 件未拣"));
    counter(&mut k, counter::Message::PickAll);
    assert!(
        !k.texts().iter().any(|(t, _)| t.contains("未拣") && t.contains("还有")),
        "no 'still to pick' over a picked sale"
    );

    // WeChat with no reference: refused, in words.
    counter(&mut k, counter::Message::Pay);
    counter(&mut k, counter::Message::Method(PaymentMethod::Wechat));
    counter(&mut k, counter::Message::ConfirmPay);
    assert!(k.shows("请先输入交易单号"));
    counter(&mut k, counter::Message::CancelPay);

    counter(&mut k, counter::Message::Pay);
    counter(&mut k, counter::Message::Method(PaymentMethod::Cash));
    for d in [5, 0] {
        counter(&mut k, counter::Message::Key(Key::Digit(d)));
    }
    counter(&mut k, counter::Message::ConfirmPay);
    assert!(k.shows("收款成功"));
    let paid = fingerprint(&k);
    for m in [
        counter::Message::Increase(0),
        counter::Message::Decrease(0),
        counter::Message::Remove(0),
        counter::Message::TogglePicked(0),
        counter::Message::Clear,
    ] {
        counter(&mut k, m);
    }
    assert_eq!(fingerprint(&k), paid, "the paid sale on screen still agrees with the stored payment");
}

#[test]
fn a_late_tap_on_im_still_here_after_the_basket_was_cleared_opens_nothing() {
    let mut k = kiosk();
    let idle = k.ctx.config.idle.clone();
    k.tap("粮油");
    k.tap("东北大米");
    let later = Instant::now() + Duration::from_secs(idle.ask_after_seconds + 1);
    k.update(Message::Tick(later));
    let here = simulator(&k.app).find("我还在").unwrap().visible_bounds().unwrap();
    k.update(Message::Tick(later + Duration::from_secs(idle.clear_after_seconds)));
    assert!(k.app.cart().is_empty() && matches!(k.app.screen(), Screen::Home(_)));
    // The finger arrives a moment after the kiosk cleared the basket by itself.
    k.taps.step(400);
    k.tap_at(centre(&here));
    assert!(matches!(k.app.screen(), Screen::Home(_)), "the late tap opened nothing");
}

#[test]
fn lists_use_the_screen() {
    // At the reference size: the basket 3 lines, the review 4, the counter 4 (each line taller
    // now that a long name, ×99 and ￥99999.99 fit); with 大字 (1536×864) the basket and the
    // review 2 (the counter keeps its size); the layout tests prove they fit.
    let (reference, large) = (warm_kiosk::ui::REFERENCE_SIZE, iced::Size::new(1536.0, 864.0));
    assert_eq!(basket::lines_page(reference), 3);
    assert_eq!(warm_kiosk::ui::screen::review::lines_page(reference), 4);
    assert_eq!(counter::lines_page(), 4);
    assert_eq!(basket::lines_page(large), 2);
    assert_eq!(warm_kiosk::ui::screen::review::lines_page(large), 2);
    let mut k = kiosk_with(crate::support::config());
    to_counter(&mut k);
    for code in [RICE, FLOUR, NOODLES, OIL] {
        scan(&mut k, code);
    }
    assert!(!k.shows("下一页"), "four lines on one page");
}

#[test]
fn the_counter_shows_when_sync_needs_a_person() {
    use warm_kiosk::sync::SyncStatus;
    use warm_kiosk::ui::sync_status::SyncMsg;
    let mut k = kiosk();
    to_counter(&mut k);
    let refused = SyncStatus { configured: true, waiting: 3, needs_help: true, ..SyncStatus::default() };
    assert!(!k.shows("！合作社拒收，请联系云小二 · 3 条记录待上传"));
    k.update(Message::Sync(SyncMsg::Status(refused)));
    assert!(k.shows("！合作社拒收，请联系云小二 · 3 条记录待上传"), "the volunteer, who can act, sees it");
    assert_fits(&k, "counter with the sync corner");
}

#[test]
fn words_come_in_one_language_and_english_counts_agree() {
    use warm_kiosk::device::scanner::LineError;
    for (english, said) in [
        (false, "扫码枪发来的不是条码：第 0 个字节是空字节"),
        (true, "The scanner sent something that is not a code: a NUL byte at byte 0"),
    ] {
        let mut k = kiosk();
        if english {
            k.update(Message::SwitchLanguage);
        }
        to_counter(&mut k);
        k.update(Message::Scanner(ScannerEvent::Line(Err(LineError::Nul { at: 0 }))));
        assert!(k.shows(said), "{said}");
    }
    let mut k = kiosk();
    k.update(Message::SwitchLanguage);
    open_and_add(&mut k, "grain_oil", &["rice-5kg"]);
    assert!(k.shows("1 item"), "not '1 items'");
}

#[test]
fn the_voice_switch_is_for_this_senior_only() {
    let mut k = kiosk();
    assert!(k.shows("朗读：开"), "the market's default: reading on");
    k.tap("朗读：开");
    assert!(k.shows("朗读：关"));
    open_and_add(&mut k, "grain_oil", &["rice-5kg"]);
    k.update(Message::Basket(basket::Message::Review));
    k.update(Message::Review(warm_kiosk::ui::screen::review::Message::Confirm));
    k.update(Message::Done(warm_kiosk::ui::screen::done::Message::NextSenior));
    assert!(k.shows("朗读：开"), "the next senior starts with the default again");
}

#[test]
fn household_texts_fit_their_boxes_in_both_languages() {
    use crate::households::{RICE, kiosk_with_households, type_home};
    use warm_kiosk::ui::screen::{category, household};
    for english in [false, true] {
        let mut k = kiosk_with_households();
        if english {
            k.update(Message::SwitchLanguage);
        }
        assert_fits(&k, "home with the household's button");
        k.update(Message::ChangeHousehold);
        type_home(&mut k, "12-3-1203");
        k.update(Message::Household(household::Message::Confirm));
        assert_fits(&k, "household entry: a number not on the list");
        k.update(Message::Household(household::Message::AskVolunteer));
        assert_fits(&k, "household entry: ask a volunteer");
        k.update(Message::Household(household::Message::Back));
        k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
        open_and_add(&mut k, "grain_oil", &[RICE]);
        k.update(Message::Category(category::Message::Add(warm_core::domain::ProductId::new(RICE))));
        assert_fits(&k, "category with limited tiles, one at its limit");
        k.update(Message::Category(category::Message::Add(warm_core::domain::ProductId::new(RICE))));
        assert_fits(&k, "why + did nothing at the limit");
        k.update(Message::Modal(warm_kiosk::ui::screen::modal::Message::Keep));
        k.update(Message::Basket(basket::Message::Review));
        assert_fits(&k, "review with the household");
    }
}
