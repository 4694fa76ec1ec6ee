//! Reading aloud: the speech engine (espeak-ng as a child process, `engine`) and the kiosk's
//! `Speaker` that says one thing at a time off the UI thread (`speaker`), and the per-senior
//! switch with one call per screen event (`read_aloud`). What is said comes from
//! `warm_core::speech`, in the screen's language.

pub mod engine;
pub mod read_aloud;
pub mod speaker;

pub use engine::{Espeak, Sink, SpeechError};
pub use read_aloud::ReadAloud;
pub use speaker::{Output, Speaker, Status, Utterance};

use serde::Deserialize;

/// `[speech]`: reading aloud for the seniors' screens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpeechConfig {
    /// Whether each senior starts with reading aloud on; the 🔊 button turns it off or on for
    /// that senior, and the next one starts with this again.
    pub enabled_by_default: bool,
    /// Loudness in percent of the engine's normal (0–200; espeak-ng's amplitude).
    pub volume: u8,
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig { enabled_by_default: true, volume: 100 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpeechConfigError {
    #[error("speech.volume = {0}: must be between 0 and 200 (100 is the engine's normal loudness)")]
    Volume(u8),
}

impl SpeechConfig {
    /// A volume the engine cannot play is refused with the allowed range.
    pub fn check(&self) -> Result<(), SpeechConfigError> {
        if self.volume > 200 {
            return Err(SpeechConfigError::Volume(self.volume));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
