//! The hub's storage, behind a trait so the embedded SQLite store and a PostgreSQL one (for a
//! cooperative beyond one machine) serve the same handlers.

use super::ingest::{Aborted, Incoming};
use jiff::Timestamp;
use warm_core::api::{CatalogChange, CatalogPage, PushResponse};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    #[error("hub database: {0}")]
    Db(String),
    #[error("{0}")]
    Invalid(String),
    #[error("not found: {0}")]
    NotFound(String),
}

impl From<rusqlite::Error> for HubError {
    fn from(e: rusqlite::Error) -> Self {
        HubError::Db(e.to_string())
    }
}

impl From<tokio_postgres::Error> for HubError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's own words (its DbError) say more than the driver's "db error".
        match e.as_db_error() {
            Some(db) => HubError::Db(db.to_string()),
            None => HubError::Db(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for HubError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        HubError::Db(format!("no connection to PostgreSQL: {e}"))
    }
}

/// A registered terminal, as found by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    pub id: String,
    pub market: String,
}

/// What became of a push. Only `Accepted` changed the database; the others changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Accepted(PushResponse),
    /// The first new event does not follow the hub's high-water mark.
    Gap {
        acked_upto: u64,
        first_new: u64,
    },
    /// An event id or seq came back different from what the hub stored.
    Conflict {
        acked_upto: u64,
        detail: String,
    },
    /// The body turned out bad while it was being stored; the decoder says why.
    Aborted,
}

