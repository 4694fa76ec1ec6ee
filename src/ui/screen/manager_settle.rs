//! The guided settlement (日结) for a volunteer who is not an accountant: one step a screen, each
//! showing what the ledger expects beside what was counted and the difference in words —
//! 1 cash by denomination, 2 WeChat and Alipay against the account statements, 3 on account,
//! 4 orders not picked up (keep or cancel), 5 a quick count of the fastest sellers, 6 the figures
//! and 结账. Every step is kept as a draft (with the step on show), so a crash resumes it; the
//! close is one transaction that prints the Z report and cannot be done twice.

use super::Context;
use super::manager::{loading, nav};
use crate::store::day::Closing;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad, price, tap};
use iced::widget::{Column, Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::checkout::parse_yuan;
use warm_core::domain::day::{DENOMINATIONS, DayReport, OpenOrdersChoice, Statement};
use warm_core::domain::{Lang, Money, PaymentMethod, ProductId};
use warm_core::i18n::{ManagerMsg as M, tr};
use warm_core::receipt::day_report::{difference_words, method_label};
use warm_core::receipt::receipt::method_name;

/// The steps, in order.
pub const STEPS: [M; 6] = [M::StepCash, M::StepQr, M::StepAccount, M::StepOpen, M::StepStock, M::StepReport];
/// The methods with an account statement to compare.
const QR: [PaymentMethod; 2] = [PaymentMethod::Wechat, PaymentMethod::Alipay];
/// Notes on a statement that differs, cycled by a tap.
const NOTES: [M; 3] = [M::NoteRefund, M::NoteLate, M::NoteUnknown];
/// Products in the quick count.
pub const QUICK_COUNT: usize = 10;
const MAX_PIECES: usize = 5;
const MAX_MONEY: usize = 9;

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    /// Which denomination, statement or product the pad types into.
    Select(usize),
    Note(usize),
    Choose(OpenOrdersChoice),
    Next,
    Previous,
    Close,
}

pub enum Action {
    None,
    /// Keep the draft and compute the figures again.
    Keep(Closing),
    Close(Closing),
}

enum Stage {
    Loading,
    Steps {
        closing: Closing,
        preview: Box<DayReport>,
        movers: Vec<(ProductId, i64, i64)>,
        selected: usize,
        entry: String,
    },
    /// The close is on its way.
    Closing {
        closing: Closing,
        preview: Box<DayReport>,
    },
    Closed(Box<DayReport>),
}

pub struct Settle {
    stage: Stage,
}

impl Settle {
    pub fn loading() -> Settle {
        Settle { stage: Stage::Loading }
    }

    /// The draft to resume (or a new closing) with the figures so far; a new quick count lists
    /// the day's fastest sellers.
    pub fn loaded(
        &mut self,
        mut closing: Closing,
        preview: DayReport,
        movers: Vec<(ProductId, i64, i64)>,
        _ctx: Context<'_>,
    ) {
        if closing.counts.is_empty() {
            closing.counts = movers.iter().take(QUICK_COUNT).map(|(p, _, _)| (p.clone(), None)).collect();
        }
        closing.step = closing.step.min(STEPS.len() - 1);
        let mut stage = Stage::Steps { closing, preview: Box::new(preview), movers, selected: 0, entry: String::new() };
        show_entry(&mut stage);
        self.stage = stage;
    }

    /// Figures computed again after a step was kept.
    pub fn preview(&mut self, report: DayReport) {
        if let Stage::Steps { preview, .. } | Stage::Closing { preview, .. } = &mut self.stage {
            **preview = report;
        }
    }

    pub fn closed(&mut self, report: DayReport) {
        self.stage = Stage::Closed(Box::new(report));
    }

    /// The close failed: back to the last step, nothing lost.
    pub fn closing_failed(&mut self) {
        if let Stage::Closing { .. } = self.stage
            && let Stage::Closing { closing, preview } = std::mem::replace(&mut self.stage, Stage::Loading)
        {
            self.stage = Stage::Steps { closing, preview, movers: Vec::new(), selected: 0, entry: String::new() };
        }
    }

    /// Which part is on screen (a step, or the day closed), for the root's settling.
    pub fn stage_name(&self) -> String {
        match &self.stage {
            Stage::Loading => "loading".into(),
            Stage::Steps { closing, .. } => format!("step{}", closing.step),
            Stage::Closing { .. } => "closing".into(),
            Stage::Closed(_) => "closed".into(),
        }
    }

