//! The volunteer's screens: the PIN pad, and the checkout counter (scanned lines with big
//! buttons, the scan result in words, payment on the numpad, the paid summary).

use crate::device::scanner::ScannerLink;
use crate::ui::Element;
use crate::ui::app::{App, Message};
use crate::ui::theme::{self, Tap};
use crate::ui::volunteer::{Counter, Notice, PinEntry, Step, VMsg};
use crate::ui::widget::{Pager, bold, label, numpad, pager, picture, price, tap};
use iced::widget::{Column, Row, center, column, container, row, space};
use iced::{Alignment, Length};
use warm_core::domain::{Lang, PaymentMethod};
use warm_core::i18n::{Msg, tr};
use warm_core::receipt::receipt::method_name;

/// Width of the right-hand payment panel, px.
const PANEL: f32 = 720.0;

fn v(msg: VMsg) -> Message {
    Message::Volunteer(msg)
}

pub fn pin_view<'a>(app: &'a App, pin: &'a PinEntry) -> Element<'a> {
    let lang = app.lang();
    let dots = if pin.entry.is_empty() { " ".to_owned() } else { "●".repeat(pin.entry.len()) };
    let card = column![bold(Msg::EnterPin.text(lang), theme::TOTAL), bold(dots, theme::TOTAL)]
        .push(
            pin.status
                .as_ref()
                .map(|s| container(bold(s.clone(), theme::TITLE)).padding(theme::GAP).style(theme::warning)),
        )
        .push(numpad(lang, false, |k| v(VMsg::PinKey(k))))
        .push(
            row![
                tap(bold(Msg::Ok.text(lang), theme::TITLE), v(VMsg::PinOk), Tap::Primary, 300, theme::BIG_TARGET),
                tap(
                    label(Msg::Cancel.text(lang), theme::TITLE),
                    v(VMsg::PinCancel),
                    Tap::Secondary,
                    300,
                    theme::BIG_TARGET
                ),
            ]
            .spacing(theme::PAD),
        )
        .spacing(theme::GAP)
        .align_x(Alignment::Center);
    center(container(card).padding(theme::PAD).style(theme::panel)).into()
}

fn scanner_line(app: &App, lang: Lang) -> String {
    match app.scanner_status() {
        None => Msg::ScannerNone.text(lang).to_owned(),
        Some(ScannerLink::Connected { port }) => format!("{} ({port})", Msg::ScannerConnected.text(lang)),
        Some(ScannerLink::Disconnected { port, retry_in, .. }) => {
            format!("{} ({port})", tr(Msg::ScannerDisconnected, lang, &[("s", &retry_in.as_secs().to_string())]))
        }
    }
}

pub fn counter_view<'a>(app: &'a App, c: &'a Counter) -> Element<'a> {
    let lang = app.lang();
    let top = row![
        bold(format!("{} · {}", Msg::CheckoutTitle.text(lang), Msg::VolunteerMode.text(lang)), theme::TITLE),
        space::horizontal(),
        label(scanner_line(app, lang), theme::BODY),
        tap(label(Msg::ExitVolunteer.text(lang), theme::BUTTON), v(VMsg::Exit), Tap::Secondary, 180, theme::TARGET),
    ]
    .spacing(theme::PAD)
    .align_y(Alignment::Center);

    let left: Element<'a> = match &c.step {
        Step::Pick { category, pager } => pick_view(app, category.as_ref(), *pager, lang),
        _ => column![notice_view(c, lang), lines_view(c, lang)].spacing(theme::GAP).into(),
    };
    let body = row![container(left).width(Length::Fill).height(Length::Fill), panel_view(c, lang)].spacing(theme::PAD);
    column![top, body].spacing(theme::GAP).into()
}

fn notice_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a> {
    match &c.notice {
        None => container(label(Msg::ScanHint.text(lang), theme::TITLE)).padding(theme::GAP).width(Length::Fill).into(),
        Some(Notice::Ok(text)) => container(bold(text.clone(), theme::TITLE))
            .padding(theme::GAP)
            .width(Length::Fill)
            .style(theme::badge)
            .into(),
        Some(Notice::Problem { title, code, detail, offer_pick }) => {
            let words = column![bold(title.clone(), theme::TITLE)]
                .push(code.as_ref().map(|c| bold(c.clone(), theme::BODY)))
                .push(detail.as_ref().map(|d| label(d.clone(), theme::BODY)))
                .width(Length::Fill);
            let mut content = Row::new().push(words).spacing(theme::PAD).align_y(Alignment::Center);
            if *offer_pick {
                content = content.push(tap(
                    bold(Msg::PickByHand.text(lang), theme::BUTTON),
                    v(VMsg::PickByHand),
                    Tap::Primary,
                    320,
                    theme::TARGET,
                ));
            }
            // The banner alternates between two borders with each rejection: a visible flash
            // on top of the words, never colour alone.
            let style = if c.rejections.is_multiple_of(2) { theme::warning } else { theme::warning_flash };
            container(content).padding(theme::GAP).width(Length::Fill).style(style).into()
        }
    }
}

