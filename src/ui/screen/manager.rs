//! The site manager's mode (暖当家): its own PIN (6–8 digits), a menu, and one screen per job —
//! stock, receiving the van, the stock count, spoilage, restock requests, cash in and out, the X
//! report and the guided settlement (日结). Like every screen it owns its state and does no I/O:
//! loading and saving are `Action`s the root runs off the UI thread, and their answers come back
//! as `Loaded` / `Done`. Work in progress (a delivery being checked, a count, the settlement) is
//! saved as a draft at every step, so a crash or a lock resumes where it stopped.

use super::Context;
use super::{manager_cash as cash, manager_count as count, manager_receive as receive};
use super::{manager_restock as restock, manager_settle as settle, manager_stock as stock};
use crate::device::scanner::LineError;
use crate::doctor::Finding;
use crate::store::StoreError;
use crate::store::day::Closing;
use crate::store::stock::{NewMovement, StockLevel, Suggestion};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad, tap};
use iced::widget::{Column, Row, center, column, container, row, space};
use iced::{Alignment, Element, Length};
use std::collections::HashMap;
use uuid::Uuid;
use warm_core::api::manager::{CashKind, DispatchNote, Received, RestockRequest};
use warm_core::domain::day::DayReport;
use warm_core::domain::pin::PinOutcome;
use warm_core::domain::{Lang, ProductId};
use warm_core::i18n::{ManagerMsg as M, Msg, UpkeepWords, tr};

/// The longest PIN the pad takes.
const MAX_DIGITS: usize = 8;

/// Where the menu leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Stock,
    Receive,
    Count,
    Restock,
    Spoil,
    Cash,
    Settle,
}

#[derive(Debug, Clone)]
pub enum Message {
    PinKey(Key),
    PinOk,
    /// The root's answer to `Action::CheckPin`.
    PinChecked(Result<PinOutcome, StoreError>),
    Open(Area),
    PrintX,
    /// ← 返回: back to the menu.
    Menu,
    /// 退出: back to the seniors' screens.
    Leave,
    /// 退出收银机: the kiosk ends (kiosk mode's way out besides the volunteer's Ctrl+Alt+Q).
    Quit,
    /// 自检: `warm-kiosk doctor`'s checks, on this screen.
    SelfCheck,
    /// The root's answer to `Action::SelfCheck`.
    Examined(Result<Vec<Finding>, StoreError>),
    Stock(stock::Message),
    Spoil(stock::SpoilMessage),
    Receive(receive::Message),
    Count(count::Message),
    Restock(restock::Message),
    Cash(cash::Message),
    Settle(settle::Message),
    /// A line from the scanner: goods being received.
    Scanned(Result<String, LineError>),
    /// The root's answer to `Action::Load`.
    Loaded(Result<Box<Loaded>, StoreError>),
    /// The root's answer to `Action::Run`.
    Done(Result<Box<Done>, StoreError>),
}

impl Message {
    /// A message a finger made by tapping a target (what the store or the scanner sends back
    /// is not, and is never held back by the root's settling of a changed screen).
    pub fn is_tap(&self) -> bool {
        !matches!(
            self,
            Message::PinChecked(_) | Message::Loaded(_) | Message::Done(_) | Message::Scanned(_) | Message::Examined(_)
        )
    }
}

/// What the root is asked to do.
#[derive(Debug, Clone)]
pub enum Action {
    None,
    Leave,
    /// End the kiosk.
    Quit,
    /// Run the doctor's checks off the UI thread (the hub may take seconds to answer).
    SelfCheck,
    /// Check the manager's PIN off the UI thread, counting wrong tries in the store's gate.
    CheckPin(String),
    Load(Want),
    Run(Work),
}

/// What a screen needs read from the store before it can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    Stock,
    Notes,
    Count,
    Restock,
    Settle,
}