    /// The settlement as entered so far (none before it loaded or after it closed).
    pub fn closing(&self) -> Option<&Closing> {
        match &self.stage {
            Stage::Steps { closing, .. } | Stage::Closing { closing, .. } => Some(closing),
            _ => None,
        }
    }

    pub fn update(&mut self, message: Message, _ctx: Context<'_>) -> Action {
        let Stage::Steps { closing, selected, entry, .. } = &mut self.stage else { return Action::None };
        match message {
            Message::Key(key) => {
                match closing.step {
                    0 => {
                        key.apply(entry, MAX_PIECES, false);
                        if let Some(n) = closing.cash.pieces.get_mut(*selected) {
                            *n = entry.parse().unwrap_or(0);
                        }
                    }
                    1 => {
                        key.apply(entry, MAX_MONEY, true);
                        let method = QR[(*selected).min(QR.len() - 1)];
                        set_statement(closing, method, parse_yuan(entry));
                    }
                    4 => {
                        key.apply(entry, MAX_PIECES, false);
                        if let Some((_, n)) = closing.counts.get_mut(*selected) {
                            *n = entry.parse().ok();
                        }
                    }
                    _ => {}
                }
                return Action::None;
            }
            Message::Select(i) => {
                *selected = i;
                show_entry(&mut self.stage);
                return self.keep();
            }
            Message::Note(i) => {
                let method = QR[i.min(QR.len() - 1)];
                if let Some(s) = closing.statements.iter_mut().find(|s| s.method == method) {
                    let now = NOTES.iter().position(|n| n.text(Lang::Zh) == s.note);
                    s.note = NOTES[now.map_or(0, |n| (n + 1) % NOTES.len())].text(Lang::Zh).to_owned();
                }
                return self.keep();
            }
            Message::Choose(choice) => {
                closing.open_orders = choice;
                return self.keep();
            }
            Message::Next | Message::Previous => {
                closing.step = match message {
                    Message::Next => (closing.step + 1).min(STEPS.len() - 1),
                    _ => closing.step.saturating_sub(1),
                };
                *selected = 0;
                show_entry(&mut self.stage);
                return self.keep();
            }
            Message::Close if closing.step == STEPS.len() - 1 => {
                let Stage::Steps { closing, preview, .. } = std::mem::replace(&mut self.stage, Stage::Loading) else {
                    return Action::None;
                };
                self.stage = Stage::Closing { closing: closing.clone(), preview };
                return Action::Close(closing);
            }
            Message::Close => {}
        }
        Action::None
    }

    fn keep(&self) -> Action {
        self.closing().map_or(Action::None, |c| Action::Keep(c.clone()))
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        match &self.stage {
            Stage::Loading => loading(lang),
            Stage::Closing { .. } => label(M::Working.text(lang), theme::TITLE).into(),
            Stage::Closed(report) => closed_view(report, lang),
            Stage::Steps { closing, preview, movers, selected, entry } => {
                let step = closing.step;
                let heading =
                    tr(M::SettleStep, lang, &[("i", &(step + 1).to_string()), ("n", &STEPS.len().to_string())]);
                let body = match step {
                    0 => cash_view(closing, preview, *selected, entry, lang),
                    1 => qr_view(closing, preview, *selected, entry, lang),
                    2 => account_view(preview, lang),
                    3 => open_view(closing, preview, lang),
                    4 => stock_view(ctx, closing, movers, *selected, entry),
                    _ => report_view(preview, lang),
                };
                let mut buttons = Vec::new();
                if step > 0 {
                    buttons.push((M::Previous.text(lang).to_owned(), Message::Previous, Tap::Secondary));
                }
                if step + 1 < STEPS.len() {
                    buttons.push((M::Next.text(lang).to_owned(), Message::Next, Tap::Primary));
                } else {
                    buttons.push((M::CloseDay.text(lang).to_owned(), Message::Close, Tap::Primary));
                }
                column![
                    bold(format!("{heading} · {}", STEPS[step.min(STEPS.len() - 1)].text(lang)), theme::BODY),
                    container(body).height(Length::Fill),
                    nav(buttons),
                ]
                .spacing(theme::GAP)
                .into()
            }
        }
    }
}

