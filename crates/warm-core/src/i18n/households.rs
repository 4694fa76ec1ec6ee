//! Households and purchase limits (issue 10): who is buying, what a tile says about a limit, and
//! why + does nothing at the limit. Said in whole sentences; the period is a word of its own
//! so "每户每周限购 2 袋" reads the same in every place. English counts its units ("1 bag",
//! "2 bags"); Chinese needs no such form.

use crate::domain::Lang;
use crate::domain::household::{Allowance, LimitPeriod};

messages! { HouseholdWords {
    WhoAreYou: "请告诉我们您家的门牌", "Tell us your home number";
    ScanCardOrTap: "扫一下住户卡，或在下面按楼号、单元和房号（没有单元就空着）",
        "Scan your household card, or tap the building, unit and room below (no unit? leave it empty)";
    Building: "楼号", "Building";
    Unit: "单元", "Unit";
    Room: "房号", "Room";
    NextField: "下一格 →", "Next →";
    ThisIsMe: "就是我家", "That's my home";
    AskVolunteer: "请志愿者帮忙", "Ask a volunteer";
    VolunteerHelps: "请到取货处找志愿者，志愿者可以帮您查门牌。不限购的东西不用门牌也能买。",
        "Ask a volunteer at the counter: they can find your home number. Goods without a limit need no home number.";
    Looking: "正在查找……", "Looking it up…";
    Household: "{id} 户", "Home {id}";
    // A household's card scanned at the counter instead of a slip.
    NothingWaiting: "{id} 户没有待取的订单", "Home {id} has no order waiting";
    MoreWaiting: "此户还有 {n} 单待取", "{n} more {n|order|orders} waiting for this home";
    HouseholdChip: "{id} 户 · 换一户", "{id} · change";
    // Where the top bar is narrow (大字): the home alone; a tap still changes it.
    HouseholdChipNarrow: "{id} 户", "Home {id}";
    SayHousehold: "输入门牌", "Home number";
    HouseholdUnknown: "没有这一户：{id}，请再看一下门牌，或请志愿者帮忙", "No home {id} on our list: check the number on your door, or ask a volunteer";
    HouseholdBadShape: "门牌要有楼号和房号，例如 3-2-501", "A home number has a building and a room, e.g. 3-2-501";
    LookupFailed: "现在查不到门牌，请找志愿者帮忙", "Home numbers cannot be looked up right now: please ask a volunteer";
    ChangeHousehold: "换一户", "Another home";
    SlipHousehold: "住户", "Home";
    PerDay: "每天", "a day";
    PerWeek: "每周", "a week";
    PerCycle: "每次补货前", "until the next delivery";
    LimitPer: "每户{period}限购 {limit} {limit_unit}", "Limit {limit} {limit_unit} per home {period}";
    LimitLeft: "您还可买 {left} {left_unit}", "you may buy {left} more {left_unit}";
    LimitReached: "您已买够了", "you have reached it";
    TileLimit: "每户{period}限购 {limit} {limit_unit}", "Limit {limit} {limit_unit} {period}";
    TileLeft: "您还可买 {left} {left_unit}", "{left} more {left_unit} for you";
    TileReached: "您已买够了", "Limit reached";
    TileSayHousehold: "请先输入门牌", "Home number first";
    AtLimitTitle: "这件已到限购", "This is at its limit";
    OkGotIt: "知道了", "OK";
    LimitExplain: "这件每户{period}限购 {limit} {limit_unit}，您家已买 {bought} {bought_unit}，篮里 {basket} {basket_unit}，不能再加了",
        "This is limited to {limit} {limit_unit} per home {period}: your home bought {bought} {bought_unit} and has {basket} {basket_unit} in the basket, so no more can be added";
    OverLimit: "{name}：您家这期已超出限购 {over} {over_unit}，请减去", "{name}: your home is {over} {over_unit} over the limit this period; please take some out";
    LimitAlarm: "限购超出：住户 {household} 的 {product} 限购 {limit}（{period}），实际 {bought}，订单 {orders}", "Limit exceeded: home {household}, {product} limit {limit} ({period}), bought {bought}, orders {orders}";
    CardTitle: "住户卡", "HOUSEHOLD CARD";
    CardBuilding: "楼栋：{building}", "Building: {building}";
    CardHint: "买限购商品时，在暖心市集的终端上扫一下这张卡", "Scan this card at the Warm Market kiosk when buying goods with a limit";
    CardQueued: "住户卡 {id} 已排入打印", "Household card {id} queued for printing";
    NoHouseholdList: "这台终端还没有住户名单：请先同步（warm-kiosk sync once）", "This kiosk has no household list yet: sync first (warm-kiosk sync once)";
}}

/// The period as it reads inside a sentence: 每周 / a week.
pub fn period_words(period: LimitPeriod, lang: Lang) -> &'static str {
    match period {
        LimitPeriod::Day => HouseholdWords::PerDay.text(lang),
        LimitPeriod::Week => HouseholdWords::PerWeek.text(lang),
        LimitPeriod::Cycle => HouseholdWords::PerCycle.text(lang),
    }
}

/// `unit` as counted `n` times: English adds its plural (bag → bags, box → boxes, berry →
/// berries); a unit that is not an English word (a Chinese unit shown for want of an English
/// one) is left as it is.
pub fn counted(unit: &str, n: u32, lang: Lang) -> String {
    let english_word = unit.chars().last().is_some_and(|c| c.is_ascii_alphabetic());
    if lang == Lang::Zh || n == 1 || !english_word {
        return unit.to_owned();
    }
    let lower = unit.to_ascii_lowercase();
    if ["s", "x", "z", "ch", "sh"].iter().any(|end| lower.ends_with(end)) {
        format!("{unit}es")
    } else if lower.ends_with('y') && !lower.ends_with("ay") && !lower.ends_with("ey") && !lower.ends_with("oy") {
        format!("{}ies", &unit[..unit.len() - 1])
    } else {
        format!("{unit}s")
    }
}

