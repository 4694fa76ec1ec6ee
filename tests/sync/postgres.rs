//! The hub on PostgreSQL with real processes: two `warm-hub serve` processes on one database
//! behind a round-robin proxy, each killed -9 again and again while three kiosks push; and an
//! embedded hub's SQLite file moved into PostgreSQL with `warm-hub migrate --from-sqlite`, its
//! kiosk syncing on as if nothing happened.

use crate::support::*;
use std::time::Duration;

#[test]
fn two_hub_processes_on_one_database_killed_in_turn_store_every_event_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let home = HubHome::new(dir.path().join("hub"), Engine::Postgres);
    let terminals = ["K1", "K2", "K3"];
    let tokens: Vec<String> = terminals.iter().map(|t| add_terminal(&home, t, "M1")).collect();
    let mut hubs = [Hub::start(&home), Hub::start(&home)];
    // Each request to the next hub in turn: a kiosk's two pushes on their way reach both.
    let proxy = Proxy::round_robin(hubs.iter().map(|h| h.addr).collect(), Faults::NONE, 15);
    let kiosks: Vec<Kiosk> = terminals
        .iter()
        .zip(&tokens)
        .map(|(t, token)| Kiosk::new(&dir.path().join(t), t, &proxy.url(), token, 60))
        .collect();
    // 10,000 orders in all: a third made offline before any sync, the rest while the hubs die.
    let mut totals = [0i64; 3];
    let mut orders = [0usize; 3];
    for (k, kiosk) in kiosks.iter().enumerate() {
        totals[k] += kiosk.make_orders(1000);
        orders[k] += 1000;
    }
    let _syncs: Vec<Killed> = kiosks.iter().map(Kiosk::spawn_sync).collect();
    let mut rng = fastrand::Rng::with_seed(20220506);
    for round in 0..20 {
        let k = round % 3;
        let n = 7000 / 20;
        totals[k] += kiosks[k].make_orders(n);
        orders[k] += n;
        std::thread::sleep(Duration::from_millis(rng.u64(50..300)));
        let victim = round % 2;
        hubs[victim].kill();
        hubs[victim] = Hub::start(&home);
        proxy.replace(victim, hubs[victim].addr);
    }
    assert_eq!(orders.iter().sum::<usize>(), 10_000);
    eventually(Duration::from_secs(180), "every kiosk's outbox delivered", || kiosks.iter().all(|k| k.waiting() == 0));
    for (k, t) in terminals.iter().enumerate() {
        let n = orders[k] as i64;
        // (events, distinct ids, highest seq, total): equal counts and highest seq mean no gap.
        assert_eq!(hub_totals(&home, t), (n, n, n, totals[k]), "terminal {t}");
        assert_eq!(home.store().high_seq(t).unwrap(), orders[k] as u64);
    }
    assert!(open_alarms(&home).is_empty(), "{:?}", open_alarms(&home));
}

#[test]
fn an_embedded_hub_moved_into_postgres_keeps_its_kiosks_syncing_with_no_resend_and_no_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let old = HubHome::new(dir.path().join("hub"), Engine::Sqlite);
    let token = add_terminal(&old, "K1", "M1");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/catalog.toml");
    hub_cli(&old, &["catalog", "import", catalog]);
    let mut hub = Hub::start(&old);
    let proxy = Proxy::start(hub.addr, Faults::NONE, 1);
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &proxy.url(), &token, 200);
    let mut total = kiosk.make_orders(500);
    let (ok, out) = kiosk.sync_once();
    assert!(ok && out.contains("500 events stored"), "{out}");
    hub_cli(&old, &["price", "--market", "M1", "rice-5kg", "1999"]);
    hub.kill();
    let before = old.store().census().unwrap();

    let new = HubHome::new(dir.path().join("hub-pg"), Engine::Postgres);
    let sqlite_file = old.dir.join("hub.sqlite");
    let out = hub_cli(&new, &["migrate", "--from-sqlite", sqlite_file.to_str().unwrap()]);
    assert!(out.contains("1 terminal (") && out.contains("500 events") && out.contains("counts checked"), "{out}");
    assert_eq!(new.store().census().unwrap(), before);
    let again = std::process::Command::new(hub_binary())
        .args(new.args())
        .args(["migrate", "--from-sqlite", sqlite_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a hub"));

    // The kiosk keeps its address and token; behind it the hub is now PostgreSQL.
    hub = Hub::start(&new);
    proxy.point_to(hub.addr);
    total += kiosk.make_orders(120);
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert!(out.contains("120 events stored at the hub, 0 already there"), "{out}");
    // Only the price change made before the move is new to the kiosk; the cursor carried over.
    assert!(out.contains("1 catalog changes"), "{out}");
    assert_eq!(hub_totals(&new, "K1"), (620, 620, 620, total));
    assert!(open_alarms(&new).is_empty(), "{:?}", open_alarms(&new));
    drop(hub);
}
