//! The volunteer's checkout counter: scanned lines with big −/+, the scan result in words, payment
//! on the numpad, the paid summary. It owns the sale being rung up; recalling a slip's order and
//! committing a payment are store work, which the root runs off the UI thread and answers with
//! `Recalled` / `Paid`.

use super::Context;
use crate::device::scanner::{LineError, ScannerLink};
use crate::store::StoreError;
use crate::store::leader::BuildingBatch;
use crate::store::payments::{Paid, SaleToPay};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{Pager, bold, label, numpad, pager, picture, price, tap, tap_maybe};
use iced::widget::{Column, Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::domain::checkout::{Added, RecallRefused, Sale, parse_yuan};
use warm_core::domain::order::OrderStatus;
use warm_core::domain::scan::{self, Scan, Weighed};
use warm_core::domain::{
    Catalog, Category, CategoryId, HouseholdId, Lang, Money, Order, PaymentMethod, ProductId, Text,
};
use warm_core::i18n::{HouseholdWords, LeaderWords, ManagerMsg, Msg, UpkeepWords, rejection, tr};
use warm_core::receipt::receipt::method_name;

/// The counter's fixed heights, px, at the reference size: every message has its room, so no
/// target moves when one comes or goes, and the list takes the rest.
const NOTICE_H: f32 = theme::TITLE * 1.3 + theme::BODY * 1.3 + 16.0;
const LINE_H: f32 = theme::BODY * 1.3 + 4.0 + theme::TARGET + 8.0;
const LIST_H: f32 = theme::REFERENCE_SIZE.height
    - 2.0 * theme::PAD
    - theme::TARGET
    - theme::GAP
    - NOTICE_H
    - theme::TARGET
    - 2.0 * theme::GAP;
const SUMMARY_H: f32 = theme::TOTAL * 1.3 + 2.0 * theme::BODY * 1.3;
/// Width of a line's price: ￥99999.99 in the price size.
const PRICE_W: f32 = 340.0;
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
    /// 清空: asks first.
    Clear,
    /// The answer to "清空这一单？".
    ClearConfirmed,
    ClearCancelled,
    NextCustomer,
    PickByHand,
    PickCategory(CategoryId),
    PickProduct(ProductId),
    TurnPickPage(bool),
    ClosePick,
    /// 中文 / English, for a volunteer who reads the other language.
    SwitchLanguage,
    Exit,
    /// A line from the scanner (serial or keyboard wedge).
    Scanned(Result<String, LineError>),
    /// The store's answer to `Action::Recall`.
    Recalled(Result<Option<Order>, StoreError>),
    /// The store's answer to `Action::RecallHousehold`: the home's orders waiting, oldest first.
    HouseholdRecalled(HouseholdId, Result<Vec<Uuid>, StoreError>),
    /// The store's answer to `Action::Pay`.
    Paid(Result<Box<Paid>, StoreError>),
    /// 楼长代订: building-leader mode (issue 10), when no sale is under way.
    OpenLeader,
    /// The store's answer to `Action::RecallBatch`: a building's household orders.
    BatchRecalled(Result<Option<BuildingBatch>, StoreError>),
    /// 收这一户: recall one household's order of the building, as its slip would.
    TakeHousehold(Uuid),
    TurnBuildingPage(bool),
    /// 整栋记账: every home of the building still to pay, billed to the building; asks first.
    AskBuildingAccount,
    BuildingAccountCancelled,
    BuildingAccountConfirmed,
    /// The store's answer to `Action::PayBuilding`: the orders paid and their sum.
    BuildingPaid(Result<(Vec<Uuid>, Money), StoreError>),
}

impl Message {
    /// A message a finger made (the others come from the scanner and the store).
    pub fn is_tap(&self) -> bool {
        !matches!(
            self,
            Message::Scanned(_)
                | Message::Recalled(_)
                | Message::HouseholdRecalled(..)
                | Message::Paid(_)
                | Message::BatchRecalled(_)
                | Message::BuildingPaid(_)
        )
    }
}

