//! Benchmarks of the seniors' kiosk (figures go in docs/BENCHMARKS.md):
//! 1. cold start to first frame and the process's peak resident memory by then: demo catalog (56
//!    products), generated 300- and 1,000-product catalogs, and a bare iced window, each a fresh
//!    process under the current $DISPLAY (run under Xvfb);
//! 2. durable order commit latency (WAL, synchronous=FULL) beside a raw write + fsync on the same disk;
//! 3. resident memory of the bounded picture cache walked through all 1,000 products a page at a time.
//!
//! Run: `xvfb-run -a -s "-screen 0 1920x1080x24" cargo bench --bench kiosk`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot go on should stop loudly

use iced::widget::text;
use iced::{Element, window};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use warm_core::domain::{Lang, OrderLine};
use warm_kiosk::config::Config;
use warm_kiosk::kiosk;
use warm_kiosk::store::{NewOrder, Store};
use warm_kiosk::ui::{App, Message};

const RUNS: usize = 5;
const COMMITS: usize = 400;
const BIG: usize = 1000;
const MID: usize = 300;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--first-frame") => return first_frame(args.get(2).map(PathBuf::from)),
        Some("--bare-window") => return bare_window(),
        Some("--memory") => return memory(Path::new(&args[2])),
        _ => {}
    }
    let work = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let big = work.path().join("big");
    make_big_catalog(&big, BIG);
    let mid = work.path().join("mid");
    make_big_catalog(&mid, MID);

    println!("## cold start to first frame and peak RSS by then ({RUNS} runs each, median / min; RSS median)");
    let exe = std::env::current_exe().unwrap();
    let mut side_by_side = Vec::new();
    for (name, args) in [
        ("bare iced window", vec!["--bare-window".to_owned()]),
        ("kiosk, demo catalog (56 products)", vec!["--first-frame".to_owned()]),
        ("kiosk, 300 products", vec!["--first-frame".to_owned(), mid.join("catalog.toml").display().to_string()]),
        ("kiosk, 1,000 products", vec!["--first-frame".to_owned(), big.join("catalog.toml").display().to_string()]),
    ] {
        let mut runs: Vec<(Duration, u64)> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = Command::new(&exe).args(&args).output().unwrap();
                assert!(out.status.success(), "{name} failed (is DISPLAY set to an Xvfb?)");
                let peak = String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .find_map(|l| l.strip_prefix("peak-rss-kib ")?.trim().parse().ok())
                    .unwrap_or(0);
                (start.elapsed(), peak)
            })
            .collect();
        let mut rss: Vec<u64> = runs.iter().map(|r| r.1).collect();
        rss.sort_unstable();
        runs.sort();
        side_by_side.push((name, runs[RUNS / 2].0, runs[0].0, rss[RUNS / 2]));
    }
    let bare = side_by_side[0].1;
    for (name, median, min, rss) in &side_by_side {
        println!(
            "{name:40} {:>7.0} ms / {:>7.0} ms  ({:.2}× bare)  peak RSS {:>6.1} MiB",
            ms(*median),
            ms(*min),
            median.as_secs_f64() / bare.as_secs_f64(),
            *rss as f64 / 1024.0
        );
    }

    println!("\n## durable order commit vs raw write + fsync ({COMMITS} each, same disk)");
    let (ours, raw) = commit_latency(work.path());
    println!("order commit (3 lines + slip + outbox)   p50 {:>6.2} ms  p99 {:>6.2} ms", ours.0, ours.1);
    println!("raw 2 KiB write + fsync                   p50 {:>6.2} ms  p99 {:>6.2} ms", raw.0, raw.1);

    println!("\n## resident memory");
    let out = Command::new(&exe).args(["--memory", &big.join("catalog.toml").display().to_string()]).output().unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Wraps the kiosk so the process exits right after its first frame is drawn.
enum Bench {
    App(Message),
    Frame,
}

fn first_frame(catalog: Option<PathBuf>) {
    let data = tempfile::tempdir().unwrap();
    let config = Config { catalog, ..Config::default() };
    let ctx = kiosk::context(config, data.path()).unwrap();
    iced::application(
        move || {
            let (app, task) = App::boot(ctx.clone());
            (app, task.map(Bench::App))
        },
        |app: &mut App, message: Bench| match message {
            Bench::App(m) => app.update(m).map(Bench::App),
            Bench::Frame => {
                println!("peak-rss-kib {}", peak_rss_kib());
                iced::exit()
            }
        },
        bench_view,
    )
    .subscription(|_| window::frames().map(|_| Bench::Frame))
    .settings(kiosk::settings())
    .window_size(warm_kiosk::ui::REFERENCE_SIZE)
    .run()
    .unwrap();
}

fn bench_view(app: &App) -> Element<'_, Bench> {
    app.view().map(Bench::App)
}

fn bare_view(_: &()) -> Element<'_, ()> {
    text("hello").into()
}

fn bare_window() {
    iced::application(
        || (),
        |_: &mut (), _: ()| {
            println!("peak-rss-kib {}", peak_rss_kib());
            iced::exit()
        },
        bare_view,
    )
    .subscription(|_| window::frames().map(|_| ()))
    .window_size(warm_kiosk::ui::REFERENCE_SIZE)
    .run()
    .unwrap();
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[samples.len() * 99 / 100])
}

