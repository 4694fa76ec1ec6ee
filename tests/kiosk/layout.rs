//! Measures the laid-out widget tree of every screen: targets ≥ 96 px with ≥ 12 px between them,
//! body text ≥ 32 px and prices ≥ 48 px at 1920×1080 (text bounds are size × 1.3 line height),
//! every target on the screen. The seniors' screens also with 大字 on (issue 12): the same rules
//! in the screens' own pixels, laid out in 1536×864 and drawn 1.25 times as big.

use crate::leader::{enter_leader, l, notice, seeded};
use crate::support::{Kiosk, kiosk, simulator};
use iced::Rectangle;
use iced_test::selector::Candidate;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::screen::modal::MODAL_ID;
use warm_kiosk::ui::screen::{category, home, modal, review};
use warm_kiosk::ui::widget::TAP_ID;
use warm_kiosk::ui::widget::basket;

const LINE_HEIGHT: f32 = 1.3;

/// The tap targets a finger can reach: with a question up, only those on its card.
pub fn targets(k: &Kiosk) -> Vec<Rectangle> {
    let (tap, modal) = (iced::widget::Id::new(TAP_ID), iced::widget::Id::new(MODAL_ID));
    let (mut found, mut card) = (Vec::new(), None);
    let _ = simulator(&k.app).find(|c: Candidate<'_>| {
        if let Candidate::Container { id: Some(id), bounds, .. } = c {
            if *id == tap {
                found.push(bounds);
            } else if *id == modal {
                // The card's own targets come after it in the tree; those before are behind it.
                card = Some((bounds, found.len()));
            }
        }
        None::<()>
    });
    match card {
        Some((card, first)) => found
            .split_off(first)
            .into_iter()
            .filter(|t| card.contains(t.position()) && card.contains(iced::Point::new(t.x + t.width, t.y + t.height)))
            .collect(),
        None => found,
    }
}

/// Distance between two rectangles (0 when they touch or overlap).
fn gap(a: &Rectangle, b: &Rectangle) -> f32 {
    let dx = (b.x - (a.x + a.width)).max(a.x - (b.x + b.width)).max(0.0);
    let dy = (b.y - (a.y + a.height)).max(a.y - (b.y + b.height)).max(0.0);
    dx.max(dy)
}

pub fn check(k: &Kiosk, screen: &str) {
    let large = k.app.room() != warm_kiosk::ui::REFERENCE_SIZE;
    let screen = &if large { format!("{screen} (大字)") } else { screen.to_owned() };
    let targets = targets(k);
    assert!(!targets.is_empty(), "{screen}: no tap targets found");
    let room = Rectangle::new(iced::Point::ORIGIN, k.app.room());
    for t in &targets {
        assert!(t.width >= 96.0 && t.height >= 96.0, "{screen}: target {t:?} is smaller than 96×96");
        assert!(
            room.contains(t.position()) && room.contains(iced::Point::new(t.x + t.width, t.y + t.height)),
            "{screen}: target {t:?} runs off the screen ({room:?})"
        );
    }
    for (i, a) in targets.iter().enumerate() {
        for b in &targets[i + 1..] {
            assert!(gap(a, b) >= 12.0, "{screen}: targets {a:?} and {b:?} are {} px apart", gap(a, b));
        }
    }
    for (text, bounds) in k.texts() {
        let min = if text.contains('￥') { 48.0 } else { 32.0 };
        assert!(
            bounds.height + 0.01 >= min * LINE_HEIGHT,
            "{screen}: {text:?} is {} px tall, under {min} px type",
            bounds.height
        );
    }
}

/// The seniors' screens are checked in both languages and both text sizes, and also with the
/// printer's banner up (out of paper, slips waiting), which takes room on every screen:
/// (English, 大字, the printer's problem).
struct SeniorsCase(bool, bool, Option<warm_kiosk::device::printer::Problem>);

const SENIORS_CASES: [SeniorsCase; 8] = {
    use warm_kiosk::device::printer::Problem::{NoAnswer, PaperOut};
    [
        SeniorsCase(false, false, None),
        SeniorsCase(false, true, None),
        SeniorsCase(true, false, None),
        SeniorsCase(true, true, None),
        SeniorsCase(false, false, Some(PaperOut)),
        SeniorsCase(false, true, Some(PaperOut)),
        SeniorsCase(true, false, Some(NoAnswer)),
        SeniorsCase(true, true, Some(NoAnswer)),
    ]
};

