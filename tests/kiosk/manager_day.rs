//! A whole market day through the kiosk's real code paths, and kill -9 in the middle of the
//! settlement and of receiving the van.

use crate::support::Kiosk;
use warm_core::domain::{Order, ProductId};
use warm_kiosk::ui::Message;
use warm_kiosk::ui::screen::{Screen, category, done, home, review};
use warm_kiosk::ui::widget::basket;

/// A senior orders `lines` (product, how many) by tapping, as on the screen; the order placed.
pub fn senior_orders(k: &mut Kiosk, lines: &[(&ProductId, u32)]) -> Order {
    for (p, n) in lines {
        let category = k.ctx.catalog.product(p).map(|p| p.category.clone()).unwrap();
        k.update(Message::HomeScreen(home::Message::OpenCategory(category)));
        for _ in 0..*n {
            k.update(Message::Category(category::Message::Add((*p).clone())));
        }
    }
    k.update(Message::Basket(basket::Message::Review));
    k.update(Message::Review(review::Message::Confirm));
    let Screen::Done(d) = k.app.screen() else { panic!("the order was not placed") };
    let order = d.order.clone();
    k.update(Message::Done(done::Message::NextSenior));
    order
}

/// `n` seniors each order one bag of the first product.
pub fn sell_some(k: &mut Kiosk, n: usize) {
    let rice = k.ctx.catalog.products[0].id.clone();
    for _ in 0..n {
        senior_orders(k, &[(&rice, 1)]);
    }
}

use crate::manager::{enter_manager, m, note_arrives_with, type_digits};
use crate::support::kiosk;
use std::collections::BTreeMap;
use warm_core::domain::PaymentMethod;
use warm_core::domain::day::{DENOMINATIONS, DayReport};
use warm_core::domain::pin::{DEMO_MANAGER_PIN, DEMO_PIN};
use warm_core::receipt::day_report::{method_label, printed_lines, printed_value};
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::ui::app::KeyPress;
use warm_kiosk::ui::screen::manager::{self, Area};
use warm_kiosk::ui::screen::{counter, manager_cash, manager_count, manager_receive, manager_settle, pin};
use warm_kiosk::ui::widget::numpad::Key;

fn yuan(fen: i64) -> String {
    warm_core::domain::Money(fen).to_string()
}

fn digits(k: &mut Kiosk, text: &str, wrap: impl Fn(Key) -> Message) {
    for d in text.bytes() {
        k.update(wrap(Key::Digit(d - b'0')));
    }
}

/// What the test expects of one paid order.
struct PaidOrder {
    method: PaymentMethod,
    amount: i64,
    tendered: Option<i64>,
    account: Option<String>,
}

