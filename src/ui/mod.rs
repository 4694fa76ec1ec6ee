//! The touchscreen, in iced. `app` is the root: it owns the basket, the screen on show and
//! volunteer mode, and does all I/O off the UI thread; `screen` holds the screens, each owning
//! its state and its messages; `widget` the big tappable parts they share, generic over the
//! message; `devices` and `sync_status` turn the devices' and the sync loop's news into
//! subscriptions; `picture` decodes pictures; `theme` holds every size and colour.

pub mod app;
pub mod devices;
pub mod picture;
pub mod screen;
pub mod sync_status;
pub mod theme;
pub mod widget;

pub use app::{App, Context, Message};

pub use theme::REFERENCE_SIZE;
