//! The real kiosk binary in a real X window (Xvfb), tapped with xdotool like a finger. Where to
//! tap is read from the same views laid out by iced_test, so the test follows the layout.
//! Needs Debian's xvfb, xauth, xdotool and imagemagick (installed by .ci/run). With
//! WARM_SCREENSHOTS=DIR set it also writes the README's screenshots there.

use crate::support::kiosk;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child when the test ends, however it ends.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> Command {
    Command::new(name)
}

fn start_xvfb() -> (Guard, String) {
    start_xvfb_sized("1920x1080x24")
}

fn start_xvfb_sized(screen: &str) -> (Guard, String) {
    let mut xvfb = tool("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for the real-window test: apt-get install xvfb xauth xdotool imagemagick");
    let mut line = String::new();
    BufReader::new(xvfb.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (Guard(xvfb), format!(":{}", line.trim()))
}

fn screenshot(display: &str, path: &Path) {
    let status =
        tool("import").args(["-display", display, "-window", "root", path.to_str().unwrap()]).status().unwrap();
    assert!(status.success(), "screenshot {path:?} failed");
}

fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_senior_orders_in_the_real_window() {
    let (_xvfb, display) = start_xvfb();
    let data = tempfile::tempdir().unwrap();
    let shots: PathBuf =
        std::env::var_os("WARM_SCREENSHOTS").map(PathBuf::from).unwrap_or_else(|| data.path().join("screens"));
    std::fs::create_dir_all(&shots).unwrap();
    let _kiosk = Guard(
        Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
            .args(["--data", data.path().to_str().unwrap()])
            .env("DISPLAY", &display)
            .env("ICED_BACKEND", "tiny-skia")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The display is ours alone, so any visible window is the kiosk.
    wait_for("the kiosk window", || {
        let out =
            tool("xdotool").args(["search", "--onlyvisible", "--name", "."]).env("DISPLAY", &display).output().ok()?;
        (out.status.success() && !out.stdout.is_empty()).then_some(())
    });
    std::thread::sleep(Duration::from_secs(2)); // first frame

    // A model of the same kiosk tells where each label is on the 1920×1080 screen.
    let mut model = kiosk();
    let mut tap = |label: &str, shot: Option<&str>| {
        let bounds = crate::support::simulator(&model.app).find(label).unwrap_or_else(|e| panic!("{label}: {e}"));
        let center = iced_test::selector::Bounded::visible_bounds(&bounds).unwrap().center();
        model.tap(label);
        let status = tool("xdotool")
            .args(["mousemove", &format!("{}", center.x as i32), &format!("{}", center.y as i32), "click", "1"])
            .env("DISPLAY", &display)
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(800));
        if let Some(name) = shot {
            screenshot(&display, &shots.join(format!("{name}.png")));
        }
    };
    screenshot(&display, &shots.join("home.png"));
    tap("粮油", None);
    tap("东北大米", None);
    tap("东北大米", None);
    tap("挂面", Some("category"));
    tap("下单", Some("review"));
    tap("确认", Some("done"));

    let store_path = warm_kiosk::kiosk::store_path(data.path());
    let order = wait_for("the order in the store", || {
        let store = warm_kiosk::store::Store::open(&store_path).ok()?;
        let ids = store.order_ids().ok()?;
        store.order(*ids.first()?).ok()?
    });
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.total().as_fen(), 2 * 3990 + 890);
    let prints = warm_kiosk::kiosk::prints_dir(data.path());
    wait_for("the printed slip", || (std::fs::read_dir(&prints).ok()?.count() == 1).then_some(()));
    for name in ["home", "category", "review", "done"] {
        let size = std::fs::metadata(shots.join(format!("{name}.png"))).unwrap().len();
        assert!(size > 10_000, "{name}.png is suspiciously small ({size} bytes): a blank window?");
    }
}

#[test]
fn without_a_screen_the_kiosk_says_so_in_a_sentence_and_does_not_panic() {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
        .args(["--data", data.path().to_str().unwrap()])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("没有找到屏幕") && said.contains("DISPLAY"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

/// Issue 12: a 1366×768 screen. The window is sized to the screen (as a window manager or the
/// kiosk mode does) and the kiosk scales its whole 1920×1080 layout to fit: a finger that taps
/// where each label is, scaled by 1366/1920, places the order.
#[test]
fn on_a_1366_by_768_screen_the_whole_layout_fits_and_takes_taps() {
    let (_xvfb, display) = start_xvfb_sized("1366x768x24");
    let data = tempfile::tempdir().unwrap();
    let _kiosk = Guard(
        Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
            .args(["--data", data.path().to_str().unwrap()])
            .env("DISPLAY", &display)
            .env("ICED_BACKEND", "tiny-skia")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let window = wait_for("the kiosk window", || {
        let out =
            tool("xdotool").args(["search", "--onlyvisible", "--name", "."]).env("DISPLAY", &display).output().ok()?;
        let id = String::from_utf8_lossy(&out.stdout).lines().next()?.trim().to_owned();
        (out.status.success() && !id.is_empty()).then_some(id)
    });
    let xdo = |args: &[&str]| {
        let status = tool("xdotool").args(args).env("DISPLAY", &display).status().unwrap();
        assert!(status.success(), "xdotool {args:?}");
    };
    xdo(&["windowmove", &window, "0", "0"]);
    xdo(&["windowsize", &window, "1366", "768"]);
    std::thread::sleep(Duration::from_secs(2)); // the resize, and a frame at the new scale
    let fit = (1366.0_f32 / 1920.0).min(768.0 / 1080.0);
    let shot = data.path().join("small.png");
    screenshot(&display, &shot);
    if let Some(dir) = std::env::var_os("WARM_SCREENSHOTS") {
        std::fs::copy(&shot, PathBuf::from(dir).join("home-1366x768.png")).unwrap();
    }

    let mut model = kiosk();
    for label in ["粮油", "东北大米", "下单", "确认"] {
        let bounds = crate::support::simulator(&model.app).find(label).unwrap_or_else(|e| panic!("{label}: {e}"));
        let center = iced_test::selector::Bounded::visible_bounds(&bounds).unwrap().center();
        model.tap(label);
        let (x, y) = ((center.x * fit) as i32, (center.y * fit) as i32);
        assert!(x < 1366 && y < 768, "{label} at {x},{y} is on the screen");
        xdo(&["mousemove", &x.to_string(), &y.to_string(), "click", "1"]);
        std::thread::sleep(Duration::from_millis(800));
    }
    let store_path = warm_kiosk::kiosk::store_path(data.path());
    let order = wait_for("the order in the store", || {
        let store = warm_kiosk::store::Store::open(&store_path).ok()?;
        let ids = store.order_ids().ok()?;
        store.order(*ids.first()?).ok()?
    });
    assert_eq!(order.total().as_fen(), 3990, "one bag of rice, tapped on the scaled screen");
}
