//! `warm-hub`: the cooperative's server. `serve` runs it; the other commands are the operator's
//! tools (register terminals, import the catalog, set a market's prices and assortment).

use anyhow::{Context as _, anyhow};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warm_hub::config::Database;
use warm_hub::postgres::{PgHub, from_sqlite};
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
    /// PostgreSQL to keep everything in (overrides the config's `database`; a password is
    /// better kept in the config file than on a command line).
    #[arg(long, value_name = "postgres://…")]
    database: Option<String>,
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
        /// Most a household may buy per day; `default` returns to the cooperative-wide limit.
        limit: String,
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
    /// Copy an embedded hub's SQLite file into the (empty) PostgreSQL database of `database`.
    Migrate {
        /// The SQLite hub to copy, e.g. /srv/hub/hub.sqlite.
        #[arg(long, value_name = "FILE")]
        from_sqlite: PathBuf,
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
enum AlarmCommand {
    /// Mark an alarm as dealt with.
    Clear { id: i64 },
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
    let database = config.database_in(args.database.as_deref(), &data_dir);
    if let Command::Migrate { from_sqlite } = &args.command {
        let Database::Postgres(url) = &database else {
            return Err(anyhow!(
                "migrate copies into PostgreSQL: set `database` in the config, or --database postgres://…"
            ));
        };
        let target = PgHub::open(url).with_context(|| format!("opening the hub database {database}"))?;
        let census = from_sqlite::migrate(from_sqlite, &target)
            .with_context(|| format!("copying {} into {database}", from_sqlite.display()))?;
        println!(
            "copied {} into {database}: {} terminals (high-water marks equal), {} events, {} alarms, {} products, {} pictures; counts checked",
            from_sqlite.display(),
            census.terminals.len(),
            census.events,
            census.alarms,
            census.products,
            census.pictures
        );
        return Ok(());
    }
    let store = hub::open_store(&database).with_context(|| format!("opening the hub database {database}"))?;
    let now = jiff::Timestamp::now();
    match args.command {
        Command::Migrate { .. } => Ok(()),
        Command::Serve { listen } => {
            let state = HubState::new(store, &config).map_err(|e| anyhow!(e))?;
            let listen = listen.unwrap_or_else(|| config.listen.clone());
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let addr = listener.local_addr()?;
                // Tests and scripts read this line to find the port.
                println!("warm-hub listening on http://{addr}");
                tracing::info!(%addr, %database, "hub serving");
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
        Command::Limit { market, product, limit } => {
            let limit = if limit == "default" {
                None
            } else {
                Some(limit.parse::<u32>().map_err(|_| anyhow!("limit {limit:?}: a whole number, or `default`"))?)
            };
            store.set_limit(&market, &product, limit)?;
            println!(
                "market {market}: {product} limit {}",
                limit.map_or("as the cooperative sets it".into(), |l| l.to_string())
            );
            Ok(())
        }
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