fn lines_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a> {
    let lines = &c.sale.lines;
    let mut list = Column::new().spacing(theme::GAP);
    if lines.is_empty() {
        list = list.push(label(Msg::CounterEmpty.text(lang), theme::BODY));
    }
    for i in c.pager.range(lines.len()) {
        let l = &lines[i];
        let picked = if l.picked {
            tap(bold(Msg::Picked.text(lang), theme::BODY), v(VMsg::TogglePicked(i)), Tap::Primary, 170, theme::TARGET)
        } else {
            tap(
                label(Msg::NotPicked.text(lang), theme::BODY),
                v(VMsg::TogglePicked(i)),
                Tap::Secondary,
                170,
                theme::TARGET,
            )
        };
        let mut buttons = Row::new().spacing(theme::GAP).align_y(Alignment::Center);
        buttons = buttons.push(tap(bold("−", theme::TOTAL), v(VMsg::Decrease(i)), Tap::Secondary, 96, theme::TARGET));
        if !l.weighed {
            buttons =
                buttons.push(tap(bold("+", theme::TOTAL), v(VMsg::Increase(i)), Tap::Secondary, 96, theme::TARGET));
        }
        buttons = buttons
            .push(tap(
                label(Msg::Remove.text(lang), theme::BODY),
                v(VMsg::Remove(i)),
                Tap::Secondary,
                120,
                theme::TARGET,
            ))
            .push(picked);
        list = list.push(
            container(
                row![
                    column![bold(l.line.name.get(lang), theme::BODY), label(l.line.spec.get(lang), theme::BODY)]
                        .width(Length::Fill),
                    bold(format!("×{}", l.line.qty), theme::TITLE),
                    price(l.line.total(), theme::PRICE).width(220).align_x(Alignment::End),
                    buttons,
                ]
                .spacing(theme::GAP)
                .align_y(Alignment::Center),
            )
            .padding([4.0, theme::GAP])
            .style(theme::panel),
        );
    }
    column![list].push(pager(c.pager, lines.len(), lang, |f| v(VMsg::TurnPage(f)))).spacing(theme::GAP).into()
}

fn panel_view<'a>(c: &'a Counter, lang: Lang) -> Element<'a> {
    let sale = &c.sale;
    let count = tr(Msg::ItemCount, lang, &[("n", &sale.item_count().to_string())]);
    let summary = column![
        row![bold(Msg::Total.text(lang), theme::TITLE), space::horizontal(), price(sale.total(), theme::TOTAL)]
            .align_y(Alignment::Center),
        label(count, theme::BODY),
    ]
    .push(
        (sale.unpicked() > 0)
            .then(|| bold(tr(Msg::StillToPick, lang, &[("n", &sale.unpicked().to_string())]), theme::BODY)),
    );
    let big = |content: Element<'a>, msg: VMsg, kind: Tap| tap(content, v(msg), kind, Length::Fill, theme::BIG_TARGET);
    let actions: Element<'a> = match &c.step {
        Step::Scan | Step::Pick { .. } => {
            let mut col = Column::new().spacing(theme::GAP);
            col = col.push(big(bold(Msg::Pay.text(lang), theme::TOTAL).into(), VMsg::Pay, Tap::Primary));
            if sale.unpicked() > 0 {
                col =
                    col.push(big(label(Msg::PickAll.text(lang), theme::BUTTON).into(), VMsg::PickAll, Tap::Secondary));
            }
            if matches!(c.step, Step::Pick { .. }) {
                col =
                    col.push(big(label(Msg::Cancel.text(lang), theme::BUTTON).into(), VMsg::ClosePick, Tap::Secondary));
            } else {
                col = col.push(big(
                    label(Msg::ClearCounter.text(lang), theme::BUTTON).into(),
                    VMsg::Clear,
                    Tap::Secondary,
                ));
            }
            col.into()
        }
        Step::Method => {
            let mut col = Column::new().spacing(theme::GAP).push(bold(Msg::ChooseMethod.text(lang), theme::TITLE));
            let method = |m: PaymentMethod| {
                big(bold(method_name(m).text(lang).to_owned(), theme::TITLE).into(), VMsg::Method(m), Tap::Secondary)
            };
            // Two by two, so the four methods and 取消 fit under the total at full size.
            for [a, b] in
                [[PaymentMethod::Cash, PaymentMethod::Wechat], [PaymentMethod::Alipay, PaymentMethod::OnAccount]]
            {
                col = col.push(row![method(a), method(b)].spacing(theme::GAP));
            }
            col.push(big(label(Msg::Cancel.text(lang), theme::BUTTON).into(), VMsg::CancelPay, Tap::Secondary)).into()
        }
        Step::Cash { entry } => {
            let tendered = warm_core::domain::checkout::parse_yuan(entry);
            let change = match tendered {
                Some(t) if t >= sale.total() => row![
                    bold(Msg::ChangeDue.text(lang), theme::TITLE),
                    space::horizontal(),
                    price(warm_core::domain::Money(t.as_fen() - sale.total().as_fen()), theme::TOTAL)
                ]
                .align_y(Alignment::Center)
                .into(),
                Some(_) => bold(Msg::NotEnoughCash.text(lang), theme::TITLE).into(),
                None => Element::from(space::vertical().height(1)),
            };
            entry_panel(lang, Msg::EnterTendered.text(lang), entry, true, change)
        }
        Step::Reference { method, entry } => {
            let prompt = if *method == PaymentMethod::OnAccount { Msg::EnterAccount } else { Msg::EnterReference };
            let heading = bold(method_name(*method).text(lang).to_owned(), theme::TITLE).into();
            entry_panel(lang, prompt.text(lang), entry, false, heading)
        }
        Step::Done { paid, print_error } => {
            let p = &paid.payment;
            let mut col = Column::new()
                .spacing(theme::GAP)
                .push(bold(Msg::PaidTitle.text(lang), theme::TOTAL))
                .push(bold(format!("{} {}", Msg::ReceiptNumber.text(lang), paid.order.number), theme::TITLE))
                .push(row![
                    label(method_name(p.method).text(lang).to_owned(), theme::TITLE),
                    space::horizontal(),
                    price(p.amount, theme::PRICE)
                ]);
            if let Some(t) = p.tendered {
                col = col
                    .push(row![
                        label(Msg::Tendered.text(lang), theme::TITLE),
                        space::horizontal(),
                        price(t, theme::PRICE)
                    ])
                    .push(row![
                        bold(Msg::ChangeDue.text(lang), theme::TITLE),
                        space::horizontal(),
                        price(p.change(), theme::TOTAL)
                    ]);
            }
            col = col.push(match print_error {
                None => Element::from(label(Msg::ReceiptPrinted.text(lang), theme::BODY)),
                Some(e) => container(bold(tr(Msg::ReceiptNotPrinted, lang, &[("reason", e)]), theme::BODY))
                    .style(theme::warning)
                    .into(),
            });
            col.push(big(bold(Msg::NextCustomer.text(lang), theme::TITLE).into(), VMsg::NextCustomer, Tap::Primary))
                .into()
        }
    };
    let summary: Element<'a> =
        if matches!(c.step, Step::Done { .. }) { space::vertical().height(1).into() } else { summary.into() };
    container(column![summary, actions].spacing(theme::PAD))
        .padding(theme::GAP)
        .width(PANEL)
        .height(Length::Fill)
        .style(theme::panel)
        .into()
}

