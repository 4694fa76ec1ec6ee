//! The print worker: one named thread owns the transport and drains the queue, so a slow or
//! silent printer never freezes the screen. The UI wakes it after each commit and hears about
//! status and progress through [`Printer::updates`] (a stream the UI subscribes to).

use super::lock::PrinterLock;
use super::queue::{self, QueueError};
use super::status::Problem;
use super::transport::{PrintError, Transport};
use crate::store::Store;
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use warm_core::process::lock;

/// How often the printer is asked again while it has a problem or jobs wait.
const RETRY: Duration = Duration::from_secs(3);
/// How often an idle printer's status is checked (paper near end, cover opened).
const IDLE_POLL: Duration = Duration::from_secs(30);

/// What the screen shows about the printer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrinterState {
    /// What stops printing now; `None` when the printer is fine.
    pub problem: Option<Problem>,
    pub paper_near_end: bool,
    /// Jobs waiting in the queue.
    pub pending: usize,
    /// Jobs printed since the kiosk started.
    pub printed: u64,
    /// The technical cause of the last failure, for the log and the volunteer's details.
    pub last_error: Option<String>,
}

enum Command {
    Wake,
    /// Drain now and answer when done (tests, tools).
    Drain(mpsc::Sender<PrinterState>),
    Replace(Box<dyn Transport>),
}

/// Handle to the worker; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct Printer {
    id: u64,
    commands: mpsc::Sender<Command>,
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<PrinterState>,
    listeners: Mutex<Vec<UnboundedSender<PrinterState>>>,
}

impl Shared {
    fn publish(&self, state: PrinterState) {
        *lock(&self.state) = state.clone();
        lock(&self.listeners).retain(|l| l.unbounded_send(state.clone()).is_ok());
    }
}

impl Printer {
    /// Starts the worker thread `printer`; it drains whatever is queued (jobs left from before a
    /// crash or a printer fault) straight away.
    pub fn spawn(store: Arc<Mutex<Store>>, transport: Box<dyn Transport>) -> std::io::Result<Printer> {
        Printer::start(store, transport, None)
    }

    /// The same, owning the printer: nothing is printed while another process holds the data
    /// folder's `printer.lock` (`warm-kiosk printer …`), and from the first drain on the worker
    /// holds it for as long as it runs.
    pub fn spawn_owning(
        store: Arc<Mutex<Store>>,
        transport: Box<dyn Transport>,
        data_dir: &std::path::Path,
    ) -> std::io::Result<Printer> {
        Printer::start(store, transport, Some(Ownership { data_dir: data_dir.to_owned(), lock: None }))
    }

    fn start(
        store: Arc<Mutex<Store>>,
        transport: Box<dyn Transport>,
        owner: Option<Ownership>,
    ) -> std::io::Result<Printer> {
        static IDS: AtomicU64 = AtomicU64::new(1);
        let (commands, inbox) = mpsc::channel();
        let shared = Arc::new(Shared { state: Mutex::new(PrinterState::default()), listeners: Mutex::new(Vec::new()) });
        let worker = Worker { store, transport, shared: shared.clone(), state: PrinterState::default(), owner };
        std::thread::Builder::new().name("printer".into()).spawn(move || worker.run(inbox))?;
        let printer = Printer { id: IDS.fetch_add(1, Ordering::Relaxed), commands, shared };
        printer.wake();
        Ok(printer)
    }

    /// Asks the worker to print what is queued (after an order is committed).
    pub fn wake(&self) {
        let _ = self.commands.send(Command::Wake);
    }

    /// Prints what is queued and waits until the worker is done trying.
    pub fn drain(&self) -> PrinterState {
        let (tx, rx) = mpsc::channel();
        if self.commands.send(Command::Drain(tx)).is_err() {
            return self.state();
        }
        rx.recv().unwrap_or_else(|_| self.state())
    }

    /// Swaps the transport (a test's broken printer, a config reload).
    pub fn replace_transport(&self, transport: Box<dyn Transport>) {
        let _ = self.commands.send(Command::Replace(transport));
    }

    pub fn state(&self) -> PrinterState {
        lock(&self.shared.state).clone()
    }

