//! Done: the pickup number huge, the pickup slot, and the slip as printed.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{bold, label, tap};
use iced::widget::{column, container, image, row, space};
use iced::{Alignment, Element, Length};
use std::time::Instant;
use warm_core::domain::Order;
use warm_core::i18n::{Msg, slot_range, tr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// 回到首页: ready for the next senior.
    NextSenior,
}

pub enum Action {
    NextSenior,
}

pub struct Done {
    pub order: Order,
    /// The slip as it would come out of the printer, rendered from the stored bytes.
    pub slip: Option<image::Handle>,
    /// The printer's problem while this screen is up, in words.
    pub print_error: Option<String>,
    pub since: Instant,
    /// Seconds until the screen goes home by itself, said so the number does not vanish unwarned.
    pub seconds_left: u64,
}

impl Done {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::NextSenior => Action::NextSenior,
        }
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let order = &self.order;
        let slot = slot_range(&order.slot, order.created_at, ctx.time_zone, lang);
        let mut info = column![
            bold(Msg::DoneTitle.text(lang), theme::TOTAL),
            label(Msg::YourNumber.text(lang), theme::TITLE),
            row![bold(order.number.short(), theme::ORDER_NUMBER), label(order.number.terminal.clone(), theme::TITLE)]
                .spacing(theme::GAP)
                .align_y(Alignment::End),
            bold(tr(Msg::PickupAt, lang, &[("slot", &slot)]), theme::BANNER),
            label(Msg::TakeSlip.text(lang), theme::BODY),
        ]
        .spacing(theme::GAP);
        if self.print_error.is_some() {
            info = info.push(
                container(bold(Msg::PrintFailed.text(lang), theme::TITLE)).padding(theme::PAD).style(theme::warning),
            );
        }
        // The countdown beside the button it stands for, always there so nothing moves as it counts.
        let home = tap(
            bold(Msg::BackHome.text(lang), theme::TITLE),
            Message::NextSenior,
            Tap::Primary,
            480,
            theme::BIG_TARGET,
        );
        let countdown = label(tr(Msg::HomeInSeconds, lang, &[("s", &self.seconds_left.to_string())]), theme::BODY);
        info = info.push(space::vertical()).push(row![home, countdown].spacing(theme::PAD).align_y(Alignment::Center));

        let slip: Element<'a, Message> = match &self.slip {
            Some(handle) => {
                column![label(Msg::SlipPreview.text(lang), theme::BODY), image(handle.clone()).height(Length::Fill)]
                    .spacing(theme::GAP)
                    .align_x(Alignment::Center)
                    .into()
            }
            None => space::horizontal().width(0).into(),
        };
        row![info.width(Length::Fill), slip].spacing(theme::PAD).into()
    }
}
