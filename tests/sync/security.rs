//! Issue 13 against real `warm-hub` and `warm-kiosk` processes: HTTPS both ways with a CA made
//! here, half-open connections, bad pushes, revoked tokens, a 413 loop, pictures outside the
//! catalog folder, and a kiosk restored from a backup beside live clones.

use crate::support::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

/// A CA and a certificate it signed for 127.0.0.1 and localhost: (CA PEM, chain PEM, key PEM).
fn certificates() -> (String, String, String) {
    crate::support::certificates(&["127.0.0.1", "localhost"])
}

#[test]
fn https_sync_trusts_the_coops_ca_and_refuses_a_wrong_one_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates();
    let (other_ca, _, _) = certificates();
    let ca = write(&dir.path().join("ca.pem"), &ca);
    let other_ca = write(&dir.path().join("other-ca.pem"), &other_ca);
    let cert = write(&dir.path().join("hub.crt"), &cert);
    let key = write(&dir.path().join("hub.key"), &key);
    let config = write(
        &dir.path().join("hub.toml"),
        &format!("[tls]\ncert_file = {:?}\nkey_file = {:?}\n", cert.display().to_string(), key.display().to_string()),
    );
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start_with(&hub_dir, Some(&config));
    assert_eq!(hub.scheme, "https");
    let ca_line = |ca: &Path| format!("{}ca_file = {:?}", knobs(100), ca.display().to_string());
    let kiosk = Kiosk::with_sync(&dir.path().join("k1"), "K1", &hub.url(), &token, &ca_line(&other_ca));
    let total = kiosk.make_orders(20);

    // A certificate from another CA (a hub impostor, or a wrong ca_file): refused, in words.
    let (ok, out) = kiosk.sync_once();
    assert!(!ok && out.contains("does not trust") && out.contains("ca_file"), "{out}");
    assert_eq!(kiosk.waiting(), 20, "nothing was sent");
    // The corner (and `sync status`) says it is the certificate, not a refusal of the orders.
    let corner = |status: &warm_kiosk::sync::SyncStatus| {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        warm_kiosk::sync::corner_lines(status, warm_core::domain::Lang::Zh, &tz, jiff::Timestamp::now())
    };
    let status = kiosk.status();
    assert!(status.untrusted && status.needs_help, "{status:?}");
    assert!(corner(&status)[0].starts_with("！合作社证书不可信"), "{:?}", corner(&status));
    // The system's roots do not know the co-op's CA either.
    kiosk.write_config(&hub.url(), &token, &knobs(100));
    let (ok, out) = kiosk.sync_once();
    assert!(!ok && out.contains("does not trust"), "{out}");

    kiosk.write_config(&hub.url(), &token, &ca_line(&ca));
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(hub_totals(&hub_dir, "K1"), (20, 20, 20, total));
    assert_eq!(kiosk.waiting(), 0);
    let status = kiosk.status();
    assert!(!status.untrusted && !status.needs_help, "{status:?}");
    assert!(corner(&status)[0].contains("订单都已送达"), "{:?}", corner(&status));

    // Plain HTTP to the HTTPS port gets nothing stored; the operator's cookie is Secure.
    let plain = agent(None).get(&format!("http://{}/v1/health", hub.addr)).call();
    assert!(plain.is_err() || plain.unwrap().status().as_u16() != 200);
    let (cookie, set) = sign_in(&hub_dir, &hub.url(), "desk", Some(&ca));
    assert!(set.contains("Secure") && set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    assert_eq!(get_signed_in(&format!("{}/v1/dashboard", hub.url()), &cookie, Some(&ca)).0, 200);
}

#[test]
fn plain_http_is_served_on_loopback_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(hub_binary())
        .arg("--data")
        .arg(dir.path())
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("loopback only") && err.contains("[tls]"), "{err}");
}

/// A connection from another loopback address than the flood's (Linux routes all of 127/8 to lo),
/// as a kiosk elsewhere in the market would connect.
fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    let stream = runtime
        .block_on(async {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(format!("{source}:0").parse().unwrap())?;
            socket.connect(to).await
        })
        .unwrap()
        .into_std()
        .unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// `GET /v1/health` on a fresh connection from `source`: the status line and how long it took.
