//! The site manager's screens driven through the real root (`Kiosk::update`, iced_test): the
//! manager's PIN and its pause across a restart, the size rules on every screen in both
//! languages, receiving the van by scanning, a count, a restock request, cash, the X report, the
//! guided settlement to a printed Z report, and the lock after a quiet time.

use crate::support::{Kiosk, kiosk, simulator};
use jiff::Timestamp;
use warm_core::domain::pin::DEMO_MANAGER_PIN;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::manager::{self, Area};
use warm_kiosk::ui::screen::{manager_cash, manager_count, manager_receive, manager_restock, manager_settle, pin};
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

/// A dispatch note for the demo market's rice and oil, pulled as sync would.
pub fn note_arrives(k: &Kiosk) -> warm_core::api::manager::DispatchNote {
    let c = &k.ctx.catalog;
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
    let _ = (manager_count::Message::Next, manager_restock::Message::Send, Timestamp::UNIX_EPOCH);
}
