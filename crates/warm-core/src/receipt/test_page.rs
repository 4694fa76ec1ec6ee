//! The printer test page (`warm-kiosk printer test`): Chinese at every character size, a QR code,
//! and a ruler as wide as the configured paper, so a volunteer sees at once whether the
//! encoding, the QR command and the paper width are right.

use super::escpos::{Align, EscPos, MAX_SIZE, QrEc, Raster};
use super::paper::PaperProfile;
use super::width::wrap;
use crate::domain::Lang;
use crate::i18n::{Msg, tr};

/// What the test page's QR code carries.
pub const TEST_QR: &str = "WM1:TEST:暖心市集";

pub fn test_page(profile: &PaperProfile, lang: Lang, terminal: &str) -> Vec<u8> {
    let cols = profile.columns();
    let mut p = EscPos::with_capacity(4096);
    p.init();
    if profile.chinese_mode {
        p.chinese_mode(true);
    }
    p.align(Align::Center).bold(true).size(2, 2);
    for line in wrap(Msg::TestPageTitle.text(lang), cols / 2) {
        p.line(&line);
    }
    p.bold(false).size(1, 1).line(terminal);
    p.align(Align::Left);
    for n in 1..=MAX_SIZE {
        p.size(n, n);
        for line in wrap(&tr(Msg::TestPageSize, lang, &[("n", &n.to_string())]), cols / usize::from(n)) {
            p.line(&line);
        }
    }
    p.size(1, 1).align(Align::Center).lf();
    let qr = if profile.native_qr {
        p.qr_native(TEST_QR, 6, QrEc::M).is_ok()
    } else {
        p.qr_raster(TEST_QR, 5, QrEc::M, profile.dots()).is_ok()
    };
    if !qr {
        p.line(TEST_QR);
    }
    p.lf().align(Align::Left);
    let dots = profile.dots();
    p.line(&tr(Msg::TestPageRuler, lang, &[("cols", &cols.to_string()), ("dots", &dots.to_string())]));
    // Column ruler: a digit every column, a '|' every tenth.
    let ruler: String = (1..=cols).map(|c| if c % 10 == 0 { '|' } else { char::from(b'0' + (c % 10) as u8) }).collect();
    p.line(&ruler);
    // Dot ruler: a full-width bar with a tick every column (12 dots); both edges must print.
    if let Ok(mut bar) = Raster::new(dots, 24) {
        for x in 0..dots {
            for y in 0..4 {
                bar.set(x, y);
            }
            let tick = if x % 120 == 0 || x + 1 == dots {
                24
            } else if x % 12 == 0 {
                12
            } else {
                0
            };
            for y in 0..tick {
                bar.set(x, y);
            }
        }
        p.raster(&bar);
    }
    p.feed(2).cut(profile.cut_feed);
    p.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::Paper;

    #[test]
    fn every_size_a_qr_and_a_full_width_ruler() {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let profile = PaperProfile { paper, ..PaperProfile::default() };
            let bytes = test_page(&profile, Lang::Zh, "K1");
            for n in 0..MAX_SIZE {
                let size = (n << 4) | n;
                assert!(bytes.windows(3).any(|w| w == [0x1D, 0x21, size]), "size {}", n + 1);
            }
            assert!(bytes.windows(3).any(|w| w == [0x1D, 0x28, 0x6B]));
            let [xl, xh] = u16::try_from(paper.dots() / 8).unwrap().to_le_bytes();
            assert!(bytes.windows(6).any(|w| w == [0x1D, 0x76, 0x30, 0, xl, xh]));
        }
    }
}
