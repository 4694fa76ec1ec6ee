//! The bundled CJK font (a GB2312 subset of Noto Sans SC, OFL): the kiosk and the slip preview
//! never depend on the fonts of the machine they run on.

pub const REGULAR: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Regular.otf");
pub const BOLD: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Bold.otf");
/// The family name stored in the fonts' name table.
pub const FAMILY: &str = "Noto Sans CJK SC";

/// Why a bundled font cannot serve (`warm-kiosk doctor` shows it in its words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FontError {
    /// The font's bytes do not parse.
    #[error("{font}: {error}")]
    Unreadable { font: &'static str, error: ab_glyph::InvalidFont },
    /// The font parses but lacks the Chinese the kiosk shows.
    #[error("{font}: no Chinese glyphs")]
    NoChinese { font: &'static str },
}

/// Whether both bundled fonts parse and hold the Chinese the kiosk shows (`warm-kiosk doctor`).
pub fn check() -> Result<(), FontError> {
    use ab_glyph::Font as _;
    for (font, bytes) in [("regular", REGULAR), ("bold", BOLD)] {
        let parsed = ab_glyph::FontRef::try_from_slice(bytes).map_err(|error| FontError::Unreadable { font, error })?;
        if "暖心市集".chars().any(|c| parsed.glyph_id(c).0 == 0) {
            return Err(FontError::NoChinese { font });
        }
    }
    Ok(())
}