impl SeniorsCase {
    fn set_up(&self, k: &mut Kiosk) {
        let SeniorsCase(english, large, problem) = *self;
        if english {
            k.update(Message::SwitchLanguage);
        }
        if large {
            k.update(Message::ToggleLargeText);
        }
        k.ctx.printer.drain();
        let state = warm_kiosk::device::printer::worker::PrinterState { problem, pending: 3, ..Default::default() };
        k.update(Message::Printer(state));
    }
}

#[test]
fn every_screen_meets_the_size_rules_in_both_languages() {
    for case in SENIORS_CASES {
        let mut k = kiosk();
        case.set_up(&mut k);
        check(&k, "home, empty");
        k.update(Message::HomeScreen(home::Message::OpenCategory(k.ctx.catalog.categories[3].id.clone())));
        let products: Vec<_> =
            k.ctx.catalog.in_category(&k.ctx.catalog.categories[3].id).map(|p| p.id.clone()).collect();
        for p in &products {
            k.update(Message::Category(category::Message::Add(p.clone())));
        }
        check(&k, "category with a full basket and pagers");
        k.update(Message::Basket(basket::Message::AskEmpty));
        check(&k, "empty-basket question");
        k.update(Message::Modal(modal::Message::Keep));
        k.update(Message::Home);
        check(&k, "home with basket");
        k.update(Message::Basket(basket::Message::Review));
        check(&k, "review");
        k.update(Message::Tick(std::time::Instant::now() + std::time::Duration::from_secs(600)));
        check(&k, "still-there question");
        k.update(Message::Modal(modal::Message::Keep));
        k.update(Message::Review(review::Message::Confirm));
        check(&k, "done");
    }
}

#[test]
fn volunteer_screens_meet_the_size_rules_in_both_languages() {
    use warm_core::domain::PaymentMethod;
    use warm_kiosk::device::scanner::ScannerEvent;
    use warm_kiosk::ui::app::KeyPress;
    use warm_kiosk::ui::screen::{counter, pin};
    use warm_kiosk::ui::widget::numpad::Key;
    // Where the market starts every senior with 大字, the volunteer's screens keep the normal size.
    for (english, large) in [(false, false), (true, false), (false, true), (true, true)] {
        let mut config = crate::support::config();
        config.kiosk.large_text = large;
        let mut k = crate::support::kiosk_with(config);
        if english {
            k.update(Message::SwitchLanguage);
        }
        let scan = |k: &mut Kiosk, code: &str| k.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
        let v = |k: &mut Kiosk, m: counter::Message| k.update(Message::Counter(m));
        k.update(Message::Key(KeyPress::VolunteerShortcut));
        assert_eq!(k.app.room(), warm_kiosk::ui::REFERENCE_SIZE, "the volunteer's screens at the normal size");
        check(&k, "PIN pad");
        for d in [1, 1, 1, 1] {
            k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
        }
        k.update(Message::Pin(pin::Message::Ok));
        check(&k, "PIN pad with a wrong-PIN message");
        for d in [2, 4, 6, 8] {
            k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
        }
        k.update(Message::Pin(pin::Message::Ok));
        check(&k, "empty counter");
        for code in ["6952022100012", "6952022100029", "6952022100036", "6952022100043", "6952022100012"] {
            scan(&mut k, code);
        }
        check(&k, "counter with lines and a pager");
        scan(&mut k, "6901234567892");
        check(&k, "unknown code with the pick-by-hand offer");
        scan(&mut k, "not a code at all, and rather long for a barcode too");
        check(&k, "rejected code");
        v(&mut k, counter::Message::PickByHand);
        check(&k, "pick: categories");
        let grain = k.ctx.catalog.categories[0].id.clone();
        v(&mut k, counter::Message::PickCategory(grain));
        check(&k, "pick: products");
        v(&mut k, counter::Message::ClosePick);
        v(&mut k, counter::Message::Pay);
        check(&k, "payment methods");
        v(&mut k, counter::Message::Method(PaymentMethod::Wechat));
        check(&k, "reference on the numpad");
        v(&mut k, counter::Message::CancelPay);
        v(&mut k, counter::Message::Pay);
        v(&mut k, counter::Message::Method(PaymentMethod::Cash));
        for d in [5, 0, 0] {
            v(&mut k, counter::Message::Key(Key::Digit(d)));
        }
        check(&k, "cash with change");
        v(&mut k, counter::Message::ConfirmPay);
        check(&k, "paid");
    }
}

