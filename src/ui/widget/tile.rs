//! Big picture tiles: one tap adds a product or opens a category.

use super::{bold, label, price, tap};
use crate::ui::picture::Pictures;
use crate::ui::theme::{self, Tap};
use iced::widget::{column, container, image};
use iced::{Alignment, Element, Length};
use warm_core::domain::{Category, Lang, Product};
use warm_core::i18n::{Msg, tr};

/// The most tiles a row of a grid has (home's categories, a category's products).
pub const MAX_COLUMNS: usize = 3;

/// How many tiles side by side fit beside the basket in `room` (at most three).
pub fn columns(room: iced::Size) -> usize {
    let beside = 2.0 * theme::PAD + theme::BASKET_WIDTH + theme::PAD;
    super::Pager::fitting(room.width - beside, theme::TILE_MIN_W, theme::GAP).min(MAX_COLUMNS)
}

/// A picture; while it is being decoded, the thing's name on a calm tile of the same size (so
/// nothing moves when it comes); when it is missing, the same tile also says there is no picture.
pub fn picture<'a, M: 'a>(
    pictures: &Pictures,
    path: &str,
    name: &str,
    side: impl Into<Length>,
    lang: Lang,
) -> Element<'a, M> {
    let side = side.into();
    match pictures.get(path) {
        Some(handle) => image(handle.clone()).width(side).height(side).into(),
        None => {
            let words = pictures.is_missing(path).then(|| label(Msg::PicturePlaceholder.text(lang), theme::BODY));
            container(column![label(name.to_owned(), theme::BODY)].push(words).align_x(Alignment::Center))
                .center(side)
                .style(theme::panel)
                .into()
        }
    }
}

/// A tile's picture: centred in the height its words leave, at most `side` square, so a tile
/// never pushes its words out and a tall tile (大字's one row) shows its picture as big as allowed.
pub fn fitted_picture<'a, M: 'a>(pictures: &Pictures, path: &str, name: &str, side: f32, lang: Lang) -> Element<'a, M> {
    container(
        container(picture(pictures, path, name, Length::Fill, lang))
            .center(Length::Fill)
            .max_width(side)
            .max_height(side),
    )
    .center(Length::Fill)
    .into()
}

/// A category's tile: its name (on one line or two) under its picture, which takes the height
/// the name leaves, up to `CATEGORY_PICTURE`; so a shorter row (大字, home's first row above)
/// never pushes the name out of the tile.
pub fn category_tile<'a, M: Clone + 'a>(
    category: &'a Category,
    pictures: &Pictures,
    lang: Lang,
    on_press: M,
) -> Element<'a, M> {
    let name = category.name.get(lang);
    let picture = fitted_picture(pictures, &category.picture, name, theme::CATEGORY_PICTURE, lang);
    let content = column![picture, bold(name, theme::TITLE)].spacing(theme::GAP).align_x(Alignment::Center);
    tap(content, on_press, Tap::Tile, Length::Fill, Length::Fill)
}

/// A product's tile: its spec and price under the name.
pub fn product_tile<'a, M: Clone + 'a>(
    product: &'a Product,
    in_basket: u32,
    pictures: &Pictures,
    lang: Lang,
    on_press: M,
) -> Element<'a, M> {
    let words = vec![label(product.spec.get(lang), theme::BODY).into(), price(product.price, theme::PRICE).into()];
    product_tap(product, in_basket, words, pictures, lang, on_press)
}

/// A product with a purchase limit for this household (issue 10): the limit and what is left
/// in words (`limit`: two lines), and how many are in the basket. At the limit it still takes a
/// tap, which only explains (the root says why); it looks done and says so.
pub fn limited_tile<'a, M: Clone + 'a>(
    product: &'a Product,
    in_basket: u32,
    limit: [String; 2],
    at_limit: bool,
    pictures: &Pictures,
    lang: Lang,
    on_press: M,
) -> Element<'a, M> {
    let [per, left] = limit;
    let left: Element<'a, M> = if at_limit {
        container(bold(left, theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning).into()
    } else {
        bold(left, theme::BODY).into()
    };
    let words = vec![price(product.price, theme::PRICE).into(), label(per, theme::BODY).center().into(), left];
    product_tap(product, in_basket, words, pictures, lang, on_press)
}

/// A product's picture and name, `words` under them, and how many are already in the basket —
/// said in words, so the feedback of a tap never rests on colour alone.
fn product_tap<'a, M: Clone + 'a>(
    product: &'a Product,
    in_basket: u32,
    words: Vec<Element<'a, M>>,
    pictures: &Pictures,
    lang: Lang,
    on_press: M,
) -> Element<'a, M> {
    let name = product.name.get(lang);
    let status: Element<'a, M> = if in_basket > 0 {
        container(bold(tr(Msg::InBasket, lang, &[("n", &in_basket.to_string())]), theme::BODY))
            .padding([0.0, theme::GAP])
            .style(theme::badge)
            .into()
    } else {
        label(Msg::TapToAdd.text(lang), theme::BODY).into()
    };
    let content =
        column![fitted_picture(pictures, &product.picture, name, theme::TILE_PICTURE, lang), bold(name, theme::BODY)]
            .extend(words)
            .push(status)
            .spacing(2)
            .align_x(Alignment::Center);
    let kind = if in_basket > 0 { Tap::TileAdded } else { Tap::Tile };
    tap(content, on_press, kind, Length::Fill, Length::Fill)
}
