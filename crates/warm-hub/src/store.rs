//! The hub's storage, behind a trait so the embedded SQLite store and a PostgreSQL one (for a
//! cooperative beyond one machine) serve the same handlers.

use super::ingest::{Aborted, Incoming};
use jiff::Timestamp;
use warm_core::api::{CatalogPage, PushResponse};

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
    /// Each market's day as its site manager runs it (from `HubStore::market_days`).
    pub days: Vec<ManagerDay>,
}

/// A market's day at the desk: closed or not, sales by payment method from the payments (an
/// order amended at the counter counts at what was paid, one never collected not at all), the
/// cash variance of its Z report, stock variances and open restock requests.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ManagerDay {
    pub market: String,
    /// The Z numbers closed today, per terminal (`K1 #3`); empty while the day is open.
    pub closed: Vec<String>,
    /// (method, payments, fen) for cash, wechat, alipay, on_account.
    pub by_method: Vec<(String, u64, i64)>,
    pub sales_fen: i64,
    /// Counted minus expected cash of today's Z reports; `None` before a close.
    pub cash_variance_fen: Option<i64>,
    /// Count and spoilage movements today (units, signed, summed per product): (product, units).
    pub stock_variances: Vec<(String, i64)>,
    pub open_requests: u64,
}

/// A restock request as the desk sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestockRow {
    pub id: String,
    pub market: String,
    pub terminal: String,
    pub at: String,
    pub lines: Vec<(String, i64)>,
    /// The delivery day of the van plan that took it; `None` while open.
    pub planned_for: Option<String>,
}

/// The van's loading list for a day: per van, its stops (markets) in order, what to load for each.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct VanPlan {
    pub date: String,
    pub stops: Vec<VanStop>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VanStop {
    pub van: String,
    pub stop: u32,
    pub market: String,
    pub lines: Vec<warm_core::api::manager::DispatchLine>,
    /// The requests this stop answers.
    pub requests: Vec<String>,
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
    /// Orders placed (at the kiosk or as walk-in sales at the counter).
    pub orders: u64,
    /// What the placed orders came to when placed.
    pub ordered_fen: i64,
    /// Sales: the payments recorded.
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

    // The site manager's loop (issue 11): restock requests, van plans, dispatch notes, the day.
    /// Restock requests (from `restock.requested` events), only the open ones with `open_only`.
    fn restock_requests(&self, open_only: bool) -> Result<Vec<RestockRow>, HubError>;
    /// Which van serves a market, and its place on the van's round.
    fn set_route(&self, market: &str, van: &str, stop: u32) -> Result<(), HubError>;
    /// The loading list for `date` from every open request (markets without a route ride van
    /// `V1` after the routed stops). Changes nothing.
    fn van_plan(&self, date: &str) -> Result<VanPlan, HubError>;
    /// Confirms the plan: one dispatch note per stop, the requests marked planned, in one
    /// transaction. Returns the notes made (none when no request was open).
    fn confirm_van_plan(
        &self,
        date: &str,
        now: Timestamp,
    ) -> Result<Vec<warm_core::api::manager::DispatchNote>, HubError>;
    /// Dispatch notes for `terminal`'s market after `cursor` (the kiosk's second cursor feed).
    fn dispatch_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<warm_core::api::manager::DispatchPage, HubError>;
    /// Each market's day in `[from, to)`.
    fn market_days(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ManagerDay>, HubError>;
}