/// Building-leader mode (issue 10): its PIN, the building pad, ordering a home, the question
/// before placing, the building placed; with the words for what is wrong in each.
#[test]
fn leader_screens_meet_the_size_rules_in_both_languages_and_say_what_is_wrong() {
    use warm_core::domain::pin::DEMO_LEADER_PIN;
    use warm_kiosk::ui::app::KeyPress;
    use warm_kiosk::ui::screen::{leader, pin};
    use warm_kiosk::ui::widget::numpad::Key;
    for english in [false, true] {
        let mut k = seeded();
        enter_leader(&mut k);
        if english {
            // The volunteer's language switch is on the counter; leader mode follows it.
            l(&mut k, leader::Message::Leave);
            k.update(Message::SwitchLanguage);
            k.update(Message::Key(KeyPress::VolunteerShortcut));
            for d in [2, 4, 6, 8] {
                k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
            }
            k.update(Message::Pin(pin::Message::Ok));
            k.tap("Building leader");
            for d in DEMO_LEADER_PIN.bytes() {
                l(&mut k, leader::Message::PinKey(Key::Digit(d - b'0')));
            }
        }
        if !english {
            // A wrong PIN first.
            l(&mut k, leader::Message::Leave);
            k.update(Message::Key(KeyPress::VolunteerShortcut));
            for d in [2, 4, 6, 8] {
                k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
            }
            k.update(Message::Pin(pin::Message::Ok));
            k.tap("楼长代订");
            for d in [1, 1, 1, 1] {
                l(&mut k, leader::Message::PinKey(Key::Digit(d)));
            }
            l(&mut k, leader::Message::PinOk);
            check(&k, "leader: PIN pad with a wrong-PIN message");
            for d in DEMO_LEADER_PIN.bytes() {
                l(&mut k, leader::Message::PinKey(Key::Digit(d - b'0')));
            }
        }
        check(&k, "leader: PIN pad");
        l(&mut k, leader::Message::PinOk);
        check(&k, "leader: building pad");
        l(&mut k, leader::Message::StartBuilding);
        check(&k, "leader: no building typed");
        for d in [9, 9] {
            l(&mut k, leader::Message::BuildingKey(Key::Digit(d)));
        }
        l(&mut k, leader::Message::StartBuilding);
        let words = notice(&k);
        assert!(words.contains("99"), "an unknown building is named: {words}");
        check(&k, "leader: unknown building");
        l(&mut k, leader::Message::BuildingKey(Key::Clear));
        l(&mut k, leader::Message::BuildingKey(Key::Digit(7)));
        l(&mut k, leader::Message::StartBuilding);
        l(&mut k, leader::Message::Finish);
        assert!(!notice(&k).is_empty(), "nothing chosen: said");
        check(&k, "leader: nothing chosen");
        l(&mut k, leader::Message::PrintSheet);
        check(&k, "leader: sheet queued");
        l(&mut k, leader::Message::Increase(0));
        l(&mut k, leader::Message::Increase(0));
        l(&mut k, leader::Message::Increase(0));
        check(&k, "leader: at the limit");
        l(&mut k, leader::Message::Finish);
        check(&k, "leader: asking");
        l(&mut k, leader::Message::FinishYes);
        check(&k, "leader: done");
        let _ = k.ctx.printer.drain();
    }
}

