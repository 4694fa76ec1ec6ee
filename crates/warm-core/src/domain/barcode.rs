//! Check digits of the GS1 codes on goods (EAN-13, EAN-8, UPC-A share one rule).

/// The GS1 mod-10 check digit for the given data digits (all but the last).
fn gs1_check_digit(data: &[u8]) -> u8 {
    // Weights 3,1,3,1,... counted from the rightmost data digit.
    let sum: u32 = data.iter().rev().enumerate().map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 }).sum();
    ((10 - sum % 10) % 10) as u8
}

fn digits(code: &str) -> Option<Vec<u8>> {
    code.bytes().map(|b| b.is_ascii_digit().then(|| b - b'0')).collect()
}

/// True when `code` is all digits of the given length and its last digit is the right check digit.
pub fn valid_gs1(code: &str, len: usize) -> bool {
    match digits(code) {
        Some(d) if d.len() == len => d[len - 1] == gs1_check_digit(&d[..len - 1]),
        _ => false,
    }
}

pub fn valid_ean13(code: &str) -> bool {
    valid_gs1(code, 13)
}

/// Chinese goods carry GS1 China prefixes 690–699.
pub fn is_china_prefix(code: &str) -> bool {
    code.len() >= 3 && ("690"..="699").contains(&&code[..3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        assert!(valid_ean13("6901234567892"));
        assert!(!valid_ean13("6901234567891"));
        assert!(valid_ean13("4006381333931"));
        assert!(valid_gs1("96385074", 8));
        assert!(valid_gs1("036000291452", 12));
        assert!(!valid_ean13("690123456789"));
        assert!(!valid_ean13("69012345678a2"));
    }

    #[test]
    fn china_prefix() {
        assert!(is_china_prefix("6901234567892"));
        assert!(!is_china_prefix("4006381333931"));
    }
}
