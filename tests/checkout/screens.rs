//! Pictures of the volunteer's screens for people to look at (docs/screenshots/checkout-*.png).
//! Run on purpose: `cargo test --test checkout -- --ignored checkout_screenshots` (an existing
//! picture is compared, a missing one is written).

use crate::support::{Kiosk, kiosk, simulator};
use warm_core::domain::PaymentMethod;
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::{counter, pin};
use warm_kiosk::ui::theme;
use warm_kiosk::ui::widget::numpad::Key;

fn shot(k: &Kiosk, name: &str) {
    let path = format!("{}/docs/screenshots/checkout-{name}.png", env!("CARGO_MANIFEST_DIR"));
    let snapshot = simulator(&k.app).snapshot(&theme::theme()).unwrap();
    assert!(snapshot.matches_image(&path).unwrap(), "{name} differs from {path}");
}

#[test]
#[ignore]
fn checkout_screenshots() {
    let mut k = kiosk();
    let v = |k: &mut Kiosk, m: counter::Message| k.update(Message::Counter(m));
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    shot(&k, "pin");
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    for code in ["6952022100012", "6952022100029", "6952022100012", "6901234567892"] {
        k.update(Message::Scanner(ScannerEvent::Line(Ok(code.into()))));
    }
    shot(&k, "unknown");
    v(&mut k, counter::Message::Pay);
    v(&mut k, counter::Message::Method(PaymentMethod::Cash));
    for d in [1, 0, 0] {
        v(&mut k, counter::Message::Key(Key::Digit(d)));
    }
    shot(&k, "cash");
    v(&mut k, counter::Message::ConfirmPay);
    shot(&k, "paid");
}
