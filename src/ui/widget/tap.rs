//! The only way a screen makes something tappable, so every target gets the same minimum size,
//! style and an id the layout test finds them by.

use crate::ui::theme::{self, Tap};
use iced::widget::{button, container};
use iced::{Element, Length};

/// Id shared by every tap target; the accessibility test walks the tree for it.
pub const TAP_ID: &str = "tap";

pub fn tap<'a, M: Clone + 'a>(
    content: impl Into<Element<'a, M>>,
    on_press: M,
    kind: Tap,
    width: impl Into<Length>,
    height: impl Into<Length>,
) -> Element<'a, M> {
    let button = button(container(content).center(Length::Fill))
        .on_press(on_press)
        .padding(8)
        .width(width)
        .height(height)
        .style(move |_, status| theme::tap_style(kind, status));
    container(button).id(TAP_ID).into()
}
