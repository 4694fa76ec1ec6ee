//! Households and purchase limits across terminals (issue 10): two kiosk stores and a real
//! `warm-hub serve`; the household list imported from CSV with the operator's command.

use crate::support::*;
use jiff::Timestamp;
use std::path::Path;
use std::process::Command;
use warm_core::domain::{Allowance, HouseholdId, Lang, OrderLine, Product};
use warm_core::i18n::limit_explained;
use warm_kiosk::config::Config;
use warm_kiosk::device::scanner::ScannerEvent;
use warm_kiosk::store::{NewOrder, Store};
use warm_kiosk::ui::screen::modal::Modal;
use warm_kiosk::ui::{App, Message};

const HOUSEHOLDS: &str = "household,building,surname,phone_last4\n3-2-501,3,王,1234\n3-2-502,3,李,\n";

/// A hub with the demo catalog, kiosks K1 and K2 of market M1, two households, and a limit of 2
/// rice per household per week at M1. Both kiosks have pulled the catalog.
fn market(dir: &Path) -> (Hub, Kiosk, Kiosk, Product) {
    let hub_dir = dir.join("hub");
    let k1 = hub_with_demo_catalog(&hub_dir, dir);
    let k2 = add_terminal(&hub_dir, "K2", "M1");
    let file = dir.join("households.csv");
    std::fs::write(&file, HOUSEHOLDS).unwrap();
    let out = hub_cli(&hub_dir, &["household", "import", file.to_str().unwrap(), "--market", "M1"]);
    assert!(out.contains("2 added"), "{out}");
    let rice = warm_kiosk::demo::catalog().unwrap().catalog.products[0].clone();
    hub_cli(&hub_dir, &["limit", "--market", "M1", &rice.id.0, "2", "--period", "week"]);
    let hub = Hub::start(&hub_dir);
    let kiosk1 = Kiosk::new(&dir.join("k1"), "K1", &hub.url(), &k1, 100);
    let kiosk2 = Kiosk::new(&dir.join("k2"), "K2", &hub.url(), &k2, 100);
    for k in [&kiosk1, &kiosk2] {
        let (ok, out) = k.sync_once();
        assert!(ok, "{out}");
    }
    let synced = kiosk1.store().synced_catalog().unwrap().unwrap();
    let rice = synced.product(&rice.id).unwrap().clone();
    assert_eq!(rice.limit().map(|l| (l.per_household, l.period.as_str())), Some((2, "week")));
    (hub, kiosk1, kiosk2, rice)
}

fn home(id: &str) -> HouseholdId {
    HouseholdId::parse(id).unwrap()
}

fn tz() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
}

/// Places an order for `household` as the seniors' screen does; returns its number.
fn buy(kiosk: &Kiosk, household: &str, product: &Product, qty: u32) -> String {
    let mut store = kiosk.store();
    let new = NewOrder {
        id: uuid::Uuid::now_v7(),
        terminal: kiosk.terminal.clone(),
        lang: Lang::Zh,
        household: Some(home(household).to_string()),
        lines: vec![OrderLine::of(product, qty)],
    };
    let slots = Config::default().slot_policy();
    let placed = store.place_order(new, Timestamp::now(), &slots, &tz(), |_| Vec::new()).unwrap();
    placed.order.number.to_string()
}

fn allowance(kiosk: &Kiosk, household: &str, product: &Product, in_basket: u32) -> Allowance {
    let store = Store::open_read_only(&kiosk.store_path()).unwrap().unwrap();
    store.allowance(&home(household), product, in_basket, Timestamp::now(), &tz()).unwrap()
}

#[test]
fn a_household_at_its_limit_at_one_kiosk_is_refused_more_at_the_other_after_one_sync_round() {
    let dir = tempfile::tempdir().unwrap();
    let (_hub, k1, k2, rice) = market(dir.path());
    assert!(k2.store().household(&home("3-2-501")).unwrap().is_some(), "households came with the catalog");
    assert!(allowance(&k2, "3-2-501", &rice, 0).may_add_one());

    buy(&k1, "3-2-501", &rice, 2);
    assert!(!allowance(&k1, "3-2-501", &rice, 0).may_add_one(), "K1 knows its own order at once");
    let (ok, out) = k1.sync_once();
    assert!(ok, "{out}");
    let (ok, out) = k2.sync_once();
    assert!(ok, "{out}");

    let at_k2 = allowance(&k2, "3-2-501", &rice, 0);
    assert!(matches!(at_k2, Allowance::Limited { bought: 2, left: 0, .. }), "{at_k2:?}");
    assert!(!at_k2.may_add_one());
    let words = limit_explained(&at_k2, &rice.unit.zh, Lang::Zh).unwrap();
    assert!(words.contains("每户每周限购 2") && words.contains("已买 2"), "{words}");
    // Only that household: the neighbour may still buy two.
    assert!(matches!(allowance(&k2, "3-2-502", &rice, 0), Allowance::Limited { left: 2, .. }));
    assert!(matches!(allowance(&k2, "3-2-502", &rice, 1), Allowance::Limited { left: 1, .. }));

    // K2's own screens, on its synced store: + on rice for 3-2-501 only explains, in words.
    let mut app = kiosk_screens(&k2);
    let feed = |app: &mut App, m: Message| crate::tasks::settle(app, m);
    feed(&mut app, Message::Scanner(ScannerEvent::Line(Ok(home("3-2-501").card_payload()))));
    assert_eq!(app.limits().household, Some(home("3-2-501")), "the card said who is buying");
    feed(&mut app, Message::HomeScreen(warm_kiosk::ui::screen::home::Message::OpenCategory(rice.category.clone())));
    feed(&mut app, Message::Category(warm_kiosk::ui::screen::category::Message::Add(rice.id.clone())));
    assert_eq!(app.cart().qty(&rice.id), 0, "refused at K2");
    let Some(Modal::AtLimit { words }) = app.modal() else { panic!("no words for the refusal: {:?}", app.modal()) };
    assert!(words.contains("每户每周限购 2 袋") && words.contains("已买 2 袋"), "{words}");
    feed(&mut app, Message::Modal(warm_kiosk::ui::screen::modal::Message::Keep));
    // The neighbour's card: rice goes in.
    feed(&mut app, Message::Scanner(ScannerEvent::Line(Ok(home("3-2-502").card_payload()))));
    assert_eq!(app.limits().household, Some(home("3-2-502")));
    feed(&mut app, Message::Category(warm_kiosk::ui::screen::category::Message::Add(rice.id.clone())));
    assert_eq!(app.cart().qty(&rice.id), 1, "the neighbour may buy");
    assert!(app.modal().is_none());
}

