//! The volunteer's checkout counter: scanned lines with big −/+, the scan result in words, payment
//! on the numpad, the paid summary. It owns the sale being rung up; recalling a slip's order and
//! committing a payment are store work, which the root runs off the UI thread and answers with
//! `Recalled` / `Paid`.

use super::Context;
use crate::device::scanner::{LineError, ScannerLink};
use crate::store::StoreError;
use crate::store::payments::{Paid, SaleToPay};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{Pager, bold, label, numpad, pager, picture, price, tap};
use iced::widget::{Column, Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::domain::checkout::{Added, RecallRefused, Sale, parse_yuan};
use warm_core::domain::scan::{self, Scan, Weighed};
use warm_core::domain::{CategoryId, Lang, Money, Order, PaymentMethod, ProductId, Text};
use warm_core::i18n::{Msg, rejection, tr};
use warm_core::receipt::receipt::method_name;

/// Sale lines per page on the counter.
pub const LINES_PAGE: usize = 3;
/// Products per page when picking by hand.
pub const PICK_PAGE: usize = 6;
const MAX_CASH_CHARS: usize = 8;
const MAX_REFERENCE_CHARS: usize = 12;
/// Width of the right-hand payment panel, px.
const PANEL: f32 = 720.0;

#[derive(Debug, Clone)]
pub enum Message {
    Increase(usize),
    Decrease(usize),
    Remove(usize),
    TogglePicked(usize),
    PickAll,
    TurnPage(bool),
    Pay,
    Method(PaymentMethod),
    Key(Key),
    ConfirmPay,
    CancelPay,
    Clear,
    NextCustomer,
    PickByHand,
    PickCategory(CategoryId),
    PickProduct(ProductId),
    TurnPickPage(bool),
    ClosePick,
    Exit,
    /// A line from the scanner (serial or keyboard wedge).
    Scanned(Result<String, LineError>),
    /// The store's answer to `Action::Recall`.
    Recalled(Result<Option<Order>, StoreError>),
    /// The store's answer to `Action::Pay`.
    Paid(Result<Box<Paid>, StoreError>),
}

pub enum Action {
    None,
    /// Back to the seniors' screens.
    Leave,
    /// Start a new sale (it needs a new id); a scan that arrived on the paid screen goes to it.
    NewSale(Option<Result<String, LineError>>),
    /// Read the order of a scanned slip.
    Recall(Uuid),
    /// Commit the sale and its payment in one transaction, then print the receipt.
    Pay {
        sale: SaleToPay,
        method: PaymentMethod,
        tendered: Option<Money>,
        reference: Option<String>,
    },
}

/// The line under the scan hint: what the last scan did, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Ok(String),
    /// A problem: headline, the code (when there is one) and the reason. `offer_pick` shows the
    /// "pick from pictures" button (unknown goods).
    Problem {
        title: String,
        code: Option<String>,
        detail: Option<String>,
        offer_pick: bool,
    },
}

pub enum Step {
    Scan,
    Pick { category: Option<CategoryId>, pager: Pager },
    Method,
    Cash { entry: String },
    Reference { method: PaymentMethod, entry: String },
    Done { paid: Box<Paid>, print_error: Option<String> },
}

pub struct Counter {
    pub sale: Sale,
    pub pager: Pager,
    pub notice: Option<Notice>,
    /// Counts rejected scans: each one flashes the banner anew (and the screen says it in words).
    pub rejections: u32,
    pub step: Step,
    /// A payment is being committed: 确认收款 does nothing more until it comes back.
    paying: bool,
}

impl Counter {
    /// A new, empty sale; `id` becomes its order's id (UUIDv7, made by the root).
    pub fn new(id: Uuid) -> Counter {
        Counter {
            sale: Sale::new(id),
            pager: Pager::new(LINES_PAGE),
            notice: None,
            rejections: 0,
            step: Step::Scan,
            paying: false,
        }
    }

    fn problem(&mut self, title: String, code: Option<String>, detail: Option<String>, offer_pick: bool) {
        self.rejections += 1;
        self.notice = Some(Notice::Problem { title, code, detail, offer_pick });
    }

    fn show_line(&mut self, i: usize) {
        self.pager = self.pager.showing(i);
    }

