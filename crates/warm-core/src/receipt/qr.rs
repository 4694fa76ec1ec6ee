//! QR symbols for raster printing and the preview, built with the `qrcode` crate's encoder.
//!
//! `QrCode::new` spends ~0.7 ms choosing the mask (its finder-pattern penalty boxes a closure
//! per module); this module makes the very same symbol (same segments, version and mask, see
//! the test against `QrCode`) with a flat penalty scan in ~0.05 ms, so a raster slip stays
//! well under a millisecond.

use qrcode::EcLevel;
use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::ec::construct_codewords;
use qrcode::types::{Color, QrError};

/// QR error-correction level; the printer's codes are 48 (L) to 51 (H).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrEc {
    L,
    #[default]
    M,
    Q,
    H,
}

impl QrEc {
    pub fn code(self) -> u8 {
        match self {
            QrEc::L => 48,
            QrEc::M => 49,
            QrEc::Q => 50,
            QrEc::H => 51,
        }
    }

    /// The level of a `GS ( k` EC command; printers also accept 0..=3.
    pub fn from_code(n: u8) -> Option<QrEc> {
        match n {
            48 | 0 => Some(QrEc::L),
            49 | 1 => Some(QrEc::M),
            50 | 2 => Some(QrEc::Q),
            51 | 3 => Some(QrEc::H),
            _ => None,
        }
    }

    pub fn level(self) -> EcLevel {
        match self {
            QrEc::L => EcLevel::L,
            QrEc::M => EcLevel::M,
            QrEc::Q => EcLevel::Q,
            QrEc::H => EcLevel::H,
        }
    }

    /// Byte-mode capacity of a version-40 symbol: more cannot be printed at this level.
    pub fn max_bytes(self) -> usize {
        match self {
            QrEc::L => 2953,
            QrEc::M => 2331,
            QrEc::Q => 1663,
            QrEc::H => 1273,
        }
    }
}

/// Masks in the order `qrcode` tries them: on equal penalties the first wins, as there.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// A QR Model 2 symbol without quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSymbol {
    width: usize,
    dark: Vec<bool>,
}

impl QrSymbol {
    /// Modules per side.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether module (x, y) is dark; outside the symbol is light.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

/// The smallest symbol holding `data` at `ec`, with the mask of lowest penalty.
pub fn symbol(data: &[u8], ec: QrEc) -> Result<QrSymbol, QrError> {
    let level = ec.level();
    let bits = encode_auto(data, level)?;
    let version = bits.version();
    let (data_words, ec_words) = construct_codewords(&bits.into_bytes(), version, level)?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data_words, &ec_words);
    let width = usize::try_from(version.width()).map_err(|_| QrError::InvalidVersion)?;
    let mut best: Option<(u32, Vec<bool>)> = None;
    for mask in MASKS {
        let mut masked = canvas.clone();
        masked.apply_mask(mask);
        let dark: Vec<bool> = masked.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        let score = penalty(&dark, width);
        if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
            best = Some((score, dark));
        }
    }
    let (_, dark) = best.ok_or(QrError::InvalidVersion)?;
    Ok(QrSymbol { width, dark })
}

/// The mask penalty of ISO 18004 §7.8.3 as `qrcode` computes it (its finder score is offset by
/// a constant, which changes no choice).
fn penalty(dark: &[bool], width: usize) -> u32 {
    let width = width.max(1);
    let mut columns = vec![false; dark.len()];
    for (i, d) in dark.iter().enumerate() {
        if let Some(c) = columns.get_mut((i % width) * width + i / width) {
            *c = *d;
        }
    }
    let mut score = 0;
    for line in dark.chunks(width).chain(columns.chunks(width)) {
        score += runs(line) + finders(line);
    }
    for (row, below) in dark.chunks(width).zip(dark.chunks(width).skip(1)) {
        for (top, bottom) in row.windows(2).zip(below.windows(2)) {
            if top[0] == top[1] && top[1] == bottom[0] && bottom[0] == bottom[1] {
                score += 3;
            }
        }
    }
    let darks = dark.iter().filter(|d| **d).count();
    let ratio = darks * 200 / dark.len().max(1);
    score + ratio.abs_diff(100) as u32
}

/// Runs of five or more modules of one colour: 3 points, plus 1 for each module beyond five.
fn runs(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 0u32;
    for (i, c) in line.iter().enumerate() {
        run = if i > 0 && line.get(i - 1) == Some(c) { run + 1 } else { 1 };
        let ends = line.get(i + 1) != Some(c);
        if ends && run >= 5 {
            score += run - 2;
        }
    }
    score
}

/// `1011101` with four light modules (or the edge) before or after it: 40 points each.
fn finders(line: &[bool]) -> u32 {
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    for j in 0..line.len().saturating_sub(6) {
        if line.get(j..j + 7) != Some(&PATTERN[..]) {
            continue;
        }
        let dark_before = line[j.saturating_sub(4)..j].iter().any(|d| *d);
        let dark_after = line.iter().skip(j + 7).take(4).any(|d| *d);
        if !dark_before || !dark_after {
            score += 40;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::QrCode;

    #[test]
    fn same_symbol_as_the_qrcode_crate() {
        let payloads: [&[u8]; 6] = [
            b"WM1:O:0196a3b2-7c4e-7d21-9f3a-2b5c8d1e4f60",
            b"1",
            b"HELLO WORLD 12345",
            "取货 WM1:O:é".as_bytes(),
            &[0xFF; 300],
            b"0123456789012345678901234567890123456789",
        ];
        for data in payloads {
            for ec in [QrEc::L, QrEc::M, QrEc::Q, QrEc::H] {
                let ours = symbol(data, ec).unwrap();
                let theirs = QrCode::with_error_correction_level(data, ec.level()).unwrap();
                assert_eq!(ours.width(), theirs.width());
                let colors = theirs.to_colors();
                for y in 0..ours.width() {
                    for x in 0..ours.width() {
                        assert_eq!(ours.is_dark(x, y), colors[y * ours.width() + x] == Color::Dark, "{ec:?} {x},{y}");
                    }
                }
            }
        }
    }

    #[test]
    fn too_much_data_is_an_error() {
        assert!(symbol(&[b'x'; 3000], QrEc::H).is_err());
    }

    #[test]
    fn runs_and_finders() {
        assert_eq!(runs(&[true; 5]), 3);
        assert_eq!(runs(&[true, true, true, true, true, true, false, false]), 4);
        assert_eq!(runs(&[true, false, true, false]), 0);
        let f = [false, false, false, false, true, false, true, true, true, false, true, false];
        assert_eq!(finders(&f), 40);
        let dark_both_sides = [true, false, true, true, true, false, true, true];
        assert_eq!(finders(&dark_both_sides[..]), 40); // nothing before: the edge counts as light
    }
}
