//! A household card (issue 10): printed by a volunteer on the receipt printer for a senior to
//! carry — the home number in big type, a QR code the kiosk's scanner reads to say who is buying,
//! and the building. Nothing personal: no surname, no phone. Reprinting is printing it again.

use super::escpos::{Align, EscPos, QrEc};
use super::paper::PaperProfile;
use super::width::{width, wrap};
use crate::domain::{Household, Lang, Text};
use crate::i18n::{HouseholdWords, tr};

/// Largest size of the home number: 12-3-1203 at 4× still fits a 58 mm line (32 columns).
const ID_SIZE: u8 = 5;

pub fn household_card(household: &Household, market: &Text, profile: &PaperProfile, lang: Lang) -> Vec<u8> {
    let cols = profile.columns();
    let mut p = EscPos::with_capacity(1024);
    p.init();
    if profile.chinese_mode {
        p.chinese_mode(true);
    }
    let centered = |p: &mut EscPos, text: &str, size: u8, bold: bool| {
        p.bold(bold).size(size, size);
        for line in wrap(text, cols / usize::from(size)) {
            p.line(&line);
        }
    };
    p.align(Align::Center);
    centered(&mut p, market.get(lang), 1, true);
    centered(&mut p, HouseholdWords::CardTitle.text(lang), 2, true);
    p.bold(false).size(1, 1).line(&"-".repeat(cols)).lf();

    let id = household.id.as_str();
    let size = (1..=ID_SIZE).rev().find(|s| width(id) * usize::from(*s) <= cols).unwrap_or(1);
    centered(&mut p, id, size, true);
    centered(&mut p, &tr(HouseholdWords::CardBuilding, lang, &[("building", &household.building)]), 2, false);

    // A blank line above and below is the QR code's quiet zone.
    p.size(1, 1).bold(false).lf();
    let payload = household.id.card_payload();
    let printed = if profile.native_qr {
        p.qr_native(&payload, 8, QrEc::M).is_ok()
    } else {
        p.qr_raster(&payload, 6, QrEc::M, profile.dots()).is_ok()
    };
    if !printed {
        p.line(&payload);
    }
    p.lf();
    centered(&mut p, HouseholdWords::CardHint.text(lang), 1, false);
    p.cut(profile.cut_feed);
    p.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::{Paper, PaperProfile};

    #[test]
    fn the_card_carries_the_home_number_the_building_and_the_payload_and_nothing_personal() {
        let h = Household::new("3-2-501", "3号楼", "王", "1234").unwrap();
        for paper in [Paper::Mm58, Paper::Mm80] {
            let profile = PaperProfile { paper, ..PaperProfile::default() };
            let bytes = household_card(&h, &Text::new("峨海小区暖心市集", "Ehai"), &profile, Lang::Zh);
            let (text, _, _) = encoding_rs::GB18030.decode(&bytes);
            for needle in ["住户卡", "3-2-501", "楼栋：3号楼", "WM1:H:3-2-501"] {
                assert!(text.contains(needle), "{needle} on the {paper:?} card: {text}");
            }
            assert!(!text.contains('王') && !text.contains("1234"), "no surname or phone on a card");
        }
    }
}
