//! Any text the screen shows, made ready to be said: amounts, clock times, decimals, percentages,
//! codes and pack sizes become words (`spoken("5公斤/袋")` → 五公斤一袋, `spoken("500 g pack")` →
//! "five hundred grams pack"), and the symbols that only decorate a screen (✓ ✗ ● ← …) are left
//! out. Numbers are found here once, so a catalog's spec, a notice and a slot all read alike.

use super::numbers::{cardinal, clock, clock_range, count, money};
use crate::domain::{Lang, Money};

/// Characters that decorate a screen but mean nothing said aloud.
const DECORATION: &[char] = &['✓', '✗', '●', '○', '←', '→', '•', '★', '☆', '⚠', '🔊', '…'];
/// Measure words after which a lone 2 is still 二 (二号, 二月, 二楼), not 两.
const NUMBERED: &[char] = &['号', '月', '日', '楼', '层', '室', '栋', '期', '年', '级', '点'];
/// English unit abbreviations after a number, singular and plural.
const EN_UNITS: &[(&str, &str, &str)] = &[
    ("kg", "kilogram", "kilograms"),
    ("g", "gram", "grams"),
    ("ml", "millilitre", "millilitres"),
    ("L", "litre", "litres"),
    ("l", "litre", "litres"),
];

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// The text as it should be said in `lang`.
pub fn spoken(text: &str, lang: Lang) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '￥' | '¥') {
            let start = skip_spaces(&chars, i + 1);
            if let Some((fen, end)) = parse_money(&chars, start) {
                out.push_str(&money(Money(fen), lang));
                i = end;
                continue;
            }
        }
        if c.is_ascii_digit() {
            // English words need a space where digits were glued to letters (KN95 → KN nine five).
            let glue = lang == Lang::En;
            if glue && out.ends_with(|p: char| p.is_alphanumeric()) {
                out.push(' ');
            }
            i = number(&chars, i, lang, &mut out);
            if glue && chars.get(i).is_some_and(|n| n.is_alphanumeric()) {
                out.push(' ');
            }
            continue;
        }
        if DECORATION.contains(&c) {
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        match (c, lang) {
            // "！合作社拒收": a bang used as an icon, not as a sentence's end.
            ('!' | '！', _) if out.trim().is_empty() => {}
            ('/', Lang::Zh) if next.is_some_and(is_han) => out.push('一'),
            ('/', Lang::Zh) => out.push('，'),
            ('/', Lang::En) => out.push_str(" per "),
            ('×' | '*', Lang::Zh) => out.push('，'),
            ('×' | '*', Lang::En) => out.push_str(" by "),
            ('~' | '～', Lang::Zh) => out.push('约'),
            ('~' | '～', Lang::En) => out.push_str("about "),
            ('–' | '—', Lang::Zh) => out.push('到'),
            ('–' | '—', Lang::En) => out.push_str(" to "),
            ('-', _) if next.is_some_and(|n| n.is_ascii_digit()) => out.push_str(pause(lang)),
            _ => out.push(c),
        }
        i += 1;
    }
    tidy(&out)
}

fn pause(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    }
}

/// Runs of spaces become one; none is left at either end or before a comma.
fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").replace(" ,", ",").replace(" ，", "，").replace("， ", "，")
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| *c == ' ') {
        i += 1;
    }
    i
}

/// Digits from `i`, allowing thousands commas (`99,999`): the value's text and the end.
fn int_run(chars: &[char], mut i: usize) -> (String, usize) {
    let mut s = String::new();
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            s.push(c);
            i += 1;
        } else if c == ','
            && !s.is_empty()
            && chars.get(i + 1..i + 4).is_some_and(|d| d.iter().all(char::is_ascii_digit))
            && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    (s, i)
}

