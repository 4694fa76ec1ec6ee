//! A volunteer at the counter: the scanner is a real pty, taps go through the real views. Three
//! goods (one scanned twice), an unknown code picked from the pictures instead, a weighed label;
//! cash; then the order and payment rows and the receipt's bytes.

use crate::pty::{Scanner, config, next, start};
use crate::support::{Kiosk, kiosk_with, slip_text};
use iced::futures::channel::mpsc::UnboundedReceiver;
use warm_kiosk::device::scanner::{ScannerEvent, ScannerLink};
use warm_kiosk::store::Store;
use warm_kiosk::ui::Message;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::counter;

/// Feeds scanner events to the app until one scanned line has been handled.
pub fn scan(k: &mut Kiosk, scanner: &mut Scanner, rx: &mut UnboundedReceiver<ScannerEvent>, bytes: &[u8]) {
    scanner.send(bytes);
    loop {
        let event = next(rx);
        let is_line = matches!(event, ScannerEvent::Line(_));
        k.update(Message::Scanner(event));
        if is_line {
            return;
        }
    }
}

/// Feeds events until the scanner reports it is connected.
pub fn until_connected(k: &mut Kiosk, rx: &mut UnboundedReceiver<ScannerEvent>) {
    loop {
        let event = next(rx);
        let done = matches!(event, ScannerEvent::Link(ScannerLink::Connected { .. }));
        k.update(Message::Scanner(event));
        if done {
            return;
        }
    }
}

pub fn shows_part(k: &Kiosk, part: &str) -> bool {
    k.texts().iter().any(|(t, _)| t.contains(part))
}

pub fn enter_pin(k: &mut Kiosk, pin: &str) {
    for d in pin.chars() {
        k.tap(d.to_string().as_str());
    }
    k.tap("确定");
}

pub fn with_check(data: &str) -> String {
    let sum: u32 =
        data.bytes().rev().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    format!("{data}{}", (10 - sum % 10) % 10)
}