pub enum Action {
    None,
    SwitchLanguage,
    /// Back to the seniors' screens.
    Leave,
    /// Start a new sale (it needs a new id); a scan that arrived on the paid screen goes to it.
    NewSale(Option<Result<String, LineError>>),
    /// Read the order of a scanned slip.
    Recall(Uuid),
    /// Read every household order of a scanned picking list (issue 10).
    RecallBatch(Uuid),
    /// Find the orders waiting for a household whose card was scanned instead of a slip.
    RecallHousehold(HouseholdId),
    /// Pay every home of the building still to pay on account, billed to `account`, at once.
    PayBuilding {
        batch: Uuid,
        account: String,
    },
    /// Open building-leader mode.
    Leader,
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
    /// All went well, with a second line that matters more than the scanner's state (a household's
    /// other orders waiting).
    OkWith(String, String),
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
    Pick {
        category: Option<CategoryId>,
        pager: Pager,
    },
    Method,
    Cash {
        entry: String,
    },
    Reference {
        method: PaymentMethod,
        entry: String,
    },
    Done {
        paid: Box<Paid>,
        print_error: Option<String>,
    },
    /// "清空这一单？" before a sale is thrown away.
    AskClear,
    /// A building's household orders, from its picking list: each is taken and paid on its own.
    Building {
        batch: BuildingBatch,
        pager: Pager,
    },
    /// "N 户待付，共 ￥X，全部记在 7 号楼？" over the building's list.
    AskBuildingAccount {
        batch: BuildingBatch,
        pager: Pager,
    },
}

impl Step {
    /// Whether the sale's lines may be changed: not while it is being paid, nor once it is paid
    /// (the screen must agree with the stored payment).
    fn editable(&self) -> bool {
        matches!(self, Step::Scan | Step::Pick { .. })
    }

    fn name(&self) -> &'static str {
        match self {
            Step::Scan => "scan",
            Step::Pick { category: None, .. } => "pick",
            Step::Pick { category: Some(_), .. } => "pick-products",
            Step::Method => "method",
            Step::Cash { .. } => "cash",
            Step::Reference { .. } => "reference",
            Step::Done { .. } => "done",
            Step::AskClear => "ask-clear",
            Step::Building { .. } => "building",
            Step::AskBuildingAccount { .. } => "ask-building-account",
        }
    }
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
    /// A household card recalled the oldest of this many waiting orders: said with it.
    more_waiting: usize,
}

impl Counter {
    /// Which panel and pad are on show: when it changes, the root lets the screen settle.
    pub fn layout(&self) -> String {
        format!("counter:{}:{}", self.step.name(), self.sale.lines.len())
    }

