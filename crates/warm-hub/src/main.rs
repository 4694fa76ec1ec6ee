//! `warm-hub`: the cooperative's server. `serve` runs it; the other commands are the operator's
//! tools (terminals, operators, the catalog, a market's prices and assortment, alarms, backups,
//! moving an embedded hub into PostgreSQL). Every command says which database it uses; only
//! `serve` creates a SQLite one where none was named.

use anyhow::{Context as _, anyhow};
use clap::{Parser, Subcommand};
use std::io::{BufRead as _, IsTerminal as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use warm_core::domain::{Household, HouseholdId, Lang, Limit, LimitPeriod, RestockCycle};
use warm_core::i18n::{HubMsg, period_words, tr};
use warm_hub::auth;
use warm_hub::config::{Database, plain_http_allowed};
use warm_hub::postgres::{PgHub, from_sqlite};
use warm_hub::sqlite::SqliteHub;
use warm_hub::store::{HubError, HubStore, Role};
use warm_hub::{self as hub, HubConfig, HubState};

/// The config `serve` reads when `--config` names none (if it is there).
const DEFAULT_CONFIG: &str = "config/hub.toml";

#[derive(Parser)]
#[command(name = "warm-hub", version, about = "Warm Market (暖心市集) cooperative hub")]
struct Args {
    /// Configuration file (TOML). Without it, config/hub.toml if the current folder has one, else
    /// the built-in defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder of the hub's database (overrides the config's data_dir).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// PostgreSQL to keep everything in (overrides the config's `database`; a password is
    /// better kept in the config file than on a command line).
    #[arg(long, value_name = "postgres://…")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTPS with the config's [tls]; plain HTTP on loopback only).
    Serve {
        /// Listen here instead of the config's `listen` (e.g. 127.0.0.1:0).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Terminals: add, list, revoke, rotate.
    Terminal {
        #[command(subcommand)]
        command: TerminalCommand,
    },
    /// Operators of the dashboard: add, password, remove, list.
    Operator {
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// Markets (a market exists once a terminal is registered for it).
    Market {
        #[command(subcommand)]
        command: MarketCommand,
    },
    /// The cooperative's catalog.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// A market's own price for a product: `price --market 峨海小区 rice-5kg 2990` (fen), or
    /// `default` to return to the cooperative-wide price.
    Price {
        #[arg(long)]
        market: String,
        product: String,
        /// Price in fen (1 yuan = 100 fen), or `default`.
        fen: String,
    },
    /// A market's own purchase limit per household a day: `limit --market 峨海小区 rice-5kg 2`,
    /// or `default`.
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
    /// A market's daily goods list (每日货品清单) for building leaders: which products, and
    /// optionally how many are available today.
    #[command(name = "daily-list")]
    DailyList {
        #[command(subcommand)]
        command: DailyListCommand,
    },
    /// Whether a market sells a product: `assortment --market 峨海小区 rice-5kg withdraw` (or `list`).
    Assortment {
        #[arg(long)]
        market: String,
        product: String,
        /// `list` or `withdraw`.
        action: String,
    },
    /// A market's own order of a product in its category, before what sells most:
    /// `order --market 峨海小区 rice-5kg 1` (1 = first), or `default` to order it by recent sales.
    Order {
        #[arg(long)]
        market: String,
        product: String,
        /// Place from 1 (first) to 9999, or `default`.
        position: String,
    },
    /// The site managers' restock requests.
    Restock {
        #[command(subcommand)]
        command: RestockCommand,
    },
    /// The van: routes, and the plan that turns open requests into loading lists and dispatch notes.
    Van {
        #[command(subcommand)]
        command: VanCommand,
    },
    /// Alarms: list, clear.
    Alarm {
        #[command(subcommand)]
        command: AlarmCommand,
    },
    /// A consistent copy of the hub database in one new file, taken while the hub serves
    /// (SQLite; a hub on PostgreSQL is backed up with pg_dump).
    Backup { file: PathBuf },
    /// Copy an embedded hub's SQLite file into the (empty) PostgreSQL database of `database`.
    Migrate {
        /// The SQLite hub to copy, e.g. /srv/hub/hub.sqlite.
        #[arg(long, value_name = "FILE")]
        from_sqlite: PathBuf,
    },
}

/// The store a command works on, as its engine (backups are the engine's own).
enum Opened {
    Sqlite(Arc<SqliteHub>),
    Postgres(Arc<PgHub>),
}

#[derive(Subcommand)]
enum TerminalCommand {
    /// Register a terminal and print its token (shown only this once; the hub keeps a hash).
    Add {
        id: String,
        #[arg(long)]
        market: String,
    },
    /// Every terminal: market, events received, last sync, whether its token works.
    List,
    /// Stop a terminal's token at once (a lost or copied kiosk).
    Revoke { id: String },
    /// Give a terminal a new token (printed once); the old one stops working.
    Rotate { id: String },
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Add an operator; the password is asked for (or read from standard input when piped).
    Add {
        name: String,
        /// `desk` (the co-op desk: may clear alarms) or `read-only`.
        #[arg(long, default_value = "desk")]
        role: String,
    },
    /// Set a new password (ends the operator's sessions and any login pause).
    Password {
        name: String,
    },
    Remove {
        name: String,
    },
    List,
}

#[derive(Subcommand)]
enum MarketCommand {
    /// Every market with its number of terminals.
    List,
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import a catalog TOML (format of assets/catalog.toml) with its pictures beside it.
    /// Products missing from the file are withdrawn.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum DailyListCommand {
    /// Replace the list: `daily-list set --market M rice-5kg=40 oil-soybean-5l`, or a FILE with
    /// one `product` or `product,N` a line (`#` comments); N is how many are available today.
    Set {
        #[arg(long)]
        market: String,
        /// Products (`product` or `product=N`) or files of them, in the order the sheet prints.
        #[arg(required = true)]
        items: Vec<String>,
    },
    /// Print the list as `product,available`.
    Show {
        #[arg(long)]
        market: String,
    },
    /// Empty the list (the kiosks' leaders then have nothing to order from).
    Clear {
        #[arg(long)]
        market: String,
    },
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
enum RestockCommand {
    /// List the requests (open ones only unless --all).
    List {
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum VanCommand {
    /// Which van serves a market and its stop on the round.
    Route {
        market: String,
        #[arg(long)]
        van: String,
        #[arg(long)]
        stop: u32,
    },
    /// The loading list per van and stop for a delivery day, from every open request.
    Plan {
        /// The delivery day, e.g. 2022-05-07.
        #[arg(long)]
        date: String,
        /// CSV instead of the printable list.
        #[arg(long)]
        csv: bool,
        /// Make the dispatch notes the kiosks pull and receive against (the requests are then planned).
        #[arg(long)]
        confirm: bool,
    },
}

#[derive(Subcommand)]
enum AlarmCommand {
    /// Open alarms (`--all`: cleared ones too).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Mark an alarm as dealt with: `alarm clear 3`.
    Clear { id: i64 },
}

/// The market must have a terminal: a typo (峨海 for 峨海小区) is refused, not made a new market.
fn market_known(store: &dyn HubStore, market: &str) -> anyhow::Result<()> {
    let markets = store.markets()?;
    if markets.iter().any(|m| m == market) {
        return Ok(());
    }
    Err(anyhow!(
        "no terminal is registered for market {market:?} (markets: {}); register one with `warm-hub terminal add ID --market {market}` first",
        if markets.is_empty() { "none yet".to_owned() } else { markets.join(", ") }
    ))
}

fn has_cycle(store: &dyn HubStore, market: &str) -> anyhow::Result<bool> {
    Ok(store.restock_cycle(market)?.is_some())
}

fn daily_list(store: &dyn HubStore, command: DailyListCommand) -> anyhow::Result<()> {
    match command {
        DailyListCommand::Set { market, items } => {
            market_known(store, &market)?;
            // A word naming a file stands for the file's lines; anything else is an item.
            let mut words = Vec::new();
            for item in items {
                let path = std::path::Path::new(&item);
                if path.is_file() {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| anyhow!("cannot read {} as UTF-8 text: {e}", path.display()))?;
                    words.extend(text.lines().map(str::to_owned));
                } else {
                    words.push(item);
                }
            }
            let list = warm_core::domain::leader::parse_daily_items(words.iter().map(String::as_str))
                .map_err(|e| anyhow!("{e}; nothing of the list was stored"))?;
            if list.is_empty() {
                return Err(anyhow!(
                    "the list names no product; to empty it say `warm-hub daily-list clear --market {market}`"
                ));
            }
            store.set_daily_list(&market, &list)?;
            println!("market {market}: daily list of {} products set", list.len());
        }
        DailyListCommand::Show { market } => {
            market_known(store, &market)?;
            let list = store.daily_list(&market)?;
            println!("product,available");
            for item in &list {
                println!("{},{}", item.product, item.available.map(|n| n.to_string()).unwrap_or_default());
            }
            eprintln!("{} products on market {market}'s daily list", list.len());
        }
        DailyListCommand::Clear { market } => {
            market_known(store, &market)?;
            store.set_daily_list(&market, &[])?;
            println!("market {market}: daily list cleared");
        }
    }
    Ok(())
}

fn household(store: &dyn HubStore, command: HouseholdCommand) -> anyhow::Result<()> {
    match command {
        HouseholdCommand::Import { file, market } => {
            market_known(store, &market)?;
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
            market_known(store, &market)?;
            let h = Household::new(&id, &building, &surname, &phone_last4).map_err(|e| anyhow!("{id:?}: {e}"))?;
            store.import_households(&market, std::slice::from_ref(&h))?;
            println!("market {market}: household {} (building {})", h.id, h.building);
        }
        HouseholdCommand::List { market } => {
            market_known(store, &market)?;
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
    let args = Args::parse();
    let (config, config_note) = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("warm-hub: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let lang = config.language();
    match run(args, config, config_note, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", tr(HubMsg::Failed, lang, &[("reason", &format!("{e:#}"))]));
            ExitCode::FAILURE
        }
    }
}

/// The config named, else `config/hub.toml` if it is there, else the defaults; and which it was.
fn load_config(named: Option<&Path>) -> anyhow::Result<(HubConfig, Option<PathBuf>)> {
    let path = match named {
        Some(path) => Some(path.to_owned()),
        None => Some(PathBuf::from(DEFAULT_CONFIG)).filter(|p| p.is_file()),
    };
    match path {
        Some(path) => Ok((HubConfig::load(&path)?, Some(path))),
        None => Ok((HubConfig::default(), None)),
    }
}

fn run(args: Args, config: HubConfig, config_note: Option<PathBuf>, lang: Lang) -> anyhow::Result<()> {
    warm_core::process::init_logging("info");
    let say = |msg: HubMsg, fill: &[(&str, &str)]| tr(msg, lang, fill);
    let data_dir = config.data_dir(args.data.as_deref());
    let database = config.database_in(args.database.as_deref(), &data_dir);
    let db_text = database.to_string();
    if let Command::Migrate { from_sqlite } = &args.command {
        let Database::Postgres(url) = &database else {
            return Err(anyhow!(say(HubMsg::MigrateNeedsPostgres, &[])));
        };
        let target = PgHub::open(url).with_context(|| format!("opening the hub database {db_text}"))?;
        let census = from_sqlite::migrate(from_sqlite, &target)
            .with_context(|| format!("copying {} into {db_text}", from_sqlite.display()))?;
        let n = |v: u64| v.to_string();
        println!(
            "{}",
            say(
                HubMsg::Migrated,
                &[
                    ("file", &from_sqlite.display().to_string()),
                    ("database", &db_text),
                    ("terminals", &census.terminals.len().to_string()),
                    ("events", &n(census.events)),
                    ("alarms", &n(census.alarms)),
                    ("operators", &n(census.operators)),
                    ("products", &n(census.products)),
                    ("pictures", &n(census.pictures)),
                ]
            )
        );
        return Ok(());
    }
    let serving = matches!(args.command, Command::Serve { .. });
    if serving {
        match &config_note {
            Some(path) => eprintln!("{}", say(HubMsg::ConfigUsed, &[("path", &path.display().to_string())])),
            None => eprintln!("{}", say(HubMsg::ConfigDefaults, &[])),
        }
    }
    let opened = match &database {
        Database::Postgres(url) => {
            // The schema is brought up to date on opening; the database itself is the co-op's.
            let store = PgHub::open(url).with_context(|| format!("opening the hub database {db_text}"))?;
            eprintln!("{}", say(HubMsg::UsingDatabase, &[("path", &db_text)]));
            Opened::Postgres(Arc::new(store))
        }
        Database::Sqlite(db) => {
            // A database is created only by `serve`, or where the operator named the folder.
            let named = args.data.is_some() || config.data_dir.is_some();
            let existed = db.is_file();
            let store = if existed || serving || named {
                SqliteHub::open(db).with_context(|| format!("opening the hub database {db_text}"))?
            } else {
                return Err(anyhow!(say(HubMsg::NoDatabase, &[("path", &db_text)])));
            };
            if existed {
                eprintln!("{}", say(HubMsg::UsingDatabase, &[("path", &db_text)]));
            } else {
                eprintln!("{}", say(HubMsg::CreatedDatabase, &[("path", &db_text)]));
            }
            Opened::Sqlite(Arc::new(store))
        }
    };
    let store: Arc<dyn HubStore> = match &opened {
        Opened::Sqlite(s) => s.clone(),
        Opened::Postgres(p) => p.clone(),
    };
    let now = jiff::Timestamp::now();
    let tz = config.time_zone()?;
    let local = |t: Option<&str>| {
        t.and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| warm_core::i18n::local_time(t, &tz))
            .unwrap_or_else(|| say(HubMsg::Never, &[]))
    };
    let known_market = |market: &str| -> anyhow::Result<()> {
        let markets = store.markets()?;
        if markets.iter().any(|m| m == market) {
            return Ok(());
        }
        let known = if markets.is_empty() { "-".to_owned() } else { markets.join(", ") };
        Err(anyhow!(say(HubMsg::UnknownMarket, &[("market", market), ("known", &known)])))
    };
    match args.command {
        Command::Serve { listen } => serve(store, &config, listen, lang),
        Command::Terminal { command } => match command {
            TerminalCommand::Add { id, market } => {
                if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(anyhow!(say(HubMsg::BadTerminalId, &[("id", &format!("{id:?}"))])));
                }
                let token = hub::new_token()?;
                store.add_terminal(&id, &market, &hub::token_hash(&token), now)?;
                println!("{token}");
                eprintln!("{}", say(HubMsg::TerminalAdded, &[("id", &id), ("market", &market)]));
                Ok(())
            }
            TerminalCommand::List => {
                let terminals = store.terminals()?;
                if terminals.is_empty() {
                    println!("{}", say(HubMsg::NoTerminals, &[]));
                }
                for t in terminals {
                    let state = if t.revoked_at.is_some() { HubMsg::Revoked } else { HubMsg::Active };
                    println!(
                        "{}",
                        say(
                            HubMsg::TerminalLine,
                            &[
                                ("id", &t.id),
                                ("market", &t.market),
                                ("acked", &t.acked_upto.to_string()),
                                ("last", &local(t.last_sync.as_deref())),
                                ("state", state.text(lang)),
                            ]
                        )
                    );
                }
                Ok(())
            }
            TerminalCommand::Revoke { id } => {
                store.revoke_terminal(&id, now)?;
                println!("{}", say(HubMsg::TerminalRevoked, &[("id", &id)]));
                Ok(())
            }
            TerminalCommand::Rotate { id } => {
                let token = hub::new_token()?;
                store.rotate_terminal(&id, &hub::token_hash(&token), now)?;
                println!("{token}");
                eprintln!("{}", say(HubMsg::TerminalRotated, &[("id", &id)]));
                Ok(())
            }
        },
        Command::Operator { command } => match command {
            OperatorCommand::Add { name, role } => {
                auth::check_name(&name)?;
                let role = Role::parse(&role).ok_or_else(|| anyhow!(say(HubMsg::BadRole, &[("value", &role)])))?;
                let hash = auth::hash_password(&read_password(&name, lang)?)?;
                store.add_operator(&name, role, &hash, now)?;
                println!("{}", say(HubMsg::OperatorAdded, &[("name", &name), ("role", role_words(role).text(lang))]));
                Ok(())
            }
            OperatorCommand::Password { name } => {
                if store.operator(&name)?.is_none() {
                    return Err(HubError::NotFound(format!("operator {name:?}")).into());
                }
                let hash = auth::hash_password(&read_password(&name, lang)?)?;
                store.set_operator_password(&name, &hash)?;
                println!("{}", say(HubMsg::PasswordChanged, &[("name", &name)]));
                Ok(())
            }
            OperatorCommand::Remove { name } => {
                store.remove_operator(&name)?;
                println!("{}", say(HubMsg::OperatorRemoved, &[("name", &name)]));
                Ok(())
            }
            OperatorCommand::List => {
                let operators = store.operators()?;
                if operators.is_empty() {
                    println!("{}", say(HubMsg::NoOperators, &[]));
                }
                for op in operators {
                    let state = match op.paused_until.filter(|u| *u > now) {
                        Some(until) => say(HubMsg::LoginPaused, &[("until", &warm_core::i18n::local_time(until, &tz))]),
                        None => say(HubMsg::LoginOk, &[]),
                    };
                    let role = role_words(op.role).text(lang);
                    println!("{}", say(HubMsg::OperatorLine, &[("name", &op.name), ("role", role), ("state", &state)]));
                }
                Ok(())
            }
        },
        Command::Market { command: MarketCommand::List } => {
            let terminals = store.terminals()?;
            let markets = store.markets()?;
            if markets.is_empty() {
                println!("{}", say(HubMsg::NoMarkets, &[]));
            }
            for market in markets {
                let n = terminals.iter().filter(|t| t.market == market).count();
                println!("{}", say(HubMsg::MarketLine, &[("market", &market), ("n", &n.to_string())]));
            }
            Ok(())
        }
        Command::Catalog { command: CatalogCommand::Import { file } } => {
            let import = hub::import::from_toml(&file).map_err(|e| anyhow!(e))?;
            let s = store.import_catalog(&import)?;
            println!(
                "{}",
                say(
                    HubMsg::Imported,
                    &[
                        ("file", &file.display().to_string()),
                        ("changed", &s.changed.to_string()),
                        ("unchanged", &s.unchanged.to_string()),
                        ("withdrawn", &s.withdrawn.to_string()),
                        ("pictures", &s.pictures.to_string()),
                    ]
                )
            );
            Ok(())
        }
        Command::Price { market, product, fen } => {
            let price = if fen == "default" {
                None
            } else {
                Some(
                    fen.parse::<i64>()
                        .map_err(|_| anyhow!(say(HubMsg::BadPrice, &[("value", &format!("{fen:?}"))])))?,
                )
            };
            known_market(&market)?;
            store.set_price(&market, &product, price)?;
            let price = match price {
                Some(p) => say(HubMsg::PriceFen, &[("fen", &p.to_string())]),
                None => say(HubMsg::PriceDefault, &[]),
            };
            println!("{}", say(HubMsg::PriceSet, &[("market", &market), ("product", &product), ("price", &price)]));
            Ok(())
        }
        Command::Limit { market, product, limit, period } => {
            let period = LimitPeriod::parse(&period)
                .ok_or_else(|| anyhow!("period {period:?}: say `day`, `week` or `cycle`"))?;
            let limit = if limit == "default" {
                None
            } else {
                let n = limit
                    .parse::<u32>()
                    .map_err(|_| anyhow!(say(HubMsg::BadLimit, &[("value", &format!("{limit:?}"))])))?;
                Some(Limit { per_household: n, period })
            };
            known_market(&market)?;
            if period == LimitPeriod::Cycle && limit.is_some() && !has_cycle(&*store, &market)? {
                eprintln!(
                    "note: market {market} has no restock cycle yet, so its kiosks count this limit per day until `warm-hub cycle --market {market} DAYS` sets one"
                );
            }
            store.set_household_limit(&market, &product, limit)?;
            let limit = limit.map_or_else(
                || say(HubMsg::LimitDefault, &[]),
                |l| format!("{} ({})", l.per_household, period_words(l.period, lang)),
            );
            println!("{}", say(HubMsg::LimitSet, &[("market", &market), ("product", &product), ("limit", &limit)]));
            Ok(())
        }
        Command::Cycle { market, days, from } => {
            known_market(&market)?;
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
                    None => now.to_zoned(config.time_zone()?).date(),
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
        Command::Household { command } => household(&*store, command),
        Command::DailyList { command } => daily_list(&*store, command),
        Command::Assortment { market, product, action } => {
            let listed = match action.as_str() {
                "list" => true,
                "withdraw" => false,
                other => return Err(anyhow!(say(HubMsg::BadAssortment, &[("value", &format!("{other:?}"))]))),
            };
            known_market(&market)?;
            store.set_listed(&market, &product, listed)?;
            let msg = if listed { HubMsg::Listed } else { HubMsg::Withdrawn };
            println!("{}", say(msg, &[("market", &market), ("product", &product)]));
            Ok(())
        }
        Command::Order { market, product, position } => {
            let place = if position == "default" {
                None
            } else {
                let place = position.parse::<i64>().ok().filter(|p| (1..=9999).contains(p));
                Some(place.ok_or_else(|| anyhow!(say(HubMsg::BadPosition, &[("value", &format!("{position:?}"))])))?)
            };
            known_market(&market)?;
            store.set_position(&market, &product, place)?;
            let words = match place {
                Some(p) => say(
                    HubMsg::PositionSet,
                    &[("market", &market), ("product", &product), ("position", &p.to_string())],
                ),
                None => say(HubMsg::PositionDefault, &[("market", &market), ("product", &product)]),
            };
            println!("{words}");
            Ok(())
        }
        Command::Alarm { command: AlarmCommand::List { all } } => {
            let alarms = store.alarms(!all)?;
            if alarms.is_empty() {
                println!("{}", say(HubMsg::NoAlarms, &[]));
            }
            for a in alarms {
                let state = if a.cleared_at.is_some() { HubMsg::AlarmClosed } else { HubMsg::AlarmOpen };
                println!(
                    "{}",
                    say(
                        HubMsg::AlarmLine,
                        &[
                            ("id", &a.id.to_string()),
                            ("at", &local(Some(&a.last_at))),
                            ("terminal", a.terminal.as_deref().unwrap_or("-")),
                            ("kind", &a.kind),
                            ("times", &a.repeats.to_string()),
                            ("state", state.text(lang)),
                            ("message", &a.message),
                        ]
                    )
                );
            }
            Ok(())
        }
        Command::Restock { command: RestockCommand::List { all } } => {
            let rows = store.restock_requests(!all)?;
            if rows.is_empty() {
                println!("没有要货单 no restock requests");
            }
            for r in rows {
                let lines: Vec<String> = r.lines.iter().map(|(p, q)| format!("{p}×{q}")).collect();
                let state = r.planned_for.map_or("open".to_owned(), |d| format!("planned for {d}"));
                println!("{} {} {} {} [{}] {}", r.at, r.market, r.terminal, r.id, state, lines.join(" "));
            }
            Ok(())
        }
        Command::Van { command: VanCommand::Route { market, van, stop } } => {
            store.set_route(&market, &van, stop)?;
            println!("market {market}: van {van}, stop {stop}");
            Ok(())
        }
        Command::Van { command: VanCommand::Plan { date, csv, confirm } } => {
            // Confirmed, the list printed is the one the notes were made from (a request that
            // arrives meanwhile waits for the next plan).
            let plan = if confirm {
                let notes = store.confirm_van_plan(&date, now)?;
                eprintln!("{} dispatch notes made; the kiosks pull them on their next sync", notes.len());
                hub::van::plan_of(&date, &notes)
            } else {
                store.van_plan(&date)?
            };
            print!("{}", if csv { hub::van::csv(&plan) } else { hub::van::loading_list(&plan) });
            Ok(())
        }
        Command::Alarm { command: AlarmCommand::Clear { id } } => {
            store.clear_alarm(id, now)?;
            println!("{}", say(HubMsg::AlarmCleared, &[("id", &id.to_string())]));
            Ok(())
        }
        Command::Backup { file } => match &opened {
            Opened::Sqlite(sqlite) => {
                sqlite.backup_to(&file)?;
                println!("{}", say(HubMsg::BackedUp, &[("file", &file.display().to_string())]));
                Ok(())
            }
            Opened::Postgres(_) => Err(anyhow!(say(HubMsg::BackupPostgres, &[("database", &db_text)]))),
        },
        // Handled above, before any store is opened.
        Command::Migrate { .. } => Ok(()),
    }
}

fn role_words(role: Role) -> HubMsg {
    match role {
        Role::Desk => HubMsg::RoleDesk,
        Role::ReadOnly => HubMsg::RoleReadOnly,
    }
}

/// A new password: asked twice without echo at a terminal, else one line of standard input.
fn read_password(name: &str, lang: Lang) -> anyhow::Result<String> {
    let prompt = tr(HubMsg::PasswordPrompt, lang, &[("name", name), ("n", &auth::MIN_PASSWORD_CHARS.to_string())]);
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).context("reading the password")?;
        let again = rpassword::prompt_password(HubMsg::PasswordAgain.text(lang)).context("reading the password")?;
        if first != again {
            return Err(anyhow!(HubMsg::PasswordsDiffer.text(lang)));
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn serve(store: Arc<dyn HubStore>, config: &HubConfig, listen: Option<String>, lang: Lang) -> anyhow::Result<()> {
    let state = HubState::new(store, config)?;
    let listen = listen.unwrap_or_else(|| config.listen.clone());
    let tls = match config.tls.files() {
        Some((cert, key)) => Some(hub::server::tls_config(cert, key)?),
        None => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        if tls.is_none() && !plain_http_allowed(&addr) {
            return Err(anyhow!(tr(HubMsg::PlainOnlyLoopback, lang, &[("addr", &addr.to_string())])));
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        // Tests and scripts read this first line to find the port.
        println!("warm-hub listening on {scheme}://{addr}");
        eprintln!("{}", kiosk_hint(scheme, addr, lang));
        if tls.is_none() {
            eprintln!("{}", HubMsg::TrialPlain.text(lang));
        }
        // Orders stored before a stop and not yet compared with the limits (issue 10).
        hub::check_limits(&state).await;
        tracing::info!(%addr, "hub serving");
        hub::server::serve(listener, tls, state, hub::shutdown()).await.context("serving")
    })
}

/// The address a kiosk should use: the one listened on, or (listening on every interface) this
/// machine's address on its default route, found without sending anything.
fn kiosk_hint(scheme: &str, addr: SocketAddr, lang: Lang) -> String {
    if !addr.ip().is_unspecified() {
        return tr(HubMsg::KioskHint, lang, &[("url", &format!("{scheme}://{addr}"))]);
    }
    let outward = std::net::UdpSocket::bind((addr.ip(), 0))
        .and_then(|s| s.connect(if addr.is_ipv4() { "192.0.2.1:9" } else { "[2001:db8::1]:9" }).map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| SocketAddr::new(a.ip(), addr.port()).to_string())
        .unwrap_or_else(|_| format!("<this machine>:{}", addr.port()));
    tr(HubMsg::KioskHintAny, lang, &[("url", &format!("{scheme}://{outward}")), ("port", &addr.port().to_string())])
}
