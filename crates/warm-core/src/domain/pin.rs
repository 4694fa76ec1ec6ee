//! The volunteer's and the site manager's PINs: stored only as argon2id hashes (PHC strings),
//! checked in constant time by argon2, with a pause after repeated wrong tries so a PIN cannot be
//! guessed at the counter. The pause is kept in wall-clock time so the store can keep it across a
//! restart (pulling the plug does not reset it).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Who is typing a PIN: a volunteer opens the checkout, the site manager (暖当家) the stock and
/// the day's settlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Volunteer,
    Manager,
    /// A building leader (楼长, issue 10): orders for the households of a sealed building.
    Leader,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Manager => "manager",
            Role::Leader => "leader",
        }
    }

    /// The fewest digits this role's PIN may have: the manager's opens the money.
    pub fn min_digits(self) -> usize {
        match self {
            Role::Volunteer | Role::Leader => 4,
            Role::Manager => 6,
        }
    }
}

/// The manager's demo PIN of the embedded defaults. Change it with `warm-kiosk pin --role manager`.
pub const DEMO_MANAGER_PIN: &str = "135790";

/// The building leader's demo PIN of the embedded defaults. Change it with
/// `warm-kiosk pin --role leader`.
pub const DEMO_LEADER_PIN: &str = "8642";

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
    #[error("a {role} PIN is {min} to 8 digits", role = .0.as_str(), min = .0.min_digits())]
    Shape(Role),
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// A PIN a volunteer can type on the numpad.
pub fn valid_shape(pin: &str) -> bool {
    valid_shape_for(Role::Volunteer, pin)
}

/// A PIN of this role's length, digits only.
pub fn valid_shape_for(role: Role, pin: &str) -> bool {
    (role.min_digits()..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// The PHC string to put in the config's `volunteer.pin_hash`.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    hash_pin_for(Role::Volunteer, pin)
}

/// The PHC string for `role`'s `pin_hash` (`[volunteer]` or `[manager]`).
pub fn hash_pin_for(role: Role, pin: &str) -> Result<String, PinError> {
    if !valid_shape_for(role, pin) {
        return Err(PinError::Shape(role));
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

/// A point in time a [`PinGate`] can run on: the wall clock (`Timestamp`, kept in the store so
/// a pause outlives a restart) or a monotonic clock (`Instant`, for a gate that lives only as
/// long as the screen).
pub trait Moment: Copy + Ord {
    /// `self` plus `d`, or `None` if it does not fit.
    fn plus(self, d: Duration) -> Option<Self>;
    /// How long from `earlier` to `self` (zero if `earlier` is later).
    fn since(self, earlier: Self) -> Duration;
}

impl Moment for Timestamp {
    fn plus(self, d: Duration) -> Option<Self> {
        self.checked_add(d).ok()
    }

    fn since(self, earlier: Self) -> Duration {
        Duration::try_from(self.duration_since(earlier)).unwrap_or(Duration::ZERO)
    }
}

impl Moment for std::time::Instant {
    fn plus(self, d: Duration) -> Option<Self> {
        self.checked_add(d)
    }

    fn since(self, earlier: Self) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

/// Counts wrong tries and enforces the pause. On the wall clock it is serializable: the kiosk
/// keeps the manager's in its store, so a restart in the middle of a pause does not end it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGate<T = Timestamp> {
    failures: u32,
    rounds: u32,
    paused_until: Option<T>,
}

impl<T> Default for PinGate<T> {
    fn default() -> Self {
        PinGate { failures: 0, rounds: 0, paused_until: None }
    }
}

impl<T: Moment> PinGate<T> {
    /// Wrong tries left before a pause.
    pub fn tries_left(&self) -> u32 {
        TRIES.saturating_sub(self.failures)
    }

    /// Time left in a pause, if one is running.
    pub fn paused(&self, now: T) -> Option<Duration> {
        let until = self.paused_until.filter(|until| *until > now)?;
        Some(until.since(now))
    }

    pub fn try_pin(&mut self, hash: &str, pin: &str, now: T) -> PinOutcome {
        if let Some(left) = self.paused(now) {
            return PinOutcome::Paused { left };
        }
        self.record(matches(hash, pin), now)
    }

    /// Counts a try whose PIN was checked elsewhere (off the screen's thread): `matched` is what
    /// argon2 said. A try during a pause is not counted.
    pub fn record(&mut self, matched: bool, now: T) -> PinOutcome {
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
        self.paused_until = now.plus(pause);
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
        assert_eq!(hash_pin("12"), Err(PinError::Shape(Role::Volunteer)));
        assert_eq!(hash_pin("12a4"), Err(PinError::Shape(Role::Volunteer)));
        assert_eq!(hash_pin_for(Role::Manager, "13579"), Err(PinError::Shape(Role::Manager)));
        assert!(matches(&hash_pin_for(Role::Manager, "135790").unwrap(), "135790"));
        assert!(PinError::Shape(Role::Manager).to_string().contains("6 to 8 digits"));
    }

    #[test]
    fn wrong_tries_pause_and_the_pause_grows() {
        let hash = hash_pin("1357").unwrap();
        let mut gate = PinGate::default();
        let t0 = Timestamp::UNIX_EPOCH;
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

    #[test]
    fn a_pause_survives_being_written_down_and_read_back() {
        let mut gate = PinGate::default();
        let t0 = Timestamp::UNIX_EPOCH;
        for _ in 0..TRIES {
            gate.record(false, t0);
        }
        let kept: PinGate = serde_json::from_str(&serde_json::to_string(&gate).unwrap()).unwrap();
        assert_eq!(kept.paused(t0 + Duration::from_secs(10)), Some(PAUSE - Duration::from_secs(10)));
        assert_eq!(kept.paused(t0 + PAUSE), None);
    }
}
