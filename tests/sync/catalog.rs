//! The cooperative's catalog reaches the kiosk: the first pull with pictures, then a price change,
//! a new product and a withdrawn product, on the kiosk's catalog and on its screen.

use crate::support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use warm_core::domain::barcode::valid_ean13;
use warm_core::domain::{Money, ProductId};
use warm_kiosk::sync::{self, Update};
use warm_kiosk::ui::sync_status::SyncMsg;
use warm_kiosk::ui::widget::basket;
use warm_kiosk::ui::{App, Message};

fn ean_with_check(prefix12: &str) -> String {
    (0..10).map(|d| format!("{prefix12}{d}")).find(|c| valid_ean13(c)).unwrap()
}

on_both_engines! {
    fn price_changes_new_and_withdrawn_products_reach_the_kiosk_without_a_restart(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = add_terminal(&hub_dir, "K1", "M1");
        // Another market, whose terms this kiosk must never get (a market exists once a terminal is
        // registered for it: prices of unknown markets are refused).
        add_terminal(&hub_dir, "K9", "M2");
        let assets = dir.path().join("catalog");
        copy_assets(&assets);
        let out = hub_cli(&hub_dir, &["catalog", "import", assets.join("catalog.toml").to_str().unwrap()]);
        assert!(out.contains("0 withdrawn"), "{out}");
        let hub = Hub::start(&hub_dir);
        let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 100);

        let demo = warm_kiosk::demo::catalog().unwrap().catalog;
        let (ok, out) = kiosk.sync_once();
        assert!(ok, "{out}");
        let synced = kiosk.store().synced_catalog().unwrap().unwrap();
        assert_eq!(synced.products.len(), demo.products.len());
        assert_eq!(synced.categories.len(), demo.categories.len());
        assert_eq!(synced.market_name, demo.market_name);
        for (a, b) in synced.products.iter().zip(&demo.products) {
            assert_eq!((&a.id, a.price, &a.name), (&b.id, b.price, &b.name));
        }
        let cached = std::fs::read_dir(sync::pictures_dir(&kiosk.dir)).unwrap().count();
        assert!(cached > 0 && out.contains(&format!("{cached} pictures fetched")), "{out}");
        // A picture lost from the cache comes back on the next start of sync.
        let lost = std::fs::read_dir(sync::pictures_dir(&kiosk.dir)).unwrap().next().unwrap().unwrap().path();
        std::fs::remove_file(&lost).unwrap();
        let (ok, out) = kiosk.sync_once();
        assert!(ok && out.contains("0 catalog changes, 1 pictures fetched"), "{out}");
        assert!(lost.exists());

        // The kiosk started from this folder shows the synced catalog, with every picture.
        let ctx = warm_kiosk::kiosk::context(kiosk.loaded_config(), &kiosk.dir).unwrap();
        assert_eq!(ctx.catalog.products.len(), demo.products.len());
        {
            use warm_kiosk::ui::picture::{Decoding, Kind, Pictures};
            let mut pictures = Pictures::with_bound(ctx.pictures.clone(), 1.0, Decoding::Inline, usize::MAX);
            let wants: Vec<_> = (ctx.catalog.categories.iter().map(|c| (c.picture.as_str(), Kind::Category)))
                .chain(ctx.catalog.products.iter().map(|p| (p.picture.as_str(), Kind::Product)))
                .collect();
            pictures.decode_now(&wants);
            let missing: Vec<_> = pictures.missing().collect();
            assert!(missing.is_empty(), "{missing:?}");
        }
        let mut app = App::new(ctx);
        let rice = demo.products[0].id.clone();
        let withdrawn = demo.products[1].id.clone();
        let _ = app.update(Message::Basket(basket::Message::Increase(rice.clone())));
        let _ = app.update(Message::Basket(basket::Message::Increase(withdrawn.clone())));

        // The sync loop (as the window runs it on its thread) is listening.
        let updates = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let loop_thread = {
            let (config, store_path, data_dir) = (kiosk.loaded_config(), kiosk.store_path(), kiosk.dir.clone());
            let (updates, stop) = (updates.clone(), stop.clone());
            std::thread::spawn(move || {
                sync::run_loop(
                    &config.sync,
                    &config.terminal_id,
                    &store_path,
                    &data_dir,
                    |u| updates.lock().unwrap().push(u),
                    || stop.load(Ordering::SeqCst),
                );
            })
        };

        // On the hub: a market price, a new product, a product this market no longer sells.
        hub_cli(&hub_dir, &["price", "--market", "M1", &rice.0, "1999"]);
        hub_cli(&hub_dir, &["price", "--market", "M2", &rice.0, "1"]);
        hub_cli(&hub_dir, &["limit", "--market", "M1", &rice.0, "1"]);
        let text = std::fs::read_to_string(assets.join("catalog.toml")).unwrap();
        let new_product = format!(
            "{text}\n[[product]]\nid = \"millet-1kg\"\ncategory = \"{}\"\nname_zh = \"小米\"\nname_en = \"Millet\"\n\
             spec_zh = \"1公斤/袋\"\nspec_en = \"1 kg bag\"\nunit_zh = \"袋\"\nunit_en = \"bag\"\nprice_fen = 1250\n\
             ean13 = \"{}\"\npicture = \"{}\"\n",
            demo.products[0].category.0,
            ean_with_check("690999000123"),
            demo.products[0].picture
        );
        std::fs::write(assets.join("catalog.toml"), new_product).unwrap();
        let out = hub_cli(&hub_dir, &["catalog", "import", assets.join("catalog.toml").to_str().unwrap()]);
        assert!(out.contains("1 changed"), "{out}");
        hub_cli(&hub_dir, &["assortment", "--market", "M1", &withdrawn.0, "withdraw"]);

        eventually(std::time::Duration::from_secs(30), "the loop delivers the new catalog", || {
            updates.lock().unwrap().iter().any(|u| match u {
                Update::Catalog(c, _) => {
                    c.product(&ProductId::new("millet-1kg")).is_some() && c.product(&withdrawn).is_none()
                }
                Update::Status(_) => false,
            })
        });
        stop.store(true, Ordering::SeqCst);
        loop_thread.join().unwrap();

        let (catalog, source) = updates
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|u| match u {
                Update::Catalog(c, s) => Some((c.clone(), s.clone())),
                Update::Status(_) => None,
            })
            .unwrap();
        assert_eq!(catalog.product(&rice).unwrap().price, Money(1999), "this market's price");
        assert_eq!(catalog.product(&rice).unwrap().limit_per_household, Some(1), "this market's limit");
        assert_eq!(catalog.product(&ProductId::new("millet-1kg")).unwrap().price, Money(1250));
        assert!(catalog.product(&withdrawn).is_none());
        assert_eq!(catalog.products.len(), demo.products.len());

        // The screen takes it as a message: withdrawn product out of the basket, new price in the total.
        {
            use warm_kiosk::ui::picture::{Decoding, Kind, Pictures};
            let mut pictures = Pictures::with_bound(source.clone(), 1.0, Decoding::Inline, usize::MAX);
            let wants: Vec<_> = catalog.products.iter().map(|p| (p.picture.as_str(), Kind::Product)).collect();
            pictures.decode_now(&wants);
            assert_eq!(pictures.missing().count(), 0);
        }
        let _ = app.update(Message::Sync(SyncMsg::Catalog(Arc::new(catalog), source)));
        assert_eq!(app.cart().lines().len(), 1);
        assert_eq!(app.cart().lines()[0].product, rice);
        assert_eq!(app.cart().total(app.catalog()), Money(1999));
        assert!(app.catalog().product(&ProductId::new("millet-1kg")).is_some());
    }
}