/// What the pad shows when a denomination, statement or product is chosen.
fn show_entry(stage: &mut Stage) {
    let Stage::Steps { closing, selected, entry, .. } = stage else { return };
    *entry = match closing.step {
        0 => closing.cash.pieces.get(*selected).filter(|n| **n > 0).map(|n| n.to_string()).unwrap_or_default(),
        1 => {
            let method = QR[(*selected).min(QR.len() - 1)];
            closing.statements.iter().find(|s| s.method == method).map(|s| yuan_entry(s.total)).unwrap_or_default()
        }
        4 => closing.counts.get(*selected).and_then(|(_, n)| *n).map(|n| n.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
}

/// Money as typed on the pad: 12.5 for ￥12.50.
fn yuan_entry(m: Money) -> String {
    let (y, f) = (m.0 / 100, m.0 % 100);
    match f {
        0 => y.to_string(),
        f if f % 10 == 0 => format!("{y}.{}", f / 10),
        f => format!("{y}.{f:02}"),
    }
}

fn set_statement(closing: &mut Closing, method: PaymentMethod, total: Option<Money>) {
    match (closing.statements.iter_mut().find(|s| s.method == method), total) {
        (Some(s), Some(t)) => s.total = t,
        (None, Some(t)) => closing.statements.push(Statement { method, total: t, note: String::new() }),
        (Some(_), None) => closing.statements.retain(|s| s.method != method),
        (None, None) => {}
    }
}

/// A label and an amount on one line, the amount flush right.
fn figure<'a>(words: String, amount: Option<Money>) -> Element<'a, Message> {
    let amount: Element<'a, Message> = match amount {
        Some(m) => price(m, theme::PRICE).into(),
        None => bold("--", theme::PRICE).into(),
    };
    row![label(words, theme::BODY), space::horizontal(), amount].align_y(Alignment::Center).into()
}

/// The difference in words in a box, never by colour alone; an amount in it is price-sized.
fn words_box<'a>(words: String, matches: bool) -> Element<'a, Message> {
    let style = if matches { theme::badge } else { theme::warning };
    let size = if words.contains('￥') { theme::PRICE } else { theme::TITLE };
    container(bold(words, size)).padding([0.0, theme::GAP]).width(Length::Fill).style(style).into()
}

/// Two columns of choices (denominations, statements, products) beside the pad.
fn choices<'a>(items: Vec<String>, selected: usize) -> Element<'a, Message> {
    let per_column = items.len().div_ceil(2).max(1);
    let mut columns = Row::new().spacing(theme::GAP);
    for (c, chunk) in items.chunks(per_column).enumerate() {
        let mut col = Column::new().spacing(theme::GAP).width(Length::Fill);
        for (j, words) in chunk.iter().enumerate() {
            let i = c * per_column + j;
            let (kind, words) =
                if i == selected { (Tap::Primary, format!("▶ {words}")) } else { (Tap::Secondary, words.clone()) };
            col = col.push(tap(bold(words, theme::BODY), Message::Select(i), kind, Length::Fill, theme::TARGET));
        }
        columns = columns.push(col);
    }
    columns.into()
}

fn cash_view<'a>(
    closing: &Closing,
    preview: &DayReport,
    selected: usize,
    entry: &str,
    lang: Lang,
) -> Element<'a, Message> {
    // Notes and coins by their face value in words (a price-sized ￥ would not fit the buttons).
    let items = DENOMINATIONS
        .iter()
        .zip(closing.cash.pieces)
        .map(|(fen, n)| tr(M::Denomination, lang, &[("amount", &yuan_entry(Money(*fen))), ("n", &n.to_string())]))
        .collect();
    let expected = preview.cash_expected().ok();
    let counted = closing.cash.total();
    let diff = expected.zip(counted).and_then(|(e, c)| c.0.checked_sub(e.0)).map(Money);
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    let summary = column![
        row![
            container(figure(M::ReportExpected.text(lang).into(), expected)).width(Length::Fill),
            container(figure(M::ReportCounted.text(lang).into(), counted)).width(Length::Fill),
        ]
        .spacing(theme::PAD * 2.0),
        words_box(difference_words(diff, lang), diff == Some(Money::ZERO)),
    ]
    .spacing(theme::GAP);
    row![
        column![choices(items, selected), summary].spacing(theme::PAD).width(Length::Fill),
        column![bold(shown, theme::TOTAL), numpad(lang, false, true, Message::Key)]
            .spacing(theme::GAP)
            .align_x(Alignment::Center),
    ]
    .spacing(theme::PAD)
    .into()
}

