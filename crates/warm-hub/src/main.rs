//! `warm-hub`: the cooperative's server. `serve` runs it; the other commands are the operator's
//! tools (register terminals, import the catalog, set a market's prices and assortment).

use anyhow::{Context as _, anyhow};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use warm_core::domain::{Household, HouseholdId, Limit, LimitPeriod, RestockCycle};
use warm_hub::config::db_path;
use warm_hub::sqlite::SqliteHub;
use warm_hub::store::HubStore;
use warm_hub::{self as hub, HubConfig, HubState};

#[derive(Parser)]
#[command(name = "warm-hub", version, about = "Warm Market (暖心市集) cooperative hub")]
struct Args {
    /// Configuration file (TOML); see config/hub.toml. Without it, built-in defaults are used.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder for the hub's database (overrides the config's data_dir).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Listen here instead of the config's `listen` (e.g. 127.0.0.1:0).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Terminals.
    Terminal {
        #[command(subcommand)]
        command: TerminalCommand,
    },
    /// The cooperative's catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// A market's own price for a product.
    Price {
        #[arg(long)]
        market: String,
        product: String,
        /// Price in fen (1 yuan = 100 fen); `default` returns to the cooperative-wide price.
        fen: String,
    },
    /// A market's own purchase limit per household for a product.
    Limit {
        #[arg(long)]
        market: String,
        product: String,
        /// Most a household may buy per period; `default` returns to the cooperative-wide limit.
        limit: String,
        /// Over what the limit counts: `day` (a local calendar day), `week` (Monday to Sunday)
        /// or `cycle` (the market's restock cycle, see `warm-hub cycle`).
        #[arg(long, default_value = "day")]
        period: String,
    },
    /// A market's restock cycle, for limits counted per cycle: the van comes every DAYS days
    /// from the local date FROM (YYYY-MM-DD); `none` removes it.
    Cycle {
        #[arg(long)]
        market: String,
        /// Days between deliveries, or `none`.
        days: String,
        /// The first day of a cycle (local date); today if not given.
        #[arg(long)]
        from: Option<String>,
    },
    /// A market's households (building-unit-room), for purchase limits.
    Household {
        #[command(subcommand)]
        command: HouseholdCommand,
    },
    /// Whether a market sells a product.
    Assortment {
        #[arg(long)]
        market: String,
        product: String,
        /// `list` or `withdraw`.
        action: String,
    },
    /// Alarms.
    Alarm {
        #[command(subcommand)]
        command: AlarmCommand,
    },
}

