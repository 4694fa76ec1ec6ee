//! The printer banner in the top bar of every screen while the printer has a problem: what is
//! wrong and what to do, in words (never only a colour), and how many slips are waiting. It
//! takes the room of the market's name and the sync corner, so no screen loses any height.

use crate::device::printer::worker::PrinterState;
use crate::ui::theme;
use crate::ui::widget::{bold, label};
use iced::widget::{column, container};
use iced::{Element, Length, alignment};
use warm_core::domain::Lang;
use warm_core::i18n::{Msg, tr};

/// `compact` (less room in the top bar): only what is wrong, on up to two lines; the count of
/// waiting slips is on the volunteer's counter.
pub fn banner<'a, M: 'a>(state: &PrinterState, lang: Lang, compact: bool) -> Option<Element<'a, M>> {
    let words = match state.problem {
        Some(problem) => problem.text(lang),
        None if state.paper_near_end => Msg::PrinterNearEnd.text(lang),
        None => return None,
    };
    // What is wrong on the first line, what waits on the second: each has its own line.
    let waiting =
        (state.pending > 0 && !compact).then(|| tr(Msg::PrinterWaiting, lang, &[("n", &state.pending.to_string())]));
    Some(
        container(column![bold(words, theme::BODY)].push(waiting.map(|w| label(w, theme::BODY))))
            .padding([0.0, theme::GAP])
            .width(Length::Fill)
            .height(theme::TARGET)
            .align_y(alignment::Vertical::Center)
            .style(theme::warning)
            .into(),
    )
}
