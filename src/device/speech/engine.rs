//! espeak-ng, run as a child process: one process per utterance, so an utterance is stopped by
//! killing its process, and a missing or broken engine can never take the kiosk down with it.
//!
//! Voices, chosen on the phonemes espeak-ng 1.51 prints (`espeak-ng -v VOICE -x -q TEXT`):
//! `cmn` reads Hanzi as English-spoken pinyin (番茄 → "(en)fa55nw'055n dZ,aI55…" = "fan one jia
//! one"), `cmn-Latn-pinyin` gives Mandarin phonemes (番茄 → f'a55n tS;'iA55) and applies third-tone
//! sandhi (五百 → w'u35 p'ai21). Its Hanzi readings matched a conversion through the `pinyin`
//! crate for all 62 names of the demo catalog, so Hanzi go to the engine as they are; the few it
//! misreads are corrected in pinyin (`FIXES`), which the same voice reads in the same sentence.

use super::SpeechConfig;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use warm_core::domain::Lang;

/// Words per minute: a little slower than espeak-ng's 175 for listeners who are old.
pub const RATE_WPM: u16 = 150;

/// Hanzi that espeak-ng 1.51 reads with the wrong one of their readings, and the reading meant,
/// in tone-numbered pinyin (the voice reads both in one text).
const FIXES: &[(&str, &str)] = &[
    // 番茄, 茄子: qié, not the jiā of 雪茄 (f'a55n tS;'iA55 → f'a55n tS;h'iE35).
    ("茄", " qie2 "),
    // 凌晨: its dictionary entry repeats chén (li35N ts.h'@35n ts.h@33n).
    ("凌晨", " ling2 chen2 "),
];

/// espeak-ng 1.51 reads 一 always as yī and 不 as bù (`espeak-ng -v cmn-Latn-pinyin -x 一袋 不是`:
/// j'i55 t'ai51, p'u51 s.'i.51). A speaker says 不 as bú before a fourth tone, and 一 as yí before a
/// fourth tone and yì before the others (一袋 yí dài, 一百 yì bǎi), but yī when counting or
/// ordinal (第一, 十一, the digits of a pickup number) or at the end of a phrase. The changed ones
/// go to the engine in tone-numbered pinyin, which the voice reads in the same sentence.
fn yi_bu_sandhi(text: &str) -> String {
    use pinyin::ToPinyin as _;
    let is_numeral = |c: char| "零一二三四五六七八九十两".contains(c);
    let tone = |c: char| c.to_pinyin().and_then(|p| p.with_tone_num_end().chars().last()?.to_digit(10));
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let (before, next) = (i.checked_sub(1).map(|j| chars[j]), chars.get(i + 1).copied());
        let next_tone = next.filter(|n| !is_numeral(*n)).and_then(tone);
        let spoken = match (c, next_tone) {
            ('不', Some(4)) => Some(" bu2 "),
            ('一', _) if before.is_some_and(|b| b == '第' || is_numeral(b)) => None,
            ('一', Some(4)) => Some(" yi2 "),
            ('一', Some(1..=3)) => Some(" yi4 "),
            _ => None,
        };
        match spoken {
            Some(pinyin) => out.push_str(pinyin),
            None => out.push(c),
        }
    }
    out
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SpeechError {
    #[error("the speech engine {} is not installed (Debian: apt-get install espeak-ng); the kiosk stays silent", program.display())]
    EngineMissing { program: PathBuf },
    #[error("the speech engine {} could not be started: {cause}", program.display())]
    Start { program: PathBuf, cause: Arc<std::io::Error> },
    #[error("the speech engine failed ({status}): {message}")]
    Failed { status: String, message: String },
    #[error("the speech engine wrote no sound to {}", path.display())]
    NoSound { path: PathBuf },
    #[error("lost track of the speech engine: {0}")]
    Wait(Arc<std::io::Error>),
}

/// Where an utterance's sound goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// espeak-ng plays it on the default sound device itself.
    Device,
    /// A WAV file.
    Wav(PathBuf),
    /// A WAV stream on the child's standard output (`--stdout`), for whoever reads it.
    Stdout,
}

