//! A TOML file's error as a person can act on it: the parser's line, column and the line itself
//! stay; serde's type words ("invalid type: floating point `39.9`, expected i64") become what was
//! written and what to write instead. Used for the kiosk's config, the catalog file and the hub's
//! config.

pub fn in_words(e: &toml::de::Error) -> String {
    let text = e.to_string().trim_end().to_owned();
    if !text.contains("invalid type: ") {
        return text;
    }
    const WRITTEN: [(&str, &str); 4] = [
        ("invalid type: floating point ", "the decimal number "),
        ("invalid type: string ", "the text "),
        ("invalid type: integer ", "the whole number "),
        ("invalid type: boolean ", "the word "),
    ];
    const WANTED: [(&str, &str); 13] = [
        ("write i64", "write a whole number (no quotes, no decimal point)"),
        ("write i32", "write a whole number (no quotes, no decimal point)"),
        ("write u64", "write a whole number, 0 or more (no quotes, no decimal point)"),
        ("write u32", "write a whole number, 0 or more (no quotes, no decimal point)"),
        ("write u16", "write a whole number, 0 or more (no quotes, no decimal point)"),
        ("write u8", "write a whole number, 0 or more (no quotes, no decimal point)"),
        ("write usize", "write a whole number, 0 or more (no quotes, no decimal point)"),
        ("write f32", "write a number such as 1.25 (no quotes)"),
        ("write f64", "write a number such as 1.25 (no quotes)"),
        ("write a boolean", "write true or false (no quotes)"),
        ("write a string", "write text in quotes"),
        ("write a sequence", "write a list in [ ]"),
        ("write a map", "write a table"),
    ];
    let mut text = text.replace(", expected ", " cannot stand here: write ");
    for (serde, words) in WRITTEN.iter().chain(WANTED.iter()) {
        text = text.replace(serde, words);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Settings {
        baud: Option<u32>,
        scale: Option<f32>,
        on: Option<bool>,
        name: Option<String>,
    }

    fn explain(text: &str) -> String {
        in_words(&toml::from_str::<Settings>(text).unwrap_err())
    }

    #[test]
    fn a_wrong_type_says_what_was_written_and_what_to_write() {
        let e = explain("baud = 19200.5");
        assert!(e.contains("line 1") && e.contains("baud = 19200.5"), "the place stays: {e}");
        assert!(e.contains("the decimal number `19200.5` cannot stand here: write a whole number, 0 or more"), "{e}");
        let e = explain("\nscale = \"big\"");
        assert!(
            e.contains("line 2") && e.contains("the text \"big\" cannot stand here: write a number such as 1.25"),
            "{e}"
        );
        assert!(explain("on = 1").contains("the whole number `1` cannot stand here: write true or false"));
        assert!(explain("name = true").contains("write text in quotes"));
        for e in [explain("baud = 1.5"), explain("scale = \"x\""), explain("on = 2")] {
            assert!(!e.contains("expected") && !e.contains("u32") && !e.contains("f32"), "{e}");
        }
    }

    #[test]
    fn other_errors_are_left_as_the_parser_says_them() {
        let e = explain("baud = ");
        assert!(e.contains("line 1") && !e.contains("cannot stand here"), "{e}");
    }
}
