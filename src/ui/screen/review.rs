//! Review before committing: pictures, quantities and the total, then 确认. The order's id is
//! made once when this screen opens, so a second tap on 确认 — or a retry after a failed commit —
//! can only ever be this one order.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager, picture, price, tap};
use iced::widget::{Column, column, container, row, space};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::i18n::{HouseholdWords, ManagerMsg, Msg, over_limit, tr};

/// Fixed heights: the heading keeps room for the "order not placed" words, the list what the
/// rest leaves of the room's height, so the pager and the footer never move.
const HEADING_H: f32 = theme::TITLE * 1.3 + 4.0 + theme::BODY * 1.3 + 2.0 * theme::GAP;
const LINE_H: f32 = theme::LINE_PICTURE + 16.0;
const AROUND_LIST: f32 = 2.0 * theme::PAD
    + theme::TARGET // the top bar
    + HEADING_H
    + theme::TARGET // the pager
    + theme::BIG_TARGET // the footer
    + 4.0 * theme::GAP;
/// Width of a line's price: ￥99999.99 in the price size.
const PRICE_W: f32 = 320.0;

fn list_h(room: iced::Size) -> f32 {
    room.height - AROUND_LIST
}

/// Lines per page: as many as fit the room.
pub fn lines_page(room: iced::Size) -> usize {
    Pager::fitting(list_h(room), LINE_H, theme::GAP)
}

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
    pub fn new(order_id: Uuid, room: iced::Size) -> Review {
        Review { pager: Pager::new(lines_page(room)), order_id, saving: false, failed: false }
    }

    /// Lines per page for a new room (大字), the first line in view kept.
    pub fn fit_to(&mut self, room: iced::Size) {
        self.pager = self.pager.per_page_kept(lines_page(room));
    }

    /// The page of lines in view (the root decodes their pictures and the next page's).
    pub fn pager(&self) -> Pager {
        self.pager
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
            // Something ran out while the senior chose: the screen says what, nothing is placed.
            Message::Confirm if !ctx.shelf.short_lines(ctx.cart).is_empty() => Action::None,
            // Over the household's limit (it bought elsewhere meanwhile): the screen says what.
            Message::Confirm if !ctx.limits.over_lines(ctx.cart, ctx.catalog).is_empty() => Action::None,
            Message::Confirm if ctx.limits.missing_household(ctx.cart, ctx.catalog) => Action::None,
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
                        price(product.price * line.qty, theme::PRICE).width(PRICE_W).align_x(Alignment::End),
                    ]
                    .spacing(theme::PAD)
                    .align_y(Alignment::Center),
                )
                .height(LINE_H)
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
            .padding(theme::GAP)
            .width(Length::Fill)
            .style(theme::warning)
        });

        // 确认 stands left of the middle: never where 下单 stood on the screen before (a
        // doubled tap on 下单 lands on the total, which does nothing).
        let count = tr(Msg::ItemCount, lang, &[("n", &ctx.cart.item_count().to_string())]);
        let footer = row![
            tap(label(Msg::Change.text(lang), theme::BUTTON), Message::Change, Tap::Secondary, 320, theme::BIG_TARGET),
            tap(bold(Msg::Confirm.text(lang), theme::TOTAL), Message::Confirm, Tap::Primary, 420, theme::BIG_TARGET),
            space::horizontal(),
            label(count, theme::TITLE),
            bold(Msg::Total.text(lang), theme::TITLE),
            price(ctx.cart.total(catalog), theme::TOTAL),
        ]
        .spacing(theme::PAD)
        .align_y(Alignment::Center);

        // Goods that ran out while the senior chose, in words: take them out to go on.
        let short = ctx.shelf.short_lines(ctx.cart);
        let over = ctx.limits.over_lines(ctx.cart, catalog);
        let gone = (!short.is_empty() || !over.is_empty()).then(|| {
            let mut words: Vec<String> = short
                .iter()
                .map(|(p, left)| {
                    let name = catalog.product(p).map_or(p.0.as_str(), |p| p.name.get(lang));
                    match left {
                        0 => tr(ManagerMsg::SoldOutInBasket, lang, &[("name", name)]),
                        n => tr(ManagerMsg::OnlyLeft, lang, &[("name", name), ("n", &n.to_string())]),
                    }
                })
                .collect();
            words.extend(over.iter().map(|(p, over)| match catalog.product(p) {
                Some(p) => over_limit(p.name.get(lang), *over, p.unit.get(lang), lang),
                None => over_limit(&p.0, *over, "", lang),
            }));
            container(bold(words.join("；"), theme::BODY)).padding(theme::GAP).width(Length::Fill).style(theme::warning)
        });
        // A problem takes the title's place, in the room kept for it.
        let heading: Element<'a, Message> = match (problem, gone) {
            (Some(problem), _) => problem.into(),
            (None, Some(gone)) => gone.into(),
            // Whose order it is, under the title, where the market limits purchases per household.
            (None, None) => column![bold(Msg::ConfirmTitle.text(lang), theme::TITLE)]
                .push(
                    ctx.limits
                        .household
                        .as_ref()
                        .map(|h| label(tr(HouseholdWords::Household, lang, &[("id", h.as_str())]), theme::BODY)),
                )
                .spacing(4)
                .into(),
        };
        column![container(heading).height(HEADING_H).center_y(HEADING_H), container(list).height(list_h(ctx.room))]
            .push(pager(self.pager, lines.len(), lang, Message::TurnPage))
            .push(space::vertical())
            .push(footer)
            .spacing(theme::GAP)
            .into()
    }
}