    /// A line from the scanner (serial or keyboard wedge).
    fn scan(&mut self, ctx: Context<'_>, line: Result<String, LineError>) -> Action {
        let lang = ctx.lang;
        if matches!(self.step, Step::Done { .. }) {
            return Action::NewSale(Some(line));
        } else if !matches!(self.step, Step::Scan) {
            self.step = Step::Scan;
        }
        let text = match line {
            Ok(text) => text,
            Err(e) => {
                let detail = tr(Msg::RejectUnreadable, lang, &[("reason", &e.to_string())]);
                self.problem(Msg::ScanRejected.text(lang).into(), None, Some(detail), false);
                return Action::None;
            }
        };
        let config = &ctx.config;
        let code_line = |code: &str| tr(Msg::CodeIs, lang, &[("code", code)]);
        match scan::parse(&text, &config.scanner.weighed, &config.volunteer.badge) {
            Scan::Goods { code, key, .. } => match ctx.catalog.by_ean(&key) {
                Some(product) => {
                    let name = product.name.get(lang).to_owned();
                    let (i, msg) = match self.sale.add_goods(product) {
                        Added::New(i) | Added::More(i) => (i, tr(Msg::AddedScan, lang, &[("name", &name)])),
                        Added::Picked(i) => (i, tr(Msg::PickedScan, lang, &[("name", &name)])),
                        Added::Full(i) => (i, tr(Msg::LineFull, lang, &[("name", &name)])),
                    };
                    self.show_line(i);
                    self.notice = Some(Notice::Ok(msg));
                }
                None => self.problem(Msg::NotFound.text(lang).into(), Some(code_line(&code)), None, true),
            },
            Scan::Weighed { code, item, value } => {
                match scan::weighed_product(ctx.catalog, &item, &config.scanner.weighed) {
                    Some(product) => {
                        let price = scan::weighed_price(product, value, &config.scanner.weighed);
                        let spec = match value {
                            Weighed::Grams(g) => {
                                let g = g.to_string();
                                Text::new(
                                    tr(Msg::Grams, Lang::Zh, &[("g", &g)]),
                                    tr(Msg::Grams, Lang::En, &[("g", &g)]),
                                )
                            }
                            Weighed::Price(_) => product.spec.clone(),
                        };
                        let i = self.sale.add_weighed(product, price, spec);
                        self.show_line(i);
                        self.notice = Some(Notice::Ok(tr(Msg::AddedScan, lang, &[("name", product.name.get(lang))])));
                    }
                    None => {
                        let detail = tr(Msg::WeighedUnknown, lang, &[("item", &item)]);
                        self.problem(Msg::NotFound.text(lang).into(), Some(code_line(&code)), Some(detail), true)
                    }
                }
            }
            Scan::Slip(id) => return Action::Recall(id),
            Scan::Badge => self.notice = Some(Notice::Ok(Msg::VolunteerMode.text(lang).into())),
            Scan::Rejected { code, reason } => {
                let code = (!code.is_empty()).then(|| code_line(&code));
                self.problem(Msg::ScanRejected.text(lang).into(), code, Some(rejection(reason, lang)), false)
            }
        }
        Action::None
    }

