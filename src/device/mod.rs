//! The devices the kiosk owns: the receipt printer (and, later, the barcode scanner).

pub mod printer;
