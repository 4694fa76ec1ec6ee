//! Printing benchmark: bytes and line time of a 30-line receipt with a QR code at 58 and 80 mm,
//! ours side by side with python-escpos (same lines, same QR) in one run, and our encoding time.
//!
//! `cargo run --release --example printer_bench` (needs `pip install python-escpos`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot go on should stop loudly

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;
use warm_core::domain::order::OrderStatus;
use warm_core::domain::{
    Lang, Money, Order, OrderLine, OrderNumber, Payment, PaymentMethod, PickupSlot, ProductId, Text,
};
use warm_core::receipt::escpos::{Align, EscPos, QrEc};
use warm_core::receipt::receipt::sales_receipt;
use warm_core::receipt::slip::pickup_slip;
use warm_core::receipt::width::row;
use warm_core::receipt::{Paper, PaperProfile};

struct Line {
    align: Align,
    bold: bool,
    w: u8,
    h: u8,
    text: String,
}

const QR: &str = "WM1:O:0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60";
const QR_MODULE: u8 = 6;

/// A 30-line English receipt (python-escpos cannot encode Chinese): header, 11 items on two
/// lines each, totals, footer.
fn lines(cols: usize) -> Vec<Line> {
    let l = |align, bold, w, h, text: String| Line { align, bold, w, h, text };
    let mut v = vec![
        l(Align::Center, true, 1, 1, "Ehai Estate Warm Market".into()),
        l(Align::Center, true, 2, 2, "RECEIPT".into()),
        l(Align::Left, false, 1, 1, row("Receipt no.", "K1-0042", cols).concat()),
    ];
    for i in 0..11 {
        v.push(l(Align::Left, false, 1, 1, row(&format!("Item {i:02} rice 5 kg"), "", cols).concat()));
        v.push(l(
            Align::Left,
            false,
            1,
            1,
            row(&format!("  ￥39.90 ×{}", 1 + i % 3), &format!("￥{}.70", 39 + i), cols).concat(),
        ));
    }
    v.push(l(Align::Left, true, 1, 2, row("TOTAL", "￥612.40", cols).concat()));
    v.push(l(Align::Left, false, 1, 1, row("Payment", "Cash", cols).concat()));
    v.push(l(Align::Left, false, 1, 1, row("Tendered", "￥620.00", cols).concat()));
    v.push(l(Align::Left, false, 1, 1, row("Change", "￥7.60", cols).concat()));
    v.push(l(Align::Center, false, 1, 1, "Thank you. See you again.".into()));
    assert_eq!(v.len(), 30);
    // python-escpos prints `￥` and `×` as `?`: both encoders get the same ASCII text.
    for line in &mut v {
        line.text = line.text.replace('￥', "Y").replace('×', "x");
    }
    v
}

fn ours(lines: &[Line]) -> Vec<u8> {
    let mut p = EscPos::with_capacity(2048);
    p.init();
    for line in lines {
        p.align(line.align).bold(line.bold).size(line.w, line.h).line(&line.text);
    }
    p.align(Align::Center);
    p.qr_native(QR, QR_MODULE, QrEc::M).unwrap();
    p.cut(0);
    p.into_bytes()
}

/// Line time of `bytes` at 8N1 (10 bits a byte).
fn send_ms(bytes: usize, baud: u32) -> f64 {
    bytes as f64 * 10.0 / f64::from(baud) * 1000.0
}

fn time_us(runs: u32, mut f: impl FnMut() -> usize) -> f64 {
    let mut sink = 0;
    let start = Instant::now();
    for _ in 0..runs {
        sink += f();
    }
    std::hint::black_box(sink);
    start.elapsed().as_secs_f64() * 1e6 / f64::from(runs)
}