    /// The store's answer to a scanned slip.
    fn recalled(&mut self, found: Result<Option<Order>, StoreError>, lang: Lang) {
        let order = match found {
            Ok(Some(order)) => order,
            Ok(None) => return self.problem(Msg::SlipUnknown.text(lang).into(), None, None, false),
            Err(e) => return self.problem(Msg::SlipUnknown.text(lang).into(), None, Some(e.to_string()), false),
        };
        let number = order.number.to_string();
        let with_number = |msg| tr(msg, lang, &[("number", &number)]);
        match self.sale.recall(order) {
            Ok(()) => {
                self.pager = Pager::new(LINES_PAGE);
                self.notice = Some(Notice::Ok(with_number(Msg::SlipLoaded)));
            }
            Err(RecallRefused::AlreadyLoaded) => {
                self.notice = Some(Notice::Ok(Msg::SlipAlreadyLoaded.text(lang).into()))
            }
            Err(RecallRefused::Busy) => self.problem(Msg::SlipBusy.text(lang).into(), None, None, false),
            Err(RecallRefused::Paid) => {
                self.problem(with_number(Msg::SlipPaid), None, Some(Msg::AlreadyPaid.text(lang).into()), false)
            }
            Err(RecallRefused::Cancelled) => self.problem(with_number(Msg::SlipCancelled), None, None, false),
        }
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        let len = self.sale.lines.len();
        match message {
            Message::Exit => return Action::Leave,
            Message::Scanned(line) => return self.scan(ctx, line),
            Message::Recalled(found) => self.recalled(found, lang),
            Message::Paid(paid) => self.paid(paid, lang),
            Message::ConfirmPay => return self.confirm(ctx),
            Message::Increase(i) => self.sale.increase(i),
            Message::Decrease(i) => self.sale.decrease(i),
            Message::Remove(i) => self.sale.remove(i),
            Message::TogglePicked(i) => self.sale.toggle_picked(i),
            Message::PickAll => self.sale.pick_all(),
            Message::TurnPage(forward) => self.pager = self.pager.turned(forward, len),
            Message::Pay if matches!(self.step, Step::Scan) => {
                if self.sale.is_empty() {
                    self.notice = Some(Notice::Ok(Msg::CounterEmpty.text(lang).into()));
                } else if self.sale.unpicked() > 0 {
                    let n = self.sale.unpicked().to_string();
                    self.problem(tr(Msg::StillToPick, lang, &[("n", &n)]), None, None, false);
                } else {
                    self.step = Step::Method;
                }
            }
            Message::Method(method) if matches!(self.step, Step::Method) => {
                self.step = match method {
                    PaymentMethod::Cash => Step::Cash { entry: String::new() },
                    method => Step::Reference { method, entry: String::new() },
                }
            }
            Message::Key(key) => match &mut self.step {
                Step::Cash { entry } => key.apply(entry, MAX_CASH_CHARS, true),
                Step::Reference { entry, .. } => key.apply(entry, MAX_REFERENCE_CHARS, false),
                _ => {}
            },
            Message::CancelPay if !matches!(self.step, Step::Done { .. }) => self.step = Step::Scan,
            Message::Clear if matches!(self.step, Step::Scan) => return Action::NewSale(None),
            Message::NextCustomer if matches!(self.step, Step::Done { .. }) => return Action::NewSale(None),
            Message::PickByHand if matches!(self.step, Step::Scan) => {
                self.step = Step::Pick { category: None, pager: Pager::new(PICK_PAGE) };
            }
            Message::PickCategory(id) => {
                if let Step::Pick { category, pager } = &mut self.step {
                    *category = Some(id);
                    *pager = Pager::new(PICK_PAGE);
                }
            }
            Message::TurnPickPage(forward) => {
                if let Step::Pick { category: Some(id), pager } = &mut self.step {
                    *pager = pager.turned(forward, ctx.catalog.in_category(id).count());
                }
            }
            Message::PickProduct(id) => {
                if let Some(product) = ctx.catalog.product(&id) {
                    let i = match self.sale.add_goods(product) {
                        Added::New(i) | Added::More(i) | Added::Picked(i) | Added::Full(i) => i,
                    };
                    self.show_line(i);
                    self.notice = Some(Notice::Ok(tr(Msg::AddedScan, lang, &[("name", product.name.get(lang))])));
                }
                self.step = Step::Scan;
            }
            Message::ClosePick => self.step = Step::Scan,
            _ => {}
        }
        Action::None
    }

    /// Asks the root to commit the sale and its payment.
    fn confirm(&mut self, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        let total = self.sale.total();
        let (method, tendered, reference) = match &self.step {
            Step::Cash { entry } => match parse_yuan(entry) {
                Some(t) if t >= total => (PaymentMethod::Cash, Some(t), None),
                _ => {
                    self.problem(Msg::NotEnoughCash.text(lang).into(), None, None, false);
                    return Action::None;
                }
            },
            Step::Reference { method, entry } if !entry.is_empty() => (*method, None, Some(entry.clone())),
            _ => return Action::None,
        };
        if self.paying {
            return Action::None;
        }
        self.paying = true;
        let sale = SaleToPay {
            order_id: self.sale.id,
            recalled: self.sale.recalled.is_some(),
            terminal: ctx.config.terminal_id.clone(),
            lang: self.sale.recalled.as_ref().map_or(lang, |o| o.lang),
            lines: self.sale.order_lines(),
        };
        Action::Pay { sale, method, tendered, reference }
    }

    /// The store's answer to `Action::Pay`.
    fn paid(&mut self, paid: Result<Box<Paid>, StoreError>, lang: Lang) {
        self.paying = false;
        match paid {
            Ok(paid) => {
                // The print worker prints the stored receipt; a printer problem shows in the banner.
                self.notice = None;
                self.step = Step::Done { paid, print_error: None };
            }
            Err(StoreError::AlreadyPaid(_)) => {
                self.step = Step::Scan;
                self.problem(Msg::AlreadyPaid.text(lang).into(), None, None, false);
            }
            Err(e) => {
                tracing::error!("payment not recorded: {e}");
                let detail = tr(Msg::PaymentFailed, lang, &[("reason", &e.to_string())]);
                self.problem(Msg::PaymentFailed.text(lang).replace("{reason}", ""), None, Some(detail), false);
            }
        }
    }
}

