//! A category's products as big tiles, a page at a time; one tap adds one to the basket.

use super::Context;
use crate::ui::theme;
use crate::ui::widget::{Pager, bold, label, limited_tile, pager, picture, price, product_tile};
use iced::widget::{Column, Row, column, container, space};
use iced::{Alignment, Background, Border, Element, Length};
use warm_core::domain::{CategoryId, Product, ProductId};
use warm_core::i18n::{ManagerMsg, Msg, tile_limit_words, tr};

const COLUMNS: usize = 3;
/// Products per page (3 columns × 2 rows).
pub const PAGE: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Add(ProductId),
    TurnPage(bool),
}

pub enum Action {
    None,
    /// One more of this product into the basket.
    Add(ProductId),
}

pub struct Category {
    pub id: CategoryId,
    pager: Pager,
}

impl Category {
    pub fn new(id: CategoryId) -> Category {
        Category { id, pager: Pager::new(PAGE) }
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        match message {
            Message::Add(product) => Action::Add(product),
            Message::TurnPage(forward) => {
                self.pager = self.pager.turned(forward, ctx.catalog.in_category(&self.id).count());
                Action::None
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let products: Vec<_> = ctx.catalog.in_category(&self.id).collect();
        let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
        for chunk in products[self.pager.range(products.len())].chunks(COLUMNS) {
            let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
            for product in chunk {
                let in_basket = ctx.cart.qty(&product.id);
                let allowance = ctx.limits.allowance(product, in_basket);
                let limit_words =
                    tile_limit_words(&allowance, product.unit.get(lang), ctx.limits.household.is_some(), lang);
                let add = Message::Add(product.id.clone());
                tiles = tiles.push(match limit_words {
                    _ if !ctx.shelf.can_add(&product.id, in_basket) => gone_tile(product, in_basket, ctx),
                    // At the limit the tile still takes a tap: the root explains why nothing is added.
                    Some(words) => {
                        let at_limit = ctx.limits.household.is_some() && !allowance.may_add_one();
                        limited_tile(product, in_basket, words, at_limit, ctx.pictures, lang, add)
                    }
                    None => product_tile(product, in_basket, ctx.pictures, lang, add),
                });
            }
            // Keep tiles the same width on a short last row.
            for _ in chunk.len()..COLUMNS {
                tiles = tiles.push(space::horizontal());
            }
            grid = grid.push(tiles);
        }
        // And the same height on a short last page: no tile grows under a finger.
        for _ in products[self.pager.range(products.len())].chunks(COLUMNS).count()..PAGE / COLUMNS {
            grid = grid.push(space::vertical());
        }
        column![grid]
            .push(pager(self.pager, products.len(), lang, Message::TurnPage))
            .spacing(theme::GAP)
            .width(Length::Fill)
            .into()
    }
}

/// A product with nothing left to add: greyed and not tappable, and it says why in words —
/// 已售完, or how many are left when the basket already holds them all.
fn gone_tile<'a>(product: &'a Product, in_basket: u32, ctx: Context<'a>) -> Element<'a, Message> {
    let lang = ctx.lang;
    let name = product.name.get(lang);
    let words = match ctx.shelf.left(&product.id) {
        Some(n) if n > 0 => tr(ManagerMsg::OnlyLeft, lang, &[("name", name), ("n", &n.to_string())]),
        _ => ManagerMsg::SoldOut.text(lang).to_owned(),
    };
    let in_basket =
        (in_basket > 0).then(|| label(tr(Msg::InBasket, lang, &[("n", &in_basket.to_string())]), theme::BODY));
    let content = column![
        picture(ctx.pictures, &product.picture, name, theme::TILE_PICTURE, lang),
        bold(name, theme::BODY),
        price(product.price, theme::PRICE).color(theme::INK),
        container(bold(words, theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning),
    ]
    .push(in_basket)
    .spacing(2)
    .align_x(Alignment::Center);
    container(content)
        .center(Length::Fill)
        .style(|_| container::Style {
            background: Some(Background::Color(theme::PRESSED)),
            border: Border { color: theme::INK, width: theme::BORDER, radius: theme::RADIUS.into() },
            text_color: Some(theme::INK),
            ..container::Style::default()
        })
        .into()
}