fn health_from(source: &str, to: SocketAddr) -> (String, Duration) {
    let start = Instant::now();
    let mut s = connect_from(source, to);
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(b"GET /v1/health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    (answer.lines().next().unwrap_or("").to_owned(), start.elapsed())
}

/// Whether the hub has closed this connection (end of stream or reset, after any answer).
fn closed_by_hub(s: &TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let mut buf = [0u8; 512];
    let mut reader = s;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// The test process holds a thousand sockets: raise its soft limit of open files (to the hard
/// limit) with util-linux `prlimit` where the default is as low as 1,024.
fn room_for_sockets() {
    let _ = std::process::Command::new("prlimit")
        .args(["--pid", &std::process::id().to_string(), "--nofile=8192:"])
        .output();
    let _ = std::process::Command::new("prlimit")
        .args(["--pid", &std::process::id().to_string(), "--nofile=unlimited:"])
        .output();
}

/// Finding 2: 1,200 connections that each sent half a request head were all still open 36 s
/// later, and a service's 1,024 files ran out. Now a client may hold 64 connections (the rest are
/// closed at once), each closes after the header timeout (2 s here), a silent one too, and the
/// hub answers others meanwhile.
#[test]
fn half_open_connections_are_closed_within_the_timeout_while_health_answers() {
    room_for_sockets();
    let dir = tempfile::tempdir().unwrap();
    let config = write(&dir.path().join("hub.toml"), "[limits]\nheader_timeout_seconds = 2\n");
    let hub = Hub::start_with(&dir.path().join("hub"), Some(&config));
    let half = b"GET /v1/health HTTP/1.1\r\nHost: hub\r\nX-Slow: ";
    let mut flood: Vec<TcpStream> = Vec::with_capacity(1000);
    let mut slowest = Duration::ZERO;
    for i in 0..1000 {
        let mut s = TcpStream::connect(hub.addr).unwrap();
        let _ = s.write_all(half); // a connection over the cap may be closed already
        flood.push(s);
        if i % 100 == 99 {
            let (status, took) = health_from("127.0.0.2", hub.addr);
            assert_eq!(status, "HTTP/1.1 200 OK", "health after {} half-open connections", i + 1);
            slowest = slowest.max(took);
        }
    }
    let silent: Vec<TcpStream> = (0..10).map(|_| connect_from("127.0.0.3", hub.addr)).collect();
    let opened = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let still_open = flood.iter().filter(|s| !closed_by_hub(s)).count();
    assert!(still_open <= 64, "{still_open} of one client's connections held (at most 64)");
    while opened.elapsed() < Duration::from_secs(4) {
        let (status, took) = health_from("127.0.0.2", hub.addr);
        assert_eq!(status, "HTTP/1.1 200 OK");
        slowest = slowest.max(took);
        std::thread::sleep(Duration::from_millis(100));
    }
    // A generous deadline for a loaded 2-core machine (the issue's figure is 100 ms).
    assert!(slowest < Duration::from_secs(2), "health took {slowest:?}");
    eprintln!("slowest health answer during the flood: {slowest:?}");
    let open: usize = flood.iter().chain(&silent).filter(|s| !closed_by_hub(s)).count();
    assert_eq!(open, 0, "connections still open {:?} after the last was opened", opened.elapsed());
}

fn post(url: &str, token: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut req = agent(None).post(url).header("authorization", &format!("Bearer {token}"));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut resp = req.send(&body[..]).unwrap();
    let status = resp.status().as_u16();
    (status, serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap_or_default())
}

fn event(seq: u64, kind: &str, payload: serde_json::Value) -> serde_json::Value {
    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    serde_json::json!({"id": uuid::Uuid::now_v7(), "seq": seq, "kind": kind, "created_at": now, "payload": payload})
}

/// Finding 3, and the KNOWN-DEFECTS envelope list: each refused 400 with its reason, nothing
/// stored, and the dashboard still answers.
#[test]
fn bad_pushes_are_refused_with_the_reason_and_the_dashboard_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let url = format!("{}/v1/terminals/K1/events", hub.url());
    let order = |price: i64, qty: i64| serde_json::json!({"lines": [{"unit_price": price, "qty": qty}]});
    let push = |events: Vec<serde_json::Value>| serde_json::to_vec(&serde_json::json!({ "events": events })).unwrap();
    let mut v4 = event(1, "order.placed", order(1, 1));
    v4["id"] = serde_json::json!("0193c7a4-0000-4000-8000-000000000001");
    let mut year = event(1, "order.placed", order(1, 1));
    year["created_at"] = serde_json::json!("9999-01-01T00:00:00Z");
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: Vec<(Vec<u8>, Headers, &str)> = vec![
        (push(vec![event(1, "order.placed", order(-500, 1))]), &[], "negative"),
        (
            push(vec![event(1, "order.placed", order(i64::MAX, 1)), event(2, "order.placed", order(i64::MAX, 1))]),
            &[],
            "over",
        ),
        (push(vec![event(1, "order.placed", order(100, 0))]), &[], "qty 0"),
        (push(vec![v4]), &[], "UUIDv7"),
        (push(vec![year]), &[], "created_at"),
        (push(vec![event(1, &"k".repeat(100_000), order(1, 1))]), &[], "kind"),
        (push(vec![event(1, "order.placed", order(1, 1))]), &[("content-encoding", "gzip")], "Content-Encoding"),
    ];
    for (body, headers, says) in cases {
        let (status, refusal) = post(&url, &token, body, headers);
        assert_eq!(status, 400, "{refusal}");
        assert!(refusal["message"].as_str().unwrap_or("").contains(says), "{refusal} should say {says}");
    }
    let resp = agent(None)
        .get(&format!("{}/v1/terminals/K1/catalog?cursor={}", hub.url(), 1u64 << 63))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400, "a cursor of 2^63 is no catalog version");
    assert_eq!(hub_totals(&hub_dir, "K1").0, 0, "nothing stored");

    assert_eq!(post(&url, &token, push(vec![event(1, "order.placed", order(250, 2))]), &[]).0, 200);
    let (cookie, _) = sign_in(&hub_dir, &hub.url(), "desk", None);
    let (status, json) = get_signed_in(&format!("{}/v1/dashboard", hub.url()), &cookie, None);
    assert_eq!(status, 200, "{json}");
    // What the order came to (sales count payments since issue 11, and none was recorded).
    assert!(json.contains(r#""ordered_fen":500"#), "{json}");
    let (status, html) = get_signed_in(&format!("{}/", hub.url()), &cookie, None);
    assert!(status == 200 && html.contains("￥5.00"), "{html}");
}

/// Finding 5: a lost or copied kiosk's token stops working at once; a new one replaces it.
#[test]
fn a_revoked_terminal_gets_401_on_its_next_push_and_a_rotated_token_works() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 100);
    let mut total = kiosk.make_orders(3);
    assert!(kiosk.sync_once().0);
    let said = hub_cli(&hub_dir, &["terminal", "revoke", "K1"]);
    assert!(said.contains("revoked"), "{said}");
    total += kiosk.make_orders(2);
    let (ok, out) = kiosk.sync_once();
    assert!(!ok && out.contains("401"), "{out}");
    assert_eq!(kiosk.waiting(), 2);
    assert!(hub_cli(&hub_dir, &["terminal", "list"]).contains("token revoked"));
    let new = hub_cli(&hub_dir, &["terminal", "rotate", "K1"]).trim().to_owned();
    assert!(new.starts_with("wmt_") && new != token);
    kiosk.write_config(&hub.url(), &new, &knobs(100));
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(hub_totals(&hub_dir, "K1"), (5, 5, 5, total));
}

