//! Building-leader mode (楼长, issue 10): the leader's PIN, the building on a number pad, then
//! household by household through the day's goods list with big −/+ per product (limits per
//! household, how many there are today), a running total for the home and the building, and
//! 完成 to place one order per household and print their slips and the building's picking list.
//! Store work (the PIN, loading a building, placing the batch, the sheet) is the root's, off the
//! UI thread (`app/leader_mode.rs`).

use super::Context;
use crate::store::StoreError;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{Pager, bold, label, numpad, pager, price, tap, tap_maybe};
use iced::widget::{Column, Row, center, column, container, row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::pin::PinOutcome;
use warm_core::domain::{Allowance, HouseholdId, Lang, Money, OrderLine, Product};
use warm_core::i18n::{LeaderWords as L, ManagerMsg, Msg, limit_explained, tr};

/// Longest PIN and building number the pads take.
const MAX_PIN: usize = 8;
const MAX_BUILDING: usize = 5;
/// Products per page: two columns of four rows.
pub const ITEMS_PAGE: usize = 8;
const ITEM_H: f32 = 104.0;
const STATUS_H: f32 = theme::BODY * 1.3 + 8.0;
const BOTTOM_H: f32 = theme::BIG_TARGET;
const LIST_H: f32 = 4.0 * ITEM_H + 3.0 * theme::GAP;

#[derive(Debug, Clone)]
pub enum Message {
    PinKey(Key),
    PinOk,
    /// The root's answer to `Action::CheckPin`.
    PinChecked(Result<PinOutcome, StoreError>),
    BuildingKey(Key),
    StartBuilding,
    /// The root's answer to `Action::Load`.
    Loaded(Result<Box<Loaded>, StoreError>),
    Increase(usize),
    Decrease(usize),
    TurnPage(bool),
    Previous,
    Next,
    Finish,
    FinishYes,
    FinishNo,
    /// The root's answer to `Action::Place`: how many homes and what they came to.
    Placed(Result<(usize, Money), StoreError>),
    ChangeBuilding,
    PrintSheet,
    /// The root's answer to `Action::PrintSheet`.
    SheetQueued(Result<(), StoreError>),
    Leave,
}

impl Message {
    /// A message a finger made (the others are the root's answers).
    pub fn is_tap(&self) -> bool {
        !matches!(self, Message::PinChecked(_) | Message::Loaded(_) | Message::Placed(_) | Message::SheetQueued(_))
    }
}

pub enum Action {
    None,
    Leave,
    CheckPin(String),
    /// Read the building's households, the daily list and what each home bought this period.
    Load(String),
    /// Place one order per home with something chosen, print the slips and the picking list.
    Place {
        building: String,
        orders: Vec<(HouseholdId, Vec<OrderLine>)>,
    },
    PrintSheet,
}

/// What the root read for a building.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub building: String,
    pub households: Vec<HouseholdId>,
    /// The day's list: the catalog's product and how many there are today.
    pub items: Vec<(Product, Option<u32>)>,
    /// What each home bought of each item in its limit's period (`[household][item]`; 0 for
    /// products without a limit).
    pub bought: Vec<Vec<u32>>,
}

/// One building being ordered for.
pub struct Round {
    pub loaded: Loaded,
    /// `[household][item]`.
    pub qty: Vec<Vec<u32>>,
    pub at: usize,
    pub pager: Pager,
    pub asking: bool,
    pub placing: bool,
}

impl Round {
    fn new(loaded: Loaded) -> Round {
        let qty = vec![vec![0; loaded.items.len()]; loaded.households.len()];
        Round { loaded, qty, at: 0, pager: Pager::new(ITEMS_PAGE), asking: false, placing: false }
    }

    fn allowance(&self, h: usize, i: usize) -> Allowance {
        let (product, _) = &self.loaded.items[i];
        Allowance::of(product.limit(), self.loaded.bought[h][i], self.qty[h][i])
    }

    /// How many of item `i` the whole building has chosen.
    fn chosen(&self, i: usize) -> u32 {
        self.qty.iter().fold(0u32, |n, q| n.saturating_add(q[i]))
    }

