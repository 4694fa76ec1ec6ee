//! The real espeak-ng (installed by `.ci/run`): voices, WAVs of every event's sentence, interrupts
//! and a missing engine.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot go on should stop loudly

use super::*;
use std::process::Command;
use std::time::{Duration, Instant};
use warm_core::domain::{Cart, Catalog, Category, CategoryId, Lang, Money, OrderNumber, PickupSlot, Product, Text};
use warm_core::speech::events;

fn engine() -> Espeak {
    Espeak::new(&SpeechConfig::default())
}

fn phonemes(voice: &str, text: &str) -> String {
    let out = Command::new("espeak-ng").args(["-v", voice, "-x", "-q", "--", text]).output().unwrap();
    assert!(out.status.success(), "espeak-ng -v {voice}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_mandarin_voice_says_mandarin_not_english_pinyin() {
    // `cmn` switches to English for Hanzi ("(en)fa55nw'055n": "fan one"); ours stays Mandarin.
    assert!(phonemes("cmn", "番茄").contains("(en)"));
    let ours = phonemes(Espeak::voice(Lang::Zh), &Espeak::engine_text("番茄，五元九角", Lang::Zh));
    assert!(!ours.contains("(en)"), "{ours}");
    // fān qié (not jiā), and 九角 with third-tone sandhi: jiú jiǎo.
    for expected in ["f'a55n", "tS;h'iE35", "tS;'iou35", "tS;j'Au214"] {
        assert!(ours.contains(expected), "{expected} missing in {ours}");
    }
    assert!(!phonemes(Espeak::voice(Lang::En), "five yuan ninety").contains("(cmn)"));
}

fn product(id: &str, zh: &str, en: &str, spec: (&str, &str), unit: (&str, &str), fen: i64) -> Product {
    Product {
        id: warm_core::domain::ProductId::new(id),
        category: CategoryId("c".into()),
        name: Text::new(zh, en),
        spec: Text::new(spec.0, spec.1),
        unit: Text::new(unit.0, unit.1),
        price: Money(fen),
        ean13: String::new(),
        limit_per_household: None,
        limit_period: warm_core::domain::LimitPeriod::Day,
        picture: String::new(),
    }
}

fn catalog() -> Catalog {
    let category = Category {
        id: CategoryId("c".into()),
        name: Text::new("蔬果", "Produce"),
        picture: String::new(),
        parent: None,
    };
    Catalog::new(
        Text::new("市集", "Market"),
        vec![category],
        vec![
            product("tomato", "番茄", "Tomatoes", ("500克/份", "500 g pack"), ("份", "pack"), 590),
            product("rice", "东北大米", "Northeast Rice", ("5公斤/袋", "5 kg bag"), ("袋", "bag"), 3990),
        ],
    )
}

/// Every event's sentence in both languages, named.
fn sentences() -> Vec<(String, Lang, String)> {
    let catalog = catalog();
    let mut cart = Cart::default();
    for id in ["tomato", "tomato", "rice"] {
        cart.add(&warm_core::domain::ProductId::new(id));
    }
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let at = |s: &str| s.parse::<jiff::civil::DateTime>().unwrap().to_zoned(tz.clone()).unwrap().timestamp();
    let slot = PickupSlot { start: at("2022-05-06T08:00"), end: at("2022-05-06T08:30") };
    let number = OrderNumber { terminal: "K1".into(), seq: 42 };
    let mut all = Vec::new();
    for lang in [Lang::Zh, Lang::En] {
        let tomato = &catalog.products[0];
        all.push(("product".into(), lang, events::product(tomato, lang)));
        all.push(("basket".into(), lang, events::basket(&cart, &catalog, lang)));
        all.push(("review".into(), lang, events::review(&cart, &catalog, lang)));
        all.push(("done".into(), lang, events::done(&number, &slot, at("2022-05-06T07:40"), &tz, lang)));
        let notice = warm_core::i18n::Msg::OrderFailed.text(lang);
        all.push(("notice".into(), lang, events::notice(notice, lang)));
    }
    all
}

/// Syllables said: a Han character is one; in English, a vowel group is about one.
fn syllables(text: &str, lang: Lang) -> usize {
    match lang {
        Lang::Zh => text.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).count(),
        Lang::En => text
            .split(|c: char| !c.is_ascii_alphabetic())
            .map(|w| {
                let w = w.to_ascii_lowercase();
                let groups = w.split(|c: char| !"aeiouy".contains(c)).filter(|g| !g.is_empty()).count();
                groups.max(usize::from(!w.is_empty()))
            })
            .sum(),
    }
}

