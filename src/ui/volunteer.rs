//! Volunteer mode: the PIN gate and the checkout counter. Like `app`, this is a root of the UI
//! that performs I/O (recalling orders, committing payments, printing the receipt); the views are
//! in `screen::checkout`. The seniors' screens never show any of it: a volunteer enters with
//! Ctrl+Alt+V on a keyboard or by scanning the configured badge, and leaves with 退出.

use super::app::Context;
use super::widget::Pager;
use super::widget::numpad::Key;
use crate::device::scanner::LineError;
use crate::store::StoreError;
use crate::store::payments::{NewPayment, Paid, SaleToPay};
use std::time::Instant;
use warm_core::domain::checkout::{Added, RecallRefused, Sale, parse_yuan};
use warm_core::domain::pin::{PinGate, PinOutcome};
use warm_core::domain::scan::{self, Scan, Weighed};
use warm_core::domain::{CategoryId, Lang, PaymentMethod, ProductId, Text};
use warm_core::i18n::{Msg, rejection, tr};
use warm_core::receipt::receipt::sales_receipt;

/// Sale lines per page on the counter.
pub const LINES_PAGE: usize = 3;
/// Products per page when picking by hand.
pub const PICK_PAGE: usize = 6;
const MAX_CASH_CHARS: usize = 8;
const MAX_REFERENCE_CHARS: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub enum VMsg {
    PinKey(Key),
    PinOk,
    PinCancel,
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
}

pub enum Mode {
    Pin(PinEntry),
    Counter(Box<Counter>),
}

#[derive(Debug, Clone, Default)]
pub struct PinEntry {
    pub entry: String,
    pub status: Option<String>,
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
}

