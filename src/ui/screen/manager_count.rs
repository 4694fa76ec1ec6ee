//! The stock count (盘点): product by product in category order, the ledger's figure beside a big
//! number pad; every step is kept as a draft, and 完成盘点 books the differences as corrections.

use super::Context;
use super::manager::{loading, nav, products_in_order};
use crate::store::stock::StockLevel;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::Key;
use crate::ui::widget::{bold, label, numpad};
use iced::widget::{column, container, row};
use iced::{Alignment, Element, Length};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;
use warm_core::domain::{Catalog, ProductId};
use warm_core::i18n::{ManagerMsg as M, tr};

/// The most digits a counted figure has.
const MAX_DIGITS: usize = 6;

/// A count in progress, as kept in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Confirming the count twice books it once.
    pub id: Uuid,
    /// The product on screen.
    pub at: usize,
    pub counted: Vec<(ProductId, Option<i64>)>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Next,
    Previous,
    Finish,
}

pub enum Action {
    None,
    Keep(serde_json::Value),
    Finish { id: Uuid, counted: Vec<(ProductId, i64)> },
}

pub struct Count {
    pub draft: Draft,
    entry: String,
    levels: Option<HashMap<ProductId, StockLevel>>,
}

impl Count {
    pub fn new(id: Uuid, catalog: &Catalog) -> Count {
        let counted = products_in_order(catalog).into_iter().map(|p| (p.id.clone(), None)).collect();
        Count { draft: Draft { id, at: 0, counted }, entry: String::new(), levels: None }
    }

    /// The ledger's figures, and a count to resume: its figures are kept for the products still
    /// in the catalog, in today's order.
    pub fn loaded(&mut self, levels: HashMap<ProductId, StockLevel>, draft: Option<Draft>) {
        self.levels = Some(levels);
        if let Some(draft) = draft {
            let kept: HashMap<ProductId, Option<i64>> = draft.counted.into_iter().collect();
            for (p, n) in &mut self.draft.counted {
                *n = kept.get(p).copied().flatten();
            }
            self.draft.id = draft.id;
            self.draft.at = draft.at.min(self.draft.counted.len().saturating_sub(1));
        }
        self.show_entry();
    }

    fn show_entry(&mut self) {
        self.entry =
            self.draft.counted.get(self.draft.at).and_then(|(_, n)| *n).map(|n| n.to_string()).unwrap_or_default();
    }

    /// The figure typed becomes the product's count (nothing typed: not counted).
    fn take_entry(&mut self) {
        if let Some((_, n)) = self.draft.counted.get_mut(self.draft.at) {
            *n = self.entry.parse().ok();
        }
    }

    fn keep(&self) -> Action {
        serde_json::to_value(&self.draft).map_or(Action::None, Action::Keep)
    }

    pub fn update(&mut self, message: Message, _ctx: Context<'_>) -> Action {
        match message {
            Message::Key(key) => key.apply(&mut self.entry, MAX_DIGITS, false),
            Message::Next | Message::Previous => {
                self.take_entry();
                let last = self.draft.counted.len().saturating_sub(1);
                self.draft.at = match message {
                    Message::Next => (self.draft.at + 1).min(last),
                    _ => self.draft.at.saturating_sub(1),
                };
                self.show_entry();
                return self.keep();
            }
            Message::Finish => {
                self.take_entry();
                let counted: Vec<(ProductId, i64)> =
                    self.draft.counted.iter().filter_map(|(p, n)| n.map(|n| (p.clone(), n))).collect();
                if counted.is_empty() {
                    return Action::None;
                }
                return Action::Finish { id: self.draft.id, counted };
            }
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let Some(levels) = &self.levels else { return loading(lang) };
        let Some((product, _)) = self.draft.counted.get(self.draft.at) else { return loading(lang) };
        let (name, spec) = ctx
            .catalog
            .product(product)
            .map_or((product.0.clone(), String::new()), |p| (p.name.get(lang).to_owned(), p.spec.get(lang).to_owned()));
        let ledger = levels.get(product).copied().unwrap_or_default().on_hand();
        let done = self.draft.counted.iter().filter(|(_, n)| n.is_some()).count();
        let position = tr(
            M::CountOf,
            lang,
            &[("i", &(self.draft.at + 1).to_string()), ("n", &self.draft.counted.len().to_string())],
        );
        let shown = if self.entry.is_empty() { "_".to_owned() } else { self.entry.clone() };
        let left = column![
            label(format!("{position} · {}", tr(M::CountedSoFar, lang, &[("n", &done.to_string())])), theme::BODY),
            bold(name, theme::TITLE),
            label(spec, theme::BODY),
            bold(tr(M::LedgerSays, lang, &[("n", &ledger.to_string())]), theme::TITLE),
            label(M::CountEnter.text(lang), theme::BODY),
            container(bold(shown, theme::TOTAL)).padding([0.0, theme::GAP]).width(320).style(theme::panel),
        ]
        .spacing(theme::GAP)
        .width(Length::Fill);
        column![
            row![left, numpad(lang, false, true, Message::Key)].spacing(theme::PAD).align_y(Alignment::Start),
            nav(vec![
                (M::Previous.text(lang).into(), Message::Previous, Tap::Secondary),
                (M::Next.text(lang).into(), Message::Next, Tap::Secondary),
                (M::CountFinish.text(lang).into(), Message::Finish, Tap::Primary),
            ]),
        ]
        .spacing(theme::PAD)
        .into()
    }
}
