//! The sales receipt printed at the checkout: what was bought, the total, how it was paid, cash
//! tendered and change. Its number derives from terminal + order sequence, like the slip's, so
//! a receipt is found again from either piece of paper.

use super::escpos::{Align, EscPos};
use super::paper::PaperProfile;
use super::width::row;
use crate::domain::{Order, Payment, PaymentMethod, Text};
use crate::i18n::{self, HouseholdWords, Msg};
use jiff::tz::TimeZone;

/// The receipt as ESC/POS bytes, in the language the order was placed in. Every amount is
/// flush right at the paper's last column, so items and totals line up at 32 and 48 columns.
pub fn sales_receipt(
    order: &Order,
    payment: &Payment,
    market: &Text,
    profile: &PaperProfile,
    tz: &TimeZone,
) -> Vec<u8> {
    layout(order, payment, market, profile, tz, false)
}

/// The same receipt marked 重印 / REPRINT at the top (a customer asks for another copy).
pub fn reprint_receipt(
    order: &Order,
    payment: &Payment,
    market: &Text,
    profile: &PaperProfile,
    tz: &TimeZone,
) -> Vec<u8> {
    layout(order, payment, market, profile, tz, true)
}

/// The words for a payment method.
pub fn method_name(method: PaymentMethod) -> Msg {
    match method {
        PaymentMethod::Cash => Msg::PayCash,
        PaymentMethod::Wechat => Msg::PayWechat,
        PaymentMethod::Alipay => Msg::PayAlipay,
        PaymentMethod::OnAccount => Msg::PayOnAccount,
    }
}

fn layout(
    order: &Order,
    payment: &Payment,
    market: &Text,
    profile: &PaperProfile,
    tz: &TimeZone,
    reprint: bool,
) -> Vec<u8> {
    let lang = order.lang;
    let cols = profile.columns();
    let mut p = EscPos::with_capacity(1024);
    p.init();
    if profile.chinese_mode {
        p.chinese_mode(true);
    }
    p.align(Align::Center);
    if reprint {
        p.reverse(true).bold(true).size(2, 2);
        p.line(&format!(" {} ", Msg::Reprint.text(lang)));
        p.reverse(false);
    }
    p.bold(true).size(1, 1);
    lines(&mut p, &super::width::wrap(market.get(lang), cols));
    p.size(2, 2);
    lines(&mut p, &super::width::wrap(Msg::ReceiptTitle.text(lang), cols / 2));
    p.bold(false).size(1, 1).align(Align::Left);
    let rule = "-".repeat(cols);
    p.line(&rule);

    let household = order.household.as_ref().map(|h| (HouseholdWords::SlipHousehold.text(lang), h.clone()));
    let pairs = [
        Some((Msg::ReceiptNumber.text(lang), order.number.to_string())),
        // Whose purchase it is, where the market limits purchases per household (issue 10).
        household,
        Some((Msg::ReceiptPaidAt.text(lang), i18n::local_time(payment.at, tz))),
    ];
    for (label, value) in pairs.iter().flatten() {
        lines(&mut p, &row(label, value, cols));
    }
    p.line(&rule);

    for line in &order.lines {
        let spec = line.spec.get(lang);
        let name = line.name.get(lang);
        let name = if spec.is_empty() { name.to_owned() } else { format!("{name} {spec}") };
        lines(&mut p, &row(&name, "", cols));
        let each = format!("  {} ×{}", line.unit_price, line.qty);
        lines(&mut p, &row(&each, &line.total().to_string(), cols));
    }
    p.line(&rule);

    let count = i18n::tr(Msg::SlipItems, lang, &[("n", &order.item_count().to_string())]);
    lines(&mut p, &row(&count, "", cols));
    // The total in double height only: double width would halve the columns and break the line-up.
    p.bold(true).size(1, 2);
    lines(&mut p, &row(Msg::Total.text(lang), &order.total().to_string(), cols));
    p.bold(false).size(1, 1);
    lines(&mut p, &row(Msg::ReceiptPayment.text(lang), method_name(payment.method).text(lang), cols));
    if let Some(tendered) = payment.tendered {
        lines(&mut p, &row(Msg::ReceiptTendered.text(lang), &tendered.to_string(), cols));
        p.bold(true);
        lines(&mut p, &row(Msg::ReceiptChange.text(lang), &payment.change().to_string(), cols));
        p.bold(false);
    }
    if let Some(reference) = payment.reference.as_deref().filter(|r| !r.is_empty()) {
        lines(&mut p, &row(Msg::ReceiptReference.text(lang), reference, cols));
    }
    p.line(&rule);
    p.align(Align::Center);
    lines(&mut p, &super::width::wrap(Msg::ReceiptFooter.text(lang), cols));
    p.cut(profile.cut_feed);
    p.into_bytes()
}

