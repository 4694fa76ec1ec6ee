//! Column arithmetic for a fixed-pitch printer font.
//!
//! A column is one 12-dot cell at size 1×1. The width of a character is what the printer will
//! actually use: ASCII takes one column, every two-byte GB18030 code two (in Chinese mode the
//! printer draws all of them full width, so `×`, `￥` and `–` are 2, unlike in a terminal), and
//! a character we replace by `?` one. Width therefore follows [`escpos::glyph`], the encoder's
//! own choice, and columns computed here line up on paper at 32 and 48 columns alike.

use super::escpos::{Glyph, glyph};

/// Columns `c` takes on paper at size 1×1.
pub fn char_width(c: char) -> usize {
    glyph(c).columns()
}

/// Columns `text` takes on paper at size 1×1.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Closing punctuation never starts a line (it stays with the character before it).
fn is_closing(c: char) -> bool {
    "，。、；：！？）】》」』”’…％～·".contains(c)
}

/// Opening punctuation never ends a line (it moves down with the character after it).
fn is_opening(c: char) -> bool {
    "（【《「『“‘".contains(c)
}

/// Chinese, Japanese and Korean script and full-width forms: a line may break around each one.
/// Other characters, wide symbols such as `×` and `￥` included, stick to their neighbours, so
/// `×12` and `￥39.90` never break.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}' // CJK punctuation
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}' // hangul
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF01}'..='\u{FF60}' // full-width forms
    )
}

/// An unbreakable piece of text, or a space where a line may break.
#[derive(Debug, Default)]
struct Token {
    text: String,
    width: usize,
    space: bool,
    open_end: bool,
    /// Ends in a non-CJK character, to which the next non-CJK character sticks.
    word_tail: bool,
}

/// Splits where a line may break: around CJK characters and at spaces, never inside a word of
/// other characters, never before closing or after opening punctuation.
fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    for c in text.chars() {
        let g = glyph(c);
        if g == Glyph::Narrow(b' ') {
            out.push(Token { text: " ".into(), width: 1, space: true, ..Token::default() });
            continue;
        }
        let word = !is_cjk(c);
        let joins = match out.last() {
            Some(t) if !t.space => t.open_end || is_closing(c) || (word && t.word_tail),
            _ => false,
        };
        match out.last_mut() {
            Some(t) if joins => {
                t.text.push(c);
                t.width += g.columns();
                t.open_end = is_opening(c);
                t.word_tail = word;
            }
            _ => out.push(Token {
                text: c.to_string(),
                width: g.columns(),
                space: false,
                open_end: is_opening(c),
                word_tail: word,
            }),
        }
    }
    out
}

/// Greedy line filling that trims spaces at line ends.
struct Lines {
    cols: usize,
    done: Vec<String>,
    line: String,
    width: usize,
}

impl Lines {
    fn flush(&mut self) {
        let trimmed = self.line.trim_end_matches(' ');
        if !trimmed.is_empty() {
            self.done.push(trimmed.to_owned());
        }
        self.line.clear();
        self.width = 0;
    }

    fn push(&mut self, text: &str, width: usize) {
        self.line.push_str(text);
        self.width += width;
    }

    fn word(&mut self, token: &Token) {
        if self.width + token.width > self.cols && self.width > 0 {
            self.flush();
        }
        if token.width <= self.cols {
            self.push(&token.text, token.width);
            return;
        }
        // Longer than a whole line: break between characters, the only place left.
        for c in token.text.chars() {
            let w = char_width(c);
            if self.width + w > self.cols && self.width > 0 {
                self.flush();
            }
            self.push(c.encode_utf8(&mut [0; 4]), w);
        }
    }
}

/// `text` in lines of at most `cols` columns (a lone character wider than `cols` still gets a
/// line of its own). `\n` starts a new line; spaces at line ends are dropped.
pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let mut lines = Lines { cols: cols.max(1), done: Vec::new(), line: String::new(), width: 0 };
    for paragraph in text.split('\n') {
        for token in tokens(paragraph) {
            if token.space {
                if lines.width > 0 && lines.width < lines.cols {
                    lines.push(" ", 1);
                }
            } else {
                lines.word(&token);
            }
        }
        lines.flush();
    }
    lines.done
}

