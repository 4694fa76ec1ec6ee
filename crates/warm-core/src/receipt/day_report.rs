//! The X report (the day so far) and the Z report (the day closed) as ESC/POS bytes, GB18030 at
//! 58 and 80 mm. Every figure is one row, label left and amount flush right, so the paper reads
//! like the settlement screens and a test can read the figures back from the bytes.

use super::escpos::{Align, EscPos};
use super::paper::PaperProfile;
use super::receipt::method_name;
use super::width::{row, wrap};
use crate::domain::day::{DayReport, OpenOrdersChoice, ReportKind};
use crate::domain::{Lang, Money, PaymentMethod};
use crate::i18n::{self, ManagerMsg as M, Msg, tr};
use jiff::tz::TimeZone;

/// The report's bytes in `lang`. A figure that does not add up (an impossible ledger) prints as
/// "--" rather than a wrapped number.
pub fn day_report(report: &DayReport, lang: Lang, profile: &PaperProfile, tz: &TimeZone) -> Vec<u8> {
    let cols = profile.columns();
    let mut p = EscPos::with_capacity(2048);
    p.init();
    if profile.chinese_mode {
        p.chinese_mode(true);
    }
    p.align(Align::Center).bold(true);
    text(&mut p, &wrap(report.market.get(lang), cols));
    let title = match report.kind {
        ReportKind::X => M::ReportTitleX,
        ReportKind::Z => M::ReportTitleZ,
    };
    p.size(1, 2);
    text(&mut p, &wrap(title.text(lang), cols));
    p.size(1, 1).bold(false).align(Align::Left);
    let rule = "-".repeat(cols);
    p.line(&rule);
    let pair = |p: &mut EscPos, label: &str, value: &str| text(p, &row(label, value, cols));
    pair(&mut p, Msg::SlipTerminal.text(lang), &report.terminal);
    if let Some(z) = report.z_number {
        pair(&mut p, M::ReportNumber.text(lang), &z.to_string());
    }
    pair(&mut p, M::ReportDate.text(lang), &report.date.to_string());
    pair(&mut p, M::ReportPrinted.text(lang), &i18n::local_time(report.at, tz));
    p.line(&rule);
    let orders = tr(
        M::ReportOrders,
        lang,
        &[
            ("placed", &report.orders_placed.to_string()),
            ("paid", &report.orders_paid.to_string()),
            ("amended", &report.orders_amended.to_string()),
        ],
    );
    text(&mut p, &wrap(&orders, cols));
    p.bold(true).size(1, 2);
    pair(&mut p, M::ReportSales.text(lang), &money(report.sales().ok()));
    p.bold(false).size(1, 1);
    text(&mut p, &[M::ReportByMethod.text(lang).to_owned()]);
    for m in crate::domain::day::METHODS {
        let total = report.method(m);
        let label = tr(
            M::ReportMethodLine,
            lang,
            &[("method", method_name(m).text(lang)), ("count", &total.count.to_string())],
        );
        pair(&mut p, &format!("  {label}"), &total.amount.to_string());
    }
    p.line(&rule);
    p.bold(true);
    text(&mut p, &[M::ReportCash.text(lang).to_owned()]);
    p.bold(false);
    pair(&mut p, M::ReportFloat.text(lang), &report.opening_float.to_string());
    pair(&mut p, M::ReportTendered.text(lang), &report.cash_tendered.to_string());
    pair(&mut p, M::ReportChange.text(lang), &Money(report.change_given.0.saturating_neg()).to_string());
    pair(&mut p, M::ReportInOut.text(lang), &money(report.cash_in_out().ok()));
    for m in &report.cash_moves {
        pair(&mut p, &format!("  {}", m.reason), &m.amount.to_string());
    }
    pair(&mut p, M::ReportExpected.text(lang), &money(report.cash_expected().ok()));
    if let Some(counted) = report.cash_counted {
        pair(&mut p, M::ReportCounted.text(lang), &counted.to_string());
        p.bold(true);
        pair(&mut p, M::ReportDifference.text(lang), &money(report.cash_difference().ok().flatten()));
        p.bold(false);
        text(&mut p, &wrap(&difference_words(report.cash_difference().ok().flatten(), lang), cols));
    }
    for s in &report.statements {
        let label = tr(M::ReportStatement, lang, &[("method", method_name(s.method).text(lang))]);
        pair(&mut p, &label, &s.total.to_string());
        text(&mut p, &wrap(&difference_words(report.statement_difference(s.method), lang), cols));
        if !s.note.is_empty() {
            text(&mut p, &wrap(&tr(M::DiffNote, lang, &[("note", &s.note)]), cols));
        }
    }
    if !report.on_account.is_empty() {
        p.line(&rule);
        text(&mut p, &[M::ReportOnAccount.text(lang).to_owned()]);
        for a in &report.on_account {
            pair(&mut p, &format!("  {} x{}", a.account, a.count), &a.amount.to_string());
        }
    }
    p.line(&rule);
    let open = tr(M::ReportOpen, lang, &[("n", &report.not_picked_up.len().to_string())]);
    pair(&mut p, &open, &money(report.open_total().ok()));
    if !report.not_picked_up.is_empty() && report.kind == ReportKind::Z {
        let choice = match report.open_orders {
            OpenOrdersChoice::Keep => M::ReportOpenKept,
            OpenOrdersChoice::Cancel => M::ReportOpenCancelled,
        };
        text(&mut p, &[format!("  {}", choice.text(lang))]);
    }
    if !report.stock.is_empty() {
        p.line(&rule);
        text(&mut p, &wrap(M::ReportStock.text(lang), cols));
        for s in &report.stock {
            let figures = format!("{}/{}/{:+}", s.expected, s.counted, s.difference());
            pair(&mut p, &format!("  {}", s.name.get(lang)), &figures);
        }
    }
    if report.late_entries > 0 {
        text(&mut p, &wrap(&tr(M::ReportLate, lang, &[("n", &report.late_entries.to_string())]), cols));
    }
    p.line(&rule);
    if report.kind == ReportKind::Z {
        p.lf();
        text(&mut p, &[M::ReportSignature.text(lang).to_owned()]);
        p.lf();
    }
    p.align(Align::Center);
    text(&mut p, &[M::ReportEnd.text(lang).to_owned()]);
    p.cut(profile.cut_feed);
    p.into_bytes()
}