#[derive(Subcommand)]
enum TerminalCommand {
    /// Register a terminal and print its token (shown only this once; the hub keeps a hash).
    Add {
        id: String,
        #[arg(long)]
        market: String,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import a catalog TOML (format of assets/catalog.toml) with its pictures beside it.
    /// Products missing from the file are withdrawn.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum HouseholdCommand {
    /// Add or update households from a CSV file with the header
    /// `household,building,surname,phone_last4`; a bad row refuses the whole file.
    Import {
        file: PathBuf,
        #[arg(long)]
        market: String,
    },
    /// Add or update one household.
    Add {
        /// building-unit-room or building-room, e.g. 3-2-501.
        id: String,
        #[arg(long)]
        market: String,
        #[arg(long, default_value = "")]
        building: String,
        /// A surname only, to confirm a person (never a full name).
        #[arg(long, default_value = "")]
        surname: String,
        /// The last four digits of a phone (never a whole number).
        #[arg(long, default_value = "")]
        phone_last4: String,
    },
    /// The market's households.
    List {
        #[arg(long)]
        market: String,
    },
    /// Remove a household (its kiosks forget it at their next catalog pull).
    Remove {
        id: String,
        #[arg(long)]
        market: String,
    },
}

#[derive(Subcommand)]
enum AlarmCommand {
    /// Mark an alarm as dealt with.
    Clear { id: i64 },
}

/// The market must have a terminal: a typo (峨海 for 峨海小区) is refused, not made a new market.
fn known_market(store: &SqliteHub, market: &str) -> anyhow::Result<()> {
    let markets = store.markets()?;
    if markets.iter().any(|m| m == market) {
        return Ok(());
    }
    Err(anyhow!(
        "no terminal is registered for market {market:?} (markets: {}); register one with `warm-hub terminal add ID --market {market}` first",
        if markets.is_empty() { "none yet".to_owned() } else { markets.join(", ") }
    ))
}

fn has_cycle(store: &SqliteHub, market: &str) -> anyhow::Result<bool> {
    Ok(store.restock_cycle(market)?.is_some())
}

fn household(store: &SqliteHub, command: HouseholdCommand) -> anyhow::Result<()> {
    match command {
        HouseholdCommand::Import { file, market } => {
            known_market(store, &market)?;
            let households =
                warm_hub::households::from_csv_file(&file).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let s = store.import_households(&market, &households)?;
            println!(
                "imported {} for market {market}: {} added, {} changed, {} unchanged",
                file.display(),
                s.added,
                s.changed,
                s.unchanged
            );
        }
        HouseholdCommand::Add { id, market, building, surname, phone_last4 } => {
            known_market(store, &market)?;
            let h = Household::new(&id, &building, &surname, &phone_last4).map_err(|e| anyhow!("{id:?}: {e}"))?;
            store.import_households(&market, std::slice::from_ref(&h))?;
            println!("market {market}: household {} (building {})", h.id, h.building);
        }
        HouseholdCommand::List { market } => {
            known_market(store, &market)?;
            let all = store.households(&market)?;
            println!("{}", warm_hub::households::HEADER.join(","));
            for h in &all {
                println!(
                    "{},{},{},{}",
                    h.id,
                    h.building,
                    h.surname.as_deref().unwrap_or(""),
                    h.phone_last4.as_deref().unwrap_or("")
                );
            }
            eprintln!("{} households in market {market}", all.len());
        }
        HouseholdCommand::Remove { id, market } => {
            let id = HouseholdId::parse(&id).map_err(|e| anyhow!("{id:?}: {e}"))?;
            store.remove_household(&market, &id)?;
            println!("market {market}: household {id} removed");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warm-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    warm_core::process::init_logging("info");
    let config = match &args.config {
        Some(path) => HubConfig::load(path).map_err(|e| anyhow!(e))?,
        None => HubConfig::default(),
    };
    let data_dir = config.data_dir(args.data.as_deref());
    let db = db_path(&data_dir);
    let store = SqliteHub::open(&db).with_context(|| format!("opening the hub database {}", db.display()))?;
    let now = jiff::Timestamp::now();
    match args.command {
        Command::Serve { listen } => {
            let state = HubState::new(Arc::new(store), &config).map_err(|e| anyhow!(e))?;
            let listen = listen.unwrap_or_else(|| config.listen.clone());
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let addr = listener.local_addr()?;
                // Tests and scripts read this line to find the port.
                println!("warm-hub listening on http://{addr}");
                // Orders stored before a stop and not yet compared with the limits.
                hub::check_limits(&state).await;
                tracing::info!(%addr, data = %data_dir.display(), "hub serving");
                hub::serve(listener, state).await.context("serving")
            })
        }
        Command::Terminal { command: TerminalCommand::Add { id, market } } => {
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(anyhow!("terminal id {id:?}: use letters, digits and '-' only"));
            }
            let token = hub::new_token().map_err(|e| anyhow!(e))?;
            store.add_terminal(&id, &market, &hub::token_hash(&token), now)?;
            println!("{token}");
            eprintln!(
                "terminal {id} registered for market {market}; put the token above in its [sync] token (shown only once)"
            );
            Ok(())
        }
        Command::Catalog { command: CatalogCommand::Import { file } } => {
            let import = hub::import::from_toml(&file).map_err(|e| anyhow!(e))?;
            let s = store.import_catalog(&import)?;
            println!(
                "imported {}: {} changed, {} unchanged, {} withdrawn, {} new pictures",
                file.display(),
                s.changed,
                s.unchanged,
                s.withdrawn,
                s.pictures
            );
            Ok(())
        }
        Command::Price { market, product, fen } => {
            let price = if fen == "default" {
                None
            } else {
                Some(fen.parse::<i64>().map_err(|_| anyhow!("price {fen:?}: a whole number of fen, or `default`"))?)
            };
            store.set_price(&market, &product, price)?;
            println!(
                "market {market}: {product} now {}",
                price.map_or("the cooperative price".into(), |p| format!("{p} fen"))
            );
            Ok(())
        }
        Command::Limit { market, product, limit, period } => {
            let period = LimitPeriod::parse(&period)
                .ok_or_else(|| anyhow!("period {period:?}: say `day`, `week` or `cycle`"))?;
            let limit = if limit == "default" {
                None
            } else {
                let n = limit.parse::<u32>().map_err(|_| anyhow!("limit {limit:?}: a whole number, or `default`"))?;
                Some(Limit { per_household: n, period })
            };
            if period == LimitPeriod::Cycle && limit.is_some() && !has_cycle(&store, &market)? {
                eprintln!(
                    "note: market {market} has no restock cycle yet, so its kiosks count this limit per day until `warm-hub cycle --market {market} DAYS` sets one"
                );
            }
            store.set_household_limit(&market, &product, limit)?;
            println!(
                "market {market}: {product} limit {}",
                limit.map_or("as the cooperative sets it".into(), |l| format!(
                    "{} per household per {}",
                    l.per_household,
                    l.period.as_str()
                ))
            );
            Ok(())
        }
        Command::Cycle { market, days, from } => {
            known_market(&store, &market)?;
            let cycle = if days == "none" {
                None
            } else {
                let days = days
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=366).contains(d))
                    .ok_or_else(|| anyhow!("days {days:?}: a whole number from 1 to 366, or `none`"))?;
                let from = match from {
                    Some(f) => f.parse().map_err(|_| anyhow!("--from {f:?}: a date such as 2022-05-01"))?,
                    None => now.to_zoned(config.time_zone().map_err(|e| anyhow!(e))?).date(),
                };
                Some(RestockCycle { days, from })
            };
            store.set_restock_cycle(&market, cycle)?;
            match cycle {
                Some(c) => println!("market {market}: restocked every {} days from {}", c.days, c.from),
                None => println!("market {market}: no restock cycle (cycle limits count per day)"),
            }
            Ok(())
        }
        Command::Household { command } => household(&store, command),
        Command::Assortment { market, product, action } => {
            let listed = match action.as_str() {
                "list" => true,
                "withdraw" => false,
                other => return Err(anyhow!("{other:?}: say `list` or `withdraw`")),
            };
            store.set_listed(&market, &product, listed)?;
            println!("market {market}: {product} {}", if listed { "listed" } else { "withdrawn" });
            Ok(())
        }
        Command::Alarm { command: AlarmCommand::Clear { id } } => {
            store.clear_alarm(id, now)?;
            println!("alarm {id} cleared");
            Ok(())
        }
    }
}
