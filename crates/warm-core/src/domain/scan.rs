//! What a scanned code means: goods (EAN-13, EAN-8, UPC-A, check digit validated), an in-store
//! weighed item (prefix 20–29, layout set by the market), one of our pickup slips, the volunteer
//! badge — or a rejection that says why, with the code. Pure: the same text always parses the same.

use super::barcode::valid_gs1;
use super::leader::BATCH_QR_PREFIX;
use super::order::SLIP_QR_PREFIX;
use super::{Catalog, Money, Product};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Longest code we look at; a longer line is rejected before parsing (2D codes of our slips are 42).
pub const MAX_CODE_CHARS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    Ean13,
    Ean8,
    UpcA,
}

impl Symbology {
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Ean13 => "EAN-13",
            Symbology::Ean8 => "EAN-8",
            Symbology::UpcA => "UPC-A",
        }
    }
}

/// What the value digits of a weighed item's code hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeighedValueKind {
    /// The scale printed the price to pay, in fen.
    #[default]
    PriceFen,
    /// The scale printed the weight in grams; the price is the product's price per `price_per_grams`.
    WeightG,
}

/// How the market's scale lays out its 13-digit labels (prefix 20–29). Positions count from 1,
/// the first digit of the code, as a scale's manual writes them. The default is the common
/// `2P IIIII VVVVV C`: item number in digits 3–7, value in digits 8–12.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeighedLayout {
    pub item_start: usize,
    pub item_len: usize,
    pub value_start: usize,
    pub value_len: usize,
    pub value: WeighedValueKind,
    /// With `value = "weight_g"`: the catalog price is for this many grams (500 = one 斤).
    pub price_per_grams: u32,
    /// The scale's item numbers (PLU) and the catalog product each one is.
    pub items: BTreeMap<String, String>,
}

impl Default for WeighedLayout {
    fn default() -> Self {
        WeighedLayout {
            item_start: 3,
            item_len: 5,
            value_start: 8,
            value_len: 5,
            value: WeighedValueKind::PriceFen,
            price_per_grams: 500,
            // The demo catalog's loose produce, so the embedded defaults can show a scale label.
            items: BTreeMap::from([
                ("00001".to_owned(), "tomato-500g".to_owned()),
                ("00002".to_owned(), "cucumber-500g".to_owned()),
            ]),
        }
    }
}

/// Why a scale-label layout cannot work; the message names the config key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("scanner.weighed: item and value digits must lie within digits 3–12 of the 13")]
    OutsideDigits,
    #[error("scanner.weighed: item and value digits overlap")]
    Overlap,
    #[error("scanner.weighed.value_len: at most 9 digits")]
    ValueTooLong,
    #[error("scanner.weighed.price_per_grams must be at least 1")]
    NoPricePerGrams,
    #[error("scanner.weighed.items: {item:?} is not a {digits}-digit item number")]
    BadItem { item: String, digits: usize },
}

impl WeighedLayout {
    /// Why the layout cannot work, for the config check.
    pub fn check(&self) -> Result<(), LayoutError> {
        let fits = |start: usize, len: usize| start >= 3 && len >= 1 && start + len - 1 <= 12;
        if !fits(self.item_start, self.item_len) || !fits(self.value_start, self.value_len) {
            return Err(LayoutError::OutsideDigits);
        }
        let overlap =
            self.item_start < self.value_start + self.value_len && self.value_start < self.item_start + self.item_len;
        if overlap {
            return Err(LayoutError::Overlap);
        }
        if self.value_len > 9 {
            return Err(LayoutError::ValueTooLong);
        }
        if self.price_per_grams == 0 {
            return Err(LayoutError::NoPricePerGrams);
        }
        if let Some(bad) =
            self.items.keys().find(|k| k.len() != self.item_len || !k.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(LayoutError::BadItem { item: bad.clone(), digits: self.item_len });
        }
        Ok(())
    }

    fn digits<'a>(&self, code: &'a str, start: usize, len: usize) -> &'a str {
        &code[start - 1..start - 1 + len]
    }
}

/// The value of a weighed item's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighed {
    Price(Money),
    Grams(u32),
}

/// What a volunteer scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// Packaged goods. `key` is the code as the catalog stores it (EAN-13; UPC-A gets its leading 0).
    Goods {
        symbology: Symbology,
        code: String,
        key: String,
    },
    /// An in-store label from the market's scale.
    Weighed {
        code: String,
        item: String,
        value: Weighed,
    },
    /// One of our pickup slips.
    Slip(Uuid),
    /// A building leader's picking list (issue 10): every household order of that batch.
    Batch(Uuid),
    /// A household's card (issue 10): at the counter, that home's orders waiting for pickup.
    Household(super::HouseholdId),
    /// The configured volunteer badge.
    Badge,
    Rejected {
        code: String,
        reason: Rejection,
    },
}