    pub fn household_total(&self, h: usize) -> Money {
        self.loaded.items.iter().zip(&self.qty[h]).map(|((p, _), q)| p.price * *q).sum()
    }

    pub fn building_total(&self) -> Money {
        (0..self.qty.len()).map(|h| self.household_total(h)).sum()
    }

    /// Homes with something chosen.
    pub fn homes(&self) -> usize {
        self.qty.iter().filter(|q| q.iter().any(|n| *n > 0)).count()
    }

    fn orders(&self) -> Vec<(HouseholdId, Vec<OrderLine>)> {
        self.loaded
            .households
            .iter()
            .zip(&self.qty)
            .filter(|(_, q)| q.iter().any(|n| *n > 0))
            .map(|(h, q)| {
                let lines = self
                    .loaded
                    .items
                    .iter()
                    .zip(q)
                    .filter(|(_, n)| **n > 0)
                    .map(|((p, _), n)| OrderLine::of(p, *n))
                    .collect();
                (h.clone(), lines)
            })
            .collect()
    }
}

pub enum Step {
    Pin { entry: String, outcome: Option<PinOutcome>, checking: bool },
    Building { entry: String, loading: bool },
    Order(Box<Round>),
    Done { building: String, homes: usize, total: Money },
}

impl Step {
    fn name(&self) -> String {
        match self {
            Step::Pin { .. } => "pin".into(),
            Step::Building { .. } => "building".into(),
            Step::Order(r) => format!("order:{}:{}:{}", r.at, r.pager.page, r.asking),
            Step::Done { .. } => "done".into(),
        }
    }
}

/// The line under the title: what just happened, or what went wrong, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Ok(String),
    Problem(String),
}

pub struct Leader {
    pub step: Step,
    pub notice: Option<Notice>,
}

impl Default for Leader {
    fn default() -> Self {
        Leader { step: Step::Pin { entry: String::new(), outcome: None, checking: false }, notice: None }
    }
}

impl Leader {
    /// Which step and page are on show: when it changes, the root lets the screen settle.
    pub fn layout(&self) -> String {
        format!("leader:{}", self.step.name())
    }

