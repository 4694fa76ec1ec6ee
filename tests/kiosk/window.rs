//! The real kiosk binary in a real X window (Xvfb), tapped with xdotool like a finger. Where to
//! tap is read from the same views laid out by iced_test, so the test follows the layout.
//! Needs Debian's xvfb, xauth, xdotool and imagemagick (installed by .ci/run). With
//! WARM_SCREENSHOTS=DIR set it also writes the README's screenshots there.

use crate::support::{kiosk, kiosk_with};
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

/// A virtual screen, one at a time: each test's X server, window manager and debug-built kiosk
/// together load a 2-core machine enough that two side by side can miss their timeouts.
struct Screen {
    _server: Guard,
    _turn: std::sync::MutexGuard<'static, ()>,
}

static ONE_SCREEN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn start_xvfb() -> (Screen, String) {
    start_xvfb_sized("1920x1080x24")
}

fn start_xvfb_sized(screen: &str) -> (Screen, String) {
    // A test that failed while holding its turn still hands it on.
    let turn = ONE_SCREEN_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut xvfb = tool("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", screen, "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for the real-window test: apt-get install xvfb xauth xdotool imagemagick");
    let mut line = String::new();
    BufReader::new(xvfb.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (Screen { _server: Guard(xvfb), _turn: turn }, format!(":{}", line.trim()))
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
    let (_kiosk, _window) = start_kiosk(&display, data.path(), "");

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
    order_on_a_1366_by_768_screen("", kiosk(), "home-1366x768.png");
}

/// The same with 大字 on from the config: the layout of the 1536×864 room, drawn at 0.71 × 1.25;
/// a finger taps where each label is in that layout, scaled to the screen.
#[test]
fn with_large_text_on_a_1366_by_768_screen_the_larger_layout_fits_and_takes_taps() {
    let mut config = crate::support::config();
    config.kiosk.large_text = true;
    order_on_a_1366_by_768_screen("[kiosk]\nlarge_text = true\n", kiosk_with(config), "home-large-1366x768.png");
}

/// Starts the kiosk with `config` on a 1366×768 screen and orders a bag of rice by clicking where
/// `model` (the same kiosk in the test) lays out each label, scaled as the window is.
fn order_on_a_1366_by_768_screen(config: &str, mut model: crate::support::Kiosk, shot_name: &str) {
    let (_xvfb, display) = start_xvfb_sized("1366x768x24");
    let data = tempfile::tempdir().unwrap();
    let (_kiosk, window) = start_kiosk(&display, data.path(), config);
    let xdo = |args: &[&str]| {
        let status = tool("xdotool").args(args).env("DISPLAY", &display).status().unwrap();
        assert!(status.success(), "xdotool {args:?}");
    };
    xdo(&["windowmove", &window, "0", "0"]);
    xdo(&["windowsize", &window, "1366", "768"]);
    std::thread::sleep(Duration::from_secs(2)); // the resize, and a frame at the new scale
    let fit = (1366.0_f32 / 1920.0).min(768.0 / 1080.0);
    let scale = fit * model.app.scale_factor();
    let shot = data.path().join("small.png");
    screenshot(&display, &shot);
    if let Some(dir) = std::env::var_os("WARM_SCREENSHOTS") {
        std::fs::copy(&shot, PathBuf::from(dir).join(shot_name)).unwrap();
    }

    for label in ["粮油", "东北大米", "下单", "确认"] {
        let bounds = crate::support::simulator(&model.app).find(label).unwrap_or_else(|e| panic!("{label}: {e}"));
        let center = iced_test::selector::Bounded::visible_bounds(&bounds).unwrap().center();
        model.tap(label);
        let (x, y) = ((center.x * scale) as i32, (center.y * scale) as i32);
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

/// Openbox on the display, so decorations and Alt+F4 mean what they mean on the market's terminal.
fn start_window_manager(display: &str) -> Guard {
    let wm = tool("openbox")
        .args(["--sm-disable"])
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openbox is needed for the kiosk-mode test: apt-get install openbox x11-utils x11-xserver-utils");
    // Openbox owns the screen once it answers for the window manager's selection.
    wait_for("the window manager", || {
        let out = tool("xprop").args(["-root", "_NET_SUPPORTING_WM_CHECK"]).env("DISPLAY", display).output().ok()?;
        String::from_utf8_lossy(&out.stdout).contains("window id").then_some(())
    });
    Guard(wm)
}

fn start_kiosk(display: &str, data: &Path, config: &str) -> (Guard, String) {
    let config_file = data.join("kiosk.toml");
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(&config_file, config).unwrap();
    let kiosk = Guard(
        Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
            .arg("--config")
            .arg(&config_file)
            .arg("--data")
            .arg(data)
            .env("DISPLAY", display)
            .env("ICED_BACKEND", "tiny-skia")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let id = wait_for("the kiosk window", || {
        // The window manager shows no window of its own: any visible one is the kiosk's.
        let out =
            tool("xdotool").args(["search", "--onlyvisible", "--name", "."]).env("DISPLAY", display).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (out.status.success() && !text.is_empty()).then(|| text.lines().next().unwrap_or_default().to_owned())
    });
    std::thread::sleep(Duration::from_secs(2)); // first frame, and the window manager's placing
    (kiosk, id)
}

fn x(display: &str, program: &str, args: &[&str]) -> String {
    let out = tool(program).args(args).env("DISPLAY", display).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Presses keys into the kiosk's window, as a person at its keyboard would.
fn keys(display: &str, id: &str, combo: &str) {
    tool("xdotool").args(["windowactivate", "--sync", id]).env("DISPLAY", display).status().unwrap();
    let status = tool("xdotool").args(["key", "--clearmodifiers", combo]).env("DISPLAY", display).status().unwrap();
    assert!(status.success(), "xdotool key {combo}");
}

fn still_running(kiosk: &mut Guard, for_: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < for_ {
        if kiosk.0.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

/// Kiosk mode (issue 14) under a real window manager: the window covers the whole screen with
/// no decorations, Alt+F4 does not close it, a restore is refused while it runs, and the
/// volunteer's Ctrl+Alt+Q ends it. A normal window beside it shows the test can tell.
#[test]
fn kiosk_mode_covers_the_screen_without_decorations_and_alt_f4_does_not_close_it() {
    let (_xvfb, display) = start_xvfb();
    let _wm = start_window_manager(&display);
    let data = tempfile::tempdir().unwrap();
    let (mut kiosk, id) = start_kiosk(&display, &data.path().join("kiosk"), "[kiosk]\nfullscreen = true\n");

    let info = x(&display, "xwininfo", &["-id", &id]);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.trim().strip_prefix(name))
            .unwrap_or_else(|| panic!("{name}: {info}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        (field("Absolute upper-left X:"), field("Absolute upper-left Y:"), field("Width:"), field("Height:")),
        ("0".into(), "0".into(), "1920".into(), "1080".into()),
        "{info}"
    );
    let state = x(&display, "xprop", &["-id", &id, "_NET_WM_STATE", "_NET_FRAME_EXTENTS"]);
    assert!(state.contains("_NET_WM_STATE_FULLSCREEN"), "{state}");
    assert!(state.contains("_NET_FRAME_EXTENTS(CARDINAL) = 0, 0, 0, 0"), "no frame: {state}");

    keys(&display, &id, "alt+F4");
    assert!(still_running(&mut kiosk, Duration::from_secs(3)), "Alt+F4 closed the kiosk");
    assert!(x(&display, "xdotool", &["search", "--onlyvisible", "--name", "."]).contains(&id), "still shown");

    // While it runs, its store is not replaced under it.
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_warm-kiosk"))
            .arg("--data")
            .arg(data.path().join("kiosk"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = cli(&["backup", "--to", data.path().join("copies").to_str().unwrap()]);
    assert!(out.status.success(), "a backup while it runs: {}", String::from_utf8_lossy(&out.stderr));
    let copy = std::fs::read_dir(data.path().join("copies")).unwrap().next().unwrap().unwrap().path();
    let out = cli(&["restore", copy.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && said.contains("kiosk.lock"), "{said}");

    keys(&display, &id, "ctrl+alt+q");
    assert!(!still_running(&mut kiosk, Duration::from_secs(10)), "Ctrl+Alt+Q did not end the kiosk");
    assert!(kiosk.0.wait().unwrap().success());

    // A normal window on the same screen: decorated, and Alt+F4 closes it.
    let (mut window, id) = start_kiosk(&display, &data.path().join("window"), "[kiosk]\nfullscreen = false\n");
    let state = x(&display, "xprop", &["-id", &id, "_NET_FRAME_EXTENTS"]);
    assert!(!state.contains("= 0, 0, 0, 0") && state.contains("_NET_FRAME_EXTENTS"), "a frame: {state}");
    keys(&display, &id, "alt+F4");
    assert!(!still_running(&mut window, Duration::from_secs(10)), "Alt+F4 closes a normal window");
}