#[test]
fn the_sync_corner_says_in_words_what_happened_in_shanghai_time() {
    use warm_kiosk::sync::Link;
    let dir = tempfile::tempdir().unwrap();
    let mut config = warm_kiosk::config::Config::default();
    config.sync.hub_url = "http://127.0.0.1:9".into();
    config.sync.token = "wmt_x".into();
    let mut ctx = warm_kiosk::kiosk::context(config, dir.path()).unwrap();
    let now: jiff::Timestamp = "2026-11-29T08:00:00Z".parse().unwrap();
    ctx.clock = Arc::new(move || now);
    let mut app = App::new(ctx);
    let status = |link, orders_waiting, needs_help| sync::SyncStatus {
        configured: true,
        online: matches!(link, Link::Online | Link::Unstable),
        link,
        waiting: orders_waiting,
        orders_waiting,
        delivered_at: Some("2026-11-29T02:42:00Z".parse().unwrap()),
        needs_help,
        ..sync::SyncStatus::default()
    };
    let sees = |app: &App, text: &str| {
        let mut ui =
            iced_test::Simulator::with_size(warm_kiosk::kiosk::settings(), warm_kiosk::ui::REFERENCE_SIZE, app.view());
        ui.find(text).is_ok()
    };
    let _ = app.update(Message::Sync(SyncMsg::Status(status(Link::Online, 0, false))));
    assert!(sees(&app, "● 已联网 · 订单都已送达"));
    assert!(sees(&app, "订单已送达 10:42"), "02:42 UTC is 10:42 in Shanghai");
    let _ = app.update(Message::Sync(SyncMsg::Status(status(Link::Unstable, 2, false))));
    assert!(sees(&app, "◐ 网络不稳 · 2 笔订单待送达"), "some requests fail but work gets through");
    let _ = app.update(Message::Sync(SyncMsg::Status(status(Link::Offline, 3, false))));
    assert!(sees(&app, "○ 未联网 · 3 笔订单待送达"));
    assert!(sees(&app, "上次送达 10:42"), "with orders waiting, the last delivery, not a claim all arrived");
    let _ = app.update(Message::Sync(SyncMsg::Status(status(Link::Offline, 3, true))));
    assert!(sees(&app, "！合作社拒收，请联系云小二 · 3 笔订单待送达"));
    let _ = app.update(Message::SwitchLanguage);
    assert!(sees(&app, "! Refused: call the co-op · 3 orders to send"));
    assert!(sees(&app, "Last sent 10:42"));
}
