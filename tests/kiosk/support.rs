//! A kiosk on a temporary data folder with a fixed clock and deterministic ids, and helpers to
//! drive its real views through iced_test.

use iced_test::Simulator;
use iced_test::selector::{Bounded, Candidate, Selector};
use jiff::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;
use warm_kiosk::config::Config;
use warm_kiosk::kiosk;
use warm_kiosk::ui::{App, Context, Message};

/// 2022-05-06 10:10 in Shanghai, the morning of the seed report.
pub const NOW: &str = "2022-05-06T02:10:00Z";

pub struct Kiosk {
    pub app: App,
    pub ctx: Context,
    pub dir: TempDir,
    pub taps: TapClock,
}

/// The clock taps are timed by. Each message a test feeds (a tap, a scan, a tick) comes `step`
/// after the one before — by default two seconds, as if a person took a moment, so the screens'
/// settle time and double-tap rule stay out of the way; the double-tap tests set a short step.
/// What the kiosk does in answer to a message (its tasks) takes no time on this clock.
#[derive(Clone)]
pub struct TapClock {
    start: std::time::Instant,
    elapsed_ms: Arc<AtomicU64>,
    step_ms: Arc<AtomicU64>,
    /// Time let pass by `wait`: the wall clock moves by it too (a PIN pause runs on the wall
    /// clock, to outlive a restart); the steps between taps leave slips' times alone.
    waited_ms: Arc<AtomicU64>,
}

impl TapClock {
    fn new() -> TapClock {
        TapClock {
            start: std::time::Instant::now(),
            elapsed_ms: Arc::new(AtomicU64::new(0)),
            step_ms: Arc::new(AtomicU64::new(2000)),
            waited_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn read(&self) -> std::time::Instant {
        self.start + std::time::Duration::from_millis(self.elapsed_ms.load(Ordering::SeqCst))
    }

    fn next_message(&self) {
        self.elapsed_ms.fetch_add(self.step_ms.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    /// Makes `ctx` time its taps by this clock, and its wall clock start at `wall` and move on
    /// only by what the test waits.
    pub fn install(&self, ctx: &mut Context, wall: Timestamp) {
        let clock = self.clone();
        ctx.now = Arc::new(move || clock.read());
        let waited = self.waited_ms.clone();
        ctx.clock = Arc::new(move || wall + std::time::Duration::from_millis(waited.load(Ordering::SeqCst)));
    }

    /// Lets `ms` pass without a tap.
    pub fn wait(&self, ms: u64) {
        self.elapsed_ms.fetch_add(ms, Ordering::SeqCst);
        self.waited_ms.fetch_add(ms, Ordering::SeqCst);
    }

    /// The time between one tap and the next from now on.
    pub fn step(&self, ms: u64) {
        self.step_ms.store(ms, Ordering::SeqCst);
    }
}

pub fn config() -> Config {
    let mut config = Config::default();
    config.volunteer.pin_hash = quick_hash(warm_core::domain::pin::DEMO_PIN);
    config.leader.pin_hash = quick_hash(warm_core::domain::pin::DEMO_LEADER_PIN);
    config
}

/// The demo PIN hashed with argon2's smallest cost: the tests open the counter hundreds of times,
/// and the full cost in a debug build takes a second each. The shipped hash is checked in
/// src/config.rs's own tests.
fn quick_hash(pin: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(8, 1, 1, None).unwrap();
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"warm-market-test").unwrap();
    argon.hash_password(pin.as_bytes(), &salt).unwrap().to_string()
}

pub fn kiosk() -> Kiosk {
    kiosk_with(config())
}

pub fn kiosk_with(config: Config) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = kiosk::context(config, dir.path()).unwrap();
    // Pictures decoded at once, so every screen and snapshot shows them without waiting.
    ctx.picture_decoding = warm_kiosk::ui::picture::Decoding::Inline;
    let now: Timestamp = NOW.parse().unwrap();
    let counter = Arc::new(AtomicU64::new(1));
    ctx.ids = Arc::new(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let mut random = [0u8; 10];
        random[2..].copy_from_slice(&n.to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(now.as_millisecond() as u64, &random).into_uuid()
    });
    let taps = TapClock::new();
    taps.install(&mut ctx, now);
    Kiosk { app: App::new(ctx.clone()), ctx, dir, taps }
}

/// Snapshots and the emulator must use the software renderer, whatever the machine has:
/// `.cargo/config.toml` sets `ICED_TEST_BACKEND=tiny-skia` for every process cargo starts.
fn pin_backend() {
    assert_eq!(
        std::env::var("ICED_TEST_BACKEND").as_deref(),
        Ok("tiny-skia"),
        "run the tests through cargo (.cargo/config.toml sets ICED_TEST_BACKEND=tiny-skia)"
    );
}

pub fn simulator(app: &App) -> Simulator<'_, Message> {
    pin_backend();
    Simulator::with_size(kiosk::settings(), app.room(), app.view())
}

impl Kiosk {
    /// Taps what the selector finds, like a finger, and feeds the resulting messages to the app.
    pub fn tap<S>(&mut self, selector: S)
    where
        S: Selector + Send,
        S::Output: Bounded + Clone + Send + Sync + 'static,
    {
        let description = selector.description();
        let mut ui = simulator(&self.app);
        if let Err(e) = ui.click(selector) {
            panic!("cannot tap {description}: {e}");
        }
        let messages: Vec<Message> = ui.into_messages().collect();
        for message in messages {
            self.update(message);
        }
    }

