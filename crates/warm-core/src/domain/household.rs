//! Households and their purchase limits (issue 10). A household is named the way the estate
//! already names it, building-unit-room (`3-2-501`) or building-room (`12-301`); a limit is so
//! many of a product per household per period (a day, a week, or the market's restock cycle).
//! Everything here is pure: the store counts what a household bought, this decides what is left.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most digits one part of a household id may have (a room such as 1203 has four).
const MAX_PART_DIGITS: usize = 5;

/// A household as the estate numbers it: two or three groups of digits joined by `-`, stored
/// without leading zeros so `03-02-0501` and `3-2-501` are one household.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HouseholdId(String);

/// Why a typed or scanned household id is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadHouseholdId {
    #[error("a household id is building-unit-room or building-room, e.g. 3-2-501")]
    Shape,
    #[error("each part of a household id is 1 to {MAX_PART_DIGITS} digits")]
    Part,
}

impl HouseholdId {
    pub fn parse(text: &str) -> Result<HouseholdId, BadHouseholdId> {
        let parts: Vec<&str> = text.trim().split(['-', '－', '—']).map(str::trim).collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(BadHouseholdId::Shape);
        }
        let mut normal = Vec::with_capacity(parts.len());
        for part in parts {
            if part.is_empty() || part.len() > MAX_PART_DIGITS || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadHouseholdId::Part);
            }
            let trimmed = part.trim_start_matches('0');
            normal.push(if trimmed.is_empty() { "0" } else { trimmed });
        }
        Ok(HouseholdId(normal.join("-")))
    }

    /// From its parts as tapped on the number pad: building, unit (may be empty), room.
    pub fn from_parts(building: &str, unit: &str, room: &str) -> Result<HouseholdId, BadHouseholdId> {
        if unit.is_empty() {
            HouseholdId::parse(&format!("{building}-{room}"))
        } else {
            HouseholdId::parse(&format!("{building}-{unit}-{room}"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The building: the first part (`3` of `3-2-501`).
    pub fn building(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// The room: the last part (`501` of `3-2-501`), printed big on a leader's slips.
    pub fn room(&self) -> &str {
        self.0.rsplit('-').next().unwrap_or(&self.0)
    }

    /// What a household card's QR carries: a scheme tag and the id, nothing personal.
    pub fn card_payload(&self) -> String {
        format!("{HOUSEHOLD_QR_PREFIX}{}", self.0)
    }

    /// The household of a scanned card, if the line is one of ours.
    pub fn from_card(line: &str) -> Option<HouseholdId> {
        HouseholdId::parse(line.trim().strip_prefix(HOUSEHOLD_QR_PREFIX)?).ok()
    }
}

/// Prefix of a household card's QR payload; the scanner recognises our cards by it.
pub const HOUSEHOLD_QR_PREFIX: &str = "WM1:H:";

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for HouseholdId {
    type Error = BadHouseholdId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        HouseholdId::parse(&s)
    }
}

impl From<HouseholdId> for String {
    fn from(h: HouseholdId) -> String {
        h.0
    }
}

/// What the market knows of a household: never a full name or phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub id: HouseholdId,
    pub building: String,
    /// A surname only (王), for the volunteer to confirm a person.
    pub surname: Option<String>,
    /// The last four digits of a phone, for the same purpose.
    pub phone_last4: Option<String>,
}

/// Why a household's details are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadHousehold {
    #[error(transparent)]
    Id(#[from] BadHouseholdId),
    #[error("the building is empty")]
    Building,
    #[error("a surname is at most 4 characters (never a full name)")]
    Surname,
    #[error("phone_last4 is exactly four digits (never a whole number)")]
    Phone,
}

impl Household {
    /// Checks the fields an operator's file gives; an empty building is the id's first part.
    pub fn new(id: &str, building: &str, surname: &str, phone_last4: &str) -> Result<Household, BadHousehold> {
        let id = HouseholdId::parse(id)?;
        let building = if building.trim().is_empty() { id.building().to_owned() } else { building.trim().to_owned() };
        let surname = Some(surname.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        if surname.as_ref().is_some_and(|s| s.chars().count() > 4) {
            return Err(BadHousehold::Surname);
        }
        let phone_last4 = Some(phone_last4.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        if phone_last4.as_ref().is_some_and(|p| p.len() != 4 || !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(BadHousehold::Phone);
        }
        if building.is_empty() {
            return Err(BadHousehold::Building);
        }
        Ok(Household { id, building, surname, phone_last4 })
    }
}

/// Over what time a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitPeriod {
    /// A calendar day in the market's time zone.
    #[default]
    Day,
    /// Monday to Sunday in the market's time zone.
    Week,
    /// The market's restock cycle: every `days` days from a starting date.
    Cycle,
}

impl LimitPeriod {
    pub const ALL: [LimitPeriod; 3] = [LimitPeriod::Day, LimitPeriod::Week, LimitPeriod::Cycle];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitPeriod::Day => "day",
            LimitPeriod::Week => "week",
            LimitPeriod::Cycle => "cycle",
        }
    }

    pub fn parse(s: &str) -> Option<LimitPeriod> {
        LimitPeriod::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

/// A market's restock cycle: the van comes every `days` days, counted from `from` (local date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestockCycle {
    pub days: u32,
    pub from: Date,
}

/// So many of a product per household per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Limit {
    pub per_household: u32,
    pub period: LimitPeriod,
}

/// The instants `[start, end)` of the period that contains `at`, in the market's time zone. A
/// cycle limit of a market with no cycle counts by the day (the shortest period: never stricter
/// than what the market set). A day that cannot be computed (the end of time) is one instant.
pub fn period_window(
    period: LimitPeriod,
    at: Timestamp,
    tz: &TimeZone,
    cycle: Option<RestockCycle>,
) -> (Timestamp, Timestamp) {
    let today = at.to_zoned(tz.clone()).date();
    let (first, days) = match (period, cycle) {
        (LimitPeriod::Day, _) | (LimitPeriod::Cycle, None) => (today, 1),
        (LimitPeriod::Cycle, Some(RestockCycle { days: 0, .. })) => (today, 1),
        (LimitPeriod::Week, _) => {
            let back = i64::from(today.weekday().to_monday_zero_offset());
            (today.checked_sub(back.days()).unwrap_or(today), 7)
        }
        (LimitPeriod::Cycle, Some(RestockCycle { days, from })) => {
            let since = (today - from).get_days();
            let n = i64::from(days);
            let into = since.rem_euclid(n as i32) as i64;
            (today.checked_sub(into.days()).unwrap_or(today), n)
        }
    };
    let start_of = |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).ok();
    let start = start_of(first).unwrap_or(at);
    let end = first.checked_add(days.days()).ok().and_then(start_of).unwrap_or(at);
    (start, end.max(start))
}