/// What the store gave back for a `Want`.
#[derive(Debug, Clone)]
pub enum Loaded {
    Stock(HashMap<ProductId, StockLevel>),
    /// Dispatch notes waiting, each with the draft of a delivery already being checked.
    Notes(Vec<(DispatchNote, Option<Received>)>, Option<Received>),
    Count(HashMap<ProductId, StockLevel>, Option<count::Draft>),
    Restock(Vec<Suggestion>),
    /// The settlement: the draft to resume (or a new one), the figures so far and the day's
    /// fastest sellers with the ledger's figure.
    Settle {
        closing: Closing,
        preview: Box<DayReport>,
        movers: Vec<(ProductId, i64, i64)>,
    },
    /// Today is closed already: its Z report (what comes later belongs to the next day).
    ClosedToday(Box<DayReport>),
}

/// A write for the root to run.
#[derive(Debug, Clone)]
pub enum Work {
    Movements(Vec<NewMovement>),
    Receive(Received),
    Count {
        id: Uuid,
        counted: Vec<(ProductId, i64)>,
    },
    Restock(RestockRequest),
    Cash {
        id: Uuid,
        kind: CashKind,
        amount: warm_core::domain::Money,
        reason: String,
    },
    /// Keep work in progress (JSON) under a draft key.
    Draft {
        key: String,
        value: serde_json::Value,
    },
    /// Keep the settlement's draft and compute its figures again.
    Closing(Closing),
    Close(Closing),
    PrintX,
}

/// What a `Work` did.
#[derive(Debug, Clone)]
pub enum Done {
    /// Saved: say so (a draft says nothing).
    Saved(Option<M>),
    Preview(Box<DayReport>),
    Closed(Box<DayReport>),
}

pub enum Step {
    Pin {
        entry: String,
        outcome: Option<PinOutcome>,
        checking: bool,
    },
    Menu,
    Stock(stock::Stock),
    Spoil(stock::Spoil),
    Receive(Box<receive::Receive>),
    Count(count::Count),
    Restock(restock::Restock),
    Cash(cash::Cash),
    Settle(Box<settle::Settle>),
    /// The doctor's findings, one line each (`None`: still checking).
    SelfCheck(Option<Result<Vec<Finding>, StoreError>>),
}

/// A line under the title: what the last action did, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Ok(String),
    Problem(String),
}

pub struct Manager {
    pub step: Step,
    pub notice: Option<Notice>,
    /// A write is on its way: the buttons that would start another do nothing until it is back.
    busy: bool,
    /// The screen to show again after the PIN when the mode locked itself.
    resume: Option<Box<Step>>,
}

impl Default for Manager {
    fn default() -> Self {
        Manager::new()
    }
}

impl Manager {
    /// The manager's PIN pad.
    pub fn new() -> Manager {
        Manager { step: pin_step(), notice: None, busy: false, resume: None }
    }

    /// Locks the mode: the PIN again, then back to the same screen (its work is in the store).
    pub fn lock(&mut self) {
        if matches!(self.step, Step::Pin { .. }) {
            return;
        }
        let step = std::mem::replace(&mut self.step, pin_step());
        self.resume = Some(Box::new(step));
        self.notice = Some(Notice::Problem(String::new()));
        self.busy = false;
    }

    /// What a finger sees where: when this changes, the root lets the screen settle before it
    /// takes taps again.
    pub fn layout(&self) -> String {
        let step = match &self.step {
            Step::Pin { .. } => "pin".to_owned(),
            Step::Menu => "menu".to_owned(),
            Step::Stock(_) => "stock".to_owned(),
            Step::Spoil(_) => "spoil".to_owned(),
            Step::Receive(r) => format!("receive:{}", r.stage_name()),
            Step::Count(_) => "count".to_owned(),
            Step::Restock(_) => "restock".to_owned(),
            Step::Cash(_) => "cash".to_owned(),
            Step::Settle(s) => format!("settle:{}", s.stage_name()),
            Step::SelfCheck(None) => "self-check".to_owned(),
            Step::SelfCheck(Some(_)) => "self-check:done".to_owned(),
        };
        format!("manager:{step}")
    }