fn commit_latency(dir: &Path) -> ((f64, f64), (f64, f64)) {
    let mut store = Store::open(&dir.join("bench.sqlite")).unwrap();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let policy = Config::default().slot_policy();
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let profile = warm_core::receipt::PaperProfile::default();
    let ours: Vec<f64> = (0..COMMITS)
        .map(|n| {
            let lines = (0..3)
                .map(|i| {
                    let p = &catalog.products[(n + i * 11) % catalog.products.len()];
                    OrderLine::of(p, 1)
                })
                .collect();
            let new =
                NewOrder { id: uuid::Uuid::now_v7(), terminal: "B1".into(), lang: Lang::Zh, household: None, lines };
            let start = Instant::now();
            store
                .place_order(new, jiff::Timestamp::now(), &policy, &tz, |o| {
                    warm_core::receipt::slip::pickup_slip(o, &catalog.market_name, &profile, &tz)
                })
                .unwrap();
            ms(start.elapsed())
        })
        .collect();
    let mut file = std::fs::File::create(dir.join("raw.bin")).unwrap();
    let block = [0x5au8; 2048];
    let raw: Vec<f64> = (0..COMMITS)
        .map(|_| {
            let start = Instant::now();
            file.write_all(&block).unwrap();
            file.sync_all().unwrap();
            ms(start.elapsed())
        })
        .collect();
    (percentiles(ours), percentiles(raw))
}

/// The process's peak resident memory so far (VmHWM).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn memory(catalog: &Path) {
    use warm_kiosk::ui::picture::{Decoding, Kind, Pictures};
    let before = rss_kib();
    let loaded = warm_core::catalog_file::load(catalog).unwrap();
    // The kiosk's cache walked through every page of 6: what stays resident is bounded.
    let mut pictures = Pictures::new(loaded.pictures, 1.0, Decoding::Inline);
    let wants: Vec<_> = loaded.catalog.products.iter().map(|p| (p.picture.as_str(), Kind::Product)).collect();
    for page in wants.chunks(6) {
        pictures.decode_now(page);
    }
    let after = rss_kib();
    println!(
        "{} pictures decoded a page at a time, at most {} kept (≤ {:?} px): RSS {:.1} MiB before, {:.1} MiB after (+{:.1} MiB); {} missing",
        pictures.decodes(),
        pictures.peak(),
        warm_kiosk::ui::picture::max_side(1.0),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after - before) as f64 / 1024.0,
        pictures.missing().count()
    );
}

/// A catalog of `count` products in the demo's categories, each with its own picture (the demo
/// pictures recoloured, so every file decodes to different pixels).
fn make_big_catalog(dir: &Path, count: usize) {
    let demo = warm_kiosk::demo::catalog().unwrap();
    std::fs::create_dir_all(dir.join("pictures")).unwrap();
    let mut toml = String::from("market_name_zh = \"压力测试市集\"\nmarket_name_en = \"Load Test Market\"\n");
    for c in &demo.catalog.categories {
        let bytes = demo.pictures.read(&c.picture).unwrap();
        std::fs::write(dir.join(&c.picture), &*bytes).unwrap();
        toml += &format!(
            "[[category]]\nid = \"{}\"\nname_zh = \"{}\"\nname_en = \"{}\"\npicture = \"{}\"\n",
            c.id.0, c.name.zh, c.name.en, c.picture
        );
    }
    for n in 0..count {
        let base = &demo.catalog.products[n % demo.catalog.products.len()];
        let mut image = image::load_from_memory(&demo.pictures.read(&base.picture).unwrap()).unwrap().into_rgba8();
        let tint = [(n * 37 % 256) as u8, (n * 91 % 256) as u8, (n * 53 % 256) as u8];
        for pixel in image.pixels_mut() {
            for (channel, t) in pixel.0.iter_mut().zip(tint) {
                *channel = ((u16::from(*channel) * 3 + u16::from(t)) / 4) as u8;
            }
        }
        let picture = format!("pictures/p{n:04}.png");
        image.save(dir.join(&picture)).unwrap();
        let data = format!("69{:010}", n);
        let digits: Vec<u32> = data.bytes().map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits.iter().rev().enumerate().map(|(i, d)| d * if i % 2 == 0 { 3 } else { 1 }).sum();
        toml += &format!(
            "[[product]]\nid = \"p{n:04}\"\ncategory = \"{}\"\nname_zh = \"{}{n}\"\nname_en = \"{} {n}\"\nspec_zh = \"{}\"\nspec_en = \"{}\"\nunit_zh = \"{}\"\nunit_en = \"{}\"\nprice_fen = {}\nean13 = \"{data}{}\"\npicture = \"{picture}\"\n",
            base.category.0,
            base.name.zh,
            base.name.en,
            base.spec.zh,
            base.spec.en,
            base.unit.zh,
            base.unit.en,
            base.price.as_fen() + n as i64,
            (10 - sum % 10) % 10
        );
    }
    std::fs::write(dir.join("catalog.toml"), toml).unwrap();
}
