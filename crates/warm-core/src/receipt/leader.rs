//! A building leader's printouts (issue 10), pure layouts like the slip's: the daily goods list
//! sheet a leader takes round a sealed building (products, spec, price, how many today, the
//! limit, and empty boxes to write each home's number in), and the packers' picking list of a
//! building (totals per product, the homes and their amounts, and a QR the counter scans to
//! recall every household order of the batch).

use super::escpos::{Align, EscPos};
use super::paper::PaperProfile;
use super::slip::Slip;
use super::width::{row, width};
use crate::domain::leader::PickingList;
use crate::domain::{Lang, Limit, Money, Text};
use crate::i18n::{self, LeaderWords as L, Msg, period_words, tr};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// One product of the day's list as the sheet prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub name: Text,
    pub spec: Text,
    pub unit: Text,
    pub price: Money,
    pub available: Option<u32>,
    pub limit: Option<Limit>,
}

/// Boxes per row to write a home's number in: ten columns of the paper each.
const BOX: &str = "[    ]";

fn start(profile: &PaperProfile) -> Slip {
    let mut s = Slip { p: EscPos::with_capacity(2048), cols: profile.columns() };
    s.p.init();
    if profile.chinese_mode {
        s.p.chinese_mode(true);
    }
    s.p.align(Align::Center);
    s
}

/// The daily goods list sheet in `lang`, dated `now` in the market's time zone.
pub fn daily_sheet(
    lines: &[SheetLine],
    market: &Text,
    profile: &PaperProfile,
    tz: &TimeZone,
    now: Timestamp,
    lang: Lang,
) -> Vec<u8> {
    let mut s = start(profile);
    s.centered(market.get(lang), 1, true);
    s.centered(L::SheetTitle.text(lang), 2, true);
    let date = now.to_zoned(tz.clone()).strftime("%Y-%m-%d").to_string();
    s.centered(&tr(L::SheetDate, lang, &[("date", &date)]), 1, false);
    s.centered(L::SheetHint.text(lang), 1, false);
    s.rule();
    if lines.is_empty() {
        s.centered(L::SheetNone.text(lang), 2, true);
    }
    // As many boxes as fit a line, then a line with the room numbers' heading.
    let boxes = (s.cols / width(BOX)).max(1);
    for (i, line) in lines.iter().enumerate() {
        let unit = line.unit.get(lang);
        s.p.bold(true).size(1, 2);
        let name = format!("{}. {} {}", i + 1, line.name.get(lang), line.spec.get(lang));
        s.lines(&super::width::wrap(name.trim_end(), s.cols), Align::Left);
        s.p.bold(false).size(1, 1);
        let available = line.available.map(|n| tr(L::AvailableToday, lang, &[("n", &n.to_string()), ("unit", unit)]));
        s.lines(&row(available.as_deref().unwrap_or(""), &line.price.to_string(), s.cols), Align::Left);
        if let Some(limit) = line.limit {
            let args = [
                ("period", period_words(limit.period, lang)),
                ("limit", &limit.per_household.to_string()),
                ("unit", unit),
            ];
            s.lines(&super::width::wrap(&tr(L::SheetLimit, lang, &args), s.cols), Align::Left);
        }
        s.p.align(Align::Left).line(&format!("{} {}", L::SheetRooms.text(lang), BOX.repeat(boxes.saturating_sub(1))));
        s.p.line(&BOX.repeat(boxes));
        s.rule();
    }
    s.p.lf();
    s.p.cut(profile.cut_feed);
    s.p.into_bytes()
}