fn qr_view<'a>(
    closing: &Closing,
    preview: &DayReport,
    selected: usize,
    entry: &str,
    lang: Lang,
) -> Element<'a, Message> {
    let mut col = Column::new().spacing(theme::GAP).width(Length::Fill);
    for (i, method) in QR.iter().enumerate() {
        let recorded = preview.method(*method);
        let statement = closing.statements.iter().find(|s| s.method == *method);
        let chosen = i == selected;
        let head = format!(
            "{}{} · {}",
            if chosen { "▶ " } else { "" },
            method_name(*method).text(lang),
            tr(M::RecordedCount, lang, &[("count", &recorded.count.to_string())])
        );
        let kind = if chosen { Tap::Primary } else { Tap::Secondary };
        let content = row![bold(head, theme::BODY), space::horizontal(), price(recorded.amount, theme::PRICE)]
            .align_y(Alignment::Center)
            .padding([0.0, theme::GAP]);
        col = col.push(tap(content, Message::Select(i), kind, Length::Fill, theme::TARGET));
        match statement {
            None => col = col.push(words_box(M::StatementMissing.text(lang).to_owned(), false)),
            Some(s) => {
                let diff = s.total.0.checked_sub(recorded.amount.0).map(Money);
                col = col
                    .push(figure(M::StatementEntered.text(lang).to_owned(), Some(s.total)))
                    .push(words_box(difference_words(diff, lang), diff == Some(Money::ZERO)));
            }
        }
        if let Some(s) = statement.filter(|s| s.total != recorded.amount) {
            let note = NOTES.iter().find(|n| n.text(Lang::Zh) == s.note).map_or(M::NoteUnknown, |n| *n);
            let words = if s.note.is_empty() {
                M::NoteChoose.text(lang).to_owned()
            } else {
                tr(M::DiffNote, lang, &[("note", note.text(lang))])
            };
            col =
                col.push(tap(label(words, theme::BODY), Message::Note(i), Tap::Secondary, Length::Fill, theme::TARGET));
        }
    }
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    row![
        col,
        column![
            label(M::Amount.text(lang), theme::BODY),
            bold(shown, theme::TOTAL),
            numpad(lang, true, true, Message::Key)
        ]
        .spacing(theme::GAP)
        .align_x(Alignment::Center),
    ]
    .spacing(theme::PAD)
    .into()
}

fn account_view<'a>(preview: &DayReport, lang: Lang) -> Element<'a, Message> {
    if preview.on_account.is_empty() {
        return bold(M::NoAccounts.text(lang), theme::TITLE).into();
    }
    let mut col = Column::new().spacing(theme::GAP);
    for a in preview.on_account.iter().take(8) {
        let name = if a.account.is_empty() { "—".to_owned() } else { a.account.clone() };
        col = col.push(figure(
            format!("{name} · {}", tr(M::Payments, lang, &[("n", &a.count.to_string())])),
            Some(a.amount),
        ));
    }
    if preview.on_account.len() > 8 {
        col = col.push(label(tr(M::AndMore, lang, &[("n", &(preview.on_account.len() - 8).to_string())]), theme::BODY));
    }
    let total = warm_core::domain::day::checked_sum(preview.on_account.iter().map(|a| a.amount), "on account").ok();
    col.push(figure(M::ReportOnAccount.text(lang).into(), total)).into()
}

fn open_view<'a>(closing: &Closing, preview: &DayReport, lang: Lang) -> Element<'a, Message> {
    let open = &preview.not_picked_up;
    if open.is_empty() {
        return bold(M::NoOpenOrders.text(lang), theme::TITLE).into();
    }
    let heading = tr(M::ReportOpen, lang, &[("n", &open.len().to_string())]);
    let numbers: Vec<String> = open.iter().take(12).map(|o| o.number.clone()).collect();
    let mut numbers = numbers.join("  ");
    if open.len() > 12 {
        numbers.push_str(&format!("  {}", tr(M::AndMore, lang, &[("n", &(open.len() - 12).to_string())])));
    }
    let chosen = closing.open_orders;
    let option = |choice: OpenOrdersChoice, words: M| {
        let kind = if choice == chosen { Tap::Primary } else { Tap::Secondary };
        let words = if choice == chosen { format!("✓ {}", words.text(lang)) } else { words.text(lang).to_owned() };
        tap(bold(words, theme::BUTTON), Message::Choose(choice), kind, Length::Fill, theme::BIG_TARGET)
    };
    let chosen_words = match chosen {
        OpenOrdersChoice::Keep => M::OpenChoiceKeep,
        OpenOrdersChoice::Cancel => M::OpenChoiceCancel,
    };
    column![
        figure(heading, preview.open_total().ok()),
        label(numbers, theme::BODY),
        row![option(OpenOrdersChoice::Keep, M::KeepOrders), option(OpenOrdersChoice::Cancel, M::CancelOrders)]
            .spacing(theme::PAD),
        words_box(chosen_words.text(lang).to_owned(), true),
    ]
    .spacing(theme::PAD)
    .into()
}