    pub fn round(&self) -> Option<&Round> {
        match &self.step {
            Step::Order(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the PIN pad waits out a pause after wrong tries.
    pub fn pin_paused(&self) -> bool {
        matches!(self.step, Step::Pin { outcome: Some(PinOutcome::Paused { .. }), .. })
    }

    /// The pause still to wait (from the leaders' gate in the store), each second; `None`: over,
    /// and the pad takes digits again.
    pub fn lock(&mut self, left: Option<std::time::Duration>) {
        if let Step::Pin { outcome, .. } = &mut self.step
            && matches!(outcome, Some(PinOutcome::Paused { .. }))
        {
            *outcome = left.map(|left| PinOutcome::Paused { left });
        }
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        match message {
            Message::Leave => return Action::Leave,
            // A pause after wrong tries switches the pad off until it is over.
            _ if matches!(message, Message::PinKey(_) | Message::PinOk) && self.pin_paused() => {}
            Message::PinKey(key) => {
                if let Step::Pin { entry, .. } = &mut self.step {
                    key.apply(entry, MAX_PIN, false);
                }
            }
            Message::PinOk => {
                if let Step::Pin { entry, checking, .. } = &mut self.step
                    && !*checking
                {
                    if entry.is_empty() {
                        self.notice = Some(Notice::Problem(Msg::PinFirst.text(lang).into()));
                        return Action::None;
                    }
                    *checking = true;
                    return Action::CheckPin(std::mem::take(entry));
                }
            }
            Message::PinChecked(result) => {
                let Step::Pin { outcome, checking, .. } = &mut self.step else { return Action::None };
                *checking = false;
                match result {
                    Ok(PinOutcome::Accepted) => {
                        self.step = Step::Building { entry: String::new(), loading: false };
                        self.notice = None;
                    }
                    Ok(refused) => *outcome = Some(refused),
                    Err(e) => self.problem(tr(L::Failed, lang, &[("reason", &e.to_string())])),
                }
            }
            Message::BuildingKey(key) => {
                if let Step::Building { entry, loading: false } = &mut self.step {
                    key.apply(entry, MAX_BUILDING, false);
                    self.notice = None;
                }
            }
            Message::StartBuilding => {
                if let Step::Building { entry, loading } = &mut self.step
                    && !*loading
                {
                    let building = entry.trim_start_matches('0').to_owned();
                    if building.is_empty() {
                        self.problem(L::TypeBuilding.text(lang).into());
                        return Action::None;
                    }
                    *loading = true;
                    return Action::Load(building);
                }
            }
            Message::Loaded(result) => {
                let Step::Building { loading, .. } = &mut self.step else { return Action::None };
                *loading = false;
                match result {
                    Ok(loaded) if loaded.items.is_empty() => self.problem(L::NoDailyList.text(lang).into()),
                    Ok(loaded) if loaded.households.is_empty() => {
                        self.problem(tr(L::BuildingUnknown, lang, &[("building", &loaded.building)]))
                    }
                    Ok(loaded) => {
                        self.notice = None;
                        self.step = Step::Order(Box::new(Round::new(*loaded)));
                    }
                    Err(e) => self.problem(tr(L::Failed, lang, &[("reason", &e.to_string())])),
                }
            }
            Message::PrintSheet => return Action::PrintSheet,
            Message::SheetQueued(Ok(())) => self.notice = Some(Notice::Ok(L::SheetQueued.text(lang).into())),
            Message::SheetQueued(Err(e)) => self.problem(tr(L::Failed, lang, &[("reason", &e.to_string())])),
            Message::ChangeBuilding => {
                if !matches!(&self.step, Step::Order(r) if r.placing) {
                    self.step = Step::Building { entry: String::new(), loading: false };
                    self.notice = None;
                }
            }
            Message::Placed(result) => return self.placed(result, lang),
            message => return self.order(message, lang),
        }
        Action::None
    }

    fn problem(&mut self, words: String) {
        self.notice = Some(Notice::Problem(words));
    }

    /// The taps of the ordering step.
    fn order(&mut self, message: Message, lang: Lang) -> Action {
        let Step::Order(round) = &mut self.step else { return Action::None };
        if round.placing {
            return Action::None;
        }
        let h = round.at;
        let mut notice = None;
        match message {
            Message::Increase(i) if i < round.loaded.items.len() && !round.asking => {
                let (product, available) = &round.loaded.items[i];
                let unit = product.unit.get(lang);
                let allowance = round.allowance(h, i);
                if !allowance.may_add_one() {
                    // + at the limit does nothing but explain why.
                    notice = limit_explained(&allowance, unit, lang).map(Notice::Problem);
                } else if available.is_some_and(|n| round.chosen(i) >= n) {
                    let n = available.unwrap_or(0).to_string();
                    notice = Some(Notice::Problem(tr(L::AvailableLeft, lang, &[("n", &n), ("unit", unit)])));
                } else {
                    round.qty[h][i] = round.qty[h][i].saturating_add(1);
                }
            }
            Message::Decrease(i) if i < round.loaded.items.len() && !round.asking => {
                round.qty[h][i] = round.qty[h][i].saturating_sub(1);
            }
            Message::TurnPage(forward) => round.pager = round.pager.turned(forward, round.loaded.items.len()),
            Message::Previous if !round.asking => {
                round.at = round.at.saturating_sub(1);
                round.pager = Pager::new(ITEMS_PAGE);
            }
            Message::Next if !round.asking => {
                round.at = (round.at + 1).min(round.loaded.households.len().saturating_sub(1));
                round.pager = Pager::new(ITEMS_PAGE);
            }
            Message::Finish if round.homes() == 0 => notice = Some(Notice::Problem(L::NothingChosen.text(lang).into())),
            Message::Finish => round.asking = true,
            Message::FinishNo => round.asking = false,
            Message::FinishYes if round.asking => {
                round.asking = false;
                round.placing = true;
                self.notice = Some(Notice::Ok(L::Placing.text(lang).into()));
                return Action::Place { building: round.loaded.building.clone(), orders: round.orders() };
            }
            _ => return Action::None,
        }
        self.notice = notice;
        Action::None
    }

    fn placed(&mut self, result: Result<(usize, Money), StoreError>, lang: Lang) -> Action {
        let Step::Order(round) = &mut self.step else { return Action::None };
        round.placing = false;
        match result {
            Ok((homes, total)) => {
                let building = round.loaded.building.clone();
                let n = homes.to_string();
                self.notice = Some(Notice::Ok(tr(L::Placed, lang, &[("building", &building), ("n", &n)])));
                self.step = Step::Done { building, homes, total };
            }
            Err(StoreError::OverLimit { household, product, over }) => {
                let (name, unit) = round
                    .loaded
                    .items
                    .iter()
                    .find(|(p, _)| p.id.0 == product)
                    .map(|(p, _)| (p.name.get(lang).to_owned(), p.unit.get(lang).to_owned()))
                    .unwrap_or((product, String::new()));
                let args = [
                    ("household", household.as_str()),
                    ("product", &name),
                    ("over", &over.to_string()),
                    ("unit", &unit),
                ];
                self.problem(tr(L::OverLimit, lang, &args));
            }
            Err(e) => self.problem(tr(L::Failed, lang, &[("reason", &e.to_string())])),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let title = match &self.step {
            Step::Order(r) => {
                format!("{} · {}", L::Title.text(lang), tr(L::BuildingIs, lang, &[("building", &r.loaded.building)]))
            }
            _ => L::Title.text(lang).to_owned(),
        };
        let sheet = (!matches!(self.step, Step::Pin { .. })).then(|| {
            tap(label(L::PrintSheet.text(lang), theme::BUTTON), Message::PrintSheet, Tap::Secondary, 360, theme::TARGET)
        });
        let top = Row::new()
            .push(bold(title, theme::TITLE))
            .push(space::horizontal())
            .push(sheet)
            .push(tap(label(L::Leave.text(lang), theme::BUTTON), Message::Leave, Tap::Secondary, 180, theme::TARGET))
            .spacing(theme::PAD)
            .align_y(Alignment::Center)
            .height(theme::TARGET);
        // The demo PIN warning and the notice share one line of fixed height.
        let mut status = Row::new().spacing(theme::GAP).height(STATUS_H);
        if ctx.config.demo_pins() {
            status = status.push(
                container(bold(ManagerMsg::DemoPin.text(lang), theme::BODY))
                    .padding([0.0, theme::GAP])
                    .style(theme::warning),
            );
        }
        let (words, style): (String, fn(&iced::Theme) -> container::Style) = match &self.notice {
            None => (" ".into(), |_| container::Style::default()),
            Some(Notice::Ok(w)) => (w.clone(), theme::badge),
            Some(Notice::Problem(w)) => (w.clone(), theme::warning),
        };
        let status = status.push(
            container(bold(words, theme::BODY)).padding([0.0, theme::GAP]).width(Length::Fill).clip(true).style(style),
        );
        let body: Element<'a, Message> = match &self.step {
            Step::Pin { entry, outcome, checking } => pin_view(entry, *outcome, *checking, lang),
            Step::Building { entry, loading } => building_view(entry, *loading, lang),
            Step::Order(round) => order_view(round, lang),
            Step::Done { building, homes, total } => done_view(building, *homes, *total, lang),
        };
        column![top, status, body].spacing(theme::GAP).into()
    }
}

fn pin_view<'a>(entry: &str, outcome: Option<PinOutcome>, checking: bool, lang: Lang) -> Element<'a, Message> {
    let paused = matches!(outcome, Some(PinOutcome::Paused { .. }));
    let dots = if entry.is_empty() { " ".to_owned() } else { "●".repeat(entry.len()) };
    let status = match (outcome, checking) {
        (Some(PinOutcome::Wrong { left }), _) => tr(Msg::PinWrong, lang, &[("n", &left.to_string())]),
        (Some(PinOutcome::Paused { left }), _) => {
            tr(Msg::PinPaused, lang, &[("s", &left.as_secs().max(1).to_string())])
        }
        (_, true) => ManagerMsg::Working.text(lang).into(),
        _ => " ".into(),
    };
    let typed = column![bold(dots, theme::TOTAL), bold(status, theme::BODY)].spacing(theme::GAP);
    pad_card(L::EnterPin.text(lang), typed, !paused, Message::PinKey, Msg::Ok.text(lang), Message::PinOk, lang)
}

fn building_view<'a>(entry: &str, loading: bool, lang: Lang) -> Element<'a, Message> {
    let shown = if entry.is_empty() { "_".to_owned() } else { tr(L::BuildingIs, lang, &[("building", entry)]) };
    let title = L::ChooseBuilding.text(lang);
    let go = L::StartBuilding.text(lang);
    pad_card(title, bold(shown, theme::TOTAL), !loading, Message::BuildingKey, go, Message::StartBuilding, lang)
}

/// A card in the middle of the screen: a title, what has been typed, the number pad and the one
/// button that goes on; pad and button off while `open` is false (a pause, a lookup under way).
fn pad_card<'a>(
    title: &'a str,
    typed: impl Into<Element<'a, Message>>,
    open: bool,
    key: fn(Key) -> Message,
    go: &'a str,
    go_message: Message,
    lang: Lang,
) -> Element<'a, Message> {
    let card = column![
        bold(title, theme::TITLE),
        typed.into(),
        numpad(lang, false, open, key),
        tap_maybe(bold(go, theme::TITLE), open.then_some(go_message), Tap::Primary, 452, theme::TARGET),
    ]
    .spacing(theme::GAP)
    .align_x(Alignment::Center);
    center(container(card).padding(theme::PAD).style(theme::panel)).into()
}

fn item_view<'a>(round: &'a Round, i: usize, lang: Lang) -> Element<'a, Message> {
    let (product, available) = &round.loaded.items[i];
    let h = round.at;
    let qty = round.qty[h][i];
    let mut note = Vec::new();
    if let Allowance::Limited { limit, left, .. } = round.allowance(h, i) {
        note.push(tr(L::LimitShort, lang, &[("limit", &limit.per_household.to_string()), ("left", &left.to_string())]));
    }
    if let Some(n) = available {
        note.push(tr(L::AvailableShort, lang, &[("n", &n.saturating_sub(round.chosen(i)).to_string())]));
    }
    let what = column![
        bold(format!("{} {}", product.name.get(lang), product.spec.get(lang)), theme::BODY)
            .wrapping(iced::widget::text::Wrapping::None),
        label(if note.is_empty() { " ".to_owned() } else { note.join(" · ") }, theme::BODY)
            .wrapping(iced::widget::text::Wrapping::None),
    ]
    .width(Length::Fill)
    .clip(true);
    let controls = row![
        price(product.price, theme::PRICE).width(210).align_x(Alignment::End),
        tap(bold("−", theme::TITLE), Message::Decrease(i), Tap::Secondary, theme::TARGET, theme::TARGET),
        bold(format!("×{qty}"), theme::TITLE).width(90).center(),
        tap(bold("+", theme::TITLE), Message::Increase(i), Tap::Primary, theme::TARGET, theme::TARGET),
    ]
    .spacing(theme::GAP)
    .align_y(Alignment::Center);
    container(row![what, controls].spacing(theme::GAP).align_y(Alignment::Center))
        .padding([4.0, theme::GAP])
        .height(ITEM_H)
        .width(Length::Fill)
        .style(theme::panel)
        .into()
}

