//! A senior orders by tapping pictures, and the order lands in the SQLite file with its slip.

use crate::support::{kiosk, qr_payload, slip_text};
use warm_core::domain::{Money, ProductId};
use warm_kiosk::store::Store;
use warm_kiosk::ui::screen::Screen;

#[test]
fn a_senior_orders_two_products_and_gets_a_slip() {
    let mut k = kiosk();
    k.tap("粮油");
    k.tap("东北大米");
    k.tap("挂面");
    assert!(k.shows("已加入 1"), "the tile says in words that it was added");
    // The basket lists rice first: its + and − are the first ones on screen.
    k.tap("+");
    k.tap("+");
    k.tap("−");
    assert_eq!(k.app.cart().qty(&ProductId::new("rice-5kg")), 2);
    assert_eq!(k.app.cart().qty(&ProductId::new("noodles-1kg")), 1);
    assert!(k.shows("共 3 件"));
    assert!(k.shows("￥88.70"), "total of 2 × 39.90 + 8.90");

    k.tap("下单");
    assert!(k.shows("请核对您的订单"));
    k.tap("确认");
    let state = k.ctx.printer.drain();
    assert_eq!(state.problem, None, "{:?}", state.last_error);
    k.update(warm_kiosk::ui::Message::Printer(state));
    let Screen::Done(done) = k.app.screen() else { panic!("not on the done screen") };
    let order = done.order.clone();
    assert!(done.print_error.is_none(), "{:?}", done.print_error);
    assert!(k.shows("0001"));
    assert!(k.shows("请于 10:30–11:00 取货"), "10:10 + 15 min lead → the 10:30 slot");
    assert!(k.app.cart().is_empty());

    // What the SQLite file holds, read through a second, independent connection.
    let store = Store::open(&warm_kiosk::kiosk::store_path(k.dir.path())).unwrap();
    let stored = store.order(order.id).unwrap().expect("order is in the file");
    assert_eq!(stored, order);
    assert_eq!(stored.total(), Money(2 * 3990 + 890));
    assert_eq!(stored.number.to_string(), "K1-0001");
    assert_eq!(store.stock(&ProductId::new("rice-5kg")).unwrap(), -2, "sale recorded in the stock ledger");
    assert_eq!(store.outbox_len().unwrap(), 1, "one order.placed event waits for sync");
    let (total_fen, lines): (i64, i64) = store
        .connection()
        .query_row(
            "SELECT total_fen, (SELECT count(*) FROM order_lines WHERE order_id = o.id) FROM orders o",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((total_fen, lines), (8870, 2));

    // The slip: stored with the order, printed to the file printer, in Chinese, QR → order id.
    assert!(store.pending_print_jobs().unwrap().is_empty(), "the slip was printed");
    let printed = std::fs::read_dir(warm_kiosk::kiosk::prints_dir(k.dir.path())).unwrap().count();
    assert_eq!(printed, 1);
    let job = store
        .connection()
        .query_row("SELECT bytes FROM print_jobs WHERE order_id = ?1", [order.id.to_string()], |r| {
            r.get::<_, Vec<u8>>(0)
        })
        .unwrap();
    let text = slip_text(&job);
    for word in ["取货单", "0001", "东北大米", "挂面", "￥88.70", "10:30-11:00", "峨海小区暖心市集"] {
        assert!(text.contains(word), "slip lacks {word:?}");
    }
    assert_eq!(qr_payload(&job).as_deref(), Some(order.slip_payload().as_str()));
    assert!(!job.windows(2).any(|w| w == [0x81, 0x30]), "no four-byte GB18030 (e.g. ¥) on the slip");

    // Back home for the next senior.
    k.tap("回到首页");
    assert!(k.shows("请点选您要买的东西"));
}

#[test]
fn one_item_takes_four_taps_from_home() {
    let mut k = kiosk();
    for label in ["蛋奶", "鲜牛奶", "下单", "确认"] {
        k.tap(label);
    }
    assert!(matches!(k.app.screen(), Screen::Done(_)));
}

#[test]
fn english_is_one_tap_away_and_the_slip_follows_it() {
    let mut k = kiosk();
    k.tap("English");
    k.tap("Grain & Oil");
    k.tap("Northeast Rice");
    k.tap("Place order");
    k.tap("Confirm");
    assert!(k.shows("Please collect: 10:30–11:00"));
    let Screen::Done(done) = k.app.screen() else { panic!("not done") };
    assert_eq!(done.order.lang, warm_core::domain::Lang::En);
    k.tap("Back to start");
    assert!(k.shows("请点选您要买的东西"), "the next senior starts in Chinese");
}

#[test]
fn emptying_the_basket_asks_first() {
    let mut k = kiosk();
    k.tap("调味");
    k.tap("食盐");
    k.tap("清空");
    assert!(k.shows("要清空购物篮吗？"));
    k.tap("不，保留");
    assert_eq!(k.app.cart().item_count(), 1);
    k.tap("清空");
    k.tap("是，清空");
    assert!(k.app.cart().is_empty());
}

#[test]
fn order_numbers_continue_after_a_restart() {
    let mut k = kiosk();
    for _ in 0..2 {
        k.tap("蛋奶");
        k.tap("鲜牛奶");
        k.tap("下单");
        k.tap("确认");
        k.tap("回到首页");
    }
    let mut ctx = warm_kiosk::kiosk::context(crate::support::config(), k.dir.path()).unwrap();
    k.taps.install(&mut ctx, crate::support::NOW.parse().unwrap());
    let mut again = crate::support::Kiosk { app: warm_kiosk::ui::App::new(ctx.clone()), ctx, dir: k.dir, taps: k.taps };
    again.tap("蛋奶");
    again.tap("鲜牛奶");
    again.tap("下单");
    again.tap("确认");
    let Screen::Done(done) = again.app.screen() else { panic!("not done") };
    assert_eq!(done.order.number.to_string(), "K1-0003");
}

/// Two taps on 确认 before the first commit came back (a double tap, a slow disk): one order.
#[test]
fn a_second_confirm_while_the_first_is_saving_places_one_order() {
    use iced::futures::StreamExt;
    use warm_kiosk::ui::Message;
    use warm_kiosk::ui::screen::review;
    let mut k = kiosk();
    k.tap("粮油");
    k.tap("东北大米");
    k.tap("下单");
    // Both taps reach the app before either task has run; the second late enough (300 ms) that
    // the double-tap rule lets it through, so the screen's own saving flag is what stops it.
    k.taps.wait(2000);
    let first = k.app.update(Message::Review(review::Message::Confirm));
    k.taps.wait(300);
    let second = k.app.update(Message::Review(review::Message::Confirm));
    assert!(iced_runtime::task::into_stream(second).is_none(), "the second tap started no second commit");
    let stream = iced_runtime::task::into_stream(first).expect("the first tap commits");
    let answers: Vec<_> = futures_executor::block_on(stream.collect::<Vec<_>>());
    assert_eq!(answers.len(), 1);
    for answer in answers {
        if let iced_runtime::Action::Output(message) = answer {
            k.update(message);
        }
    }
    assert!(matches!(k.app.screen(), Screen::Done(_)));
    let orders: i64 = k.ctx.store().connection().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap();
    assert_eq!(orders, 1);
}
