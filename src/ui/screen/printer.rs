//! The printer banner in the top bar of every screen while the printer has a problem: what is
//! wrong and what to do, in words (never only a colour), and how many slips are waiting. It
//! takes the room between the title and the language button, so no screen loses any height.

use crate::device::printer::worker::PrinterState;
use crate::ui::theme;
use crate::ui::widget::bold;
use iced::widget::container;
use iced::{Element, Length, alignment};
use warm_core::domain::Lang;
use warm_core::i18n::{Msg, tr};

pub fn banner<'a, M: 'a>(state: &PrinterState, lang: Lang) -> Option<Element<'a, M>> {
    let words = match state.problem {
        Some(problem) => problem.text(lang),
        None if state.paper_near_end => Msg::PrinterNearEnd.text(lang),
        None => return None,
    };
    let text = if state.pending > 0 {
        format!("{words} {}", tr(Msg::PrinterWaiting, lang, &[("n", &state.pending.to_string())]))
    } else {
        words.to_owned()
    };
    Some(
        container(bold(text, theme::BODY))
            .padding([0.0, theme::GAP])
            .width(Length::Fill)
            .height(theme::TARGET)
            .align_y(alignment::Vertical::Center)
            .style(theme::warning)
            .into(),
    )
}
