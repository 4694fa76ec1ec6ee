//! Done: the pickup number huge, the pickup slot, and the slip as printed.

use crate::ui::app::{Done, Message};
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{bold, label, tap};
use crate::ui::{App, Element};
use iced::widget::{column, container, image, row, space};
use iced::{Alignment, Length};
use warm_core::i18n::{Msg, slot_range, tr};

pub fn view<'a>(app: &'a App, done: &'a Done) -> Element<'a> {
    let lang = app.lang;
    let order = &done.order;
    let slot = slot_range(&order.slot, order.created_at, &app.ctx.time_zone, lang);
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
    if done.print_error.is_some() {
        info = info
            .push(container(bold(Msg::PrintFailed.text(lang), theme::TITLE)).padding(theme::PAD).style(theme::warning));
    }
    info = info.push(space::vertical()).push(tap(
        bold(Msg::BackHome.text(lang), theme::TITLE),
        Message::NextSenior,
        Tap::Primary,
        480,
        theme::BIG_TARGET,
    ));

    let slip: Element<'a> = match &done.slip {
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
