//! One view per screen of the seniors' flow: home → category → review → done.

pub mod category;
pub mod checkout;
pub mod done;
pub mod home;
pub mod modal;
pub mod printer;
pub mod review;
