//! An idle basket is never thrown away silently: the kiosk asks first.

use crate::support::kiosk;
use std::time::{Duration, Instant};
use warm_kiosk::ui::Message;
use warm_kiosk::ui::screen::Screen;
use warm_kiosk::ui::screen::modal::Modal;

#[test]
fn asks_then_clears_only_when_nobody_answers() {
    let mut k = kiosk();
    let idle = k.ctx.config.idle.clone();
    let start = Instant::now();
    k.tap("粮油");
    k.tap("东北大米");

    k.update(Message::Tick(start + Duration::from_secs(idle.ask_after_seconds / 2)));
    assert_eq!(k.app.modal(), None, "too early to ask");
    k.update(Message::Tick(start + Duration::from_secs(idle.ask_after_seconds + 1)));
    assert!(matches!(k.app.modal(), Some(Modal::StillThere { .. })));
    assert!(k.shows("还在吗？"));

    // Answering keeps everything.
    k.tap("我还在");
    assert_eq!(k.app.modal(), None);
    assert_eq!(k.app.cart().item_count(), 1);

    // Nobody answers this time: asked, then cleared, and the home screen says so.
    let later = Instant::now() + Duration::from_secs(idle.ask_after_seconds + 1);
    k.update(Message::Tick(later));
    assert!(matches!(k.app.modal(), Some(Modal::StillThere { .. })));
    k.update(Message::Tick(later + Duration::from_secs(idle.clear_after_seconds - 1)));
    assert_eq!(k.app.cart().item_count(), 1, "not before the answer period is over");
    k.update(Message::Tick(later + Duration::from_secs(idle.clear_after_seconds)));
    assert!(k.app.cart().is_empty());
    assert!(matches!(k.app.screen(), Screen::Home(_)));
    assert!(k.shows("刚才的购物篮已清空"));
}

#[test]
fn an_empty_basket_is_never_interrupted_and_done_returns_home() {
    let mut k = kiosk();
    k.update(Message::Tick(Instant::now() + Duration::from_secs(3600)));
    assert_eq!(k.app.modal(), None);

    k.tap("蛋奶");
    k.tap("鲜牛奶");
    k.tap("下单");
    k.tap("确认");
    // The number does not vanish unwarned: the screen counts down to going home.
    let done = k.ctx.config.idle.done_seconds;
    assert!(k.shows(&format!("{done} 秒后自动回到首页")));
    k.update(Message::Tick(Instant::now() + Duration::from_secs(done - 10)));
    assert!(k.shows("10 秒后自动回到首页"), "the countdown counts");
    k.update(Message::Tick(Instant::now() + Duration::from_secs(done + 1)));
    assert!(matches!(k.app.screen(), Screen::Home(_)));
}