fn scanner_line(scanner: Option<&ScannerLink>, lang: Lang) -> String {
    match scanner {
        None => Msg::ScannerNone.text(lang).to_owned(),
        Some(ScannerLink::Connected { port }) => format!("{} ({port})", Msg::ScannerConnected.text(lang)),
        Some(ScannerLink::Disconnected { port, retry_in, .. }) => {
            format!("{} ({port})", tr(Msg::ScannerDisconnected, lang, &[("s", &retry_in.as_secs().to_string())]))
        }
    }
}

impl Counter {
    /// `scanner`: the serial scanner's link, when one is configured.
    pub fn view<'a>(&'a self, ctx: Context<'a>, scanner: Option<&ScannerLink>) -> Element<'a, Message> {
        counter_view(self, ctx, scanner)
    }
}

fn counter_view<'a>(c: &'a Counter, ctx: Context<'a>, scanner: Option<&ScannerLink>) -> Element<'a, Message> {
    let lang = ctx.lang;
    let top = row![
        bold(format!("{} · {}", Msg::CheckoutTitle.text(lang), Msg::VolunteerMode.text(lang)), theme::TITLE),
        space::horizontal(),
        label(scanner_line(scanner, lang), theme::BODY),
        tap(label(Msg::ExitVolunteer.text(lang), theme::BUTTON), Message::Exit, Tap::Secondary, 180, theme::TARGET),
    ]
    .spacing(theme::PAD)
    .align_y(Alignment::Center);

    let left: Element<'a, Message> = match &c.step {
        Step::Pick { category, pager } => pick_view(ctx, category.as_ref(), *pager),
        _ => column![notice_view(c, lang), lines_view(c, lang)].spacing(theme::GAP).into(),
    };
    let body = row![container(left).width(Length::Fill).height(Length::Fill), panel_view(c, lang)].spacing(theme::PAD);
    column![top, body].spacing(theme::GAP).into()
}

fn notice_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a, Message> {
    match &c.notice {
        None => container(label(Msg::ScanHint.text(lang), theme::TITLE)).padding(theme::GAP).width(Length::Fill).into(),
        Some(Notice::Ok(text)) => container(bold(text.clone(), theme::TITLE))
            .padding(theme::GAP)
            .width(Length::Fill)
            .style(theme::badge)
            .into(),
        Some(Notice::Problem { title, code, detail, offer_pick }) => {
            let words = column![bold(title.clone(), theme::TITLE)]
                .push(code.as_ref().map(|c| bold(c.clone(), theme::BODY)))
                .push(detail.as_ref().map(|d| label(d.clone(), theme::BODY)))
                .width(Length::Fill);
            let mut content = Row::new().push(words).spacing(theme::PAD).align_y(Alignment::Center);
            if *offer_pick {
                content = content.push(tap(
                    bold(Msg::PickByHand.text(lang), theme::BUTTON),
                    Message::PickByHand,
                    Tap::Primary,
                    320,
                    theme::TARGET,
                ));
            }
            // The banner alternates between two borders with each rejection: a visible flash
            // on top of the words, never colour alone.
            let style = if c.rejections.is_multiple_of(2) { theme::warning } else { theme::warning_flash };
            container(content).padding(theme::GAP).width(Length::Fill).style(style).into()
        }
    }
}

