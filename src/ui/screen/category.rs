//! A category's sub-categories and products as big tiles, a page at a time; one tap on a product
//! adds one to the basket, one on a sub-category opens it.

use super::Context;
use crate::store::sales::Sales;
use crate::ui::picture::Kind;
use crate::ui::theme;
use crate::ui::widget::{
    Pager, bold, category_tile, fitted_picture, label, limited_tile, pager, price, product_tile, tile,
};
use iced::widget::{Column, Row, column, container, space};
use iced::{Alignment, Background, Border, Element, Length};
use warm_core::domain::{Catalog, CategoryId, Product, ProductId};
use warm_core::i18n::{ManagerMsg, Msg, tile_limit_words, tr};

/// Products per page at the reference size (3 columns × 2 rows); a smaller room (大字) has
/// what fits, down to one row of two. Whether a category shows its sub-categories first is
/// decided at this size, whatever the room.
pub const PAGE: usize = 6;
/// What the screen holds besides the grid: margin, top bar, pager and their gaps.
const AROUND_GRID: f32 = 2.0 * theme::PAD + theme::TARGET + theme::TARGET + 2.0 * theme::GAP;

fn grid_h(room: iced::Size) -> f32 {
    room.height - AROUND_GRID
}

/// Columns and rows of tiles that fit: as many as keep what a product's tile needs (its price
/// up to ￥99999.99 on one line, its picture and words), at most 3 × 2.
fn columns_rows(room: iced::Size) -> (usize, usize) {
    let rows = Pager::fitting(grid_h(room), theme::PRODUCT_TILE_MIN, theme::GAP).min(PAGE / tile::MAX_COLUMNS);
    (tile::columns(room), rows)
}

fn per_page(room: iced::Size) -> usize {
    let (columns, rows) = columns_rows(room);
    columns * rows
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Add(ProductId),
    /// A sub-category's tile (粮油 → 米).
    Open(CategoryId),
    TurnPage(bool),
}

pub enum Action {
    None,
    /// One more of this product into the basket.
    Add(ProductId),
    /// Show this sub-category.
    Open(CategoryId),
}

/// What a category's page shows: its sub-categories' tiles, then its products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Sub(CategoryId),
    Product(ProductId),
}

/// A category's tiles in the order seniors see them: when it has sub-categories and more than a
/// page of products, their tiles (each leading to its products), then its own products; else
/// every product under it at once — a category with few products goes straight to them. Products
/// in `sales` order (the co-op's order for the market, then what sells most here).
pub fn items(catalog: &Catalog, sales: &Sales, id: &CategoryId) -> Vec<Item> {
    let under = catalog.under(id);
    let children: Vec<_> = catalog.children(id).filter(|c| !catalog.under(&c.id).is_empty()).collect();
    let product = |p: &Product| Item::Product(p.id.clone());
    if children.is_empty() || under.len() <= PAGE {
        return sales.ordered(catalog, under).into_iter().map(product).collect();
    }
    let own = sales.ordered(catalog, catalog.in_category(id).collect());
    children.into_iter().map(|c| Item::Sub(c.id.clone())).chain(own.into_iter().map(product)).collect()
}

pub struct Category {
    pub id: CategoryId,
    pager: Pager,
    /// Fixed when the category opens: a sale or a sync never reorders tiles under a finger.
    items: Vec<Item>,
}

impl Category {
    pub fn new(id: CategoryId, items: Vec<Item>, room: iced::Size) -> Category {
        Category { id, pager: Pager::new(per_page(room)), items }
    }

    /// Tiles per page for a new room (大字), the first in view kept.
    pub fn fit_to(&mut self, room: iced::Size) {
        self.pager = self.pager.per_page_kept(per_page(room));
    }

    /// The tiles, in order, on every page.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The tiles on the page in view.
    pub fn in_view(&self) -> &[Item] {
        &self.items[self.pager.range(self.items.len())]
    }

