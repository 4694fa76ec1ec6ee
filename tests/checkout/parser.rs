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

/// Cases per fuzz property: `WARM_FUZZ_CASES` (the closing note gives a long run's count).
fn fuzz_cases() -> u32 {
    std::env::var("WARM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    /// Arbitrary bytes from the serial line, in arbitrary reads: the line reader bounds them and
    /// every line it passes on is parsed, answered with a scan or a reason, never a panic.
    #[test]
    fn fuzz_scanner_bytes_to_scans(bytes in proptest::collection::vec(any::<u8>(), 0..2048), cut in 1usize..64) {
        let mut reader = warm_kiosk::device::scanner::line::LineReader::new(64);
        for chunk in bytes.chunks(cut) {
            reader.push(chunk, |line| {
                if let Ok(text) = line {
                    let _ = parse(&text, &WeighedLayout::default(), "BADGE");
                }
            });
            prop_assert!(reader.pending() <= 64);
        }
        let _ = parse(&String::from_utf8_lossy(&bytes), &WeighedLayout::default(), "");
    }
}