#[test]
fn every_event_is_said_into_a_wav_that_is_not_silent_and_fits_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut lengths = Vec::new();
    for (name, lang, text) in sentences() {
        let path = dir.path().join(format!("{name}-{lang:?}.wav"));
        engine().run(&text, lang, &Sink::Wav(path.clone())).unwrap();
        let mut wav = hound::WavReader::open(&path).unwrap();
        let spec = wav.spec();
        assert_eq!((spec.channels, spec.bits_per_sample), (1, 16), "{name}");
        let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
        let seconds = samples.len() as f64 / f64::from(spec.sample_rate);
        // Loud enough: a quarter or more of its 20 ms windows carry sound well above the noise floor.
        let window = (spec.sample_rate / 50) as usize;
        let windows: Vec<f64> = samples
            .chunks(window)
            .map(|w| (w.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / w.len() as f64).sqrt())
            .collect();
        let voiced = windows.iter().filter(|&&rms| rms > 300.0).count();
        assert!(voiced * 4 >= windows.len(), "{name} {lang:?}: {voiced} of {} windows voiced", windows.len());
        // As long as its syllables take to say: 0.12–0.6 s each at 150 words a minute.
        let n = syllables(&text, lang) as f64;
        assert!((0.12 * n..=0.6 * n + 1.0).contains(&seconds), "{name} {lang:?}: {seconds:.2} s for {n} syllables");
        lengths.push((name, lang, seconds));
    }
    // The whole order takes longer than one product, in both languages.
    for lang in [Lang::Zh, Lang::En] {
        let of = |n: &str| lengths.iter().find(|(name, l, _)| name == n && *l == lang).map(|x| x.2).unwrap();
        assert!(of("review") > of("product") + 1.0, "{lang:?}: review {} product {}", of("review"), of("product"));
    }
}

/// Whether a process is still running (a killed one is gone, or a zombie until reaped).
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|s| s != "Z" && s != "X"),
        Err(_) => false,
    }
}

/// A long utterance whose WAV stream nobody reads: the engine blocks on the full pipe and keeps
/// speaking until it is killed.
fn speaking_speaker() -> (Speaker, std::sync::mpsc::Receiver<Utterance>, u32) {
    let (to, streams) = std::sync::mpsc::channel();
    let speaker = Speaker::start(engine(), Output::Stream(to));
    let long = events::review(&Cart::default(), &catalog(), Lang::Zh).repeat(20);
    speaker.say(long, Lang::Zh);
    let status = speaker.wait_for(Duration::from_secs(10), |s| s.speaking.is_some()).expect("the engine started");
    let pid = status.speaking.unwrap();
    (speaker, streams, pid)
}

#[test]
fn a_new_utterance_kills_the_one_being_said_within_100_ms() {
    let (speaker, streams, first) = speaking_speaker();
    assert!(running(first), "the first utterance is being said");
    // Still speaking a moment later: its sound is not read, so it cannot finish on its own.
    std::thread::sleep(Duration::from_millis(200));
    assert!(running(first));
    let tap = Instant::now();
    speaker.say("番茄，五元九角", Lang::Zh);
    while running(first) && tap.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let gone_after = tap.elapsed();
    assert!(!running(first), "the first utterance is still being said");
    assert!(gone_after < Duration::from_millis(100), "killed after {gone_after:?}");
    // The new one is said, by a new process, and the old one is reaped (no zombie left).
    let status = speaker.wait_for(Duration::from_secs(10), |s| s.started == 2).unwrap();
    assert_ne!(status.speaking, Some(first));
    let reaped = Instant::now();
    while std::path::Path::new(&format!("/proc/{first}")).exists() && reaped.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!std::path::Path::new(&format!("/proc/{first}")).exists(), "not reaped");
    let streams: Vec<Utterance> = streams.try_iter().collect();
    assert_eq!(streams.len(), 2);
    assert!(status.last_error.is_none());
}

#[test]
fn stop_and_drop_end_the_speech() {
    let (speaker, _streams, pid) = speaking_speaker();
    speaker.stop();
    let status = speaker.wait_for(Duration::from_secs(5), |s| s.speaking.is_none()).unwrap();
    assert!(!running(pid) && status.last_error.is_none());
    let (speaker, _streams, pid) = speaking_speaker();
    drop(speaker);
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "dropping the speaker reaps its engine");
}

