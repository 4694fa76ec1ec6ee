//! The receipt printer: where its bytes go, the stored queue, and a preview of what it prints.

pub mod preview;
pub mod queue;
pub mod transport;
