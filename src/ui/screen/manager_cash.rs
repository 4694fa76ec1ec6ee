//! Cash into or out of the box (with why), and the opening float, typed in yuan on the numpad.

use super::Context;
use super::manager::nav;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad, tap};
use iced::widget::{Row, column, container, row};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::api::manager::{CashKind, MAX_CASH_FEN};
use warm_core::domain::checkout::parse_yuan;
use warm_core::domain::{Lang, Money};
use warm_core::i18n::{ManagerMsg as M, tr};

const MAX_CHARS: usize = 9;
const REASONS: [M; 3] = [M::ReasonBank, M::ReasonFloat, M::ReasonOther];

#[derive(Debug, Clone)]
pub enum Message {
    Kind(CashKind),
    Key(Key),
    Reason(usize),
    Save,
}

pub enum Action {
    None,
    Save { id: Uuid, kind: CashKind, amount: Money, reason: String },
}

pub struct Cash {
    /// Made when the screen opened: saving twice is saving once.
    id: Uuid,
    pub kind: CashKind,
    pub entry: String,
    reason: usize,
}

impl Cash {
    pub fn new(id: Uuid) -> Cash {
        Cash { id, kind: CashKind::Float, entry: String::new(), reason: 0 }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Kind(kind) => self.kind = kind,
            Message::Key(key) => key.apply(&mut self.entry, MAX_CHARS, true),
            Message::Reason(i) => self.reason = i.min(REASONS.len() - 1),
            Message::Save => {
                let Some(amount) = parse_yuan(&self.entry).filter(|m| m.0 > 0 && m.0 <= MAX_CASH_FEN) else {
                    return Action::None;
                };
                let reason = match self.kind {
                    CashKind::Float => M::OpeningFloat.text(Lang::Zh).to_owned(),
                    _ => REASONS[self.reason].text(Lang::Zh).to_owned(),
                };
                return Action::Save { id: self.id, kind: self.kind, amount, reason };
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let choice = |chosen: bool, words: &str| if chosen { format!("✓ {words}") } else { words.to_owned() };
        let kinds = Row::new().spacing(theme::GAP).extend(
            [(CashKind::Float, M::OpeningFloat), (CashKind::In, M::CashIn), (CashKind::Out, M::CashOut)].map(
                |(kind, words)| {
                    let chosen = kind == self.kind;
                    let style = if chosen { Tap::Primary } else { Tap::Secondary };
                    tap(
                        bold(choice(chosen, words.text(lang)), theme::BUTTON),
                        Message::Kind(kind),
                        style,
                        Length::Fill,
                        theme::TARGET,
                    )
                },
            ),
        );
        let reasons: Element<'a, Message> = if self.kind == CashKind::Float {
            label(" ", theme::BODY).into()
        } else {
            Row::new()
                .spacing(theme::GAP)
                .extend(REASONS.iter().enumerate().map(|(i, r)| {
                    let chosen = i == self.reason;
                    let style = if chosen { Tap::Primary } else { Tap::Secondary };
                    tap(
                        label(choice(chosen, r.text(lang)), theme::BUTTON),
                        Message::Reason(i),
                        style,
                        Length::Fill,
                        theme::TARGET,
                    )
                }))
                .into()
        };
        let amount = match parse_yuan(&self.entry) {
            Some(m) => m.to_string(),
            None if self.entry.is_empty() => "_".to_owned(),
            None => self.entry.clone(),
        };
        let left = column![
            kinds,
            row![
                label(M::Amount.text(lang), theme::BODY),
                container(bold(amount, theme::TOTAL)).padding([0.0, theme::GAP])
            ]
            .spacing(theme::GAP)
            .align_y(Alignment::Center),
            reasons,
        ]
        .spacing(theme::PAD)
        .width(Length::Fill);
        let kind_words = match self.kind {
            CashKind::Float => M::OpeningFloat,
            CashKind::In => M::CashIn,
            CashKind::Out => M::CashOut,
        };
        column![
            row![left, numpad(lang, true, true, Message::Key)].spacing(theme::PAD),
            nav(vec![(tr(M::SaveWhat, lang, &[("what", kind_words.text(lang))]), Message::Save, Tap::Primary)]),
        ]
        .spacing(theme::PAD)
        .into()
    }
}
