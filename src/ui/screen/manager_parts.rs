//! Pieces the site manager's screens share (the menu's root and every job screen): shelf order,
//! differences in words, the − n + stepper, the bottom buttons. Kept apart from `manager`, so the
//! job screens and the manager's root never import each other.

use crate::ui::theme::{self, Tap};
use crate::ui::widget::{bold, label, tap};
use iced::widget::{Row, container, row};
use iced::{Alignment, Element, Length};
use warm_core::domain::{Catalog, Lang, Product};
use warm_core::i18n::{ManagerMsg as M, tr};

/// Every product in the order a person walks the shelves: category by category.
pub fn products_in_order(catalog: &Catalog) -> Vec<&Product> {
    catalog.categories.iter().flat_map(|c| catalog.in_category(&c.id)).collect()
}

/// A difference in units, in words: 少了 2 / 多了 1 / 相符.
pub fn units_words(diff: i64, lang: Lang) -> String {
    match diff {
        d if d < 0 => tr(M::Short, lang, &[("n", &d.saturating_neg().to_string())]),
        d if d > 0 => tr(M::Over, lang, &[("n", &d.to_string())]),
        _ => M::Matches.text(lang).into(),
    }
}

/// − n + : a big figure between two big buttons.
pub fn stepper<'a, Msg: Clone + 'a>(figure: String, minus: Msg, plus: Msg) -> Element<'a, Msg> {
    row![
        tap(bold("−", theme::TOTAL), minus, Tap::Secondary, 96, theme::TARGET),
        container(bold(figure, theme::TITLE)).center_x(140),
        tap(bold("+", theme::TOTAL), plus, Tap::Secondary, 96, theme::TARGET),
    ]
    .spacing(theme::GAP)
    .align_y(Alignment::Center)
    .into()
}

/// 上一步 / 下一步 style buttons along the bottom.
pub fn nav<'a, Msg: Clone + 'a>(items: Vec<(String, Msg, Tap)>) -> Element<'a, Msg> {
    Row::new()
        .spacing(theme::PAD)
        .extend(items.into_iter().map(|(w, m, k)| tap(bold(w, theme::BUTTON), m, k, Length::Fill, theme::TARGET)))
        .into()
}

/// Why a manager's step has nothing to show yet.
pub fn loading<'a, Msg: 'a>(lang: Lang) -> Element<'a, Msg> {
    label(M::Working.text(lang), theme::BODY).into()
}
