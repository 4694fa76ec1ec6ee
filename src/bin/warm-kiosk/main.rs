//! `warm-kiosk`: the touchscreen terminal. With no arguments it runs on built-in defaults: the
//! demo catalog, a store in the user's data folder, and a printer that writes each job to a file.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warm_kiosk::config::Config;
use warm_kiosk::kiosk;

mod backup;
mod household;
mod leader;
mod log;
mod printer;
mod report;
mod say;
mod scanner;
mod sync;

#[derive(Parser)]
#[command(name = "warm-kiosk", version, about = "Warm Market (暖心市集) ordering kiosk for seniors")]
struct Args {
    /// Configuration file (TOML); see config/kiosk.toml. Without it, built-in defaults are used.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder for the order store and printed jobs (overrides the config's data_dir).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open the kiosk window (what happens with no command).
    Run,
    /// The receipt printer: status, test page, reprint.
    #[command(subcommand)]
    Printer(printer::PrinterCommand),
    /// Households (where the market limits purchases): `household card ID` prints a card.
    #[command(subcommand)]
    Household(household::HouseholdCommand),
    /// Sync with the cooperative's hub ([sync] in the config).
    Sync {
        #[command(subcommand)]
        command: SyncCommand,
    },
    /// The barcode scanner: `scanner test` prints what each scan is, or why it is rejected.
    Scanner {
        #[command(subcommand)]
        command: ScannerCommand,
    },
    /// Say a text aloud as the kiosk would (or write it to a WAV file), to test the speaker.
    Say {
        /// The language and voice (default: the config's language).
        #[arg(long, value_enum)]
        lang: Option<say::SayLang>,
        /// Write the sound to this WAV file instead of playing it.
        #[arg(long, value_name = "FILE.wav")]
        to: Option<PathBuf>,
        /// What to say, e.g. "番茄，￥5.90".
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Make the hash of a new PIN (read from standard input) for the config: the volunteer's
    /// (4–8 digits, `[volunteer] pin_hash`), the site manager's (6–8 digits, `[manager] pin_hash`)
    /// or a building leader's (4–8 digits, `[leader] pin_hash`).
    Pin {
        #[arg(long, value_enum, default_value = "volunteer")]
        role: RoleArg,
    },
    /// Copy the order store now (SQLite's online backup, safe while the kiosk runs) into the
    /// config's `[backup] folder` or DIR; copies older than `[backup] keep_days` are deleted.
    Backup {
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Put a backup back as the order store, with the kiosk closed. The copy is checked first;
    /// the replaced store is kept aside in the data folder.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Check the set-up: configuration, data folder and free space, store, clock, fonts, printer,
    /// scanner, hub, print queue, outbox and backups; one line each. Exits non-zero when
    /// something needs a person.
    Doctor,
    /// Building leaders (楼长): `leader sheet` prints the market's daily goods list.
    #[command(subcommand)]
    Leader(leader::LeaderCommand),
    /// The day's report: `x` the day so far, `z` the last closed day (or the one of --date).
    Report {
        #[arg(value_enum)]
        kind: ReportArg,
        /// The market day (Z: which closed day; X: only to check it is today's).
        #[arg(long)]
        date: Option<jiff::civil::Date>,
        /// Also queue it on the receipt printer (printed by the kiosk's print worker).
        #[arg(long)]
        print: bool,
        /// Language of the report: zh-CN or en (default: the config's).
        #[arg(long)]
        lang: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Volunteer,
    Manager,
    Leader,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportArg {
    X,
    Z,
}

#[derive(Subcommand)]
enum SyncCommand {
    /// Push everything waiting and pull the catalog, once; fails if the hub cannot be reached.
    Once,
    /// Show what waits, when orders last reached the hub, the link, bytes on the wire, the last
    /// problem and whether a sync loop is running.
    Status,
    /// Run the background sync loop in the foreground (what the kiosk window runs on a thread).
    Run,
}

#[derive(Subcommand)]
enum ScannerCommand {
    /// Read the configured scanner and print one line per scan.
    Test {
        /// Port to read instead of the config's `[scanner] port`.
        #[arg(long)]
        port: Option<String>,
        /// Stop after this many scans.
        #[arg(long)]
        count: Option<u64>,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if matches!(args.command, Some(Command::Doctor)) {
        return doctor(&args);
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One readable line (with its causes), not a backtrace: this is read by a volunteer.
            eprintln!("warm-kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let data_dir = config.data_dir(args.data.as_deref());
    // The window and the sync loop run unattended: their log goes to the journal or a file in
    // the data folder. The other commands answer a person at a terminal, on standard error.
    let unattended =
        matches!(args.command, None | Some(Command::Run) | Some(Command::Sync { command: SyncCommand::Run }));
    // iced's and the renderer's chatter (a 60-line window dump at info) stays out of the log.
    log::init(
        unattended.then_some(data_dir.as_path()),
        "info,wgpu=warn,naga=warn,iced_winit=warn,winit=warn,cosmic_text=warn",
    );
    match args.command.unwrap_or(Command::Run) {
        Command::Run => run_kiosk(config, &data_dir, args.config),
        Command::Printer(command) => {
            let report = printer::run(&command, &config.printer, config.language, &config.terminal_id, &data_dir)?;
            println!("{report}");
            Ok(())
        }
        Command::Household(command) => {
            println!("{}", household::run(&command, &config, &data_dir)?);
            Ok(())
        }
        Command::Sync { command } => run_sync(&config, &data_dir, command),
        Command::Scanner { command: ScannerCommand::Test { port, count } } => scanner_test(&config, port, count),
        Command::Say { lang, to, text } => {
            let lang = lang.map_or(config.language, Into::into);
            let said = say::run(&config.speech, lang, to.as_deref(), &text.join(" "))?;
            match &to {
                Some(path) => println!("{said}\n→ {}", path.display()),
                None => println!("{said}"),
            }
            Ok(())
        }
        Command::Pin { role } => pin_hash(
            match role {
                RoleArg::Volunteer => warm_core::domain::pin::Role::Volunteer,
                RoleArg::Manager => warm_core::domain::pin::Role::Manager,
                RoleArg::Leader => warm_core::domain::pin::Role::Leader,
            },
            config.language,
        ),
        Command::Doctor => Ok(()), // answered in `main`, before the config must load
        Command::Backup { to } => {
            println!("{}", backup::take(&config, &data_dir, to.as_deref())?);
            Ok(())
        }
        Command::Restore { file } => {
            println!("{}", backup::restore(&config, &data_dir, &file)?);
            Ok(())
        }
        Command::Leader(command) => {
            println!("{}", leader::run(&command, &config, &data_dir, config.language)?);
            Ok(())
        }
        Command::Report { kind, date, print, lang } => {
            let lang = match lang.as_deref() {
                None => config.language,
                Some("en") => warm_core::domain::Lang::En,
                Some("zh-CN" | "zh") => warm_core::domain::Lang::Zh,
                Some(other) => anyhow::bail!("--lang {other:?}: say zh-CN or en"),
            };
            let text = report::run(&config, &data_dir, matches!(kind, ReportArg::Z), date, print, lang)?;
            print!("{text}");
            Ok(())
        }
    }
}

/// `warm-kiosk doctor`: a config that does not load is one of the findings (the other checks run
/// on the defaults), not a reason to check nothing.
fn doctor(args: &Args) -> ExitCode {
    warm_core::process::init_logging("warn");
    let (config, file) = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(config) => (config, Some((path.clone(), None))),
            Err(e) => (Config::default(), Some((path.clone(), Some(e.to_string())))),
        },
        None => (Config::default(), None),
    };
    let data_dir = config.data_dir(args.data.as_deref());
    let lang = config.language;
    let setup = warm_kiosk::doctor::Setup { config, file, data_dir };
    let findings = warm_kiosk::doctor::examine(&setup, jiff::Timestamp::now());
    for finding in &findings {
        println!("{}", finding.line(lang));
    }
    println!("{}", warm_kiosk::doctor::summary(&findings, lang));
    if findings.iter().all(|f| f.ok) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn run_kiosk(config: Config, data_dir: &std::path::Path, file: Option<PathBuf>) -> anyhow::Result<()> {
    // winit panics without a display server: say it in a sentence instead, before anything starts.
    let has_screen = ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !has_screen {
        anyhow::bail!("{}", warm_core::i18n::Msg::NoScreen.text(config.language));
    }
    if config.volunteer.pin_hash == warm_kiosk::config::DEMO_PIN_HASH {
        tracing::warn!("the volunteer PIN is still the demo PIN: make your own with `warm-kiosk pin`");
    }
    if config.manager.pin_hash == warm_kiosk::config::DEMO_MANAGER_PIN_HASH {
        tracing::warn!(
            "the site manager's PIN is still the demo PIN: make your own with `warm-kiosk pin --role manager`"
        );
    }
    // One kiosk per data folder, and none while a restore replaces its store.
    let Some(_running) = warm_kiosk::store::backup::KioskLock::try_acquire(data_dir)
        .with_context(|| format!("the data folder {}", data_dir.display()))?
    else {
        anyhow::bail!("{}", backup::already_running(data_dir, config.language));
    };
    let nightly = warm_kiosk::store::backup::Nightly {
        store: kiosk::store_path(data_dir),
        folder: config.backup_folder(data_dir),
        terminal: config.terminal_id.clone(),
        keep_days: config.backup.keep_days,
        at: config.backup.at,
        time_zone: config.time_zone()?,
    };
    if let Err(e) = nightly.spawn() {
        tracing::warn!("the nightly backup could not start: {e}");
    }
    if config.leader.pin_hash == warm_kiosk::config::DEMO_LEADER_PIN_HASH {
        tracing::warn!(
            "the building leader's PIN is still the demo PIN: make your own with `warm-kiosk pin --role leader`"
        );
    }
    let mut ctx = kiosk::context(config, data_dir)
        .with_context(|| format!("starting the kiosk with data folder {}", data_dir.display()))?;
    ctx.config_file = file;
    tracing::info!(data = %data_dir.display(), products = ctx.catalog.products.len(), "kiosk starting");
    kiosk::run(ctx).context("the kiosk window could not be opened")
}

fn run_sync(config: &Config, data_dir: &std::path::Path, command: SyncCommand) -> anyhow::Result<()> {
    let store = kiosk::store_path(data_dir);
    match command {
        SyncCommand::Once => {
            let r = sync::once(config, &store, data_dir)?;
            println!(
                "sync done: {} events stored at the hub, {} already there, {} catalog changes, {} pictures fetched, {} dispatch notes",
                r.pushed, r.duplicates, r.catalog_changes, r.pictures_fetched, r.dispatch_notes
            );
        }
        SyncCommand::Status => {
            for line in sync::status(config, &store, data_dir)? {
                println!("{line}");
            }
        }
        SyncCommand::Run => sync::run(config, &store, data_dir)?,
    }
    Ok(())
}

fn scanner_test(config: &Config, port: Option<String>, count: Option<u64>) -> anyhow::Result<()> {
    use std::io::Write as _;
    let port = port
        .or_else(|| config.scanner.port.clone())
        .context("no scanner port: set [scanner] port in the config or pass --port")?;
    let catalog = match &config.catalog {
        Some(path) => warm_core::catalog_file::load(path)?.catalog,
        None => warm_kiosk::demo::catalog()?.catalog,
    };
    eprintln!("reading {port}; scan codes, Ctrl+C to stop");
    scanner::run_test(&config.scanner, &port, &config.volunteer.badge, &catalog, config.language, count, |line| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    });
    Ok(())
}

/// Reads a new PIN (at a terminal: after a prompt, without echo) and prints its configuration
/// line. Only the `pin_hash = …` line goes to standard output, so it can replace the one in the
/// file; where it goes is said on standard error (a second `[volunteer]` table breaks the file).
fn pin_hash(role: warm_core::domain::pin::Role, lang: warm_core::domain::Lang) -> anyhow::Result<()> {
    use std::io::IsTerminal as _;
    use warm_core::i18n::{Msg, tr};
    let pin = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(Msg::PinPrompt.text(lang)).context("reading the PIN")?
    } else {
        let mut pin = String::new();
        std::io::stdin().read_line(&mut pin).context("reading the PIN from standard input")?;
        pin
    };
    let hash = warm_core::domain::pin::hash_pin_for(role, pin.trim())?;
    eprintln!("{}", tr(Msg::PinHashWhere, lang, &[("table", role.as_str())]));
    println!("pin_hash = \"{hash}\"");
    Ok(())
}