/// A catalog as the operator imports it: rows plus picture bytes by path.
#[derive(Debug, Clone, Default)]
pub struct CatalogImport {
    pub market_name_zh: String,
    pub market_name_en: String,
    pub categories: Vec<ImportCategory>,
    pub products: Vec<ImportProduct>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCategory {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub picture: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProduct {
    pub id: String,
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub spec_zh: String,
    pub spec_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    pub price_fen: i64,
    pub ean13: String,
    pub limit_per_household: Option<u32>,
    pub picture: Vec<u8>,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub changed: u64,
    pub withdrawn: u64,
    pub unchanged: u64,
    pub pictures: u64,
}

/// The operator's page.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Dashboard {
    pub terminals: Vec<TerminalRow>,
    pub markets: Vec<MarketDay>,
    pub alarms: Vec<Alarm>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TerminalRow {
    pub id: String,
    pub market: String,
    pub acked_upto: u64,
    /// UTC, RFC 3339; `None` if it never synced.
    pub last_sync: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarketDay {
    pub market: String,
    pub orders: u64,
    pub sales_fen: i64,
    pub last_sync: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Alarm {
    pub id: i64,
    pub at: String,
    pub terminal: Option<String>,
    pub kind: String,
    pub message: String,
    /// How often it was raised while open, and when last.
    pub repeats: u64,
    pub last_at: String,
}

/// What a hub holds, counted the same way on both engines: to check a migration, and for tests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Census {
    pub events: u64,
    pub alarms: u64,
    pub market_names: u64,
    pub categories: u64,
    pub products: u64,
    pub assortment: u64,
    pub pictures: u64,
    /// The highest catalog version handed out.
    pub catalog_version: u64,
    /// Every terminal, by id.
    pub terminals: Vec<TerminalCensus>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TerminalCensus {
    pub id: String,
    pub market: String,
    /// The high-water mark: every event up to it is stored.
    pub high_seq: u64,
    pub events: u64,
    pub distinct_ids: u64,
    pub max_seq: u64,
    /// Sum of the order totals of its `order.placed` events.
    pub amount_fen: i64,
}

/// The words of a conflict, the same from both engines.
pub mod conflict {
    /// An id the hub has came back as another terminal's or another seq's.
    pub fn moved(id: &str, terminal: &str, seq: u64, stored_terminal: &str, stored_seq: i64) -> String {
        format!("event {id} came back as {terminal}#{seq} but is stored as {stored_terminal}#{stored_seq}")
    }

    pub fn changed(id: &str, terminal: &str, seq: u64) -> String {
        format!("event {id} ({terminal}#{seq}) came back with a different content")
    }

    pub fn other_id(id: &str, terminal: &str, seq: u64, other: &str) -> String {
        format!("{terminal}#{seq} came as event {id} but is stored as event {other}: two terminals share one id?")
    }

    pub fn unknown(id: &str, terminal: &str, seq: u64) -> String {
        format!("{terminal}#{seq} (event {id}) is below the high-water mark but unknown")
    }

    /// A new event whose id is stored already.
    pub fn reused(id: &str, terminal: &str, seq: u64, stored_terminal: &str, stored_seq: i64) -> String {
        format!("event {id} came as {terminal}#{seq} but is stored as {stored_terminal}#{stored_seq}")
    }

    pub fn seq_taken(terminal: &str, seq: u64) -> String {
        format!("{terminal}#{seq} is already stored under another event id")
    }
}

/// One page of catalog changes out of the rows each table gave (each asked for `limit + 1` rows
/// after `cursor`, so `more` is exact).
pub fn catalog_page(mut changes: Vec<CatalogChange>, cursor: u64, limit: usize) -> CatalogPage {
    changes.sort_by_key(CatalogChange::version);
    let more = changes.len() > limit;
    changes.truncate(limit);
    let next_cursor = changes.last().map_or(cursor, CatalogChange::version);
    CatalogPage { changes, next_cursor, more }
}

/// A cursor as the database compares it: one past every version there can be stays past them.
pub fn cursor_in_db(cursor: u64) -> i64 {
    i64::try_from(cursor).unwrap_or(i64::MAX)
}

impl Dashboard {
    /// The page from its three lists: `sold` is (market, orders, sales) for the day.
    pub fn assemble(terminals: Vec<TerminalRow>, sold: &[(String, i64, i64)], alarms: Vec<Alarm>) -> Dashboard {
        let mut markets: Vec<String> = terminals.iter().map(|t| t.market.clone()).collect();
        markets.dedup();
        let markets = markets
            .into_iter()
            .map(|market| {
                let (orders, sales_fen) =
                    sold.iter().find(|(m, _, _)| *m == market).map_or((0, 0), |(_, o, s)| (*o as u64, *s));
                let last_sync =
                    terminals.iter().filter(|t| t.market == market).filter_map(|t| t.last_sync.clone()).max();
                MarketDay { market, orders, sales_fen, last_sync }
            })
            .collect();
        Dashboard { terminals, markets, alarms }
    }
}

pub trait HubStore: Send + Sync + 'static {
    /// The terminal whose token hashes to `token_hash`, if any.
    fn terminal_by_token(&self, token_hash: &str) -> Result<Option<Terminal>, HubError>;
    /// Stores a batch in ONE transaction: all of it or nothing. `events` arrive while they are
    /// decoded; an `Err(Aborted)` among them means the body was bad: roll back.
    fn push(
        &self,
        terminal: &Terminal,
        events: &mut dyn Iterator<Item = Result<Incoming, Aborted>>,
        now: Timestamp,
    ) -> Result<PushOutcome, HubError>;
    /// Records something the operator must see.
    fn raise_alarm(&self, terminal: Option<&str>, kind: &str, message: &str, now: Timestamp) -> Result<(), HubError>;
    fn clear_alarm(&self, id: i64, now: Timestamp) -> Result<(), HubError>;
    /// Catalog changes for `terminal`'s market after `cursor`; also notes the terminal's sync time.
    fn catalog_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<CatalogPage, HubError>;
    fn picture(&self, hash: &str) -> Result<Option<Vec<u8>>, HubError>;
    /// Terminals, alarms, and the orders and sales of `[from, to)` per market.
    fn dashboard(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, HubError>;

    fn add_terminal(&self, id: &str, market: &str, token_hash: &str, now: Timestamp) -> Result<(), HubError>;
    fn import_catalog(&self, catalog: &CatalogImport) -> Result<ImportSummary, HubError>;
    /// A market's own price for a product (`None`: back to the cooperative-wide price).
    fn set_price(&self, market: &str, product: &str, price_fen: Option<i64>) -> Result<(), HubError>;
    /// A market's own purchase limit per household (`None`: back to the cooperative-wide limit).
    fn set_limit(&self, market: &str, product: &str, limit: Option<u32>) -> Result<(), HubError>;
    /// Whether a market sells a product.
    fn set_listed(&self, market: &str, product: &str, listed: bool) -> Result<(), HubError>;
    /// The terminal's high-water mark: every event up to it is stored.
    fn high_seq(&self, terminal: &str) -> Result<u64, HubError>;
    /// Events stored for a terminal (all terminals with `None`).
    fn event_count(&self, terminal: Option<&str>) -> Result<u64, HubError>;
    /// Everything counted (see [`Census`]).
    fn census(&self) -> Result<Census, HubError>;
}