impl Counter {
    fn new(ctx: &Context) -> Counter {
        Counter {
            sale: Sale::new((ctx.ids)()),
            pager: Pager::new(LINES_PAGE),
            notice: None,
            rejections: 0,
            step: Step::Scan,
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
    pub fn scan(&mut self, ctx: &Context, line: Result<String, LineError>, lang: Lang) {
        if matches!(self.step, Step::Done { .. }) {
            *self = Counter::new(ctx);
        } else if !matches!(self.step, Step::Scan) {
            self.step = Step::Scan;
        }
        let text = match line {
            Ok(text) => text,
            Err(e) => {
                let detail = tr(Msg::RejectUnreadable, lang, &[("reason", &e.to_string())]);
                return self.problem(Msg::ScanRejected.text(lang).into(), None, Some(detail), false);
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
                match scan::weighed_product(&ctx.catalog, &item, &config.scanner.weighed) {
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
            Scan::Slip(id) => self.recall(ctx, id, lang),
            Scan::Badge => self.notice = Some(Notice::Ok(Msg::VolunteerMode.text(lang).into())),
            Scan::Rejected { code, reason } => {
                let code = (!code.is_empty()).then(|| code_line(&code));
                self.problem(Msg::ScanRejected.text(lang).into(), code, Some(rejection(reason, lang)), false)
            }
        }
    }

    fn recall(&mut self, ctx: &Context, id: uuid::Uuid, lang: Lang) {
        let found = ctx.store().order(id);
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

    fn update(&mut self, ctx: &Context, msg: VMsg, lang: Lang) {
        let len = self.sale.lines.len();
        match msg {
            VMsg::Increase(i) => self.sale.increase(i),
            VMsg::Decrease(i) => self.sale.decrease(i),
            VMsg::Remove(i) => self.sale.remove(i),
            VMsg::TogglePicked(i) => self.sale.toggle_picked(i),
            VMsg::PickAll => self.sale.pick_all(),
            VMsg::TurnPage(forward) => self.pager = self.pager.turned(forward, len),
            VMsg::Pay if matches!(self.step, Step::Scan) => {
                if self.sale.is_empty() {
                    self.notice = Some(Notice::Ok(Msg::CounterEmpty.text(lang).into()));
                } else if self.sale.unpicked() > 0 {
                    let n = self.sale.unpicked().to_string();
                    self.problem(tr(Msg::StillToPick, lang, &[("n", &n)]), None, None, false);
                } else {
                    self.step = Step::Method;
                }
            }
            VMsg::Method(method) if matches!(self.step, Step::Method) => {
                self.step = match method {
                    PaymentMethod::Cash => Step::Cash { entry: String::new() },
                    method => Step::Reference { method, entry: String::new() },
                }
            }
            VMsg::Key(key) => match &mut self.step {
                Step::Cash { entry } => key.apply(entry, MAX_CASH_CHARS, true),
                Step::Reference { entry, .. } => key.apply(entry, MAX_REFERENCE_CHARS, false),
                _ => {}
            },
            VMsg::ConfirmPay => self.confirm(ctx, lang),
            VMsg::CancelPay if !matches!(self.step, Step::Done { .. }) => self.step = Step::Scan,
            VMsg::Clear if matches!(self.step, Step::Scan) => *self = Counter::new(ctx),
            VMsg::NextCustomer if matches!(self.step, Step::Done { .. }) => *self = Counter::new(ctx),
            VMsg::PickByHand if matches!(self.step, Step::Scan) => {
                self.step = Step::Pick { category: None, pager: Pager::new(PICK_PAGE) };
            }
            VMsg::PickCategory(id) => {
                if let Step::Pick { category, pager } = &mut self.step {
                    *category = Some(id);
                    *pager = Pager::new(PICK_PAGE);
                }
            }
            VMsg::TurnPickPage(forward) => {
                if let Step::Pick { category: Some(id), pager } = &mut self.step {
                    *pager = pager.turned(forward, ctx.catalog.in_category(id).count());
                }
            }
            VMsg::PickProduct(id) => {
                if let Some(product) = ctx.catalog.product(&id) {
                    let i = match self.sale.add_goods(product) {
                        Added::New(i) | Added::More(i) | Added::Picked(i) | Added::Full(i) => i,
                    };
                    self.show_line(i);
                    self.notice = Some(Notice::Ok(tr(Msg::AddedScan, lang, &[("name", product.name.get(lang))])));
                }
                self.step = Step::Scan;
            }
            VMsg::ClosePick => self.step = Step::Scan,
            _ => {}
        }
    }

    /// Commits the sale and its payment in one transaction, then prints the receipt.
    fn confirm(&mut self, ctx: &Context, lang: Lang) {
        let total = self.sale.total();
        let (method, tendered, reference) = match &self.step {
            Step::Cash { entry } => match parse_yuan(entry) {
                Some(t) if t >= total => (PaymentMethod::Cash, Some(t), None),
                _ => return self.problem(Msg::NotEnoughCash.text(lang).into(), None, None, false),
            },
            Step::Reference { method, entry } if !entry.is_empty() => (*method, None, Some(entry.clone())),
            _ => return,
        };
        let config = &ctx.config;
        let sale = SaleToPay {
            order_id: self.sale.id,
            recalled: self.sale.recalled.is_some(),
            terminal: config.terminal_id.clone(),
            lang: self.sale.recalled.as_ref().map_or(lang, |o| o.lang),
            lines: self.sale.order_lines(),
        };
        let payment = NewPayment { id: (ctx.ids)(), method, tendered, reference };
        let (market, profile, tz) = (&ctx.catalog.market_name, &config.printer.profile(), &ctx.time_zone);
        let paid = ctx
            .store()
            .pay(sale, payment, (ctx.clock)(), |order, payment| sales_receipt(order, payment, market, profile, tz));
        match paid {
            Ok(paid) => {
                // The print worker prints the stored receipt; a printer problem shows in the banner.
                ctx.printer.wake();
                let print_error = None;
                self.notice = None;
                self.step = Step::Done { paid: Box::new(paid), print_error };
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

/// What the root does after a volunteer message.
pub enum Outcome {
    Stay,
    /// Back to the seniors' screens.
    Leave,
}

/// Handles a volunteer message on the current mode.
pub fn update(mode: &mut Mode, gate: &mut PinGate, ctx: &Context, msg: VMsg, lang: Lang) -> Outcome {
    match (mode, msg) {
        (_, VMsg::Exit | VMsg::PinCancel) => Outcome::Leave,
        (Mode::Pin(pin), VMsg::PinKey(key)) => {
            key.apply(&mut pin.entry, 8, false);
            Outcome::Stay
        }
        (mode @ Mode::Pin(_), VMsg::PinOk) => {
            let Mode::Pin(pin) = &mut *mode else { return Outcome::Stay };
            let entry = std::mem::take(&mut pin.entry);
            match gate.try_pin(&ctx.config.volunteer.pin_hash, &entry, Instant::now()) {
                PinOutcome::Accepted => *mode = Mode::Counter(Box::new(Counter::new(ctx))),
                PinOutcome::Wrong { left } => pin.status = Some(tr(Msg::PinWrong, lang, &[("n", &left.to_string())])),
                PinOutcome::Paused { left } => {
                    pin.status = Some(tr(Msg::PinPaused, lang, &[("s", &left.as_secs().max(1).to_string())]))
                }
            }
            Outcome::Stay
        }
        (Mode::Counter(counter), msg) => {
            counter.update(ctx, msg, lang);
            Outcome::Stay
        }
        _ => Outcome::Stay,
    }
}

/// A scan while in volunteer mode; a scan on the PIN screen is ignored.
pub fn scanned(mode: &mut Mode, ctx: &Context, line: Result<String, LineError>, lang: Lang) {
    if let Mode::Counter(counter) = mode {
        counter.scan(ctx, line, lang);
    }
}
