//! The same stories over a real network: the hub in its own network namespace, joined to the
//! kiosk's by a veth pair that loses packets. Real TCP then retransmits, stalls and times out,
//! which no proxy imitates. The hub serves HTTPS there (issue 13: plain HTTP is for loopback only),
//! so TLS handshakes go over the lossy link too.
//!
//! The link is made with `tc qdisc … netem loss 10% delay 200ms` where the kernel has netem;
//! a kernel built without it (CONFIG_NET_SCH_NETEM unset, as on the project's build VMs) gets
//! 10 % loss each way from nftables (`numgen random`) and a 2 Mbit/s token bucket instead, and
//! the test says which it used. It is skipped, saying why, only where network namespaces cannot
//! be made (not root, no iproute2 or nftables); in CI (`CI` set) that is a failure instead.

use crate::support::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use warm_kiosk::sync::Link;

/// A network namespace with a lossy veth link to this one; removed (with the link) on drop.
struct Netns {
    name: String,
    /// The hub's side of the link.
    addr: std::net::Ipv4Addr,
    how: String,
}

fn run<S: AsRef<str>>(args: &[S], stdin: Option<&str>) -> Result<(), String> {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let mut child = Command::new(args[0])
        .args(&args[1..])
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        std::io::Write::write_all(&mut pipe, text.as_bytes()).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

impl Netns {
    fn create() -> Result<Netns, String> {
        // Unique per process, so runs on one machine do not meet: a /30 of 10.213.0.0/16.
        let id = std::process::id() % 16_000;
        let (name, host_if, ns_if) = (format!("warm{id}"), format!("wmh{id}"), format!("wmn{id}"));
        let (a, b) = ((id / 64) as u8, (id % 64 * 4) as u8);
        let host = format!("10.213.{a}.{}", b + 1);
        let hub = std::net::Ipv4Addr::new(10, 213, a, b + 2);
        // One left by a run that was killed (its veth goes with it).
        let _ = run(&["ip", "netns", "del", &name], None);
        run(&["ip", "netns", "add", &name], None)?;
        let mut ns = Netns { name: name.clone(), addr: hub, how: String::new() };
        let inside = |args: &[&str]| -> Vec<String> {
            ["ip", "netns", "exec", &name].iter().chain(args).map(|a| a.to_string()).collect()
        };
        run(&["ip", "link", "add", &host_if, "type", "veth", "peer", "name", &ns_if], None)?;
        run(&["ip", "link", "set", &ns_if, "netns", &name], None)?;
        run(&["ip", "addr", "add", &format!("{host}/30"), "dev", &host_if], None)?;
        run(&["ip", "link", "set", &host_if, "up"], None)?;
        run(&inside(&["ip", "addr", "add", &format!("{hub}/30"), "dev", &ns_if]), None)?;
        run(&inside(&["ip", "link", "set", &ns_if, "up"]), None)?;
        run(&inside(&["ip", "link", "set", "lo", "up"]), None)?;
        let netem = ["root", "netem", "loss", "10%", "delay", "200ms"];
        let how = match run(&[&["tc", "qdisc", "add", "dev", &host_if][..], &netem].concat(), None) {
            Ok(()) => {
                run(&inside(&[&["tc", "qdisc", "add", "dev", &ns_if][..], &netem].concat()), None)?;
                "tc netem: 10 % loss and 200 ms delay each way".to_owned()
            }
            Err(netem_error) => {
                let rules = "table inet warm_lossy {
                    chain input { type filter hook input priority 0; iifname != \"lo\" numgen random mod 100 < 10 drop; }
                    chain output { type filter hook output priority 0; oifname != \"lo\" numgen random mod 100 < 10 drop; }
                }";
                run(&inside(&["nft", "-f", "-"]), Some(rules))?;
                let tbf = ["root", "tbf", "rate", "2mbit", "burst", "16kb", "latency", "400ms"];
                run(&[&["tc", "qdisc", "add", "dev", &host_if][..], &tbf].concat(), None)?;
                run(&inside(&[&["tc", "qdisc", "add", "dev", &ns_if][..], &tbf].concat()), None)?;
                format!("no netem here ({netem_error}); nftables: 10 % loss each way, tbf: 2 Mbit/s")
            }
        };
        ns.how = how;
        Ok(ns)
    }

    /// A hub serving inside the namespace: HTTPS with a certificate for its address, as a hub on
    /// a market's network must (plain HTTP is for loopback only). Returns it and the CA file.
    fn start_hub(&self, dir: &std::path::Path) -> (Hub, PathBuf) {
        let (ca, config) = https_files(&dir.join("tls"), &[&self.addr.to_string()]);
        let child = Command::new("ip")
            .args(["netns", "exec", &self.name, hub_binary(), "--config", config.to_str().unwrap()])
            .args(["--data", dir.to_str().unwrap(), "serve", "--listen"])
            .arg(format!("{}:0", self.addr))
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let hub = Hub::serving(child);
        assert_eq!(hub.scheme, "https");
        (hub, ca)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // The veth pair goes with the namespace.
        let _ = run(&["ip", "netns", "del", &self.name], None);
    }
}

#[test]
fn over_a_real_lossy_network_the_catalog_converges_and_orders_arrive_once() {
    let ns = match Netns::create() {
        Ok(ns) => ns,
        Err(why) if std::env::var_os("CI").is_some() => panic!("CI must run the network-namespace test: {why}"),
        Err(why) => {
            eprintln!("SKIPPED over_a_real_lossy_network…: network namespaces cannot be made here: {why}");
            return;
        }
    };
    eprintln!("link: {}", ns.how);
    let dir = tempfile::tempdir().unwrap();
    let hub_dir = dir.path().join("hub");
    let token = hub_with_demo_catalog(&hub_dir, dir.path());
    let (hub, ca) = ns.start_hub(&hub_dir);
    let interval = 8;
    let knobs = format!(
        "interval_seconds = {interval}\nmax_backoff_seconds = 300\ntimeout_seconds = 10\nca_file = {:?}\n",
        ca.display().to_string()
    );
    let kiosk = Kiosk::with_sync(&dir.path().join("k1"), "K1", &hub.url(), &token, &knobs);
    let mut sync = kiosk.spawn_sync();
    let demo = warm_kiosk::demo::catalog().unwrap().catalog;
    let rice = demo.products[0].clone();
    let (mut total, orders) = (0, 8);
    for n in 1..=orders {
        total += kiosk.make_orders(1);
        if n == orders / 2 {
            sync.kill();
            sync = kiosk.spawn_sync();
        }
        eventually(Duration::from_secs(2 * interval), &format!("order {n} reaches the hub"), || {
            hub_totals(&hub_dir, "K1").0 == n
        });
    }
    eventually(Duration::from_secs(300), "every product and picture of the hub", || {
        has_demo_catalog(&kiosk, rice.price.as_fen())
    });
    hub_cli(&hub_dir, &["price", "--market", "M1", &rice.id.0, "1999"]);
    eventually(Duration::from_secs(120), "the price change", || has_demo_catalog(&kiosk, 1999));
    eventually(Duration::from_secs(60), "the kiosk hears every order arrived", || kiosk.waiting() == 0);
    sync.kill();
    let n = orders;
    assert_eq!(hub_totals(&hub_dir, "K1"), (n, n, n, total), "every order once");
    assert!(open_alarms(&hub_dir).is_empty(), "{:?}", open_alarms(&hub_dir));
    let status = kiosk.status();
    assert!(status.link != Link::Offline, "{status:?}");
    eprintln!("{status:?}");
}
