//! Numbers as a person says them, in Mandarin and English: counts, money in fen, clock times,
//! dates and codes read digit by digit. Pure functions; the speech engine only has to pronounce
//! words, never guess how "5.90" or "08:30" is read.

use crate::domain::{Lang, Money};

const ZH_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
/// Units of each group of four digits: 万 (10⁴), 亿 (10⁸), 万亿 (10¹²), 亿亿 (10¹⁶).
const ZH_GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

const EN_ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const EN_TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const EN_GROUPS: [&str; 7] = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A cardinal number: `1039` → 一千零三十九 / one thousand thirty-nine.
pub fn cardinal(n: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => zh_cardinal(n),
        Lang::En => en_cardinal(n),
    }
}

/// A signed cardinal: `-5` → 负五 / minus five.
pub fn signed(n: i64, lang: Lang) -> String {
    let words = cardinal(n.unsigned_abs(), lang);
    match (n < 0, lang) {
        (false, _) => words,
        (true, Lang::Zh) => format!("负{words}"),
        (true, Lang::En) => format!("minus {words}"),
    }
}

/// A count said before a measure word: as `cardinal`, except that a lone 2 is 两 in Mandarin
/// (两件, 两元, 两点 — never 二件).
pub fn count(n: u64, lang: Lang) -> String {
    match (n, lang) {
        (2, Lang::Zh) => "两".to_owned(),
        _ => cardinal(n, lang),
    }
}

fn zh_cardinal(n: u64) -> String {
    if n == 0 {
        return ZH_DIGITS[0].to_owned();
    }
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push((rest % 10_000) as u16);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut gap = false;
    for (i, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            gap |= !out.is_empty();
            continue;
        }
        // 一万零五百, 一亿零五: a zero is said where a group (or its thousands) is missing.
        if !out.is_empty() && (gap || group < 1000) {
            out.push_str(ZH_DIGITS[0]);
        }
        gap = false;
        zh_group(group, out.is_empty(), &mut out);
        out.push_str(ZH_GROUPS.get(i).copied().unwrap_or(""));
    }
    out
}

/// One group of up to four digits; `first` says 十二 rather than 一十二 at the start of a number.
fn zh_group(group: u16, first: bool, out: &mut String) {
    const UNITS: [&str; 4] = ["千", "百", "十", ""];
    let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
    let mut started = false;
    let mut zero = false;
    for (k, &d) in digits.iter().enumerate() {
        if d == 0 {
            zero |= started;
            continue;
        }
        if zero {
            out.push_str(ZH_DIGITS[0]);
            zero = false;
        }
        if !(k == 2 && d == 1 && first && !started) {
            out.push_str(ZH_DIGITS[usize::from(d)]);
        }
        out.push_str(UNITS[k]);
        started = true;
    }
}

fn en_cardinal(n: u64) -> String {
    if n == 0 {
        return EN_ONES[0].to_owned();
    }
    let mut groups = Vec::new();
    let mut rest = n;
    while rest > 0 {
        groups.push((rest % 1000) as u16);
        rest /= 1000;
    }
    let mut words: Vec<String> = Vec::new();
    for (i, &group) in groups.iter().enumerate().rev() {
        if group == 0 {
            continue;
        }
        words.push(en_below_1000(group));
        if let Some(unit) = EN_GROUPS.get(i).filter(|u| !u.is_empty()) {
            words.push((*unit).to_owned());
        }
    }
    words.join(" ")
}

fn en_below_1000(n: u16) -> String {
    let (hundreds, rest) = (usize::from(n / 100), usize::from(n % 100));
    let mut words = Vec::new();
    if hundreds > 0 {
        words.push(format!("{} hundred", EN_ONES[hundreds]));
    }
    if rest > 0 {
        words.push(match rest {
            0..20 => EN_ONES[rest].to_owned(),
            _ if rest % 10 == 0 => EN_TENS[rest / 10].to_owned(),
            _ => format!("{}-{}", EN_TENS[rest / 10], EN_ONES[rest % 10]),
        });
    }
    words.join(" ")
}

