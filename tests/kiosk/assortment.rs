//! A real market's assortment (issue 17): a generated 300-product catalog with sub-categories,
//! walked from home through the real views as a finger would (every tap target clicked in the
//! simulator); the order of what sells most, and the co-op's own order from a real hub store; and
//! the bounded picture cache, decoded in the background a screen at a time.

use crate::layout::targets;
use crate::support::{Kiosk, kiosk, kiosk_with, simulator};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use warm_core::domain::ProductId;
use warm_core::i18n::Msg;
use warm_kiosk::ui::picture::{CACHE_BOUND, Decoding};
use warm_kiosk::ui::screen::category::{self, Item};
use warm_kiosk::ui::screen::{Screen, home};
use warm_kiosk::ui::{App, Message};

const TOPS: usize = 6;
const SUBS: usize = 5;
const EACH: usize = 10;

fn ean13(d12: &str) -> String {
    let sum: u32 = d12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 1 { 3 } else { 1 }).sum();
    format!("{d12}{}", (10 - sum % 10) % 10)
}

/// 6 categories × 5 sub-categories × 10 products = 300, each with its own small picture.
fn big_catalog(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("pictures")).unwrap();
    let picture = |name: &str, n: usize| {
        let colour = image::Rgba([(n * 37 % 256) as u8, (n * 91 % 256) as u8, (n * 53 % 256) as u8, 255]);
        image::RgbaImage::from_pixel(64, 64, colour).save(dir.join(format!("pictures/{name}.png"))).unwrap();
        format!("pictures/{name}.png")
    };
    let mut toml = String::from("market_name_zh = \"大市集\"\nmarket_name_en = \"Big Market\"\n");
    let mut n = 0;
    for t in 0..TOPS {
        let pic = picture(&format!("t{t}"), 1000 + t);
        toml += &format!(
            "[[category]]\nid = \"t{t}\"\nname_zh = \"大类{t}\"\nname_en = \"Aisle {t}\"\npicture = \"{pic}\"\n"
        );
        for s in 0..SUBS {
            let pic = picture(&format!("t{t}s{s}"), 2000 + t * 10 + s);
            toml += &format!(
                "[[category]]\nid = \"t{t}s{s}\"\nname_zh = \"小类{t}{s}\"\nname_en = \"Shelf {t}{s}\"\npicture = \"{pic}\"\nparent = \"t{t}\"\n"
            );
        }
    }
    for t in 0..TOPS {
        for s in 0..SUBS {
            for _ in 0..EACH {
                let pic = picture(&format!("p{n:03}"), n);
                toml += &format!(
                    "[[product]]\nid = \"p{n:03}\"\ncategory = \"t{t}s{s}\"\nname_zh = \"货品{n}\"\nname_en = \"Goods {n}\"\n\
                     spec_zh = \"1件\"\nspec_en = \"1 piece\"\nunit_zh = \"件\"\nunit_en = \"piece\"\nprice_fen = {}\n\
                     ean13 = \"{}\"\npicture = \"{pic}\"\n",
                    100 + n,
                    ean13(&format!("69520991{n:04}"))
                );
                n += 1;
            }
        }
    }
    let path = dir.join("catalog.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

pub fn big_kiosk() -> (Kiosk, tempfile::TempDir) {
    let catalog_dir = tempfile::tempdir().unwrap();
    let catalog = big_catalog(catalog_dir.path());
    let config = warm_kiosk::config::Config { catalog: Some(catalog), ..crate::support::config() };
    (kiosk_with(config), catalog_dir)
}

/// Where a finger is: the screen, its category and page.
pub fn place(k: &Kiosk) -> String {
    match k.app.screen() {
        Screen::Home(h) => format!("home:{}", h.page_index()),
        Screen::Category(c) => format!("{}:{}", c.id.0, c.page().0),
        _ => "elsewhere".into(),
    }
}

/// The messages of every target a finger can tap on the screen, each clicked on its own.
fn taps_on_screen(k: &Kiosk) -> Vec<Message> {
    let mut found = Vec::new();
    for target in targets(k) {
        let mut ui = simulator(&k.app);
        ui.point_at(target.center());
        let _ = ui.simulate(iced_test::simulator::click());
        found.extend(ui.into_messages());
    }
    found
}

/// From anywhere (two levels of categories at most) back home, then the taps of `path`.
pub fn go(k: &mut Kiosk, path: &[Message]) {
    for _ in 0..3 {
        k.update(Message::Home);
    }
    for m in path {
        k.update(m.clone());
    }
}

fn is_page_turn(m: &Message) -> bool {
    matches!(m, Message::HomeScreen(home::Message::TurnPage(_)) | Message::Category(category::Message::TurnPage(_)))
}

#[test]
fn every_one_of_300_products_is_within_five_taps_of_home_and_the_picture_cache_stays_bounded() {
    let (mut k, _catalog) = big_kiosk();
    let (taps, _) = walk(&mut k);
    assert!(taps[taps.len() - 1] <= 5, "worst {} taps", taps[taps.len() - 1]);
}

/// With 大字 (issue 12) fewer tiles fit a page: every product is still reached from home, in more
/// taps (the walk prints how many), and the picture cache still stays bounded.
#[test]
fn with_large_text_every_one_of_300_products_is_still_reached() {
    let (mut k, _catalog) = big_kiosk();
    k.update(Message::ToggleLargeText);
    let (taps, turns) = walk(&mut k);
    assert!(taps[taps.len() - 1] > 5 && turns[turns.len() - 1] > 1, "fewer on a page: more page turns");
}

/// Walks every screen from home by tapping every target, breadth first; every product must be
/// reached and the picture cache stay bounded. The taps from home and the page turns to each
/// product, sorted.
fn walk(k: &mut Kiosk) -> (Vec<usize>, Vec<usize>) {
    assert_eq!(k.ctx.catalog.products.len(), TOPS * SUBS * EACH);
    // Breadth first over what the screens show: the first time a product's tile is seen is
    // with the fewest taps.
    let mut reached: HashMap<ProductId, (usize, usize)> = HashMap::new();
    let mut seen = HashSet::from([place(k)]);
    let mut queue = VecDeque::from([Vec::<Message>::new()]);
    let mut screens = 0;
    while let Some(path) = queue.pop_front() {
        go(k, &path);
        screens += 1;
        let pictures = k.app.pictures();
        assert!(pictures.len() <= CACHE_BOUND, "{} pictures resident at {}", pictures.len(), place(k));
        let turns = path.iter().filter(|m| is_page_turn(m)).count();
        for m in taps_on_screen(k) {
            match &m {
                Message::Category(category::Message::Add(id)) | Message::HomeScreen(home::Message::Add(id)) => {
                    reached.entry(id.clone()).or_insert((path.len() + 1, turns));
                }
                Message::Home
                | Message::HomeScreen(home::Message::OpenCategory(_) | home::Message::TurnPage(_))
                | Message::Category(category::Message::Open(_) | category::Message::TurnPage(_)) => {
                    go(k, &path);
                    k.update(m.clone());
                    if seen.insert(place(k)) {
                        let mut next = path.clone();
                        next.push(m);
                        queue.push_back(next);
                    }
                }
                _ => {}
            }
        }
    }
    let missing: Vec<_> = k.ctx.catalog.products.iter().filter(|p| !reached.contains_key(&p.id)).collect();
    assert!(missing.is_empty(), "{} products never shown: {:?}", missing.len(), &missing[..missing.len().min(5)]);
    let mut taps: Vec<usize> = reached.values().map(|(t, _)| *t).collect();
    let mut turns: Vec<usize> = reached.values().map(|(_, t)| *t).collect();
    taps.sort_unstable();
    turns.sort_unstable();
    println!(
        "300 products over {screens} screens{}: taps from home worst {} median {}; page turns worst {} median {}",
        if k.app.large_text() { " (大字)" } else { "" },
        taps[taps.len() - 1],
        taps[taps.len() / 2],
        turns[turns.len() - 1],
        turns[turns.len() / 2]
    );
    // The walk saw every picture; no more than the bound were ever held decoded.
    let pictures = k.app.pictures();
    assert!(pictures.decodes() as usize > 2 * CACHE_BOUND, "only {} decoded", pictures.decodes());
    assert!(pictures.peak() <= CACHE_BOUND, "peak {}", pictures.peak());
    assert_eq!(pictures.missing().count(), 0);
    (taps, turns)
}

#[test]
fn a_small_category_goes_straight_to_its_products() {
    // The demo's categories have no sub-categories and go straight to their products.
    let k = kiosk();
    let grain = &k.ctx.catalog.categories[0];
    let items = category::items(&k.ctx.catalog, &Default::default(), &grain.id);
    assert!(!items.is_empty() && items.iter().all(|i| matches!(i, Item::Product(_))));
    // A generated category whose sub-categories hold no more than a page: its products at once.
    let dir = tempfile::tempdir().unwrap();
    let path = big_catalog(dir.path());
    let text = std::fs::read_to_string(&path).unwrap();
    let mut catalog = warm_core::catalog_file::parse(&text, "big.toml").unwrap();
    catalog.products.retain(|p| p.id.0.as_str() < "p005");
    let catalog = warm_core::domain::Catalog::new(catalog.market_name.clone(), catalog.categories, catalog.products);
    let items = category::items(&catalog, &Default::default(), &warm_core::domain::CategoryId("t0".into()));
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|i| matches!(i, Item::Product(_))), "{items:?}");
}

