//! The printer on a serial port (or a USB printer in virtual-COM mode), and a network printer on
//! TCP port 9100. Both open lazily and reopen after any error, so a printer unplugged and plugged
//! back in simply works again on the next try.

use super::config::{FlowControl, Parity, PrinterConfig};
use super::status::PrinterStatus;
use super::transport::{PrintError, Transport};
use super::wire::{self, Flow, IoLine, Line, Pace};
use crate::device::serial_line;
use serialport::{SerialPort, TTYPort};
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Bytes per write with XON/XOFF: at most this much arrives after the printer said XOFF.
const XON_XOFF_CHUNK: usize = 8;
const CHUNK: usize = 256;

/// How a wired printer is reached and paced. Sending and asking status are the same for every
/// wire, so they are written once, in `Wired`.
pub trait Dial: Send {
    type Io: io::Read + io::Write + Send;
    fn pace(&self) -> Pace;
    /// Opens the line; called again after any error, so a replugged printer works on the next try.
    fn connect(&self) -> Result<IoLine<Self::Io>, PrintError>;
}

/// A printer on a wire: the dial opens it lazily; any error closes it for the next try to reopen.
pub struct Wired<D: Dial> {
    dial: D,
    line: Option<IoLine<D::Io>>,
    flow: Flow,
}

impl<D: Dial> Wired<D> {
    fn with(dial: D) -> Self {
        Wired { dial, line: None, flow: Flow::default() }
    }

    fn open(&mut self) -> Result<(), PrintError> {
        if self.line.is_none() {
            self.line = Some(self.dial.connect()?);
            self.flow = Flow::default();
        }
        Ok(())
    }
}

impl<D: Dial> Transport for Wired<D> {
    fn send(&mut self, _name: &str, bytes: &[u8]) -> Result<(), PrintError> {
        let pace = self.dial.pace();
        self.open()?;
        with_line(&mut self.line, &mut self.flow, |line, flow| wire::send(line, flow, pace, bytes))
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let pace = self.dial.pace();
        self.open()?;
        with_line(&mut self.line, &mut self.flow, |line, flow| wire::query(line, flow, pace))
    }
}

/// The printer on a serial port (or a USB printer in virtual-COM mode).
pub struct Serial(PrinterConfig);
pub type SerialTransport = Wired<Serial>;

impl SerialTransport {
    pub fn new(config: PrinterConfig) -> Self {
        Wired::with(Serial(config))
    }
}

impl Dial for Serial {
    type Io = TTYPort;

    fn pace(&self) -> Pace {
        let c = &self.0;
        let bits = 1 + u64::from(c.data_bits) + u64::from(c.parity != Parity::None) + u64::from(c.stop_bits);
        let xon_xoff = c.flow_control == FlowControl::XonXoff;
        Pace {
            chunk: if xon_xoff { XON_XOFF_CHUNK } else { CHUNK },
            byte_time: Duration::from_nanos(bits * 1_000_000_000 / u64::from(c.baud.max(1))),
            xon_xoff,
            timeout: c.timeout(),
        }
    }

    fn connect(&self) -> Result<IoLine<TTYPort>, PrintError> {
        let c = &self.0;
        // XON/XOFF is done here, not by the driver, so status answers and flow bytes are read
        // in order from one stream; RTS/CTS is the driver's.
        let flow = match c.flow_control {
            FlowControl::RtsCts => serialport::FlowControl::Hardware,
            FlowControl::None | FlowControl::XonXoff => serialport::FlowControl::None,
        };
        let path = c.port.to_string_lossy().into_owned();
        let port = serial_line::builder(&path, c.baud, c.data_bits, c.parity, c.stop_bits, flow)
            .timeout(c.timeout())
            .open_native()
            .map_err(|e| PrintError::Unreachable(format!("{path}: {e}")))?;
        Ok(IoLine {
            io: port,
            set_wait: |p, d| p.set_timeout(d).map_err(io::Error::from),
            drain: |p| io::Write::flush(p),
            write_wait: c.timeout(),
        })
    }
}

/// A network printer (raw TCP, port 9100), which answers `DLE EOT` on the same connection.
pub struct Network(PrinterConfig);
pub type TcpTransport = Wired<Network>;

impl TcpTransport {
    pub fn new(config: PrinterConfig) -> Self {
        Wired::with(Network(config))
    }
}

impl Dial for Network {
    type Io = TcpStream;

    fn pace(&self) -> Pace {
        Pace { chunk: 4096, byte_time: Duration::ZERO, xon_xoff: false, timeout: self.0.timeout() }
    }

    fn connect(&self) -> Result<IoLine<TcpStream>, PrintError> {
        let c = &self.0;
        let target = format!("{}:{}", c.host, c.tcp_port);
        let unreachable = |e: io::Error| PrintError::Unreachable(format!("{target}: {e}"));
        let addr = target
            .to_socket_addrs()
            .map_err(unreachable)?
            .next()
            .ok_or_else(|| PrintError::Unreachable(format!("{target}: no address")))?;
        let stream = TcpStream::connect_timeout(&addr, c.timeout()).map_err(unreachable)?;
        stream.set_write_timeout(Some(c.timeout())).map_err(unreachable)?;
        let _ = stream.set_nodelay(true);
        Ok(IoLine {
            io: stream,
            set_wait: |s, d| s.set_read_timeout(Some(d)),
            drain: |s| io::Write::flush(s),
            write_wait: c.timeout(),
        })
    }
}

/// The transport the config asks for; `prints_dir` is the file printer's folder.
pub fn from_config(config: &PrinterConfig, prints_dir: std::path::PathBuf) -> Box<dyn Transport> {
    match config.kind {
        super::config::PrinterKind::File => Box::new(super::transport::FileTransport::new(prints_dir)),
        super::config::PrinterKind::Serial => Box::new(SerialTransport::new(config.clone())),
        super::config::PrinterKind::Tcp => Box::new(TcpTransport::new(config.clone())),
    }
}

/// Runs `f` on an open line; any error closes it, so the next call reopens (a replugged USB
/// adapter is a new device, a restarted network printer a new connection).
fn with_line<L: Line, T>(
    line: &mut Option<L>,
    flow: &mut Flow,
    f: impl FnOnce(&mut dyn Line, &mut Flow) -> Result<T, PrintError>,
) -> Result<T, PrintError> {
    let Some(open) = line.as_mut() else {
        return Err(PrintError::Unreachable("the printer line is closed".into()));
    };
    let result = f(open, flow);
    if result.is_err() {
        *line = None;
    }
    result
}