/// An ordinal day of the month in English (`6` → sixth); Mandarin says the cardinal with 日.
pub fn en_ordinal(n: u64) -> String {
    let words = en_cardinal(n);
    let (head, last) = match words.rfind([' ', '-']) {
        Some(i) => words.split_at(i + 1),
        None => ("", words.as_str()),
    };
    let last = match last {
        "one" => "first".to_owned(),
        "two" => "second".to_owned(),
        "three" => "third".to_owned(),
        "five" => "fifth".to_owned(),
        "eight" => "eighth".to_owned(),
        "nine" => "ninth".to_owned(),
        "twelve" => "twelfth".to_owned(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    };
    format!("{head}{last}")
}

/// A month's name as said in a date: 五 (for 五月) / May.
pub fn month(m: i8, lang: Lang) -> String {
    match lang {
        Lang::Zh => cardinal(u64::from(m.unsigned_abs()), lang),
        Lang::En => usize::try_from(m - 1).ok().and_then(|i| EN_MONTHS.get(i)).copied().unwrap_or("").to_owned(),
    }
}

/// A day of the month as said in a date: 六 (for 六日) / sixth.
pub fn day(d: i8, lang: Lang) -> String {
    let d = u64::from(d.unsigned_abs());
    match lang {
        Lang::Zh => cardinal(d, lang),
        Lang::En => en_ordinal(d),
    }
}

/// Money in fen as said at a market stall: ￥5.90 → 五元九角 / five yuan ninety,
/// ￥12.00 → 十二元 / twelve yuan, ￥0.05 → 五分 / five fen, ￥3.05 → 三元零五分 / three yuan oh five.
pub fn money(amount: Money, lang: Lang) -> String {
    let fen = amount.as_fen();
    let abs = fen.unsigned_abs();
    let (yuan, cents) = (abs / 100, abs % 100);
    let words = match lang {
        Lang::Zh => {
            let (jiao, fen) = (cents / 10, cents % 10);
            let mut s = String::new();
            if yuan > 0 {
                s.push_str(&count(yuan, lang));
                s.push('元');
            }
            if jiao > 0 {
                s.push_str(&count(jiao, lang));
                s.push('角');
            }
            if fen > 0 {
                if yuan > 0 && jiao == 0 {
                    s.push('零');
                }
                s.push_str(&count(fen, lang));
                s.push('分');
            }
            if s.is_empty() { "零元".to_owned() } else { s }
        }
        Lang::En => match (yuan, cents) {
            (0, 0) => "zero yuan".to_owned(),
            (0, c) => format!("{} fen", en_cardinal(c)),
            (y, 0) => format!("{} yuan", en_cardinal(y)),
            (y, c) if c < 10 => format!("{} yuan oh {}", en_cardinal(y), en_cardinal(c)),
            (y, c) => format!("{} yuan {}", en_cardinal(y), en_cardinal(c)),
        },
    };
    match (fen < 0, lang) {
        (false, _) => words,
        (true, Lang::Zh) => format!("负{words}"),
        (true, Lang::En) => format!("minus {words}"),
    }
}

/// A quantity with its measure word: (2, 袋) → 两袋; in English a plain count (two).
pub fn quantity(n: u32, unit: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}{unit}", count(u64::from(n), lang)),
        Lang::En => cardinal(u64::from(n), lang),
    }
}

