//! `warm-kiosk household card ID [--now]`: a household card on the receipt printer (issue 10),
//! through the print queue as every other slip; reprinting a card is the same command. The
//! household must be on the market's list the hub sent.

use crate::printer::{CliError, print_queue_now};
use anyhow::bail;
use std::path::Path;
use warm_core::domain::HouseholdId;
use warm_core::i18n::{HouseholdWords, Msg, tr};
use warm_core::receipt::card::household_card;
use warm_kiosk::config::Config;
use warm_kiosk::kiosk;
use warm_kiosk::store::Store;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum HouseholdCommand {
    /// Print a household card (its number in big type, a QR code for the kiosk's scanner, the
    /// building). Reprinting a lost card is the same command.
    Card {
        /// The home number as the estate writes it, e.g. 3-2-501.
        id: String,
        /// Also print the queue now. Only when the kiosk is not running: otherwise the kiosk
        /// prints the card itself within seconds.
        #[arg(long)]
        now: bool,
    },
}

pub fn run(command: &HouseholdCommand, config: &Config, data_dir: &Path) -> anyhow::Result<String> {
    let lang = config.language;
    let HouseholdCommand::Card { id, now } = command;
    let Ok(id) = HouseholdId::parse(id) else {
        bail!("{id:?}: {}", HouseholdWords::HouseholdBadShape.text(lang));
    };
    let store = Store::open(&kiosk::store_path(data_dir))?;
    let Some(household) = store.household(&id)? else {
        if store.household_count()? == 0 {
            bail!("{}", HouseholdWords::NoHouseholdList.text(lang));
        }
        bail!("{}", tr(HouseholdWords::HouseholdUnknown, lang, &[("id", id.as_str())]));
    };
    let market = kiosk::load_catalog(config, &store, data_dir)?.catalog.market_name;
    let bytes = household_card(&household, &market, &config.printer.profile(), lang);
    let job = store.add_print_job(None, "household_card", &bytes, jiff::Timestamp::now())?;
    let mut report = format!("{} (job {job})", tr(HouseholdWords::CardQueued, lang, &[("id", id.as_str())]));
    if *now {
        report.push('\n');
        report.push_str(&print_queue_now(&store, &config.printer, lang, data_dir).map_err(anyhow_of)?);
    } else {
        report.push_str(&format!("\n{}", Msg::ReprintWaits.text(lang)));
    }
    Ok(report)
}

fn anyhow_of(e: CliError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}
