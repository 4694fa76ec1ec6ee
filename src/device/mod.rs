//! The devices the kiosk owns: the receipt printer and the barcode scanner.

pub mod printer;
pub mod scanner;
