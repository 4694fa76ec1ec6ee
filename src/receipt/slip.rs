// TEMP STUB
pub fn pickup_slip(order: &crate::domain::Order, _m: &crate::domain::Text, _p: &super::PaperProfile, _tz: &jiff::tz::TimeZone) -> Vec<u8> { order.slip_payload().into_bytes() }