    /// A finger coming down and up at `point`, whatever is there (maybe nothing).
    pub fn tap_at(&mut self, point: iced::Point) {
        let mut ui = simulator(&self.app);
        ui.point_at(point);
        let _ = ui.simulate(iced_test::simulator::click());
        let messages: Vec<Message> = ui.into_messages().collect();
        for message in messages {
            self.update(message);
        }
    }

    /// Feeds a message to the app and runs the tasks it starts to their end.
    pub fn update(&mut self, message: Message) {
        self.taps.next_message();
        crate::tasks::settle(&mut self.app, message);
    }

    pub fn shows(&self, text: &str) -> bool {
        simulator(&self.app).find(text).is_ok()
    }

    /// Every text on screen, in tree order.
    pub fn texts(&self) -> Vec<(String, iced::Rectangle)> {
        let mut found = Vec::new();
        let mut ui = simulator(&self.app);
        let _ = ui.find(|c: Candidate<'_>| {
            if let Candidate::Text { content, bounds, .. } = c {
                found.push((content.to_owned(), bounds));
            }
            None::<()>
        });
        found
    }
}

/// The payload of the first native QR code (`GS ( k … 31 50 30`) in ESC/POS bytes.
pub fn qr_payload(bytes: &[u8]) -> Option<String> {
    let at = bytes.windows(3).enumerate().find_map(|(i, w)| {
        (w == [0x1d, 0x28, 0x6b] && bytes.get(i + 5..i + 8) == Some(&[0x31, 0x50, 0x30][..])).then_some(i)
    })?;
    let len = usize::from(bytes[at + 3]) + usize::from(bytes[at + 4]) * 256 - 3;
    String::from_utf8(bytes.get(at + 8..at + 8 + len)?.to_vec()).ok()
}

/// The printable text of ESC/POS bytes, decoded from GB18030 (commands dropped roughly, enough to
/// search for words).
pub fn slip_text(bytes: &[u8]) -> String {
    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
    text.into_owned()
}

/// A child run of this test binary for the kill -9 tests: one ignored test (`child_test`) with
/// `env` set to `value`, its stdout lines read as it prints them.
pub struct ChildRun {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    seen: Vec<String>,
}

impl ChildRun {
    pub fn start(child_test: &str, env: &str, value: &std::path::Path) -> ChildRun {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([child_test, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
            .env(env, value)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (said, lines) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = said.send(line);
            }
        });
        ChildRun { child, lines, reader, seen: Vec::new() }
    }

    /// The next line the child prints, when it prints it; `None` if it ends or stays silent for
    /// a minute. (libtest may print "test … ... " before the child's first word on its line.)
    pub fn next_line(&mut self) -> Option<String> {
        let line = self.lines.recv_timeout(std::time::Duration::from_secs(60)).ok()?;
        self.seen.push(line.clone());
        Some(line)
    }

    /// Waits for a line that ends with `word`; when it came, or `None`.
    pub fn wait_for(&mut self, word: &str) -> Option<std::time::Instant> {
        while let Some(line) = self.next_line() {
            if line.ends_with(word) {
                return Some(std::time::Instant::now());
            }
        }
        None
    }

    /// SIGKILL, then every line the child printed.
    pub fn kill(mut self) -> Vec<String> {
        self.child.kill().unwrap(); // SIGKILL on unix
        self.child.wait().unwrap();
        self.reader.join().unwrap();
        self.seen.extend(self.lines.try_iter());
        self.seen
    }

    /// Lets the child run to its end; whether it succeeded.
    pub fn finish(mut self) -> bool {
        let ok = self.child.wait().unwrap().success();
        self.reader.join().unwrap();
        ok
    }
}
