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

/// What the words column holds besides the number: the title, "your number", the slot, the
/// slip's line (or the printer's warning in its place), 回到首页 and the gaps; and around it the
/// screen's margin and top bar.
const AROUND_NUMBER: f32 = theme::TOTAL * 1.3
    + theme::TITLE * 1.3
    + theme::BANNER * 1.3
    + theme::BIG_TARGET
    + 6.0 * theme::GAP
    + 2.0 * theme::PAD
    + theme::TARGET
    + theme::GAP;
const SLIP_LINE: f32 = theme::BODY * 1.3;
const PRINT_WARNING: f32 = theme::TITLE * 1.3 + 2.0 * theme::PAD;

/// The number's type size: `ORDER_NUMBER` where the room allows, else what the rest leaves (大字).
fn number_size(room: iced::Size, warning: bool) -> f32 {
    let line = if warning { PRINT_WARNING } else { SLIP_LINE };
    ((room.height - AROUND_NUMBER - line) / 1.3).min(theme::ORDER_NUMBER)
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
        let number = number_size(ctx.room, self.print_error.is_some());
        let mut info = column![
            bold(Msg::DoneTitle.text(lang), theme::TOTAL),
            label(Msg::YourNumber.text(lang), theme::TITLE),
            row![bold(order.number.short(), number), label(order.number.terminal.clone(), theme::TITLE)]
                .spacing(theme::GAP)
                .align_y(Alignment::End),
            bold(tr(Msg::PickupAt, lang, &[("slot", &slot)]), theme::BANNER),
        ]
        .spacing(theme::GAP);
        // No slip to take when it did not print: the warning says what to do in its place.
        info = match self.print_error {
            Some(_) => info.push(
                container(bold(Msg::PrintFailed.text(lang), theme::TITLE)).padding(theme::PAD).style(theme::warning),
            ),
            None => info.push(label(Msg::TakeSlip.text(lang), theme::BODY)),
        };
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
