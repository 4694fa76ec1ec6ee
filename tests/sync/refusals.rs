//! What the hub refuses over real HTTP: a cloned terminal (409 and an alarm on the dashboard, seen
//! in headless Chromium after signing in), bad or foreign tokens, malformed JSON, oversize bodies.
//! Nothing stored.

use crate::support::*;
use std::process::Command;

#[test]
fn a_cloned_terminal_gets_409_and_an_alarm_on_the_dashboard() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &token, 100);
    let total = kiosk.make_orders(10);
    let copy = dir.path().join("copy.sqlite");
    kiosk.snapshot(&copy);
    assert!(kiosk.sync_once().0);

    // The clone has the same events, one with a different payload.
    let clone = Kiosk::new(&dir.path().join("clone"), "K1", &hub.url(), &token, 100);
    clone.restore(&copy);
    clone
        .store()
        .connection()
        .execute("UPDATE outbox SET payload = json_set(payload, '$.lines[0].qty', 99) WHERE seq = 5", [])
        .unwrap();
    let (ok, out) = clone.sync_once();
    assert!(!ok && out.contains("409") && out.contains("different content"), "{out}");
    assert_eq!(clone.waiting(), 10, "nothing is dropped on a refusal");

    // Another clone: a new event that reuses an id the hub has under another seq.
    let clone2 = Kiosk::new(&dir.path().join("clone2"), "K1", &hub.url(), &token, 100);
    clone2.restore(&copy);
    clone2.make_orders(1);
    clone2.store().connection().execute("DELETE FROM outbox WHERE seq <= 10", []).unwrap();
    let id3: String = kiosk_event_id(&copy, 3);
    clone2.store().connection().execute("UPDATE outbox SET id = ?1 WHERE seq = 11", [&id3]).unwrap();
    let (ok, out) = clone2.sync_once();
    assert!(!ok && out.contains("409") && out.contains("stored as K1#3"), "{out}");

    assert_eq!(hub_totals(&hub_dir, "K1"), (10, 10, 10, total), "the hub kept only the original's events");
    let alarms = open_alarms(&hub_dir);
    assert_eq!(alarms.len(), 2, "{alarms:?}");

    // Not signed in, a real browser is sent to the login page.
    let dom = chromium_dom(&hub.url(), dir.path());
    assert!(dom.contains(r#"<form id="login""#) && !dom.contains("Alarms"), "{dom}");
    // Signed in, the operator sees both alarms, and the market's orders, on the dashboard; the
    // page the hub served is rendered by the real browser.
    let (cookie, _) = sign_in(&hub_dir, &hub.url(), "desk", None);
    let (status, html) = get_signed_in(&format!("{}/", hub.url()), &cookie, None);
    assert_eq!(status, 200, "{html}");
    let page = dir.path().join("dashboard.html");
    std::fs::write(&page, html).unwrap();
    let dom = chromium_dom(&format!("file://{}", page.display()), dir.path());
    assert!(dom.contains(r#"<h2>警报 Alarms (2)</h2>"#), "{dom}");
    assert_eq!(dom.matches(r#"<tr class="alarm">"#).count(), 2, "{dom}");
    assert!(dom.contains("different content") && dom.contains("stored as K1#3"), "{dom}");
    assert!(dom.contains(r#"<tr data-market="M1"><td>M1</td><td class="num orders">10</td>"#), "{dom}");
    let yuan = format!("￥{}.{:02}", total / 100, total % 100);
    assert!(dom.contains(&yuan), "{yuan} not in {dom}");
}

fn kiosk_event_id(db: &std::path::Path, seq: i64) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT id FROM outbox WHERE seq = ?1", [seq], |r| r.get(0))
        .unwrap()
}

/// The page as headless Chromium renders it (Debian package `chromium`).
pub fn chromium_dom(url: &str, scratch: &std::path::Path) -> String {
    let profile = tempfile::tempdir_in(scratch).unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .output()
        .expect("chromium is needed for the dashboard test (apt-get install chromium)");
    assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn post(url: &str, token: Option<&str>, body: Vec<u8>) -> (u16, serde_json::Value) {
    let agent = ureq::Agent::new_with_config(ureq::Agent::config_builder().http_status_as_error(false).build());
    let mut req = agent.post(url).header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    match req.send(&body[..]) {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let text = resp.body_mut().read_to_string().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
        }
        // The hub may answer 413 and close before the whole body is sent.
        Err(e) => (0, serde_json::Value::String(e.to_string())),
    }
}

#[test]
fn bad_tokens_malformed_json_and_oversize_bodies_get_4xx_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let k1 = add_terminal(&hub_dir, "K1", "M1");
    let k2 = add_terminal(&hub_dir, "K2", "M2");
    let hub = Hub::start(&hub_dir);
    let url = format!("{}/v1/terminals/K1/events", hub.url());
    let kiosk = Kiosk::new(&dir.path().join("k1"), "K1", &hub.url(), &k1, 100);
    kiosk.make_orders(3);
    let valid =
        serde_json::to_vec(&warm_core::api::PushRequest { events: kiosk.store().outbox_head(10).unwrap() }).unwrap();

    let (status, body) = post(&url, None, valid.clone());
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized");
    assert_eq!(post(&url, Some("wmt_0000"), valid.clone()).0, 401);
    let (status, body) = post(&url, Some(&k2), valid.clone());
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")), "{body}");
    let (status, body) = post(&url, Some(&k1), b"{\"events\": [ {\"id\": ".to_vec());
    assert_eq!(status, 400, "{body}");
    assert!(body["message"].as_str().unwrap().contains("not a valid push"), "{body}");
    let (status, body) = post(&url, Some(&k1), br#"{"events": [{"seq": 1}]}"#.to_vec());
    assert_eq!(status, 400, "{body}");
    let mut huge = br#"{"events": [], "pad": ""#.to_vec();
    huge.extend(std::iter::repeat_n(b'x', 9 * 1024 * 1024));
    huge.extend(b"\"}");
    let (status, body) = post(&url, Some(&k1), huge);
    assert!(status == 413 || status == 0, "{status} {body}");
    if status == 413 {
        assert_eq!(body["error"], "too_large");
    }
    assert_eq!(hub_totals(&hub_dir, "K1").0, 0);
    assert_eq!(hub_totals(&hub_dir, "K2").0, 0);

    // The same valid batch with the right token is then stored, once.
    assert_eq!(post(&url, Some(&k1), valid.clone()).0, 200);
    assert_eq!(post(&url, Some(&k1), valid).0, 200);
    assert_eq!(hub_totals(&hub_dir, "K1").0, 3);
}

/// Sync errors say what to check next, and `sync status` still shows them afterwards.
#[test]
fn sync_errors_name_the_setting_to_check_and_sync_status_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = add_terminal(&hub_dir, "K1", "M1");
    let hub = Hub::start(&hub_dir);
    let knobs = "interval_seconds = 1\nmax_backoff_seconds = 1\ntimeout_seconds = 5\n";
    let check = |name: &str, url: &str, token: &str, says: &[&str]| {
        let kiosk = Kiosk::with_sync(&dir.path().join(name), "K1", url, token, knobs);
        kiosk.make_orders(1);
        let (ok, out) = kiosk.sync_once();
        assert!(!ok, "{out}");
        for words in says {
            assert!(out.contains(words), "{name}: {words:?} not in {out}");
        }
        assert!(!out.contains(" ): "), "{name}: an empty reason: {out}");
        let status = kiosk.sync_status();
        let problem = status.lines().find(|l| l.starts_with("problem:") && l.contains(says[0]));
        assert!(problem.is_some(), "{name}: sync status does not show the problem: {status}");
        assert_eq!(kiosk.waiting(), 1, "nothing is dropped");
    };
    // A `/v1` too many in hub_url: the hub's router answers 404 with an empty body.
    check("v1", &format!("{}/v1", hub.url()), &token, &["404", "[sync] hub_url", "without /v1"]);
    check("token", &hub.url(), "wmt_not_a_token", &["401", "[sync] token"]);
    // Nothing listens on this port any more.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{free}");
    check("refused", &url, &token, &["cannot be reached", "is the hub running", &url]);
}