#[test]
fn a_whole_market_day_adds_up_on_the_z_report_and_on_its_paper() {
    let mut k = kiosk();
    let id = |s: &str| ProductId::new(s);
    let (rice, noodles, eggs, milk, salt, soy, tomato) = (
        id("rice-5kg"),
        id("noodles-1kg"),
        id("eggs-30"),
        id("milk-fresh-950ml"),
        id("salt-400g"),
        id("soy-sauce-500ml"),
        id("tomato-500g"),
    );
    let tracked = [&rice, &noodles, &eggs, &milk, &salt, &soy];
    // The morning: the float, then the van — its note lists 60 rice, but 58 arrive.
    note_arrives_with(&k, &[(&rice, 60), (&noodles, 200), (&eggs, 15), (&milk, 200), (&salt, 200), (&soy, 200)]);
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    m(&mut k, manager::Message::Open(Area::Cash));
    type_digits(&mut k, "300", |key| manager::Message::Cash(manager_cash::Message::Key(key)));
    m(&mut k, manager::Message::Cash(manager_cash::Message::Save));
    m(&mut k, manager::Message::Open(Area::Receive));
    m(&mut k, manager::Message::Receive(manager_receive::Message::Choose(0)));
    m(&mut k, manager::Message::Receive(manager_receive::Message::AllArrived));
    m(&mut k, manager::Message::Receive(manager_receive::Message::Less(0)));
    m(&mut k, manager::Message::Receive(manager_receive::Message::Less(0)));
    assert!(k.shows("少了 2") && k.shows("原因：少送"));
    m(&mut k, manager::Message::Receive(manager_receive::Message::Confirm));
    assert!(k.shows("已收货，库存已更新"));
    m(&mut k, manager::Message::Leave);
    let mut left: BTreeMap<ProductId, i64> =
        [(&rice, 58), (&noodles, 200), (&eggs, 15), (&milk, 200), (&salt, 200), (&soy, 200)]
            .into_iter()
            .map(|(p, n)| (p.clone(), n))
            .collect();

    // 200 seniors order by tapping; eggs sell out on the way and their tile then says 已售完.
    let mut orders = Vec::new();
    let mut saw_sold_out = false;
    for i in 0..200usize {
        let mut want: Vec<(&ProductId, u32)> = vec![(tracked[i % 6], 1 + (i % 3) as u32)];
        if i % 2 == 0 {
            want.push((tracked[(i % 6 + 3) % 6], 1));
        }
        if i % 10 == 0 {
            want.push((&tomato, 1)); // never delivered or counted: not tracked, never sold out
        }
        let expected: Vec<(ProductId, u32)> = want
            .iter()
            .filter_map(|(p, n)| {
                let n = left.get(*p).map_or(*n, |l| (*n).min(u32::try_from(*l).unwrap_or(0)));
                (n > 0).then(|| ((*p).clone(), n))
            })
            .collect();
        if want.iter().any(|(p, _)| **p == eggs) && left[&eggs] == 0 {
            // The senior sees it on the tile, in words, and a tap adds nothing.
            k.update(Message::HomeScreen(home::Message::OpenCategory(
                k.ctx.catalog.product(&eggs).unwrap().category.clone(),
            )));
            assert!(k.shows("已售完"), "eggs are sold out");
            k.update(Message::Category(category::Message::Add(eggs.clone())));
            assert_eq!(k.app.cart().qty(&eggs), 0);
            k.update(Message::Home);
            saw_sold_out = true;
        }
        let order = senior_orders(&mut k, &want);
        let placed: Vec<(ProductId, u32)> = order.lines.iter().map(|l| (l.product.clone(), l.qty)).collect();
        assert_eq!(placed, expected, "order {i}");
        for (p, n) in &placed {
            if let Some(l) = left.get_mut(p) {
                *l -= i64::from(*n);
            }
        }
        orders.push(order);
    }
    assert!(saw_sold_out);

    // The volunteer recalls 180 slips and takes payment by a mix of methods; a few are amended.
    k.update(Message::Key(KeyPress::VolunteerShortcut));
    for d in DEMO_PIN.bytes() {
        k.update(Message::Pin(pin::Message::Key(Key::Digit(d - b'0'))));
    }
    k.update(Message::Pin(pin::Message::Ok));
    let c = |k: &mut Kiosk, msg: counter::Message| k.update(Message::Counter(msg));
    let mut paid: Vec<PaidOrder> = Vec::new();
    let mut amended = 0;
    let mut sold: BTreeMap<ProductId, i64> = BTreeMap::new();
    for (i, order) in orders.iter().enumerate().take(180) {
        k.update(Message::Scanner(ScannerEvent::Line(Ok(order.slip_payload()))));
        let mut lines: Vec<(ProductId, i64, i64)> =
            order.lines.iter().map(|l| (l.product.clone(), i64::from(l.qty), l.unit_price.as_fen())).collect();
        if i % 25 == 0 && lines[0].1 >= 2 {
            c(&mut k, counter::Message::Decrease(0));
            lines[0].1 -= 1;
            amended += 1;
        }
        c(&mut k, counter::Message::PickAll);
        c(&mut k, counter::Message::Pay);
        let amount: i64 = lines.iter().map(|(_, q, p)| q * p).sum();
        for (p, q, _) in &lines {
            *sold.entry(p.clone()).or_default() += q;
        }
        let method =
            [PaymentMethod::Cash, PaymentMethod::Wechat, PaymentMethod::Alipay, PaymentMethod::OnAccount][i % 4];
        c(&mut k, counter::Message::Method(method));
        let (tendered, account) = match method {
            PaymentMethod::Cash => {
                let yuan_given = (amount + 999) / 1000 * 10;
                digits(&mut k, &yuan_given.to_string(), |key| Message::Counter(counter::Message::Key(key)));
                (Some(yuan_given * 100), None)
            }
            PaymentMethod::OnAccount => {
                let building = if i % 8 == 3 { "3" } else { "5" };
                digits(&mut k, building, |key| Message::Counter(counter::Message::Key(key)));
                (None, Some(building.to_owned()))
            }
            _ => {
                digits(&mut k, &format!("8{i:04}"), |key| Message::Counter(counter::Message::Key(key)));
                (None, None)
            }
        };
        c(&mut k, counter::Message::ConfirmPay);
        let Some(warm_kiosk::ui::app::Volunteer::Counter(counter)) = k.app.volunteer() else {
            panic!("not at the counter")
        };
        assert!(matches!(counter.step, counter::Step::Done { .. }), "order {i} not paid");
        if let Some(account) = &account {
            // Nothing was received: the panel says billed, and to whom.
            assert!(k.shows("已记账") && !k.shows("收款成功"), "order {i}");
            assert!(k.shows(&format!("记在：{account}")), "order {i}");
        }
        c(&mut k, counter::Message::NextCustomer);
        paid.push(PaidOrder { method, amount, tendered, account });
    }
    c(&mut k, counter::Message::Exit);
    assert!(amended >= 3, "only {amended} orders amended");

    // The manager counts the rice: one bag fewer than the ledger says.
    let rice_on_hand = 58 - sold[&rice];
    enter_manager(&mut k, DEMO_MANAGER_PIN);
    m(&mut k, manager::Message::Open(Area::Count));
    assert!(k.shows(&format!("账上 {rice_on_hand}")));
    type_digits(&mut k, &(rice_on_hand - 1).to_string(), |key| {
        manager::Message::Count(manager_count::Message::Key(key))
    });
    m(&mut k, manager::Message::Count(manager_count::Message::Finish));
    assert!(k.shows("盘点完成，差异已记为更正"));
    assert_eq!(k.ctx.store().stock_levels().unwrap()[&rice].on_hand(), rice_on_hand - 1);

    // What the Z report must say, computed here from the orders and payments.
    let total = |m: PaymentMethod| -> (u64, i64) {
        let these: Vec<&PaidOrder> = paid.iter().filter(|p| p.method == m).collect();
        (these.len() as u64, these.iter().map(|p| p.amount).sum())
    };
    let sales: i64 = paid.iter().map(|p| p.amount).sum();
    let tendered: i64 = paid.iter().filter_map(|p| p.tendered).sum();
    let change: i64 = paid.iter().filter_map(|p| p.tendered.map(|t| t - p.amount)).sum();
    let expected_cash = 30_000 + tendered - change;
    assert_eq!(expected_cash, 30_000 + total(PaymentMethod::Cash).1);
    let counted = expected_cash - 50;
    let open_total: i64 = orders[180..].iter().map(|o| o.total().as_fen()).sum();
    let alipay_statement = total(PaymentMethod::Alipay).1 - 1000;

    // The settlement, step by step on the screens.
    let s = |k: &mut Kiosk, msg: manager_settle::Message| m(k, manager::Message::Settle(msg));
    m(&mut k, manager::Message::Open(Area::Settle));
    let mut rest = counted;
    for (i, fen) in DENOMINATIONS.iter().enumerate() {
        let pieces = rest / fen;
        rest %= fen;
        if pieces > 0 {
            s(&mut k, manager_settle::Message::Select(i));
            type_digits(&mut k, &pieces.to_string(), |key| manager::Message::Settle(manager_settle::Message::Key(key)));
        }
    }
    assert_eq!(rest, 0);
    assert!(k.shows("短款 ￥0.50"), "the shortfall in words on the cash step");
    s(&mut k, manager_settle::Message::Next);
    s(&mut k, manager_settle::Message::Select(0));
    let wechat = total(PaymentMethod::Wechat).1;
    type_money(&mut k, wechat);
    s(&mut k, manager_settle::Message::Select(1));
    type_money(&mut k, alipay_statement);
    s(&mut k, manager_settle::Message::Note(1));
    assert!(k.shows("差额说明：有退款"));
    assert!(k.shows("短款 ￥10.00"));
    s(&mut k, manager_settle::Message::Next); // on account
    s(&mut k, manager_settle::Message::Next); // orders not picked up: kept
    assert!(k.shows("未取订单 20 张"));
    s(&mut k, manager_settle::Message::Next); // quick count: left blank
    s(&mut k, manager_settle::Message::Next);
    s(&mut k, manager_settle::Message::Close);
    assert!(k.shows("今天已日结，Z 报表已打印"));

    let store = k.ctx.store();
    let (report, job): (String, String) = store
        .connection()
        .query_row("SELECT report, print_job FROM day_closes", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let z: DayReport = serde_json::from_str(&report).unwrap();
    assert_eq!((z.orders_placed, z.orders_paid, z.orders_amended), (200, 180, amended));
    for method in warm_core::domain::day::METHODS {
        let t = z.method(method);
        assert_eq!((t.count, t.amount.as_fen()), total(method), "{method:?}");
    }
    assert_eq!(z.sales().unwrap().as_fen(), sales);
    assert_eq!(
        (z.opening_float.as_fen(), z.cash_tendered.as_fen(), z.change_given.as_fen()),
        (30_000, tendered, change)
    );
    assert_eq!(z.cash_expected().unwrap().as_fen(), expected_cash);
    assert_eq!(z.cash_counted.map(|c| c.as_fen()), Some(counted));
    assert_eq!(z.cash_difference().unwrap().map(|d| d.as_fen()), Some(-50));
    assert_eq!(z.not_picked_up.len(), 20);
    assert_eq!(z.open_total().unwrap().as_fen(), open_total);
    assert_eq!(z.statement_difference(PaymentMethod::Wechat).map(|d| d.as_fen()), Some(0));
    assert_eq!(z.statement_difference(PaymentMethod::Alipay).map(|d| d.as_fen()), Some(-1000));
    let mut accounts: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    for p in paid.iter().filter(|p| p.method == PaymentMethod::OnAccount) {
        let e = accounts.entry(p.account.clone().unwrap()).or_default();
        e.0 += 1;
        e.1 += p.amount;
    }
    let on_account: BTreeMap<String, (u64, i64)> =
        z.on_account.iter().map(|a| (a.account.clone(), (a.count, a.amount.as_fen()))).collect();
    assert_eq!(on_account, accounts);

    // The paper says the same: the Z report's bytes decoded line by line.
    let bytes: Vec<u8> =
        store.connection().query_row("SELECT bytes FROM print_jobs WHERE id = ?1", [&job], |r| r.get(0)).unwrap();
    let lines = printed_lines(&bytes);
    let value = |label: &str| printed_value(&lines, label).unwrap_or_else(|| panic!("{label} not on {lines:?}"));
    assert_eq!(value("销售合计"), yuan(sales));
    assert_eq!(value("备用金"), yuan(30_000));
    assert_eq!(value("收到现金"), yuan(tendered));
    assert_eq!(value("应有现金"), yuan(expected_cash));
    assert_eq!(value("实点现金"), yuan(counted));
    assert_eq!(value("现金差额"), yuan(-50));
    assert!(lines.iter().any(|l| l == "短款 ￥0.50"), "{lines:?}");
    for method in warm_core::domain::day::METHODS {
        let (count, amount) = total(method);
        assert_eq!(value(&method_label(method, count, warm_core::domain::Lang::Zh)), yuan(amount));
    }
    assert_eq!(value("未取订单 20 张"), yuan(open_total));
    let orders_line = format!("订单：下单 200 付款 180 改单 {amended}");
    assert!(lines.iter().any(|l| l.contains(&orders_line)), "{lines:?}");
    assert_eq!(z.z_number, Some(1));
    assert_eq!(value("Z 序号"), "1");
}

/// Money on the settlement's pad, with its decimal point.
fn type_money(k: &mut Kiosk, fen: i64) {
    let text = format!("{}.{:02}", fen / 100, fen % 100);
    for ch in text.bytes() {
        let key = if ch == b'.' { Key::Dot } else { Key::Digit(ch - b'0') };
        m(k, manager::Message::Settle(manager_settle::Message::Key(key)));
    }
}
