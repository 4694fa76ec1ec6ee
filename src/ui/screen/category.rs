//! A category's products as big tiles, a page at a time; one tap adds one to the basket.

use super::Context;
use crate::ui::theme;
use crate::ui::widget::{Pager, pager, product_tile};
use iced::widget::{Column, Row, column, space};
use iced::{Element, Length};
use warm_core::domain::{CategoryId, ProductId};

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
                tiles =
                    tiles.push(product_tile(product, in_basket, ctx.pictures, lang, Message::Add(product.id.clone())));
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
