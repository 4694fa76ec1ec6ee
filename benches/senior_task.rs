//! A scripted senior's task with reading aloud on and off (issue 12): three items from two
//! categories, review, 确认, in both languages and both text sizes (大字 on: the screens at ×1.25
//! with fewer on a page; each product tapped is checked to be on the page in view). Counts the taps and the screen changes, times what
//! the kiosk spends on each tap (its `update`, the tasks it starts such as the order commit, and
//! the next `view`), and, with reading on, collects every sentence the real espeak-ng says and
//! measures how long it is: the time a senior who listens to each sentence to its end spends
//! listening. A senior taps about once a second; the kiosk's clock for taps is stepped 2 s per tap
//! here so no tap falls inside a screen's settling time.
//!
//! Run: `cargo bench --bench senior_task` (needs Debian's espeak-ng).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/kiosk/tasks.rs"]
mod tasks;
use tasks::settle;

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use warm_core::domain::{CategoryId, Lang, ProductId};
use warm_kiosk::config::Config;
use warm_kiosk::device::speech::{Espeak, Output, Speaker, Utterance};
use warm_kiosk::ui::screen::{Screen, category, home, review};
use warm_kiosk::ui::widget::basket;
use warm_kiosk::ui::{App, Message};

/// Seconds of sound in a whole WAV stream (22,050 Hz, 16-bit mono after a 44-byte header).
fn seconds(mut utterance: Utterance) -> f64 {
    let mut bytes = Vec::new();
    utterance.audio.read_to_end(&mut bytes).unwrap();
    bytes.len().saturating_sub(44) as f64 / 2.0 / 22_050.0
}

struct Run {
    taps: usize,
    screen_changes: usize,
    per_tap: Vec<Duration>,
    sentences: usize,
    listening: f64,
}

fn run(lang: Lang, reading: bool, large: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default();
    let mut ctx = warm_kiosk::kiosk::context(config.clone(), dir.path()).unwrap();
    // The tap clock moves 2 s per tap, as a senior's hand would, without the bench sleeping.
    let (start, stepped) = (Instant::now(), Arc::new(AtomicU64::new(0)));
    let clock = stepped.clone();
    ctx.now = Arc::new(move || start + Duration::from_secs(clock.load(Ordering::SeqCst)));
    let (to, sentences) = mpsc::channel();
    let speaker = Arc::new(Speaker::start(Espeak::new(&config.speech), Output::Stream(to)));
    ctx.voice = Some(speaker.clone());
    let catalog = ctx.catalog.clone();
    let mut app = App::new(ctx);
    if lang == Lang::En {
        settle(&mut app, Message::SwitchLanguage);
    }
    if !reading {
        settle(&mut app, Message::ToggleSpeech);
    }
    if large {
        settle(&mut app, Message::ToggleLargeText);
    }
    // Whatever was said while setting up is not part of the task.
    while sentences.recv_timeout(Duration::from_millis(500)).is_ok() {}

    let in_category = |id: &str| -> Vec<ProductId> {
        catalog.in_category(&CategoryId(id.to_owned())).map(|p| p.id.clone()).collect()
    };
    let (grain, produce) = (in_category("grain_oil"), in_category("produce"));
    let open = |id: &str| Message::HomeScreen(home::Message::OpenCategory(CategoryId(id.to_owned())));
    let add = |p: &ProductId| Message::Category(category::Message::Add(p.clone()));
    let script = vec![
        open("grain_oil"),
        add(&grain[0]),
        add(&grain[1]),
        Message::Home,
        open("produce"),
        add(&produce[0]),
        Message::Basket(basket::Message::Review),
        Message::Review(review::Message::Confirm),
    ];

    let mut result = Run { taps: script.len(), screen_changes: 0, per_tap: Vec::new(), sentences: 0, listening: 0.0 };
    let screen = |app: &App| std::mem::discriminant(app.screen());
    for tap in script {
        if let Message::Category(category::Message::Add(p)) = &tap {
            let Screen::Category(c) = app.screen() else { panic!("not on a category") };
            assert!(c.in_view().contains(&category::Item::Product(p.clone())), "{p:?} is not on the page in view");
        }
        stepped.fetch_add(2, Ordering::SeqCst);
        let before = screen(&app);
        let started = Instant::now();
        settle(&mut app, tap);
        drop(app.view());
        result.per_tap.push(started.elapsed());
        result.screen_changes += usize::from(screen(&app) != before);
        // Listen to what this tap said, to its end, before the next tap (so nothing is cut off).
        while let Ok(sentence) = sentences.recv_timeout(Duration::from_millis(800)) {
            result.sentences += 1;
            result.listening += seconds(sentence);
        }
    }
    assert_eq!(app.cart().lines().len(), 0, "the order was placed and the basket emptied");
    speaker.stop();
    result
}

fn main() {
    if std::process::Command::new("espeak-ng").arg("--version").output().is_err() {
        eprintln!("espeak-ng is not installed (apt-get install espeak-ng): nothing to measure");
        return;
    }
    println!(
        "| language | text | reading | taps | screen changes | kiosk time per tap p50 / max | kiosk time, whole task | sentences | listening |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for (lang, large, reading) in [Lang::Zh, Lang::En]
        .into_iter()
        .flat_map(|lang| [(lang, false), (lang, true)])
        .flat_map(|(lang, large)| [(lang, large, false), (lang, large, true)])
    {
        let mut r = run(lang, reading, large);
        r.per_tap.sort();
        println!(
            "| {lang:?} | {} | {} | {} | {} | {:.1} ms / {:.1} ms | {:.0} ms | {} | {:.1} s |",
            if large { "大字" } else { "normal" },
            if reading { "on" } else { "off" },
            r.taps,
            r.screen_changes,
            r.per_tap[r.per_tap.len() / 2].as_secs_f64() * 1e3,
            r.per_tap.last().unwrap().as_secs_f64() * 1e3,
            r.per_tap.iter().sum::<Duration>().as_secs_f64() * 1e3,
            r.sentences,
            r.listening,
        );
    }
}