/// Finding 6: a hub taking smaller bodies than the kiosk sends. Pushes halve until they pass and
/// the outbox drains; one event alone too large is said plainly (and waits), not retried blindly.
#[test]
fn a_413_shrinks_the_pushes_until_the_outbox_drains_and_one_event_too_large_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(&dir.path().join("hub.toml"), "max_body_bytes = 4096\n");
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start_with(&hub_dir, Some(&config));
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 5000);
    let total = kiosk.make_orders(200);
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(kiosk.waiting(), 0);
    assert_eq!(hub_totals(&hub_dir, "K1"), (200, 200, 200, total));

    let store = kiosk.store();
    let seq: i64 = store
        .connection()
        .query_row("UPDATE counters SET value = value + 1 WHERE name = 'event_seq' RETURNING value", [], |r| r.get(0))
        .unwrap();
    let big = serde_json::json!({"note": "x".repeat(8000)}).to_string();
    store
        .connection()
        .execute(
            "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, 'note', ?3, '2026-11-29T08:00:00.000Z')",
            rusqlite::params![seq, uuid::Uuid::now_v7().to_string(), big],
        )
        .unwrap();
    kiosk.make_orders(3);
    let (ok, out) = kiosk.sync_once();
    assert!(!ok && out.contains(&format!("event #{seq} alone is larger")) && out.contains("max_body_bytes"), "{out}");
    assert_eq!(kiosk.waiting(), 4, "nothing dropped");
    assert_eq!(hub_totals(&hub_dir, "K1").0, 200);
}