#[test]
fn household_screens_meet_the_size_rules_in_both_languages() {
    use crate::households::{RICE, kiosk_with_households, type_home};
    use warm_core::domain::ProductId;
    use warm_kiosk::device::scanner::ScannerEvent;
    use warm_kiosk::ui::screen::household;
    for case in SENIORS_CASES {
        let mut k = kiosk_with_households();
        case.set_up(&mut k);
        check(&k, "home with the household's button");
        k.update(Message::ChangeHousehold);
        check(&k, "household entry");
        type_home(&mut k, "12-3-1203");
        k.update(Message::Household(household::Message::Confirm));
        check(&k, "household entry: a number not on the list");
        k.update(Message::Household(household::Message::AskVolunteer));
        check(&k, "household entry: ask a volunteer");
        k.update(Message::Household(household::Message::Back));
        k.update(Message::Scanner(ScannerEvent::Line(Ok("WM1:H:3-2-501".into()))));
        k.update(Message::HomeScreen(home::Message::OpenCategory(k.ctx.catalog.categories[0].id.clone())));
        for _ in 0..3 {
            k.update(Message::Category(category::Message::Add(ProductId::new(RICE))));
        }
        check(&k, "why + did nothing at the limit");
        k.update(Message::Modal(modal::Message::Keep));
        check(&k, "category with limited tiles, one at its limit");
        k.update(Message::Basket(basket::Message::Review));
        check(&k, "review with the household");
    }
}

#[test]
fn the_sub_category_screen_meets_the_size_rules_in_both_languages() {
    use crate::assortment::{big_kiosk, go, place};
    use warm_core::domain::CategoryId;
    use warm_kiosk::ui::screen::Screen;
    use warm_kiosk::ui::screen::category::Item;
    let (mut k, _catalog) = big_kiosk();
    for (english, large) in [(false, false), (false, true), (true, true), (true, false)] {
        if english != (k.app.lang() == warm_core::domain::Lang::En) {
            k.update(Message::SwitchLanguage);
        }
        if large != k.app.large_text() {
            k.update(Message::ToggleLargeText);
        }
        go(&mut k, &[]);
        k.update(Message::HomeScreen(home::Message::OpenCategory(CategoryId("t0".into()))));
        let Screen::Category(c) = k.app.screen() else { panic!("not a category") };
        assert!(c.items().iter().all(|i| matches!(i, Item::Sub(_))), "50 products: sub-category tiles");
        check(&k, "sub-categories");
        k.update(Message::Category(category::Message::Open(CategoryId("t0s1".into()))));
        check(&k, "a sub-category's products with a pager");
        k.update(Message::Category(category::Message::TurnPage(true)));
        check(&k, "a sub-category's short last page");
        k.update(Message::Home);
        assert_eq!(place(&k), "t0:0", "← 返回 goes up to the category");
    }
    // The volunteer picks by hand from the 30 sub-categories that hold goods, six to a page.
    use warm_kiosk::ui::app::KeyPress;
    use warm_kiosk::ui::screen::{counter, pin};
    use warm_kiosk::ui::widget::numpad::Key;
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    k.update(Message::Counter(counter::Message::PickByHand));
    check(&k, "pick: 30 categories, paged");
    let pages = warm_core::i18n::tr(warm_core::i18n::Msg::PageOf, k.app.lang(), &[("page", "1"), ("pages", "5")]);
    assert!(k.shows(&pages), "{pages}");
    k.update(Message::Counter(counter::Message::TurnPickPage(true)));
    check(&k, "pick: second page of categories");
}

/// Issue 12: a screen that is not 1920×1080 shows the whole reference layout, scaled to fit
/// (so every size rule above holds in the layout's own pixels), and the fit does not feed on
/// itself when the runtime reports the same window again at the new scale.
#[test]
fn the_reference_layout_is_scaled_to_fit_any_screen() {
    use iced::Size;
    let mut k = kiosk();
    assert_eq!(k.app.scale_factor(), 1.0, "no size reported yet: the reference");
    for (screen, expected) in [((1366.0, 768.0), 768.0 / 1080.0), ((3840.0, 2160.0), 2.0), ((1920.0, 1080.0), 1.0)] {
        // The runtime reports sizes in the logical pixels of the scale in force.
        let now = k.app.scale_factor();
        k.update(Message::WindowResized(Size::new(screen.0 / now, screen.1 / now)));
        let fit = k.app.scale_factor();
        assert!((fit - expected).abs() < 1e-4, "{screen:?}: scale {fit}, expected {expected}");
        let logical = Size::new(screen.0 / fit, screen.1 / fit);
        assert!(
            logical.width >= 1919.5 && logical.height >= 1079.5,
            "{screen:?}: the layout gets {logical:?}, at least the reference"
        );
        k.update(Message::WindowResized(logical));
        assert!((k.app.scale_factor() - fit).abs() < 1e-4, "{screen:?}: the same window again keeps the scale");
    }
    k.update(Message::WindowResized(Size::new(0.0, 0.0)));
    assert_eq!(k.app.scale_factor(), 1.0, "a window with no size (minimised) keeps the reference");
}

