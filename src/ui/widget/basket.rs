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

pub fn basket<'a>(
    cart: &'a Cart,
    catalog: &'a Catalog,
    pictures: &Pictures,
    page: Pager,
    lang: Lang,
) -> Element<'a, Message> {
    let count = tr(Msg::ItemCount, lang, &[("n", &cart.item_count().to_string())]);
    let header = row![bold(Msg::Basket.text(lang), theme::TITLE), space::horizontal(), label(count, theme::BODY)]
        .align_y(Alignment::Center);

    let lines: Element<'a, Message> = if cart.is_empty() {
        container(label(Msg::BasketEmpty.text(lang), theme::BODY)).padding([theme::PAD, 0.0]).into()
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
                bold(line.qty.to_string(), theme::TITLE).width(56).center(),
                tap(
                    bold("+", theme::TITLE),
                    Message::Increase(line.product.clone()),
                    Tap::Secondary,
                    theme::TARGET,
                    theme::TARGET
                ),
                space::horizontal(),
                price(product.price * line.qty, theme::PRICE),
            ]
            .spacing(12)
            .align_y(Alignment::Center);
            list = list.push(
                row![
                    picture(pictures, &product.picture, name, theme::LINE_PICTURE, lang),
                    column![bold(name, theme::BODY), controls].width(Length::Fill),
                ]
                .spacing(theme::GAP)
                .align_y(Alignment::Center),
            );
        }
        list.into()
    };

    let total =
        row![bold(Msg::Total.text(lang), theme::TITLE), space::horizontal(), price(cart.total(catalog), theme::TOTAL)]
            .align_y(Alignment::Center);
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

    let content = column![header, lines]
        .push(pager(page, cart.lines().len(), lang, Message::TurnPage))
        .push(space::vertical())
        .push(total)
        .push(actions)
        .spacing(theme::GAP);
    container(content).padding(theme::PAD).width(theme::BASKET_WIDTH).height(Length::Fill).style(theme::panel).into()
}
