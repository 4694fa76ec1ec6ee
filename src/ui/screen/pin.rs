//! The volunteer's PIN pad. The PIN is checked off the UI thread (argon2 takes a moment), by the
//! root, which also keeps the count of wrong tries; this screen only holds what was typed and
//! the last answer.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad, tap};
use iced::widget::{center, column, container, row};
use iced::{Alignment, Element};
use warm_core::domain::pin::PinOutcome;
use warm_core::i18n::{Msg, tr};

/// The longest PIN the pad takes.
const MAX_DIGITS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Key(Key),
    Ok,
    Cancel,
}

pub enum Action {
    None,
    /// Check this PIN (off the UI thread).
    Check(String),
    Leave,
}

#[derive(Debug, Clone, Default)]
pub struct Pin {
    entry: String,
    /// The answer to the last try, when it was not accepted.
    outcome: Option<PinOutcome>,
    checking: bool,
}

impl Pin {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Cancel => Action::Leave,
            Message::Key(key) => {
                key.apply(&mut self.entry, MAX_DIGITS, false);
                Action::None
            }
            Message::Ok if self.checking => Action::None,
            Message::Ok => {
                self.checking = true;
                Action::Check(std::mem::take(&mut self.entry))
            }
        }
    }

    /// The root's answer to a `Check` that was not accepted.
    pub fn refused(&mut self, outcome: PinOutcome) {
        self.checking = false;
        self.outcome = Some(outcome);
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let dots = if self.entry.is_empty() { " ".to_owned() } else { "●".repeat(self.entry.len()) };
        let status = self.outcome.and_then(|outcome| match outcome {
            PinOutcome::Accepted => None,
            PinOutcome::Wrong { left } => Some(tr(Msg::PinWrong, lang, &[("n", &left.to_string())])),
            PinOutcome::Paused { left } => Some(tr(Msg::PinPaused, lang, &[("s", &left.as_secs().max(1).to_string())])),
        });
        let card = column![bold(Msg::EnterPin.text(lang), theme::TOTAL), bold(dots, theme::TOTAL)]
            .push(status.map(|s| container(bold(s, theme::TITLE)).padding(theme::GAP).style(theme::warning)))
            .push(numpad(lang, false, Message::Key))
            .push(
                row![
                    tap(bold(Msg::Ok.text(lang), theme::TITLE), Message::Ok, Tap::Primary, 300, theme::BIG_TARGET),
                    tap(
                        label(Msg::Cancel.text(lang), theme::TITLE),
                        Message::Cancel,
                        Tap::Secondary,
                        300,
                        theme::BIG_TARGET
                    ),
                ]
                .spacing(theme::PAD),
            )
            .spacing(theme::GAP)
            .align_x(Alignment::Center);
        center(container(card).padding(theme::PAD).style(theme::panel)).into()
    }
}