/// Why a scan means nothing to us. Shown in words with the code; never a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Empty,
    TooLong,
    /// Digits of a known length whose last digit is not the check digit: a misread or a damaged label.
    CheckDigit(Symbology),
    /// Digits, but not 8, 12 or 13 of them.
    DigitCount(usize),
    /// Our slip's prefix with something that is not an order id after it.
    BadSlip,
    /// Not digits and not one of our slips.
    Unknown,
}

/// Parses one scanned line. `badge` is the volunteer badge's code ("" for none).
pub fn parse(raw: &str, layout: &WeighedLayout, badge: &str) -> Scan {
    let code = raw.trim();
    let rejected = |reason| Scan::Rejected { code: shown(code), reason };
    if code.is_empty() {
        return rejected(Rejection::Empty);
    }
    if code.chars().count() > MAX_CODE_CHARS {
        return rejected(Rejection::TooLong);
    }
    if !badge.is_empty() && code == badge {
        return Scan::Badge;
    }
    if let Some(rest) = code.strip_prefix(SLIP_QR_PREFIX) {
        return match Uuid::try_parse(rest) {
            Ok(id) => Scan::Slip(id),
            Err(_) => rejected(Rejection::BadSlip),
        };
    }
    if let Some(rest) = code.strip_prefix(BATCH_QR_PREFIX) {
        return match Uuid::try_parse(rest) {
            Ok(id) => Scan::Batch(id),
            // Our prefix with a damaged id: as unreadable as a damaged slip.
            Err(_) => rejected(Rejection::BadSlip),
        };
    }
    if let Some(rest) = code.strip_prefix(super::household::HOUSEHOLD_QR_PREFIX) {
        return match super::HouseholdId::parse(rest) {
            Ok(id) => Scan::Household(id),
            Err(_) => rejected(Rejection::BadSlip),
        };
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return rejected(Rejection::Unknown);
    }
    let goods = |symbology, key: String| Scan::Goods { symbology, code: code.to_owned(), key };
    match code.len() {
        13 if !valid_gs1(code, 13) => rejected(Rejection::CheckDigit(Symbology::Ean13)),
        13 if code.starts_with('2') => weighed(code, layout),
        13 => goods(Symbology::Ean13, code.to_owned()),
        8 if valid_gs1(code, 8) => goods(Symbology::Ean8, code.to_owned()),
        8 => rejected(Rejection::CheckDigit(Symbology::Ean8)),
        12 if valid_gs1(code, 12) => goods(Symbology::UpcA, format!("0{code}")),
        12 => rejected(Rejection::CheckDigit(Symbology::UpcA)),
        n => rejected(Rejection::DigitCount(n)),
    }
}

/// A 13-digit, check-digit-valid code starting with 2 (so prefix 20–29).
fn weighed(code: &str, layout: &WeighedLayout) -> Scan {
    let item = layout.digits(code, layout.item_start, layout.item_len).to_owned();
    // At most 9 digits (checked with the config): always fits u32.
    let value: u32 = layout.digits(code, layout.value_start, layout.value_len).parse().unwrap_or(0);
    let value = match layout.value {
        WeighedValueKind::PriceFen => Weighed::Price(Money(i64::from(value))),
        WeighedValueKind::WeightG => Weighed::Grams(value),
    };
    Scan::Weighed { code: code.to_owned(), item, value }
}

