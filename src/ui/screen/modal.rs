//! Questions that sit over a screen: "empty the basket?", "take this out?", "are you still
//! there?", and why + did nothing at a purchase limit.

use crate::ui::theme::{self, Tap};
use crate::ui::widget::{bold, label, tap};
use iced::widget::{center, column, container, row};
use iced::{Alignment, Element, Length};
use std::time::Instant;
use warm_core::domain::{Lang, ProductId, Text};
use warm_core::i18n::{HouseholdWords, Msg, tr};

/// Id of the question's card: only the targets inside it can be tapped while it is up.
pub const MODAL_ID: &str = "modal";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    ConfirmEmpty,
    /// − on the last one of a product: the line would go, so the senior is asked (no undo).
    ConfirmRemove {
        product: ProductId,
        name: Text,
    },
    StillThere {
        since: Instant,
    },
    /// + on a product at the household's limit (issue 10): why nothing was added, and one answer.
    AtLimit {
        words: String,
    },
}

/// The two answers. The safe one (keep the basket) is the primary, first button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Keep,
    Clear,
}

/// `seconds_left`: before an unanswered "还在吗？" clears the basket.
pub fn view<'a>(modal: &Modal, lang: Lang, seconds_left: u64) -> Element<'a, Message> {
    let (question, detail, yes, no) = match modal {
        Modal::ConfirmEmpty => (
            Msg::ConfirmEmptyTitle.text(lang).to_owned(),
            None,
            Msg::ConfirmEmptyNo.text(lang),
            Some(Msg::ConfirmEmptyYes.text(lang)),
        ),
        Modal::ConfirmRemove { name, .. } => (
            tr(Msg::ConfirmRemoveTitle, lang, &[("name", name.get(lang))]),
            None,
            Msg::ConfirmRemoveNo.text(lang),
            Some(Msg::ConfirmRemoveYes.text(lang)),
        ),
        Modal::StillThere { .. } => (
            Msg::StillThere.text(lang).to_owned(),
            Some(tr(Msg::StillThereBody, lang, &[("s", &seconds_left.to_string())])),
            Msg::ImHere.text(lang),
            Some(Msg::StartOver.text(lang)),
        ),
        // Nothing to decide: one answer, which changes nothing.
        Modal::AtLimit { words } => (
            HouseholdWords::AtLimitTitle.text(lang).to_owned(),
            Some(words.clone()),
            HouseholdWords::OkGotIt.text(lang),
            None,
        ),
    };
    let card = column![bold(question, theme::TOTAL)]
        .push(detail.map(|d| {
            let words = label(d, theme::BODY);
            // A long explanation wraps within the card instead of stretching it across the screen.
            if matches!(modal, Modal::AtLimit { .. }) { words.width(Length::Fixed(1100.0)).center() } else { words }
        }))
        .push(
            row![tap(bold(yes, theme::TITLE), Message::Keep, Tap::Primary, 400, theme::BIG_TARGET),]
                .push(no.map(|no| tap(label(no, theme::TITLE), Message::Clear, Tap::Secondary, 400, theme::BIG_TARGET)))
                .spacing(theme::PAD * 2.0),
        )
        .spacing(theme::PAD * 1.5)
        .align_x(Alignment::Center);
    center(container(card).id(MODAL_ID).padding(theme::PAD * 2.0).style(theme::panel)).style(theme::backdrop).into()
}
