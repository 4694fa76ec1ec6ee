//! What the printer would print, drawn from the very bytes sent to it, so a trainer (and a
//! test) sees the slip without paper.
//!
//! It interprets the commands our encoder writes, the way a 203 dpi printer with a 12×24 font
//! does: fixed cells (one column for a single byte, two for a GB18030 code in Chinese mode),
//! `GS !` multiplies them, lines wrap at the paper's edge, characters of different heights
//! sit on one baseline. Other commands are skipped by their length; nothing panics on any input.

use crate::fonts;
use crate::receipt::escpos::{Align, QrEc};
use crate::receipt::paper::PaperProfile;
use crate::receipt::qr;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use encoding_rs::{GB18030, WINDOWS_1252};
use image::{GrayImage, ImageFormat};
use std::io::Cursor;
use std::sync::Arc;
use thiserror::Error;

/// Width and height of a single-byte character cell at size 1×1, in dots.
const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
/// Default line spacing (`ESC 2`): 30 dots, a 24-dot character and 6 dots of space.
const LINE_SPACING: u32 = 30;
/// Where the baseline sits in a cell: the ideographic em box is 0.88 above, 0.12 below it.
const BASELINE: f32 = 0.88;
/// Five metres of paper: more is a runaway input, not a slip.
const MAX_DOTS: u32 = 40_000;
/// Paper between the last printed line and the cut line, besides the `GS V` feed.
const CUT_MARGIN: u32 = 12;

#[derive(Debug, Clone, Error)]
pub enum PreviewError {
    #[error("the bundled font cannot be read")]
    Font(#[from] ab_glyph::InvalidFont),
    #[error("the print is longer than {max_dots} dots; not drawn")]
    TooLong { max_dots: u32 },
    #[error("PNG encoding failed: {0}")]
    Png(Arc<image::ImageError>),
}

/// The print as a white strip the width of the paper's printable dots, black ink.
pub fn render(bytes: &[u8], profile: &PaperProfile) -> Result<GrayImage, PreviewError> {
    let mut printer = Printer::new(profile)?;
    printer.run(bytes)?;
    Ok(printer.canvas.into_image())
}

/// [`render`] as a PNG file's bytes.
pub fn render_png(bytes: &[u8], profile: &PaperProfile) -> Result<Vec<u8>, PreviewError> {
    let image = render(bytes, profile)?;
    let mut png = Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png).map_err(|e| PreviewError::Png(Arc::new(e)))?;
    Ok(png.into_inner())
}

/// Paper that grows downwards as lines are printed.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn ensure(&mut self, bottom: u32) -> Result<(), PreviewError> {
        if bottom > MAX_DOTS {
            return Err(PreviewError::TooLong { max_dots: MAX_DOTS });
        }
        if bottom > self.height {
            self.height = bottom;
            self.pixels.resize(self.width as usize * bottom as usize, 255);
        }
        Ok(())
    }

    /// Sets a dot to `value` if that makes it darker (ink) or, with `light`, lighter (reverse).
    fn blend(&mut self, x: i64, y: i64, value: u8, light: bool) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let index = y as usize * self.width as usize + x as usize;
        if let Some(p) = self.pixels.get_mut(index) {
            *p = if light { (*p).max(value) } else { (*p).min(value) };
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, value: u8) {
        for yy in y..y.saturating_add(h).min(self.height) {
            for xx in x..x.saturating_add(w).min(self.width) {
                if let Some(p) = self.pixels.get_mut(yy as usize * self.width as usize + xx as usize) {
                    *p = value;
                }
            }
        }
    }

    fn into_image(self) -> GrayImage {
        let (width, height) = (self.width, self.height.max(1));
        let mut pixels = self.pixels;
        pixels.resize(width as usize * height as usize, 255);
        GrayImage::from_raw(width, height, pixels).unwrap_or_else(|| GrayImage::new(width, 1))
    }
}

