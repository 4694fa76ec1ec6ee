//! The serial scanner: a named thread owns the port and does blocking reads with a short timeout,
//! a `Disconnected { retry } → Connected` state machine reopens the port after an unplug (a USB
//! scanner coming back, or a `/dev/serial/by-id` link pointing at a new device), and every event
//! goes over a channel. The UI subscribes to the channel (`ui::devices`), so the thread lives
//! exactly as long as the subscription.

use super::ScannerConfig;
use super::line::{LineError, LineReader};
use crate::device::serial_line::{self, FlowControl};
use futures_channel::mpsc;
use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

/// How long one blocking read waits before the thread looks whether anyone still listens.
const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// Whether the serial scanner is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerLink {
    Connected {
        port: String,
    },
    /// The port cannot be opened or went away; the thread tries again after `retry_in`.
    Disconnected {
        port: String,
        reason: String,
        retry_in: Duration,
    },
}

/// What the scanner thread reports. `Clone` so it travels in iced messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerEvent {
    /// The port came or went.
    Link(ScannerLink),
    /// One line from the scanner: a code, or why those bytes are not one.
    Line(Result<String, LineError>),
}

enum State {
    Disconnected { retry: Instant, reason: Option<String> },
    Connected(Box<dyn serialport::SerialPort>),
}

pub fn builder(config: &ScannerConfig, port: &str) -> serialport::SerialPortBuilder {
    let flow = match config.flow_control {
        FlowControl::None => serialport::FlowControl::None,
        FlowControl::XonXoff => serialport::FlowControl::Software,
        FlowControl::RtsCts => serialport::FlowControl::Hardware,
    };
    serial_line::builder(port, config.baud, config.data_bits, config.parity, config.stop_bits, flow)
        .timeout(READ_TIMEOUT)
}

/// Where the reader's events go.
pub trait Sink {
    /// Delivers one event; false when nobody listens any more (the thread then ends).
    fn send(&mut self, event: ScannerEvent) -> bool;
    /// Asked between reads: false ends the thread.
    fn alive(&self) -> bool {
        true
    }
}

impl Sink for mpsc::UnboundedSender<ScannerEvent> {
    fn send(&mut self, event: ScannerEvent) -> bool {
        self.unbounded_send(event).is_ok()
    }

    fn alive(&self) -> bool {
        !self.is_closed()
    }
}

/// Any closure can take the events (the `scanner test` command prints them).
pub struct Each<F>(pub F);

impl<F: FnMut(ScannerEvent) -> bool> Sink for Each<F> {
    fn send(&mut self, event: ScannerEvent) -> bool {
        (self.0)(event)
    }
}

/// Runs the reader on the calling thread until the sink stops listening. Events come in order;
/// a line is sent as soon as its terminator is read.
pub fn run(config: &ScannerConfig, port: &str, sink: &mut impl Sink) {
    let retry_in = Duration::from_secs(config.retry_seconds.max(1));
    let mut reader = LineReader::new(config.max_line_bytes);
    let mut buf = [0u8; 256];
    let mut state = State::Disconnected { retry: Instant::now(), reason: None };
    loop {
        if !sink.alive() {
            return;
        }
        state = match state {
            State::Disconnected { retry, reason } if Instant::now() < retry => {
                std::thread::sleep(retry.saturating_duration_since(Instant::now()).min(READ_TIMEOUT));
                State::Disconnected { retry, reason }
            }
            State::Disconnected { reason, .. } => match builder(config, port).open() {
                Ok(opened) => {
                    reader.reset();
                    tracing::info!(port, "scanner connected");
                    if !sink.send(ScannerEvent::Link(ScannerLink::Connected { port: port.to_owned() })) {
                        return;
                    }
                    State::Connected(opened)
                }
                Err(e) => {
                    let text = e.to_string();
                    // Report a cause once, not at every retry.
                    if reason.as_deref() != Some(&text) {
                        tracing::warn!(port, "scanner not available: {text}");
                        let event = ScannerEvent::Link(ScannerLink::Disconnected {
                            port: port.to_owned(),
                            reason: text.clone(),
                            retry_in,
                        });
                        if !sink.send(event) {
                            return;
                        }
                    }
                    State::Disconnected { retry: Instant::now() + retry_in, reason: Some(text) }
                }
            },
            State::Connected(mut handle) => {
                let why = match handle.read(&mut buf) {
                    Ok(0) => "the port closed (0 bytes read)".to_owned(),
                    Ok(n) => {
                        let mut alive = true;
                        reader.push(&buf[..n], |line| alive &= sink.send(ScannerEvent::Line(line)));
                        if !alive {
                            return;
                        }
                        state = State::Connected(handle);
                        continue;
                    }
                    Err(e)
                        if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted | ErrorKind::WouldBlock) =>
                    {
                        state = State::Connected(handle);
                        continue;
                    }
                    Err(e) => e.to_string(),
                };
                // Unplugged (or the port failed): forget the half line, close, retry after a pause.
                drop(handle);
                reader.reset();
                tracing::warn!(port, "scanner lost: {why}");
                if !sink.send(ScannerEvent::Link(ScannerLink::Disconnected {
                    port: port.to_owned(),
                    reason: why.clone(),
                    retry_in,
                })) {
                    return;
                }
                State::Disconnected { retry: Instant::now() + retry_in, reason: Some(why) }
            }
        };
    }
}

/// Starts the reader on a named thread; events arrive on the returned channel in order. The
/// thread ends soon after the receiver is dropped.
pub fn spawn(config: ScannerConfig, port: String) -> std::io::Result<mpsc::UnboundedReceiver<ScannerEvent>> {
    let (mut tx, rx) = mpsc::unbounded();
    std::thread::Builder::new().name(format!("scanner {port}")).spawn(move || run(&config, &port, &mut tx))?;
    Ok(rx)
}
