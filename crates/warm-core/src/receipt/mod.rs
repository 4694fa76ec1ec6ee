//! Printed layouts (pickup slip, ...) as ESC/POS bytes: pure functions of domain values.

pub mod card;
pub mod day_report;
pub mod escpos;
pub mod leader;
pub mod paper;
pub mod preview;
pub mod qr;
#[allow(clippy::module_inception)] // receipt::receipt::sales_receipt is the agreed path
pub mod receipt;
pub mod reprint;
pub mod slip;
pub mod test_page;
pub mod width;

pub use paper::{Paper, PaperProfile};