#[derive(Debug, Clone, Copy)]
struct Modes {
    align: Align,
    bold: bool,
    width: u8,
    height: u8,
    reverse: bool,
    kanji: bool,
    spacing: u32,
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    ch: char,
    wide: bool,
    bold: bool,
    width: u8,
    height: u8,
    reverse: bool,
}

impl Cell {
    fn dots_wide(&self) -> u32 {
        CELL_W * if self.wide { 2 } else { 1 } * u32::from(self.width)
    }
}

#[derive(Debug, Clone)]
struct QrState {
    model: u8,
    module: u8,
    ec: QrEc,
    data: Vec<u8>,
}

/// The result of one command: how many bytes it took, or `None` when the input ends inside it.
type Step = Result<Option<usize>, PreviewError>;

struct Printer {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    canvas: Canvas,
    y: u32,
    /// Power-on modes: a printer that needs no `FS &` starts in Chinese mode.
    initial: Modes,
    modes: Modes,
    line: Vec<Cell>,
    line_dots: u32,
    line_align: Align,
    qr: QrState,
}

impl Printer {
    fn new(profile: &PaperProfile) -> Result<Printer, PreviewError> {
        let initial = Modes {
            align: Align::Left,
            bold: false,
            width: 1,
            height: 1,
            reverse: false,
            kanji: !profile.chinese_mode,
            spacing: LINE_SPACING,
        };
        Ok(Printer {
            regular: FontRef::try_from_slice(fonts::REGULAR)?,
            bold: FontRef::try_from_slice(fonts::BOLD)?,
            canvas: Canvas { width: profile.dots(), height: 0, pixels: Vec::new() },
            y: 0,
            initial,
            modes: initial,
            line: Vec::new(),
            line_dots: 0,
            line_align: Align::Left,
            qr: QrState { model: 2, module: 3, ec: QrEc::L, data: Vec::new() },
        })
    }

