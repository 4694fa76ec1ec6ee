//! The devices the kiosk owns: the receipt printer and the barcode scanner, each with its own
//! configuration table, and the serial line settings they share. No GUI here: the screens
//! subscribe to the devices' events in `ui`.

pub mod printer;
pub mod scanner;
pub mod serial_line;