#[test]
fn pictures_come_in_the_background_into_a_same_size_placeholder_and_nothing_moves() {
    let (mut k, _catalog) = big_kiosk();
    k.ctx.picture_decoding = Decoding::Background;
    k.app = App::new(k.ctx.clone());
    assert!(k.app.pictures().is_empty(), "nothing decoded before the first frame");
    assert!(k.shows("大类0"), "the placeholder says the category's name");
    let before = targets(&k);
    // Any message lets the root ask for the screen's pictures; the test runs the task to its end.
    k.update(Message::Touched);
    assert!(k.app.pictures().is_idle());
    assert_eq!(k.app.pictures().len(), TOPS, "the home screen's six category pictures");
    assert_eq!(targets(&k), before, "no target moved when the pictures came");
    k.update(Message::HomeScreen(home::Message::OpenCategory(warm_core::domain::CategoryId("t1".into()))));
    k.update(Message::Category(category::Message::Open(warm_core::domain::CategoryId("t1s0".into()))));
    // This page's six products, the next page's four, and the five sub-category tiles before.
    let Screen::Category(c) = k.app.screen() else { panic!("not a category") };
    for item in c.in_view() {
        let Item::Product(id) = item else { panic!("a product page") };
        assert!(k.app.pictures().get(&k.ctx.catalog.product(id).unwrap().picture).is_some());
    }
    let Item::Product(ahead) = &c.items()[9] else { panic!() };
    assert!(k.app.pictures().get(&k.ctx.catalog.product(ahead).unwrap().picture).is_some(), "the next page, ahead");
}

