//! The volunteer's big numpad: digits, a decimal point where money is typed, delete and clear.
//! Every key goes through `tap`, so the layout test measures them like every other target.

use super::{bold, label, tap_maybe};
use crate::ui::theme::{self, Tap};
use iced::Element;
use iced::widget::{Column, Row};
use warm_core::domain::Lang;
use warm_core::i18n::Msg;

/// Key width and height, px: bigger than the 96 px floor, for quick thumbs at a busy counter.
pub const KEY_W: f32 = 140.0;
pub const KEY_H: f32 = 100.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Digit(u8),
    Dot,
    Back,
    Clear,
}

impl Key {
    /// Applies the key to an entry of at most `max` characters; `.` only when `dot` is allowed.
    pub fn apply(self, entry: &mut String, max: usize, dot: bool) {
        match self {
            Key::Digit(d) if entry.len() < max && d <= 9 => entry.push(char::from(b'0' + d)),
            Key::Dot if dot && entry.len() < max && !entry.contains('.') => entry.push('.'),
            Key::Back => {
                entry.pop();
            }
            Key::Clear => entry.clear(),
            _ => {}
        }
    }
}

/// 1 2 3 / 4 5 6 / 7 8 9 / (. or 清除) 0 退格. `on_key` wraps a key in the screen's message;
/// a pad that is not `enabled` keeps its place and takes no keys.
pub fn numpad<'a, M: Clone + 'a>(lang: Lang, dot: bool, enabled: bool, on_key: impl Fn(Key) -> M) -> Element<'a, M> {
    let key =
        |content: Element<'a, M>, k: Key| tap_maybe(content, enabled.then(|| on_key(k)), Tap::Secondary, KEY_W, KEY_H);
    let digit = |d: u8| key(bold(d.to_string(), theme::TOTAL).into(), Key::Digit(d));
    let mut rows = Column::new().spacing(theme::GAP);
    for r in 0..3u8 {
        rows = rows.push(Row::new().spacing(theme::GAP).extend((1..=3).map(|c| digit(r * 3 + c))));
    }
    let corner = if dot {
        key(bold(".", theme::TOTAL).into(), Key::Dot)
    } else {
        key(label(Msg::ClearEntry.text(lang), theme::BUTTON).into(), Key::Clear)
    };
    let back = key(label(Msg::Backspace.text(lang), theme::BUTTON).into(), Key::Back);
    rows.push(Row::new().spacing(theme::GAP).push(corner).push(digit(0)).push(back)).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_edit_the_entry() {
        let mut e = String::new();
        for k in [Key::Digit(1), Key::Digit(0), Key::Dot, Key::Dot, Key::Digit(5), Key::Digit(12)] {
            k.apply(&mut e, 8, true);
        }
        assert_eq!(e, "10.5");
        Key::Back.apply(&mut e, 8, true);
        assert_eq!(e, "10.");
        Key::Dot.apply(&mut e, 8, false);
        Key::Clear.apply(&mut e, 8, true);
        assert_eq!(e, "");
        for _ in 0..20 {
            Key::Digit(7).apply(&mut e, 6, false);
        }
        assert_eq!(e, "777777");
    }
}
