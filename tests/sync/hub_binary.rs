//! Where the `warm-hub` binary is: it belongs to another crate of the workspace, so cargo gives
//! this one no `CARGO_BIN_EXE_warm-hub`. It sits beside this test's own folder in the target
//! directory; it is built (or brought up to date) once per process with the same profile, so a
//! test run alone (`cargo test -p warm-kiosk --test sync`) never uses a stale or missing hub.
//! Shared with `benches/sync.rs`.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub fn hub_binary() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test's own path");
        // target/<profile>/deps/<test>: the profile's folder holds the workspace's binaries.
        let profile_dir: PathBuf = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>").into();
        let release = profile_dir.file_name().is_some_and(|p| p == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "warm-hub", "--bin", "warm-hub"]);
        if release {
            build.arg("--release");
        }
        if let Some(target) = profile_dir.parent() {
            build.env("CARGO_TARGET_DIR", target);
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building warm-hub failed");
        profile_dir.join(format!("warm-hub{}", std::env::consts::EXE_SUFFIX)).display().to_string()
    })
}
