//! The Debian package (issue 14): `tools/build-deb.sh` with the binaries this test run built, its
//! contents and control files checked with `dpkg-deb`; as root with dpkg, installed, run
//! (`--version`, `doctor`, the hub as its unit starts it) and removed again.

use crate::support::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn run(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn build(out: &Path) -> PathBuf {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/build-deb.sh");
    let built = Command::new(script)
        .args(["--profile", "dev", "--out", out.to_str().unwrap()])
        .env("WARM_KIOSK_BIN", KIOSK)
        .env("WARM_HUB_BIN", hub_binary())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "build-deb.sh: {said}");
    PathBuf::from(String::from_utf8(built.stdout).unwrap().trim())
}

/// Removes the package when the test ends, however it ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ =
            Command::new("dpkg").args(["--purge", "warm-market"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    }
}

#[test]
fn the_package_holds_both_programs_units_udev_rules_and_its_config_files() {
    if Command::new("dpkg-deb").arg("--version").output().is_err() {
        eprintln!("no dpkg-deb on this machine: the package is not built here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let deb = build(dir.path());
    assert!(deb.file_name().unwrap().to_str().unwrap().starts_with("warm-market_0."), "{}", deb.display());
    let deb = deb.to_str().unwrap();

    let (ok, listing) = run("dpkg-deb", &["-c", deb]);
    assert!(ok, "{listing}");
    let has = |path: &str, mode: &str| {
        listing.lines().any(|l| l.starts_with(mode) && l.contains("root/root") && l.ends_with(&format!(" .{path}")))
    };
    for (path, mode) in [
        ("/usr/bin/warm-kiosk", "-rwxr-xr-x"),
        ("/usr/bin/warm-hub", "-rwxr-xr-x"),
        ("/etc/warm-market/kiosk.toml", "-rw-r--r--"),
        ("/etc/warm-market/hub.toml", "-rw-r--r--"),
        ("/lib/systemd/system/warm-hub.service", "-rw-r--r--"),
        ("/usr/lib/systemd/user/warm-kiosk.service", "-rw-r--r--"),
        ("/etc/xdg/autostart/warm-kiosk.desktop", "-rw-r--r--"),
        ("/usr/share/warm-market/warm-kiosk-session", "-rwxr-xr-x"),
        ("/etc/udev/rules.d/60-warm-market.rules", "-rw-r--r--"),
        ("/usr/share/doc/warm-market/INSTALL.md", "-rw-r--r--"),
    ] {
        assert!(has(path, mode), "{path} ({mode}) missing:\n{listing}");
    }

    let (ok, info) = run("dpkg-deb", &["-I", deb]);
    assert!(ok, "{info}");
    assert!(info.contains("Package: warm-market") && info.contains("Depends: libc6"), "{info}");
    let (ok, conffiles) = run("dpkg-deb", &["-I", deb, "conffiles"]);
    assert!(ok, "{conffiles}");
    let mut listed: Vec<&str> = conffiles.lines().collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "/etc/udev/rules.d/60-warm-market.rules",
            "/etc/warm-market/hub.toml",
            "/etc/warm-market/kiosk.toml",
            "/etc/xdg/autostart/warm-kiosk.desktop"
        ]
    );

    // What is inside: configs the programs accept, pointed at the package's folders and names.
    let unpacked = dir.path().join("unpacked");
    let (ok, out) = run("dpkg-deb", &["-x", deb, unpacked.to_str().unwrap()]);
    assert!(ok, "{out}");
    let kiosk = warm_kiosk::config::Config::load(&unpacked.join("etc/warm-market/kiosk.toml")).unwrap();
    assert_eq!(kiosk.data_dir.as_deref(), Some(Path::new("/var/lib/warm-market/kiosk")));
    assert_eq!(kiosk.printer.port, PathBuf::from("/dev/warm-printer"));
    assert!(kiosk.kiosk.fullscreen);
    let hub = warm_hub::config::HubConfig::load(&unpacked.join("etc/warm-market/hub.toml")).unwrap();
    assert_eq!(hub.data_dir.as_deref(), Some(Path::new("/var/lib/warm-market/hub")));
    let unit = std::fs::read_to_string(unpacked.join("lib/systemd/system/warm-hub.service")).unwrap();
    assert!(
        unit.contains("ExecStart=/usr/bin/warm-hub --config /etc/warm-market/hub.toml")
            && unit.contains("Restart=on-failure")
    );
    let user_unit = std::fs::read_to_string(unpacked.join("usr/lib/systemd/user/warm-kiosk.service")).unwrap();
    assert!(user_unit.contains("ExecStart=/usr/bin/warm-kiosk --config /etc/warm-market/kiosk.toml"));
    assert!(user_unit.contains("Restart=on-failure") && user_unit.contains("graphical-session.target"));
    let rules = std::fs::read_to_string(unpacked.join("etc/udev/rules.d/60-warm-market.rules")).unwrap();
    assert!(rules.contains("SYMLINK+=\"warm-printer\"") && rules.contains("SYMLINK+=\"warm-scanner\""));
    assert!(rules.contains("ATTRS{idVendor}") && rules.contains("udevadm info"));

    // Installed for real where this test may: as root, with dpkg, and no such package already.
    let root = run("id", &["-u"]).1.trim() == "0";
    let present = Command::new("dpkg").args(["-s", "warm-market"]).output().is_ok_and(|o| o.status.success());
    if !root || present {
        eprintln!("not root, or warm-market already installed: the package is not installed here");
        return;
    }
    let _installed = Installed;
    let (ok, out) = run("dpkg", &["-i", deb]);
    assert!(ok, "dpkg -i: {out}");
    let (ok, version) = run("/usr/bin/warm-kiosk", &["--version"]);
    assert!(ok && version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    assert!(Path::new("/var/lib/warm-market/kiosk").is_dir() && Path::new("/var/lib/warm-market/hub").is_dir());
    let (_, doctor) = run("/usr/bin/warm-kiosk", &["--config", "/etc/warm-market/kiosk.toml", "doctor"]);
    assert!(doctor.lines().filter(|l| l.starts_with('✓') || l.starts_with('✗')).count() == 12, "{doctor}");
    assert!(doctor.contains("/var/lib/warm-market/kiosk") && !doctor.contains("panicked"), "{doctor}");
    // The hub as its unit starts it, as its own user, without systemd: it serves, then stops.
    let mut hub = Killed(
        Command::new("runuser")
            .args(["-u", "warm-hub", "--", "/usr/bin/warm-hub", "--config", "/etc/warm-market/hub.toml"])
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(hub.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("http://127.0.0.1:"), "{line}");
    hub.kill();
    assert!(Path::new("/var/lib/warm-market/hub/hub.sqlite").exists(), "the hub wrote its data folder");
    let (ok, out) = run("dpkg", &["--purge", "warm-market"]);
    assert!(ok, "{out}");
    assert!(!Path::new("/usr/bin/warm-kiosk").exists() && !Path::new("/etc/warm-market/kiosk.toml").exists());
    assert!(Path::new("/var/lib/warm-market/hub/hub.sqlite").exists(), "the market's data stays");
    let _ = std::fs::remove_dir_all("/var/lib/warm-market");
}
