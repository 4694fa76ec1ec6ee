//! Questions that sit over a screen: "empty the basket?" and "are you still there?".

use crate::ui::app::{Message, Modal};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{bold, label, tap};
use crate::ui::{App, Element};
use iced::Alignment;
use iced::widget::{center, column, container, row};
use std::time::Instant;
use warm_core::i18n::{Msg, tr};

/// Id of the question's card: only the targets inside it can be tapped while it is up.
pub const MODAL_ID: &str = "modal";

pub fn view(app: &App, modal: Modal) -> Element<'_> {
    let lang = app.lang;
    let (question, detail, yes, no) = match modal {
        Modal::ConfirmEmpty => (
            Msg::ConfirmEmptyTitle.text(lang).to_owned(),
            None,
            (Msg::ConfirmEmptyNo, Message::EmptyCancelled),
            (Msg::ConfirmEmptyYes, Message::EmptyConfirmed),
        ),
        Modal::StillThere { .. } => (
            Msg::StillThere.text(lang).to_owned(),
            Some(tr(Msg::StillThereBody, lang, &[("s", &app.seconds_until_clear(Instant::now()).to_string())])),
            (Msg::ImHere, Message::StillHere),
            (Msg::StartOver, Message::StartOver),
        ),
    };
    // The safe answer (keep the basket) is the primary, first button.
    let card = column![bold(question, theme::TOTAL)]
        .push(detail.map(|d| label(d, theme::BODY)))
        .push(
            row![
                tap(bold(yes.0.text(lang), theme::TITLE), yes.1, Tap::Primary, 400, theme::BIG_TARGET),
                tap(label(no.0.text(lang), theme::TITLE), no.1, Tap::Secondary, 400, theme::BIG_TARGET),
            ]
            .spacing(theme::PAD * 2.0),
        )
        .spacing(theme::PAD * 1.5)
        .align_x(Alignment::Center);
    center(container(card).id(MODAL_ID).padding(theme::PAD * 2.0).style(theme::panel)).style(theme::backdrop).into()
}