fn lines(p: &mut EscPos, lines: &[String]) {
    for line in lines {
        p.line(line.trim_end());
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use crate::domain::{Money, Payment, PaymentMethod};

    pub fn cash() -> Payment {
        Payment {
            id: "0196a3b2-9000-7d21-9f3a-2b5c8d1e4f61".parse().unwrap(),
            order_id: "0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60".parse().unwrap(),
            method: PaymentMethod::Cash,
            amount: Money(17730),
            tendered: Some(Money(20000)),
            reference: None,
            at: super::super::slip::fixture::at("2022-05-06T10:42:13"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::paper::Paper;
    use super::super::slip::fixture::{golden, market, order, profile, shanghai};
    use super::fixture::cash;
    use super::*;
    use crate::domain::{Lang, Money};
    use crate::receipt::width::width;
    use std::path::PathBuf;

    fn check(bytes: &[u8], name: &str) {
        if std::env::var_os("WRITE_GOLDEN").is_some() {
            std::fs::write(golden(name), bytes).unwrap();
        }
        let want = std::fs::read(golden(name))
            .unwrap_or_else(|e| panic!("{name}: {e}; make it with WRITE_GOLDEN=1 cargo test --lib receipt::receipt"));
        assert!(bytes == want, "{name} differs from the golden file ({} vs {} bytes)", bytes.len(), want.len());
    }

    /// PNGs of the receipts in target/slip-samples, to look at after a layout change.
    #[test]
    #[ignore]
    fn write_receipt_pngs() {
        use crate::receipt::preview::render_png;
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/slip-samples");
        std::fs::create_dir_all(&dir).unwrap();
        for (paper, tag) in [(Paper::Mm58, "58"), (Paper::Mm80, "80")] {
            let bytes = reprint_receipt(&order(Lang::Zh), &cash(), &market(), &profile(paper), &shanghai());
            std::fs::write(
                dir.join(format!("receipt_reprint_zh_{tag}.png")),
                render_png(&bytes, &profile(paper)).unwrap(),
            )
            .unwrap();
        }
    }

    #[test]
    fn golden_receipts_at_both_widths() {
        for (paper, tag) in [(Paper::Mm58, "58"), (Paper::Mm80, "80")] {
            let o = order(Lang::Zh);
            check(
                &sales_receipt(&o, &cash(), &market(), &profile(paper), &shanghai()),
                &format!("receipt_zh_{tag}.bin"),
            );
            check(
                &reprint_receipt(&o, &cash(), &market(), &profile(paper), &shanghai()),
                &format!("receipt_reprint_zh_{tag}.bin"),
            );
        }
    }

    /// The printed lines of simple ESC/POS text (mode commands removed), decoded.
    fn printed_lines(bytes: &[u8]) -> Vec<String> {
        let mut text = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i..] {
                [0x1B, 0x40, ..] | [0x1C, 0x26, ..] => i += 2,
                [0x1B, 0x61 | 0x45, _, ..] | [0x1D, 0x21 | 0x42, _, ..] => i += 3,
                [0x1D, 0x56, 0x41, _, ..] => i += 4,
                _ => {
                    text.push(bytes[i]);
                    i += 1;
                }
            }
        }
        let (text, _, _) = encoding_rs::GB18030.decode(&text);
        text.split('\n').map(str::to_owned).collect()
    }

    #[test]
    fn amounts_line_up_at_the_last_column() {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let bytes = sales_receipt(&order(Lang::Zh), &cash(), &market(), &profile(paper), &shanghai());
            let lines = printed_lines(&bytes);
            for want in ["￥39.90", "￥91.80", "￥45.60", "￥177.30", "现金", "￥200.00", "￥22.70", "T01-0042"]
            {
                let line = lines.iter().find(|l| l.ends_with(want)).unwrap_or_else(|| panic!("{want} in {lines:?}"));
                assert_eq!(width(line), paper.columns(), "{want}: {line:?}");
            }
            assert!(lines.iter().all(|l| width(l) <= paper.columns()), "{lines:?}");
        }
    }

    #[test]
    fn english_wechat_receipt_has_reference_and_no_change() {
        let mut pay = cash();
        pay.method = PaymentMethod::Wechat;
        pay.tendered = None;
        pay.reference = Some("4200001234".into());
        let bytes = sales_receipt(&order(Lang::En), &pay, &market(), &profile(Paper::Mm80), &shanghai());
        let (text, _, _) = encoding_rs::GB18030.decode(&bytes);
        assert!(text.contains("WeChat Pay") && text.contains("4200001234") && text.contains("RECEIPT"));
        assert!(!text.contains("Change"));
        assert_eq!(pay.change(), Money::ZERO);
    }
}
