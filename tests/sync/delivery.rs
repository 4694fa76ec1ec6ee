//! Orders made offline reach the hub exactly once: in bulk, through kill -9 of either side, and
//! when an old copy of the kiosk's database comes back.

use crate::support::*;
use std::time::Duration;

on_both_engines! {
    fn ten_thousand_offline_orders_reach_the_hub_exactly_once(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = add_terminal(&hub_dir, "K1", "M1");
        let hub = Hub::start(&hub_dir);
        let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 2000);
        let total = kiosk.make_orders(10_000);
        assert_eq!(kiosk.waiting(), 10_000);
        assert!(kiosk.sync_status().contains("events waiting:    10000"));

        let (ok, out) = kiosk.sync_once();
        assert!(ok, "{out}");
        assert!(out.contains("10000 events stored at the hub, 0 already there"), "{out}");
        assert_eq!(kiosk.waiting(), 0);
        assert_eq!(hub_totals(&hub_dir, "K1"), (10_000, 10_000, 10_000, total));

        // Nothing left to send: a second round sends nothing and stores nothing.
        let (ok, out) = kiosk.sync_once();
        assert!(ok && out.contains("0 events stored at the hub, 0 already there"), "{out}");
        assert_eq!(hub_totals(&hub_dir, "K1").0, 10_000);
        let status = kiosk.sync_status();
        assert!(status.contains("events waiting:    0") && !status.contains("last sync:         never"), "{status}");
        assert!(open_alarms(&hub_dir).is_empty());
    }
}

on_both_engines! {
    fn kill_9_of_the_hub_and_of_the_sync_at_random_moments_loses_and_duplicates_nothing(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = add_terminal(&hub_dir, "K1", "M1");
        let mut hub = Hub::start(&hub_dir);
        // The kiosk keeps one address; the hub comes back on a new port behind it.
        let proxy = Proxy::start(hub.addr, Faults::NONE, 7);
        let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &proxy.url(), &token, 40);
        let mut sync = kiosk.spawn_sync();
        // Never two syncs of one terminal at once: while the loop runs, `sync once` is refused.
        eventually(Duration::from_secs(30), "the loop holds the lock", || {
            kiosk.sync_status().contains("sync loop running: yes")
        });
        let (ok, out) = kiosk.sync_once();
        assert!(!ok && out.contains("another sync of this terminal is running"), "{out}");
        let mut rng = fastrand::Rng::with_seed(20221106);
        let mut total = 0;
        let mut orders = 0;
        let (mut hub_kills, mut sync_kills) = (0, 0);
        for round in 0..44 {
            let n = rng.usize(20..120);
            total += kiosk.make_orders(n);
            orders += n;
            std::thread::sleep(Duration::from_millis(rng.u64(0..250)));
            if round % 2 == 0 {
                hub.kill();
                hub_kills += 1;
                hub = Hub::start(&hub_dir);
                proxy.point_to(hub.addr);
            } else {
                sync.kill();
                sync_kills += 1;
                sync = kiosk.spawn_sync();
            }
        }
        assert!(hub_kills >= 20 && sync_kills >= 20);
        eventually(Duration::from_secs(120), "everything delivered", || {
            kiosk.waiting() == 0 && hub_totals(&hub_dir, "K1").0 == orders as i64
        });
        sync.kill();
        let n = orders as i64;
        assert_eq!(hub_totals(&hub_dir, "K1"), (n, n, n, total), "the two sides' totals differ");
        let local: (i64, i64) = kiosk
            .store()
            .connection()
            .query_row("SELECT count(*), sum(total_fen) FROM orders", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(local, (n, total));
        assert!(open_alarms(&hub_dir).is_empty(), "{:?}", open_alarms(&hub_dir));
    }
}

on_both_engines! {
    fn a_replayed_old_copy_of_the_kiosk_database_is_acknowledged_as_duplicate(engine: Engine) {
        let dir = tempfile::tempdir().unwrap();
        let hub_dir = HubHome::new(dir.path().join("hub"), engine);
        let token = add_terminal(&hub_dir, "K1", "M1");
        let hub = Hub::start(&hub_dir);
        let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 50);
        let total = kiosk.make_orders(120);
        let old = dir.path().join("old-copy.sqlite");
        kiosk.snapshot(&old);
        total_after(&kiosk, &hub_dir, 120, total);
        let total = total + kiosk.make_orders(30);
        total_after(&kiosk, &hub_dir, 150, total);

        kiosk.restore(&old);
        assert_eq!(kiosk.waiting(), 120);
        let (ok, out) = kiosk.sync_once();
        assert!(ok, "{out}");
        assert!(out.contains("0 events stored at the hub, 120 already there"), "{out}");
        assert_eq!(kiosk.waiting(), 0);
        assert_eq!(hub_totals(&hub_dir, "K1"), (150, 150, 150, total));
        assert!(open_alarms(&hub_dir).is_empty());
    }
}

fn total_after(kiosk: &Kiosk, hub_dir: &HubHome, n: i64, total: i64) {
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(hub_totals(hub_dir, "K1"), (n, n, n, total));
}
