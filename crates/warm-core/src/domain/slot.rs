//! Pickup time slots stagger the crowd: each slot takes a limited number of orders.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupSlot {
    pub start: Timestamp,
    pub end: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotPolicy {
    pub minutes: u32,
    pub orders_per_slot: u32,
    /// Local opening and closing time of the pickup counter.
    pub opens: Time,
    pub closes: Time,
    /// Time to pick and pack an order before it can be collected.
    pub lead_minutes: u32,
}

/// How many days ahead the search goes before giving up on capacity.
const SEARCH_DAYS: i64 = 7;

impl SlotPolicy {
    /// The earliest slot that starts once the lead time is over and still has room. `taken(start)` tells how many orders a slot already has. When every slot of the
    /// coming week is full the first open one is returned anyway: an order is never refused for
    /// lack of a slot, and the manager sees the crowding.
    pub fn choose(&self, now: Timestamp, tz: &TimeZone, mut taken: impl FnMut(Timestamp) -> u32) -> PickupSlot {
        let earliest = now.checked_add(SignedDuration::from_mins(i64::from(self.lead_minutes))).unwrap_or(now);
        let mut first_open = None;
        for day in 0..SEARCH_DAYS {
            for slot in self.slots_of_day(&now.to_zoned(tz.clone()), day) {
                if slot.start < earliest {
                    continue;
                }
                first_open.get_or_insert(slot);
                if taken(slot.start) < self.orders_per_slot {
                    return slot;
                }
            }
        }
        first_open.unwrap_or(PickupSlot { start: earliest, end: earliest })
    }

    fn slots_of_day(&self, now: &Zoned, day: i64) -> Vec<PickupSlot> {
        let minutes = i64::from(self.minutes.max(1));
        let Ok(date) = now.date().checked_add(day.days()) else { return Vec::new() };
        let tz = now.time_zone();
        let mut slots = Vec::new();
        let Ok(mut start) = date.to_datetime(self.opens).to_zoned(tz.clone()) else { return slots };
        let Ok(close) = date.to_datetime(self.closes).to_zoned(tz.clone()) else { return slots };
        while let Ok(end) = start.checked_add(minutes.minutes()) {
            if end > close {
                break;
            }
            slots.push(PickupSlot { start: start.timestamp(), end: end.timestamp() });
            start = end;
        }
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    fn policy() -> SlotPolicy {
        SlotPolicy {
            minutes: 30,
            orders_per_slot: 2,
            opens: time(8, 0, 0, 0),
            closes: time(18, 0, 0, 0),
            lead_minutes: 15,
        }
    }

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn at(local: &str) -> Timestamp {
        local.parse::<jiff::civil::DateTime>().unwrap().to_zoned(shanghai()).unwrap().timestamp()
    }

    #[test]
    fn picks_the_slot_after_the_lead_time() {
        let slot = policy().choose(at("2022-05-06T10:10"), &shanghai(), |_| 0);
        assert_eq!(slot.start, at("2022-05-06T10:30"));
        assert_eq!(slot.end, at("2022-05-06T11:00"));
        let slot = policy().choose(at("2022-05-06T10:20"), &shanghai(), |_| 0);
        assert_eq!(slot.start, at("2022-05-06T11:00"), "10:35 is too late for the 10:30 slot");
    }

    #[test]
    fn full_slots_push_to_the_next() {
        let full = at("2022-05-06T10:30");
        let slot = policy().choose(at("2022-05-06T10:10"), &shanghai(), |s| if s == full { 2 } else { 1 });
        assert_eq!(slot.start, at("2022-05-06T11:00"));
    }

    #[test]
    fn after_closing_goes_to_tomorrow_morning() {
        let slot = policy().choose(at("2022-05-06T17:50"), &shanghai(), |_| 0);
        assert_eq!(slot.start, at("2022-05-07T08:00"));
        let early = policy().choose(at("2022-05-06T06:00"), &shanghai(), |_| 0);
        assert_eq!(early.start, at("2022-05-06T08:00"));
    }

    #[test]
    fn never_refuses_when_everything_is_full() {
        let slot = policy().choose(at("2022-05-06T10:10"), &shanghai(), |_| 99);
        assert_eq!(slot.start, at("2022-05-06T10:30"));
    }
}