/// `12.30`, `12.3`, `12` or `99,999.99` at `i`: the amount in fen and the end.
fn parse_money(chars: &[char], i: usize) -> Option<(i64, usize)> {
    let (yuan, mut end) = int_run(chars, i);
    let yuan: i64 = yuan.parse().ok()?;
    let mut cents = 0;
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        let (frac, frac_end) = int_run(chars, end + 1);
        let frac: String = format!("{frac:0<2}").chars().take(2).collect();
        cents = frac.parse().ok()?;
        end = frac_end;
    }
    Some((yuan.checked_mul(100)?.checked_add(cents)?, end))
}

/// `HH:MM` at `i`: hour, minute and the end.
fn parse_clock(chars: &[char], i: usize) -> Option<((u8, u8), usize)> {
    let (h, colon) = int_run(chars, i);
    if h.is_empty() || h.len() > 2 || chars.get(colon) != Some(&':') {
        return None;
    }
    let m: String = chars.get(colon + 1..colon + 3)?.iter().collect();
    if !m.chars().all(|c| c.is_ascii_digit()) || chars.get(colon + 3).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(((h, m), colon + 3))
}

/// Says the number (clock, range, decimal, percentage, code or count) that starts at `i`; returns
/// where it ends.
fn number(chars: &[char], i: usize, lang: Lang, out: &mut String) -> usize {
    if let Some((from, end)) = parse_clock(chars, i) {
        let dash = skip_spaces(chars, end);
        if chars.get(dash).is_some_and(|c| matches!(c, '–' | '-' | '—' | '~')) {
            let start = skip_spaces(chars, dash + 1);
            if let Some((to, end)) = parse_clock(chars, start) {
                out.push_str(&clock_range(from, to, lang, |a, b| between(a, b, lang)));
                return end;
            }
        }
        out.push_str(&clock(from.0, from.1, lang));
        return end;
    }
    let (int, mut end) = int_run(chars, i);
    let before = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
    let after = chars.get(end).copied();
    // A code, not an amount: glued to letters (KN95, K1), a leading zero (0042) or too long to be
    // a count (a barcode).
    let letters_around = before.is_some_and(|c| c.is_ascii_alphabetic())
        || after.is_some_and(|c| c.is_ascii_alphabetic() && !starts_unit(chars, end));
    if letters_around || (int.len() > 1 && int.starts_with('0')) || int.len() > 9 {
        out.push_str(&code_digits(&int, lang));
        return end;
    }
    let Ok(n) = int.parse::<u64>() else {
        out.push_str(&code_digits(&int, lang));
        return end;
    };
    let mut words = cardinal(n, lang);
    let mut singular = n == 1;
    if chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit) {
        let (frac, frac_end) = int_run(chars, end + 1);
        let point = match lang {
            Lang::Zh => "点",
            Lang::En => " point ",
        };
        words = format!("{words}{point}{}", code_digits(&frac, lang));
        singular = false;
        end = frac_end;
    } else if lang == Lang::Zh {
        let next = chars.get(skip_spaces(chars, end)).copied();
        if next.is_some_and(|c| is_han(c) && !NUMBERED.contains(&c)) {
            words = count(n, lang);
        }
    }
    if chars.get(end) == Some(&'%') {
        end += 1;
        words = match lang {
            Lang::Zh => format!("百分之{words}"),
            Lang::En => format!("{words} percent"),
        };
    }
    out.push_str(&words);
    if lang == Lang::En {
        let at = skip_spaces(chars, end);
        if let Some((abbr, one, many)) = unit_at(chars, at) {
            out.push(' ');
            out.push_str(if singular { one } else { many });
            return at + abbr.chars().count();
        }
    }
    end
}

fn between(from: &str, to: &str, lang: Lang) -> String {
    crate::i18n::tr(crate::i18n::SpeechWords::Between, lang, &[("from", from), ("to", to)])
}

