//! A pure ESC/POS byte encoder: layouts call it, a transport sends what it returns. No I/O here.
//!
//! The builder remembers the print modes it has set since `init`, so a layout may say
//! `bold(false)` before every line and only real changes reach the (slow, 9600 baud) wire.
//! Before `init` nothing is known about the printer, so every command is sent.

pub use super::qr::QrEc;
use super::qr::{QrSymbol, symbol};
use encoding_rs::{EncoderResult, GB18030};
use thiserror::Error;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const LF: u8 = 0x0A;

/// Largest print position multiplier of `GS ! n`.
pub const MAX_SIZE: u8 = 8;
/// Largest QR module size printers accept for `GS ( k` function 167.
pub const MAX_QR_MODULE: u8 = 16;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EscPosError {
    #[error("QR data is empty")]
    QrEmpty,
    #[error("QR data is {len} bytes; a QR code at error correction {ec:?} holds at most {max}")]
    QrTooLong { len: usize, max: usize, ec: QrEc },
    #[error("QR code cannot be made: {0}")]
    Qr(#[from] qrcode::types::QrError),
    #[error("image of {width}×{height} dots does not fit (at most {max_width} dots wide, 1..=65535 high)")]
    ImageTooLarge { width: u32, height: u32, max_width: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

impl Align {
    pub fn code(self) -> u8 {
        match self {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        }
    }
}

/// How one character reaches the printer: one ASCII byte (one column) or a two-byte GB18030
/// code (two columns: in Chinese mode the printer draws every two-byte code full width).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Narrow(u8),
    Wide([u8; 2]),
}

impl Glyph {
    /// Columns the glyph takes on paper at size 1×1.
    pub fn columns(self) -> usize {
        match self {
            Glyph::Narrow(_) => 1,
            Glyph::Wide(_) => 2,
        }
    }
}

/// The printed form of `c`. Characters that would need a four-byte GB18030 code are `?`: many
/// printers lack them and print garbage that desynchronises the rest of the line. A few common
/// characters are swapped for ones every Chinese printer font has.
pub fn glyph(c: char) -> Glyph {
    let c = match c {
        // `¥` is four bytes in GB18030; the full-width sign is A3 A4 in GB2312.
        '\u{A5}' => '\u{FFE5}',
        // En dash (our slot ranges), minus, hyphens: outside GB2312, and an ASCII '-' is narrower.
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => '-',
        '\u{A0}' => ' ',
        c => c,
    };
    if c.is_ascii() {
        // Control bytes inside text would be taken as commands: a product name must not cut paper.
        return match c {
            '\t' | '\n' | '\r' => Glyph::Narrow(b' '),
            c if c.is_ascii_control() => Glyph::Narrow(b'?'),
            c => Glyph::Narrow(c as u8),
        };
    }
    let mut utf8 = [0u8; 4];
    let mut out = [0u8; 4];
    let mut encoder = GB18030.new_encoder();
    match encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut utf8), &mut out, true) {
        (EncoderResult::InputEmpty, _, 2) => Glyph::Wide([out[0], out[1]]),
        _ => Glyph::Narrow(b'?'),
    }
}

/// A 1-bit image for `GS v 0`: rows of `width_bytes`, most significant bit leftmost, 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raster {
    width_bytes: u16,
    height: u16,
    bits: Vec<u8>,
}

impl Raster {
    /// A blank image; the width is rounded up to whole bytes.
    pub fn new(width_dots: u32, height_dots: u32) -> Result<Raster, EscPosError> {
        let too_large = || EscPosError::ImageTooLarge {
            width: width_dots,
            height: height_dots,
            max_width: u32::from(u16::MAX) * 8,
        };
        let width_bytes = u16::try_from(width_dots.div_ceil(8)).map_err(|_| too_large())?;
        let height = u16::try_from(height_dots).map_err(|_| too_large())?;
        if width_bytes == 0 || height == 0 {
            return Err(too_large());
        }
        Ok(Raster { width_bytes, height, bits: vec![0; usize::from(width_bytes) * usize::from(height)] })
    }

    pub fn width_dots(&self) -> u32 {
        u32::from(self.width_bytes) * 8
    }

    pub fn height(&self) -> u32 {
        u32::from(self.height)
    }

    /// Blackens a dot; dots outside the image are ignored.
    pub fn set(&mut self, x: u32, y: u32) {
        if x >= self.width_dots() || y >= self.height() {
            return;
        }
        let index = y as usize * usize::from(self.width_bytes) + x as usize / 8;
        if let Some(byte) = self.bits.get_mut(index) {
            *byte |= 0x80 >> (x % 8);
        }
    }

    pub fn bits(&self) -> &[u8] {
        &self.bits
    }
}