fn order_view<'a>(round: &'a Round, lang: Lang) -> Element<'a, Message> {
    let n = round.loaded.households.len();
    let h = round.at;
    let household = row![
        tap_maybe(
            label(L::Previous.text(lang), theme::BUTTON),
            (h > 0 && !round.asking).then_some(Message::Previous),
            Tap::Secondary,
            300,
            theme::TARGET
        ),
        space::horizontal(),
        bold(round.loaded.households[h].to_string(), theme::TOTAL),
        label(tr(L::HouseholdOf, lang, &[("i", &(h + 1).to_string()), ("n", &n.to_string())]), theme::BODY),
        space::horizontal(),
        tap_maybe(
            bold(L::Next.text(lang), theme::BUTTON),
            (h + 1 < n && !round.asking).then_some(Message::Next),
            Tap::Primary,
            300,
            theme::TARGET
        ),
    ]
    .spacing(theme::PAD)
    .align_y(Alignment::Center)
    .height(theme::TARGET);
    let items = round.pager.range(round.loaded.items.len());
    let indices: Vec<usize> = items.collect();
    let mut grid = Column::new().spacing(theme::GAP);
    for pair in indices.chunks(2) {
        let mut r = Row::new().spacing(theme::GAP);
        for &i in pair {
            r = r.push(item_view(round, i, lang));
        }
        if pair.len() == 1 {
            r = r.push(space::horizontal());
        }
        grid = grid.push(r);
    }
    let list = container(grid).height(LIST_H);
    let turn: Element<'a, Message> = pager(round.pager, round.loaded.items.len(), lang, Message::TurnPage)
        .unwrap_or_else(|| space::vertical().height(theme::TARGET).into());
    let homes = round.homes().to_string();
    let totals = row![
        label(L::HouseholdTotal.text(lang), theme::BODY),
        price(round.household_total(h), theme::TOTAL),
        space::horizontal().width(theme::PAD),
        label(tr(L::BuildingTotal, lang, &[("n", &homes)]), theme::BODY),
        price(round.building_total(), theme::TOTAL),
    ]
    .spacing(theme::GAP)
    .align_y(Alignment::Center);
    let actions: Element<'a, Message> = if round.asking {
        row![
            bold(tr(L::FinishQuestion, lang, &[("n", &homes)]), theme::TITLE),
            price(round.building_total(), theme::TOTAL),
            space::horizontal(),
            tap(bold(L::FinishNo.text(lang), theme::BUTTON), Message::FinishNo, Tap::Secondary, 300, BOTTOM_H),
            tap(bold(L::FinishYes.text(lang), theme::BUTTON), Message::FinishYes, Tap::Primary, 300, BOTTOM_H),
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center)
        .into()
    } else {
        row![
            totals,
            space::horizontal(),
            tap_maybe(
                label(L::ChangeBuilding.text(lang), theme::BUTTON),
                (!round.placing).then_some(Message::ChangeBuilding),
                Tap::Secondary,
                300,
                BOTTOM_H
            ),
            tap_maybe(
                bold(L::Finish.text(lang), theme::BUTTON),
                (!round.placing).then_some(Message::Finish),
                Tap::Primary,
                400,
                BOTTOM_H
            ),
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center)
        .into()
    };
    column![household, list, turn, container(actions).height(BOTTOM_H)].spacing(theme::GAP).into()
}

fn done_view<'a>(building: &str, homes: usize, total: Money, lang: Lang) -> Element<'a, Message> {
    let n = homes.to_string();
    let card = column![
        bold(tr(L::Placed, lang, &[("building", building), ("n", &n)]), theme::TITLE),
        row![label(tr(L::BuildingTotal, lang, &[("n", &n)]), theme::TITLE), price(total, theme::TOTAL)]
            .spacing(theme::GAP)
            .align_y(Alignment::Center),
        row![
            tap(
                bold(L::ChangeBuilding.text(lang), theme::TITLE),
                Message::ChangeBuilding,
                Tap::Primary,
                500,
                theme::BIG_TARGET
            ),
            tap(label(L::Leave.text(lang), theme::TITLE), Message::Leave, Tap::Secondary, 300, theme::BIG_TARGET),
        ]
        .spacing(theme::PAD),
    ]
    .spacing(theme::PAD)
    .align_x(Alignment::Center);
    center(container(card).padding(theme::PAD).width(1400).style(theme::panel)).into()
}
