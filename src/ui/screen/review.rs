//! Review before committing: pictures, quantities and the total, then 确认.

use crate::ui::app::Message;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager, picture, price, tap};
use crate::ui::{App, Element};
use iced::widget::{Column, column, container, row, space};
use iced::{Alignment, Length};
use warm_core::i18n::Msg;

pub fn view<'a>(app: &'a App, page: Pager, error: Option<&str>) -> Element<'a> {
    let (lang, catalog) = (app.lang, &*app.ctx.catalog);
    let lines = app.cart.lines();
    let mut list = Column::new().spacing(theme::GAP);
    for line in &lines[page.range(lines.len())] {
        let Some(product) = catalog.product(&line.product) else { continue };
        let name = product.name.get(lang);
        list = list.push(
            container(
                row![
                    picture(&app.ctx.pictures, &product.picture, name, theme::LINE_PICTURE, lang),
                    column![bold(name, theme::BODY), label(product.spec.get(lang), theme::BODY)].width(Length::Fill),
                    bold(format!("× {}", line.qty), theme::TITLE),
                    price(product.price * line.qty, theme::PRICE).width(300).align_x(Alignment::End),
                ]
                .spacing(theme::PAD)
                .align_y(Alignment::Center),
            )
            .padding([8.0, theme::PAD])
            .style(theme::panel),
        );
    }

    // The technical detail went to the log when the commit failed; the senior gets words.
    let problem = error.map(|_| {
        container(
            column![bold(Msg::OrderFailed.text(lang), theme::TITLE), label(Msg::BasketKept.text(lang), theme::BODY)]
                .spacing(4),
        )
        .padding(theme::PAD)
        .width(Length::Fill)
        .style(theme::warning)
    });

    let count = warm_core::i18n::tr(Msg::ItemCount, lang, &[("n", &app.cart.item_count().to_string())]);
    let footer = row![
        tap(
            label(Msg::Change.text(lang), theme::BUTTON),
            Message::BackToShopping,
            Tap::Secondary,
            320,
            theme::BIG_TARGET
        ),
        space::horizontal(),
        label(count, theme::TITLE),
        bold(Msg::Total.text(lang), theme::TITLE),
        price(app.cart.total(catalog), theme::TOTAL),
        tap(bold(Msg::Confirm.text(lang), theme::TOTAL), Message::PlaceOrder, Tap::Primary, 420, theme::BIG_TARGET),
    ]
    .spacing(theme::PAD)
    .align_y(Alignment::Center);

    // A problem takes the title's place, so the page never grows past the screen.
    let heading: Element<'a> = match problem {
        Some(problem) => problem.into(),
        None => bold(Msg::ConfirmTitle.text(lang), theme::TITLE).into(),
    };
    column![heading]
        .push(list)
        .push(pager(page, lines.len(), lang, Message::TurnReviewPage))
        .push(space::vertical())
        .push(footer)
        .spacing(theme::GAP)
        .into()
}
