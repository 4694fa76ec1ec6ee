//! `warm-kiosk report x|z [--date D] [--print]`: the day so far (X) or a closed day (Z), as the
//! receipt printer prints it. The X report only reads the store; `--print` queues the report for
//! the kiosk's print worker. A Z report is made by the kiosk's guided settlement (日结); here it is
//! shown again (or printed again) from what the close stored.

use anyhow::{Context as _, bail};
use std::path::Path;
use warm_core::domain::{Lang, ProductId, Text};
use warm_core::receipt::day_report::{day_report, printed_lines};
use warm_kiosk::config::Config;
use warm_kiosk::kiosk;
use warm_kiosk::store::Store;
use warm_kiosk::store::day::DayContext;

pub fn run(
    config: &Config,
    data_dir: &Path,
    z: bool,
    date: Option<jiff::civil::Date>,
    print: bool,
    lang: Lang,
) -> anyhow::Result<String> {
    let path = kiosk::store_path(data_dir);
    let store = if print {
        Store::open(&path)?
    } else {
        Store::open_read_only(&path)?
            .with_context(|| format!("no order store at {} yet: nothing to report", path.display()))?
    };
    let tz = config.time_zone()?;
    let now = jiff::Timestamp::now();
    let bytes = if z {
        let closed = store.z_report(date)?;
        let Some(closed) = closed else {
            match date {
                Some(d) => {
                    bail!("market day {d} has not been closed; close it with 日结 on the kiosk's manager screen")
                }
                None => bail!("no day has been closed yet; close one with 日结 on the kiosk's manager screen"),
            }
        };
        day_report(&closed.report, lang, &config.printer.profile(), &tz)
    } else {
        let today = now.to_zoned(tz.clone()).date();
        if let Some(d) = date.filter(|d| *d != today) {
            bail!("an X report shows the day so far ({today}); for {d}, ask for its Z report: `report z --date {d}`");
        }
        let catalog = kiosk::load_catalog(config, &store, data_dir)?.catalog;
        let name_of =
            |p: &ProductId| catalog.product(p).map(|p| p.name.clone()).unwrap_or_else(|| Text::new(&p.0, &p.0));
        let ctx =
            DayContext { terminal: &config.terminal_id, market: &catalog.market_name, tz: &tz, name_of: &name_of };
        let report = store.x_report(&ctx, now)?;
        day_report(&report, lang, &config.printer.profile(), &tz)
    };
    if print {
        store.add_print_job(None, if z { "z_report" } else { "x_report" }, &bytes, now)?;
        eprintln!("queued for the receipt printer: the kiosk's print worker prints it when the kiosk runs");
    }
    Ok(printed_lines(&bytes).into_iter().filter(|l| !l.is_empty()).map(|l| l + "\n").collect())
}