/// Every character of a code read one by one, with a pause between: digits become words,
/// letters are spelled (upper case), anything else is a pause. `K1-0042` → K，一，零，零，四，二 /
/// K, one, zero, zero, four, two.
pub fn digits(code: &str, lang: Lang) -> String {
    let sep = match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    };
    code.chars()
        .filter_map(|c| match c.to_digit(10) {
            Some(d) => Some(cardinal(u64::from(d), lang)),
            None if c.is_alphanumeric() => Some(c.to_uppercase().collect()),
            None => None,
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// Whether `hour` (0–23) falls in the same part of the day as `other`: in a range the part is
/// said once ("下午两点到两点半", "eight to eight thirty a.m.").
fn day_part(hour: u8, lang: Lang) -> &'static str {
    match (lang, hour) {
        // Mornings are said bare: the market's hours make 八点 morning ("八点到八点半").
        (Lang::Zh, 0..=5) => "凌晨",
        (Lang::Zh, 6..=11) => "",
        (Lang::Zh, 12) => "中午",
        (Lang::Zh, 13..=18) => "下午",
        (Lang::Zh, _) => "晚上",
        (Lang::En, 0..=11) => "a.m.",
        (Lang::En, _) => "p.m.",
    }
}

/// The clock part of a time without its part of the day: 八点半 / eight thirty.
fn clock_words(hour: u8, minute: u8, lang: Lang) -> String {
    let h12 = match hour % 12 {
        0 if lang == Lang::Zh && hour == 0 => 0,
        0 => 12,
        h => h,
    };
    match lang {
        Lang::Zh => {
            let h = format!("{}点", count(u64::from(h12), lang));
            match minute {
                0 => h,
                30 => format!("{h}半"),
                1..=9 => format!("{h}零{}分", cardinal(u64::from(minute), lang)),
                m => format!("{h}{}分", cardinal(u64::from(m), lang)),
            }
        }
        Lang::En => {
            let h = en_cardinal(u64::from(h12));
            match minute {
                0 => h,
                1..=9 => format!("{h} oh {}", en_cardinal(u64::from(minute))),
                m => format!("{h} {}", en_cardinal(u64::from(m))),
            }
        }
    }
}

/// A local clock time: 08:30 → 八点半 / eight thirty a.m.; 14:00 → 下午两点 / two p.m.
pub fn clock(hour: u8, minute: u8, lang: Lang) -> String {
    let part = day_part(hour, lang);
    let words = clock_words(hour, minute, lang);
    match lang {
        Lang::Zh => format!("{part}{words}"),
        Lang::En => format!("{words} {part}"),
    }
}

/// Two local clock times as a range, the part of the day said once when both share it:
/// 八点到八点半 / eight to eight thirty a.m.; the connecting words come from `between`.
pub fn clock_range(from: (u8, u8), to: (u8, u8), lang: Lang, between: impl Fn(&str, &str) -> String) -> String {
    let same = day_part(from.0, lang) == day_part(to.0, lang);
    match (lang, same) {
        (Lang::Zh, true) => between(&clock(from.0, from.1, lang), &clock_words(to.0, to.1, lang)),
        (Lang::En, true) => {
            let to_words = clock(to.0, to.1, lang);
            between(&clock_words(from.0, from.1, lang), &to_words)
        }
        (_, false) => between(&clock(from.0, from.1, lang), &clock(to.0, to.1, lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::{En, Zh};

    #[test]
    fn mandarin_cardinals() {
        let cases = [
            (0, "零"),
            (7, "七"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (100, "一百"),
            (110, "一百一十"),
            (250, "二百五十"),
            (305, "三百零五"),
            (1000, "一千"),
            (1039, "一千零三十九"),
            (10_000, "一万"),
            (10_500, "一万零五百"),
            (100_010, "十万零一十"),
            (100_000_005, "一亿零五"),
            (99_999, "九万九千九百九十九"),
        ];
        for (n, words) in cases {
            assert_eq!(cardinal(n, Zh), words, "{n}");
        }
        assert_eq!(count(2, Zh), "两");
        assert_eq!(count(12, Zh), "十二");
        assert_eq!(signed(-5, Zh), "负五");
        assert!(!cardinal(u64::MAX, Zh).is_empty());
    }

    #[test]
    fn english_cardinals_and_ordinals() {
        assert_eq!(cardinal(0, En), "zero");
        assert_eq!(cardinal(13, En), "thirteen");
        assert_eq!(cardinal(40, En), "forty");
        assert_eq!(cardinal(1039, En), "one thousand thirty-nine");
        assert_eq!(cardinal(250, En), "two hundred fifty");
        assert_eq!(cardinal(2_000_001, En), "two million one");
        assert_eq!(signed(-3, En), "minus three");
        let ordinals =
            [(1, "first"), (2, "second"), (6, "sixth"), (12, "twelfth"), (20, "twentieth"), (31, "thirty-first")];
        for (n, words) in ordinals {
            assert_eq!(en_ordinal(n), words);
        }
        assert!(!cardinal(u64::MAX, En).is_empty());
    }

    #[test]
    fn money_as_said_at_a_stall() {
        let cases = [
            (590, "五元九角", "five yuan ninety"),
            (1200, "十二元", "twelve yuan"),
            (5, "五分", "five fen"),
            (50, "五角", "fifty fen"),
            (305, "三元零五分", "three yuan oh five"),
            (200, "两元", "two yuan"),
            (220, "两元两角", "two yuan twenty"),
            (103_920, "一千零三十九元两角", "one thousand thirty-nine yuan twenty"),
            (
                9_999_999,
                "九万九千九百九十九元九角九分",
                "ninety-nine thousand nine hundred ninety-nine yuan ninety-nine",
            ),
            (0, "零元", "zero yuan"),
            (-120, "负一元两角", "minus one yuan twenty"),
        ];
        for (fen, zh, en) in cases {
            assert_eq!(money(Money(fen), Zh), zh, "{fen}");
            assert_eq!(money(Money(fen), En), en, "{fen}");
        }
        assert!(!money(Money(i64::MIN), Zh).is_empty());
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock(8, 30, Zh), "八点半");
        assert_eq!(clock(8, 0, Zh), "八点");
        assert_eq!(clock(8, 5, Zh), "八点零五分");
        assert_eq!(clock(8, 45, Zh), "八点四十五分");
        assert_eq!(clock(12, 0, Zh), "中午十二点");
        assert_eq!(clock(14, 0, Zh), "下午两点");
        assert_eq!(clock(0, 10, Zh), "凌晨零点十分");
        assert_eq!(clock(8, 30, En), "eight thirty a.m.");
        assert_eq!(clock(12, 0, En), "twelve p.m.");
        assert_eq!(clock(14, 5, En), "two oh five p.m.");
        let zh = |a: &str, b: &str| format!("{a}到{b}");
        let en = |a: &str, b: &str| format!("between {a} and {b}");
        assert_eq!(clock_range((8, 0), (8, 30), Zh, zh), "八点到八点半");
        assert_eq!(clock_range((14, 0), (14, 30), Zh, zh), "下午两点到两点半");
        assert_eq!(clock_range((11, 30), (12, 0), Zh, zh), "十一点半到中午十二点");
        assert_eq!(clock_range((8, 0), (8, 30), En, en), "between eight and eight thirty a.m.");
        assert_eq!(clock_range((11, 30), (12, 0), En, en), "between eleven thirty a.m. and twelve p.m.");
    }

    #[test]
    fn codes_digit_by_digit() {
        assert_eq!(digits("K1-0042", Zh), "K，一，零，零，四，二");
        assert_eq!(digits("K1-0042", En), "K, one, zero, zero, four, two");
        assert_eq!(digits("0001", Zh), "零，零，零，一");
        assert_eq!(digits("k2", En), "K, two");
        assert_eq!(digits("", Zh), "");
    }

    #[test]
    fn quantities_and_dates() {
        assert_eq!(quantity(2, "袋", Zh), "两袋");
        assert_eq!(quantity(12, "份", Zh), "十二份");
        assert_eq!(quantity(2, "bag", En), "two");
        assert_eq!(month(5, Zh), "五");
        assert_eq!(month(5, En), "May");
        assert_eq!(month(13, En), "");
        assert_eq!(day(6, En), "sixth");
        assert_eq!(day(21, Zh), "二十一");
    }
}
