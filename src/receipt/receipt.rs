//! The sales receipt printed at the checkout. A minimal layout made by the checkout work (issue
//! 4); the printing work (issue 3) replaces it with the full one of the same signature.

use super::escpos::{Align, EscPos};
use super::paper::PaperProfile;
use super::width::row;
use crate::domain::{Order, Payment, PaymentMethod, Text};
use crate::i18n::{self, Msg, tr};
use jiff::tz::TimeZone;

/// The receipt of `order` settled by `payment`, in the order's language.
pub fn sales_receipt(
    order: &Order,
    payment: &Payment,
    market: &Text,
    profile: &PaperProfile,
    tz: &TimeZone,
) -> Vec<u8> {
    let lang = order.lang;
    let cols = profile.columns();
    let mut p = EscPos::with_capacity(1024);
    p.init();
    if profile.chinese_mode {
        p.chinese_mode(true);
    }
    p.align(Align::Center).bold(true).size(1, 1).line(market.get(lang));
    p.size(2, 2).line(Msg::ReceiptTitle.text(lang)).size(1, 1).bold(false);
    p.line(&format!("{} {}", Msg::ReceiptNumber.text(lang), order.number));
    p.line(&i18n::local_time(payment.at, tz));
    p.align(Align::Left).line(&"-".repeat(cols));
    let lines = |left: &str, right: &str, p: &mut EscPos| {
        for l in row(left, right, cols) {
            p.line(&l);
        }
    };
    for line in &order.lines {
        let spec = line.spec.get(lang);
        let name = line.name.get(lang);
        let left =
            if spec.is_empty() { format!("{name} ×{}", line.qty) } else { format!("{name} {spec} ×{}", line.qty) };
        lines(&left, &line.total().to_string(), &mut p);
    }
    p.line(&"-".repeat(cols));
    p.bold(true);
    lines(&tr(Msg::SlipItems, lang, &[("n", &order.item_count().to_string())]), "", &mut p);
    lines(Msg::SlipTotal.text(lang), &order.total().to_string(), &mut p);
    p.bold(false);
    lines(method_name(payment.method).get(lang), &payment.amount.to_string(), &mut p);
    if let Some(tendered) = payment.tendered {
        lines(Msg::Tendered.text(lang), &tendered.to_string(), &mut p);
        lines(Msg::ChangeGiven.text(lang), &payment.change().to_string(), &mut p);
    }
    if let Some(reference) = &payment.reference {
        lines(Msg::PaymentReference.text(lang), reference, &mut p);
    }
    p.lf().align(Align::Center).line(Msg::ReceiptThanks.text(lang));
    p.cut(profile.cut_feed);
    p.into_bytes()
}

/// The payment method's name in both languages.
pub fn method_name(method: PaymentMethod) -> Text {
    let msg = match method {
        PaymentMethod::Cash => Msg::PayCash,
        PaymentMethod::Wechat => Msg::PayWechat,
        PaymentMethod::Alipay => Msg::PayAlipay,
        PaymentMethod::OnAccount => Msg::PayOnAccount,
    };
    Text::new(msg.text(crate::domain::Lang::Zh), msg.text(crate::domain::Lang::En))
}
