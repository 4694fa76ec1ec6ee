//! The sentence the kiosk says for each event of the seniors' screens, in the screen's language.

use super::numbers::{clock_range, count, day, digits, money, month, quantity};
use super::text::spoken;
use crate::domain::{Cart, Catalog, Lang, OrderNumber, PickupSlot, Product};
use crate::i18n::{SpeechWords as W, tr};
use jiff::Timestamp;
use jiff::tz::TimeZone;

fn full_stop(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "。",
        Lang::En => ". ",
    }
}

fn list_stop(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "；",
        Lang::En => "; ",
    }
}

/// A product tapped: 番茄，五百克一份，五元九角 / Tomatoes, five hundred grams pack, five yuan ninety.
pub fn product(product: &Product, lang: Lang) -> String {
    let name = spoken(product.name.get(lang), lang);
    let price = money(product.price, lang);
    let spec = spoken(product.spec.get(lang), lang);
    if spec.is_empty() {
        tr(W::ProductTapNoSpec, lang, &[("name", &name), ("price", &price)])
    } else {
        tr(W::ProductTap, lang, &[("name", &name), ("spec", &spec), ("price", &price)])
    }
}

/// A number of items: 一件, 两件, 十二件 / one item, two items.
pub fn items(n: u32, lang: Lang) -> String {
    match n {
        1 => W::ItemsOne.text(lang).to_owned(),
        n => tr(W::ItemsMany, lang, &[("n", &count(u64::from(n), lang))]),
    }
}

/// The basket after a change: 购物篮里共三件，合计十七元七角.
pub fn basket(cart: &Cart, catalog: &Catalog, lang: Lang) -> String {
    if cart.is_empty() {
        return W::BasketNowEmpty.text(lang).to_owned();
    }
    let total = money(cart.total(catalog), lang);
    tr(W::BasketTotal, lang, &[("items", &items(cart.item_count(), lang)), ("total", &total)])
}

/// The whole order on the review screen: a heading, every line with its quantity and amount, the
/// count and the total.
pub fn review(cart: &Cart, catalog: &Catalog, lang: Lang) -> String {
    let lines: Vec<String> = cart
        .lines()
        .iter()
        .filter_map(|line| {
            let p = catalog.product(&line.product)?;
            let unit = match p.unit.get(lang) {
                "" => W::DefaultUnit.text(lang),
                unit => unit,
            };
            Some(tr(
                W::ReviewLine,
                lang,
                &[
                    ("name", &spoken(p.name.get(lang), lang)),
                    ("qty", &quantity(line.qty, unit, lang)),
                    ("amount", &money(p.price * line.qty, lang)),
                ],
            ))
        })
        .collect();
    let total = tr(
        W::ReviewTotal,
        lang,
        &[("items", &items(cart.item_count(), lang)), ("total", &money(cart.total(catalog), lang))],
    );
    let stop = full_stop(lang);
    format!("{}{stop}{}{stop}{total}", W::ReviewIntro.text(lang), lines.join(list_stop(lang))).trim().to_owned()
}

/// A pickup slot as said: 八点到八点半, 明天八点到八点半, 五月六日八点到八点半 / between eight and
/// eight thirty a.m., tomorrow between …, on May sixth between ….
pub fn slot(slot: &PickupSlot, now: Timestamp, tz: &TimeZone, lang: Lang) -> String {
    let start = slot.start.to_zoned(tz.clone());
    let end = slot.end.to_zoned(tz.clone());
    let hm = |z: &jiff::Zoned| (z.hour().unsigned_abs(), z.minute().unsigned_abs());
    let range = clock_range(hm(&start), hm(&end), lang, |from, to| tr(W::Between, lang, &[("from", from), ("to", to)]));
    let today = now.to_zoned(tz.clone()).date();
    let days = (start.date() - today).get_days();
    let day_words = match days {
        0 => String::new(),
        1 => W::Tomorrow.text(lang).to_owned(),
        _ => tr(W::OnDate, lang, &[("month", &month(start.month(), lang)), ("day", &day(start.day(), lang))]),
    };
    match (day_words.is_empty(), lang) {
        (true, _) => range,
        (false, Lang::Zh) => format!("{day_words}{range}"),
        (false, Lang::En) => format!("{day_words} {range}"),
    }
}