    /// A new, empty sale; `id` becomes its order's id (UUIDv7, made by the root).
    pub fn new(id: Uuid) -> Counter {
        Counter {
            sale: Sale::new(id),
            pager: Pager::new(lines_page()),
            notice: None,
            rejections: 0,
            step: Step::Scan,
            paying: false,
            more_waiting: 0,
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
                tracing::info!("scanner sent an unreadable line: {e}");
                let detail = tr(Msg::RejectUnreadable, lang, &[("reason", &e.words(lang))]);
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
            Scan::Batch(id) => return Action::RecallBatch(id),
            Scan::Household(id) => return Action::RecallHousehold(id),
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
        let more_waiting = std::mem::take(&mut self.more_waiting);
        let order = match found {
            Ok(Some(order)) => order,
            Ok(None) => return self.problem(Msg::SlipUnknown.text(lang).into(), None, None, false),
            Err(e) => return self.problem(Msg::SlipUnknown.text(lang).into(), None, Some(e.to_string()), false),
        };
        let number = order.number.to_string();
        let with_number = |msg| tr(msg, lang, &[("number", &number)]);
        // Whose order it is, for the volunteer to confirm with the senior (issue 10).
        let household = order.household.as_ref().map(|h| tr(HouseholdWords::Household, lang, &[("id", h)]));
        match self.sale.recall(order) {
            Ok(()) => {
                self.pager = Pager::new(lines_page());
                let loaded = with_number(Msg::SlipLoaded);
                let loaded = match household {
                    Some(household) => format!("{loaded} · {household}"),
                    None => loaded,
                };
                self.notice = Some(match more_waiting {
                    0 => Notice::Ok(loaded),
                    n => Notice::OkWith(loaded, tr(HouseholdWords::MoreWaiting, lang, &[("n", &n.to_string())])),
                });
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

    /// The store's answer to a scanned picking list: the building's homes, to take one by one.
    fn batch_recalled(&mut self, found: Result<Option<BuildingBatch>, StoreError>, lang: Lang) {
        match found {
            Ok(Some(batch)) => {
                let args = [("building", batch.building.as_str()), ("n", &batch.households.len().to_string())];
                self.notice = Some(Notice::Ok(tr(LeaderWords::BatchTitle, lang, &args)));
                self.step = Step::Building { batch, pager: Pager::new(building_page()) };
            }
            Ok(None) => self.problem(LeaderWords::BatchUnknown.text(lang).into(), None, None, false),
            Err(e) => self.problem(LeaderWords::BatchUnknown.text(lang).into(), None, Some(e.to_string()), false),
        }
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        let len = self.sale.lines.len();
        match message {
            Message::Exit => return Action::Leave,
            Message::SwitchLanguage => return Action::SwitchLanguage,
            Message::Scanned(line) => return self.scan(ctx, line),
            Message::Recalled(found) => self.recalled(found, lang),
            Message::HouseholdRecalled(household, waiting) => match waiting {
                Ok(waiting) if !waiting.is_empty() => {
                    self.more_waiting = waiting.len() - 1;
                    return Action::Recall(waiting[0]);
                }
                Ok(_) => {
                    let words = tr(HouseholdWords::NothingWaiting, lang, &[("id", household.as_str())]);
                    self.problem(words, None, None, false);
                }
                Err(e) => self.problem(Msg::SlipUnknown.text(lang).into(), None, Some(e.to_string()), false),
            },
            Message::BatchRecalled(found) => self.batch_recalled(found, lang),
            Message::OpenLeader if matches!(self.step, Step::Scan) && self.sale.is_empty() => return Action::Leader,
            Message::TakeHousehold(id) if matches!(self.step, Step::Building { .. }) => {
                self.step = Step::Scan;
                return Action::Recall(id);
            }
            Message::AskBuildingAccount => {
                if let Step::Building { batch, pager } = &self.step
                    && to_pay(batch).0 > 0
                {
                    self.step = Step::AskBuildingAccount { batch: batch.clone(), pager: *pager };
                }
            }
            Message::BuildingAccountCancelled => {
                if let Step::AskBuildingAccount { batch, pager } = &self.step {
                    self.step = Step::Building { batch: batch.clone(), pager: *pager };
                }
            }
            Message::BuildingAccountConfirmed => {
                if let Step::AskBuildingAccount { batch, pager } = &self.step {
                    let account = building_account(batch, lang);
                    let id = batch.id;
                    // Back to the list at once: a second tap on 是 finds nothing to confirm.
                    self.step = Step::Building { batch: batch.clone(), pager: *pager };
                    return Action::PayBuilding { batch: id, account };
                }
            }
            Message::BuildingPaid(Ok((orders, amount))) => {
                if let Step::Building { batch, .. } = &mut self.step {
                    for h in batch.households.iter_mut().filter(|h| orders.contains(&h.order_id)) {
                        h.status = OrderStatus::Paid;
                    }
                    let account = building_account(batch, lang);
                    let args = [("n", orders.len().to_string()), ("amount", amount.to_string()), ("account", account)];
                    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    self.notice = Some(Notice::Ok(tr(LeaderWords::BuildingBilled, lang, &args)));
                }
            }
            Message::BuildingPaid(Err(e)) => {
                let detail = tr(Msg::PaymentFailed, lang, &[("reason", &e.to_string())]);
                self.problem(Msg::PaymentFailed.text(lang).replace("{reason}", ""), None, Some(detail), false);
            }
            Message::TurnBuildingPage(forward) => {
                if let Step::Building { batch, pager } = &mut self.step {
                    *pager = pager.turned(forward, batch.households.len());
                }
            }
            Message::Paid(paid) => self.paid(paid, lang),
            Message::ConfirmPay => return self.confirm(ctx),
            Message::Increase(_)
            | Message::Decrease(_)
            | Message::Remove(_)
            | Message::TogglePicked(_)
            | Message::PickAll
                if !self.step.editable() => {}
            // A hand-made change makes the last scan's words stale: they go.
            Message::Increase(i) => {
                self.sale.increase(i);
                self.notice = None;
            }
            Message::Decrease(i) => {
                self.sale.decrease(i);
                self.notice = None;
            }
            Message::Remove(i) => {
                self.sale.remove(i);
                self.notice = None;
            }
            Message::TogglePicked(i) => {
                self.sale.toggle_picked(i);
                self.notice = None;
            }
            Message::PickAll => {
                self.sale.pick_all();
                self.notice = None;
            }
            Message::TurnPage(forward) => self.pager = self.pager.turned(forward, len),
            Message::Pay if self.step.editable() => {
                if self.sale.is_empty() {
                    self.problem(Msg::NothingToPay.text(lang).into(), None, None, false);
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
                    // On account: billed to the household the senior said, unless the volunteer
                    // types another (issue 10).
                    PaymentMethod::OnAccount => Step::Reference {
                        method,
                        entry: self.sale.recalled.as_ref().and_then(|o| o.household.clone()).unwrap_or_default(),
                    },
                    method => Step::Reference { method, entry: String::new() },
                }
            }
            Message::Key(key) => match &mut self.step {
                Step::Cash { entry } => key.apply(entry, MAX_CASH_CHARS, true),
                Step::Reference { entry, .. } => key.apply(entry, MAX_REFERENCE_CHARS, false),
                _ => {}
            },
            Message::CancelPay if !matches!(self.step, Step::Done { .. }) => self.step = Step::Scan,
            Message::Clear if matches!(self.step, Step::Scan | Step::Pick { .. }) && self.sale.is_empty() => {
                self.step = Step::Scan;
            }
            Message::Clear if matches!(self.step, Step::Scan | Step::Pick { .. }) => self.step = Step::AskClear,
            Message::ClearConfirmed if matches!(self.step, Step::AskClear) => return Action::NewSale(None),
            Message::ClearCancelled if matches!(self.step, Step::AskClear) => self.step = Step::Scan,
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
            Message::TurnPickPage(forward) => match &mut self.step {
                Step::Pick { category: Some(id), pager } => {
                    *pager = pager.turned(forward, ctx.catalog.in_category(id).count())
                }
                Step::Pick { category: None, pager } => {
                    *pager = pager.turned(forward, pick_categories(ctx.catalog).len())
                }
                _ => {}
            },
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
            Step::Reference { method, .. } => {
                let missing =
                    if *method == PaymentMethod::OnAccount { Msg::AccountMissing } else { Msg::ReferenceMissing };
                self.problem(missing.text(lang).into(), None, None, false);
                return Action::None;
            }
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

/// The notice's second line: a disk filling up takes the scanner's line (its room is always
/// there, so nothing moves, and it is what needs a person; orders are still taken meanwhile).
fn second_line(ctx: Context<'_>, scanner: Option<&ScannerLink>, lang: Lang) -> String {
    match ctx.disk_low {
        Some(free) => tr(UpkeepWords::DiskLowBanner, lang, &[("free", &free.to_string())]),
        None => scanner_line(scanner, lang),
    }
}

impl Counter {
    /// `scanner`: the serial scanner's link, when one is configured; `sync`: the sync corner.
    pub fn view<'a>(
        &'a self,
        ctx: Context<'a>,
        scanner: Option<&ScannerLink>,
        sync: Element<'a, Message>,
    ) -> Element<'a, Message> {
        counter_view(self, ctx, scanner, sync)
    }
}

fn counter_view<'a>(
    c: &'a Counter,
    ctx: Context<'a>,
    scanner: Option<&ScannerLink>,
    sync: Element<'a, Message>,
) -> Element<'a, Message> {
    let lang = ctx.lang;
    // A kiosk still on the shipped PINs says so on every volunteer screen, where the volunteer
    // who can change it looks (the manager's screens say it too).
    let demo = ctx.config.demo_pins().then(|| {
        container(bold(ManagerMsg::DemoPin.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning)
    });
    let top = row![
        // Only the counter's name: its row also holds the sync state, the demo-PIN warning and
        // two buttons, in English too.
        bold(Msg::CheckoutTitle.text(lang), theme::TITLE),
        sync,
        space::horizontal(),
    ]
    .push(demo)
    .push(tap(
        label(Msg::SwitchLanguage.text(lang), theme::BUTTON),
        Message::SwitchLanguage,
        Tap::Secondary,
        160,
        theme::TARGET,
    ))
    .push(tap(label(Msg::ExitVolunteer.text(lang), theme::BUTTON), Message::Exit, Tap::Secondary, 180, theme::TARGET))
    .spacing(theme::PAD)
    .align_y(Alignment::Center)
    .height(theme::TARGET);

    let left: Element<'a, Message> = match &c.step {
        Step::Pick { category, pager } => pick_view(ctx, category.as_ref(), *pager),
        Step::Building { batch, pager } | Step::AskBuildingAccount { batch, pager } => {
            column![notice_view(c, lang, second_line(ctx, scanner, lang)), building_view(batch, *pager, lang)]
                .spacing(theme::GAP)
                .into()
        }
        _ => column![notice_view(c, lang, second_line(ctx, scanner, lang)), lines_view(c, lang)]
            .spacing(theme::GAP)
            .into(),
    };
    let body = row![container(left).width(Length::Fill).height(Length::Fill), panel_view(c, lang)].spacing(theme::PAD);
    column![top, body].spacing(theme::GAP).into()
}

/// Sale lines per page: as many as fit the list's room.
pub fn lines_page() -> usize {
    Pager::fitting(LIST_H, LINE_H, theme::GAP)
}

/// The homes of a building still to pay, and their sum.
fn to_pay(batch: &BuildingBatch) -> (usize, Money) {
    let open: Vec<_> = batch.households.iter().filter(|h| h.status == OrderStatus::Placed).collect();
    (open.len(), open.iter().map(|h| h.total).sum())
}

/// The account a building's homes are billed to together.
fn building_account(batch: &BuildingBatch, lang: Lang) -> String {
    tr(LeaderWords::BuildingAccount, lang, &[("building", &batch.building)])
}

/// A building's homes per page.
fn building_page() -> usize {
    Pager::fitting(LIST_H, theme::TARGET + 8.0, theme::GAP)
}

/// The homes of a recalled building: each with its order number, amount and whether it is paid;
/// 收这一户 loads a home's order as its slip would, to tick and take payment.
fn building_view<'a>(batch: &'a BuildingBatch, page: Pager, lang: Lang) -> Element<'a, Message> {
    let mut list = Column::new().spacing(theme::GAP);
    for h in &batch.households[page.range(batch.households.len())] {
        let (status, open) = match h.status {
            OrderStatus::Placed => (LeaderWords::HouseholdWaiting, true),
            OrderStatus::Paid => (LeaderWords::HouseholdPaid, false),
            OrderStatus::Cancelled => (LeaderWords::HouseholdCancelled, false),
        };
        let line = row![
            bold(h.household.clone(), theme::TITLE).width(240),
            label(h.number.clone(), theme::BODY).width(180),
            price(h.total, theme::PRICE).width(260).align_x(Alignment::End),
            bold(status.text(lang), theme::BODY).width(120).center(),
            space::horizontal(),
            tap_maybe(
                bold(LeaderWords::TakeHousehold.text(lang), theme::BODY),
                open.then_some(Message::TakeHousehold(h.order_id)),
                Tap::Primary,
                220,
                theme::TARGET
            ),
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center);
        list = list.push(container(line).padding([4.0, theme::GAP]).height(theme::TARGET + 8.0).style(theme::panel));
    }
    column![container(list).height(LIST_H)]
        .push(pager(page, batch.households.len(), lang, Message::TurnBuildingPage))
        .spacing(theme::GAP)
        .into()
}

/// The scan's answer, or what to do and how the scanner is; `scanner`: the scanner's state in words.
fn notice_view<'a>(c: &'a Counter, lang: Lang, scanner: String) -> Element<'a, Message> {
    let slot = |content: Element<'a, Message>| container(content).padding(8).width(Length::Fill).height(NOTICE_H);
    match &c.notice {
        None => slot(column![label(Msg::ScanHint.text(lang), theme::TITLE), label(scanner, theme::BODY)].into())
            .align_y(Alignment::Center)
            .into(),
        Some(Notice::Ok(text)) => slot(column![bold(text.clone(), theme::TITLE), label(scanner, theme::BODY)].into())
            .align_y(Alignment::Center)
            .style(theme::badge)
            .into(),
        Some(Notice::OkWith(text, below)) => {
            slot(column![bold(text.clone(), theme::TITLE), bold(below.clone(), theme::BODY)].into())
                .align_y(Alignment::Center)
                .style(theme::badge)
                .into()
        }
        Some(Notice::Problem { title, code, detail, offer_pick }) => {
            // Title on one line, the code and the reason on the next: the room is fixed.
            let more = Row::new()
                .push(code.as_ref().map(|c| bold(c.clone(), theme::BODY)))
                .push(detail.as_ref().map(|d| label(d.clone(), theme::BODY)))
                .spacing(theme::GAP);
            let words = column![bold(title.clone(), theme::TITLE), more].width(Length::Fill);
            let mut content = Row::new().push(words).spacing(theme::PAD).align_y(Alignment::Center);
            if *offer_pick {
                content = content.push(tap(
                    bold(Msg::PickByHand.text(lang), theme::BUTTON),
                    Message::PickByHand,
                    Tap::Primary,
                    420,
                    theme::TARGET,
                ));
            }
            // The banner alternates between two borders with each rejection: a visible flash
            // on top of the words, never colour alone.
            let style = if c.rejections.is_multiple_of(2) { theme::warning } else { theme::warning_flash };
            slot(content.into()).clip(true).style(style).into()
        }
    }
}

