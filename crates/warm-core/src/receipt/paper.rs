//! What the printer on this terminal can do, read from the config file's `[printer]` table:
//!
//! ```toml
//! [printer]
//! paper = "58mm"        # or "80mm"
//! chinese_mode = true   # send FS & before Chinese text (printers that start in single-byte mode)
//! native_qr = true      # GS ( k; false = QR drawn here and sent as a raster image (4× the bytes)
//! cut_feed = 0          # extra motion units fed past the cutter (GS V A n)
//! ```

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Paper {
    #[serde(rename = "58mm", alias = "mm58")]
    Mm58,
    #[default]
    #[serde(rename = "80mm", alias = "mm80")]
    Mm80,
}

impl Paper {
    /// Characters of the 12×24 font per line.
    pub const fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Printable dots per line at 203 dpi.
    pub const fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct PaperProfile {
    pub paper: Paper,
    /// The printer starts in single-byte mode and needs `FS &` before GB18030 text. When false
    /// the printer is taken to be in Chinese mode already and no mode command is sent.
    pub chinese_mode: bool,
    /// The printer draws QR codes itself (`GS ( k`); otherwise they are sent as raster images.
    pub native_qr: bool,
    /// `n` of `GS V A n`: how far past the cutting position to feed before the cut.
    pub cut_feed: u8,
}

impl Default for PaperProfile {
    fn default() -> Self {
        PaperProfile { paper: Paper::Mm80, chinese_mode: true, native_qr: true, cut_feed: 0 }
    }
}

impl PaperProfile {
    pub const fn columns(&self) -> usize {
        self.paper.columns()
    }

    pub const fn dots(&self) -> u32 {
        self.paper.dots()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_printer_table() {
        #[derive(Deserialize)]
        struct Config {
            printer: PaperProfile,
        }
        let c: Config = toml::from_str("[printer]\npaper = \"58mm\"\nnative_qr = false\ncut_feed = 3\n").unwrap();
        assert_eq!(c.printer, PaperProfile { paper: Paper::Mm58, chinese_mode: true, native_qr: false, cut_feed: 3 });
        let c: Config = toml::from_str("[printer]\n").unwrap();
        assert_eq!(c.printer, PaperProfile::default());
        assert!(toml::from_str::<Config>("[printer]\npaper = \"57mm\"\n").is_err());
    }

    #[test]
    fn widths() {
        assert_eq!((Paper::Mm58.columns(), Paper::Mm58.dots()), (32, 384));
        assert_eq!((Paper::Mm80.columns(), Paper::Mm80.dots()), (48, 576));
        // 12-dot cells fill the line exactly.
        assert_eq!(Paper::Mm58.columns() as u32 * 12, Paper::Mm58.dots());
        assert_eq!(PaperProfile::default().paper, Paper::Mm80);
    }
}
