//! Sizes and colours in one place, at the 1920×1080 reference (the config's `scale` multiplies
//! them all). The floors are the seniors' accessibility targets written in the README ("The
//! screens"), from the MIIT 适老化 rules and WCAG AAA: targets ≥ 96 px (≥ 16 mm on a 21.5"
//! panel), body text ≥ 32 px, prices ≥ 48 px, contrast ≥ 7:1; `tests/kiosk/layout.rs` checks them.

use iced::widget::{button, container};
use iced::{Background, Border, Color, Font, Shadow, Theme, font};

pub const FONT: Font = Font::with_name(warm_core::fonts::FAMILY);
pub const BOLD: Font = Font { weight: font::Weight::Bold, ..FONT };

/// The reference window size every size in `theme` is chosen for.
pub const REFERENCE_SIZE: iced::Size = iced::Size::new(1920.0, 1080.0);

/// How much the reference layout is scaled to fill a window of this size (in the system's
/// pixels) without spilling over: the smaller ratio of the two sides, so a 1366×768 screen shows
/// the whole 1920×1080 layout at 0.71 (a 96 px target is 68 px, 17 mm on a 15.6" panel) and a 4K
/// screen at 2.0. A window with no size yet (minimised, opening) keeps the reference.
pub fn fit(window: iced::Size) -> f32 {
    let fit = (window.width / REFERENCE_SIZE.width).min(window.height / REFERENCE_SIZE.height);
    if fit.is_finite() && fit > 0.05 { fit.clamp(0.25, 4.0) } else { 1.0 }
}

/// 大字 (issue 12): the seniors' screens drawn this much larger. The screens then lay out in the
/// reference size divided by it (1536×864 at 1920×1080), with fewer things on a page, so every
/// size below holds in their own pixels and comes out 1.25 times as big.
pub const LARGE_TEXT: f32 = 1.25;

// Text sizes, px.
pub const BODY: f32 = 34.0;
pub const BUTTON: f32 = 40.0;
pub const TITLE: f32 = 46.0;
pub const PRICE: f32 = 52.0;
pub const TOTAL: f32 = 64.0;
pub const BANNER: f32 = 56.0;
pub const ORDER_NUMBER: f32 = 220.0;

// Touch targets and spacing, px.
pub const TARGET: f32 = 96.0;
/// Between a target's border and its content.
pub const TAP_PAD: f32 = 8.0;
pub const BIG_TARGET: f32 = 120.0;
pub const GAP: f32 = 16.0;
pub const PAD: f32 = 24.0;
pub const BASKET_WIDTH: f32 = 760.0;
pub const TILE_PICTURE: f32 = 160.0;
pub const LINE_PICTURE: f32 = 96.0;
pub const CATEGORY_PICTURE: f32 = 220.0;
/// A category tile's height besides its picture: the name, the gap, the target's padding and border.
pub const CATEGORY_WORDS: f32 = TITLE * 1.3 + GAP + 2.0 * (TAP_PAD + BORDER);
/// The least height a grid's tile row may have: a category's name under a picture of at least
/// 120 px; a product's picture, name, spec, price and how many are in the basket.
pub const CATEGORY_TILE_MIN: f32 = CATEGORY_WORDS + 120.0;
pub const PRODUCT_TILE_MIN: f32 = TILE_PICTURE + 3.0 * BODY * 1.3 + PRICE * 1.3 + 4.0 * 2.0 + 2.0 * (TAP_PAD + BORDER);
/// The least width of a tile: ￥99999.99 in the price size on one line, or a ten-letter word of
/// a category's name in the title size.
pub const TILE_MIN_W: f32 = PRICE_W + 2.0 * (TAP_PAD + BORDER);
/// ￥99999.99 in the price size, on one line.
pub const PRICE_W: f32 = 290.0;
pub const RADIUS: f32 = 18.0;
pub const BORDER: f32 = 3.0;

// The floor the numbers above may never go under; checked when the code compiles.
const _: () = assert!(TARGET >= 96.0 && GAP >= 12.0 && BODY >= 32.0 && PRICE >= 48.0);

// Colours.
pub const BACKGROUND: Color = rgb(0xFF, 0xF8, 0xEC);
pub const SURFACE: Color = rgb(0xFF, 0xFF, 0xFF);
pub const INK: Color = rgb(0x1A, 0x1A, 0x1A);
pub const PRICE_INK: Color = rgb(0x9B, 0x00, 0x00);
pub const PRIMARY: Color = rgb(0x1B, 0x5E, 0x20);
pub const ON_PRIMARY: Color = rgb(0xFF, 0xFF, 0xFF);
pub const ADDED: Color = rgb(0xD8, 0xEF, 0xD8);
pub const ON_ADDED: Color = rgb(0x0B, 0x33, 0x0E);
pub const WARNING: Color = rgb(0xFF, 0xE9, 0xA8);
pub const ON_WARNING: Color = rgb(0x3D, 0x1F, 0x00);
pub const PRESSED: Color = rgb(0xE4, 0xDC, 0xCC);
pub const BACKDROP: Color = Color { r: 0.0, g: 0.0, b: 0.0, a: 0.62 };

const fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color { r: r as f32 / 255.0, g: g as f32 / 255.0, b: b as f32 / 255.0, a: 1.0 }
}

/// Every text/background pair the styles below use, for the contrast test.
pub const TEXT_PAIRS: &[(&str, Color, Color)] = &[
    ("body on background", INK, BACKGROUND),
    ("body on tile", INK, SURFACE),
    ("price on tile", PRICE_INK, SURFACE),
    ("price on background", PRICE_INK, BACKGROUND),
    ("primary button", ON_PRIMARY, PRIMARY),
    ("pressed button", INK, PRESSED),
    ("added badge", ON_ADDED, ADDED),
    ("warning banner", ON_WARNING, WARNING),
];

/// WCAG 2 contrast ratio of two opaque colours.
pub fn contrast(a: Color, b: Color) -> f32 {
    fn luminance(c: Color) -> f32 {
        let lin = |v: f32| if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

pub fn theme() -> Theme {
    Theme::custom(
        "Warm Market",
        iced::theme::Palette {
            background: BACKGROUND,
            text: INK,
            primary: PRIMARY,
            success: PRIMARY,
            warning: WARNING,
            danger: PRICE_INK,
        },
    )
}

/// How a tappable target looks. Pressed and hovered states change the fill; the words on the
/// button never change meaning by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// The one main action of a screen (下单, 确认).
    Primary,
    /// Everything else: back, −, +, language.
    Secondary,
    /// A product or category tile.
    Tile,
    /// A tile whose product is already in the basket.
    TileAdded,
}

pub fn tap_style(kind: Tap, status: button::Status) -> button::Style {
    let pressed = matches!(status, button::Status::Pressed);
    let (background, text_color, border_color) = match kind {
        // Switched off: flat, no border, still readable; the screen says in words why.
        _ if status == button::Status::Disabled => (PRESSED, INK, PRESSED),
        Tap::Primary if pressed => (PRESSED, INK, INK),
        Tap::Primary => (PRIMARY, ON_PRIMARY, PRIMARY),
        _ if pressed => (PRESSED, INK, INK),
        Tap::Secondary | Tap::Tile => (SURFACE, INK, INK),
        Tap::TileAdded => (SURFACE, INK, PRIMARY),
    };
    let width = if kind == Tap::TileAdded { BORDER * 2.0 } else { BORDER };
    button::Style {
        background: Some(Background::Color(background)),
        text_color,
        border: Border { color: border_color, width, radius: RADIUS.into() },
        shadow: Shadow::default(),
        snap: true,
    }
}

pub fn panel(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(SURFACE)),
        border: Border { color: INK, width: BORDER, radius: RADIUS.into() },
        text_color: Some(INK),
        ..container::Style::default()
    }
}

pub fn badge(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(ADDED)),
        border: Border { radius: (RADIUS / 2.0).into(), ..Border::default() },
        text_color: Some(ON_ADDED),
        ..container::Style::default()
    }
}

pub fn warning(_: &Theme) -> container::Style {
    container::Style {
        background: Some(Background::Color(WARNING)),
        border: Border { color: ON_WARNING, width: BORDER, radius: RADIUS.into() },
        text_color: Some(ON_WARNING),
        ..container::Style::default()
    }
}

/// The warning banner with a heavy border: alternated with `warning` at each rejected scan, so
/// the banner visibly flashes even when the words stay the same.
pub fn warning_flash(theme: &Theme) -> container::Style {
    container::Style { border: Border { color: INK, width: BORDER * 3.0, radius: RADIUS.into() }, ..warning(theme) }
}

pub fn backdrop(_: &Theme) -> container::Style {
    container::Style { background: Some(Background::Color(BACKDROP)), ..container::Style::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_pair_reaches_aaa_contrast() {
        for (name, fg, bg) in TEXT_PAIRS {
            let ratio = contrast(*fg, *bg);
            assert!(ratio >= 7.0, "{name}: contrast {ratio:.2} < 7");
        }
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color::WHITE, Color::WHITE) - 1.0).abs() < 0.01);
    }

    #[test]
    fn targets_are_16_mm_on_a_small_1080p_panel() {
        // A 15.6" 1920×1080 panel is the smallest kiosk screen we expect: 141 px per inch.
        let px_per_mm = (1920f32.hypot(1080.0) / 15.6) / 25.4;
        assert!(TARGET / px_per_mm >= 16.0, "{} mm", TARGET / px_per_mm);
    }
}
