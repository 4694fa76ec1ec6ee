//! The reprint marker for any stored job: a reversed 重印 / REPRINT banner right after the job's
//! initialisation, so a second copy (a volunteer's reprint, or a job resent after the printer
//! stopped mid-way) can never be taken for a second order or a second sale.

use super::escpos::{Align, EscPos};
use crate::domain::Lang;
use crate::i18n::Msg;

const INIT: [u8; 2] = [0x1B, 0x40];
const CHINESE_ON: [u8; 2] = [0x1C, 0x26];

/// `bytes` with the banner inserted after its leading `ESC @` (and `FS &`, if present). The modes
/// are put back to what `ESC @` leaves, so the rest of the job prints exactly as before. A job
/// that does not start with `ESC @` gets one in front of the banner.
pub fn mark_reprint(bytes: &[u8]) -> Vec<u8> {
    let mut head = 0;
    if bytes.starts_with(&INIT) {
        head = INIT.len();
        if bytes[head..].starts_with(&CHINESE_ON) {
            head += CHINESE_ON.len();
        }
    }
    let chinese = bytes[..head].ends_with(&CHINESE_ON);
    let mut banner = EscPos::new();
    banner.init();
    if chinese {
        banner.chinese_mode(true);
    }
    banner.align(Align::Center).reverse(true).bold(true).size(2, 2);
    banner.line(&format!(" {} {} ", Msg::Reprint.text(Lang::Zh), Msg::Reprint.text(Lang::En)));
    banner.reverse(false).bold(false).size(1, 1).align(Align::Left);
    let banner = banner.into_bytes();
    // The banner's own ESC @ (and FS &) stands in for the job's.
    let mut out = Vec::with_capacity(bytes.len() + banner.len());
    out.extend_from_slice(&banner);
    out.extend_from_slice(&bytes[head..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_goes_after_init_and_the_job_is_unchanged() {
        let job = [0x1B, 0x40, 0x1C, 0x26, b'h', b'i', 0x0A, 0x1D, 0x56, 0x41, 0];
        let marked = mark_reprint(&job);
        assert!(marked.starts_with(&[0x1B, 0x40, 0x1C, 0x26, 0x1B, 0x61, 1, 0x1D, 0x42, 1]));
        assert!(marked.ends_with(&job[4..]));
        let mut gb = EscPos::new();
        gb.text("重印 REPRINT");
        assert!(marked.windows(gb.bytes().len()).any(|w| w == gb.bytes()));
        // Modes back to their power-on values before the job's own bytes.
        let tail = &marked[..marked.len() - (job.len() - 4)];
        assert!(tail.ends_with(&[0x1D, 0x42, 0, 0x1B, 0x45, 0, 0x1D, 0x21, 0, 0x1B, 0x61, 0]));
        // No FS & in, none added.
        assert!(mark_reprint(&[0x1B, 0x40, b'x']).starts_with(&[0x1B, 0x40, 0x1B, 0x61, 1]));
        assert!(mark_reprint(b"x").ends_with(b"x"));
    }

    /// The pickup slip as the queue resends it after an interruption or a volunteer's reprint.
    #[test]
    fn golden_reprinted_slips() {
        use crate::domain::Lang;
        use crate::receipt::slip::fixture::{golden, market, order, shanghai};
        use crate::receipt::slip::pickup_slip;
        use crate::receipt::{Paper, PaperProfile};
        for (paper, tag) in [(Paper::Mm58, "58"), (Paper::Mm80, "80")] {
            let profile = PaperProfile { paper, ..PaperProfile::default() };
            let bytes = mark_reprint(&pickup_slip(&order(Lang::Zh), &market(), &profile, &shanghai()));
            let path = golden(&format!("slip_reprint_zh_{tag}.bin"));
            if std::env::var_os("WRITE_GOLDEN").is_some() {
                std::fs::write(&path, &bytes).unwrap();
            }
            assert!(bytes == std::fs::read(&path).unwrap(), "{} differs", path.display());
        }
    }
}