/// The code as it may be shown: control characters made visible, cut to a screenful.
pub fn shown(code: &str) -> String {
    const SHOWN: usize = 40;
    let mut out: String = code.chars().take(SHOWN).map(|c| if c.is_control() { '�' } else { c }).collect();
    if code.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

/// The weighed product an item number names, and what its label costs.
pub fn weighed_price(product: &Product, value: Weighed, layout: &WeighedLayout) -> Money {
    match value {
        Weighed::Price(price) => price,
        Weighed::Grams(grams) => {
            // Rounded half up to the fen; i128 so no weight or price overflows.
            let per = i128::from(layout.price_per_grams.max(1));
            let fen = (i128::from(product.price.as_fen()) * i128::from(grams) * 2 + per) / (2 * per);
            Money(i64::try_from(fen).unwrap_or(i64::MAX))
        }
    }
}

/// The catalog product a weighed item number names, through the layout's item table.
pub fn weighed_product<'a>(catalog: &'a Catalog, item: &str, layout: &WeighedLayout) -> Option<&'a Product> {
    layout.items.get(item).and_then(|id| catalog.product(&super::ProductId::new(id.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> WeighedLayout {
        WeighedLayout::default()
    }

    fn with_check(data: &str) -> String {
        let d: Vec<u32> = data.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = d.iter().rev().enumerate().map(|(i, v)| v * if i % 2 == 0 { 3 } else { 1 }).sum();
        format!("{data}{}", (10 - sum % 10) % 10)
    }

    #[test]
    fn goods_codes() {
        let l = layout();
        assert_eq!(
            parse("6952022100012", &l, ""),
            Scan::Goods { symbology: Symbology::Ean13, code: "6952022100012".into(), key: "6952022100012".into() }
        );
        assert!(matches!(parse("96385074", &l, ""), Scan::Goods { symbology: Symbology::Ean8, .. }));
        assert_eq!(
            parse("036000291452\r", &l, ""),
            Scan::Goods { symbology: Symbology::UpcA, code: "036000291452".into(), key: "0036000291452".into() }
        );
    }

    #[test]
    fn bad_check_digits_are_named() {
        let l = layout();
        let r = |s| match parse(s, &l, "") {
            Scan::Rejected { reason, .. } => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(r("6952022100013"), Rejection::CheckDigit(Symbology::Ean13));
        assert_eq!(r("96385075"), Rejection::CheckDigit(Symbology::Ean8));
        assert_eq!(r("036000291453"), Rejection::CheckDigit(Symbology::UpcA));
        assert_eq!(r("12345"), Rejection::DigitCount(5));
        assert_eq!(r("hello"), Rejection::Unknown);
        assert_eq!(r("   "), Rejection::Empty);
        assert_eq!(r("WM1:O:not-a-uuid"), Rejection::BadSlip);
        assert_eq!(r(&"9".repeat(300)), Rejection::TooLong);
    }

    #[test]
    fn weighed_labels_follow_the_layout() {
        let code = with_check("220000101234");
        assert_eq!(
            parse(&code, &layout(), ""),
            Scan::Weighed { code: code.clone(), item: "00001".into(), value: Weighed::Price(Money(1234)) }
        );
        let grams = WeighedLayout { value: WeighedValueKind::WeightG, ..layout() };
        assert!(matches!(parse(&code, &grams, ""), Scan::Weighed { value: Weighed::Grams(1234), .. }));
        // A scale with a price check digit in position 8: value in 9–12.
        let shifted = WeighedLayout { item_start: 3, item_len: 5, value_start: 9, value_len: 4, ..layout() };
        assert!(shifted.check().is_ok());
        assert!(matches!(parse(&code, &shifted, ""), Scan::Weighed { value: Weighed::Price(Money(1234)), .. }));
        assert!(WeighedLayout { value_start: 6, ..layout() }.check().is_err(), "overlap");
        assert!(WeighedLayout { value_len: 6, ..layout() }.check().is_err(), "past digit 12");
    }

    #[test]
    fn weight_prices_round_half_up() {
        let p = Product::for_test("t", 590);
        let l = WeighedLayout { value: WeighedValueKind::WeightG, ..layout() };
        assert_eq!(weighed_price(&p, Weighed::Grams(500), &l), Money(590));
        assert_eq!(weighed_price(&p, Weighed::Grams(523), &l), Money(617)); // 617.14
        assert_eq!(weighed_price(&p, Weighed::Grams(99_999), &l), Money(117_999)); // 117998.82
        assert_eq!(weighed_price(&p, Weighed::Price(Money(77)), &l), Money(77));
    }

    #[test]
    fn slips_and_badges() {
        let id = Uuid::now_v7();
        assert_eq!(parse(&format!("WM1:O:{id}"), &layout(), ""), Scan::Slip(id));
        assert_eq!(parse(&crate::domain::leader::batch_payload(id), &layout(), ""), Scan::Batch(id));
        assert!(matches!(parse("WM1:B:3-2", &layout(), ""), Scan::Rejected { reason: Rejection::BadSlip, .. }));
        let card = parse("WM1:H:03-2-0501", &layout(), "");
        assert_eq!(card, Scan::Household(crate::domain::HouseholdId::parse("3-2-501").unwrap()));
        assert!(matches!(parse("WM1:H:no", &layout(), ""), Scan::Rejected { reason: Rejection::BadSlip, .. }));
        assert_eq!(parse("VOL-7788", &layout(), "VOL-7788"), Scan::Badge);
        assert!(matches!(parse("VOL-7788", &layout(), ""), Scan::Rejected { .. }));
    }

    #[test]
    fn shown_codes_are_cut_and_visible() {
        assert_eq!(shown("a\u{1b}b"), "a�b");
        assert_eq!(shown(&"x".repeat(50)).chars().count(), 41);
    }
}
