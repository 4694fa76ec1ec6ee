//! The touchscreen: iced views of the seniors' ordering flow. `app` owns the state and performs
//! all I/O; `screen` holds one view per screen; `widget` the big tappable parts they share.

pub mod app;
pub mod devices;
pub mod picture;
pub mod screen;
pub mod sync_status;
pub mod theme;
pub mod volunteer;
pub mod widget;

pub use app::{App, Context, Message};

pub type Element<'a> = iced::Element<'a, Message>;

/// The reference window size every size in `theme` is chosen for.
pub const REFERENCE_SIZE: iced::Size = iced::Size::new(1920.0, 1080.0);