/// A difference in words, never by sign or colour alone: 短款 ￥0.50 / 长款 / 相符.
pub fn difference_words(diff: Option<Money>, lang: Lang) -> String {
    match diff {
        None => "--".to_owned(),
        Some(d) if d.0 < 0 => tr(M::DiffShort, lang, &[("amount", &Money(d.0.saturating_neg()).to_string())]),
        Some(d) if d.0 > 0 => tr(M::DiffOver, lang, &[("amount", &d.to_string())]),
        Some(_) => M::DiffNone.text(lang).to_owned(),
    }
}

/// The words of a method's total on a report row (for tests and screens alike).
pub fn method_label(method: PaymentMethod, count: u64, lang: Lang) -> String {
    tr(M::ReportMethodLine, lang, &[("method", method_name(method).text(lang)), ("count", &count.to_string())])
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "--".to_owned(), |m| m.to_string())
}

fn text(p: &mut EscPos, lines: &[String]) {
    for line in lines {
        p.line(line.trim_end());
    }
}

/// The printed lines of a report's bytes: mode commands dropped, GB18030 decoded. What a person
/// reads off the paper, for tests that check figures against the bytes.
pub fn printed_lines(bytes: &[u8]) -> Vec<String> {
    let mut text = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i..] {
            [0x1B, 0x40, ..] | [0x1C, 0x26, ..] | [0x1C, 0x2E, ..] => i += 2,
            [0x1B, 0x61 | 0x45 | 0x64, _, ..] | [0x1D, 0x21 | 0x42, _, ..] => i += 3,
            [0x1D, 0x56, 0x41, _, ..] => i += 4,
            _ => {
                text.push(bytes[i]);
                i += 1;
            }
        }
    }
    let (text, _, _) = encoding_rs::GB18030.decode(&text);
    text.split('\n').map(|l| l.trim_end().to_owned()).collect()
}