/// The packers' picking list of one building, in `lang`.
pub fn picking_list(list: &PickingList, market: &Text, profile: &PaperProfile, tz: &TimeZone, lang: Lang) -> Vec<u8> {
    let mut s = start(profile);
    s.centered(market.get(lang), 1, true);
    let title = tr(L::PickingTitle, lang, &[("building", &list.building)]);
    s.centered(&title, s.fit(&title, 2), true);
    let slot = i18n::slot_range(&list.slot, list.created_at, tz, lang);
    s.centered(&tr(Msg::PickupAt, lang, &[("slot", &slot)]), 1, true);
    s.rule();

    s.centered(L::PickingProducts.text(lang), 1, true);
    s.p.bold(true).size(1, 2);
    for line in &list.lines {
        let name = format!("{} {}", line.name.get(lang), line.spec.get(lang));
        s.lines(&row(name.trim_end(), &format!("×{}", line.qty), s.cols), Align::Left);
    }
    s.rule();
    let homes = tr(L::PickingHouseholds, lang, &[("n", &list.households.len().to_string())]);
    s.centered(&homes, 1, true);
    s.p.bold(false).size(1, 1);
    for h in &list.households {
        let left = format!("{} ({})", h.household, h.number);
        s.lines(&row(&left, &h.total.to_string(), s.cols), Align::Left);
    }
    s.rule();
    let count = tr(Msg::ItemCount, lang, &[("n", &list.item_count().to_string())]);
    let total = format!("{} {}", Msg::Total.text(lang), list.total());
    s.p.bold(true).size(1, 2);
    s.lines(&row(&count, &total, s.cols), Align::Left);
    s.p.bold(false).size(1, 1).lf();
    s.qr(&list.payload(), profile);
    s.p.lf();
    s.centered(L::PickingScan.text(lang), 1, false);
    s.lines(&row(Msg::SlipOrdered.text(lang), &i18n::local_time(list.created_at, tz), s.cols), Align::Left);
    s.p.cut(profile.cut_feed);
    s.p.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::leader::PickingList;
    use crate::domain::{LimitPeriod, Order, PickupSlot};
    use crate::receipt::paper::Paper;
    use crate::receipt::slip::fixture::{at, market, order, profile, shanghai};

    fn text(bytes: &[u8]) -> String {
        encoding_rs::GB18030.decode(bytes).0.into_owned()
    }

    #[test]
    fn the_sheet_lists_each_product_with_price_count_limit_and_boxes() {
        let lines = [
            SheetLine {
                name: Text::new("大米", "Rice"),
                spec: Text::new("5公斤/袋", "5 kg bag"),
                unit: Text::new("袋", "bag"),
                price: Money(3990),
                available: Some(40),
                limit: Some(Limit { per_household: 2, period: LimitPeriod::Week }),
            },
            SheetLine {
                name: Text::new("鸡蛋", "Eggs"),
                spec: Text::default(),
                unit: Text::new("盒", "box"),
                price: Money(1590),
                available: None,
                limit: None,
            },
        ];
        for paper in [Paper::Mm58, Paper::Mm80] {
            let bytes = daily_sheet(&lines, &market(), &profile(paper), &shanghai(), at("2022-05-06T08:00"), Lang::Zh);
            let t = text(&bytes);
            for needle in [
                "每日货品清单",
                "2022-05-06",
                "1. 大米 5公斤/袋",
                "今日剩 40 袋",
                "￥39.90",
                "每户每周 2 袋",
                "2. 鸡蛋",
                "￥15.90",
                "[    ]",
            ] {
                assert!(t.contains(needle), "{paper:?} sheet lacks {needle:?}:\n{t}");
            }
            assert_eq!(&bytes[bytes.len() - 4..bytes.len() - 1], &[0x1d, 0x56, 0x41], "ends with a cut");
        }
        let none =
            text(&daily_sheet(&[], &market(), &profile(Paper::Mm58), &shanghai(), at("2022-05-06T08:00"), Lang::En));
        assert!(none.contains("No daily list"), "{none}");
    }

    #[test]
    fn the_picking_list_totals_each_product_over_the_homes_and_carries_the_batch() {
        let mut a = order(Lang::Zh);
        a.household = Some("3-2-501".into());
        let mut b: Order = a.clone();
        b.household = Some("3-2-502".into());
        b.number.seq += 1;
        let slot = PickupSlot { start: at("2022-05-06T10:30"), end: at("2022-05-06T11:00") };
        let batch = uuid::Uuid::from_u128(42);
        let list = PickingList::of(batch, "3", at("2022-05-06T10:10"), slot, &[a.clone(), b]);
        assert_eq!(list.lines.len(), a.lines.len());
        assert!(list.lines.iter().zip(&a.lines).all(|(p, l)| p.qty == 2 * l.qty));
        assert_eq!(list.total(), a.total() + a.total());
        let bytes = picking_list(&list, &market(), &profile(Paper::Mm80), &shanghai(), Lang::Zh);
        let t = text(&bytes);
        for needle in
            ["3 号楼 拣货单", "共 2 户", "3-2-501 (T01-0042)", "3-2-502", "10:30-11:00", &format!("WM1:B:{batch}")]
        {
            assert!(t.contains(needle), "picking list lacks {needle:?}:\n{t}");
        }
    }

    #[test]
    fn a_household_slip_puts_the_room_first_and_says_pay_at_pickup() {
        let mut o = order(Lang::Zh);
        o.household = Some("3-2-501".into());
        let bytes = crate::receipt::slip::household_slip(&o, &market(), &profile(Paper::Mm58), &shanghai());
        let t = text(&bytes);
        let room = t.find("501").unwrap();
        assert!(room < t.find("0042").unwrap(), "the room before the order number:\n{t}");
        for needle in ["房号", "3-2-501 户", "3 号楼 楼长代订", "取货时付款", "WM1:O:0196a3b2"] {
            assert!(t.contains(needle), "slip lacks {needle:?}:\n{t}");
        }
        assert_eq!(t.matches("3-2-501 户").count(), 1, "the home said once:\n{t}");
        // A senior's own slip names the home but is no leader's slip.
        let own = text(&crate::receipt::slip::pickup_slip(&o, &market(), &profile(Paper::Mm58), &shanghai()));
        assert!(own.contains("3-2-501 户") && !own.contains("取货时付款") && !own.contains("房号"), "{own}");
    }
}
