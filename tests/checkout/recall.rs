//! A senior's order recalled by scanning its pickup slip: a second scan of the slip duplicates
//! nothing, a line is changed (out of stock), WeChat is recorded, and paying again is refused.

use crate::pty::{Scanner, config, start};
use crate::story::{enter_pin, scan, shows_part, until_connected};
use crate::support::{kiosk_with, qr_payload};
use warm_core::domain::{Money, PaymentMethod, ProductId};
use warm_kiosk::store::payments::{NewPayment, SaleToPay};
use warm_kiosk::store::{Store, StoreError};
use warm_kiosk::ui::screen::Screen;

#[test]
fn a_slip_is_recalled_amended_and_paid_by_wechat_once() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyScanner");
    let mut scanner = Scanner::plug(&link);
    let mut cfg = crate::support::config();
    cfg.scanner = config(&link);
    cfg.volunteer.badge = "VOL-0042".into();
    let mut k = kiosk_with(cfg);
    let mut rx = start(&k.ctx.config.scanner);
    until_connected(&mut k, &mut rx);

    // The senior's flow: two rice and one noodles, a slip with a QR code.
    k.tap("粮油");
    k.tap("东北大米");
    k.tap("东北大米");
    k.tap("挂面");
    k.tap("下单");
    k.tap("确认");
    let Screen::Done(done) = k.app.screen() else { panic!("not on the done screen") };
    let order = done.order.clone();
    let slip: Vec<u8> = k
        .ctx
        .store()
        .connection()
        .query_row("SELECT bytes FROM print_jobs WHERE order_id = ?1", [order.id.to_string()], |r| r.get(0))
        .unwrap();
    let payload = qr_payload(&slip).expect("the slip has a QR code");
    k.tap("回到首页");

    // The volunteer's badge opens the PIN pad.
    scan(&mut k, &mut scanner, &mut rx, b"VOL-0042\r\n");
    assert!(k.shows("志愿者请输入密码"));
    enter_pin(&mut k, "2468");

    scan(&mut k, &mut scanner, &mut rx, format!("{payload}\r\n").as_bytes());
    assert!(k.shows("已调出取货单 K1-0001"));
    assert!(k.shows("还有 3 件未拣"));
    scan(&mut k, &mut scanner, &mut rx, format!("{payload}\r\n").as_bytes());
    assert!(k.shows("这张取货单已经调出，没有重复加入"));
    assert!(k.shows("×2") && k.shows("还有 3 件未拣"), "nothing was added twice");

    // Paying with goods unpicked is refused in words.
    k.tap("收款");
    assert!(shows_part(&k, "件未拣"));
    // Only one bag of rice is left: one fewer; the noodles are scanned into the bag.
    k.tap("−");
    scan(&mut k, &mut scanner, &mut rx, b"6952022100036\r\n");
    assert!(k.shows("✓ 已拣：挂面"));
    k.tap("未拣"); // the rice line, ticked by hand
    assert!(!shows_part(&k, "件未拣"));

    k.tap("收款");
    k.tap("微信支付");
    for d in ["4", "2", "0", "0"] {
        k.tap(d);
    }
    k.tap("确认收款");
    assert!(k.shows("收款成功"));
    assert!(k.shows("收据号 K1-0001"), "the senior's order, not a new one");

    let store = Store::open(&warm_kiosk::kiosk::store_path(k.dir.path())).unwrap();
    let paid = store.order(order.id).unwrap().unwrap();
    assert_eq!(paid.status.as_str(), "paid");
    assert_eq!(paid.total(), Money(3990 + 890));
    assert_eq!(
        paid.lines.iter().map(|l| (l.product.0.as_str(), l.qty)).collect::<Vec<_>>(),
        [("rice-5kg", 1), ("noodles-1kg", 1)]
    );
    let payment = store.payment_of(order.id).unwrap().unwrap();
    assert_eq!(
        (payment.method, payment.amount, payment.tendered, payment.reference.as_deref()),
        (PaymentMethod::Wechat, Money(4880), None, Some("4200"))
    );
    assert_eq!(store.stock(&ProductId::new("rice-5kg")).unwrap(), -1, "the bag not sold is back in stock");
    assert_eq!(store.outbox_len().unwrap(), 3, "order.placed, order.amended, payment.recorded");
    let count = |sql: &str| store.connection().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM orders"), 1);

    // The same slip again, for the next customer: refused in words, nothing loaded.
    k.tap("下一位");
    scan(&mut k, &mut scanner, &mut rx, format!("{payload}\r\n").as_bytes());
    assert!(k.shows("取货单 K1-0001 已付过款"));
    assert!(k.shows("此订单已付款，不能重复付款"));
    assert!(k.shows("台面上还没有商品"));

    // And the store refuses a second payment whatever a screen might send.
    let mut store = store;
    let again = store.pay(
        SaleToPay {
            order_id: order.id,
            recalled: true,
            terminal: "K1".into(),
            lang: order.lang,
            lines: paid.lines.clone(),
        },
        NewPayment {
            id: uuid::Uuid::now_v7(),
            method: PaymentMethod::Cash,
            tendered: Some(Money(10000)),
            reference: None,
        },
        jiff::Timestamp::now(),
        |_, _| vec![],
    );
    assert!(matches!(again, Err(StoreError::AlreadyPaid(_))), "{again:?}");
    let count = |sql: &str| store.connection().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM payments"), 1);
    assert_eq!(count("SELECT count(*) FROM print_jobs WHERE kind = 'receipt'"), 1);
}