/// An entry shown big above the numpad, with 确认收款 / 取消 beside it.
fn entry_panel<'a>(lang: Lang, prompt: &str, entry: &str, dot: bool, extra: Element<'a>) -> Element<'a> {
    let shown = if entry.is_empty() { "_".to_owned() } else { entry.to_owned() };
    let buttons = column![
        tap(bold(Msg::ConfirmPayment.text(lang), theme::BUTTON), v(VMsg::ConfirmPay), Tap::Primary, 220, 232),
        tap(label(Msg::Cancel.text(lang), theme::BUTTON), v(VMsg::CancelPay), Tap::Secondary, 220, theme::BIG_TARGET),
    ]
    .spacing(theme::GAP);
    column![
        extra,
        row![label(prompt.to_owned(), theme::BODY), space::horizontal(), bold(shown, theme::TOTAL)]
            .align_y(Alignment::Center),
        row![numpad(lang, dot, |k| v(VMsg::Key(k))), buttons].spacing(theme::GAP),
    ]
    .spacing(theme::GAP)
    .into()
}

fn pick_view<'a>(
    app: &'a App,
    category: Option<&'a warm_core::domain::CategoryId>,
    page: Pager,
    lang: Lang,
) -> Element<'a> {
    let catalog = &*app.ctx.catalog;
    let tile = |content: Element<'a>, msg: VMsg| tap(content, v(msg), Tap::Tile, Length::Fill, 300);
    let mut grid = Column::new().spacing(theme::GAP);
    match category {
        None => {
            for chunk in catalog.categories.chunks(3) {
                grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|cat| {
                    let name = cat.name.get(lang);
                    let content =
                        column![picture(&app.ctx.pictures, &cat.picture, name, 160.0, lang), bold(name, theme::TITLE)]
                            .align_x(Alignment::Center)
                            .into();
                    tile(content, VMsg::PickCategory(cat.id.clone()))
                })));
            }
        }
        Some(id) => {
            let products: Vec<_> = catalog.in_category(id).collect();
            for chunk in products[page.range(products.len())].chunks(3) {
                grid = grid.push(Row::new().spacing(theme::GAP).extend(chunk.iter().map(|p| {
                    let name = p.name.get(lang);
                    let content = column![
                        picture(&app.ctx.pictures, &p.picture, name, 120.0, lang),
                        bold(name, theme::BODY),
                        price(p.price, theme::PRICE)
                    ]
                    .align_x(Alignment::Center)
                    .into();
                    tile(content, VMsg::PickProduct(p.id.clone()))
                })));
            }
            grid = grid.push(pager(page, products.len(), lang, |f| v(VMsg::TurnPickPage(f))));
        }
    }
    column![bold(Msg::PickByHand.text(lang), theme::TITLE), grid].spacing(theme::GAP).into()
}
