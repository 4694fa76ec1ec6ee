//! `warm-kiosk say [--lang zh-CN|en] [--to FILE.wav] TEXT`: says a text the way the kiosk would
//! (amounts, times and codes in words, in the kiosk's voice and volume), on the speaker or into a
//! WAV file, so an installer can test the sound before the market opens.

use anyhow::Context as _;
use std::path::Path;
use warm_core::domain::Lang;
use warm_kiosk::device::speech::{Espeak, Sink, SpeechConfig};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SayLang {
    #[value(name = "zh-CN")]
    Zh,
    #[value(name = "en")]
    En,
}

impl From<SayLang> for Lang {
    fn from(lang: SayLang) -> Lang {
        match lang {
            SayLang::Zh => Lang::Zh,
            SayLang::En => Lang::En,
        }
    }
}

/// Says `text`; returns the words said.
pub fn run(config: &SpeechConfig, lang: Lang, to: Option<&Path>, text: &str) -> anyhow::Result<String> {
    let words = warm_core::speech::spoken(text, lang);
    anyhow::ensure!(!words.trim().is_empty(), "nothing to say: give a text, e.g. warm-kiosk say 您好");
    let sink = match to {
        Some(path) => Sink::Wav(path.to_owned()),
        None => Sink::Device,
    };
    let engine = Espeak::new(config);
    engine.run(&words, lang, &sink).with_context(|| match to {
        Some(path) => format!("writing {}", path.display()),
        None => "playing on the sound device (no sound card? try --to FILE.wav)".to_owned(),
    })?;
    Ok(words)
}
