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
    tap_maybe(content, Some(on_press), kind, width, height)
}

/// A target that may be switched off (`None`): it keeps its place and size, looks switched off
/// and takes no taps, so nothing else moves into its spot.
pub fn tap_maybe<'a, M: Clone + 'a>(
    content: impl Into<Element<'a, M>>,
    on_press: Option<M>,
    kind: Tap,
    width: impl Into<Length>,
    height: impl Into<Length>,
) -> Element<'a, M> {
    let button = button(container(content).center(Length::Fill))
        .on_press_maybe(on_press)
        .padding(theme::TAP_PAD)
        .width(width)
        .height(height)
        .style(move |_, status| theme::tap_style(kind, status));
    container(button).id(TAP_ID).into()
}