/// Issue 12's 大字: one tap draws the seniors' screens 1.25 times as big on any screen, laid out
/// in the room that leaves (1536×864), with fewer on a page; the volunteer's screens keep their
/// size; the next senior starts with the market's default (`[kiosk] large_text`).
#[test]
fn large_text_draws_the_seniors_screens_a_quarter_bigger_in_the_room_that_leaves() {
    use iced::Size;
    use warm_kiosk::ui::app::KeyPress;
    use warm_kiosk::ui::screen::{Screen, pin};
    use warm_kiosk::ui::widget::numpad::Key;
    let mut k = kiosk();
    assert!(k.shows("大字：关") && !k.app.large_text());
    let per_page = |k: &Kiosk| match k.app.screen() {
        Screen::Category(c) => c.in_view().len(),
        _ => panic!("not a category"),
    };
    k.tap("粮油");
    assert_eq!(per_page(&k), 6, "3 × 2 tiles at the reference size");
    k.taps.step(1000);
    k.tap("大字：关");
    assert!(k.app.large_text() && k.shows("大字：开"), "the switch says it is on, in words");
    assert_eq!(k.app.scale_factor(), 1.25);
    assert_eq!(k.app.room(), Size::new(1536.0, 864.0));
    assert_eq!(per_page(&k), 2, "one row of 2 in the room left (￥99999.99 fits each tile)");
    check(&k, "category");
    // On a 1366×768 screen the same room, drawn at 0.71 × 1.25.
    for (screen, scale) in [((1366.0, 768.0), 768.0 / 1080.0 * 1.25), ((1920.0, 1080.0), 1.25)] {
        let now = k.app.scale_factor();
        k.update(Message::WindowResized(Size::new(screen.0 / now, screen.1 / now)));
        assert!((k.app.scale_factor() - scale).abs() < 1e-4, "{screen:?}: {}", k.app.scale_factor());
        let room = k.app.room();
        assert!(room.width >= 1535.0 && (room.height - 864.0).abs() < 0.5, "{screen:?}: {room:?}");
    }
    // A target of 96 px in the screen's pixels is 120 on the panel.
    let smallest = targets(&k).iter().map(|t| t.width.min(t.height)).fold(f32::MAX, f32::min);
    assert!(smallest * k.app.scale_factor() >= 120.0 - 0.01, "smallest target {smallest} px");
    // The volunteer's screens keep the normal size, and 大字 is back when the senior's are.
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    assert_eq!(k.app.scale_factor(), 1.0, "the PIN pad at the normal size");
    assert_eq!(k.app.room(), warm_kiosk::ui::REFERENCE_SIZE);
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    k.update(Message::Counter(warm_kiosk::ui::screen::counter::Message::Exit));
    assert!(k.app.volunteer().is_none());
    assert_eq!(k.app.scale_factor(), 1.25, "back to the senior's 大字");
    // Switched off: the page shows the first tile it showed, six to a page again.
    k.update(Message::Category(category::Message::TurnPage(true)));
    let first = k.app.screen();
    let Screen::Category(c) = first else { panic!() };
    let shown = c.in_view()[0].clone();
    k.taps.step(1000);
    k.tap("大字：开");
    let Screen::Category(c) = k.app.screen() else { panic!() };
    assert!(c.in_view().contains(&shown), "{shown:?} still in view");
    assert_eq!(k.app.scale_factor(), 1.0);
    // The next senior starts with the market's default: off here; on where the config says so.
    k.update(Message::ToggleLargeText);
    k.update(Message::Category(category::Message::Add(k.ctx.catalog.products[0].id.clone())));
    k.update(Message::Basket(basket::Message::Review));
    k.update(Message::Review(review::Message::Confirm));
    k.update(Message::Done(warm_kiosk::ui::screen::done::Message::NextSenior));
    assert!(!k.app.large_text() && k.app.scale_factor() == 1.0, "the next senior: the default");
    let mut config = crate::support::config();
    config.kiosk.large_text = true;
    let k = crate::support::kiosk_with(config);
    assert!(k.app.large_text() && k.shows("大字：开") && k.app.scale_factor() == 1.25);
    check(&k, "home, 大字 by default");
}