    fn run(&mut self, bytes: &[u8]) -> Result<(), PreviewError> {
        let mut at = 0;
        while let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) {
            let step = match rest[0] {
                0x0A => self.print_line().map(|()| Some(1)),
                0x1B => self.esc(rest),
                0x1D => self.gs(rest),
                0x1C => Ok(self.fs(rest)),
                0x10 => Ok(dle(rest)),
                0x00..=0x1F | 0x7F => Ok(Some(1)),
                _ => self.text(rest),
            };
            match step? {
                Some(used) => at += used.max(1),
                // A command cut off by the end of the data: the printer would wait for the rest.
                None => break,
            }
        }
        Ok(())
    }

    fn esc(&mut self, r: &[u8]) -> Step {
        let (Some(&c), n) = (r.get(1), r.get(2).copied()) else {
            return Ok(None);
        };
        let one_arg = |f: &mut dyn FnMut(u8)| n.map(f).map(|()| 3);
        Ok(match c {
            b'@' => {
                // Init clears the buffer without printing it.
                self.modes = self.initial;
                self.line.clear();
                self.line_dots = 0;
                Some(2)
            }
            b'a' => one_arg(&mut |n| {
                self.modes.align = match n {
                    1 | 49 => Align::Center,
                    2 | 50 => Align::Right,
                    _ => Align::Left,
                }
            }),
            b'E' => one_arg(&mut |n| self.modes.bold = n & 1 == 1),
            b'!' => one_arg(&mut |n| {
                self.modes.bold = n & 0x08 != 0;
                self.modes.height = if n & 0x10 != 0 { 2 } else { 1 };
                self.modes.width = if n & 0x20 != 0 { 2 } else { 1 };
            }),
            b'2' => {
                self.modes.spacing = LINE_SPACING;
                Some(2)
            }
            b'3' => one_arg(&mut |n| self.modes.spacing = u32::from(n)),
            b'd' | b'J' => match n {
                Some(n) => {
                    self.print_line()?;
                    let dots = if c == b'd' { u32::from(n) * self.modes.spacing } else { u32::from(n) };
                    self.feed(dots)?;
                    Some(3)
                }
                None => None,
            },
            b'i' | b'm' => {
                self.cut(0)?;
                Some(2)
            }
            b'-' | b'M' | b't' | b'R' | b'G' | b'V' | b'{' | b'U' | b'r' | b' ' | b'T' | b'%' | b'?' | b'<' | b'K'
            | b'e' | b'c' => {
                if c == b'c' {
                    r.get(3).map(|_| 4)
                } else {
                    n.map(|_| 3)
                }
            }
            b'$' | b'\\' | b'B' => r.get(3).map(|_| 4),
            b'p' => r.get(4).map(|_| 5),
            b'W' => r.get(9).map(|_| 10),
            // Tab stops: up to 32 positions ended by NUL.
            b'D' => r.iter().skip(2).position(|&b| b == 0).map(|p| p + 3),
            b'*' => {
                let (Some(&m), Some(&nl), Some(&nh)) = (r.get(2), r.get(3), r.get(4)) else {
                    return Ok(None);
                };
                let columns = usize::from(nl) + usize::from(nh) * 256;
                let len = 5 + columns * if m >= 32 { 3 } else { 1 };
                (r.len() >= len).then_some(len)
            }
            _ => Some(2),
        })
    }

    fn gs(&mut self, r: &[u8]) -> Step {
        let (Some(&c), n) = (r.get(1), r.get(2).copied()) else {
            return Ok(None);
        };
        Ok(match c {
            b'!' => n.map(|n| {
                self.modes.width = (n >> 4 & 7) + 1;
                self.modes.height = (n & 7) + 1;
                3
            }),
            b'B' => n.map(|n| {
                self.modes.reverse = n & 1 == 1;
                3
            }),
            b'V' => match n {
                None => None,
                Some(m @ (65 | 66 | 97 | 98 | 103 | 104)) => match r.get(3) {
                    Some(&feed) => {
                        self.cut(if m == 65 || m == 66 { u32::from(feed) } else { 0 })?;
                        Some(4)
                    }
                    None => None,
                },
                Some(_) => {
                    self.cut(0)?;
                    Some(3)
                }
            },
            b'v' if n == Some(b'0') => return self.raster(r),
            b'(' => {
                let (Some(&f), Some(&pl), Some(&ph)) = (r.get(2), r.get(3), r.get(4)) else {
                    return Ok(None);
                };
                let len = 5 + usize::from(pl) + usize::from(ph) * 256;
                let Some(params) = r.get(5..len) else {
                    return Ok(None);
                };
                if f == b'k' {
                    self.qr_function(params)?;
                }
                Some(len)
            }
            b'k' => match n {
                None => None,
                // Barcode data ended by NUL (m 0..=6) or counted (m 65..).
                Some(0..=6) => r.iter().skip(3).position(|&b| b == 0).map(|p| p + 4),
                Some(_) => r.get(3).map(|&len| 4 + usize::from(len)).filter(|&len| r.len() >= len),
            },
            b'*' => {
                let (Some(&x), Some(&y)) = (r.get(2), r.get(3)) else {
                    return Ok(None);
                };
                let len = 4 + usize::from(x) * usize::from(y) * 8;
                (r.len() >= len).then_some(len)
            }
            b'L' | b'W' | b'P' | b'$' | b'\\' => r.get(3).map(|_| 4),
            b'H' | b'h' | b'w' | b'f' | b'a' | b'r' | b'I' | b'b' | b'/' | b'T' | b'E' => n.map(|_| 3),
            _ => Some(2),
        })
    }

    fn fs(&mut self, r: &[u8]) -> Option<usize> {
        let &c = r.get(1)?;
        match c {
            b'&' => {
                self.modes.kanji = true;
                Some(2)
            }
            b'.' => {
                self.modes.kanji = false;
                Some(2)
            }
            b'!' | b'-' | b'W' | b'C' => r.get(2).map(|_| 3),
            b'S' | b'p' => r.get(3).map(|_| 4),
            b'2' => r.get(75).map(|_| 76),
            _ => Some(2),
        }
    }

    fn text(&mut self, r: &[u8]) -> Step {
        let Some(&b) = r.first() else { return Ok(None) };
        if b < 0x80 {
            self.add(char::from(b), false)?;
            return Ok(Some(1));
        }
        if !self.modes.kanji {
            // Without Chinese mode a high byte is one character of the code page: the mojibake
            // a misconfigured printer really prints.
            let ch = WINDOWS_1252.decode_without_bom_handling(&[b]).0.chars().next().unwrap_or('?');
            self.add(ch, false)?;
            return Ok(Some(1));
        }
        match r.get(1) {
            None => Ok(None),
            Some(&t) if (0x81..=0xFE).contains(&b) && (0x40..=0xFE).contains(&t) && t != 0x7F => {
                let code = [b, t];
                let (text, bad) = GB18030.decode_without_bom_handling(&code);
                let ch = if bad { '?' } else { text.chars().next().unwrap_or('?') };
                self.add(ch, true)?;
                Ok(Some(2))
            }
            Some(_) => {
                self.add('?', false)?;
                Ok(Some(1))
            }
        }
    }

    fn add(&mut self, ch: char, wide: bool) -> Result<(), PreviewError> {
        let m = self.modes;
        let cell = Cell { ch, wide, bold: m.bold, width: m.width, height: m.height, reverse: m.reverse };
        if self.line_dots + cell.dots_wide() > self.canvas.width && !self.line.is_empty() {
            // Past the right edge the printer prints the line and continues on the next.
            self.print_line()?;
        }
        if self.line.is_empty() {
            self.line_align = m.align;
        }
        self.line_dots += cell.dots_wide();
        self.line.push(cell);
        Ok(())
    }

    /// `LF`: prints the buffered line, or feeds one empty line.
    fn print_line(&mut self) -> Result<(), PreviewError> {
        if self.line.is_empty() {
            return self.feed(self.modes.spacing);
        }
        let tallest = self.line.iter().map(|c| CELL_H * u32::from(c.height)).max().unwrap_or(CELL_H);
        let advance = self.modes.spacing.max(tallest + self.modes.spacing.saturating_sub(CELL_H));
        self.canvas.ensure(self.y + advance)?;
        let mut x = self.x_for(self.line_dots, self.line_align);
        let line = std::mem::take(&mut self.line);
        for cell in &line {
            let height = CELL_H * u32::from(cell.height);
            // Characters of different heights share the bottom of the line.
            self.draw_cell(x, self.y + tallest - height, cell);
            x += cell.dots_wide();
        }
        self.line = line;
        self.line.clear();
        self.line_dots = 0;
        self.y += advance;
        Ok(())
    }

    fn x_for(&self, width: u32, align: Align) -> u32 {
        let free = self.canvas.width.saturating_sub(width);
        match align {
            Align::Left => 0,
            Align::Center => free / 2,
            Align::Right => free,
        }
    }

    fn draw_cell(&mut self, x: u32, top: u32, cell: &Cell) {
        let (w, h) = (cell.dots_wide(), CELL_H * u32::from(cell.height));
        if cell.reverse {
            self.canvas.fill(x, top, w, h, 0);
        }
        if cell.ch == ' ' {
            return;
        }
        let font = if cell.bold { &self.bold } else { &self.regular };
        let id = font.glyph_id(cell.ch);
        // ab_glyph scales by ascent − descent, not by the em: convert so an ideograph's em box
        // is exactly the 24-dot cell.
        let em_box = font.units_per_em().unwrap_or(1000.0);
        let em = CELL_H as f32 * (font.ascent_unscaled() - font.descent_unscaled()) / em_box;
        // The font's own advance at 24 px; glyphs wider than their cell are narrowed to fit,
        // as the printer's fixed-pitch font would have them.
        let cell_w = (w / u32::from(cell.width)) as f32;
        let advance = font.as_scaled(PxScale::from(em)).h_advance(id).max(1.0);
        let squeeze = (cell_w / advance).min(1.0);
        let (sx, sy) = (f32::from(cell.width), f32::from(cell.height));
        let scale = PxScale { x: em * squeeze * sx, y: em * sy };
        let origin = point(x as f32 + (w as f32 - advance * squeeze * sx) / 2.0, top as f32 + h as f32 * BASELINE);
        let Some(outline) = font.outline_glyph(id.with_scale_and_position(scale, origin)) else {
            return;
        };
        let bounds = outline.px_bounds();
        let canvas = &mut self.canvas;
        outline.draw(|px, py, coverage| {
            let ink = (coverage.clamp(0.0, 1.0) * 255.0) as u8;
            let (cx, cy) = (bounds.min.x as i64 + i64::from(px), bounds.min.y as i64 + i64::from(py));
            if cell.reverse {
                canvas.blend(cx, cy, ink, true);
            } else {
                canvas.blend(cx, cy, 255 - ink, false);
            }
        });
    }

    fn feed(&mut self, dots: u32) -> Result<(), PreviewError> {
        self.y = self.y.saturating_add(dots);
        self.canvas.ensure(self.y)
    }

    /// Feeds and draws a dashed line where the knife cuts.
    fn cut(&mut self, feed: u32) -> Result<(), PreviewError> {
        if !self.line.is_empty() {
            self.print_line()?;
        }
        self.feed(feed + CUT_MARGIN)?;
        self.canvas.ensure(self.y + 2)?;
        for x in (0..self.canvas.width).step_by(16) {
            self.canvas.fill(x, self.y, 8, 2, 0);
        }
        self.feed(CUT_MARGIN + 2)
    }

    /// Prints what is buffered, so a block (QR, image) starts on a line of its own.
    fn flush(&mut self) -> Result<(), PreviewError> {
        if self.line.is_empty() { Ok(()) } else { self.print_line() }
    }

    /// `GS ( k`: QR code functions (cn 49); other symbologies are skipped.
    fn qr_function(&mut self, params: &[u8]) -> Result<(), PreviewError> {
        let (Some(&cn), Some(&f)) = (params.first(), params.get(1)) else {
            return Ok(());
        };
        if cn != 49 {
            return Ok(());
        }
        let arg = params.get(2).copied();
        match (f, arg) {
            (65, Some(model)) => self.qr.model = model.wrapping_sub(48),
            (67, Some(size)) => self.qr.module = size.clamp(1, 16),
            (69, Some(ec)) => self.qr.ec = QrEc::from_code(ec).unwrap_or(self.qr.ec),
            (80, Some(_)) => self.qr.data = params.get(3..).unwrap_or_default().to_vec(),
            (81, _) => self.print_qr()?,
            _ => {}
        }
        Ok(())
    }

    /// Draws the stored symbol the way the printer makes it: minimal version, no quiet zone.
    fn print_qr(&mut self) -> Result<(), PreviewError> {
        self.flush()?;
        if self.qr.data.is_empty() {
            return Ok(());
        }
        let Ok(code) = qr::symbol(&self.qr.data, self.qr.ec) else {
            return Ok(());
        };
        let modules = code.width() as u32;
        let module = u32::from(self.qr.module);
        let side = modules * module;
        if side > self.canvas.width {
            return Ok(()); // the printer does not print a symbol wider than the paper
        }
        let x0 = self.x_for(side, self.modes.align);
        let y0 = self.y;
        self.canvas.ensure(y0 + side)?;
        if self.qr.model != 2 {
            // Model 1 (or micro QR) cannot be reproduced here, and most phones cannot read it:
            // show a crossed box so the mistake is seen on the preview.
            self.canvas.fill(x0, y0, side, 2, 0);
            self.canvas.fill(x0, y0 + side - 2, side, 2, 0);
            self.canvas.fill(x0, y0, 2, side, 0);
            self.canvas.fill(x0 + side - 2, y0, 2, side, 0);
            for d in 0..side {
                self.canvas.fill(x0 + d, y0 + d, 2, 2, 0);
                self.canvas.fill(x0 + side - 1 - d, y0 + d, 2, 2, 0);
            }
        } else {
            for my in 0..modules {
                for mx in 0..modules {
                    if code.is_dark(mx as usize, my as usize) {
                        self.canvas.fill(x0 + mx * module, y0 + my * module, module, module, 0);
                    }
                }
            }
        }
        self.y += side;
        Ok(())
    }

    /// `GS v 0 m xL xH yL yH d…`: a 1-bit image, MSB leftmost, placed by the alignment.
    fn raster(&mut self, r: &[u8]) -> Step {
        let Some(header) = r.get(3..8) else {
            return Ok(None);
        };
        let (m, width_bytes) = (header[0], usize::from(header[1]) + usize::from(header[2]) * 256);
        let height = usize::from(header[3]) + usize::from(header[4]) * 256;
        let len = 8 + width_bytes * height;
        let Some(data) = r.get(8..len) else {
            return Ok(None);
        };
        self.flush()?;
        let (sx, sy) = (if m & 1 != 0 { 2 } else { 1 }, if m & 2 != 0 { 2 } else { 1 });
        let out_h = height as u32 * sy;
        self.canvas.ensure(self.y.saturating_add(out_h))?;
        let x0 = self.x_for(width_bytes as u32 * 8 * sx, self.modes.align);
        for (row, bits) in data.chunks(width_bytes.max(1)).enumerate() {
            for (byte_index, byte) in bits.iter().enumerate() {
                for bit in 0..8u32 {
                    if byte & (0x80 >> bit) != 0 {
                        let x = x0 + (byte_index as u32 * 8 + bit) * sx;
                        self.canvas.fill(x, self.y + row as u32 * sy, sx, sy, 0);
                    }
                }
            }
        }
        self.y += out_h;
        Ok(Some(len))
    }
}

