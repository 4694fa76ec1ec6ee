//! Speech latency: from `Speaker::say` (what a product tap calls) to the first audible sample of
//! the engine's sound, beside espeak-ng alone started from a shell with the same text, voice and
//! settings. Both read the engine's WAV stream (`--stdout`) and stop at the first non-zero
//! sample; the two are interleaved so they share the machine's state.
//!
//! Run: `cargo bench --bench speech` (needs Debian's espeak-ng; optionally `-- 500` for more calls).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use warm_core::domain::Lang;
use warm_kiosk::device::speech::{Espeak, Output, Sink, Speaker, SpeechConfig};

/// Reads a WAV stream up to its first non-zero sample; false if it ended silent.
fn first_sound(mut audio: impl Read) -> bool {
    let mut header = [0u8; 44];
    if audio.read_exact(&mut header).is_err() {
        return false;
    }
    let mut buf = [0u8; 4096];
    let mut carry: Option<u8> = None;
    loop {
        let n = match audio.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        let mut bytes: Vec<u8> = carry.take().into_iter().collect();
        bytes.extend_from_slice(&buf[..n]);
        let pairs = bytes.chunks_exact(2);
        carry = pairs.remainder().first().copied();
        if pairs.into_iter().any(|p| i16::from_le_bytes([p[0], p[1]]) != 0) {
            return true;
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<58} p50 {:>6.1} ms  p99 {:>6.1} ms  min {:>6.1} ms  max {:>6.1} ms  (n={})",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

fn main() {
    let calls: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100);
    let config = SpeechConfig::default();
    let catalog = warm_kiosk::demo::catalog().unwrap().catalog;
    let tomato = catalog.products.iter().find(|p| p.name.zh == "番茄").unwrap_or(&catalog.products[0]);
    println!(
        "espeak-ng: {}",
        String::from_utf8_lossy(&Command::new("espeak-ng").arg("--version").output().unwrap().stdout).trim()
    );
    for lang in [Lang::Zh, Lang::En] {
        let text = warm_core::speech::events::product(tomato, lang);
        println!("\n{lang:?}: \"{text}\"");
        let (to, streams) = std::sync::mpsc::channel();
        let speaker = Speaker::start(Espeak::new(&config), Output::Stream(to));
        // The same command line the speaker runs, started by a shell.
        let engine_cmd = Espeak::new(&config).command(&text, lang, &Sink::Stdout);
        let line: Vec<String> = std::iter::once(engine_cmd.get_program())
            .chain(engine_cmd.get_args())
            .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''")))
            .collect();
        let shell_line = format!("exec {}", line.join(" "));
        let (mut ours, mut shell) = (Vec::new(), Vec::new());
        for _ in 0..calls {
            let tap = Instant::now();
            speaker.say(text.clone(), lang);
            let utterance = streams.recv_timeout(Duration::from_secs(10)).expect("the speaker started the engine");
            assert!(first_sound(utterance.audio), "silent utterance");
            ours.push(tap.elapsed());

            let start = Instant::now();
            let mut child = Command::new("sh").arg("-c").arg(&shell_line).stdout(Stdio::piped()).spawn().unwrap();
            assert!(first_sound(child.stdout.take().unwrap()), "silent engine");
            shell.push(start.elapsed());
            let _ = child.kill();
            let _ = child.wait();
        }
        speaker.stop();
        report("Speaker::say → first audible sample", ours);
        report("sh -c 'espeak-ng … --stdout' → first audible sample", shell);
    }
}