    /// The page in view (from 0) and how many there are.
    pub fn page(&self) -> (usize, usize) {
        let pages = self.pager.pages(self.items.len());
        (self.pager.page.min(pages - 1), pages)
    }

    pub fn update(&mut self, message: Message, _ctx: Context<'_>) -> Action {
        match message {
            Message::Add(product) => Action::Add(product),
            Message::Open(id) => Action::Open(id),
            Message::TurnPage(forward) => {
                self.pager = self.pager.turned(forward, self.items.len());
                Action::None
            }
        }
    }

    /// The pictures of the page in view, then of the pages after and before it (decoded ahead,
    /// so a page turn shows pictures at once).
    pub fn pictures_ahead<'a>(&self, ctx: Context<'a>) -> Vec<(&'a str, Kind)> {
        let len = self.items.len();
        let mut pages = vec![self.pager, self.pager.turned(true, len), self.pager.turned(false, len)];
        pages.dedup();
        pages
            .into_iter()
            .flat_map(|page| self.items[page.range(len)].iter())
            .filter_map(|item| match item {
                Item::Sub(id) => ctx.catalog.category(id).map(|c| (c.picture.as_str(), Kind::Category)),
                Item::Product(id) => ctx.catalog.product(id).map(|p| (p.picture.as_str(), Kind::Product)),
            })
            .collect()
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let mut grid = Column::new().spacing(theme::GAP).height(Length::Fill);
        let shown = self.in_view();
        let (columns, rows) = columns_rows(ctx.room);
        for chunk in shown.chunks(columns) {
            let mut tiles = Row::new().spacing(theme::GAP).height(Length::Fill);
            for item in chunk {
                let tile: Element<'a, Message> = match item {
                    Item::Sub(id) => match ctx.catalog.category(id) {
                        Some(c) => category_tile(c, ctx.pictures, lang, Message::Open(c.id.clone())),
                        None => space::horizontal().into(),
                    },
                    Item::Product(id) => match ctx.catalog.product(id) {
                        Some(product) => product_or_limited_tile(product, ctx),
                        // Withdrawn by the hub meanwhile: its room stays, nothing moves.
                        None => space::horizontal().into(),
                    },
                };
                tiles = tiles.push(tile);
            }
            // Keep tiles the same width on a short last row.
            for _ in chunk.len()..columns {
                tiles = tiles.push(space::horizontal());
            }
            grid = grid.push(tiles);
        }
        // And the same height on a short last page: no tile grows under a finger.
        for _ in shown.chunks(columns).count()..rows {
            grid = grid.push(space::vertical());
        }
        column![grid]
            .push(pager(self.pager, self.items.len(), lang, Message::TurnPage))
            .spacing(theme::GAP)
            .width(Length::Fill)
            .into()
    }
}

/// A product's tile: gone (sold out), limited for this household (the limit and what is left in
/// words), or plain.
fn product_or_limited_tile<'a>(product: &'a Product, ctx: Context<'a>) -> Element<'a, Message> {
    let lang = ctx.lang;
    let in_basket = ctx.cart.qty(&product.id);
    let allowance = ctx.limits.allowance(product, in_basket);
    let limit_words = tile_limit_words(&allowance, product.unit.get(lang), ctx.limits.household.is_some(), lang);
    let add = Message::Add(product.id.clone());
    match limit_words {
        _ if !ctx.shelf.can_add(&product.id, in_basket) => gone_tile(product, in_basket, ctx),
        // At the limit the tile still takes a tap: the root explains why nothing is added.
        Some(words) => {
            let at_limit = ctx.limits.household.is_some() && !allowance.may_add_one();
            limited_tile(product, in_basket, words, at_limit, ctx.pictures, lang, add)
        }
        None => product_tile(product, in_basket, ctx.pictures, lang, add),
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
        fitted_picture(ctx.pictures, &product.picture, name, theme::TILE_PICTURE, lang),
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
