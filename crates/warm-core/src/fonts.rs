//! The bundled CJK font (a GB2312 subset of Noto Sans SC, OFL): the kiosk and the slip preview
//! never depend on the fonts of the machine they run on.

pub const REGULAR: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Regular.otf");
pub const BOLD: &[u8] = include_bytes!("../../../fonts/NotoSansSC-Bold.otf");
/// The family name stored in the fonts' name table.
pub const FAMILY: &str = "Noto Sans CJK SC";
