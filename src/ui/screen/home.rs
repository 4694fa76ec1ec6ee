//! Home: a first row of today's daily goods list (when the hub published one) or else the day's
//! most-bought products (when anything sold today), then the
//! top categories' tiles, six to a page; the root puts the basket beside them.

use super::Context;
use crate::store::sales::HomeRow;
use crate::ui::picture::Kind;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, category_tile, label, pager, picture, price, tap, tile};
use iced::widget::{Column, Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::{CategoryId, ProductId};
use warm_core::i18n::Msg;

/// Category tiles per page at the reference size (3 columns × 2 rows); a smaller room (大字)
/// has what fits.
pub const PAGE: usize = 6;
/// The most-bought row: how many products, and its fixed height.
pub const TOP: usize = 3;
const TOP_HEIGHT: f32 = 128.0;
/// What home's column holds besides the grid: the screen's margin, the top bar, the prompt and
/// the pager, with their gaps (the first row's is added when it is there).
const AROUND_GRID: f32 = 2.0 * theme::PAD + theme::TARGET + theme::BODY * 1.3 + theme::TARGET + 3.0 * theme::GAP;
const TOP_ROW_H: f32 = theme::BODY * 1.3 + 4.0 + TOP_HEIGHT + theme::GAP;

/// The grid's height in `room`, with or without the first row above it.
fn grid_h(room: iced::Size, top_row: bool) -> f32 {
    room.height - AROUND_GRID - if top_row { TOP_ROW_H } else { 0.0 }
}

/// Rows of category tiles that fit: two where each keeps the least a tile needs, else one.
fn rows(room: iced::Size, top_row: bool) -> usize {
    Pager::fitting(grid_h(room, top_row), theme::CATEGORY_TILE_MIN, theme::GAP).min(PAGE / tile::MAX_COLUMNS)
}

fn per_page(room: iced::Size, top_row: bool) -> usize {
    tile::columns(room) * rows(room, top_row)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    OpenCategory(CategoryId),
    /// A product of the most-bought row: one more into the basket.
    Add(ProductId),
    TurnPage(bool),
}

pub enum Action {
    None,
    Open(CategoryId),
    Add(ProductId),
}

/// What home shows besides the catalog: the day's most-bought products, fixed when home opens
/// (an order placed meanwhile at the counter never moves a tile under a finger), and the page.
#[derive(Debug)]
pub struct Home {
    top: Vec<ProductId>,
    /// The row is the hub's daily goods list, not only what sold most today.
    daily: bool,
    pager: Pager,
}

impl Default for Home {
    fn default() -> Self {
        Home::new(HomeRow::default(), theme::REFERENCE_SIZE)
    }
}

impl Home {
    pub fn new(row: HomeRow, room: iced::Size) -> Home {
        let pager = Pager::new(per_page(room, !row.products.is_empty()));
        Home { top: row.products, daily: row.daily, pager }
    }

    /// Tiles per page for a new room (大字), the first in view kept.
    pub fn fit_to(&mut self, room: iced::Size) {
        self.pager = self.pager.per_page_kept(per_page(room, !self.top.is_empty()));
    }

    /// The first row's products (empty: no row).
    pub fn top(&self) -> &[ProductId] {
        &self.top
    }

    /// The page of categories asked for (from 0), before clamping to the catalog.
    pub fn page_index(&self) -> usize {
        self.pager.page
    }

    /// The page of categories in view (from 0) and how many there are.
    pub fn page(&self, ctx: Context<'_>) -> (usize, usize) {
        let pages = self.pager.pages(ctx.catalog.top_categories().count());
        (self.pager.page.min(pages - 1), pages)
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        match message {
            Message::OpenCategory(id) => Action::Open(id),
            Message::Add(id) => Action::Add(id),
            Message::TurnPage(forward) => {
                self.pager = self.pager.turned(forward, ctx.catalog.top_categories().count());
                Action::None
            }
        }
    }

    /// The pictures home shows (the row, the page of categories), then the next page's.
    pub fn pictures_ahead<'a>(&self, ctx: Context<'a>) -> Vec<(&'a str, Kind)> {
        let categories: Vec<_> = ctx.catalog.top_categories().collect();
        let len = categories.len();
        let top = self.top.iter().filter_map(|id| ctx.catalog.product(id)).map(|p| (p.picture.as_str(), Kind::Product));
        top.chain(
            [self.pager, self.pager.turned(true, len)]
                .into_iter()
                .flat_map(|page| categories[page.range(len)].to_vec())
                .map(|c| (c.picture.as_str(), Kind::Category)),
        )
        .collect()
    }

    /// `notice`: what happened while nobody was looking (a basket cleared after a quiet spell).
    pub fn view<'a>(&'a self, ctx: Context<'a>, notice: Option<Msg>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let categories: Vec<_> = ctx.catalog.top_categories().collect();
        let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
        let (columns, rows) = (tile::columns(ctx.room), rows(ctx.room, !self.top.is_empty()));
        for chunk in categories[self.pager.range(categories.len())].chunks(columns) {
            let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
            for category in chunk {
                let open = Message::OpenCategory(category.id.clone());
                tiles = tiles.push(category_tile(category, ctx.pictures, lang, open));
            }
            if categories.len() > columns {
                // Same widths on a short last row, as on the category pages.
                for _ in chunk.len()..columns {
                    tiles = tiles.push(space::horizontal());
                }
            }
            grid = grid.push(tiles);
        }
        if categories.len() > self.pager.per_page {
            for _ in categories[self.pager.range(categories.len())].chunks(columns).count()..rows {
                grid = grid.push(space::vertical());
            }
        }
        let prompt: Element<'a, Message> = match notice {
            Some(notice) => {
                container(label(notice.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning).into()
            }
            None => label(Msg::ChooseCategory.text(lang), theme::BODY).into(),
        };
        let top = self.top_row(ctx);
        column![prompt]
            .push(top)
            .push(grid)
            .push(pager(self.pager, categories.len(), lang, Message::TurnPage))
            .spacing(theme::GAP)
            .width(Length::Fill)
            .into()
    }

    /// The day's most-bought products as wide tiles (picture, name, price; one tap adds one),
    /// or nothing when nothing sold today.
    fn top_row<'a>(&'a self, ctx: Context<'a>) -> Option<Element<'a, Message>> {
        let lang = ctx.lang;
        let products: Vec<_> = self.top.iter().filter_map(|id| ctx.catalog.product(id)).collect();
        if products.is_empty() {
            return None;
        }
        let mut tiles = Row::new().spacing(theme::GAP).height(TOP_HEIGHT);
        for product in &products {
            let name = product.name.get(lang);
            let in_basket = ctx.cart.qty(&product.id);
            // Two lines only, to leave the category tiles their room; what is in the basket is
            // said in words in the basket beside.
            let words = column![bold(name, theme::BODY), price(product.price, theme::PRICE)].spacing(0);
            let content = row![picture(ctx.pictures, &product.picture, name, theme::LINE_PICTURE, lang), words]
                .spacing(theme::GAP)
                .align_y(Alignment::Center);
            let kind = if in_basket > 0 { Tap::TileAdded } else { Tap::Tile };
            tiles = if ctx.shelf.can_add(&product.id, in_basket) {
                tiles.push(tap(content, Message::Add(product.id.clone()), kind, Length::Fill, Length::Fill))
            } else {
                // Sold out since home opened: its room stays, it takes no tap.
                tiles.push(space::horizontal())
            };
        }
        for _ in products.len()..TOP {
            tiles = tiles.push(space::horizontal());
        }
        let title = if self.daily { Msg::DailyGoodsToday } else { Msg::MostBoughtToday };
        Some(column![bold(title.text(lang), theme::BODY), tiles].spacing(4).into())
    }
}
