//! The screens. Each owns its state and its `Message`; `update` returns an `Action` that the
//! root (`ui::app`) acts on — open another screen, change the basket, or run a task off the UI
//! thread — and `view` draws it from its own state and the read-only [`Context`]. No screen
//! imports the root or does I/O.
//!
//! Seniors: home → category → review → done (and the household's number where the market
//! limits purchases), with the basket beside home and category and the
//! questions of `modal` over them. Volunteers: the PIN pad, then the checkout counter. The site
//! manager: `manager` (its PIN, a menu) and one `manager_*` screen per job.

pub mod category;
pub mod counter;
pub mod done;
pub mod home;
pub mod household;
pub mod leader;
pub mod manager;
pub mod manager_cash;
pub mod manager_count;
pub mod manager_parts;
pub mod manager_receive;
pub mod manager_restock;
pub mod manager_settle;
pub mod manager_stock;
pub mod modal;
pub mod pin;
pub mod printer;
pub mod review;

use crate::config::Config;
use crate::ui::picture::Pictures;
use warm_core::domain::{Cart, Catalog, Lang};

/// What every screen may read, and nothing it could change.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub lang: Lang,
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub pictures: &'a Pictures,
    pub time_zone: &'a jiff::tz::TimeZone,
    /// The senior's basket (the root owns it).
    pub cart: &'a Cart,
    /// What may still be ordered of each product the stock ledger tracks.
    pub shelf: &'a crate::store::shelf::Shelf,
    /// Purchase limits for this order: on or off, the household said, what it bought.
    pub limits: &'a crate::store::households::Limits,
    /// Free MB of the data folder when it is under `[kiosk] min_free_mb`.
    pub disk_low: Option<u64>,
    /// The room the screen lays out in, in its own pixels: at least the 1920×1080 reference, or
    /// 1536×864 with 大字 on; grids and lists put on a page what fits.
    pub room: iced::Size,
}

/// The seniors' screen on show.
pub enum Screen {
    Home(home::Home),
    Category(category::Category),
    Review(review::Review),
    Done(Box<done::Done>),
    /// Who is buying (issue 10): the household's number, before the first limited product.
    Household(household::Entry),
}

impl Screen {
    /// Puts on a page what fits the screen's new room (大字 switched, another window size).
    pub fn fit_to(&mut self, room: iced::Size) {
        match self {
            Screen::Home(home) => home.fit_to(room),
            Screen::Category(category) => category.fit_to(room),
            Screen::Review(review) => review.fit_to(room),
            Screen::Done(_) | Screen::Household(_) => {}
        }
    }
}
