//! The volunteer's PIN pad. The PIN is checked off the UI thread (argon2 takes a moment), by the
//! root, which also keeps the count of wrong tries; this screen only holds what was typed, the
//! last answer and the pause the root tells it about. During a pause the pad is switched off and
//! counts down, so no digit typed then is silently thrown away.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad, tap, tap_maybe};
use iced::widget::{center, column, container, row, space};
use iced::{Alignment, Element, Length};
use std::time::Duration;
use warm_core::domain::pin::PinOutcome;
use warm_core::i18n::{ManagerMsg, Msg, tr};

/// The longest PIN the pad takes.
const MAX_DIGITS: usize = 8;
/// The card's width and the status line's height never depend on the words in them, so no key
/// moves when a message comes or goes or the countdown loses a digit.
const CARD_WIDTH: f32 = 1000.0;
const STATUS_HEIGHT: f32 = 2.0 * theme::BODY * 1.3 + 2.0 * theme::GAP;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Key(Key),
    Ok,
    Cancel,
    /// 暖当家: the site manager's own PIN pad instead.
    Manager,
}

pub enum Action {
    None,
    /// Check this PIN (off the UI thread).
    Check(String),
    Leave,
    /// Open the site manager's mode (it asks for the manager's PIN, with its own pause).
    Manager,
}

/// What the line under the dots says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// The answer to the last try, when it was not accepted.
    Refused(PinOutcome),
    /// 确定 on an empty entry: said, and no try used up.
    TypeFirst,
}

#[derive(Debug, Clone, Default)]
pub struct Pin {
    entry: String,
    status: Option<Status>,
    checking: bool,
    /// Time left in a pause after too many wrong tries; the pad takes nothing meanwhile.
    locked: Option<Duration>,
}

impl Pin {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Cancel => Action::Leave,
            Message::Manager => Action::Manager,
            _ if self.locked.is_some() => Action::None,
            Message::Key(key) => {
                key.apply(&mut self.entry, MAX_DIGITS, false);
                if self.status == Some(Status::TypeFirst) {
                    self.status = None;
                }
                Action::None
            }
            Message::Ok if self.checking => Action::None,
            Message::Ok if self.entry.is_empty() => {
                self.status = Some(Status::TypeFirst);
                Action::None
            }
            Message::Ok => {
                self.checking = true;
                Action::Check(std::mem::take(&mut self.entry))
            }
        }
    }

    /// The root's answer to a `Check` that was not accepted.
    pub fn refused(&mut self, outcome: PinOutcome) {
        self.checking = false;
        self.status = Some(Status::Refused(outcome));
        if let PinOutcome::Paused { left } = outcome {
            self.locked = Some(left);
        }
    }

    /// The pause left, told by the root each second: `None` switches the pad back on.
    pub fn lock(&mut self, left: Option<Duration>) {
        if self.locked.is_some() && left.is_none() {
            self.status = None;
        }
        self.locked = left;
    }

    pub fn locked(&self) -> bool {
        self.locked.is_some()
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let dots = if self.entry.is_empty() { " ".to_owned() } else { "●".repeat(self.entry.len()) };
        let status = match (self.locked, self.status) {
            (Some(left), _) => Some(tr(Msg::PinPaused, lang, &[("s", &left.as_secs().max(1).to_string())])),
            (None, Some(Status::TypeFirst)) => Some(Msg::PinFirst.text(lang).to_owned()),
            (None, Some(Status::Refused(PinOutcome::Wrong { left }))) => {
                Some(tr(Msg::PinWrong, lang, &[("n", &left.to_string())]))
            }
            (None, _) => None,
        };
        let status: Element<'a, Message> = match status {
            Some(s) => {
                container(bold(s, theme::BODY)).padding(theme::GAP).width(Length::Fill).style(theme::warning).into()
            }
            None => space::vertical().into(),
        };
        let open = !self.locked();
        // A kiosk still on a demo PIN says so on every volunteer and manager screen (always the
        // same line while it lasts, so nothing under it moves).
        let demo = ctx.config.demo_pins().then(|| {
            container(bold(ManagerMsg::DemoPin.text(lang), theme::BODY))
                .padding([0.0, theme::GAP])
                .style(theme::warning)
        });
        let card = column![
            bold(Msg::EnterPin.text(lang), theme::TOTAL),
            bold(dots, theme::TOTAL),
            container(status).height(STATUS_HEIGHT).width(Length::Fill).center_x(Length::Fill),
            numpad(lang, false, open, Message::Key),
            row![
                tap_maybe(
                    bold(Msg::Ok.text(lang), theme::TITLE),
                    open.then_some(Message::Ok),
                    Tap::Primary,
                    300,
                    theme::BIG_TARGET
                ),
                tap(
                    label(Msg::Cancel.text(lang), theme::TITLE),
                    Message::Cancel,
                    Tap::Secondary,
                    300,
                    theme::BIG_TARGET
                ),
                tap(
                    label(ManagerMsg::ManagerOpen.text(lang), theme::TITLE),
                    Message::Manager,
                    Tap::Secondary,
                    300,
                    theme::BIG_TARGET
                ),
            ]
            .spacing(theme::PAD),
        ]
        .push(demo)
        .spacing(theme::GAP)
        .align_x(Alignment::Center);
        center(container(card).padding(theme::PAD).width(CARD_WIDTH).style(theme::panel)).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_pad_takes_no_digits_and_ok_on_nothing_uses_no_try() {
        let mut pin = Pin::default();
        assert!(matches!(pin.update(Message::Ok), Action::None), "nothing typed: nothing to check");
        assert_eq!(pin.status, Some(Status::TypeFirst));
        pin.refused(PinOutcome::Paused { left: Duration::from_secs(30) });
        pin.update(Message::Key(Key::Digit(2)));
        assert!(pin.entry.is_empty(), "a digit during the pause is not taken");
        assert!(matches!(pin.update(Message::Ok), Action::None));
        pin.lock(None);
        assert!(!pin.locked() && pin.status.is_none(), "the pause is over and says nothing more");
        pin.update(Message::Key(Key::Digit(2)));
        assert!(matches!(pin.update(Message::Ok), Action::Check(e) if e == "2"));
    }
}
