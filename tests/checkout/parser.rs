//! Property tests of the barcode parser: it never panics on any text, every valid GS1 code is
//! read back as itself, and a code with one digit changed is never taken for the original.

use proptest::prelude::*;
use warm_core::domain::barcode::valid_gs1;
use warm_core::domain::scan::{Rejection, Scan, WeighedLayout, parse};

fn with_check(data: &[u8]) -> String {
    let sum: u32 = data.iter().rev().enumerate().map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 }).sum();
    let mut s: String = data.iter().map(|d| char::from(b'0' + d)).collect();
    s.push(char::from(b'0' + ((10 - sum % 10) % 10) as u8));
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        let _ = parse(&text, &WeighedLayout::default(), "BADGE");
    }

    #[test]
    fn never_panics_on_digit_soup(text in "[0-9WMO:\\-a-f ]{0,60}") {
        let _ = parse(&text, &WeighedLayout::default(), "");
    }

    #[test]
    fn valid_codes_read_back(data in proptest::collection::vec(0u8..10, 12), len in prop::sample::select(vec![8usize, 12, 13])) {
        let code = with_check(&data[..len - 1]);
        prop_assert!(valid_gs1(&code, len));
        match parse(&code, &WeighedLayout::default(), "") {
            Scan::Goods { code: c, key, .. } => {
                prop_assert_eq!(&c, &code);
                prop_assert_eq!(key.len(), if len == 8 { 8 } else { 13 });
                prop_assert!(key.ends_with(&code));
            }
            Scan::Weighed { code: c, .. } => {
                prop_assert!(len == 13 && code.starts_with('2'));
                prop_assert_eq!(c, code);
            }
            other => prop_assert!(false, "{code} parsed as {other:?}"),
        }
    }

    #[test]
    fn one_wrong_digit_is_caught(data in proptest::collection::vec(0u8..10, 12), at in 0usize..13, bump in 1u8..10) {
        let code = with_check(&data);
        let mut bytes = code.clone().into_bytes();
        bytes[at] = b'0' + (bytes[at] - b'0' + bump) % 10;
        let misread = String::from_utf8(bytes).unwrap();
        let rejected = matches!(parse(&misread, &WeighedLayout::default(), ""), Scan::Rejected { reason: Rejection::CheckDigit(_), .. });
        prop_assert!(rejected, "{code} misread as {misread} was accepted");
    }
}