#[test]
fn what_sells_most_comes_first_and_the_coops_order_at_the_hub_overrides_it() {
    use warm_hub::store::HubStore;
    let mut k = kiosk();
    let grain = k.ctx.catalog.categories[0].id.clone();
    let products: Vec<ProductId> = k.ctx.catalog.in_category(&grain).map(|p| p.id.clone()).collect();
    let (first, second, last) = (products[0].clone(), products[1].clone(), products.last().unwrap().clone());
    let first_item = |k: &mut Kiosk| {
        k.update(Message::Home);
        k.update(Message::HomeScreen(home::Message::OpenCategory(grain.clone())));
        let Screen::Category(c) = k.app.screen() else { panic!("not a category") };
        c.items()[..2].to_vec()
    };
    assert_eq!(first_item(&mut k)[0], Item::Product(first.clone()), "no sales yet: the catalog's order");
    k.update(Message::Home);
    assert!(!k.shows(Msg::MostBoughtToday.text(warm_core::domain::Lang::Zh)), "no sales: no row, as before");

    // Two of the last product of 粮油, ordered.
    k.update(Message::HomeScreen(home::Message::OpenCategory(grain.clone())));
    for _ in 0..2 {
        k.update(Message::Category(category::Message::Add(last.clone())));
    }
    k.tap("下单");
    k.tap("确认");
    k.tap("回到首页");
    let Screen::Home(h) = k.app.screen() else { panic!("not home") };
    assert_eq!(h.top(), std::slice::from_ref(&last), "the day's most bought on home's first row");
    assert!(k.shows(Msg::MostBoughtToday.text(warm_core::domain::Lang::Zh)));
    crate::layout::check(&k, "home with the most-bought row");
    // One tap on the row adds one.
    let name = k.ctx.catalog.product(&last).unwrap().name.zh.clone();
    let row_tile = k.texts().into_iter().find(|(t, _)| *t == name).unwrap().1;
    k.tap_at(row_tile.center());
    assert_eq!(k.app.cart().qty(&last), 1);
    assert_eq!(first_item(&mut k)[0], Item::Product(last.clone()), "sold most: first in its category");

    // The co-op sets this market's order at the hub: the second product first.
    let hub_dir = tempfile::tempdir().unwrap();
    let hub = warm_hub::sqlite::SqliteHub::open(&hub_dir.path().join("hub.sqlite")).unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/catalog.toml");
    hub.import_catalog(&warm_hub::import::from_toml(&demo).unwrap()).unwrap();
    hub.add_terminal("K1", "M1", "hash", jiff::Timestamp::now()).unwrap();
    hub.set_position("M1", &second.0, Some(1)).unwrap();
    let terminal = warm_hub::store::Terminal { id: "K1".into(), market: "M1".into(), instance: None };
    let page = hub.catalog_page(&terminal, 0, 1000, jiff::Timestamp::now()).unwrap();
    assert!(!page.more);
    k.ctx.store().apply_catalog_page(&page.changes, page.next_cursor).unwrap();
    let synced = k.ctx.store().synced_catalog().unwrap().unwrap();
    let source = warm_core::catalog_file::PictureSource::Folder(warm_kiosk::sync::pictures_dir(k.dir.path()));
    k.update(Message::Sync(warm_kiosk::ui::sync_status::SyncMsg::Catalog(Arc::new(synced), source)));
    assert_eq!(
        first_item(&mut k),
        [Item::Product(second), Item::Product(last)],
        "the co-op's order first, then what sells most"
    );
}

