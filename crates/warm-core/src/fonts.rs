//! The bundled CJK font (a GB2312 subset of Noto Sans SC, OFL): the kiosk and the slip preview
//! never depend on the fonts of the machine they run on.

pub const REGULAR: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Regular.otf");
pub const BOLD: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Bold.otf");
/// The family name stored in the fonts' name table.
pub const FAMILY: &str = "Noto Sans CJK SC";

/// Whether both bundled fonts parse and hold the Chinese the kiosk shows (`warm-kiosk doctor`).
pub fn check() -> Result<(), String> {
    use ab_glyph::Font as _;
    for (name, bytes) in [("regular", REGULAR), ("bold", BOLD)] {
        let font = ab_glyph::FontRef::try_from_slice(bytes).map_err(|e| format!("{name}: {e}"))?;
        if "暖心市集".chars().any(|c| font.glyph_id(c).0 == 0) {
            return Err(format!("{name}: no Chinese glyphs"));
        }
    }
    Ok(())
}
