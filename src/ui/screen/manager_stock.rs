//! The manager's stock list (on hand, reserved for orders not picked up, what may still be sold,
//! sold out in words) and the spoilage / return entry for one product.

use super::Context;
use super::manager::{loading, products_in_order, stepper};
use crate::store::stock::{NewMovement, StockLevel};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager, tap};
use iced::widget::{Column, column, container, row};
use iced::{Alignment, Element, Length};
use std::collections::HashMap;
use warm_core::domain::stock::MovementKind;
use warm_core::domain::{Lang, ProductId};
use warm_core::i18n::{ManagerMsg as M, tr};

/// Products per page of the list.
pub const PAGE: usize = 6;

#[derive(Debug, Clone)]
pub enum Message {
    TurnPage(bool),
    Spoil(ProductId),
}

pub enum Action {
    None,
    Spoil(ProductId),
}

pub struct Stock {
    levels: Option<HashMap<ProductId, StockLevel>>,
    pager: Pager,
}

impl Stock {
    pub fn loading() -> Stock {
        Stock { levels: None, pager: Pager::new(PAGE) }
    }

    pub fn loaded(&mut self, levels: HashMap<ProductId, StockLevel>) {
        self.levels = Some(levels);
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        match message {
            Message::TurnPage(forward) => {
                self.pager = self.pager.turned(forward, products_in_order(ctx.catalog).len());
            }
            Message::Spoil(product) => return Action::Spoil(product),
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let Some(levels) = &self.levels else { return loading(lang) };
        let products = products_in_order(ctx.catalog);
        let pager_now = self.pager;
        let mut list = Column::new().spacing(theme::GAP);
        for p in &products[pager_now.range(products.len())] {
            let level = levels.get(&p.id).copied().unwrap_or_default();
            list = list.push(
                container(
                    row![
                        column![bold(p.name.get(lang), theme::BODY), label(p.spec.get(lang), theme::BODY)]
                            .width(Length::FillPortion(2)),
                        level_words(level, lang).width(Length::FillPortion(3)),
                        tap(
                            label(M::Spoil.text(lang), theme::BODY),
                            Message::Spoil(p.id.clone()),
                            Tap::Secondary,
                            260,
                            theme::TARGET
                        ),
                    ]
                    .spacing(theme::GAP)
                    .align_y(Alignment::Center),
                )
                .padding([4.0, theme::GAP])
                .style(theme::panel),
            );
        }
        list.push(pager(pager_now, products.len(), lang, Message::TurnPage)).into()
    }
}

/// 店里有 n · 已订未取 n · 可卖 n, or 已售完 / 未盘点 in words.
fn level_words<'a, Msg: 'a>(level: StockLevel, lang: Lang) -> Column<'a, Msg> {
    let n = |m: M, v: i64| tr(m, lang, &[("n", &v.to_string())]);
    let first = format!("{} · {}", n(M::OnHand, level.on_hand()), n(M::Reserved, level.reserved));
    let second: Element<'a, Msg> = match level.available() {
        None => label(M::NotTracked.text(lang), theme::BODY).into(),
        Some(a) if a <= 0 => {
            container(bold(M::SoldOut.text(lang), theme::BODY)).padding([0.0, theme::GAP]).style(theme::warning).into()
        }
        Some(a) => bold(n(M::Available, a), theme::BODY).into(),
    };
    column![label(first, theme::BODY), second]
}

/// Why goods go out: each is a movement kind and words for the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpoilReason {
    Spoiled,
    Broken,
    Returned,
}

impl SpoilReason {
    const ALL: [SpoilReason; 3] = [SpoilReason::Spoiled, SpoilReason::Broken, SpoilReason::Returned];

    fn words(self) -> M {
        match self {
            SpoilReason::Spoiled => M::ReasonSpoiled,
            SpoilReason::Broken => M::ReasonBroken,
            SpoilReason::Returned => M::ReasonReturned,
        }
    }

    fn kind(self) -> MovementKind {
        match self {
            SpoilReason::Returned => MovementKind::Return,
            _ => MovementKind::Spoilage,
        }
    }
}

#[derive(Debug, Clone)]
pub enum SpoilMessage {
    More,
    Less,
    Reason(SpoilReason),
    Save,
    Back,
}

pub enum SpoilAction {
    None,
    Back,
    Save(NewMovement),
}

pub struct Spoil {
    pub product: ProductId,
    pub units: i64,
    pub reason: SpoilReason,
}

impl Spoil {
    pub fn new(product: ProductId) -> Spoil {
        Spoil { product, units: 1, reason: SpoilReason::Spoiled }
    }

    pub fn update(&mut self, message: SpoilMessage) -> SpoilAction {
        match message {
            SpoilMessage::More => self.units = (self.units + 1).min(warm_core::api::manager::MAX_UNITS),
            SpoilMessage::Less => self.units = (self.units - 1).max(1),
            SpoilMessage::Reason(r) => self.reason = r,
            SpoilMessage::Back => return SpoilAction::Back,
            SpoilMessage::Save => {
                return SpoilAction::Save(NewMovement {
                    product: self.product.clone(),
                    delta: -self.units,
                    kind: self.reason.kind(),
                    // The ledger keeps the reason in Chinese, as the market's papers are.
                    reason: self.reason.words().text(Lang::Zh).to_owned(),
                    expected: None,
                });
            }
        }
        SpoilAction::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, SpoilMessage> {
        let lang = ctx.lang;
        let name = ctx.catalog.product(&self.product).map_or(self.product.0.as_str(), |p| p.name.get(lang));
        let mut reasons = iced::widget::Row::new().spacing(theme::GAP);
        for r in SpoilReason::ALL {
            let chosen = r == self.reason;
            let words = if chosen { format!("✓ {}", r.words().text(lang)) } else { r.words().text(lang).to_owned() };
            let kind = if chosen { Tap::Primary } else { Tap::Secondary };
            reasons = reasons.push(tap(
                bold(words, theme::BUTTON),
                SpoilMessage::Reason(r),
                kind,
                Length::Fill,
                theme::TARGET,
            ));
        }
        column![
            bold(name.to_owned(), theme::TITLE),
            row![
                label(M::Units.text(lang), theme::BODY),
                stepper(self.units.to_string(), SpoilMessage::Less, SpoilMessage::More)
            ]
            .spacing(theme::PAD)
            .align_y(Alignment::Center),
            bold(tr(M::Reason, lang, &[("reason", self.reason.words().text(lang))]), theme::BODY),
            reasons,
            row![
                tap(
                    label(M::BackToMenu.text(lang), theme::BUTTON),
                    SpoilMessage::Back,
                    Tap::Secondary,
                    Length::Fill,
                    theme::TARGET
                ),
                tap(
                    bold(M::Save.text(lang), theme::BUTTON),
                    SpoilMessage::Save,
                    Tap::Primary,
                    Length::Fill,
                    theme::TARGET
                ),
            ]
            .spacing(theme::PAD),
        ]
        .spacing(theme::PAD)
        .into()
    }
}