fn stock_view<'a>(
    ctx: Context<'a>,
    closing: &Closing,
    movers: &[(ProductId, i64, i64)],
    selected: usize,
    entry: &str,
) -> Element<'a, Message> {
    let lang = ctx.lang;
    if closing.counts.is_empty() {
        return bold(M::NothingSold.text(lang), theme::TITLE).into();
    }
    let ledger = |p: &ProductId| movers.iter().find(|(m, _, _)| m == p).map(|(_, _, on_hand)| *on_hand);
    let items = closing
        .counts
        .iter()
        .map(|(p, n)| {
            let name = ctx.catalog.product(p).map_or(p.0.as_str(), |x| x.name.get(lang));
            let counted = n.map_or("_".to_owned(), |n| n.to_string());
            let ledger = ledger(p).map_or("--".to_owned(), |l| l.to_string());
            format!("{name} {ledger}/{counted}")
        })
        .collect();
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    let (product, counted) = closing.counts.get(selected).cloned().unwrap_or((ProductId::new(""), None));
    let diff = ledger(&product).zip(counted).map(|(l, c)| c.saturating_sub(l));
    let words = match diff {
        Some(d) => words_box(super::manager::units_words(d, lang), d == 0),
        None => label(M::CountEnter.text(lang), theme::BODY).into(),
    };
    row![
        column![label(M::ReportStock.text(lang), theme::BODY), choices(items, selected), words]
            .spacing(theme::GAP)
            .width(Length::Fill),
        column![bold(shown, theme::TOTAL), numpad(lang, false, true, Message::Key)]
            .spacing(theme::GAP)
            .align_x(Alignment::Center),
    ]
    .spacing(theme::PAD)
    .into()
}

fn report_view<'a>(r: &DayReport, lang: Lang) -> Element<'a, Message> {
    let mut left = Column::new().spacing(4).width(Length::Fill);
    left = left.push(figure(M::ReportSales.text(lang).into(), r.sales().ok()));
    for m in warm_core::domain::day::METHODS {
        let t = r.method(m);
        left = left.push(figure(method_label(m, t.count, lang), Some(t.amount)));
    }
    left =
        left.push(figure(tr(M::ReportOpen, lang, &[("n", &r.not_picked_up.len().to_string())]), r.open_total().ok()));
    let mut right = Column::new().spacing(4).width(Length::Fill);
    right = right
        .push(figure(M::ReportExpected.text(lang).into(), r.cash_expected().ok()))
        .push(figure(M::ReportCounted.text(lang).into(), r.cash_counted));
    let diff = r.cash_difference().ok().flatten();
    right = right.push(words_box(difference_words(diff, lang), diff == Some(Money::ZERO)));
    for s in &r.statements {
        let diff = r.statement_difference(s.method);
        let words = format!(
            "{}: {}",
            tr(M::ReportStatement, lang, &[("method", method_name(s.method).text(lang))]),
            difference_words(diff, lang)
        );
        right = right.push(words_box(words, diff == Some(Money::ZERO)));
    }
    let counted: Vec<String> = r
        .stock
        .iter()
        .filter(|s| s.difference() != 0)
        .map(|s| format!("{} {}", s.name.get(lang), super::manager::units_words(s.difference(), lang)))
        .collect();
    if !counted.is_empty() {
        right = right.push(label(counted.join("，"), theme::BODY));
    }
    row![left, right].spacing(theme::PAD * 2.0).into()
}

fn closed_view<'a>(r: &DayReport, lang: Lang) -> Element<'a, Message> {
    let diff = r.cash_difference().ok().flatten();
    column![
        bold(M::DayClosed.text(lang), theme::TOTAL),
        bold(format!("{} {}", M::ReportNumber.text(lang), r.z_number.unwrap_or(0)), theme::TITLE),
        figure(M::ReportSales.text(lang).into(), r.sales().ok()),
        words_box(
            format!("{}: {}", M::ReportDifference.text(lang), difference_words(diff, lang)),
            diff == Some(Money::ZERO)
        ),
        label(M::ReportQueued.text(lang), theme::BODY),
    ]
    .spacing(theme::PAD)
    .into()
}