/// The value printed right of `label` on the first row that starts with it.
pub fn printed_value(lines: &[String], label: &str) -> Option<String> {
    lines
        .iter()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.split_whitespace().last().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::day::*;
    use crate::domain::{ProductId, Text};
    use crate::receipt::paper::Paper;
    use crate::receipt::slip::fixture::{at, golden, market, profile, shanghai};
    use crate::receipt::width::width;

    fn report() -> DayReport {
        DayReport {
            kind: ReportKind::Z,
            terminal: "T01".into(),
            market: market(),
            date: jiff::civil::date(2022, 5, 6),
            z_number: Some(7),
            at: at("2022-05-06T18:05:00"),
            orders_placed: 200,
            orders_paid: 180,
            orders_amended: 4,
            methods: vec![
                MethodTotal { method: PaymentMethod::Cash, count: 90, amount: Money(412_350) },
                MethodTotal { method: PaymentMethod::Wechat, count: 50, amount: Money(230_120) },
                MethodTotal { method: PaymentMethod::Alipay, count: 30, amount: Money(140_000) },
                MethodTotal { method: PaymentMethod::OnAccount, count: 10, amount: Money(50_990) },
            ],
            opening_float: Money(50_000),
            cash_tendered: Money(500_000),
            change_given: Money(87_650),
            cash_moves: vec![CashMove {
                amount: Money(-300_000), reason: "交银行".into(), at: at("2022-05-06T14:00")
            }],
            cash_counted: Some(Money(162_300)),
            statements: vec![
                Statement { method: PaymentMethod::Wechat, total: Money(230_120), note: String::new() },
                Statement { method: PaymentMethod::Alipay, total: Money(139_000), note: "有退款".into() },
            ],
            on_account: vec![AccountLine { account: "3号楼".into(), count: 10, amount: Money(50_990) }],
            not_picked_up: vec![OpenOrder {
                id: uuid::Uuid::nil(),
                number: "T01-0199".into(),
                items: 3,
                total: Money(8_870),
            }],
            open_orders: OpenOrdersChoice::Keep,
            stock: vec![StockCheck {
                product: ProductId::new("rice"),
                name: Text::new("东北大米", "Northeast rice"),
                sold: 40,
                expected: 12,
                counted: 11,
            }],
            late_entries: 0,
        }
    }

    #[test]
    fn golden_z_reports_at_both_widths() {
        for (paper, tag) in [(Paper::Mm58, "58"), (Paper::Mm80, "80")] {
            let bytes = day_report(&report(), Lang::Zh, &profile(paper), &shanghai());
            let name = format!("z_report_zh_{tag}.bin");
            if std::env::var_os("WRITE_GOLDEN").is_some() {
                std::fs::write(golden(&name), &bytes).unwrap();
            }
            let want = std::fs::read(golden(&name)).unwrap_or_else(|e| {
                panic!("{name}: {e}; make it with WRITE_GOLDEN=1 cargo test -p warm-core day_report")
            });
            assert!(bytes == want, "{name} differs from the golden file ({} vs {} bytes)", bytes.len(), want.len());
        }
    }

    #[test]
    fn figures_read_back_from_the_paper_and_fit_the_width() {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let r = report();
            let lines = printed_lines(&day_report(&r, Lang::Zh, &profile(paper), &shanghai()));
            assert!(lines.iter().all(|l| width(l) <= paper.columns()), "{lines:?}");
            let value = |label: &str| printed_value(&lines, label).unwrap_or_else(|| panic!("{label} in {lines:?}"));
            assert_eq!(value("销售合计"), "￥8334.60");
            assert_eq!(value("应有现金"), "￥1623.50");
            assert_eq!(value("实点现金"), "￥1623.00");
            assert_eq!(value("现金差额"), "￥-0.50");
            assert!(lines.iter().any(|l| l == "短款 ￥0.50"), "{lines:?}");
            assert!(lines.iter().any(|l| l.contains("长款") || l.contains("短款 ￥10.00")), "alipay: {lines:?}");
            assert_eq!(value(&method_label(PaymentMethod::Wechat, 50, Lang::Zh)), "￥2301.20");
            assert_eq!(value("Z 序号"), "7");
        }
    }

    #[test]
    #[ignore]
    fn write_report_pngs() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/slip-samples");
        std::fs::create_dir_all(&dir).unwrap();
        for (paper, tag) in [(Paper::Mm58, "58"), (Paper::Mm80, "80")] {
            let bytes = day_report(&report(), Lang::Zh, &profile(paper), &shanghai());
            let png = crate::receipt::preview::render_png(&bytes, &profile(paper)).unwrap();
            std::fs::write(dir.join(format!("z_report_zh_{tag}.png")), png).unwrap();
        }
    }
}
