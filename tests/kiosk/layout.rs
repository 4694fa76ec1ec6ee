//! Measures the laid-out widget tree of every screen: targets ≥ 96 px with ≥ 12 px between them,
//! body text ≥ 32 px and prices ≥ 48 px at 1920×1080 (text bounds are size × 1.3 line height).

use crate::support::{Kiosk, kiosk, simulator};
use iced::Rectangle;
use iced_test::selector::Candidate;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::screen::modal::MODAL_ID;
use warm_kiosk::ui::widget::TAP_ID;

const LINE_HEIGHT: f32 = 1.3;

/// The tap targets a finger can reach: with a question up, only those on its card.
fn targets(k: &Kiosk) -> Vec<Rectangle> {
    let (tap, modal) = (iced::widget::Id::new(TAP_ID), iced::widget::Id::new(MODAL_ID));
    let (mut found, mut card) = (Vec::new(), None);
    let _ = simulator(&k.app).find(|c: Candidate<'_>| {
        if let Candidate::Container { id: Some(id), bounds, .. } = c {
            if *id == tap {
                found.push(bounds);
            } else if *id == modal {
                card = Some(bounds);
            }
        }
        None::<()>
    });
    match card {
        Some(card) => found.into_iter().filter(|t| card.contains(t.center())).collect(),
        None => found,
    }
}

/// Distance between two rectangles (0 when they touch or overlap).
fn gap(a: &Rectangle, b: &Rectangle) -> f32 {
    let dx = (b.x - (a.x + a.width)).max(a.x - (b.x + b.width)).max(0.0);
    let dy = (b.y - (a.y + a.height)).max(a.y - (b.y + b.height)).max(0.0);
    dx.max(dy)
}

fn check(k: &Kiosk, screen: &str) {
    let targets = targets(k);
    assert!(!targets.is_empty(), "{screen}: no tap targets found");
    for t in &targets {
        assert!(t.width >= 96.0 && t.height >= 96.0, "{screen}: target {t:?} is smaller than 96×96");
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

#[test]
fn every_screen_meets_the_size_rules_in_both_languages() {
    use warm_kiosk::device::printer::Problem;
    use warm_kiosk::device::printer::worker::PrinterState;
    // Also with the printer's banner up (out of paper, slips waiting), which takes room on every screen.
    for (english, problem) in
        [(false, None), (true, None), (false, Some(Problem::PaperOut)), (true, Some(Problem::NoAnswer))]
    {
        let mut k = kiosk();
        if english {
            k.app.update(Message::SwitchLanguage);
        }
        k.ctx.printer.drain();
        k.app.update(Message::Printer(PrinterState { problem, pending: 3, ..PrinterState::default() }));
        check(&k, "home, empty");
        k.app.update(Message::OpenCategory(k.ctx.catalog.categories[3].id.clone()));
        let products: Vec<_> =
            k.ctx.catalog.in_category(&k.ctx.catalog.categories[3].id).map(|p| p.id.clone()).collect();
        for p in &products {
            k.app.update(Message::Add(p.clone()));
        }
        check(&k, "category with a full basket and pagers");
        k.app.update(Message::AskEmpty);
        check(&k, "empty-basket question");
        k.app.update(Message::EmptyCancelled);
        k.app.update(Message::Home);
        check(&k, "home with basket");
        k.app.update(Message::Review);
        check(&k, "review");
        k.app.update(Message::Tick(std::time::Instant::now() + std::time::Duration::from_secs(600)));
        check(&k, "still-there question");
        k.app.update(Message::StillHere);
        k.app.update(Message::PlaceOrder);
        check(&k, "done");
    }
}

#[test]
fn volunteer_screens_meet_the_size_rules_in_both_languages() {
    use warm_core::domain::PaymentMethod;
    use warm_kiosk::device::scanner::ScannerEvent;
    use warm_kiosk::ui::app::KeyPress;
    use warm_kiosk::ui::volunteer::VMsg;
    use warm_kiosk::ui::widget::numpad::Key;
    for english in [false, true] {
        let mut k = kiosk();
        if english {
            k.app.update(Message::SwitchLanguage);
        }
        let scan = |k: &mut Kiosk, code: &str| k.app.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
        let v = |k: &mut Kiosk, m: VMsg| k.app.update(Message::Volunteer(m));
        k.app.update(Message::Key(KeyPress::VolunteerShortcut));
        check(&k, "PIN pad");
        for d in [1, 1, 1, 1] {
            v(&mut k, VMsg::PinKey(Key::Digit(d)));
        }
        v(&mut k, VMsg::PinOk);
        check(&k, "PIN pad with a wrong-PIN message");
        for d in [2, 4, 6, 8] {
            v(&mut k, VMsg::PinKey(Key::Digit(d)));
        }
        v(&mut k, VMsg::PinOk);
        check(&k, "empty counter");
        for code in ["6952022100012", "6952022100029", "6952022100036", "6952022100043", "6952022100012"] {
            scan(&mut k, code);
        }
        check(&k, "counter with lines and a pager");
        scan(&mut k, "6901234567892");
        check(&k, "unknown code with the pick-by-hand offer");
        scan(&mut k, "not a code at all, and rather long for a barcode too");
        check(&k, "rejected code");
        v(&mut k, VMsg::PickByHand);
        check(&k, "pick: categories");
        let grain = k.ctx.catalog.categories[0].id.clone();
        v(&mut k, VMsg::PickCategory(grain));
        check(&k, "pick: products");
        v(&mut k, VMsg::ClosePick);
        v(&mut k, VMsg::Pay);
        check(&k, "payment methods");
        v(&mut k, VMsg::Method(PaymentMethod::Wechat));
        check(&k, "reference on the numpad");
        v(&mut k, VMsg::CancelPay);
        v(&mut k, VMsg::Pay);
        v(&mut k, VMsg::Method(PaymentMethod::Cash));
        for d in [5, 0, 0] {
            v(&mut k, VMsg::Key(Key::Digit(d)));
        }
        check(&k, "cash with change");
        v(&mut k, VMsg::ConfirmPay);
        check(&k, "paid");
    }
}
