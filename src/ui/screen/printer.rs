//! The printer banner above every screen while the printer has a problem: what is wrong and
//! what to do, in words (never only a colour), and how many slips are waiting.

use crate::i18n::{Msg, tr};
use crate::ui::theme;
use crate::ui::widget::{bold, label};
use crate::ui::{App, Element};
use iced::Length;
use iced::widget::{column, container};

pub fn banner(app: &App) -> Option<Element<'_>> {
    let lang = app.lang;
    let state = &app.printer;
    let words = match state.problem {
        Some(problem) => problem.text(lang),
        None if state.paper_near_end => Msg::PrinterNearEnd.text(lang),
        None => return None,
    };
    let mut text = column![bold(words, theme::TITLE)].spacing(theme::GAP / 2.0);
    if state.pending > 0 {
        text = text.push(label(tr(Msg::PrinterWaiting, lang, &[("n", &state.pending.to_string())]), theme::BODY));
    }
    Some(container(text).padding(theme::PAD).width(Length::Fill).style(theme::warning).into())
}
