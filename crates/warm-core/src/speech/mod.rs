//! What the kiosk says aloud, as words: numbers, money, clock times and codes the way a person
//! says them (`numbers`), any screen text made sayable (`text`), and the sentence of each event of
//! the seniors' screens (`events`). Pure: the kiosk's speech engine only pronounces these words.

pub mod events;
pub mod numbers;
pub mod text;

pub use numbers::{cardinal, clock, digits, money, quantity};
pub use text::spoken;
