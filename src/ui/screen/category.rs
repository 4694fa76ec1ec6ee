//! A category's products as big tiles, a page at a time; one tap adds one to the basket.

use crate::ui::app::Message;
use crate::ui::theme;
use crate::ui::widget::{Pager, basket, pager, product_tile};
use crate::ui::{App, Element};
use iced::Length;
use iced::widget::{Column, Row, column, row, space};
use warm_core::domain::CategoryId;

const COLUMNS: usize = 3;

pub fn view<'a>(app: &'a App, id: &'a CategoryId, page: Pager) -> Element<'a> {
    let (lang, catalog) = (app.lang, &*app.ctx.catalog);
    let products: Vec<_> = catalog.in_category(id).collect();
    let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
    for chunk in products[page.range(products.len())].chunks(COLUMNS) {
        let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
        for product in chunk {
            tiles = tiles.push(product_tile(product, app.cart.qty(&product.id), &app.ctx.pictures, lang));
        }
        // Keep tiles the same width on a short last row.
        for _ in chunk.len()..COLUMNS {
            tiles = tiles.push(space::horizontal());
        }
        grid = grid.push(tiles);
    }
    let main = column![grid].push(pager(page, products.len(), lang, Message::TurnGridPage)).spacing(theme::GAP);
    row![main.width(Length::Fill), basket(&app.cart, catalog, &app.ctx.pictures, app.basket_pager, lang)]
        .spacing(theme::PAD)
        .into()
}