/// Each line on two rows: what it is, then its buttons and its price, so a long name, ×99 and
/// ￥99999.99 never run into each other. Its buttons are switched off while the sale is being
/// paid or once it is paid: the screen must agree with the stored payment.
fn lines_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a, Message> {
    let lines = &c.sale.lines;
    let editable = c.step.editable();
    let mut list = Column::new().spacing(theme::GAP);
    if lines.is_empty() {
        list = list.push(label(Msg::CounterEmpty.text(lang), theme::BODY));
    }
    let button = |content: Element<'a, Message>, msg: Message, kind: Tap, width: f32| {
        tap_maybe(content, editable.then_some(msg), kind, width, theme::TARGET)
    };
    for i in c.pager.range(lines.len()) {
        let l = &lines[i];
        let picked = if l.picked {
            button(bold(Msg::Picked.text(lang), theme::BODY).into(), Message::TogglePicked(i), Tap::Primary, 210.0)
        } else {
            button(
                label(Msg::NotPicked.text(lang), theme::BODY).into(),
                Message::TogglePicked(i),
                Tap::Secondary,
                210.0,
            )
        };
        // A weighed line has no +: its place stays empty so the buttons below line up.
        let increase = if l.weighed {
            space::horizontal().width(theme::TARGET).into()
        } else {
            button(bold("+", theme::TITLE).into(), Message::Increase(i), Tap::Secondary, theme::TARGET)
        };
        let what = row![bold(l.line.name.get(lang), theme::BODY), label(l.line.spec.get(lang), theme::BODY)]
            .spacing(theme::GAP)
            .height(theme::BODY * 1.3)
            .clip(true);
        let controls = row![
            button(bold("−", theme::TITLE).into(), Message::Decrease(i), Tap::Secondary, theme::TARGET),
            bold(format!("×{}", l.line.qty), theme::TITLE).width(120).center(),
            increase,
            button(label(Msg::Remove.text(lang), theme::BODY).into(), Message::Remove(i), Tap::Secondary, 150.0),
            picked,
            space::horizontal(),
            price(l.line.total(), theme::PRICE).width(PRICE_W).align_x(Alignment::End),
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center);
        list = list.push(
            container(column![what, controls].spacing(4)).padding([4.0, theme::GAP]).height(LINE_H).style(theme::panel),
        );
    }
    column![container(list).height(LIST_H)]
        .push(pager(c.pager, lines.len(), lang, Message::TurnPage))
        .spacing(theme::GAP)
        .into()
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
    )
    .height(SUMMARY_H);
    let big = |content: Element<'a, Message>, msg: Message, kind: Tap| {
        tap(content, msg, kind, Length::Fill, theme::BIG_TARGET)
    };
    // Scanning: three buttons in fixed places. One switched off keeps its place (greyed), so
    // 清空 never slides into the place 全部已拣 held a moment ago.
    let slot = |content: Element<'a, Message>, msg: Option<Message>, kind: Tap| {
        tap_maybe(content, msg, kind, Length::Fill, theme::BIG_TARGET)
    };
    let actions: Element<'a, Message> = match &c.step {
        // A building's list: 整栋记账 where 全部已拣 stands (no sale is under way here).
        Step::Building { batch, .. } => column![
            slot(bold(Msg::Pay.text(lang), theme::TOTAL).into(), None, Tap::Primary),
            slot(
                label(LeaderWords::PayBuilding.text(lang), theme::BUTTON).into(),
                (to_pay(batch).0 > 0).then_some(Message::AskBuildingAccount),
                Tap::Secondary
            ),
            slot(label(Msg::ClearCounter.text(lang), theme::BUTTON).into(), None, Tap::Secondary),
            slot(label(LeaderWords::Open.text(lang), theme::BUTTON).into(), None, Tap::Secondary),
        ]
        .spacing(theme::GAP)
        .into(),
        // As "清空这一单？": 不，返回 where 整栋记账 was, nothing where the next button was, 是 below.
        Step::AskBuildingAccount { batch, .. } => {
            let (n, amount) = to_pay(batch);
            let args = [("n", n.to_string()), ("account", building_account(batch, lang))];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            column![
                container(bold(tr(LeaderWords::BuildingAccountQuestion, lang, &args), theme::BODY))
                    .height(theme::BIG_TARGET)
                    .center_y(theme::BIG_TARGET),
                big(
                    bold(LeaderWords::BuildingAccountNo.text(lang), theme::TITLE).into(),
                    Message::BuildingAccountCancelled,
                    Tap::Primary
                ),
                // The sum where nothing can be tapped: a second tap on 整栋记账's place finds 不，返回.
                container(
                    row![bold(Msg::Total.text(lang), theme::TITLE), space::horizontal(), price(amount, theme::TOTAL)]
                        .align_y(Alignment::Center)
                )
                .height(theme::BIG_TARGET)
                .center_y(theme::BIG_TARGET),
                big(
                    label(LeaderWords::BuildingAccountYes.text(lang), theme::BUTTON).into(),
                    Message::BuildingAccountConfirmed,
                    Tap::Secondary
                ),
            ]
            .spacing(theme::GAP)
            .into()
        }
        Step::Scan | Step::Pick { .. } => column![
            slot(bold(Msg::Pay.text(lang), theme::TOTAL).into(), Some(Message::Pay), Tap::Primary),
            slot(
                label(Msg::PickAll.text(lang), theme::BUTTON).into(),
                (sale.unpicked() > 0).then_some(Message::PickAll),
                Tap::Secondary
            ),
            slot(
                label(Msg::ClearCounter.text(lang), theme::BUTTON).into(),
                (!sale.is_empty()).then_some(Message::Clear),
                Tap::Secondary
            ),
            // Only with no sale under way: a building's orders never mix with a sale.
            slot(
                label(LeaderWords::Open.text(lang), theme::BUTTON).into(),
                (matches!(c.step, Step::Scan) && sale.is_empty()).then_some(Message::OpenLeader),
                Tap::Secondary
            ),
        ]
        .spacing(theme::GAP)
        .into(),
        // "清空这一单？": 不，保留 where 全部已拣 was, nothing where 清空 was (a second tap on
        // 清空 lands on nothing), 是，清空 below that.
        Step::AskClear => column![
            container(bold(Msg::ClearQuestion.text(lang), theme::TITLE))
                .height(theme::BIG_TARGET)
                .center_y(theme::BIG_TARGET),
            big(bold(Msg::ClearNo.text(lang), theme::TITLE).into(), Message::ClearCancelled, Tap::Primary),
            space::vertical().height(theme::BIG_TARGET),
            big(label(Msg::ClearYes.text(lang), theme::BUTTON).into(), Message::ClearConfirmed, Tap::Secondary),
        ]
        .spacing(theme::GAP)
        .into(),
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
                None => Element::from(space::vertical()),
            };
            entry_panel(lang, Msg::EnterTendered.text(lang), entry, true, change, Msg::ConfirmPayment)
        }
        Step::Reference { method, entry } => {
            // On account nothing is paid now: the words say it is billed, not received.
            let (prompt, confirm) = if *method == PaymentMethod::OnAccount {
                (Msg::EnterAccount, Msg::ConfirmOnAccount)
            } else {
                (Msg::EnterReference, Msg::ConfirmPayment)
            };
            let heading = bold(method_name(*method).text(lang).to_owned(), theme::TITLE).into();
            entry_panel(lang, prompt.text(lang), entry, false, heading, confirm)
        }
        Step::Done { paid, print_error } => {
            let p = &paid.payment;
            let on_account = p.method == PaymentMethod::OnAccount;
            let title = if on_account { Msg::OnAccountTitle } else { Msg::PaidTitle };
            let method = method_name(p.method).text(lang);
            let mut col = Column::new()
                .spacing(theme::GAP)
                .push(bold(title.text(lang), theme::TOTAL))
                .push(bold(format!("{} {}", Msg::ReceiptNumber.text(lang), paid.order.number), theme::TITLE))
                .push(row![
                    label(tr(Msg::AmountDue, lang, &[("method", method)]), theme::TITLE),
                    space::horizontal(),
                    price(p.amount, theme::PRICE)
                ]);
            if let (true, Some(account)) = (on_account, &p.reference) {
                col = col.push(bold(tr(Msg::BilledTo, lang, &[("account", account)]), theme::BODY));
            }
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

/// An entry shown big above the numpad, with `confirm` (确认收款, 确认记账) / 取消 beside it. `extra`
/// (the change due, "not enough cash", the method) has a fixed room above, so the pad never
/// moves as it changes.
fn entry_panel<'a>(
    lang: Lang,
    prompt: &str,
    entry: &str,
    dot: bool,
    extra: Element<'a, Message>,
    confirm: Msg,
) -> Element<'a, Message> {
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    let buttons = column![
        tap(bold(confirm.text(lang), theme::BUTTON), Message::ConfirmPay, Tap::Primary, 220, 232),
        tap(label(Msg::Cancel.text(lang), theme::BUTTON), Message::CancelPay, Tap::Secondary, 220, theme::BIG_TARGET),
    ]
    .spacing(theme::GAP);
    column![
        container(extra).height(theme::TOTAL * 1.3).center_y(theme::TOTAL * 1.3),
        row![label(prompt.to_owned(), theme::BODY), space::horizontal(), bold(shown, theme::TOTAL)]
            .align_y(Alignment::Center)
            .height(theme::TOTAL * 1.3),
        row![numpad(lang, dot, true, Message::Key), buttons].spacing(theme::GAP),
    ]
    .spacing(theme::GAP)
    .into()
}

