//! `warm-kiosk printer …`: status, a test page and reprints from the command line, on the
//! printer the config names. Each returns the report to print, or an error whose message says
//! in words what is wrong (the binary exits non-zero with it).

use std::path::Path;
use warm_core::domain::Lang;
use warm_core::i18n::{Msg, tr};
use warm_core::receipt::test_page::test_page;
use warm_kiosk::device::printer::config::{PrinterConfig, PrinterKind};
use warm_kiosk::device::printer::lock::PrinterLock;
use warm_kiosk::device::printer::queue::{self, QueueError};
use warm_kiosk::device::printer::serial::from_config;
use warm_kiosk::device::printer::status::PrinterStatus;
use warm_kiosk::device::printer::transport::{FileTransport, PrintError, Transport};
use warm_kiosk::kiosk;
use warm_kiosk::store::{Store, StoreError};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum PrinterCommand {
    /// Ask the printer for its real-time status (paper, cover, errors).
    Status,
    /// Print a test page (Chinese at every size, a QR code, a ruler of the paper width).
    Test,
    /// Queue a copy of an order's slip or receipt, marked 重印 / REPRINT.
    Reprint {
        /// The order number as printed, e.g. K1-0042.
        number: String,
        /// Also print the queue now. Only when the kiosk is not running: otherwise the kiosk
        /// prints the copy itself within half a minute.
        #[arg(long)]
        now: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The problem in the operator's words; `detail` is the system's own (untranslatable) account,
    /// labelled in the operator's language, when the words alone do not say it all.
    #[error("{words}{detail}")]
    Printer { words: String, detail: String },
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Busy(String),
    #[error("{path}: {reason}")]
    Lock { path: String, reason: std::io::Error },
}

/// The printer for this command, or `None` while the kiosk (or another command) owns it.
fn take_printer(data_dir: &Path) -> Result<Option<PrinterLock>, CliError> {
    PrinterLock::try_acquire(data_dir)
        .map_err(|reason| CliError::Lock { path: PrinterLock::path(data_dir).display().to_string(), reason })
}

fn printer_error(e: PrintError, lang: Lang) -> CliError {
    let detail = match &e {
        // The words are the whole story: what to do with the printer.
        PrintError::NotReady(_) | PrintError::NoAnswer => String::new(),
        other => format!("\n  {}", tr(Msg::TechnicalDetail, lang, &[("detail", &other.to_string())])),
    };
    CliError::Printer { words: e.problem().text(lang).to_owned(), detail }
}

/// One line about the printer for a person: the problem in words, or "ready".
fn describe(config: &PrinterConfig, status: &PrinterStatus, lang: Lang, prints: &Path) -> String {
    let target = match config.kind {
        PrinterKind::File => tr(Msg::PrinterFile, lang, &[("dir", &prints.display().to_string())]),
        PrinterKind::Serial => tr(
            Msg::PrinterSerial,
            lang,
            &[("port", &config.port.display().to_string()), ("baud", &config.baud.to_string())],
        ),
        PrinterKind::Tcp => {
            tr(Msg::PrinterNetwork, lang, &[("host", &config.host), ("port", &config.tcp_port.to_string())])
        }
    };
    let mut words = match status.problem() {
        Some(p) => p.text(lang).to_owned(),
        None => Msg::PrinterReady.text(lang).to_owned(),
    };
    if status.paper_near_end {
        words = format!("{words}; {}", Msg::PrinterNearEnd.text(lang));
    }
    format!("{target}: {words}")
}

pub fn run(
    command: &PrinterCommand,
    config: &PrinterConfig,
    lang: Lang,
    terminal: &str,
    data_dir: &Path,
) -> Result<String, CliError> {
    let prints = kiosk::prints_dir(data_dir);
    let mut printer = from_config(config, prints.clone());
    let status = |printer: &mut dyn Transport| status(config, printer, lang, &prints);
    let owned = |lock: Option<PrinterLock>| lock.ok_or_else(|| CliError::Busy(Msg::PrinterOwned.text(lang).to_owned()));
    match command {
        PrinterCommand::Status => {
            let _printer = owned(take_printer(data_dir)?)?;
            status(printer.as_mut())
        }
        PrinterCommand::Test => {
            let _printer = owned(take_printer(data_dir)?)?;
            let before = status(printer.as_mut())?;
            let bytes = test_page(&config.profile(), lang, terminal);
            let name = format!("test-page-{}", jiff::Timestamp::now().as_millisecond());
            printer.send(&name, &bytes).map_err(|e| printer_error(e, lang))?;
            let after = status(printer.as_mut())?;
            let mut report =
                format!("{before}\n{}", tr(Msg::TestPageSent, lang, &[("bytes", &bytes.len().to_string())]));
            if config.kind == PrinterKind::File {
                // Nothing comes out of a file printer: say where to look.
                let path = FileTransport::new(&prints).path_of(&name).display().to_string();
                report.push_str(&format!("\n{}", tr(Msg::TestPageWritten, lang, &[("path", &path)])));
            }
            Ok(format!("{report}\n{after}"))
        }
        PrinterCommand::Reprint { number, now } => {
            let store = Store::open(&kiosk::store_path(data_dir))?;
            let job = queue::reprint(&store, number, terminal, jiff::Timestamp::now())?;
            let mut report = tr(Msg::ReprintQueued, lang, &[("number", number), ("job", &job.to_string())]);
            if *now {
                report.push('\n');
                report.push_str(&print_queue_now(&store, config, lang, data_dir)?);
            } else {
                report.push_str(&format!("\n{}", Msg::ReprintWaits.text(lang)));
            }
            Ok(report)
        }
    }
}

/// Prints what the queue holds now, unless the running kiosk's worker owns the printer: it
/// prints the queue itself, and printing here too would send a job twice.
pub fn print_queue_now(store: &Store, config: &PrinterConfig, lang: Lang, data_dir: &Path) -> Result<String, CliError> {
    let Some(_printer) = take_printer(data_dir)? else {
        return Ok(Msg::PrinterOwnedReprint.text(lang).to_owned());
    };
    let mut printer = from_config(config, kiosk::prints_dir(data_dir));
    let printed = queue::print_pending(store, printer.as_mut()).map_err(|e| match e {
        QueueError::Print(p) => printer_error(p, lang),
        e => e.into(),
    })?;
    Ok(tr(Msg::JobsPrinted, lang, &[("n", &printed.len().to_string())]))
}

fn status(config: &PrinterConfig, printer: &mut dyn Transport, lang: Lang, prints: &Path) -> Result<String, CliError> {
    let status = printer.status().map_err(|e| printer_error(e, lang))?;
    match status.problem() {
        Some(p) => Err(printer_error(PrintError::NotReady(p), lang)),
        None => Ok(describe(config, &status, lang, prints)),
    }
}
