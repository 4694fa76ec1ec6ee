//! Home: the six (or more) category tiles, and the basket beside them.

use crate::ui::theme;
use crate::ui::widget::{basket, category_tile, label};
use crate::ui::{App, Element};
use iced::Length;
use iced::widget::{Column, Row, column, container, row};
use warm_core::i18n::Msg;

const COLUMNS: usize = 3;

pub fn view(app: &App) -> Element<'_> {
    let (lang, catalog) = (app.lang, &*app.ctx.catalog);
    let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
    for chunk in catalog.categories.chunks(COLUMNS) {
        let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
        for category in chunk {
            tiles = tiles.push(category_tile(category, &app.ctx.pictures, lang));
        }
        grid = grid.push(tiles);
    }
    let prompt: Element<'_> = match app.notice {
        Some(notice) => {
            container(label(notice.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning).into()
        }
        None => label(Msg::ChooseCategory.text(lang), theme::BODY).into(),
    };
    row![
        column![prompt, grid].spacing(theme::GAP).width(Length::Fill),
        basket(&app.cart, catalog, &app.ctx.pictures, app.basket_pager, lang),
    ]
    .spacing(theme::PAD)
    .into()
}
