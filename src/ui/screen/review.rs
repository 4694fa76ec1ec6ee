//! Review before committing: pictures, quantities and the total, then 确认. The order's id is
//! made once when this screen opens, so a second tap on 确认 — or a retry after a failed commit —
//! can only ever be this one order.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager, picture, price, tap};
use iced::widget::{Column, column, container, row, space};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::i18n::{Msg, tr};

/// Lines per page.
pub const PAGE: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    TurnPage(bool),
    /// ← 返回修改: back to shopping, the basket kept.
    Change,
    Confirm,
}

pub enum Action {
    None,
    BackToShopping,
    /// Commit the basket as the order with this id (off the UI thread).
    Commit(Uuid),
}

pub struct Review {
    pager: Pager,
    order_id: Uuid,
    /// A commit is on its way: 确认 does nothing more until it comes back.
    saving: bool,
    /// The last commit failed: the senior is told to ask a volunteer, the basket is kept.
    failed: bool,
}

impl Review {
    pub fn new(order_id: Uuid) -> Review {
        Review { pager: Pager::new(PAGE), order_id, saving: false, failed: false }
    }

    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The commit came back without an order.
    pub fn commit_failed(&mut self) {
        self.saving = false;
        self.failed = true;
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        match message {
            Message::TurnPage(forward) => {
                self.pager = self.pager.turned(forward, ctx.cart.lines().len());
                Action::None
            }
            Message::Change => Action::BackToShopping,
            Message::Confirm if self.saving || ctx.cart.is_empty() => Action::None,
            Message::Confirm => {
                self.saving = true;
                Action::Commit(self.order_id)
            }
        }
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let (lang, catalog) = (ctx.lang, ctx.catalog);
        let lines = ctx.cart.lines();
        let mut list = Column::new().spacing(theme::GAP);
        for line in &lines[self.pager.range(lines.len())] {
            let Some(product) = catalog.product(&line.product) else { continue };
            let name = product.name.get(lang);
            list = list.push(
                container(
                    row![
                        picture(ctx.pictures, &product.picture, name, theme::LINE_PICTURE, lang),
                        column![bold(name, theme::BODY), label(product.spec.get(lang), theme::BODY)]
                            .width(Length::Fill),
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
        let problem = self.failed.then(|| {
            container(
                column![
                    bold(Msg::OrderFailed.text(lang), theme::TITLE),
                    label(Msg::BasketKept.text(lang), theme::BODY)
                ]
                .spacing(4),
            )
            .padding(theme::PAD)
            .width(Length::Fill)
            .style(theme::warning)
        });

        let count = tr(Msg::ItemCount, lang, &[("n", &ctx.cart.item_count().to_string())]);
        let footer = row![
            tap(label(Msg::Change.text(lang), theme::BUTTON), Message::Change, Tap::Secondary, 320, theme::BIG_TARGET),
            space::horizontal(),
            label(count, theme::TITLE),
            bold(Msg::Total.text(lang), theme::TITLE),
            price(ctx.cart.total(catalog), theme::TOTAL),
            tap(bold(Msg::Confirm.text(lang), theme::TOTAL), Message::Confirm, Tap::Primary, 420, theme::BIG_TARGET),
        ]
        .spacing(theme::PAD)
        .align_y(Alignment::Center);

        // A problem takes the title's place, so the page never grows past the screen.
        let heading: Element<'a, Message> = match problem {
            Some(problem) => problem.into(),
            None => bold(Msg::ConfirmTitle.text(lang), theme::TITLE).into(),
        };
        column![heading]
            .push(list)
            .push(pager(self.pager, lines.len(), lang, Message::TurnPage))
            .push(space::vertical())
            .push(footer)
            .spacing(theme::GAP)
            .into()
    }
}