/// Print modes known to be in force; `None` = unknown, so the next command is always sent.
#[derive(Debug, Clone, Copy, Default)]
struct Modes {
    align: Option<Align>,
    bold: Option<bool>,
    size: Option<(u8, u8)>,
    reverse: Option<bool>,
    chinese: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct EscPos {
    buf: Vec<u8>,
    modes: Modes,
}

impl EscPos {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(bytes: usize) -> Self {
        EscPos { buf: Vec::with_capacity(bytes), modes: Modes::default() }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// `ESC @`: clears the buffer and resets the print modes to their power-on values.
    pub fn init(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'@']);
        // Whether init leaves Chinese mode on differs between printers, so it stays unknown.
        self.modes = Modes {
            align: Some(Align::Left),
            bold: Some(false),
            size: Some((1, 1)),
            reverse: Some(false),
            chinese: None,
        };
        self
    }

    /// `ESC a n`; takes effect at the start of a line.
    pub fn align(&mut self, align: Align) -> &mut Self {
        if self.modes.align != Some(align) {
            self.buf.extend_from_slice(&[ESC, b'a', align.code()]);
            self.modes.align = Some(align);
        }
        self
    }

    /// `ESC E n`.
    pub fn bold(&mut self, on: bool) -> &mut Self {
        if self.modes.bold != Some(on) {
            self.buf.extend_from_slice(&[ESC, b'E', u8::from(on)]);
            self.modes.bold = Some(on);
        }
        self
    }

    /// `GS ! n`: character width and height multipliers, each clamped to 1..=8.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let (w, h) = (width.clamp(1, MAX_SIZE), height.clamp(1, MAX_SIZE));
        if self.modes.size != Some((w, h)) {
            self.buf.extend_from_slice(&[GS, b'!', ((w - 1) << 4) | (h - 1)]);
            self.modes.size = Some((w, h));
        }
        self
    }

    /// `GS B n`: white on black.
    pub fn reverse(&mut self, on: bool) -> &mut Self {
        if self.modes.reverse != Some(on) {
            self.buf.extend_from_slice(&[GS, b'B', u8::from(on)]);
            self.modes.reverse = Some(on);
        }
        self
    }

    /// `FS &` / `FS .`: only for printers that start in single-byte mode (see `PaperProfile`).
    pub fn chinese_mode(&mut self, on: bool) -> &mut Self {
        if self.modes.chinese != Some(on) {
            self.buf.extend_from_slice(&[FS, if on { b'&' } else { b'.' }]);
            self.modes.chinese = Some(on);
        }
        self
    }

    /// Text as GB18030 two-byte codes (see [`glyph`]); no line feed.
    pub fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            match glyph(c) {
                Glyph::Narrow(b) => self.buf.push(b),
                Glyph::Wide(code) => self.buf.extend_from_slice(&code),
            }
        }
        self
    }

    /// Text and a line feed.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text).lf()
    }

    /// `LF`: prints the buffered line (or feeds one empty line).
    pub fn lf(&mut self) -> &mut Self {
        self.buf.push(LF);
        self
    }

    /// `ESC d n`: prints the buffer and feeds `lines` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'd', lines]);
        self
    }

    /// A QR code drawn by the printer (Model 2). The store length counts BYTES of `data`, not
    /// characters: the classic bug that truncates Chinese payloads. Nothing is written on error.
    pub fn qr_native(&mut self, data: impl AsRef<[u8]>, module: u8, ec: QrEc) -> Result<&mut Self, EscPosError> {
        let data = data.as_ref();
        if data.is_empty() {
            return Err(EscPosError::QrEmpty);
        }
        let max = ec.max_bytes();
        let stored = u16::try_from(data.len() + 3).ok().filter(|_| data.len() <= max);
        let Some(stored) = stored else {
            return Err(EscPosError::QrTooLong { len: data.len(), max, ec });
        };
        let [pl, ph] = stored.to_le_bytes();
        let module = module.clamp(1, MAX_QR_MODULE);
        // Model 2 is sent explicitly: some printers default to Model 1, which phones cannot read.
        self.buf.extend_from_slice(&[GS, b'(', b'k', 4, 0, 0x31, 0x41, 0x32, 0x00]);
        self.buf.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x43, module]);
        self.buf.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x45, ec.code()]);
        self.buf.extend_from_slice(&[GS, b'(', b'k', pl, ph, 0x31, 0x50, 0x30]);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(&[GS, b'(', b'k', 3, 0, 0x31, 0x51, 0x30]);
        Ok(self)
    }

    /// The same QR drawn here and sent as a raster image, for printers without native QR.
    /// The module size shrinks if the symbol would be wider than `max_width_dots`.
    pub fn qr_raster(
        &mut self,
        data: impl AsRef<[u8]>,
        module: u8,
        ec: QrEc,
        max_width_dots: u32,
    ) -> Result<&mut Self, EscPosError> {
        let data = data.as_ref();
        if data.is_empty() {
            return Err(EscPosError::QrEmpty);
        }
        let raster = qr_raster_image(&symbol(data, ec)?, module, max_width_dots)?;
        self.raster(&raster);
        Ok(self)
    }

    /// `GS v 0 0`: a 1-bit image at normal density, placed by the current alignment.
    pub fn raster(&mut self, image: &Raster) -> &mut Self {
        let [xl, xh] = image.width_bytes.to_le_bytes();
        let [yl, yh] = image.height.to_le_bytes();
        self.buf.extend_from_slice(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
        self.buf.extend_from_slice(&image.bits);
        self
    }

    /// `GS V A n`: feeds to the cutter plus `feed` motion units and cuts (partial cut).
    pub fn cut(&mut self, feed: u8) -> &mut Self {
        self.buf.extend_from_slice(&[GS, b'V', b'A', feed]);
        self
    }
}