/// The words of a limited product on its tile, on two lines: the limit, then what is left for
/// this household (or that the household must be said first). `None` when it has no limit.
pub fn tile_limit_words(allowance: &Allowance, unit: &str, household_known: bool, lang: Lang) -> Option<[String; 2]> {
    let Allowance::Limited { limit, left, .. } = allowance else { return None };
    let per = super::tr(
        HouseholdWords::TileLimit,
        lang,
        &[
            ("period", period_words(limit.period, lang)),
            ("limit", &limit.per_household.to_string()),
            ("limit_unit", &counted(unit, limit.per_household, lang)),
        ],
    );
    let left_words = if !household_known {
        HouseholdWords::TileSayHousehold.text(lang).to_owned()
    } else if *left == 0 {
        HouseholdWords::TileReached.text(lang).to_owned()
    } else {
        super::tr(
            HouseholdWords::TileLeft,
            lang,
            &[("left", &left.to_string()), ("left_unit", &counted(unit, *left, lang))],
        )
    };
    Some([per, left_words])
}

/// The limit and what is left for this household in one sentence; `None` when it has no limit.
/// `unit` is the product's unit (袋, bag).
pub fn allowance_line(allowance: &Allowance, unit: &str, lang: Lang) -> Option<String> {
    let Allowance::Limited { limit, left, .. } = allowance else { return None };
    let per = super::tr(
        HouseholdWords::LimitPer,
        lang,
        &[
            ("period", period_words(limit.period, lang)),
            ("limit", &limit.per_household.to_string()),
            ("limit_unit", &counted(unit, limit.per_household, lang)),
        ],
    );
    let left_words = if *left == 0 {
        HouseholdWords::LimitReached.text(lang).to_owned()
    } else {
        super::tr(
            HouseholdWords::LimitLeft,
            lang,
            &[("left", &left.to_string()), ("left_unit", &counted(unit, *left, lang))],
        )
    };
    Some(match lang {
        Lang::Zh => format!("{per}，{left_words}"),
        Lang::En => format!("{per}; {left_words}"),
    })
}

/// Why + did nothing.
pub fn limit_explained(allowance: &Allowance, unit: &str, lang: Lang) -> Option<String> {
    let Allowance::Limited { limit, bought, in_basket, .. } = allowance else { return None };
    let args = [
        ("period", period_words(limit.period, lang)),
        ("limit", &limit.per_household.to_string()),
        ("limit_unit", &counted(unit, limit.per_household, lang)),
        ("bought", &bought.to_string()),
        ("bought_unit", &counted(unit, *bought, lang)),
        ("basket", &in_basket.to_string()),
        ("basket_unit", &counted(unit, *in_basket, lang)),
    ];
    Some(super::tr(HouseholdWords::LimitExplain, lang, &args))
}

/// A basket line over the household's limit (bought elsewhere since, or another household said).
pub fn over_limit(name: &str, over: u32, unit: &str, lang: Lang) -> String {
    let args = [("name", name), ("over", &over.to_string()), ("over_unit", &counted(unit, over, lang))];
    super::tr(HouseholdWords::OverLimit, lang, &args)
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
            allowance_line(&a, "bag", Lang::En).unwrap(),
            "Limit 2 bags per home a week; you may buy 1 more bag"
        );
        let fresh = Allowance::of(Some(week), 0, 0);
        assert_eq!(
            allowance_line(&fresh, "bag", Lang::En).unwrap(),
            "Limit 2 bags per home a week; you may buy 2 more bags"
        );
        assert_eq!(
            tile_limit_words(&a, "袋", true, Lang::Zh).unwrap(),
            ["每户每周限购 2 袋".to_owned(), "您还可买 1 袋".to_owned()]
        );
        assert_eq!(tile_limit_words(&a, "bag", false, Lang::En).unwrap()[1], "Home number first");
        let full = Allowance::of(Some(week), 1, 1);
        assert_eq!(allowance_line(&full, "袋", Lang::Zh).unwrap(), "每户每周限购 2 袋，您已买够了");
        assert_eq!(tile_limit_words(&full, "袋", true, Lang::Zh).unwrap()[1], "您已买够了");
        assert_eq!(
            limit_explained(&full, "袋", Lang::Zh).unwrap(),
            "这件每户每周限购 2 袋，您家已买 1 袋，篮里 1 袋，不能再加了"
        );
        assert_eq!(
            limit_explained(&full, "bag", Lang::En).unwrap(),
            "This is limited to 2 bags per home a week: your home bought 1 bag and has 1 bag in the basket, so no more can be added"
        );
        assert_eq!(allowance_line(&Allowance::Free, "袋", Lang::Zh), None);
        assert_eq!(
            over_limit("Rice", 2, "bag", Lang::En),
            "Rice: your home is 2 bags over the limit this period; please take some out"
        );
    }

    #[test]
    fn english_units_take_their_plural() {
        for (one, many) in
            [("bag", "bags"), ("box", "boxes"), ("bunch", "bunches"), ("berry", "berries"), ("tray", "trays")]
        {
            assert_eq!(counted(one, 1, Lang::En), one);
            assert_eq!(counted(one, 0, Lang::En), many);
            assert_eq!(counted(one, 3, Lang::En), many);
        }
        assert_eq!(counted("袋", 3, Lang::En), "袋", "a Chinese unit is left alone");
        assert_eq!(counted("袋", 3, Lang::Zh), "袋");
        assert_eq!(counted("", 3, Lang::En), "");
    }
}
