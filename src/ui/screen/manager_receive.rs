//! Receiving the van: choose the dispatch note (or goods without one), then each line shows what
//! the note expects and what arrived, with big −/+ and a scan adding one; a difference is said in
//! words with a reason. Every change is kept as a draft; 确认收货 books it once.

use super::Context;
use super::manager::{loading, nav, products_in_order, stepper, units_words};
use crate::device::scanner::LineError;
use crate::store::stock::receiving_key;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager, tap};
use iced::widget::{Column, Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::api::manager::{DispatchNote, Received, ReceivedLine};
use warm_core::domain::scan::{self, Scan};
use warm_core::domain::{Lang, ProductId};
use warm_core::i18n::{ManagerMsg as M, Msg, tr};

/// Lines per page.
pub const PAGE: usize = 4;
/// A line's height, and the list's: `PAGE` lines with their gaps.
const LINE_H: f32 = theme::TARGET + 8.0;
const LIST_H: f32 = PAGE as f32 * LINE_H + (PAGE as f32 - 1.0) * theme::GAP;
/// Products per page when adding goods by hand.
const PICK_PAGE: usize = 6;

/// The reasons a line can differ from its note, in the order a tap cycles through them.
const REASONS: [M; 3] = [M::ReasonShort, M::ReasonBroken, M::ReasonOther];

#[derive(Debug, Clone)]
pub enum Message {
    Choose(usize),
    Loose,
    More(usize),
    Less(usize),
    Reason(usize),
    TurnPage(bool),
    AddProduct,
    Pick(ProductId),
    TurnPickPage(bool),
    ClosePick,
    /// Everything on the note arrived: each line's figure becomes the note's.
    AllArrived,
    Confirm,
    Back,
}

pub enum Action {
    None,
    /// Keep the delivery being checked as a draft under this key.
    Keep(String, serde_json::Value),
    Confirm(Received),
}

enum Stage {
    Loading,
    Choose { notes: Vec<(DispatchNote, Option<Received>)>, loose: Option<Received> },
    Lines { note: Option<DispatchNote>, delivery: Received, picking: Option<Pager> },
}

pub struct Receive {
    stage: Stage,
    pager: Pager,
    /// What the last scan did, in words.
    last: Option<String>,
    /// The notes as loaded, to go back to the choice.
    choice: Vec<(DispatchNote, Option<Received>)>,
    loose_draft: Option<Received>,
}

impl Receive {
    pub fn new() -> Receive {
        Receive { stage: Stage::Loading, pager: Pager::new(PAGE), last: None, choice: Vec::new(), loose_draft: None }
    }

    pub fn loaded(&mut self, notes: Vec<(DispatchNote, Option<Received>)>, loose: Option<Received>) {
        self.choice = notes.clone();
        self.loose_draft = loose.clone();
        self.stage = Stage::Choose { notes, loose };
    }

    /// Which part is on screen (notes, lines, adding a product), for the root's settling.
    pub fn stage_name(&self) -> &'static str {
        match &self.stage {
            Stage::Loading => "loading",
            Stage::Choose { .. } => "choose",
            Stage::Lines { picking: Some(_), .. } => "pick",
            Stage::Lines { .. } => "lines",
        }
    }

    /// The delivery being checked, if one is on screen.
    pub fn delivery(&self) -> Option<&Received> {
        match &self.stage {
            Stage::Lines { delivery, .. } => Some(delivery),
            _ => None,
        }
    }

    fn keep(&self) -> Action {
        match &self.stage {
            Stage::Lines { delivery, .. } => match serde_json::to_value(delivery) {
                Ok(value) => Action::Keep(receiving_key(delivery.note), value),
                Err(_) => Action::None,
            },
            _ => Action::None,
        }
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        match message {
            Message::Choose(i) => {
                let Stage::Choose { notes, .. } = &self.stage else { return Action::None };
                let Some((note, draft)) = notes.get(i).cloned() else { return Action::None };
                let mut delivery = draft.unwrap_or_else(|| Received {
                    id: Uuid::now_v7(),
                    note: Some(note.id),
                    lines: note
                        .lines
                        .iter()
                        .map(|l| ReceivedLine {
                            product: l.product.clone(),
                            expected: l.qty,
                            received: 0,
                            reason: String::new(),
                        })
                        .collect(),
                });
                delivery.lines.iter_mut().for_each(set_reason);
                self.stage = Stage::Lines { note: Some(note), delivery, picking: None };
                self.pager = Pager::new(PAGE);
                return self.keep();
            }
            Message::Loose => {
                let Stage::Choose { loose, .. } = &self.stage else { return Action::None };
                let delivery =
                    loose.clone().unwrap_or_else(|| Received { id: Uuid::now_v7(), note: None, lines: vec![] });
                self.stage = Stage::Lines { note: None, delivery, picking: Some(Pager::new(PICK_PAGE)) };
                self.pager = Pager::new(PAGE);
            }
            Message::Back => {
                self.stage = Stage::Choose { notes: self.choice.clone(), loose: self.loose_draft.clone() };
            }
            Message::TurnPage(forward) => {
                if let Some(d) = self.delivery() {
                    self.pager = self.pager.turned(forward, d.lines.len());
                }
            }
            Message::More(i) => return self.change(i, 1),
            Message::Less(i) => return self.change(i, -1),
            Message::Reason(i) => {
                let Stage::Lines { delivery, .. } = &mut self.stage else { return Action::None };
                let Some(line) = delivery.lines.get_mut(i) else { return Action::None };
                if line.received != line.expected {
                    let now = REASONS.iter().position(|r| r.text(Lang::Zh) == line.reason);
                    let next = now.map_or(0, |n| (n + 1) % REASONS.len());
                    line.reason = REASONS[next].text(Lang::Zh).to_owned();
                    return self.keep();
                }
            }
            Message::AddProduct => {
                if let Stage::Lines { picking, .. } = &mut self.stage {
                    *picking = Some(Pager::new(PICK_PAGE));
                }
            }
            Message::ClosePick => {
                if let Stage::Lines { picking, .. } = &mut self.stage {
                    *picking = None;
                }
            }
            Message::TurnPickPage(forward) => {
                let len = products_in_order(ctx.catalog).len();
                if let Stage::Lines { picking: Some(p), .. } = &mut self.stage {
                    *p = p.turned(forward, len);
                }
            }
            Message::Pick(product) => {
                if let Stage::Lines { picking, .. } = &mut self.stage {
                    *picking = None;
                }
                return self.add_one(&product);
            }
            Message::AllArrived => {
                let Stage::Lines { delivery, .. } = &mut self.stage else { return Action::None };
                for line in &mut delivery.lines {
                    line.received = line.received.max(line.expected);
                    set_reason(line);
                }
                return self.keep();
            }
            Message::Confirm => {
                let Stage::Lines { delivery, .. } = &self.stage else { return Action::None };
                let mut delivery = delivery.clone();
                delivery.lines.retain(|l| l.received > 0 || l.expected > 0);
                delivery.lines.iter_mut().for_each(set_reason);
                if !delivery.lines.is_empty() {
                    return Action::Confirm(delivery);
                }
            }
        }
        Action::None
    }

    fn change(&mut self, i: usize, by: i64) -> Action {
        let Stage::Lines { delivery, .. } = &mut self.stage else { return Action::None };
        let Some(line) = delivery.lines.get_mut(i) else { return Action::None };
        line.received = line.received.saturating_add(by).clamp(0, warm_core::api::manager::MAX_UNITS);
        set_reason(line);
        self.keep()
    }

    /// One more of `product`: its line, or a new line for goods the note did not list.
    fn add_one(&mut self, product: &ProductId) -> Action {
        let Stage::Lines { delivery, .. } = &mut self.stage else { return Action::None };
        let i = match delivery.lines.iter().position(|l| l.product == product.0) {
            Some(i) => i,
            None => {
                delivery.lines.push(ReceivedLine {
                    product: product.0.clone(),
                    expected: 0,
                    received: 0,
                    reason: String::new(),
                });
                delivery.lines.len() - 1
            }
        };
        self.pager = self.pager.showing(i);
        self.change(i, 1)
    }

    /// A scanned barcode counts one of its goods.
    pub fn scanned(&mut self, line: Result<String, LineError>, ctx: Context<'_>) -> Action {
        let lang = ctx.lang;
        if !matches!(self.stage, Stage::Lines { .. }) {
            return Action::None;
        }
        let Ok(text) = line else {
            self.last = Some(Msg::ScanRejected.text(lang).into());
            return Action::None;
        };
        let config = ctx.config;
        match scan::parse(&text, &config.scanner.weighed, &config.volunteer.badge) {
            Scan::Goods { key, .. } => match ctx.catalog.by_ean(&key) {
                Some(product) => {
                    self.last = Some(tr(Msg::AddedScan, lang, &[("name", product.name.get(lang))]));
                    let id = product.id.clone();
                    self.add_one(&id)
                }
                None => {
                    self.last =
                        Some(format!("{} {}", Msg::NotFound.text(lang), tr(Msg::CodeIs, lang, &[("code", &key)])));
                    Action::None
                }
            },
            _ => {
                self.last = Some(Msg::ScanRejected.text(lang).into());
                Action::None
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        match &self.stage {
            Stage::Loading => loading(lang),
            Stage::Choose { notes, loose } => choose_view(notes, loose.as_ref(), lang),
            Stage::Lines { picking: Some(p), .. } => pick_view(ctx, *p),
            Stage::Lines { note, delivery, picking: None } => {
                let heading = match note {
                    Some(n) => note_title(n, lang),
                    None => M::NoNote.text(lang).to_owned(),
                };
                let hint = self.last.clone().unwrap_or_else(|| M::ScanGoods.text(lang).to_owned());
                let mut list = Column::new().spacing(theme::GAP);
                for i in self.pager.range(delivery.lines.len()) {
                    list = list.push(line_view(ctx, note.as_ref(), &delivery.lines[i], i));
                }
                // The list and the pager keep their room, so a line that comes (a scan of goods
                // not on the note) never moves the buttons under a finger.
                let pages: Element<'a, Message> = pager(self.pager, delivery.lines.len(), lang, Message::TurnPage)
                    .unwrap_or_else(|| space::vertical().into());
                column![
                    row![bold(heading, theme::BODY), label(hint, theme::BODY)].spacing(theme::PAD),
                    container(list).height(LIST_H),
                    container(pages).height(theme::TARGET),
                ]
                .push(nav(vec![
                    (M::OtherNote.text(lang).into(), Message::Back, Tap::Secondary),
                    (M::AddProduct.text(lang).into(), Message::AddProduct, Tap::Secondary),
                    (M::AllArrived.text(lang).into(), Message::AllArrived, Tap::Secondary),
                    (M::ConfirmReceipt.text(lang).into(), Message::Confirm, Tap::Primary),
                ]))
                .spacing(theme::GAP)
                .into()
            }
        }
    }
}

impl Default for Receive {
    fn default() -> Self {
        Receive::new()
    }
}

/// Short and over get a reason (少送 at first); a line that matches again has none.
fn set_reason(line: &mut ReceivedLine) {
    if line.received == line.expected {
        line.reason.clear();
    } else if line.reason.is_empty() {
        let first = if line.received < line.expected { M::ReasonShort } else { M::ReasonOther };
        line.reason = first.text(Lang::Zh).to_owned();
    }
}

fn note_title(n: &DispatchNote, lang: Lang) -> String {
    tr(M::NoteFrom, lang, &[("van", &n.van), ("stop", &n.stop.to_string()), ("date", &n.date)])
}

fn choose_view<'a>(
    notes: &'a [(DispatchNote, Option<Received>)],
    loose: Option<&Received>,
    lang: Lang,
) -> Element<'a, Message> {
    let mut col = Column::new().spacing(theme::GAP).push(bold(M::ChooseNote.text(lang), theme::TITLE));
    if notes.is_empty() {
        col = col.push(label(M::NoNotes.text(lang), theme::BODY));
    }
    for (i, (note, draft)) in notes.iter().enumerate().take(4) {
        let mut words = note_title(note, lang);
        if draft.is_some() {
            words = format!("{words} · {}", M::Saved.text(lang));
        }
        col =
            col.push(tap(bold(words, theme::BUTTON), Message::Choose(i), Tap::Secondary, Length::Fill, theme::TARGET));
    }
    let mut words = M::NoNote.text(lang).to_owned();
    if loose.is_some() {
        words = format!("{words} · {}", M::Saved.text(lang));
    }
    col.push(tap(label(words, theme::BUTTON), Message::Loose, Tap::Secondary, Length::Fill, theme::TARGET)).into()
}