/// The categories a volunteer picks goods from: those holding products of their own (a category
/// made only of sub-categories has none to pick), in catalog order, a page at a time.
pub fn pick_categories(catalog: &Catalog) -> Vec<&Category> {
    catalog.categories.iter().filter(|c| catalog.in_category(&c.id).next().is_some()).collect()
}

fn pick_view<'a>(ctx: Context<'a>, category: Option<&'a CategoryId>, page: Pager) -> Element<'a, Message> {
    let (lang, catalog) = (ctx.lang, ctx.catalog);
    let tile = |content: Element<'a, Message>, msg: Message| tap(content, msg, Tap::Tile, Length::Fill, 300);
    let mut grid = Column::new().spacing(theme::GAP);
    match category {
        None => {
            let categories = pick_categories(catalog);
            for chunk in categories[page.range(categories.len())].chunks(3) {
                grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|cat| {
                    let name = cat.name.get(lang);
                    let content =
                        column![picture(ctx.pictures, &cat.picture, name, 160.0, lang), bold(name, theme::TITLE)]
                            .align_x(Alignment::Center)
                            .into();
                    tile(content, Message::PickCategory(cat.id.clone()))
                })));
            }
            grid = grid.push(pager(page, categories.len(), lang, Message::TurnPickPage));
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
    let header = row![
        bold(Msg::PickByHand.text(lang), theme::TITLE),
        space::horizontal(),
        tap(label(Msg::Cancel.text(lang), theme::BUTTON), Message::ClosePick, Tap::Secondary, 220, theme::TARGET),
    ]
    .align_y(Alignment::Center);
    column![header, grid].spacing(theme::GAP).into()
}