fn python(lines: &[Line]) -> Option<(usize, f64)> {
    let spec = serde_json::json!({
        "qr": QR,
        "qr_module": QR_MODULE,
        "lines": lines.iter().map(|l| serde_json::json!({
            "align": l.align.code(), "bold": l.bold, "w": l.w, "h": l.h,
            "text": l.text,
        })).collect::<Vec<_>>(),
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/printer_escpos.py");
    let mut child = Command::new("python3").arg(script).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    child.stdin.take()?.write_all(spec.to_string().as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((v["bytes"].as_u64()? as usize, v["encode_us"].as_f64()?))
}

fn order() -> (Order, Payment, Text) {
    let at: jiff::Timestamp = "2022-05-06T02:21:07Z".parse().unwrap();
    let lines = (0..12)
        .map(|i| OrderLine {
            product: ProductId::new(format!("p{i}")),
            name: Text::new(format!("东北大米{i}号"), format!("Rice no. {i}")),
            spec: Text::new("5kg", "5 kg"),
            unit_price: Money(3990),
            qty: 1 + i % 3,
        })
        .collect();
    let order = Order {
        id: uuid::Uuid::now_v7(),
        number: OrderNumber { terminal: "K1".into(), seq: 42 },
        household: None,
        status: OrderStatus::Placed,
        created_at: at,
        slot: PickupSlot { start: at, end: at },
        lang: Lang::Zh,
        lines,
    };
    let payment = Payment {
        id: uuid::Uuid::now_v7(),
        order_id: order.id,
        method: PaymentMethod::Cash,
        amount: order.total(),
        tendered: Some(Money(100_000)),
        reference: None,
        at,
    };
    (order, payment, Text::new("峨海小区暖心市集", "Ehai Estate Warm Market"))
}

fn main() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("Printing benchmark ({profile} build), 30-line receipt + native QR (module {QR_MODULE}, EC M)\n");
    println!("| paper | encoder | bytes | 9600 baud | 115200 baud | encode |");
    println!("|---|---|---:|---:|---:|---:|");
    for paper in [Paper::Mm58, Paper::Mm80] {
        let l = lines(paper.columns());
        let bytes = ours(&l);
        let us = time_us(20_000, || ours(&l).len());
        let name = if paper == Paper::Mm58 { "58 mm" } else { "80 mm" };
        println!(
            "| {name} | warm-market | {} | {:.0} ms | {:.0} ms | {us:.1} µs |",
            bytes.len(),
            send_ms(bytes.len(), 9600),
            send_ms(bytes.len(), 115_200)
        );
        match python(&l) {
            Some((n, us)) => println!(
                "| {name} | python-escpos 3.1 | {n} | {:.0} ms | {:.0} ms | {us:.1} µs |",
                send_ms(n, 9600),
                send_ms(n, 115_200)
            ),
            None => println!("| {name} | python-escpos | (not run: pip install python-escpos) | | | |"),
        }
    }
    println!("\nOur layouts (Chinese, GB18030), encoding time per call:\n");
    println!("| layout | paper | bytes | 9600 baud | encode |");
    println!("|---|---|---:|---:|---:|");
    let (order, payment, market) = order();
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    for paper in [Paper::Mm58, Paper::Mm80] {
        let p = PaperProfile { paper, ..PaperProfile::default() };
        let name = if paper == Paper::Mm58 { "58 mm" } else { "80 mm" };
        let r = sales_receipt(&order, &payment, &market, &p, &tz);
        let us = time_us(5_000, || sales_receipt(&order, &payment, &market, &p, &tz).len());
        println!("| sales_receipt (12 items) | {name} | {} | {:.0} ms | {us:.1} µs |", r.len(), send_ms(r.len(), 9600));
        let s = pickup_slip(&order, &market, &p, &tz);
        let us = time_us(5_000, || pickup_slip(&order, &market, &p, &tz).len());
        println!(
            "| pickup_slip (12 items, QR) | {name} | {} | {:.0} ms | {us:.1} µs |",
            s.len(),
            send_ms(s.len(), 9600)
        );
        let raster = PaperProfile { native_qr: false, ..p };
        let s = pickup_slip(&order, &market, &raster, &tz);
        let us = time_us(1_000, || pickup_slip(&order, &market, &raster, &tz).len());
        println!("| pickup_slip, raster QR | {name} | {} | {:.0} ms | {us:.1} µs |", s.len(), send_ms(s.len(), 9600));
    }
}
