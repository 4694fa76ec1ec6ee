//! Sync on a bad network (issue 16), with real `warm-hub` and `warm-kiosk sync run` processes
//! behind the fault proxy: 10 % of requests and 30 % of responses lost, 5 % resets.
//!
//! "Within two intervals" below is a deadline for failing, with the margins a loaded 2-core CI
//! machine needs, not a speed measurement: a push is woken by new events and retried within the
//! pass, so on this link an order usually arrives in well under a second.

use crate::support::*;
use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;
use warm_core::domain::Lang;
use warm_kiosk::sync::{Link, corner_lines};

const INTERVAL: u64 = 5;

on_both_engines! {
    fn orders_reach_the_hub_within_two_intervals_while_the_catalog_pull_keeps_failing(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = hub_with_demo_catalog(&hub_dir, dir.path());
        let hub = Hub::start(&hub_dir);
        let faults = Faults { fail_path: Some("/catalog"), ..Faults::LOSSY };
        let proxy = Proxy::start(hub.addr, faults, 16);
        // The default back-off (up to 300 s): a failing pull must not hold pushes back at all.
        let knobs = format!("interval_seconds = {INTERVAL}\nmax_backoff_seconds = 300\ntimeout_seconds = 5\n");
        let kiosk = Kiosk::with_sync(&dir.path().join("k1"), "K1", &proxy.url(), &token, &knobs);
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let mut sync = kiosk.spawn_sync();
        let mut rng = fastrand::Rng::with_seed(16);
        let (orders, mut total, mut kills, mut unstable_seen) = (30, 0, 0, 0);
        for n in 1..=orders {
            let placed = Timestamp::now();
            total += kiosk.make_orders(1);
            if n % 6 == 0 {
                // kill -9 right after the commit: the order must still arrive, once.
                sync.kill();
                kills += 1;
                sync = kiosk.spawn_sync();
            }
            eventually(Duration::from_secs(2 * INTERVAL), &format!("order {n} reaches the hub"), || {
                hub_totals(&hub_dir, "K1").0 == n
            });
            // Once the kiosk has heard the hub acknowledge it, it must not call itself offline.
            eventually(Duration::from_secs(60), &format!("the kiosk hears order {n} arrived"), || {
                kiosk.status().delivered_at.is_some_and(|at| at > placed)
            });
            let status = kiosk.status();
            let corner = corner_lines(&status, Lang::Zh, &tz, Timestamp::now());
            assert!(status.link != Link::Offline && !corner[0].contains("未联网"), "order {n}: {status:?} {corner:?}");
            let cli = kiosk.sync_status();
            assert!(!cli.contains("offline") && !cli.contains("未联网"), "order {n}: {cli}");
            unstable_seen += usize::from(status.link == Link::Unstable && corner[0].contains("网络不稳"));
            std::thread::sleep(Duration::from_millis(rng.u64(0..400)));
        }
        sync.kill();
        let n = orders;
        assert_eq!(hub_totals(&hub_dir, "K1"), (n, n, n, total), "every order once");
        assert!(open_alarms(&hub_dir).is_empty(), "{:?}", open_alarms(&hub_dir));
        assert_eq!(kiosk.waiting(), 0);
        let s = &proxy.stats;
        let failed_pulls = s.failed_path.load(Ordering::SeqCst);
        assert!(failed_pulls > 0, "the catalog pull never failed");
        assert!(s.dropped_requests.load(Ordering::SeqCst) > 0 && s.dropped_responses.load(Ordering::SeqCst) > 0);
        assert!(kiosk.store().synced_catalog().unwrap().is_none(), "no catalog page ever got through");
        assert!(unstable_seen > 0, "a link where the pull always fails and pushes pass is unstable");
        let status = kiosk.status();
        assert!(status.problem.as_deref().is_some_and(|p| p.contains("cannot be reached")), "{status:?}");
        assert!(status.bytes_sent > 0 && status.bytes_received > 0, "{status:?}");
        eprintln!(
            "{n} orders, {kills} kills; {failed_pulls} catalog requests failed; {} requests and {} responses lost; \
             {} bytes sent, {} received",
            s.dropped_requests.load(Ordering::SeqCst),
            s.dropped_responses.load(Ordering::SeqCst),
            status.bytes_sent,
            status.bytes_received
        );
    }
}

on_both_engines! {
    fn a_fresh_kiosk_converges_to_the_catalog_behind_a_lossy_link_fetching_nothing_twice(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = hub_with_demo_catalog(&hub_dir, dir.path());
        let hub = Hub::start(&hub_dir);
        let proxy = Proxy::start(hub.addr, Faults::LOSSY, 61);
        // Small pages, so a page is applied as soon as its own pictures are in (and progress shows).
        let knobs = "interval_seconds = 2\nmax_backoff_seconds = 300\ntimeout_seconds = 5\ncatalog_page = 10\n";
        let kiosk = Kiosk::with_sync(&dir.path().join("k1"), "K1", &proxy.url(), &token, knobs);
        let mut sync = kiosk.spawn_sync();
        let demo = warm_kiosk::demo::catalog().unwrap().catalog;
        let rice = demo.products[0].clone();
        eventually(Duration::from_secs(180), "every product and picture of the hub", || {
            has_demo_catalog(&kiosk, rice.price.as_fen())
        });
        hub_cli(&hub_dir, &["price", "--market", "M1", &rice.id.0, "1999"]);
        eventually(Duration::from_secs(120), "the price change", || has_demo_catalog(&kiosk, 1999));

        // Cut the link and let the kiosk record two passes after the cut: every byte it was given is
        // then counted in its store.
        proxy.cut(true);
        let cut_at = Timestamp::now();
        let mut records = Vec::new();
        eventually(Duration::from_secs(120), "two passes recorded after the cut", || {
            let store = warm_kiosk::store::Store::open_read_only(&kiosk.store_path()).unwrap().unwrap();
            if let Some(r) = warm_kiosk::sync::SyncStatus::link_record(&store).unwrap()
                && r.at > cut_at
                && !records.contains(&r.at)
            {
                records.push(r.at);
            }
            records.len() >= 2
        });
        sync.kill();

        let s = &proxy.stats;
        let delivered = s.delivered();
        let mut times: HashMap<&str, usize> = HashMap::new();
        for (path, len) in &delivered {
            // An empty page ("nothing new") is asked every interval; a page with changes and a
            // picture are fetched once.
            if path.contains("/pictures/") || *len > 100 {
                *times.entry(path.as_str()).or_default() += 1;
            }
        }
        let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "downloaded more than once: {twice:?}");
        let pictures = times.keys().filter(|p| p.contains("/pictures/")).count();
        let hashes: std::collections::HashSet<&String> =
            demo.products.iter().map(|p| &p.picture).chain(demo.categories.iter().map(|c| &c.picture)).collect();
        assert_eq!(pictures, hashes.len(), "each picture once");
        let status = kiosk.status();
        assert_eq!(status.bytes_received, s.delivered_body_bytes(), "the kiosk counts every body byte it was given");
        assert_eq!(status.bytes_sent, s.request_body_bytes.load(Ordering::SeqCst), "and every one it sent");
        assert!(s.dropped_requests.load(Ordering::SeqCst) > 0 && s.dropped_responses.load(Ordering::SeqCst) > 0);
        eprintln!(
            "{} responses delivered ({} bytes), {} requests and {} responses lost",
            delivered.len(),
            status.bytes_received,
            s.dropped_requests.load(Ordering::SeqCst),
            s.dropped_responses.load(Ordering::SeqCst)
        );
    }
}