/// The sub-category screen and home's most-bought row as pictures in target/assortment-*.png, to look at.
#[test]
#[ignore]
fn write_assortment_pictures() {
    let shot = |k: &Kiosk, name: &str| {
        let snapshot = simulator(&k.app).snapshot(&warm_kiosk::ui::theme::theme()).unwrap();
        let path = format!("{}/target/assortment-{name}.png", env!("CARGO_MANIFEST_DIR"));
        let _ = std::fs::remove_file(&path);
        let _ = snapshot.matches_image(&path); // records the picture when none exists
    };
    let (mut k, _catalog) = big_kiosk();
    k.update(Message::HomeScreen(home::Message::OpenCategory(warm_core::domain::CategoryId("t2".into()))));
    shot(&k, "sub-categories");
    k.update(Message::Category(category::Message::Open(warm_core::domain::CategoryId("t2s3".into()))));
    k.update(Message::Category(category::Message::Add(ProductId::new("p135"))));
    k.tap("下单");
    k.tap("确认");
    k.tap("回到首页");
    shot(&k, "home-most-bought");
}

/// Issue 17: when the hub publishes today's daily goods list, home's first row is that list
/// (what the catalog does not sell left out), titled as today's goods, whatever sold most of it
/// today first; with no list it is the day's most-bought row as above.
#[test]
fn todays_daily_goods_list_is_homes_first_row_most_bought_first() {
    use warm_core::api::CatalogChange;
    use warm_core::domain::{DailyItem, Lang};
    let mut k = kiosk();
    let (rice, noodles) = (ProductId::new("rice-5kg"), ProductId::new("noodles-1kg"));
    let items = [&noodles, &rice]
        .iter()
        .map(|p| DailyItem { product: p.0.clone(), available: None })
        .chain([DailyItem { product: "caviar".into(), available: None }])
        .collect();
    k.ctx.store().apply_catalog_page(&[CatalogChange::DailyList { version: 1, items }], 1).unwrap();
    k.app = App::new(k.ctx.clone());
    let Screen::Home(h) = k.app.screen() else { panic!("not home") };
    assert_eq!(h.top(), [noodles.clone(), rice.clone()], "the hub's order, without what is not sold here");
    assert!(k.shows(Msg::DailyGoodsToday.text(Lang::Zh)) && !k.shows(Msg::MostBoughtToday.text(Lang::Zh)));
    crate::layout::check(&k, "home with today's goods");

    // Rice sells today: it comes first in the row.
    k.update(Message::HomeScreen(home::Message::Add(rice.clone())));
    k.tap("下单");
    k.tap("确认");
    k.tap("回到首页");
    let Screen::Home(h) = k.app.screen() else { panic!("not home") };
    assert_eq!(h.top(), [rice, noodles], "what sold most today first");
}