/// What a household may still buy of one product, for the tile and the + button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// No limit on this product (or no household said, where the market has no limits).
    Free,
    /// `left` more may go in the basket; `bought` were already bought this period (all
    /// terminals that the kiosk heard of); `in_basket` are in the basket now.
    Limited { limit: Limit, bought: u32, in_basket: u32, left: u32 },
}

impl Allowance {
    /// `limit` against what the household bought this period and has in its basket now.
    pub fn of(limit: Option<Limit>, bought: u32, in_basket: u32) -> Allowance {
        match limit {
            None => Allowance::Free,
            Some(limit) => {
                let used = bought.saturating_add(in_basket);
                Allowance::Limited { limit, bought, in_basket, left: limit.per_household.saturating_sub(used) }
            }
        }
    }

    /// Whether one more may go in the basket.
    pub fn may_add_one(&self) -> bool {
        match self {
            Allowance::Free => true,
            Allowance::Limited { left, .. } => *left > 0,
        }
    }

    /// Over the limit (bought elsewhere while this kiosk was offline, say): the basket must shrink.
    pub fn over_by(&self) -> u32 {
        match self {
            Allowance::Free => 0,
            Allowance::Limited { limit, bought, in_basket, .. } => {
                bought.saturating_add(*in_basket).saturating_sub(limit.per_household)
            }
        }
    }
}

/// One line of one order, as a household's purchase counts against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purchase {
    pub at: Timestamp,
    pub qty: u32,
}

/// How many of `purchases` fall in `[start, end)`.
pub fn bought_in(purchases: impl IntoIterator<Item = Purchase>, (start, end): (Timestamp, Timestamp)) -> u32 {
    purchases.into_iter().filter(|p| p.at >= start && p.at < end).fold(0u32, |n, p| n.saturating_add(p.qty))
}

/// A breach found after the fact: a household that bought more than its limit in one period
/// (two kiosks each within the limit while cut off, together over it). Never a reason to refuse
/// an order already placed; the site manager is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub limit: Limit,
    pub bought: u32,
}

