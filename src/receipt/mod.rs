//! Printed layouts (pickup slip, ...) as ESC/POS bytes: pure functions of domain values.

pub mod escpos;
pub mod paper;
pub mod qr;
#[allow(clippy::module_inception)] // the path issue 3 agreed on: receipt/receipt.rs
pub mod receipt;
pub mod slip;
pub mod width;

pub use paper::{Paper, PaperProfile};