/// The kiosk's screens on `kiosk`'s data folder and configuration, as `warm-kiosk` opens them;
/// each message comes two seconds after the one before (a person taps, the screen settles).
fn kiosk_screens(kiosk: &Kiosk) -> App {
    let config = Config::load(&kiosk.config).unwrap();
    let mut ctx = warm_kiosk::kiosk::context(config, &kiosk.dir).unwrap();
    let start = std::time::Instant::now();
    let taps = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    ctx.now = std::sync::Arc::new(move || {
        start + std::time::Duration::from_secs(2 * taps.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
    });
    App::new(ctx)
}

#[test]
fn two_kiosks_offline_each_within_the_limit_together_over_it_raise_one_alarm_and_keep_both_orders() {
    let dir = tempfile::tempdir().unwrap();
    let (hub, k1, k2, rice) = market(dir.path());
    // Cut off from each other: each sells within the limit as far as it knows.
    assert!(allowance(&k1, "3-2-501", &rice, 1).may_add_one());
    let first = buy(&k1, "3-2-501", &rice, 2);
    assert!(allowance(&k2, "3-2-501", &rice, 0).may_add_one());
    let second = buy(&k2, "3-2-501", &rice, 1);
    for k in [&k1, &k2, &k1] {
        let (ok, out) = k.sync_once();
        assert!(ok, "{out}");
    }
    let alarms: Vec<String> =
        open_alarms(&hub_dir(dir.path())).into_iter().filter(|a| a.starts_with("limit")).collect();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    for needle in ["3-2-501", &first, &second] {
        assert!(alarms[0].contains(needle), "{} should name {needle}", alarms[0]);
    }
    // Both orders kept at the hub, each once.
    let (events, ids, _, total) = hub_totals(&hub_dir(dir.path()), "K1");
    assert_eq!((events, ids, total), (1, 1, rice.price.as_fen() * 2));
    let (events, _, _, total) = hub_totals(&hub_dir(dir.path()), "K2");
    assert_eq!((events, total), (1, rice.price.as_fen()));
    // Each kiosk now counts both orders exactly once (its own comes back from the hub too).
    for k in [&k1, &k2] {
        let a = allowance(k, "3-2-501", &rice, 0);
        assert!(matches!(a, Allowance::Limited { bought: 3, left: 0, .. }), "{}: {a:?}", k.terminal);
        assert_eq!(a.over_by(), 1);
    }
    drop(hub);
}

fn hub_dir(dir: &Path) -> std::path::PathBuf {
    dir.join("hub")
}

#[test]
fn a_household_file_with_a_bad_row_is_refused_with_its_line_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    add_terminal(&hub_dir, "K1", "M1");
    let cases: [(&str, &[u8], &str); 3] = [
        ("columns", b"household,building,surname,phone_last4\n3-2-501,3,,\n3-2-502,3\n", "line 3"),
        ("duplicate", b"household,building,surname,phone_last4\n3-2-501,3,,\n3-2-502,3,,\n03-2-501,3,,\n", "line 4"),
        ("gbk", b"household,building,surname,phone_last4\n3-2-501,3,\xcd\xf5,\n", "line 2"),
    ];
    for (name, bytes, says) in cases {
        let file = dir.path().join(format!("{name}.csv"));
        std::fs::write(&file, bytes).unwrap();
        let out = Command::new(hub_binary())
            .arg("--data")
            .arg(&hub_dir)
            .args(["household", "import", file.to_str().unwrap(), "--market", "M1"])
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(says) && err.contains("nothing"), "{name}: {err}");
    }
    let list = hub_cli(&hub_dir, &["household", "list", "--market", "M1"]);
    assert_eq!(list.lines().count(), 1, "only the header: {list}");
    // A typo of the market is refused, not made a new market.
    let file = dir.path().join("good.csv");
    std::fs::write(&file, HOUSEHOLDS).unwrap();
    let out = Command::new(hub_binary())
        .arg("--data")
        .arg(&hub_dir)
        .args(["household", "import", file.to_str().unwrap(), "--market", "M"])
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("M1"));
}
