//! Building blocks shared by the screens.

pub mod basket;
pub mod numpad;
mod pager;
mod pointerless;
mod tap;
pub mod tile;

pub use basket::basket;
pub use numpad::numpad;
pub use pager::{Pager, pager};
pub use pointerless::pointerless;
pub use tap::{TAP_ID, tap, tap_maybe};
pub use tile::{category_tile, fitted_picture, limited_tile, picture, product_tile};

use super::theme;
use iced::widget::text;

/// Body text in the bundled font; `size` comes from `theme`.
pub fn label<'a>(content: impl text::IntoFragment<'a>, size: f32) -> iced::widget::Text<'a> {
    text(content).size(size).font(theme::FONT).line_height(1.3)
}

pub fn bold<'a>(content: impl text::IntoFragment<'a>, size: f32) -> iced::widget::Text<'a> {
    label(content, size).font(theme::BOLD)
}

/// A price: bold, large and in the price colour, always with its ￥ sign so it reads without colour.
pub fn price<'a>(money: warm_core::domain::Money, size: f32) -> iced::widget::Text<'a> {
    bold(money.to_string(), size).color(theme::PRICE_INK)
}
