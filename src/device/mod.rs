//! The devices the kiosk owns: the receipt printer, the barcode scanner and the speech engine,
//! each with its own configuration table, and the serial line settings printer and scanner share. No GUI here: the screens
//! subscribe to the devices' events in `ui`.

pub mod printer;
pub mod scanner;
pub mod serial_line;
pub mod speech;