    pub fn locked(&self) -> bool {
        matches!(self.step, Step::Pin { .. })
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        match message {
            Message::Leave => return Action::Leave,
            Message::Quit if matches!(self.step, Step::Menu) => return Action::Quit,
            Message::Quit => {}
            Message::SelfCheck if matches!(self.step, Step::Menu) && !self.busy => {
                self.step = Step::SelfCheck(None);
                return Action::SelfCheck;
            }
            Message::SelfCheck => {}
            Message::Examined(found) => {
                if let Step::SelfCheck(findings) = &mut self.step {
                    *findings = Some(found);
                }
            }
            Message::PinKey(key) => {
                if let Step::Pin { entry, .. } = &mut self.step {
                    key.apply(entry, MAX_DIGITS, false);
                }
            }
            Message::PinOk => {
                if let Step::Pin { entry, checking, .. } = &mut self.step
                    && !*checking
                {
                    *checking = true;
                    return Action::CheckPin(std::mem::take(entry));
                }
            }
            Message::PinChecked(result) => return self.pin_checked(result, lang),
            Message::Menu => {
                if !self.busy && !self.locked() {
                    self.step = Step::Menu;
                }
            }
            Message::Open(area) if matches!(self.step, Step::Menu) && !self.busy => return self.open(area, ctx),
            Message::Open(_) => {}
            Message::PrintX if matches!(self.step, Step::Menu) && !self.busy => {
                self.busy = true;
                self.notice = Some(Notice::Ok(M::Working.text(lang).into()));
                return Action::Run(Work::PrintX);
            }
            Message::PrintX => {}
            Message::Loaded(loaded) => self.loaded(loaded, ctx),
            Message::Done(done) => return self.done(done, ctx),
            Message::Scanned(line) => {
                let Step::Receive(r) = &mut self.step else { return Action::None };
                let action = r.scanned(line, ctx);
                return self.receive_action(action);
            }
            Message::Spoil(msg) => {
                let Step::Spoil(s) = &mut self.step else { return Action::None };
                match s.update(msg) {
                    stock::SpoilAction::None => {}
                    stock::SpoilAction::Back => {
                        self.step = Step::Stock(stock::Stock::loading());
                        return Action::Load(Want::Stock);
                    }
                    stock::SpoilAction::Save(movement) => return self.run(Work::Movements(vec![movement])),
                }
            }
            Message::Stock(msg) => {
                let Step::Stock(s) = &mut self.step else { return Action::None };
                match s.update(msg, ctx) {
                    stock::Action::None => {}
                    stock::Action::Spoil(product) => self.step = Step::Spoil(stock::Spoil::new(product)),
                }
            }
            Message::Receive(msg) => {
                let Step::Receive(r) = &mut self.step else { return Action::None };
                let action = r.update(msg, ctx);
                return self.receive_action(action);
            }
            Message::Count(msg) => {
                let Step::Count(c) = &mut self.step else { return Action::None };
                let action = c.update(msg, ctx);
                return self.count_action(action);
            }
            Message::Restock(msg) => {
                let Step::Restock(r) = &mut self.step else { return Action::None };
                match r.update(msg, ctx) {
                    restock::Action::None => {}
                    restock::Action::Nothing => self.notice = Some(Notice::Ok(M::NothingToAsk.text(lang).into())),
                    restock::Action::Send(request) => return self.run(Work::Restock(request)),
                }
            }
            Message::Cash(msg) => {
                let Step::Cash(c) = &mut self.step else { return Action::None };
                match c.update(msg) {
                    cash::Action::None => {}
                    cash::Action::Save { id, kind, amount, reason } => {
                        return self.run(Work::Cash { id, kind, amount, reason });
                    }
                }
            }
            Message::Settle(msg) => {
                let Step::Settle(s) = &mut self.step else { return Action::None };
                match s.update(msg, ctx) {
                    settle::Action::None => {}
                    settle::Action::Keep(closing) => return Action::Run(Work::Closing(closing)),
                    settle::Action::Close(closing) => return self.run(Work::Close(closing)),
                }
            }
        }
        Action::None
    }