/// The done screen: the pickup number digit by digit and the slot.
pub fn done(number: &OrderNumber, pickup: &PickupSlot, now: Timestamp, tz: &TimeZone, lang: Lang) -> String {
    tr(W::DoneNumber, lang, &[("digits", &digits(&number.short(), lang)), ("slot", &slot(pickup, now, tz, lang))])
}

/// An error or a warning the screen shows, as it is said.
pub fn notice(text: &str, lang: Lang) -> String {
    spoken(text, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, CategoryId, Money, Text};
    use crate::i18n::Msg;
    use Lang::{En, Zh};

    fn tomato() -> Product {
        let mut p = Product::for_test("tomato-500g", 590);
        p.name = Text::new("番茄", "Tomatoes");
        p.spec = Text::new("500克/份", "500 g pack");
        p.unit = Text::new("份", "pack");
        p
    }

    fn rice() -> Product {
        let mut p = Product::for_test("rice-5kg", 3990);
        p.name = Text::new("东北大米", "Northeast Rice");
        p.spec = Text::new("5公斤/袋", "5 kg bag");
        p.unit = Text::new("袋", "bag");
        p
    }

    fn catalog() -> Catalog {
        let category = Category {
            id: CategoryId("c".into()),
            name: Text::new("蔬果", "Produce"),
            picture: String::new(),
            parent: None,
        };
        Catalog::new(Text::new("市集", "Market"), vec![category], vec![tomato(), rice()])
    }

    fn shanghai() -> TimeZone {
        TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn at(local: &str) -> Timestamp {
        local.parse::<jiff::civil::DateTime>().unwrap().to_zoned(shanghai()).unwrap().timestamp()
    }

    #[test]
    fn a_tapped_product_says_name_pack_and_price() {
        assert_eq!(product(&tomato(), Zh), "番茄，五百克一份，五元九角");
        assert_eq!(product(&tomato(), En), "Tomatoes, five hundred grams pack, five yuan ninety");
        let mut bare = tomato();
        bare.spec = Text::default();
        bare.price = Money(1200);
        assert_eq!(product(&bare, Zh), "番茄，十二元");
    }

    #[test]
    fn the_basket_total_when_it_changes() {
        let catalog = catalog();
        let mut cart = Cart::default();
        assert_eq!(basket(&cart, &catalog, Zh), "购物篮空了");
        cart.add(&tomato().id);
        assert_eq!(basket(&cart, &catalog, Zh), "购物篮里共一件，合计五元九角");
        assert_eq!(basket(&cart, &catalog, En), "Your basket has one item, total five yuan ninety");
        cart.add(&tomato().id);
        cart.add(&rice().id);
        assert_eq!(basket(&cart, &catalog, Zh), "购物篮里共三件，合计五十一元七角");
        assert_eq!(basket(&cart, &catalog, En), "Your basket has three items, total fifty-one yuan seventy");
    }

    #[test]
    fn the_whole_order_on_review() {
        let catalog = catalog();
        let mut cart = Cart::default();
        cart.add(&tomato().id);
        cart.add(&tomato().id);
        cart.add(&rice().id);
        assert_eq!(
            review(&cart, &catalog, Zh),
            "请核对您的订单。番茄，两份，十一元八角；东北大米，一袋，三十九元九角。共三件，合计五十一元七角"
        );
        assert_eq!(
            review(&cart, &catalog, En),
            "Please check your order. Tomatoes, quantity two, eleven yuan eighty; Northeast Rice, quantity one, \
             thirty-nine yuan ninety. In all three items, total fifty-one yuan seventy"
        );
    }

    #[test]
    fn the_done_screen_says_the_number_digit_by_digit_and_the_slot() {
        let number = OrderNumber { terminal: "K1".into(), seq: 1 };
        let slot = PickupSlot { start: at("2022-05-06T08:00"), end: at("2022-05-06T08:30") };
        assert_eq!(
            done(&number, &slot, at("2022-05-06T07:40"), &shanghai(), Zh),
            "下单成功。您的取货号是，零，零，零，一。请于八点到八点半取货"
        );
        assert_eq!(
            done(&number, &slot, at("2022-05-06T07:40"), &shanghai(), En),
            "Order placed. Your pickup number is, zero, zero, zero, one. Please collect it between eight and eight \
             thirty a.m."
        );
        // Stored in UTC, said in Shanghai time; a later day is named.
        assert_eq!(slot.start.to_string(), "2022-05-06T00:00:00Z");
        assert_eq!(super::slot(&slot, at("2022-05-05T17:00"), &shanghai(), Zh), "明天八点到八点半");
        assert_eq!(super::slot(&slot, at("2022-05-01T17:00"), &shanghai(), Zh), "五月六日八点到八点半");
        assert_eq!(
            super::slot(&slot, at("2022-05-01T17:00"), &shanghai(), En),
            "on May sixth between eight and eight thirty a.m."
        );
        let afternoon = PickupSlot { start: at("2022-05-06T14:30"), end: at("2022-05-06T15:00") };
        assert_eq!(super::slot(&afternoon, at("2022-05-06T14:00"), &shanghai(), Zh), "下午两点半到三点");
    }

    #[test]
    fn errors_and_warnings_are_said_as_shown_in_words() {
        assert_eq!(notice(Msg::OrderFailed.text(Zh), Zh), "暂时无法下单，请找志愿者");
        // A notice with no number or symbol is said as it is shown.
        assert_eq!(notice(Msg::PrinterPaperOut.text(En), En), Msg::PrinterPaperOut.text(En));
        let waiting = tr(Msg::PrinterWaiting, Zh, &[("n", "2")]);
        assert_eq!(notice(&waiting, Zh), "还有 两 张单据等待打印");
        let cleared = notice(Msg::BasketCleared.text(En), En);
        assert_eq!(cleared, "The previous basket was emptied");
    }

    #[test]
    fn every_product_of_the_demo_catalog_is_said_in_words() {
        let catalog =
            crate::catalog_file::parse(include_str!("../../../../assets/catalog.toml"), "catalog.toml").unwrap();
        let mut said = Vec::new();
        for p in &catalog.products {
            for lang in [Zh, En] {
                let words = product(p, lang);
                assert!(!words.chars().any(|c| c.is_ascii_digit() || "/×%~".contains(c)), "{}: {words}", p.id.0);
                said.push(words);
            }
        }
        for expected in [
            "纯牛奶，二百五十毫升，十二盒一箱，三十六元九角",
            "UHT Milk, twelve by two hundred fifty millilitres, thirty-six yuan ninety",
            "甜玉米，两根一份，五元九角",
            "医用酒精，百分之七十五 五百毫升一瓶，十二元九角",
            "KN九五口罩，十只一盒，二十四元九角",
            "Broccoli, one head, about four hundred grams, six yuan ninety",
        ] {
            assert!(said.iter().any(|s| s == expected), "{expected} not among {said:#?}");
        }
    }

    #[test]
    fn every_seniors_message_can_be_said() {
        // No message of the seniors' screens keeps a digit or a decoration once spoken.
        for msg in Msg::ALL {
            for lang in [Zh, En] {
                let said = notice(&crate::i18n::fill(msg.text(lang), &[("n", "3"), ("s", "60")]), lang);
                assert!(!said.contains(['✓', '✗', '●', '○', '←']), "{msg:?}: {said}");
                assert!(!said.chars().any(|c| c.is_ascii_digit()), "{msg:?}: {said}");
            }
        }
    }
}
