//! `warm-kiosk leader sheet [--now]`: the market's daily goods list (每日货品清单) as a sheet on
//! the receipt printer, for a building leader to collect orders on paper in a sealed building.
//! It is queued for the kiosk's print worker; `--now` also prints the queue at once when the
//! kiosk is not running (beside a running kiosk its worker prints it).

use std::path::Path;
use warm_core::domain::Lang;
use warm_core::i18n::{LeaderWords, Msg};
use warm_core::receipt::leader::daily_sheet;
use warm_kiosk::config::Config;
use warm_kiosk::device::printer::lock::PrinterLock;
use warm_kiosk::device::printer::queue;
use warm_kiosk::device::printer::serial::from_config;
use warm_kiosk::kiosk;
use warm_kiosk::store::Store;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum LeaderCommand {
    /// Queue the daily goods list sheet on the receipt printer.
    Sheet {
        /// Also print the queue now (only when the kiosk is not running).
        #[arg(long)]
        now: bool,
    },
}

pub fn run(command: &LeaderCommand, config: &Config, data_dir: &Path, lang: Lang) -> anyhow::Result<String> {
    let LeaderCommand::Sheet { now } = command;
    let store = Store::open(&kiosk::store_path(data_dir))?;
    let catalog = kiosk::load_catalog(config, &store, data_dir)?.catalog;
    let (at, tz) = (jiff::Timestamp::now(), config.time_zone()?);
    let lines = store.sheet_lines(&catalog, warm_kiosk::store::start_of_day(at, &tz))?;
    let bytes = daily_sheet(&lines, &catalog.market_name, &config.printer.profile(), &tz, at, lang);
    let job = store.add_print_job(None, "daily_sheet", &bytes, at)?;
    let mut report = format!("{} ({job})", LeaderWords::SheetQueued.text(lang));
    if lines.is_empty() {
        report.push_str(&format!("\n{}", LeaderWords::NoDailyList.text(lang)));
    }
    if *now {
        let lock = PrinterLock::try_acquire(data_dir)
            .map_err(|e| anyhow::anyhow!("{}: {e}", PrinterLock::path(data_dir).display()))?;
        let Some(_printer) = lock else {
            report.push_str(&format!("\n{}", Msg::PrinterOwnedReprint.text(lang)));
            return Ok(report);
        };
        let mut printer = from_config(&config.printer, kiosk::prints_dir(data_dir));
        let printed = queue::print_pending(&store, printer.as_mut()).map_err(|e| anyhow::anyhow!("{e}"))?;
        report.push_str(&format!("\nprinted {} job(s)", printed.len()));
    }
    Ok(report)
}
