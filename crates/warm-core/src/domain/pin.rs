//! The volunteer PIN: stored only as an argon2id hash (PHC string), checked in constant time by
//! argon2, with a pause after repeated wrong tries so a PIN cannot be guessed at the counter.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::time::{Duration, Instant};

/// The demo PIN of the embedded defaults (config/kiosk.toml holds its hash). Change it with
/// `warm-kiosk pin` before a real market opens.
pub const DEMO_PIN: &str = "2468";

/// Wrong tries allowed before a pause.
pub const TRIES: u32 = 3;
/// The first pause; each further failed round doubles it, up to `MAX_PAUSE`.
pub const PAUSE: Duration = Duration::from_secs(30);
pub const MAX_PAUSE: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is 4 to 8 digits")]
    Shape,
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// A PIN a volunteer can type on the numpad.
pub fn valid_shape(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// The PHC string to put in the config's `volunteer.pin_hash`.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    if !valid_shape(pin) {
        return Err(PinError::Shape);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// Whether `hash` is a PHC string argon2 can check against.
pub fn valid_hash(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok()
}

/// Whether `pin` is the PIN `hash` was made from (argon2 checks in constant time).
pub fn matches(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Accepted,
    /// Wrong; this many tries are left before a pause.
    Wrong {
        left: u32,
    },
    /// Too many wrong tries: nothing is checked for this long.
    Paused {
        left: Duration,
    },
}

/// Counts wrong tries and enforces the pause. Lives as long as the kiosk runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinGate {
    failures: u32,
    rounds: u32,
    paused_until: Option<Instant>,
}

impl PinGate {
    /// Time left in a pause, if one is running.
    pub fn paused(&self, now: Instant) -> Option<Duration> {
        self.paused_until.filter(|until| *until > now).map(|until| until - now)
    }

    pub fn try_pin(&mut self, hash: &str, pin: &str, now: Instant) -> PinOutcome {
        if let Some(left) = self.paused(now) {
            return PinOutcome::Paused { left };
        }
        self.record(matches(hash, pin), now)
    }

    /// Counts a try whose PIN was checked elsewhere (off the screen's thread): `matched` is what
    /// argon2 said. A try during a pause is not counted.
    pub fn record(&mut self, matched: bool, now: Instant) -> PinOutcome {
        if let Some(left) = self.paused(now) {
            return PinOutcome::Paused { left };
        }
        if matched {
            *self = PinGate::default();
            return PinOutcome::Accepted;
        }
        self.failures += 1;
        if self.failures < TRIES {
            return PinOutcome::Wrong { left: TRIES - self.failures };
        }
        let pause = PAUSE.saturating_mul(1 << self.rounds.min(4)).min(MAX_PAUSE);
        self.failures = 0;
        self.rounds += 1;
        self.paused_until = Some(now + pause);
        PinOutcome::Paused { left: pause }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_pin("1357").unwrap();
        let b = hash_pin("1357").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(matches(&a, "1357") && matches(&b, "1357"));
        assert!(!matches(&a, "1358"));
        assert!(!matches("not a hash", "1357"));
        assert_eq!(hash_pin("12"), Err(PinError::Shape));
        assert_eq!(hash_pin("12a4"), Err(PinError::Shape));
    }

    #[test]
    fn wrong_tries_pause_and_the_pause_grows() {
        let hash = hash_pin("1357").unwrap();
        let mut gate = PinGate::default();
        let t0 = Instant::now();
        assert_eq!(gate.try_pin(&hash, "0000", t0), PinOutcome::Wrong { left: 2 });
        assert_eq!(gate.try_pin(&hash, "0000", t0), PinOutcome::Wrong { left: 1 });
        assert_eq!(gate.try_pin(&hash, "0000", t0), PinOutcome::Paused { left: PAUSE });
        // During the pause even the right PIN is not looked at.
        assert!(matches!(gate.try_pin(&hash, "1357", t0 + Duration::from_secs(10)), PinOutcome::Paused { .. }));
        let t1 = t0 + PAUSE;
        for _ in 0..2 {
            gate.try_pin(&hash, "0000", t1);
        }
        assert_eq!(gate.try_pin(&hash, "0000", t1), PinOutcome::Paused { left: PAUSE * 2 });
        assert_eq!(gate.try_pin(&hash, "1357", t1 + PAUSE * 2), PinOutcome::Accepted);
        assert_eq!(gate, PinGate::default());
    }
}