    fn receive_action(&mut self, action: receive::Action) -> Action {
        match action {
            receive::Action::None => Action::None,
            receive::Action::Keep(key, value) => Action::Run(Work::Draft { key, value }),
            receive::Action::Confirm(delivery) => self.run(Work::Receive(delivery)),
        }
    }

    fn count_action(&mut self, action: count::Action) -> Action {
        match action {
            count::Action::None => Action::None,
            count::Action::Keep(value) => {
                Action::Run(Work::Draft { key: crate::store::stock::COUNT_DRAFT.into(), value })
            }
            count::Action::Finish { id, counted } => self.run(Work::Count { id, counted }),
        }
    }

    /// A write that the screen waits for.
    fn run(&mut self, work: Work) -> Action {
        if self.busy {
            return Action::None;
        }
        self.busy = true;
        Action::Run(work)
    }

    fn pin_checked(&mut self, result: Result<PinOutcome, StoreError>, lang: Lang) -> Action {
        let Step::Pin { outcome, checking, .. } = &mut self.step else { return Action::None };
        *checking = false;
        match result {
            Ok(PinOutcome::Accepted) => {
                self.step = self.resume.take().map_or(Step::Menu, |s| *s);
                self.notice = None;
            }
            Ok(refused) => *outcome = Some(refused),
            Err(e) => self.notice = Some(Notice::Problem(tr(M::Failed, lang, &[("reason", &e.to_string())]))),
        }
        Action::None
    }

    fn open(&mut self, area: Area, ctx: Context<'_>) -> Action {
        self.notice = None;
        match area {
            Area::Stock => {
                self.step = Step::Stock(stock::Stock::loading());
                Action::Load(Want::Stock)
            }
            Area::Spoil => {
                self.step = Step::Stock(stock::Stock::loading());
                Action::Load(Want::Stock)
            }
            Area::Receive => {
                self.step = Step::Receive(Box::default());
                Action::Load(Want::Notes)
            }
            Area::Count => {
                self.step = Step::Count(count::Count::new(Uuid::now_v7(), ctx.catalog));
                Action::Load(Want::Count)
            }
            Area::Restock => {
                self.step = Step::Restock(restock::Restock::new(Uuid::now_v7(), ctx.config.manager.restock_cycle_days));
                Action::Load(Want::Restock)
            }
            Area::Cash => {
                self.step = Step::Cash(cash::Cash::new(Uuid::now_v7()));
                Action::None
            }
            Area::Settle => {
                self.step = Step::Settle(Box::new(settle::Settle::loading()));
                Action::Load(Want::Settle)
            }
        }
    }

    fn loaded(&mut self, loaded: Result<Box<Loaded>, StoreError>, ctx: Context<'_>) {
        let lang = ctx.lang;
        let loaded = match loaded {
            Ok(l) => *l,
            Err(e) => {
                self.notice = Some(Notice::Problem(tr(M::Failed, lang, &[("reason", &e.to_string())])));
                return;
            }
        };
        match (&mut self.step, loaded) {
            (Step::Stock(s), Loaded::Stock(levels)) => s.loaded(levels),
            (Step::Receive(r), Loaded::Notes(notes, loose)) => r.loaded(notes, loose),
            (Step::Count(c), Loaded::Count(levels, draft)) => c.loaded(levels, draft),
            (Step::Restock(r), Loaded::Restock(lines)) => r.loaded(lines),
            (Step::Settle(s), Loaded::Settle { closing, preview, movers }) => s.loaded(closing, *preview, movers, ctx),
            (Step::Settle(s), Loaded::ClosedToday(report)) => s.closed(*report),
            _ => {}
        }
    }