/// `DLE` real-time commands only ask or pulse; they print nothing.
fn dle(r: &[u8]) -> Option<usize> {
    match r.get(1) {
        None => None,
        Some(0x04 | 0x05) => r.get(2).map(|_| 3),
        Some(0x14) => r.get(4).map(|_| 5),
        Some(_) => Some(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Lang;
    use crate::receipt::escpos::EscPos;
    use crate::receipt::paper::Paper;
    use crate::receipt::slip::fixture::{self, market, order, profile, shanghai};
    use crate::receipt::slip::pickup_slip;

    fn golden(name: &str) -> Vec<u8> {
        let path = fixture::golden(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn decode_qr(image: &GrayImage) -> Vec<String> {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(image.width() as usize, image.height() as usize, |x, y| {
                image.get_pixel(x as u32, y as u32)[0]
            });
        prepared.detect_grids().iter().map(|g| g.decode().unwrap().1).collect()
    }

    #[test]
    fn golden_slips_render_at_paper_width_with_a_readable_qr() {
        let want = order(Lang::Zh).slip_payload();
        for (paper, name) in [(Paper::Mm58, "slip_zh_58.bin"), (Paper::Mm80, "slip_zh_80.bin")] {
            let png = render_png(&golden(name), &profile(paper)).unwrap();
            let image = image::load_from_memory(&png).unwrap().to_luma8();
            assert_eq!(image.width(), paper.dots(), "{name}");
            assert_eq!(decode_qr(&image), std::slice::from_ref(&want), "{name}");
        }
    }

    #[test]
    fn raster_qr_fallback_reads_the_same() {
        let o = order(Lang::Zh);
        let p = PaperProfile { paper: Paper::Mm58, native_qr: false, ..PaperProfile::default() };
        let image = render(&pickup_slip(&o, &market(), &p, &shanghai()), &p).unwrap();
        assert_eq!(decode_qr(&image), [o.slip_payload()]);
    }

    #[test]
    fn native_qr_with_multibyte_payload() {
        let mut p = EscPos::new();
        p.init().align(Align::Center).qr_native("取货 WM1:O:é", 5, QrEc::Q).unwrap();
        p.lf();
        let image = render(p.bytes(), &profile(Paper::Mm58)).unwrap();
        assert_eq!(decode_qr(&image), ["取货 WM1:O:é"]);
    }

    #[test]
    fn text_cells_follow_size_and_alignment() {
        let mut p = EscPos::new();
        p.init().chinese_mode(true).align(Align::Right).size(2, 2).line("取");
        let image = render(p.bytes(), &profile(Paper::Mm58)).unwrap();
        // One 48×48 cell at the right edge, a 54-dot line (48 + 6 spacing).
        assert_eq!((image.width(), image.height()), (384, 54));
        let ink = |x0: u32, x1: u32| (x0..x1).any(|x| (0..48).any(|y| image.get_pixel(x, y)[0] < 128));
        assert!(ink(336, 384));
        assert!(!ink(0, 336));
    }

    #[test]
    fn overlong_lines_wrap_at_the_paper_edge() {
        let mut p = EscPos::new();
        p.init().line(&"x".repeat(33));
        let image = render(p.bytes(), &profile(Paper::Mm58)).unwrap();
        assert_eq!(image.height(), 60); // 32 columns, then one more line
    }

    #[test]
    fn text_without_line_feed_does_not_print() {
        let image = render(b"\x1b@abc", &profile(Paper::Mm58)).unwrap();
        assert_eq!(image.height(), 1);
    }

    #[test]
    fn truncated_commands_never_panic() {
        // Every command we send, cut off after each of its bytes.
        let mut p = EscPos::new();
        p.init().chinese_mode(true).align(Align::Center).bold(true).size(2, 3).reverse(true).text("取");
        p.reverse(false).lf().feed(1).qr_native("WM1:取", 2, QrEc::H).unwrap();
        p.qr_raster("x", 1, QrEc::L, 64).unwrap().cut(2);
        let commands = p.into_bytes();
        for end in 0..commands.len() {
            let _ = render(&commands[..end], &profile(Paper::Mm58));
        }
        let slip = golden("slip_zh_58.bin");
        for end in (0..slip.len()).step_by(7) {
            let _ = render(&slip[..end], &profile(Paper::Mm58));
        }
        let cut_offs: [&[u8]; 12] = [
            b"\x1b",
            b"\x1ba",
            b"\x1d!",
            b"\x1d(k\x05",
            b"\x1d(k\xff\xff1P0abc",
            b"\x1dv0\x00\x10\x00\x10",
            b"\x1dv0\x00\xff\xff\xff\xff",
            b"\x1dV",
            b"\x1dVA",
            b"\x1c",
            b"\x10\x14\x01",
            b"\xc8",
        ];
        for bytes in cut_offs {
            let _ = render(bytes, &profile(Paper::Mm80));
            let _ = render(bytes, &PaperProfile { chinese_mode: false, ..profile(Paper::Mm58) });
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        // xorshift: reproducible noise with no extra dependency.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..100 {
            let len = (next() % 1024) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Salt with command starts so that the command parsers, not just text, are hit.
            for _ in 0..len / 8 {
                let at = (next() as usize) % bytes.len().max(1);
                if let Some(b) = bytes.get_mut(at) {
                    *b = [0x1B, 0x1D, 0x1C, 0x10, 0x0A][(next() % 5) as usize];
                }
            }
            let paper = if round % 2 == 0 { Paper::Mm58 } else { Paper::Mm80 };
            match render(&bytes, &profile(paper)) {
                Ok(image) => assert_eq!(image.width(), paper.dots()),
                Err(PreviewError::TooLong { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn runaway_feeds_are_refused_not_drawn() {
        let bytes: Vec<u8> = std::iter::repeat_n([0x1B, b'd', 255], 100).flatten().collect();
        assert!(matches!(render(&bytes, &profile(Paper::Mm58)), Err(PreviewError::TooLong { .. })));
    }
}