#[test]
fn a_missing_engine_is_silence_and_an_error_never_a_panic() {
    let missing = engine().with_program("/nonexistent/espeak-ng");
    let dir = tempfile::tempdir().unwrap();
    let err = missing.run("您好", Lang::Zh, &Sink::Wav(dir.path().join("x.wav"))).unwrap_err();
    assert!(matches!(err, SpeechError::EngineMissing { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/espeak-ng"), "{err}");

    let speaker = Speaker::start(missing, Output::Device);
    for _ in 0..3 {
        speaker.say("番茄，五元九角", Lang::Zh);
    }
    let status = speaker.wait_for(Duration::from_secs(5), |s| s.last_error.is_some()).unwrap();
    assert!(matches!(status.last_error, Some(SpeechError::EngineMissing { .. })));
    assert_eq!((status.speaking, status.started), (None, 0));
    speaker.stop();
    drop(speaker);
}

#[test]
fn an_engine_error_is_reported_with_its_reason() {
    // A text the engine writes nowhere: a WAV in a folder that does not exist.
    let err = engine().run("您好", Lang::Zh, &Sink::Wav("/nonexistent/dir/x.wav".into())).unwrap_err();
    assert!(matches!(err, SpeechError::Failed { .. } | SpeechError::NoSound { .. }), "{err}");
}

#[test]
fn volume_reaches_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let peak = |volume: u8| {
        let path = dir.path().join(format!("v{volume}.wav"));
        Espeak::new(&SpeechConfig { enabled_by_default: true, volume })
            .run("五元九角", Lang::Zh, &Sink::Wav(path.clone()))
            .unwrap();
        let mut wav = hound::WavReader::open(&path).unwrap();
        wav.samples::<i16>().map(|s| i32::from(s.unwrap()).abs()).max().unwrap()
    };
    let (quiet, loud) = (peak(30), peak(150));
    assert!(loud > quiet * 2, "volume 30 peaks at {quiet}, 150 at {loud}");
}

#[test]
fn yi_and_bu_take_the_tone_a_speaker_gives_them() {
    let said = |t: &str| Espeak::engine_text(t, Lang::Zh);
    assert_eq!(said("限购一袋"), "限购 yi2 袋", "yí before a fourth tone");
    assert_eq!(said("一百元"), " yi4 百元", "yì before the others");
    assert_eq!(said("不是"), " bu2 是");
    assert_eq!(said("不好"), "不好", "bù stays before a third tone");
    // Counting, ordinals, digits and the end of a phrase keep yī.
    for kept in ["十一元", "第一", "零，零，零，一", "一，零", "一十", "还有一"] {
        assert_eq!(said(kept), kept);
    }
    // The voice reads the pinyin with the rising tone (35), where the Hanzi got a level one (55).
    assert!(phonemes(Espeak::voice(Lang::Zh), "一袋").contains("j'i55"));
    let changed = phonemes(Espeak::voice(Lang::Zh), &said("您还可买一袋"));
    assert!(changed.contains("35") && !changed.contains("j'i55"), "{changed}");
}

#[test]
fn known_misreadings_go_to_the_engine_in_pinyin() {
    assert_eq!(Espeak::engine_text("番茄，茄子", Lang::Zh), "番 qie2 ， qie2 子");
    assert_eq!(Espeak::engine_text("Tomatoes", Lang::En), "Tomatoes");
    let cmd = engine().command("-5", Lang::En, &Sink::Stdout);
    let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    assert_eq!(args, ["-v", "en", "-a", "100", "-s", "150", "--stdout", "--", "-5"]);
}

#[test]
fn the_switch_is_per_senior_and_silences_at_once() {
    let (to, _streams) = std::sync::mpsc::channel();
    let speaker = Speaker::start(engine(), Output::Stream(to));
    let config = SpeechConfig::default();
    let mut reading = ReadAloud::with_speaker(Some(std::sync::Arc::new(speaker)), &config);
    let catalog = catalog();
    let tomato = &catalog.products[0];
    assert!(reading.is_on());
    reading.product(tomato, Lang::Zh);
    let started =
        |r: &ReadAloud| r.speaker().unwrap().wait_for(Duration::from_secs(10), |s| s.started >= 1).map(|s| s.started);
    assert_eq!(started(&reading), Some(1));
    // 🔊 off: what was being said stops, and nothing more is said for this senior.
    assert!(!reading.toggle());
    let quiet = reading.speaker().unwrap().wait_for(Duration::from_secs(5), |s| s.speaking.is_none());
    assert!(quiet.is_some());
    reading.basket(&Cart::default(), &catalog, Lang::Zh);
    reading.notice("暂时无法下单", Lang::Zh);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(reading.speaker().unwrap().status().started, 1);
    // The next senior starts with the market's default (on).
    reading.next_senior();
    assert!(reading.is_on());
    reading.product(tomato, Lang::En);
    assert_eq!(
        reading.speaker().unwrap().wait_for(Duration::from_secs(10), |s| s.started == 2).map(|s| s.started),
        Some(2)
    );
    // A market that starts silent.
    let mut silent = ReadAloud::silent(&SpeechConfig { enabled_by_default: false, volume: 100 });
    assert!(!silent.is_on() && silent.toggle());
    silent.product(tomato, Lang::Zh); // no engine behind it: nothing happens, nothing breaks
}