fn lines_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a, Message> {
    let lines = &c.sale.lines;
    let mut list = Column::new().spacing(theme::GAP);
    if lines.is_empty() {
        list = list.push(label(Msg::CounterEmpty.text(lang), theme::BODY));
    }
    for i in c.pager.range(lines.len()) {
        let l = &lines[i];
        let picked = if l.picked {
            tap(bold(Msg::Picked.text(lang), theme::BODY), Message::TogglePicked(i), Tap::Primary, 170, theme::TARGET)
        } else {
            tap(
                label(Msg::NotPicked.text(lang), theme::BODY),
                Message::TogglePicked(i),
                Tap::Secondary,
                170,
                theme::TARGET,
            )
        };
        let mut buttons = Row::new().spacing(theme::GAP).align_y(Alignment::Center);
        buttons = buttons.push(tap(bold("−", theme::TOTAL), Message::Decrease(i), Tap::Secondary, 96, theme::TARGET));
        if !l.weighed {
            buttons =
                buttons.push(tap(bold("+", theme::TOTAL), Message::Increase(i), Tap::Secondary, 96, theme::TARGET));
        }
        buttons = buttons
            .push(tap(
                label(Msg::Remove.text(lang), theme::BODY),
                Message::Remove(i),
                Tap::Secondary,
                120,
                theme::TARGET,
            ))
            .push(picked);
        list = list.push(
            container(
                row![
                    column![bold(l.line.name.get(lang), theme::BODY), label(l.line.spec.get(lang), theme::BODY)]
                        .width(Length::Fill),
                    bold(format!("×{}", l.line.qty), theme::TITLE),
                    price(l.line.total(), theme::PRICE).width(220).align_x(Alignment::End),
                    buttons,
                ]
                .spacing(theme::GAP)
                .align_y(Alignment::Center),
            )
            .padding([4.0, theme::GAP])
            .style(theme::panel),
        );
    }
    column![list].push(pager(c.pager, lines.len(), lang, Message::TurnPage)).spacing(theme::GAP).into()
}

fn panel_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a, Message> {
    let sale = &c.sale;
    let count = tr(Msg::ItemCount, lang, &[("n", &sale.item_count().to_string())]);
    let summary = column![
        row![bold(Msg::Total.text(lang), theme::TITLE), space::horizontal(), price(sale.total(), theme::TOTAL)]
            .align_y(Alignment::Center),
        label(count, theme::BODY),
    ]
    .push(
        (sale.unpicked() > 0)
            .then(|| bold(tr(Msg::StillToPick, lang, &[("n", &sale.unpicked().to_string())]), theme::BODY)),
    );
    let big = |content: Element<'a, Message>, msg: Message, kind: Tap| {
        tap(content, msg, kind, Length::Fill, theme::BIG_TARGET)
    };
    let actions: Element<'a, Message> = match &c.step {
        Step::Scan | Step::Pick { .. } => {
            let mut col = Column::new().spacing(theme::GAP);
            col = col.push(big(bold(Msg::Pay.text(lang), theme::TOTAL).into(), Message::Pay, Tap::Primary));
            if sale.unpicked() > 0 {
                col = col.push(big(
                    label(Msg::PickAll.text(lang), theme::BUTTON).into(),
                    Message::PickAll,
                    Tap::Secondary,
                ));
            }
            if matches!(c.step, Step::Pick { .. }) {
                col = col.push(big(
                    label(Msg::Cancel.text(lang), theme::BUTTON).into(),
                    Message::ClosePick,
                    Tap::Secondary,
                ));
            } else {
                col = col.push(big(
                    label(Msg::ClearCounter.text(lang), theme::BUTTON).into(),
                    Message::Clear,
                    Tap::Secondary,
                ));
            }
            col.into()
        }
        Step::Method => {
            let mut col = Column::new().spacing(theme::GAP).push(bold(Msg::ChooseMethod.text(lang), theme::TITLE));
            let method = |m: PaymentMethod| {
                big(bold(method_name(m).text(lang).to_owned(), theme::TITLE).into(), Message::Method(m), Tap::Secondary)
            };
            // Two by two, so the four methods and 取消 fit under the total at full size.
            for [a, b] in
                [[PaymentMethod::Cash, PaymentMethod::Wechat], [PaymentMethod::Alipay, PaymentMethod::OnAccount]]
            {
                col = col.push(row![method(a), method(b)].spacing(theme::GAP));
            }
            col.push(big(label(Msg::Cancel.text(lang), theme::BUTTON).into(), Message::CancelPay, Tap::Secondary))
                .into()
        }
        Step::Cash { entry } => {
            let tendered = parse_yuan(entry);
            let change = match tendered {
                Some(t) if t >= sale.total() => row![
                    bold(Msg::ChangeDue.text(lang), theme::TITLE),
                    space::horizontal(),
                    price(Money(t.as_fen() - sale.total().as_fen()), theme::TOTAL)
                ]
                .align_y(Alignment::Center)
                .into(),
                Some(_) => bold(Msg::NotEnoughCash.text(lang), theme::TITLE).into(),
                None => Element::from(space::vertical().height(1)),
            };
            entry_panel(lang, Msg::EnterTendered.text(lang), entry, true, change)
        }
        Step::Reference { method, entry } => {
            let prompt = if *method == PaymentMethod::OnAccount { Msg::EnterAccount } else { Msg::EnterReference };
            let heading = bold(method_name(*method).text(lang).to_owned(), theme::TITLE).into();
            entry_panel(lang, prompt.text(lang), entry, false, heading)
        }
        Step::Done { paid, print_error } => {
            let p = &paid.payment;
            let mut col = Column::new()
                .spacing(theme::GAP)
                .push(bold(Msg::PaidTitle.text(lang), theme::TOTAL))
                .push(bold(format!("{} {}", Msg::ReceiptNumber.text(lang), paid.order.number), theme::TITLE))
                .push(row![
                    label(method_name(p.method).text(lang).to_owned(), theme::TITLE),
                    space::horizontal(),
                    price(p.amount, theme::PRICE)
                ]);
            if let Some(t) = p.tendered {
                col = col
                    .push(row![
                        label(Msg::Tendered.text(lang), theme::TITLE),
                        space::horizontal(),
                        price(t, theme::PRICE)
                    ])
                    .push(row![
                        bold(Msg::ChangeDue.text(lang), theme::TITLE),
                        space::horizontal(),
                        price(p.change(), theme::TOTAL)
                    ]);
            }
            col = col.push(match print_error {
                None => Element::from(label(Msg::ReceiptPrinted.text(lang), theme::BODY)),
                Some(e) => container(bold(tr(Msg::ReceiptNotPrinted, lang, &[("reason", e)]), theme::BODY))
                    .style(theme::warning)
                    .into(),
            });
            col.push(big(bold(Msg::NextCustomer.text(lang), theme::TITLE).into(), Message::NextCustomer, Tap::Primary))
                .into()
        }
    };
    let summary: Element<'a, Message> =
        if matches!(c.step, Step::Done { .. }) { space::vertical().height(1).into() } else { summary.into() };
    container(column![summary, actions].spacing(theme::PAD))
        .padding(theme::GAP)
        .width(PANEL)
        .height(Length::Fill)
        .style(theme::panel)
        .into()
}