    fn done(&mut self, done: Result<Box<Done>, StoreError>, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        let done = match done {
            Ok(d) => *d,
            Err(e) => {
                self.busy = false;
                let words = match e {
                    StoreError::Other(ref m) if m.contains("closed") => M::AlreadyClosed.text(lang).to_owned(),
                    e => e.to_string(),
                };
                self.notice = Some(Notice::Problem(tr(M::SaveFailed, lang, &[("reason", &words)])));
                if let Step::Settle(s) = &mut self.step {
                    s.closing_failed();
                }
                return Action::None;
            }
        };
        match done {
            // A draft was kept: nothing to say, nothing was waiting.
            Done::Saved(None) => Action::None,
            Done::Saved(Some(words)) => {
                self.busy = false;
                self.notice = Some(Notice::Ok(words.text(lang).into()));
                match &self.step {
                    // After a spoilage, the stock list again with the new figures.
                    Step::Spoil(_) => {
                        self.step = Step::Stock(stock::Stock::loading());
                        Action::Load(Want::Stock)
                    }
                    _ => {
                        self.step = Step::Menu;
                        Action::None
                    }
                }
            }
            Done::Preview(report) => {
                if let Step::Settle(s) = &mut self.step {
                    s.preview(*report);
                }
                Action::None
            }
            Done::Closed(report) => {
                self.busy = false;
                self.notice = Some(Notice::Ok(M::DayClosed.text(lang).into()));
                if let Step::Settle(s) = &mut self.step {
                    s.closed(*report);
                }
                Action::None
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let (title, body): (String, Element<'a, Message>) = match &self.step {
            Step::Pin { entry, outcome, checking } => {
                (M::ManagerPin.text(lang).into(), pin_view(entry, *outcome, *checking, lang, self.resume.is_some()))
            }
            Step::Menu => (M::Menu.text(lang).into(), menu_view(lang)),
            Step::Stock(s) => (M::Stock.text(lang).into(), s.view(ctx).map(Message::Stock)),
            Step::Spoil(s) => (M::Spoil.text(lang).into(), s.view(ctx).map(Message::Spoil)),
            Step::Receive(r) => (M::Receive.text(lang).into(), r.view(ctx).map(Message::Receive)),
            Step::Count(c) => (M::Count.text(lang).into(), c.view(ctx).map(Message::Count)),
            Step::Restock(r) => (M::Restock.text(lang).into(), r.view(ctx).map(Message::Restock)),
            Step::Cash(c) => (M::CashInOut.text(lang).into(), c.view(ctx).map(Message::Cash)),
            Step::Settle(s) => (M::Settle.text(lang).into(), s.view(ctx).map(Message::Settle)),
            Step::SelfCheck(findings) => (UpkeepWords::SelfCheck.text(lang).into(), self_check_view(findings, lang)),
        };
        let back: Element<'a, Message> = match self.step {
            Step::Pin { .. } => space::horizontal().width(200).into(),
            // Only past the manager's PIN: the way out of kiosk mode for whoever runs the site.
            Step::Menu => tap(
                label(UpkeepWords::Quit.text(lang), theme::BUTTON),
                Message::Quit,
                Tap::Secondary,
                200,
                theme::TARGET,
            ),
            _ => tap(label(M::BackToMenu.text(lang), theme::BUTTON), Message::Menu, Tap::Secondary, 200, theme::TARGET),
        };
        let top = row![
            back,
            bold(format!("{} · {title}", M::ManagerMode.text(lang)), theme::TITLE),
            space::horizontal(),
            tap(label(M::Leave.text(lang), theme::BUTTON), Message::Leave, Tap::Secondary, 180, theme::TARGET),
        ]
        .spacing(theme::PAD)
        .align_y(Alignment::Center);
        // The demo PIN warning and the notice share one line, which keeps its height when empty.
        let mut status = Row::new().spacing(theme::GAP);
        if ctx.config.demo_pins() {
            status = status.push(
                container(bold(M::DemoPin.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning),
            );
        }
        if let Some(free) = ctx.disk_low {
            let words = tr(UpkeepWords::DiskLowBanner, lang, &[("free", &free.to_string())]);
            status = status.push(container(bold(words, theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning));
        }
        let status = status.push(notice_view(self.notice.as_ref(), lang));
        Column::new().spacing(theme::GAP).push(top).push(status).push(body).into()
    }
}

fn pin_step() -> Step {
    Step::Pin { entry: String::new(), outcome: None, checking: false }
}

/// The notice line keeps its height when empty, so nothing under it moves when words appear.
fn notice_view<'a>(notice: Option<&Notice>, lang: Lang) -> Element<'a, Message> {
    let (words, style): (String, fn(&iced::Theme) -> container::Style) = match notice {
        None => (" ".into(), |_| container::Style::default()),
        Some(Notice::Ok(w)) => (w.clone(), theme::badge),
        Some(Notice::Problem(w)) if w.is_empty() => (M::Locked.text(lang).into(), theme::warning),
        Some(Notice::Problem(w)) => (w.clone(), theme::warning),
    };
    container(bold(words, theme::BODY)).padding([0.0, theme::GAP]).width(Length::Fill).style(style).into()
}

fn pin_view<'a>(
    entry: &str,
    outcome: Option<PinOutcome>,
    checking: bool,
    lang: Lang,
    locked: bool,
) -> Element<'a, Message> {
    let dots = if entry.is_empty() { " ".to_owned() } else { "●".repeat(entry.len()) };
    let status = outcome.and_then(|o| match o {
        PinOutcome::Accepted => None,
        PinOutcome::Wrong { left } => Some(tr(Msg::PinWrong, lang, &[("n", &left.to_string())])),
        PinOutcome::Paused { left } => Some(tr(Msg::PinPaused, lang, &[("s", &left.as_secs().max(1).to_string())])),
    });
    let heading = if locked { M::Locked } else { M::ManagerPin };
    let status = match (status, checking) {
        (Some(s), _) => s,
        (None, true) => M::Working.text(lang).into(),
        (None, false) => " ".into(),
    };
    let card = column![
        bold(heading.text(lang), theme::TITLE),
        bold(dots, theme::TOTAL),
        bold(status, theme::BODY),
        numpad(lang, false, true, Message::PinKey),
        tap(bold(Msg::Ok.text(lang), theme::TITLE), Message::PinOk, Tap::Primary, 452, theme::TARGET),
    ]
    .spacing(theme::GAP)
    .align_x(Alignment::Center);
    center(container(card).padding(theme::PAD).style(theme::panel)).into()
}

/// One line per check, ✓ or ✗ and the words (never colour alone).
fn self_check_view<'a>(findings: &'a Option<Result<Vec<Finding>, StoreError>>, lang: Lang) -> Element<'a, Message> {
    match findings {
        None => label(UpkeepWords::Checking.text(lang), theme::BODY).into(),
        Some(Err(e)) => label(e.to_string(), theme::BODY).into(),
        Some(Ok(findings)) => {
            findings.iter().fold(Column::new().spacing(4), |col, f| col.push(label(f.line(lang), theme::BODY))).into()
        }
    }
}

