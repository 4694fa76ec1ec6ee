//! A disk filling up (issue 14): the volunteer's counter and the manager's screens say so in
//! words, in room kept for it, and the seniors' orders are still taken.

use crate::manager::enter_manager;
use crate::support::{Kiosk, config, kiosk, kiosk_with};
use warm_core::domain::Lang;
use warm_core::domain::pin::DEMO_MANAGER_PIN;
use warm_core::i18n::Msg;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::app::{KeyPress, Volunteer};
use warm_kiosk::ui::screen::{counter, done, pin};
use warm_kiosk::ui::widget::numpad::Key;

fn to_counter(k: &mut Kiosk) {
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in [2, 4, 6, 8] {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Counter(_))));
}

fn bounds(k: &Kiosk, words: &str) -> iced::Rectangle {
    k.texts().into_iter().find(|(t, _)| t == words).map(|(_, r)| r).unwrap_or_else(|| panic!("{words}"))
}

#[test]
fn a_disk_under_the_threshold_is_said_on_the_counter_and_the_managers_screen_and_orders_go_on() {
    let mut config = config();
    // Above any real free space: the data folder's disk counts as nearly full.
    config.kiosk.min_free_mb = u64::MAX / (1 << 21);
    let mut k = kiosk_with(config);
    let free = k.app.disk_low().expect("the disk is under the threshold");
    let words = format!("磁盘快满了：只剩 {free} MB，请告诉管理员");

    // A senior orders as always, and is not worried with it.
    k.tap("粮油");
    k.tap("东北大米");
    k.tap("下单");
    k.tap("确认");
    let store = warm_kiosk::store::Store::open(&warm_kiosk::kiosk::store_path(k.dir.path())).unwrap();
    assert_eq!(store.order_ids().unwrap().len(), 1, "the order was taken");
    assert!(!k.texts().iter().any(|(t, _)| t.contains("磁盘")), "{:?}", k.texts());
    k.update(Message::Done(done::Message::NextSenior));

    // The volunteer's counter says it in the line kept for the scanner's state: the scan hint
    // above it and everything else stay where they are on a kiosk with room to spare.
    to_counter(&mut k);
    assert!(k.shows(&words), "{:?}", k.texts());
    let mut roomy = kiosk();
    assert_eq!(roomy.app.disk_low(), None);
    to_counter(&mut roomy);
    let hint = Msg::ScanHint.text(Lang::Zh);
    assert_eq!(bounds(&k, hint), bounds(&roomy, hint), "nothing moved");
    assert_eq!(bounds(&k, &words).y, bounds(&roomy, Msg::ScannerNone.text(Lang::Zh)).y, "in the scanner's line");
    k.update(Message::Counter(counter::Message::Exit));

    // The manager's screen.
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    assert!(matches!(k.app.volunteer(), Some(Volunteer::Manager(_))));
    assert!(k.shows(&words), "{:?}", k.texts());
}