/// How to run espeak-ng: which program and how loud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Espeak {
    program: PathBuf,
    /// espeak-ng's amplitude (`-a`, 0–200; 100 is its normal loudness).
    amplitude: u8,
}

impl Espeak {
    pub fn new(config: &SpeechConfig) -> Espeak {
        Espeak { program: PathBuf::from("espeak-ng"), amplitude: config.volume }
    }

    /// The same engine from another program file (a test names one that does not exist).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Espeak {
        self.program = program.into();
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The voice for a language (see the module's notes for the evidence).
    pub fn voice(lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => "cmn-Latn-pinyin",
            Lang::En => "en",
        }
    }

    /// The text as handed to the engine: Mandarin with its known misreadings spelled in pinyin,
    /// and 一 and 不 in the tone a speaker gives them.
    pub fn engine_text(text: &str, lang: Lang) -> String {
        match lang {
            Lang::Zh => {
                let fixed = FIXES.iter().fold(text.to_owned(), |t, (hanzi, pinyin)| t.replace(hanzi, pinyin));
                yi_bu_sandhi(&fixed)
            }
            Lang::En => text.to_owned(),
        }
    }

    /// The command line for one utterance.
    pub fn command(&self, text: &str, lang: Lang, sink: &Sink) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.arg("-v").arg(Espeak::voice(lang));
        cmd.arg("-a").arg(self.amplitude.to_string());
        cmd.arg("-s").arg(RATE_WPM.to_string());
        match sink {
            Sink::Device => {}
            Sink::Wav(path) => {
                cmd.arg("-w").arg(path);
            }
            Sink::Stdout => {
                cmd.arg("--stdout");
            }
        }
        // `--` so that a text starting with '-' is never taken for an option.
        cmd.arg("--").arg(Espeak::engine_text(text, lang));
        cmd.stdin(Stdio::null());
        cmd.stdout(if *sink == Sink::Stdout { Stdio::piped() } else { Stdio::null() });
        cmd
    }

    /// Starts one utterance and returns its process; the caller waits for it or kills it.
    pub fn spawn(&self, text: &str, lang: Lang, sink: &Sink) -> Result<Child, SpeechError> {
        let mut cmd = self.command(text, lang, sink);
        // Without a sound card espeak-ng prints ALSA's complaints for every utterance: not a log's job.
        cmd.stderr(Stdio::null());
        cmd.spawn().map_err(|cause| self.start_error(cause))
    }

    /// Says a text and waits until it has been said (to the device or into a WAV file).
    pub fn run(&self, text: &str, lang: Lang, sink: &Sink) -> Result<(), SpeechError> {
        let mut cmd = self.command(text, lang, sink);
        cmd.stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|cause| self.start_error(cause))?;
        let mut message = String::new();
        if let Some(mut err) = child.stderr.take() {
            // Read to the end before waiting, so a chatty engine never blocks on a full pipe.
            let _ = err.read_to_string(&mut message);
        }
        let status = child.wait().map_err(|e| SpeechError::Wait(Arc::new(e)))?;
        check(status, &message)?;
        if let Sink::Wav(path) = sink {
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            if len <= 44 {
                return Err(SpeechError::NoSound { path: path.clone() });
            }
        }
        Ok(())
    }

    fn start_error(&self, cause: std::io::Error) -> SpeechError {
        match cause.kind() {
            std::io::ErrorKind::NotFound => SpeechError::EngineMissing { program: self.program.clone() },
            _ => SpeechError::Start { program: self.program.clone(), cause: Arc::new(cause) },
        }
    }
}

/// espeak-ng says "Error: …" on stderr, and some failures (no sound device: "error: No such file
/// or directory" after ALSA's complaints) still exit 0.
fn check(status: ExitStatus, stderr: &str) -> Result<(), SpeechError> {
    let error_line = stderr.lines().find(|l| l.trim_start().to_ascii_lowercase().starts_with("error:"));
    match (status.success(), error_line) {
        (true, None) => Ok(()),
        (_, line) => Err(SpeechError::Failed {
            status: status.to_string(),
            message: line.unwrap_or(stderr.lines().last().unwrap_or("")).trim().to_owned(),
        }),
    }
}
