//! Home: the six (or more) category tiles; the root puts the basket beside them.

use super::Context;
use crate::ui::theme;
use crate::ui::widget::{category_tile, label};
use iced::widget::{Column, Row, column, container};
use iced::{Element, Length};
use warm_core::domain::CategoryId;
use warm_core::i18n::Msg;

const COLUMNS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    OpenCategory(CategoryId),
}

pub enum Action {
    Open(CategoryId),
}

/// Home has no state of its own: what it shows is the catalog, and a notice from the root.
#[derive(Debug, Default)]
pub struct Home;

impl Home {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::OpenCategory(id) => Action::Open(id),
        }
    }

    /// `notice`: what happened while nobody was looking (a basket cleared after a quiet spell).
    pub fn view<'a>(&'a self, ctx: Context<'a>, notice: Option<Msg>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
        for chunk in ctx.catalog.categories.chunks(COLUMNS) {
            let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
            for category in chunk {
                tiles =
                    tiles.push(category_tile(category, ctx.pictures, lang, Message::OpenCategory(category.id.clone())));
            }
            grid = grid.push(tiles);
        }
        let prompt: Element<'a, Message> = match notice {
            Some(notice) => {
                container(label(notice.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning).into()
            }
            None => label(Msg::ChooseCategory.text(lang), theme::BODY).into(),
        };
        column![prompt, grid].spacing(theme::GAP).width(Length::Fill).into()
    }
}