/// A QR symbol (no quiet zone: the paper around it is white) as a raster of `module`-dot squares.
pub fn qr_raster_image(code: &QrSymbol, module: u8, max_width_dots: u32) -> Result<Raster, EscPosError> {
    let modules = u32::try_from(code.width()).unwrap_or(u32::MAX);
    let module = u32::from(module.clamp(1, MAX_QR_MODULE)).min(max_width_dots / modules.max(1));
    if module == 0 {
        return Err(EscPosError::ImageTooLarge { width: modules, height: modules, max_width: max_width_dots });
    }
    let side = modules.saturating_mul(module);
    let mut raster = Raster::new(side, side)?;
    // One row of dots per row of modules, copied `module` times.
    let row_bytes = usize::from(raster.width_bytes);
    for my in 0..code.width() {
        let mut row = vec![0u8; row_bytes];
        for x in 0..side {
            if code.is_dark((x / module) as usize, my)
                && let Some(byte) = row.get_mut(x as usize / 8)
            {
                *byte |= 0x80 >> (x % 8);
            }
        }
        for dy in 0..module as usize {
            let start = (my * module as usize + dy) * row_bytes;
            if let Some(dst) = raster.bits.get_mut(start..start + row_bytes) {
                dst.copy_from_slice(&row);
            }
        }
    }
    Ok(raster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrcode::EcLevel;
    use qrcode::QrCode;

    fn bytes(f: impl FnOnce(&mut EscPos)) -> Vec<u8> {
        let mut p = EscPos::new();
        f(&mut p);
        p.into_bytes()
    }

    #[test]
    fn init_align_bold_size() {
        assert_eq!(
            bytes(|p| {
                p.init();
            }),
            [0x1B, 0x40]
        );
        for (align, n) in [(Align::Left, 0), (Align::Center, 1), (Align::Right, 2)] {
            assert_eq!(
                bytes(|p| {
                    p.align(align);
                }),
                [0x1B, 0x61, n]
            );
        }
        for on in [true, false] {
            assert_eq!(
                bytes(|p| {
                    p.bold(on);
                }),
                [0x1B, 0x45, u8::from(on)]
            );
        }
        // Width and height go in the low and high nibbles; out of range never makes an invalid byte.
        for ((w, h), n) in [((1, 1), 0x00), ((2, 2), 0x11), ((4, 6), 0x35), ((8, 8), 0x77), ((0, 9), 0x07)] {
            assert_eq!(
                bytes(|p| {
                    p.size(w, h);
                }),
                [0x1D, 0x21, n],
                "size({w}, {h})"
            );
        }
        assert_eq!(
            bytes(|p| {
                p.reverse(true);
            }),
            [0x1D, 0x42, 1]
        );
    }

    #[test]
    fn chinese_mode_lf_feed_cut() {
        assert_eq!(
            bytes(|p| {
                p.chinese_mode(true);
            }),
            [0x1C, 0x26]
        );
        assert_eq!(
            bytes(|p| {
                p.chinese_mode(false);
            }),
            [0x1C, 0x2E]
        );
        assert_eq!(
            bytes(|p| {
                p.lf();
            }),
            [0x0A]
        );
        assert_eq!(
            bytes(|p| {
                p.feed(3);
            }),
            [0x1B, 0x64, 3]
        );
        assert_eq!(
            bytes(|p| {
                p.cut(16);
            }),
            [0x1D, 0x56, 0x41, 16]
        );
    }

    #[test]
    fn unchanged_modes_are_not_resent_after_init() {
        let out = bytes(|p| {
            p.init().align(Align::Left).bold(false).size(1, 1).reverse(false);
            p.bold(true).bold(true).size(2, 2).size(2, 2).chinese_mode(true).chinese_mode(true);
        });
        assert_eq!(out, [0x1B, 0x40, 0x1B, 0x45, 1, 0x1D, 0x21, 0x11, 0x1C, 0x26]);
    }

    #[test]
    fn text_is_gb18030_two_byte() {
        assert_eq!(
            bytes(|p| {
                p.text("A1 ");
            }),
            b"A1 "
        );
        assert_eq!(
            bytes(|p| {
                p.line("取货");
            }),
            [0xC8, 0xA1, 0xBB, 0xF5, 0x0A]
        );
        // Full-width yuan sign is A3 A4; the half-width one is mapped to it, never 4 bytes.
        assert_eq!(
            bytes(|p| {
                p.text("￥¥");
            }),
            [0xA3, 0xA4, 0xA3, 0xA4]
        );
        assert_eq!(
            bytes(|p| {
                p.text("×");
            }),
            [0xA1, 0xC1]
        );
        assert_eq!(
            bytes(|p| {
                p.text("10:30–11:00");
            }),
            b"10:30-11:00"
        );
    }

    #[test]
    fn four_byte_and_control_characters_become_safe() {
        // U+00C0 À and U+1F600 😀 need four bytes in GB18030.
        assert_eq!(
            bytes(|p| {
                p.text("À😀");
            }),
            b"??"
        );
        assert_eq!(
            bytes(|p| {
                p.text("a\u{1B}@\u{1D}V\tb\n");
            }),
            b"a?@?V b "
        );
    }

    #[test]
    fn native_qr_counts_bytes_not_chars() {
        let data = "WM1:取货"; // 4 ASCII + 2 chars of 3 UTF-8 bytes = 10 bytes
        let out = bytes(|p| {
            p.qr_native(data, 6, QrEc::M).unwrap();
        });
        let mut want = vec![0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 6]);
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 49]);
        want.extend([0x1D, 0x28, 0x6B, 13, 0x00, 0x31, 0x50, 0x30]);
        want.extend(data.as_bytes());
        want.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]);
        assert_eq!(out, want);
    }

    #[test]
    fn native_qr_length_uses_both_bytes() {
        let data = vec![b'7'; 300];
        let out = bytes(|p| {
            p.qr_native(&data, 3, QrEc::L).unwrap();
        });
        // 303 = 0x012F
        assert_eq!(&out[25..33], &[0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]);
        assert_eq!(out.len(), 9 + 8 + 8 + 8 + 300 + 8);
    }

    #[test]
    fn native_qr_refuses_what_cannot_print_and_writes_nothing() {
        let mut p = EscPos::new();
        assert_eq!(p.qr_native("", 6, QrEc::M).err(), Some(EscPosError::QrEmpty));
        let big = vec![b'x'; 1274];
        assert!(matches!(p.qr_native(&big, 6, QrEc::H), Err(EscPosError::QrTooLong { len: 1274, max: 1273, .. })));
        assert!(p.bytes().is_empty());
    }

    #[test]
    fn raster_header_and_bits() {
        let mut image = Raster::new(10, 2).unwrap();
        image.set(0, 0);
        image.set(9, 1);
        image.set(100, 100); // ignored
        let out = bytes(|p| {
            p.raster(&image);
        });
        assert_eq!(out, [0x1D, 0x76, 0x30, 0, 2, 0, 2, 0, 0x80, 0x00, 0x00, 0x40]);
        assert!(Raster::new(0, 5).is_err());
        assert!(Raster::new(8, 70_000).is_err());
    }

    #[test]
    fn raster_qr_matches_the_symbol() {
        let data = "WM1:O:取货";
        let out = bytes(|p| {
            p.qr_raster(data, 4, QrEc::M, 384).unwrap();
        });
        let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).unwrap();
        let side = code.width() * 4;
        let wb = side.div_ceil(8);
        assert_eq!(&out[..4], &[0x1D, 0x76, 0x30, 0]);
        assert_eq!(usize::from(u16::from_le_bytes([out[4], out[5]])), wb);
        assert_eq!(usize::from(u16::from_le_bytes([out[6], out[7]])), side);
        assert_eq!(out.len(), 8 + wb * side);
        // Top-left dot of a QR is always dark (finder pattern), the dot after the symbol is white.
        assert_eq!(out[8] & 0x80, 0x80);
        // Module shrinks to fit a narrow paper.
        let narrow = bytes(|p| {
            p.qr_raster(data, 16, QrEc::M, 100).unwrap();
        });
        let side = usize::from(u16::from_le_bytes([narrow[6], narrow[7]]));
        assert!(side <= 100 && side >= code.width());
        assert!(EscPos::new().qr_raster(data, 4, QrEc::M, 10).is_err());
    }
}