/// "left ........ right" in lines of `cols` columns: `left` wraps on its own lines when too
/// long, `right` ends the last line flush right (or gets a line of its own when it does not
/// fit beside it), so prices and totals line up whatever the paper width.
pub fn row(left: &str, right: &str, cols: usize) -> Vec<String> {
    let right = right.trim();
    let right_width = width(right);
    let mut lines = wrap(left, cols);
    if right_width == 0 {
        return lines;
    }
    if right_width > cols {
        lines.extend(wrap(right, cols));
        return lines;
    }
    match lines.last_mut() {
        Some(last) if width(last) + 1 + right_width <= cols => {
            let gap = cols - width(last) - right_width;
            last.extend(std::iter::repeat_n(' ', gap));
            last.push_str(right);
        }
        _ => lines.push(format!("{}{right}", " ".repeat(cols - right_width))),
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_printer() {
        assert_eq!(width("abc 12"), 6);
        assert_eq!(width("取货单"), 6);
        assert_eq!(width("￥39.90"), 7);
        assert_eq!(width("×2"), 3);
        assert_eq!(width("10:30–11:00"), 11); // en dash prints as '-'
        assert_eq!(width("😀"), 1); // printed as '?'
    }

    #[test]
    fn wraps_chinese_anywhere_and_english_at_spaces() {
        assert_eq!(wrap("东北大米五公斤装", 6), ["东北大", "米五公", "斤装"]);
        assert_eq!(wrap("Please collect at 10:30", 12), ["Please", "collect at", "10:30"]);
        assert_eq!(wrap("买 rice 米", 7), ["买 rice", "米"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        // A word longer than the line is split between characters, never inside one.
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("大", 1), ["大"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
    }

    #[test]
    fn punctuation_stays_with_its_word() {
        // "，" may not start a line, so "米" moves down with it.
        assert_eq!(wrap("大米，油", 4), ["大", "米，", "油"]);
        // "（" may not end a line: "纯奶（" would fit 6 columns.
        assert_eq!(wrap("纯奶（整箱）", 6), ["纯奶", "（整", "箱）"]);
    }

    #[test]
    fn every_line_fits_at_32_and_48() {
        let text = "光明纯牛奶（整箱）250ml×12盒 Bright Dairy pure milk, a whole case of twelve";
        for cols in [32, 48, 16, 24] {
            let lines = wrap(text, cols);
            assert!(lines.iter().all(|l| width(l) <= cols), "{cols}: {lines:?}");
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
    }

    #[test]
    fn rows_put_the_price_flush_right() {
        let r = row("东北大米 5kg ×1", "￥39.90", 32);
        assert_eq!(r, [format!("东北大米 5kg ×1{}￥39.90", " ".repeat(9))]);
        assert_eq!(width(&r[0]), 32);
        let r = row("东北大米 5kg ×1", "￥39.90", 48);
        assert_eq!(width(&r[0]), 48);
        assert!(r[0].ends_with("￥39.90"));
    }

    #[test]
    fn long_names_wrap_and_price_ends_the_last_line() {
        let left = "光明纯牛奶（整箱） 250ml×12盒 ×1";
        let r = row(left, "￥45.60", 32);
        assert_eq!(r, ["光明纯牛奶（整箱） 250ml×12盒".to_owned(), format!("×1{}￥45.60", " ".repeat(22))]);
        assert_eq!(width(&r[1]), 32);
        let r = row(left, "￥45.60", 48);
        assert_eq!(r.len(), 1);
        assert_eq!(width(&r[0]), 48);
    }

    #[test]
    fn price_gets_its_own_line_when_the_last_line_is_full() {
        // 24 + 6 columns and a gap fit in 32; 26 + 6 leave no gap.
        let r = row("一二三四五六七八九十一二", "￥5.00", 32);
        assert_eq!(r, ["一二三四五六七八九十一二  ￥5.00"]);
        let r = row("一二三四五六七八九十一二三", "￥5.00", 32);
        assert_eq!(r, ["一二三四五六七八九十一二三".to_owned(), format!("{}￥5.00", " ".repeat(26))]);
        assert_eq!(row("", "￥5.00", 10), ["    ￥5.00"]);
        assert_eq!(row("合计", "", 10), ["合计"]);
    }
}
