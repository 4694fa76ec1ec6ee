//! The kiosk's voice: `Speaker::say` hands a text to a thread named "speech" and returns at once.
//! A new utterance interrupts the one before: `say` kills the engine process that is speaking
//! right there (one signal, no waiting), and the thread reaps it and starts the next. A missing
//! engine is logged once and the kiosk stays silent; nothing here can panic the caller.

use super::engine::{Espeak, Sink, SpeechError};
use std::process::{Child, ChildStdout};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use warm_core::domain::Lang;

/// How often the thread looks whether the utterance being said has ended.
const POLL: Duration = Duration::from_millis(20);

/// Where the speaker's sound goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// The sound device (espeak-ng plays it).
    Device,
    /// Each utterance's WAV stream is sent here as it starts; whoever receives it reads it (a
    /// benchmark timing the first sound) or holds it.
    Stream(Sender<Utterance>),
}

/// One utterance's sound, as a WAV stream (22,050 Hz, 16-bit mono, header first).
#[derive(Debug)]
pub struct Utterance {
    /// The engine process saying it.
    pub pid: u32,
    pub audio: ChildStdout,
}

/// What the speaker is doing, for a status line and for tests.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// The engine process of the utterance being said.
    pub speaking: Option<u32>,
    /// Utterances handed to the engine so far.
    pub started: u64,
    /// The last failure (a missing engine stays here: the kiosk is silent).
    pub last_error: Option<SpeechError>,
}

enum Request {
    Say { text: String, lang: Lang },
    Stop,
    Quit,
}

#[derive(Default)]
struct Inner {
    child: Option<Child>,
    status: Status,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends the speaking process SIGKILL; the speech thread reaps it.
    fn interrupt(&self) {
        if let Some(child) = self.lock().child.as_mut() {
            let _ = child.kill();
        }
    }
}

pub struct Speaker {
    requests: Sender<Request>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Speaker {
    /// Starts the speech thread. Never fails: without an engine every `say` is silence and one
    /// log line.
    pub fn start(engine: Espeak, output: Output) -> Speaker {
        let (requests, inbox) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let worker = Worker { engine, output, shared: Arc::clone(&shared), reported: false };
        let thread = std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || worker.run(inbox))
            .map_err(|e| tracing::warn!("speech thread could not start, the kiosk stays silent: {e}"))
            .ok();
        Speaker { requests, shared, thread }
    }

    /// Says `text` (already in words: see `warm_core::speech`), cutting off whatever is being said.
    pub fn say(&self, text: impl Into<String>, lang: Lang) {
        self.shared.interrupt();
        let _ = self.requests.send(Request::Say { text: text.into(), lang });
    }

    /// Stops speaking.
    pub fn stop(&self) {
        self.shared.interrupt();
        let _ = self.requests.send(Request::Stop);
    }

    pub fn status(&self) -> Status {
        self.shared.lock().status.clone()
    }

    /// Waits (up to `timeout`) until the status satisfies `done`; the status then, or `None`.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&Status) -> bool) -> Option<Status> {
        let deadline = Instant::now() + timeout;
        let mut inner = self.shared.lock();
        loop {
            if done(&inner.status) {
                return Some(inner.status.clone());
            }
            let left = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?;
            inner = self.shared.changed.wait_timeout(inner, left).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.shared.interrupt();
        let _ = self.requests.send(Request::Quit);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Worker {
    engine: Espeak,
    output: Output,
    shared: Arc<Shared>,
    /// Whether a missing engine was logged already: it is said once, not at every tap.
    reported: bool,
}

impl Worker {
    fn run(mut self, inbox: Receiver<Request>) {
        loop {
            let speaking = self.shared.lock().child.is_some();
            let request =
                if speaking { inbox.recv_timeout(POLL) } else { inbox.recv().map_err(RecvTimeoutError::from) };
            let request = match request {
                Ok(first) => latest(first, &inbox),
                Err(RecvTimeoutError::Timeout) => {
                    self.reap_if_done();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => Request::Quit,
            };
            self.end_current();
            match request {
                Request::Say { text, lang } => self.start(&text, lang),
                Request::Stop => {}
                Request::Quit => return,
            }
        }
    }

    /// Kills (again: `say` already did) and reaps the utterance being said.
    fn end_current(&self) {
        let child = self.shared.lock().child.take();
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
            self.update(|s| s.speaking = None);
        }
    }

    fn reap_if_done(&self) {
        let mut inner = self.shared.lock();
        let finished = inner.child.as_mut().map(|c| c.try_wait());
        match finished {
            Some(Ok(None)) | None => {}
            Some(Ok(Some(_))) => {
                inner.child = None;
                inner.status.speaking = None;
                self.shared.changed.notify_all();
            }
            Some(Err(e)) => {
                tracing::warn!("speech: cannot wait for the engine: {e}");
                inner.child = None;
                inner.status.speaking = None;
                inner.status.last_error = Some(SpeechError::Wait(Arc::new(e)));
                self.shared.changed.notify_all();
            }
        }
    }

    fn start(&mut self, text: &str, lang: Lang) {
        let sink = match self.output {
            Output::Device => Sink::Device,
            Output::Stream(_) => Sink::Stdout,
        };
        match self.engine.spawn(text, lang, &sink) {
            Ok(mut child) => {
                let pid = child.id();
                if let (Output::Stream(to), Some(audio)) = (&self.output, child.stdout.take()) {
                    let _ = to.send(Utterance { pid, audio });
                }
                let mut inner = self.shared.lock();
                inner.child = Some(child);
                inner.status.speaking = Some(pid);
                inner.status.started += 1;
                inner.status.last_error = None;
                self.shared.changed.notify_all();
            }
            Err(e) => {
                if !self.reported {
                    tracing::warn!("{e}");
                    self.reported = true;
                }
                self.update(|s| s.last_error = Some(e));
            }
        }
    }

    fn update(&self, change: impl FnOnce(&mut Status)) {
        change(&mut self.shared.lock().status);
        self.shared.changed.notify_all();
    }
}

/// The last of the requests waiting: taps faster than speech say only the newest.
fn latest(first: Request, inbox: &Receiver<Request>) -> Request {
    let mut last = first;
    while let Ok(next) = inbox.try_recv() {
        if matches!(last, Request::Quit) {
            break;
        }
        last = next;
    }
    last
}