fn menu_view<'a>(lang: Lang) -> Element<'a, Message> {
    let big = |words: M, msg: Message, kind: Tap| -> Element<'a, Message> {
        tap(bold(words.text(lang), theme::TITLE), msg, kind, Length::Fill, 200)
    };
    let rows = [
        [(M::Stock, Message::Open(Area::Stock)), (M::Receive, Message::Open(Area::Receive))],
        [(M::Count, Message::Open(Area::Count)), (M::Restock, Message::Open(Area::Restock))],
        [(M::Spoil, Message::Open(Area::Spoil)), (M::CashInOut, Message::Open(Area::Cash))],
        [(M::XReport, Message::PrintX), (M::Settle, Message::Open(Area::Settle))],
    ];
    let mut grid = Column::new().spacing(theme::PAD);
    let last = rows.len() - 1;
    for (i, pair) in rows.into_iter().enumerate() {
        let mut r = Row::new().spacing(theme::PAD);
        for (words, msg) in pair {
            let kind = if words == M::Settle { Tap::Primary } else { Tap::Secondary };
            r = r.push(big(words, msg, kind));
        }
        if i == last {
            // The doctor's checks (issue 14), for whoever runs the site.
            let words = bold(UpkeepWords::SelfCheck.text(lang), theme::TITLE);
            r = r.push(tap(words, Message::SelfCheck, Tap::Secondary, Length::Fill, 200));
        }
        grid = grid.push(r);
    }
    grid.into()
}
