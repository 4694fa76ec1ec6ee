//! The basket panel, on screen beside every shopping screen: item count and total in large type,
//! each line with its picture and big − / + buttons, and the way to the order.

use super::{Pager, bold, label, pager, picture, price, tap};
use crate::ui::picture::Pictures;
use crate::ui::theme::{self, Tap};
use iced::widget::{Column, column, container, row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::{Cart, Catalog, Lang, ProductId};
use warm_core::i18n::{Msg, tr};

/// What a tap on the basket asks for; the root owns the basket and acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Increase(ProductId),
    Decrease(ProductId),
    TurnPage(bool),
    /// 清空: asks first.
    AskEmpty,
    /// 下单: to the review screen.
    Review,
}

/// The basket's fixed heights: the list takes what the total and the buttons leave of the
/// room's height, so 合计 and 下单 stay put whatever the page holds.
const LINE_H: f32 = theme::BODY * 1.3 + theme::TARGET;
const AROUND_LIST: f32 = 2.0 * theme::PAD // the screen's margin
    + theme::TARGET // the top bar
    + theme::GAP
    + 2.0 * theme::PAD // the panel's padding
    + theme::TARGET // the pager
    + theme::TOTAL * 1.3 // the total
    + theme::BIG_TARGET // 清空 / 下单
    + 3.0 * theme::GAP;

fn list_h(room: iced::Size) -> f32 {
    room.height - AROUND_LIST
}

/// Lines per page: as many as fit the room.
pub fn lines_page(room: iced::Size) -> usize {
    super::Pager::fitting(list_h(room), LINE_H, theme::GAP)
}

pub fn basket<'a>(
    cart: &'a Cart,
    catalog: &'a Catalog,
    pictures: &Pictures,
    page: Pager,
    lang: Lang,
    room: iced::Size,
) -> Element<'a, Message> {
    let lines: Element<'a, Message> = if cart.is_empty() {
        column![bold(Msg::Basket.text(lang), theme::TITLE), label(Msg::BasketEmpty.text(lang), theme::BODY)]
            .spacing(theme::GAP)
            .into()
    } else {
        let mut list = Column::new().spacing(theme::GAP);
        for line in &cart.lines()[page.range(cart.lines().len())] {
            let Some(product) = catalog.product(&line.product) else { continue };
            let name = product.name.get(lang);
            let controls = row![
                tap(
                    bold("−", theme::TITLE),
                    Message::Decrease(line.product.clone()),
                    Tap::Secondary,
                    theme::TARGET,
                    theme::TARGET
                ),
                bold(line.qty.to_string(), theme::TITLE).width(64).center(),
                tap(
                    bold("+", theme::TITLE),
                    Message::Increase(line.product.clone()),
                    Tap::Secondary,
                    theme::TARGET,
                    theme::TARGET
                ),
                space::horizontal(),
                price(product.price * line.qty, theme::PRICE).width(theme::PRICE_W).align_x(Alignment::End),
            ]
            .spacing(12)
            .align_y(Alignment::Center);
            list = list.push(
                row![
                    picture(pictures, &product.picture, name, theme::LINE_PICTURE, lang),
                    column![container(bold(name, theme::BODY)).height(theme::BODY * 1.3).clip(true), controls]
                        .width(Length::Fill),
                ]
                .spacing(theme::GAP)
                .height(LINE_H)
                .align_y(Alignment::Center),
            );
        }
        list.into()
    };

    // 合计 with the count beside it: one row, so the list has the room a title would take.
    let count = tr(Msg::ItemCount, lang, &[("n", &cart.item_count().to_string())]);
    let total = row![
        bold(Msg::Total.text(lang), theme::TITLE),
        label(count, theme::BODY),
        space::horizontal(),
        price(cart.total(catalog), theme::TOTAL)
    ]
    .spacing(theme::GAP)
    .align_y(Alignment::Center)
    .height(theme::TOTAL * 1.3);
    let actions = (!cart.is_empty()).then(|| {
        row![
            tap(
                label(Msg::EmptyBasket.text(lang), theme::BUTTON),
                Message::AskEmpty,
                Tap::Secondary,
                200,
                theme::BIG_TARGET
            ),
            tap(
                bold(Msg::PlaceOrder.text(lang), theme::TITLE),
                Message::Review,
                Tap::Primary,
                Length::Fill,
                theme::BIG_TARGET
            ),
        ]
        .spacing(theme::GAP)
    });

    // The pager's room is kept when it is not there, so 合计 and 下单 stay put.
    let pager = pager(page, cart.lines().len(), lang, Message::TurnPage)
        .unwrap_or_else(|| space::vertical().height(theme::TARGET).into());
    let content = column![container(lines).height(list_h(room)), pager].push(total).push(actions).spacing(theme::GAP);
    container(content).padding(theme::PAD).width(theme::BASKET_WIDTH).height(Length::Fill).style(theme::panel).into()
}
