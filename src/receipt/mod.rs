//! Printed layouts (pickup slip, ...) as ESC/POS bytes: pure functions of domain values.

pub mod escpos;
pub mod paper;
pub mod qr;
pub mod receipt;
pub mod slip;
pub mod width;

pub use paper::{Paper, PaperProfile};