/// Finding 7: the catalog import followed any path and served the file to every terminal.
#[test]
fn a_picture_path_outside_the_catalog_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    add_terminal(&hub_dir, "K1", "M1");
    let folder = dir.path().join("catalog");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("c.png"), b"png").unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"the co-op's secrets").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), folder.join("link.png")).unwrap();
    let catalog = |picture: &str| {
        format!(
            "market_name_zh = \"测试\"\nmarket_name_en = \"Test\"\n\
             [[category]]\nid = \"c\"\nname_zh = \"粮油\"\nname_en = \"Grain\"\npicture = \"c.png\"\n\
             [[product]]\nid = \"rice\"\ncategory = \"c\"\nname_zh = \"大米\"\nname_en = \"Rice\"\n\
             spec_zh = \"5公斤\"\nspec_en = \"5 kg\"\nunit_zh = \"袋\"\nunit_en = \"bag\"\n\
             price_fen = 3990\nean13 = \"6901234567892\"\npicture = {picture:?}\n"
        )
    };
    let mut pictures = vec!["../secret.txt", "/etc/hostname"];
    if cfg!(unix) {
        pictures.push("link.png");
    }
    for picture in pictures {
        let file = write(&folder.join("catalog.toml"), &catalog(picture));
        let out = std::process::Command::new(hub_binary())
            .arg("--data")
            .arg(&hub_dir)
            .args(["catalog", "import", file.to_str().unwrap()])
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("catalog's folder"), "{picture}: {err}");
    }
    let products: i64 = hub_db(&hub_dir).query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
    let pictures: i64 = hub_db(&hub_dir).query_row("SELECT count(*) FROM pictures", [], |r| r.get(0)).unwrap();
    assert_eq!((products, pictures), (0, 0));
    let file = write(&folder.join("catalog.toml"), &catalog("c.png"));
    hub_cli(&hub_dir, &["catalog", "import", file.to_str().unwrap()]);
}

/// Finding 9: a kiosk put back from an older backup reused numbers the hub held and was refused
/// forever. Now it recovers every order exactly once; the copy it was made from, still alive,
/// and two live copies of another terminal, stay refused (409 and an alarm) and lose nothing.
#[test]
fn a_restored_kiosk_recovers_all_its_orders_once_and_live_clones_still_get_409() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let token2 = add_terminal(&hub_dir, "K2", "M1");
    let hub = Hub::start(&hub_dir);
    let pause = || std::thread::sleep(Duration::from_millis(20));
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 100);
    let mut total = kiosk.make_orders(10);
    let backup = dir.path().join("backup.sqlite");
    kiosk.snapshot(&backup);
    assert!(kiosk.sync_once().0);
    total += kiosk.make_orders(5);
    assert!(kiosk.sync_once().0);
    assert_eq!(hub_totals(&hub_dir, "K1").0, 15);
    // The old disk lives on as a copy (to come back later as a live clone).
    let old_copy = dir.path().join("old.sqlite");
    kiosk.snapshot(&old_copy);
    let old = Kiosk::new(&dir.path().join("old"), "K1", &hub.url(), &token, 100);
    old.restore(&old_copy);

    // The disk dies; the backup is put back, and the market goes on selling.
    kiosk.restore(&backup);
    pause();
    total += kiosk.make_orders(4);
    let (ok, out) = kiosk.sync_once();
    assert!(ok, "{out}");
    assert_eq!(kiosk.waiting(), 0);
    assert_eq!(hub_totals(&hub_dir, "K1"), (19, 19, 19, total), "every order once");
    let alarms = open_alarms(&hub_dir);
    assert!(alarms.iter().any(|a| a.starts_with("restored:")), "{alarms:?}");
    assert!(kiosk.sync_once().0, "and nothing more next time");
    assert_eq!(hub_totals(&hub_dir, "K1").0, 19);
    total += kiosk.make_orders(1);
    assert!(kiosk.sync_once().0);
    assert_eq!(hub_totals(&hub_dir, "K1"), (20, 20, 20, total));

    // The old copy wakes up and sells: refused, with an alarm; its order stays in its outbox.
    old.make_orders(1);
    let (ok, out) = old.sync_once();
    assert!(!ok && out.contains("409") && out.contains("another kiosk copy"), "{out}");
    assert_eq!(old.waiting(), 1);
    assert_eq!(hub_totals(&hub_dir, "K1").0, 20);

    // Two live copies of K2 selling side by side: the one that syncs second is refused.
    let a = Kiosk::new(&dir.path().join("a"), "K2", &hub.url(), &token2, 100);
    a.make_orders(2);
    assert!(a.sync_once().0);
    let copy = dir.path().join("a.sqlite");
    a.snapshot(&copy);
    let b = Kiosk::new(&dir.path().join("b"), "K2", &hub.url(), &token2, 100);
    b.restore(&copy);
    pause();
    b.make_orders(1);
    pause();
    a.make_orders(1);
    assert!(a.sync_once().0);
    let (ok, out) = b.sync_once();
    assert!(!ok && out.contains("409") && out.contains("two kiosks"), "{out}");
    assert_eq!(b.waiting(), 1, "nothing dropped");
    assert_eq!(hub_totals(&hub_dir, "K2").0, 3);
    let alarms = open_alarms(&hub_dir);
    assert!(alarms.iter().filter(|a| a.starts_with("conflict:")).count() >= 2, "{alarms:?}");
}
