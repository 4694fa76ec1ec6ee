//! Paging with two big buttons instead of scrolling: seniors tap, they do not drag.

use super::{label, tap};
use crate::ui::theme::{self, Tap};
use iced::widget::{row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::Lang;
use warm_core::i18n::{Msg, tr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    pub page: usize,
    pub per_page: usize,
}

impl Pager {
    pub fn new(per_page: usize) -> Self {
        Pager { page: 0, per_page: per_page.max(1) }
    }

    pub fn pages(&self, len: usize) -> usize {
        len.div_ceil(self.per_page).max(1)
    }

    /// The range of items on the current page, with the page clamped to what exists.
    pub fn range(&self, len: usize) -> std::ops::Range<usize> {
        let page = self.page.min(self.pages(len) - 1);
        let start = page * self.per_page;
        start..(start + self.per_page).min(len)
    }

    pub fn turned(self, forward: bool, len: usize) -> Pager {
        let last = self.pages(len) - 1;
        let page = self.page.min(last);
        let page = if forward { (page + 1).min(last) } else { page.saturating_sub(1) };
        Pager { page, ..self }
    }

    /// How many items of `item` px, `gap` px apart, fit in `space` px: lists use the screen.
    pub fn fitting(space: f32, item: f32, gap: f32) -> usize {
        (((space + gap) / (item + gap)).floor() as usize).max(1)
    }

    /// The page showing item `index`.
    pub fn showing(self, index: usize) -> Pager {
        Pager { page: index / self.per_page, ..self }
    }

    /// `per_page` to a page (the room changed: 大字, another window), on the page that shows
    /// the first item of the page in view now.
    pub fn per_page_kept(self, per_page: usize) -> Pager {
        Pager::new(per_page).showing(self.page * self.per_page)
    }
}

/// `上一页  2 / 3  下一页`, or nothing when everything fits on one page.
pub fn pager<'a, M: Clone + 'a>(
    pager: Pager,
    len: usize,
    lang: Lang,
    on_turn: impl Fn(bool) -> M,
) -> Option<Element<'a, M>> {
    let pages = pager.pages(len);
    if pages <= 1 {
        return None;
    }
    let page = pager.page.min(pages - 1) + 1;
    let position = tr(Msg::PageOf, lang, &[("page", &page.to_string()), ("pages", &pages.to_string())]);
    // At either end the button that would do nothing is left out, so every button on screen works.
    let turn = |forward: bool, msg: Msg, show: bool| -> Element<'a, M> {
        if show {
            tap(label(msg.text(lang), theme::BUTTON), on_turn(forward), Tap::Secondary, 220, theme::TARGET)
        } else {
            space::horizontal().width(220).into()
        }
    };
    Some(
        row![
            turn(false, Msg::PreviousPage, page > 1),
            space::horizontal(),
            label(position, theme::BODY),
            space::horizontal(),
            turn(true, Msg::NextPage, page < pages),
        ]
        .spacing(theme::GAP)
        .align_y(Alignment::Center)
        .width(Length::Fill)
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp() {
        let p = Pager::new(8);
        assert_eq!(p.pages(0), 1);
        assert_eq!(p.pages(17), 3);
        assert_eq!(p.range(17), 0..8);
        let last = p.turned(true, 17).turned(true, 17).turned(true, 17);
        assert_eq!(last.page, 2);
        assert_eq!(last.range(17), 16..17);
        assert_eq!(last.range(5), 0..5, "a shrunk list shows its last page");
        assert_eq!(p.turned(false, 17).page, 0);
        assert_eq!(p.showing(9).page, 1);
        let third = p.showing(16);
        assert_eq!(third.per_page_kept(6).range(17), 12..17, "items 16.. stay in view");
        assert_eq!(third.per_page_kept(6).per_page_kept(8).page, 1);
    }

    #[test]
    fn fitting_counts_whole_items() {
        assert_eq!(Pager::fitting(100.0, 30.0, 5.0), 3, "3 × 30 + 2 × 5 = 100");
        assert_eq!(Pager::fitting(99.0, 30.0, 5.0), 2);
        assert_eq!(Pager::fitting(10.0, 30.0, 5.0), 1, "always at least one a page");
    }
}
