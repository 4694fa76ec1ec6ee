//! The hub's storage, behind a trait so the embedded SQLite store and a PostgreSQL one (for a
//! cooperative beyond one machine) serve the same handlers.

use super::ingest::{Aborted, Incoming};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use warm_core::api::{CatalogPage, LimitAlarm, PushResponse, UsagePage};
use warm_core::domain::{Household, HouseholdId, Limit, RestockCycle};

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

/// What a household import changed (issue 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HouseholdImport {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
}

pub trait HubStore: Send + Sync + 'static {
    /// The terminal whose token hashes to `token_hash`, if any.
    fn terminal_by_token(&self, token_hash: &str) -> Result<Option<Terminal>, HubError>;
    /// Stores a batch in ONE transaction: all of it or nothing. `events` arrive while they are
    /// decoded; an `Err(Aborted)` among them means the body was bad: roll back. In the same
    /// transaction, each event's `Incoming::usage` (issue 10) is recorded for the terminal's
    /// market: a placed order's household lines as usage rows not yet checked against limits,
    /// an amendment's new quantities on the order's rows (0 for a product taken out), each
    /// change under a new usage version (served by [`HubStore::usage_page`]).
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
    /// A market's own purchase limit per household per day (`None`: back to the cooperative-wide
    /// limit). Issue 10 gave limits a period: see [`HubStore::set_household_limit`].
    fn set_limit(&self, market: &str, product: &str, limit: Option<u32>) -> Result<(), HubError> {
        let limit = limit.map(|per_household| Limit { per_household, period: warm_core::domain::LimitPeriod::Day });
        self.set_household_limit(market, product, limit)
    }
    /// Whether a market sells a product.
    fn set_listed(&self, market: &str, product: &str, listed: bool) -> Result<(), HubError>;
    /// A market's own purchase limit per household with its period (issue 10); `None`: back to
    /// the cooperative-wide limit (counted per day).
    fn set_household_limit(&self, market: &str, product: &str, limit: Option<Limit>) -> Result<(), HubError>;
    /// A market's restock cycle, for limits counted per cycle (`None`: the market has none).
    fn set_restock_cycle(&self, market: &str, cycle: Option<RestockCycle>) -> Result<(), HubError>;
    /// Adds or updates a market's households in ONE transaction (all or nothing); each change
    /// gets a catalog version, so it reaches the market's kiosks in their catalog pull.
    fn import_households(&self, market: &str, households: &[Household]) -> Result<HouseholdImport, HubError>;
    /// Removes a household with a tombstone (`NotFound` if the market has no such household).
    fn remove_household(&self, market: &str, id: &HouseholdId) -> Result<(), HubError>;
    /// A market's households (not removed), by id.
    fn households(&self, market: &str) -> Result<Vec<Household>, HubError>;
    /// What the households of `terminal`'s market bought, at any of its terminals, after `cursor`.
    fn usage_page(&self, terminal: &Terminal, cursor: u64, limit: u32) -> Result<UsagePage, HubError>;
    /// Checks every usage row not yet checked against its market's limits (periods in `tz`),
    /// raises one alarm (kind `limit`, no terminal) per household, product and period over its
    /// limit, naming every order of it, and marks the rows checked, in one transaction. Never
    /// refuses or changes an order. Returns the breaches it raised.
    fn check_limits(&self, tz: &TimeZone, now: Timestamp) -> Result<Vec<LimitAlarm>, HubError>;
    /// The markets that have a registered terminal.
    fn markets(&self) -> Result<Vec<String>, HubError>;
    /// The terminal's high-water mark: every event up to it is stored.
    fn high_seq(&self, terminal: &str) -> Result<u64, HubError>;
    /// Events stored for a terminal (all terminals with `None`).
    fn event_count(&self, terminal: Option<&str>) -> Result<u64, HubError>;
}
