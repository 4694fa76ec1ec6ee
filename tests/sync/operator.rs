//! The co-op operator's tools (`warm-hub` commands) as a volunteer at the desk meets them: which
//! database a command used, no database made by mistake, lists of markets, terminals and alarms,
//! a typo in a market's name, `serve` with `config/hub.toml`, and Chinese words.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `warm-hub ARGS` with no `--data`, in a home of its own: (success, stdout, stderr).
fn in_home(home: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(hub_binary())
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("RUST_LOG", "error")
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn commands_say_which_database_they_use_and_never_make_one_unasked() {
    let home = tempfile::tempdir().unwrap();
    let default_db = home.path().join("data/warm-hub/hub.sqlite");
    for args in [&["terminal", "add", "K1", "--market", "M1"][..], &["alarm", "clear", "1"], &["market", "list"]] {
        let (ok, out, err) = in_home(home.path(), args, &[]);
        assert!(!ok && out.is_empty(), "{args:?}: {out}");
        assert!(err.contains("no hub database at") && err.contains(&default_db.display().to_string()), "{err}");
        assert!(err.contains("--data"), "{err}");
        assert!(!default_db.exists(), "{args:?} made a database");
    }
    let data = home.path().join("hub");
    let data_arg = data.to_str().unwrap();
    let (ok, _, err) = in_home(home.path(), &["--data", data_arg, "terminal", "add", "K1", "--market", "M1"], &[]);
    assert!(ok && err.contains("created a new hub database") && err.contains(data_arg), "{err}");
    let (ok, _, err) = in_home(home.path(), &["--data", data_arg, "alarm", "clear", "1"], &[]);
    assert!(!ok && err.contains(&format!("hub database: {}", data.join("hub.sqlite").display())), "{err}");
    assert!(err.contains("open alarm 1"), "{err}");
}

#[test]
fn markets_terminals_and_alarms_are_listed_and_an_unknown_market_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    add_terminal(&hub_dir, "K1", "峨海小区");
    add_terminal(&hub_dir, "K2", "峨海小区");
    add_terminal(&hub_dir, "K3", "北蔡");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/catalog.toml");
    hub_cli(&hub_dir, &["catalog", "import", catalog]);
    let markets = hub_cli(&hub_dir, &["market", "list"]);
    assert!(markets.contains("峨海小区 (2 terminals)") && markets.contains("北蔡 (1 terminal)"), "{markets}");
    let terminals = hub_cli(&hub_dir, &["terminal", "list"]);
    assert_eq!(terminals.lines().count(), 3, "{terminals}");
    assert!(terminals.contains("K1  market 峨海小区  received 0  last sync never  active"), "{terminals}");
    assert!(hub_cli(&hub_dir, &["alarm", "list"]).contains("no alarms"));

    let product = "rice-5kg";
    let out = Command::new(hub_binary())
        .arg("--data")
        .arg(&hub_dir)
        .args(["price", "--market", "峨海", product, "2990"])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("there is no market 峨海") && err.contains("峨海小区"), "{err}");
    let said = hub_cli(&hub_dir, &["price", "--market", "峨海小区", product, "2990"]);
    assert!(said.contains("now 2990 fen"), "{said}");
    let rows: i64 =
        hub_db(&hub_dir).query_row("SELECT count(*) FROM assortment WHERE market = '峨海'", [], |r| r.get(0)).unwrap();
    assert_eq!(rows, 0);

    // In Chinese, from LANG.
    let out = Command::new(hub_binary())
        .arg("--data")
        .arg(&hub_dir)
        .args(["market", "list"])
        .env("LANG", "zh_CN.UTF-8")
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("峨海小区（2 台终端）"), "{said}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("合作社总台数据库"));
}

#[test]
fn serve_reads_config_hub_toml_and_says_which_address_kiosks_use() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/hub.toml"),
        format!("listen = \"127.0.0.1:0\"\ndata_dir = {:?}\n", dir.path().join("hub").display().to_string()),
    )
    .unwrap();
    let mut child = Killed(
        Command::new(hub_binary())
            .arg("serve")
            .current_dir(dir.path())
            .env("RUST_LOG", "error")
            .env_remove("LANG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("warm-hub listening on ").unwrap_or_else(|| panic!("{line:?}")).to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    let (send, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in stderr.lines().map_while(Result::ok) {
            let _ = send.send(l);
        }
    });
    let mut lines = Vec::new();
    while let Ok(l) = said.recv_timeout(Duration::from_secs(10)) {
        lines.push(l);
        if lines.iter().any(|l| l.contains("hub_url")) {
            break;
        }
    }
    let text = lines.join("\n");
    assert!(text.contains("config: config/hub.toml"), "{text}");
    assert!(text.contains(&format!("kiosks put this in their [sync] hub_url: {url}")), "{text}");
    assert!(dir.path().join("hub/hub.sqlite").exists(), "the config's data_dir");
    child.kill();
}

/// `warm-hub order` (issue 17): the co-op sets a market's own place for a product, and takes it
/// back; bad input is refused in words and changes nothing.
#[test]
fn the_coops_order_for_a_market_is_set_taken_back_and_bad_input_refused() {
    use warm_core::api::CatalogChange;
    use warm_hub::store::HubStore;
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    add_terminal(&hub_dir, "K1", "峨海小区");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/catalog.toml");
    hub_cli(&hub_dir, &["catalog", "import", catalog]);
    let out = hub_cli(&hub_dir, &["order", "--market", "峨海小区", "noodles-1kg", "1"]);
    assert!(out.contains("noodles-1kg") && out.contains('1'), "{out}");
    let data = hub_dir.to_str().unwrap();
    for (args, words) in [
        (&["order", "--market", "峨海小区", "noodles-1kg", "0"][..], "9999"),
        (&["order", "--market", "峨海小区", "noodles-1kg", "first"], "default"),
        (&["order", "--market", "峨海小", "noodles-1kg", "2"], "峨海小"),
        (&["order", "--market", "峨海小区", "no-such-thing", "2"], "no-such-thing"),
    ] {
        let (ok, _, err) = in_home(dir.path(), &[&["--data", data][..], args].concat(), &[]);
        assert!(!ok && err.contains(words), "{args:?}: {err}");
    }
    let positions = || {
        let hub = warm_hub::sqlite::SqliteHub::open(&hub_dir.join("hub.sqlite")).unwrap();
        let terminal = warm_hub::store::Terminal { id: "K1".into(), market: "峨海小区".into(), instance: None };
        let page = hub.catalog_page(&terminal, 0, 1000, jiff::Timestamp::now()).unwrap();
        page.changes
            .into_iter()
            .filter_map(|c| match c {
                CatalogChange::Assortment { product, position, .. } => Some((product, position)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(positions(), [("noodles-1kg".to_owned(), Some(1))]);
    hub_cli(&hub_dir, &["order", "--market", "峨海小区", "noodles-1kg", "default"]);
    assert_eq!(positions(), [("noodles-1kg".to_owned(), None)]);
}