#[test]
fn a_volunteer_scans_goods_and_takes_cash() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ttyScanner");
    let mut scanner = Scanner::plug(&link);
    let mut cfg = crate::support::config();
    cfg.scanner = config(&link);
    let mut k = kiosk_with(cfg);
    let mut rx = start(&k.ctx.config.scanner);
    until_connected(&mut k, &mut rx);

    // A scan on the seniors' screens does nothing.
    scan(&mut k, &mut scanner, &mut rx, b"6952022100012\r\n");
    assert!(k.app.volunteer().is_none() && k.app.cart().is_empty());

    // In from the keyboard shortcut; a wrong PIN is refused in words, the demo PIN opens.
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    assert!(k.shows("志愿者请输入密码"));
    enter_pin(&mut k, "1111");
    assert!(k.shows("密码不对，还可以试 2 次"));
    enter_pin(&mut k, "2468");
    assert!(k.shows("请扫商品条码，或扫取货单上的二维码"));
    assert!(shows_part(&k, "扫码枪：已连接"), "the counter says the scanner is there");

    scan(&mut k, &mut scanner, &mut rx, b"6952022100012\r\n"); // rice, CRLF
    assert!(k.shows("✓ 已加入：东北大米"));
    scan(&mut k, &mut scanner, &mut rx, b"6952022100029\r"); // flour, CR
    scanner.send(b"695202210"); // rice again, split across writes, LF
    scan(&mut k, &mut scanner, &mut rx, b"0012\n");
    assert!(k.shows("×2"), "the second scan of rice added quantity, not a line");

    // Unknown code: named, with the code, and an offer to pick by hand.
    scan(&mut k, &mut scanner, &mut rx, b"6901234567892\r\n");
    assert!(k.shows("未找到商品"));
    assert!(k.shows("条码：6901234567892"));
    k.tap("从图片中选");
    k.tap("粮油");
    k.tap("挂面");
    assert!(k.shows("✓ 已加入：挂面"));

    // A scale label: tomato, price 12.34 in the label.
    let label = with_check("220000101234");
    scan(&mut k, &mut scanner, &mut rx, format!("{label}\r\n").as_bytes());
    assert!(k.shows("✓ 已加入：番茄"));

    // A misread is rejected in words with the code, and nothing is added.
    scan(&mut k, &mut scanner, &mut rx, b"6952022100013\r\n");
    assert!(k.shows("✗ 无法识别"));
    assert!(k.shows("EAN-13 校验位不对，请重扫"));

    // 2 × 39.90 + 16.90 + 8.90 + 12.34 = 117.94
    assert!(k.shows("￥117.94"));
    k.tap("收款");
    k.tap("现金");
    for d in ["1", "0", "0"] {
        k.tap(d);
    }
    k.tap("确认收款");
    assert!(k.shows("现金不够"), "100 < 117.94 is refused");
    k.tap("退格");
    k.tap("退格");
    for d in ["2", "0"] {
        k.tap(d);
    }
    assert!(k.shows("￥2.06"), "change shown before confirming");
    k.tap("确认收款");
    assert!(k.shows("收款成功"));
    assert!(k.shows("收据已打印"));
    // A second tap on a stale confirm (or a double tap) cannot pay again.
    k.update(Message::Counter(counter::Message::ConfirmPay));

    let store = Store::open(&warm_kiosk::kiosk::store_path(k.dir.path())).unwrap();
    let (method, amount, tendered, change, order_id): (String, i64, i64, i64, String) = store
        .connection()
        .query_row("SELECT method, amount_fen, tendered_fen, change_fen, order_id FROM payments", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    assert_eq!((method.as_str(), amount, tendered, change), ("cash", 11794, 12000, 206));
    let order = store.order(order_id.parse().unwrap()).unwrap().unwrap();
    assert_eq!(order.status.as_str(), "paid");
    assert_eq!(order.total().as_fen(), 11794);
    let lines: Vec<(String, u32, i64)> =
        order.lines.iter().map(|l| (l.product.0.clone(), l.qty, l.unit_price.as_fen())).collect();
    assert_eq!(
        lines,
        vec![
            ("rice-5kg".into(), 2, 3990),
            ("flour-2500g".into(), 1, 1690),
            ("noodles-1kg".into(), 1, 890),
            ("tomato-500g".into(), 1, 1234),
        ]
    );
    let payments: i64 = store.connection().query_row("SELECT count(*) FROM payments", [], |r| r.get(0)).unwrap();
    assert_eq!(payments, 1);
    assert_eq!(store.outbox_len().unwrap(), 2, "order.placed and payment.recorded");
    assert_eq!(store.stock(&warm_core::domain::ProductId::new("rice-5kg")).unwrap(), -2);

    // The receipt: committed with the payment, then printed by the print worker.
    let state = k.ctx.printer.drain();
    assert_eq!(state.problem, None, "{state:?}");
    assert!(store.pending_print_jobs().unwrap().is_empty());
    let bytes: Vec<u8> =
        store.connection().query_row("SELECT bytes FROM print_jobs WHERE kind = 'receipt'", [], |r| r.get(0)).unwrap();
    let printed = std::fs::read_dir(warm_kiosk::kiosk::prints_dir(k.dir.path())).unwrap().count();
    assert_eq!(printed, 1);
    assert_eq!(&bytes[..2], &[0x1b, 0x40], "starts with ESC @");
    let text = slip_text(&bytes);
    for part in ["收据", "东北大米", "番茄", "￥117.94", "找零", "￥2.06", "K1-0001"] {
        assert!(text.contains(part), "receipt lacks {part}: {text}");
    }
}

#[test]
fn a_keyboard_wedge_scanner_works_on_the_counter() {
    let mut k = kiosk_with(crate::support::config());
    assert!(k.app.scanner_status().is_none());
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    enter_pin(&mut k, "2468");
    assert!(k.shows("扫码枪：未设置串口，可用键盘式扫码枪"));
    for c in "6952022100029".chars() {
        k.update(Message::Key(KeyPress::Text(c.to_string())));
    }
    k.update(Message::Key(KeyPress::Enter));
    assert!(k.shows("✓ 已加入：面粉"));
    k.tap("退出");
    assert!(k.shows("请点选您要买的东西"), "back on the seniors' home screen");
}