fn line_view<'a>(ctx: Context<'a>, note: Option<&DispatchNote>, l: &ReceivedLine, i: usize) -> Element<'a, Message> {
    let lang = ctx.lang;
    let name = ctx
        .catalog
        .product(&ProductId::new(&l.product))
        .map(|p| p.name.get(lang).to_owned())
        .or_else(|| {
            note.and_then(|n| n.lines.iter().find(|d| d.product == l.product))
                .map(|d| if lang == Lang::Zh { d.name_zh.clone() } else { d.name_en.clone() })
        })
        .unwrap_or_else(|| l.product.clone());
    let diff = l.received - l.expected;
    let reason: Element<'a, Message> = if diff == 0 {
        label(" ", theme::BODY).width(260).into()
    } else {
        let words =
            REASONS.iter().find(|r| r.text(Lang::Zh) == l.reason).map_or(l.reason.clone(), |r| r.text(lang).to_owned());
        tap(
            label(tr(M::Reason, lang, &[("reason", &words)]), theme::BODY),
            Message::Reason(i),
            Tap::Secondary,
            260,
            theme::TARGET,
        )
    };
    container(
        row![
            bold(name, theme::BODY).width(Length::Fill),
            label(tr(M::Expected, lang, &[("n", &l.expected.to_string())]), theme::BODY).width(170),
            stepper(l.received.to_string(), Message::Less(i), Message::More(i)),
            bold(units_words(diff, lang), theme::BODY).width(190),
            reason,
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center),
    )
    .padding([4.0, theme::GAP])
    .height(LINE_H)
    .style(theme::panel)
    .into()
}

/// Goods picked by hand, category by category, for goods without a barcode.
fn pick_view<'a>(ctx: Context<'a>, page: Pager) -> Element<'a, Message> {
    let lang = ctx.lang;
    let products = products_in_order(ctx.catalog);
    let mut grid = Column::new().spacing(theme::GAP);
    for chunk in products[page.range(products.len())].chunks(3) {
        grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|p| {
            let content = column![bold(p.name.get(lang), theme::BODY), label(p.spec.get(lang), theme::BODY)]
                .align_x(Alignment::Center);
            tap(content, Message::Pick(p.id.clone()), Tap::Tile, Length::Fill, 160)
        })));
    }
    column![bold(M::AddProduct.text(lang), theme::TITLE), grid]
        .push(pager(page, products.len(), lang, Message::TurnPickPage))
        .push(nav(vec![(Msg::Cancel.text(lang).into(), Message::ClosePick, Tap::Secondary)]))
        .spacing(theme::GAP)
        .into()
}
