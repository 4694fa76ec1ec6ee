//! The restock request: for each product, what may still be sold, what is on its way and the
//! suggestion (sales until the next van in whole packs); the manager changes what to ask for a
//! pack at a time and sends it, as an event like everything else.

use super::Context;
use super::manager::{loading, nav, stepper};
use crate::store::stock::Suggestion;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::{Pager, bold, label, pager};
use iced::widget::{Column, column, container, row};
use iced::{Alignment, Element, Length};
use uuid::Uuid;
use warm_core::api::manager::{MAX_UNITS, RestockLine, RestockRequest};
use warm_core::i18n::{ManagerMsg as M, tr};

pub const PAGE: usize = 5;

#[derive(Debug, Clone)]
pub enum Message {
    More(usize),
    Less(usize),
    TurnPage(bool),
    Send,
}

pub enum Action {
    None,
    /// Nothing is asked for.
    Nothing,
    Send(RestockRequest),
}

pub struct Line {
    pub suggestion: Suggestion,
    pub asking: i64,
}

pub struct Restock {
    /// Made when the screen opened: sending twice is sending once.
    id: Uuid,
    cycle_days: u32,
    pub lines: Option<Vec<Line>>,
    pager: Pager,
}

impl Restock {
    pub fn new(id: Uuid, cycle_days: u32) -> Restock {
        Restock { id, cycle_days, lines: None, pager: Pager::new(PAGE) }
    }

    /// The suggestions, those with something to ask for first (each group in shelf order).
    pub fn loaded(&mut self, suggestions: Vec<Suggestion>) {
        let (mut wanted, rest): (Vec<_>, Vec<_>) = suggestions.into_iter().partition(|s| s.suggested > 0);
        wanted.extend(rest);
        self.lines = Some(wanted.into_iter().map(|s| Line { asking: s.suggested, suggestion: s }).collect());
    }

    pub fn update(&mut self, message: Message, ctx: Context<'_>) -> Action {
        let Some(lines) = &mut self.lines else { return Action::None };
        match message {
            Message::More(i) | Message::Less(i) => {
                if let Some(l) = lines.get_mut(i) {
                    let pack = i64::from(ctx.config.manager.pack(&l.suggestion.product));
                    let by = if matches!(message, Message::More(_)) { pack } else { -pack };
                    l.asking = l.asking.saturating_add(by).clamp(0, MAX_UNITS);
                }
            }
            Message::TurnPage(forward) => self.pager = self.pager.turned(forward, lines.len()),
            Message::Send => {
                let asked: Vec<RestockLine> = lines
                    .iter()
                    .filter(|l| l.asking > 0)
                    .map(|l| RestockLine {
                        product: l.suggestion.product.0.clone(),
                        qty: l.asking,
                        suggested: l.suggestion.suggested,
                    })
                    .collect();
                if asked.is_empty() {
                    return Action::Nothing;
                }
                return Action::Send(RestockRequest { id: self.id, cycle_days: self.cycle_days, lines: asked });
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let Some(lines) = &self.lines else { return loading(lang) };
        let n = |m: M, v: i64| tr(m, lang, &[("n", &v.to_string())]);
        let mut list = Column::new().spacing(theme::GAP);
        for i in self.pager.range(lines.len()) {
            let l = &lines[i];
            let s = &l.suggestion;
            let name = ctx.catalog.product(&s.product).map_or(s.product.0.as_str(), |p| p.name.get(lang));
            list = list.push(
                container(
                    row![
                        bold(name.to_owned(), theme::BODY).width(Length::Fill),
                        label(
                            format!("{} · {}", n(M::Available, s.available), n(M::OnTheWay, s.on_the_way)),
                            theme::BODY
                        )
                        .width(Length::Fill),
                        bold(n(M::Suggested, s.suggested), theme::BODY).width(200),
                        label(M::Restock.text(lang), theme::BODY),
                        stepper(l.asking.to_string(), Message::Less(i), Message::More(i)),
                    ]
                    .spacing(theme::GAP)
                    .align_y(Alignment::Center),
                )
                .padding([4.0, theme::GAP])
                .style(theme::panel),
            );
        }
        column![list]
            .push(pager(self.pager, lines.len(), lang, Message::TurnPage))
            .push(nav(vec![(M::SendRequest.text(lang).into(), Message::Send, Tap::Primary)]))
            .spacing(theme::GAP)
            .into()
    }
}