    /// A stream of states, starting with the current one: feed it to `Subscription::run_with`.
    pub fn updates(&self) -> UnboundedReceiver<PrinterState> {
        let (tx, rx) = unbounded();
        let _ = tx.unbounded_send(self.state());
        lock(&self.shared.listeners).push(tx);
        rx
    }
}

/// Subscriptions are told apart by the worker they listen to.
impl Hash for Printer {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

struct Worker {
    store: Arc<Mutex<Store>>,
    transport: Box<dyn Transport>,
    shared: Arc<Shared>,
    state: PrinterState,
    owner: Option<Ownership>,
}

/// Why a worker that must own the printer may not print yet (the text is the printer's last error).
#[derive(Debug, thiserror::Error)]
enum NotOwner {
    /// Another program holds the printer's lock file.
    #[error("another program is using the printer ({}); printing waits for it", .0.display())]
    Taken(PathBuf),
    /// The lock file cannot be made or locked.
    #[error("{}: {error}", path.display())]
    Lock { path: PathBuf, error: std::io::Error },
}

/// The printer lock of a worker that must own the printer before it prints.
struct Ownership {
    data_dir: PathBuf,
    lock: Option<PrinterLock>,
}

impl Worker {
    fn run(mut self, inbox: mpsc::Receiver<Command>) {
        loop {
            let wait = if self.state.problem.is_some() || self.state.pending > 0 { RETRY } else { IDLE_POLL };
            match inbox.recv_timeout(wait) {
                Ok(Command::Wake) | Err(RecvTimeoutError::Timeout) => self.drain(),
                Ok(Command::Drain(reply)) => {
                    self.drain();
                    let _ = reply.send(self.state.clone());
                }
                Ok(Command::Replace(transport)) => self.transport = transport,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    /// Whether this worker may print now (it owns the printer, or needs no lock).
    fn owns_printer(&mut self) -> Result<(), NotOwner> {
        let Some(owner) = &mut self.owner else { return Ok(()) };
        if owner.lock.is_some() {
            return Ok(());
        }
        match PrinterLock::try_acquire(&owner.data_dir) {
            Ok(Some(lock)) => {
                owner.lock = Some(lock);
                Ok(())
            }
            Ok(None) => Err(NotOwner::Taken(PrinterLock::path(&owner.data_dir))),
            Err(error) => Err(NotOwner::Lock { path: PrinterLock::path(&owner.data_dir), error }),
        }
    }

    fn drain(&mut self) {
        if let Err(why) = self.owns_printer() {
            let why = why.to_string();
            let mut state = self.state.clone();
            state.pending = lock(&self.store).pending_print_count().unwrap_or(state.pending);
            if state.last_error.as_deref() != Some(why.as_str()) {
                tracing::warn!("{why}");
            }
            state.last_error = Some(why);
            if state != self.state {
                self.state = state.clone();
                self.shared.publish(state);
            }
            return;
        }
        let store = &self.store;
        let result = queue::drain(|| lock(store), self.transport.as_mut());
        let mut state = self.state.clone();
        match result {
            Ok(done) => {
                state.problem = None;
                state.paper_near_end = done.status.paper_near_end;
                state.printed += done.printed.len() as u64;
                state.last_error = None;
            }
            Err(e) => {
                state.problem = Some(match &e {
                    QueueError::Print(PrintError::NotReady(p)) => *p,
                    // A job cut off: ask why, so the words say what to do (paper, cover, ...).
                    QueueError::Print(_) => match self.transport.status() {
                        Ok(s) => s.problem().unwrap_or(Problem::NoAnswer),
                        Err(_) => Problem::NoAnswer,
                    },
                    _ => Problem::NoAnswer,
                });
                if !matches!(e, QueueError::Print(PrintError::NotReady(_))) || self.state.last_error.is_none() {
                    tracing::warn!("printing stopped: {e}");
                }
                state.last_error = Some(e.to_string());
            }
        }
        state.pending = lock(store).pending_print_count().unwrap_or(state.pending);
        if state != self.state {
            self.state = state.clone();
            self.shared.publish(state);
        }
    }
}
