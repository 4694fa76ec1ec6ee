//! Real-time status (`DLE EOT n`, answered by the printer even while it is offline or its buffer
//! is full) and what it means for the volunteer.
//!
//! Each answer is one byte with bit 1 and bit 4 set, bits 0 and 7 clear; anything else on the
//! line (XON 0x11, XOFF 0x13, a late answer) is not a status byte, which is how answers are
//! kept in order: one query, one answer, before the next query is sent.

use warm_core::domain::Lang;
use warm_core::i18n::Msg;

pub const DLE_EOT: [u8; 2] = [0x10, 0x04];
/// `DLE EOT 1`: printer status (bit 3 offline).
pub const PRINTER: u8 = 1;
/// `DLE EOT 2`: offline cause (bit 2 cover open, bit 5 stopped by paper end, bit 6 error).
pub const OFFLINE_CAUSE: u8 = 2;
/// `DLE EOT 4`: roll paper sensor (bits 2–3 near end, bits 5–6 paper end).
pub const PAPER: u8 = 4;

/// Whether `b` has the fixed bits of a status answer.
pub fn is_status_byte(b: u8) -> bool {
    b & 0x93 == 0x12
}

/// The three answers read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub error: bool,
}

impl PrinterStatus {
    pub const READY: PrinterStatus =
        PrinterStatus { offline: false, cover_open: false, paper_out: false, paper_near_end: false, error: false };

    /// Decodes the answers to `DLE EOT 1`, `2` and `4`.
    pub fn from_answers(printer: u8, offline_cause: u8, paper: u8) -> PrinterStatus {
        PrinterStatus {
            offline: printer & 0x08 != 0,
            cover_open: offline_cause & 0x04 != 0,
            paper_out: offline_cause & 0x20 != 0 || paper & 0x60 != 0,
            paper_near_end: paper & 0x0C != 0,
            error: offline_cause & 0x40 != 0,
        }
    }

    /// What stops printing, most specific first; `None` = a job may be sent (near end only warns).
    pub fn problem(&self) -> Option<Problem> {
        if self.paper_out {
            Some(Problem::PaperOut)
        } else if self.cover_open {
            Some(Problem::CoverOpen)
        } else if self.error {
            Some(Problem::Error)
        } else if self.offline {
            Some(Problem::Offline)
        } else {
            None
        }
    }

    pub fn is_clean(&self) -> bool {
        self.problem().is_none()
    }
}

/// Why the printer cannot print now; each has words telling the volunteer what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    PaperOut,
    CoverOpen,
    Error,
    Offline,
    /// Unplugged, switched off, or not answering status queries.
    NoAnswer,
}

impl Problem {
    pub fn msg(self) -> Msg {
        match self {
            Problem::PaperOut => Msg::PrinterPaperOut,
            Problem::CoverOpen => Msg::PrinterCoverOpen,
            Problem::Error => Msg::PrinterError,
            Problem::Offline => Msg::PrinterOffline,
            Problem::NoAnswer => Msg::PrinterNoAnswer,
        }
    }

    pub fn text(self, lang: Lang) -> &'static str {
        self.msg().text(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_manual_bits() {
        // Idle printer: fixed bits only.
        assert_eq!(PrinterStatus::from_answers(0x12, 0x12, 0x12), PrinterStatus::READY);
        let s = PrinterStatus::from_answers(0x1A, 0x32, 0x72);
        assert!(s.offline && s.paper_out && !s.cover_open);
        assert_eq!(s.problem(), Some(Problem::PaperOut));
        let s = PrinterStatus::from_answers(0x1A, 0x16, 0x12);
        assert_eq!(s.problem(), Some(Problem::CoverOpen));
        let s = PrinterStatus::from_answers(0x12, 0x12, 0x1E);
        assert!(s.paper_near_end && s.is_clean());
        assert_eq!(PrinterStatus::from_answers(0x1A, 0x12, 0x12).problem(), Some(Problem::Offline));
        assert_eq!(PrinterStatus::from_answers(0x1A, 0x52, 0x12).problem(), Some(Problem::Error));
    }

    #[test]
    fn flow_control_bytes_are_not_answers() {
        assert!(is_status_byte(0x12) && is_status_byte(0x72) && is_status_byte(0x1E));
        assert!(!is_status_byte(0x11) && !is_status_byte(0x13) && !is_status_byte(0x00) && !is_status_byte(0xFF));
    }

    #[test]
    fn words_for_the_volunteer() {
        assert_eq!(Problem::PaperOut.text(Lang::Zh), "打印机缺纸，请换纸");
    }
}
