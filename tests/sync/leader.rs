//! Building leaders' daily goods list (issue 10): set, shown and cleared with the operator's
//! `warm-hub daily-list` on a real hub, pulled by a kiosk's catalog pull into its store.

use crate::support::*;
use warm_core::domain::DailyItem;

/// An operator command expected to fail: (success, what it said on both streams).
fn hub_cli_status(hub_dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let (ok, out, err) = hub_cli_input(hub_dir, args, "");
    (ok, format!("{out}{err}"))
}

#[test]
fn the_daily_list_set_at_the_hub_reaches_the_kiosk_and_a_clear_empties_it() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let k1 = hub_with_demo_catalog(&hub_dir, dir.path());
    let file = dir.path().join("today.txt");
    std::fs::write(&file, "# 5月6日\nflour-2500g,12\nnoodles-1kg\n").unwrap();
    let out = hub_cli(&hub_dir, &["daily-list", "set", "--market", "M1", "rice-5kg=40", file.to_str().unwrap()]);
    assert!(out.contains("3 products"), "{out}");
    let shown = hub_cli(&hub_dir, &["daily-list", "show", "--market", "M1"]);
    assert!(shown.contains("rice-5kg,40\nflour-2500g,12\nnoodles-1kg,\n"), "{shown}");

    let hub = Hub::start(&hub_dir);
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &k1, 100);
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(
        kiosk.store().daily_list().unwrap(),
        [
            DailyItem { product: "rice-5kg".into(), available: Some(40) },
            DailyItem { product: "flour-2500g".into(), available: Some(12) },
            DailyItem { product: "noodles-1kg".into(), available: None },
        ]
    );

    // Cleared while the hub serves: the next round empties the kiosk's list.
    let cleared = hub_cli(&hub_dir, &["daily-list", "clear", "--market", "M1"]);
    assert!(cleared.contains("cleared"), "{cleared}");
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert!(kiosk.store().daily_list().unwrap().is_empty(), "the clear reached the kiosk");
}

#[test]
fn a_daily_list_naming_an_unknown_product_or_a_bad_count_is_refused_in_words_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    hub_with_demo_catalog(&hub_dir, dir.path());
    for (args, needle) in [
        (vec!["rice-5kg", "caviar-50g"], "caviar-50g"),
        (vec!["rice-5kg=lots"], "lots"),
        (vec!["rice-5kg", "rice-5kg=2"], "twice"),
    ] {
        let mut all = vec!["daily-list", "set", "--market", "M1"];
        all.extend(args);
        let (ok, out) = hub_cli_status(&hub_dir, &all);
        assert!(!ok && out.contains(needle) && out.contains("nothing"), "{out}");
    }
    let shown = hub_cli(&hub_dir, &["daily-list", "show", "--market", "M1"]);
    assert_eq!(shown.trim(), "product,available", "nothing was stored");
    let (ok, out) = hub_cli_status(&hub_dir, &["daily-list", "show", "--market", "M9"]);
    assert!(!ok && out.contains("M9"), "{out}");
}