/// An entry shown big above the numpad, with 确认收款 / 取消 beside it.
fn entry_panel<'a>(
    lang: Lang,
    prompt: &str,
    entry: &str,
    dot: bool,
    extra: Element<'a, Message>,
) -> Element<'a, Message> {
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    let buttons = column![
        tap(bold(Msg::ConfirmPayment.text(lang), theme::BUTTON), Message::ConfirmPay, Tap::Primary, 220, 232),
        tap(label(Msg::Cancel.text(lang), theme::BUTTON), Message::CancelPay, Tap::Secondary, 220, theme::BIG_TARGET),
    ]
    .spacing(theme::GAP);
    column![
        extra,
        row![label(prompt.to_owned(), theme::BODY), space::horizontal(), bold(shown, theme::TOTAL)]
            .align_y(Alignment::Center),
        row![numpad(lang, dot, Message::Key), buttons].spacing(theme::GAP),
    ]
    .spacing(theme::GAP)
    .into()
}

fn pick_view<'a>(ctx: Context<'a>, category: Option<&'a CategoryId>, page: Pager) -> Element<'a, Message> {
    let (lang, catalog) = (ctx.lang, ctx.catalog);
    let tile = |content: Element<'a, Message>, msg: Message| tap(content, msg, Tap::Tile, Length::Fill, 300);
    let mut grid = Column::new().spacing(theme::GAP);
    match category {
        None => {
            for chunk in catalog.categories.chunks(3) {
                grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|cat| {
                    let name = cat.name.get(lang);
                    let content =
                        column![picture(ctx.pictures, &cat.picture, name, 160.0, lang), bold(name, theme::TITLE)]
                            .align_x(Alignment::Center)
                            .into();
                    tile(content, Message::PickCategory(cat.id.clone()))
                })));
            }
        }
        Some(id) => {
            let products: Vec<_> = catalog.in_category(id).collect();
            for chunk in products[page.range(products.len())].chunks(3) {
                grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|p| {
                    let name = p.name.get(lang);
                    let content = column![
                        picture(ctx.pictures, &p.picture, name, 120.0, lang),
                        bold(name, theme::BODY),
                        price(p.price, theme::PRICE)
                    ]
                    .align_x(Alignment::Center)
                    .into();
                    tile(content, Message::PickProduct(p.id.clone()))
                })));
            }
            grid = grid.push(pager(page, products.len(), lang, Message::TurnPickPage));
        }
    }
    column![bold(Msg::PickByHand.text(lang), theme::TITLE), grid].spacing(theme::GAP).into()
}