/// The breach, if the purchases in the period of `at` add up to more than the limit.
pub fn breach(
    limit: Limit,
    purchases: impl IntoIterator<Item = Purchase>,
    at: Timestamp,
    tz: &TimeZone,
    cycle: Option<RestockCycle>,
) -> Option<Breach> {
    let bought = bought_in(purchases, period_window(limit.period, at, tz, cycle));
    (bought > limit.per_household).then_some(Breach { limit, bought })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn at(local: &str) -> Timestamp {
        local.parse::<jiff::civil::DateTime>().unwrap().to_zoned(tz()).unwrap().timestamp()
    }

    #[test]
    fn household_ids_are_digits_joined_by_dashes_without_leading_zeros() {
        assert_eq!(HouseholdId::parse("3-2-501").unwrap().as_str(), "3-2-501");
        assert_eq!(HouseholdId::parse(" 03-02-0501 ").unwrap().as_str(), "3-2-501");
        assert_eq!(HouseholdId::parse("12－301").unwrap().as_str(), "12-301");
        assert_eq!(HouseholdId::from_parts("3", "", "501").unwrap().as_str(), "3-501");
        assert_eq!(HouseholdId::from_parts("3", "2", "501").unwrap().as_str(), "3-2-501");
        for bad in ["", "501", "3-2-5-1", "3--501", "a-2-501", "3-2-1234567", "3 2 501"] {
            assert!(HouseholdId::parse(bad).is_err(), "{bad:?}");
        }
        let h = HouseholdId::parse("3-2-501").unwrap();
        assert_eq!((h.building(), h.room()), ("3", "501"));
        assert_eq!(HouseholdId::from_card(&h.card_payload()), Some(h.clone()));
        assert_eq!(HouseholdId::from_card("WM1:O:3-2-501"), None);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, "\"3-2-501\"");
        assert!(serde_json::from_str::<HouseholdId>("\"x\"").is_err());
    }

    #[test]
    fn a_household_keeps_a_surname_and_four_digits_never_more() {
        let h = Household::new("3-2-501", "", "王", "1234").unwrap();
        assert_eq!(
            (h.building.as_str(), h.surname.as_deref(), h.phone_last4.as_deref()),
            ("3", Some("王"), Some("1234"))
        );
        assert_eq!(Household::new("3-2-501", "3号楼", "", "").unwrap().surname, None);
        assert_eq!(Household::new("3-2-501", "", "", "13912345678"), Err(BadHousehold::Phone));
        assert_eq!(Household::new("3-2-501", "", "欧阳小明同学", ""), Err(BadHousehold::Surname));
        assert!(matches!(Household::new("x", "", "", ""), Err(BadHousehold::Id(_))));
    }

    #[test]
    fn periods_are_local_days_weeks_and_cycles() {
        let tz = tz();
        // 2022-05-06 was a Friday.
        let now = at("2022-05-06T10:21");
        assert_eq!(period_window(LimitPeriod::Day, now, &tz, None), (at("2022-05-06T00:00"), at("2022-05-07T00:00")));
        assert_eq!(period_window(LimitPeriod::Week, now, &tz, None), (at("2022-05-02T00:00"), at("2022-05-09T00:00")));
        // Just after local midnight is the next day, though UTC still says the day before.
        assert_eq!(period_window(LimitPeriod::Day, at("2022-05-07T00:10"), &tz, None).0, at("2022-05-07T00:00"));
        let cycle = RestockCycle { days: 2, from: "2022-05-01".parse().unwrap() };
        assert_eq!(
            period_window(LimitPeriod::Cycle, now, &tz, Some(cycle)),
            (at("2022-05-05T00:00"), at("2022-05-07T00:00"))
        );
        // Before the cycle's first date, cycles still count back in steps of `days`.
        let early = RestockCycle { days: 3, from: "2022-05-10".parse().unwrap() };
        assert_eq!(
            period_window(LimitPeriod::Cycle, now, &tz, Some(early)),
            (at("2022-05-04T00:00"), at("2022-05-07T00:00"))
        );
        // No cycle known: by the day.
        assert_eq!(period_window(LimitPeriod::Cycle, now, &tz, None), period_window(LimitPeriod::Day, now, &tz, None));
        assert_eq!(LimitPeriod::parse("week"), Some(LimitPeriod::Week));
        assert_eq!(LimitPeriod::parse("month"), None);
    }

    #[test]
    fn the_allowance_counts_what_was_bought_and_what_is_in_the_basket() {
        let limit = Limit { per_household: 2, period: LimitPeriod::Week };
        assert_eq!(Allowance::of(None, 50, 50), Allowance::Free);
        assert!(Allowance::of(None, 50, 50).may_add_one());
        let a = Allowance::of(Some(limit), 1, 0);
        assert!(matches!(a, Allowance::Limited { left: 1, .. }) && a.may_add_one());
        let a = Allowance::of(Some(limit), 1, 1);
        assert!(matches!(a, Allowance::Limited { left: 0, .. }) && !a.may_add_one());
        let a = Allowance::of(Some(limit), 3, 1);
        assert_eq!((a.may_add_one(), a.over_by()), (false, 2));
        let a = Allowance::of(Some(limit), u32::MAX, u32::MAX);
        assert!(!a.may_add_one());
    }

    #[test]
    fn purchases_count_only_within_the_period_and_a_breach_is_found_after_the_fact() {
        let tz = tz();
        let limit = Limit { per_household: 2, period: LimitPeriod::Day };
        let bought = [
            Purchase { at: at("2022-05-05T23:59"), qty: 5 },
            Purchase { at: at("2022-05-06T08:00"), qty: 2 },
            Purchase { at: at("2022-05-06T09:00"), qty: 1 },
            Purchase { at: at("2022-05-07T00:00"), qty: 7 },
        ];
        let day = period_window(LimitPeriod::Day, at("2022-05-06T12:00"), &tz, None);
        assert_eq!(bought_in(bought, day), 3);
        assert_eq!(breach(limit, bought, at("2022-05-06T09:00"), &tz, None), Some(Breach { limit, bought: 3 }));
        assert_eq!(breach(limit, bought[1..2].iter().copied(), at("2022-05-06T09:00"), &tz, None), None);
        let week = Limit { per_household: 20, period: LimitPeriod::Week };
        assert_eq!(breach(week, bought, at("2022-05-06T09:00"), &tz, None), None);
    }
}