/// Digits said one by one without a pause (inside a name like KN95); `speech::digits` pauses.
fn code_digits(run: &str, lang: Lang) -> String {
    let sep = match lang {
        Lang::Zh => "",
        Lang::En => " ",
    };
    let words: Vec<String> = run.chars().filter_map(|c| c.to_digit(10)).map(|d| cardinal(u64::from(d), lang)).collect();
    words.join(sep)
}

/// An English unit abbreviation standing alone at `i` (`g` in "500 g pack", not in "green").
fn unit_at(chars: &[char], i: usize) -> Option<(&'static str, &'static str, &'static str)> {
    EN_UNITS.iter().copied().find(|(abbr, _, _)| {
        let len = abbr.chars().count();
        chars.get(i..i + len).is_some_and(|s| s.iter().copied().eq(abbr.chars()))
            && !chars.get(i + len).is_some_and(|c| c.is_alphanumeric())
    })
}

fn starts_unit(chars: &[char], i: usize) -> bool {
    unit_at(chars, i).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lang::{En, Zh};

    #[test]
    fn catalog_specs_in_mandarin() {
        let cases = [
            ("500克/份", "五百克一份"),
            ("5公斤/袋", "五公斤一袋"),
            ("2.5公斤/袋", "二点五公斤一袋"),
            ("2根/份", "两根一份"),
            ("250毫升×12盒/箱", "二百五十毫升，十二盒一箱"),
            ("1颗 约400克", "一颗 约四百克"),
            ("75% 500毫升/瓶", "百分之七十五 五百毫升一瓶"),
            ("KN95口罩", "KN九五口罩"),
            ("5号电池", "五号电池"),
            ("2号电池", "二号电池"),
        ];
        for (text, said) in cases {
            assert_eq!(spoken(text, Zh), said, "{text}");
        }
    }

    #[test]
    fn catalog_specs_in_english() {
        let cases = [
            ("500 g pack", "five hundred grams pack"),
            ("1 kg bag", "one kilogram bag"),
            ("2.5 kg bag", "two point five kilograms bag"),
            ("12 × 250 ml", "twelve by two hundred fifty millilitres"),
            ("1 head, ~400 g", "one head, about four hundred grams"),
            ("75%, 500 ml", "seventy-five percent, five hundred millilitres"),
            ("5 L bottle", "five litres bottle"),
            ("KN95 Masks", "KN nine five Masks"),
            ("5 green apples", "five green apples"),
        ];
        for (text, said) in cases {
            assert_eq!(spoken(text, En), said, "{text}");
        }
    }

    #[test]
    fn notices_amounts_and_times() {
        assert_eq!(spoken("还有 2 件未拣", Zh), "还有 两 件未拣");
        assert_eq!(spoken("找零 ￥3.50", Zh), "找零 三元五角");
        assert_eq!(spoken("Change ￥1,039.20", En), "Change one thousand thirty-nine yuan twenty");
        assert_eq!(spoken("请于 08:00–08:30 取货", Zh), "请于 八点到八点半 取货");
        assert_eq!(spoken("Please collect: 14:00–14:30", En), "Please collect: between two and two thirty p.m.");
        assert_eq!(spoken("上次同步 09:05", Zh), "上次同步 九点零五分");
        assert_eq!(spoken("✓ 已加入：黄瓜", Zh), "已加入：黄瓜");
        assert_eq!(spoken("！合作社拒收，请联系云小二", Zh), "合作社拒收，请联系云小二");
        assert_eq!(spoken("● Online", En), "Online");
        assert_eq!(spoken("取货单 K1-0042 已付过款", Zh), "取货单 K一，零零四二 已付过款");
        assert_eq!(
            spoken("Code: 6952022000017", En),
            "Code: six nine five two zero two two zero zero zero zero one seven"
        );
        assert_eq!(spoken("第 2/6 页", Zh), "第 二，六 页");
        assert_eq!(spoken("", Zh), "");
        assert_eq!(spoken("99999999999999999999999", En).split(' ').count(), 23);
    }
}
