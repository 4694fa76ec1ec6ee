//! Households and purchase limits (issue 10): who is buying, what a tile says about a limit, and
//! why + does nothing at the limit. Said in whole sentences; the period is a word of its own
//! so "每户每周限购 2 袋" reads the same in every place.

use crate::domain::Lang;
use crate::domain::household::{Allowance, LimitPeriod};

messages! { HouseholdWords {
    WhoAreYou: "请告诉我们您家的门牌", "Tell us your home number";
    ScanCardOrTap: "扫一下住户卡，或在下面按楼号和房号", "Scan your household card, or tap the building and room below";
    Building: "楼号", "Building";
    Unit: "单元", "Unit";
    Room: "房号", "Room";
    NoUnit: "没有单元", "No unit";
    Clear: "清除", "Clear";
    Back: "退一格", "Back one";
    ThisIsMe: "就是我家", "That's my home";
    AskVolunteer: "不会操作？请找志愿者帮忙", "Not sure? Ask a volunteer to help";
    Household: "住户 {id}", "Home {id}";
    HouseholdUnknown: "没有找到 {id} 这一户，请再核对一下，或找志愿者", "No home {id} on our list: check it, or ask a volunteer";
    HouseholdBadShape: "门牌要有楼号和房号，例如 3-2-501", "A home number has a building and a room, e.g. 3-2-501";
    ChangeHousehold: "换一户", "Another home";
    PerDay: "每天", "a day";
    PerWeek: "每周", "a week";
    PerCycle: "每次补货前", "until the next delivery";
    LimitLeft: "每户{period}限购 {limit} {unit}，您还可买 {left} {unit}", "Limit {limit} {unit} per home {period}; you may buy {left} {unit} more";
    LimitReached: "每户{period}限购 {limit} {unit}，您已买够了", "Limit {limit} {unit} per home {period}; you have reached it";
    LimitExplain: "这件每户{period}限购 {limit} {unit}，您家已买 {bought} {unit}，篮里 {basket} {unit}，不能再加了", "This is limited to {limit} {unit} per home {period}: your home bought {bought} {unit} and has {basket} {unit} in the basket, so no more can be added";
    OverLimit: "您家这期已超出限购 {over} {unit}，请减去", "Your home is {over} {unit} over the limit this period: please take some out";
    LimitAlarm: "限购超出：住户 {household} 的 {product} 限购 {limit}（{period}），实际 {bought}，订单 {orders}", "Limit exceeded: home {household}, {product} limit {limit} ({period}), bought {bought}, orders {orders}";
}}

/// The period as it reads inside a sentence: 每周 / a week.
pub fn period_words(period: LimitPeriod, lang: Lang) -> &'static str {
    match period {
        LimitPeriod::Day => HouseholdWords::PerDay.text(lang),
        LimitPeriod::Week => HouseholdWords::PerWeek.text(lang),
        LimitPeriod::Cycle => HouseholdWords::PerCycle.text(lang),
    }
}

/// What a tile says about a limited product for this household; `None` when it has no limit.
/// `unit` is the product's unit (袋, bag).
pub fn allowance_line(allowance: &Allowance, unit: &str, lang: Lang) -> Option<String> {
    let Allowance::Limited { limit, left, .. } = allowance else { return None };
    let args = [
        ("period", period_words(limit.period, lang)),
        ("limit", &limit.per_household.to_string()),
        ("left", &left.to_string()),
        ("unit", unit),
    ];
    let msg = if *left == 0 { HouseholdWords::LimitReached } else { HouseholdWords::LimitLeft };
    Some(super::tr(msg, lang, &args))
}

/// Why + did nothing.
pub fn limit_explained(allowance: &Allowance, unit: &str, lang: Lang) -> Option<String> {
    let Allowance::Limited { limit, bought, in_basket, .. } = allowance else { return None };
    let args = [
        ("period", period_words(limit.period, lang)),
        ("limit", &limit.per_household.to_string()),
        ("bought", &bought.to_string()),
        ("basket", &in_basket.to_string()),
        ("unit", unit),
    ];
    Some(super::tr(HouseholdWords::LimitExplain, lang, &args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Limit;

    #[test]
    fn a_tile_says_the_limit_and_what_is_left_in_words() {
        let week = Limit { per_household: 2, period: LimitPeriod::Week };
        let a = Allowance::of(Some(week), 1, 0);
        assert_eq!(allowance_line(&a, "袋", Lang::Zh).unwrap(), "每户每周限购 2 袋，您还可买 1 袋");
        assert_eq!(
            allowance_line(&a, "bags", Lang::En).unwrap(),
            "Limit 2 bags per home a week; you may buy 1 bags more"
        );
        let full = Allowance::of(Some(week), 1, 1);
        assert_eq!(allowance_line(&full, "袋", Lang::Zh).unwrap(), "每户每周限购 2 袋，您已买够了");
        assert_eq!(
            limit_explained(&full, "袋", Lang::Zh).unwrap(),
            "这件每户每周限购 2 袋，您家已买 1 袋，篮里 1 袋，不能再加了"
        );
        assert_eq!(allowance_line(&Allowance::Free, "袋", Lang::Zh), None);
    }
}
