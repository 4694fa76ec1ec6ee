//! The hub's storage, behind a trait so the embedded SQLite store and a PostgreSQL one (for a
//! cooperative beyond one machine) serve the same handlers.

use super::ingest::{Aborted, Incoming};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use warm_core::api::{CatalogChange, CatalogPage, LimitAlarm, PushResponse, RecoveryAnswer, RecoveryEvent, UsagePage};
use warm_core::domain::{DailyItem, Household, HouseholdId, Limit, ProductRow, RestockCycle};

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
    /// Set once the terminal was recovered from a backup: the only kiosk copy that may push.
    pub instance: Option<String>,
}

/// A terminal as the operator lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TerminalInfo {
    pub id: String,
    pub market: String,
    pub acked_upto: u64,
    /// UTC, RFC 3339.
    pub last_sync: Option<String>,
    pub created_at: String,
    /// When its token was revoked (it then has none until `rotate`).
    pub revoked_at: Option<String>,
}

/// What an operator may do at the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Role {
    /// The co-op's service desk: sees everything and clears alarms.
    Desk,
    /// Sees everything, changes nothing.
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Desk => "desk",
            Role::ReadOnly => "read-only",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "desk" => Some(Role::Desk),
            "read-only" => Some(Role::ReadOnly),
            _ => None,
        }
    }
}

/// An operator account: the password only as an argon2 hash, and the login pause state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    /// Wrong passwords in a row since the last good one.
    pub failures: u32,
    /// No password is checked before this instant.
    pub paused_until: Option<Timestamp>,
}

/// A signed-in operator, found by the hash of the session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub operator: String,
    pub role: Role,
    pub expires_at: Timestamp,
}

impl Session {
    /// Who may do what: the desk changes things, read-only operators only look.
    pub fn may_change(&self) -> bool {
        self.role == Role::Desk
    }
}

/// What the hub says to a kiosk asking to recover (see `warm_core::api::RecoveryRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The answer to send; `renumber_from` is set if this copy now owns the terminal.
    Answer(RecoveryAnswer),
    /// Not a kiosk back from a backup (two live kiosks, an old copy, a changed event): why.
    Refused { acked_upto: u64, reason: String },
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
    /// The category this one is part of (a sub-category).
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProduct {
    pub id: String,
    pub row: ProductRow,
    pub picture: Vec<u8>,
}

pub(crate) use warm_core::domain::PRODUCT_COLUMNS;

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
    /// When the operator cleared it (`None`: still open).
    pub cleared_at: Option<String>,
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
    pub operators: u64,
    pub sessions: u64,
    pub van_routes: u64,
    pub dispatch_notes: u64,
    pub planned_requests: u64,
    pub households: u64,
    pub restock_cycles: u64,
    pub daily_lists: u64,
    pub usage: u64,
    /// The highest catalog version handed out.
    pub catalog_version: u64,
    /// The highest dispatch note version handed out.
    pub dispatch_version: u64,
    /// The highest usage version handed out.
    pub usage_version: u64,
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
    pub revoked_at: Option<String>,
    /// The kiosk copy that recovered it from a backup, if one did.
    pub instance: Option<String>,
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

/// A cursor as the database compares it; one beyond any version there can be is refused.
pub fn cursor_in_db(cursor: u64) -> Result<i64, HubError> {
    i64::try_from(cursor).map_err(|_| HubError::Invalid(format!("cursor {cursor} is beyond any catalog version")))
}

impl Dashboard {
    /// The page from its three lists: `sold` is (market, orders, what they came to, payments)
    /// for the day. The managers' days are added by the caller (`HubStore::market_days`).
    pub fn assemble(terminals: Vec<TerminalRow>, sold: &[(String, i64, i64, i64)], alarms: Vec<Alarm>) -> Dashboard {
        let mut markets: Vec<String> = terminals.iter().map(|t| t.market.clone()).collect();
        markets.dedup();
        let markets = markets
            .into_iter()
            .map(|market| {
                let (orders, ordered_fen, sales_fen) = sold
                    .iter()
                    .find(|(m, ..)| *m == market)
                    .map_or((0, 0, 0), |(_, o, placed, paid)| (u64::try_from(*o).unwrap_or(0), *placed, *paid));
                let last_sync =
                    terminals.iter().filter(|t| t.market == market).filter_map(|t| t.last_sync.clone()).max();
                MarketDay { market, orders, ordered_fen, sales_fen, last_sync }
            })
            .collect();
        Dashboard { terminals, markets, alarms, days: Vec::new() }
    }
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
    /// A market's own place for a product in its category (lower first; `None`: back to the
    /// order of what sells most), pulled with the catalog.
    fn set_position(&self, market: &str, product: &str, position: Option<i64>) -> Result<(), HubError>;
    /// Whether a market sells a product.
    fn set_listed(&self, market: &str, product: &str, listed: bool) -> Result<(), HubError>;
    /// A market's own purchase limit per household with its period (issue 10); `None`: back to
    /// the cooperative-wide limit (counted per day).
    fn set_household_limit(&self, market: &str, product: &str, limit: Option<Limit>) -> Result<(), HubError>;
    /// A market's restock cycle, if it has one.
    fn restock_cycle(&self, market: &str) -> Result<Option<RestockCycle>, HubError>;
    /// A market's restock cycle, for limits counted per cycle (`None`: the market has none).
    fn set_restock_cycle(&self, market: &str, cycle: Option<RestockCycle>) -> Result<(), HubError>;
    /// A market's daily goods list for building leaders (issue 10), in the order set; empty
    /// when it has none.
    fn daily_list(&self, market: &str) -> Result<Vec<DailyItem>, HubError>;
    /// Replaces a market's daily goods list (`[]` clears it) under a new catalog version, so it
    /// reaches the market's kiosks in their catalog pull. A product the hub does not sell is
    /// refused (`Invalid`, naming it) and nothing changes.
    fn set_daily_list(&self, market: &str, items: &[DailyItem]) -> Result<(), HubError>;
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
    /// The terminal's high-water mark: every event up to it is stored.
    fn high_seq(&self, terminal: &str) -> Result<u64, HubError>;
    /// Events stored for a terminal (all terminals with `None`).
    fn event_count(&self, terminal: Option<&str>) -> Result<u64, HubError>;
    /// Everything counted (see [`Census`]).
    fn census(&self) -> Result<Census, HubError>;

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
    // Terminals and markets, for the operator's tools.
    fn terminals(&self) -> Result<Vec<TerminalInfo>, HubError>;
    /// The terminal's token stops working at once (a lost or copied kiosk).
    fn revoke_terminal(&self, id: &str, now: Timestamp) -> Result<(), HubError>;
    /// Gives the terminal a new token (the old one stops working); also ends a revocation.
    fn rotate_terminal(&self, id: &str, token_hash: &str, now: Timestamp) -> Result<(), HubError>;
    /// Every market a terminal is registered for.
    fn markets(&self) -> Result<Vec<String>, HubError>;
    /// Alarms, the open ones only or all.
    fn alarms(&self, open_only: bool) -> Result<Vec<Alarm>, HubError>;

    /// Decides, in one transaction, whether a kiosk that reuses seqs the hub holds is one restored
    /// from a backup (its unknown events all made after the hub's events at those seqs, and no
    /// other copy recovered since) and then records `new_instance` as the only copy that may push.
    fn recover(
        &self,
        terminal: &Terminal,
        instance: &str,
        new_instance: &str,
        events: &[RecoveryEvent],
    ) -> Result<Recovery, HubError>;

    // Operators of the dashboard and their sessions.
    fn add_operator(&self, name: &str, role: Role, password_hash: &str, now: Timestamp) -> Result<(), HubError>;
    /// A new password (and no pause); every session of the operator ends.
    fn set_operator_password(&self, name: &str, password_hash: &str) -> Result<(), HubError>;
    /// Removes the operator and ends their sessions.
    fn remove_operator(&self, name: &str) -> Result<(), HubError>;
    fn operator(&self, name: &str) -> Result<Option<Operator>, HubError>;
    fn operators(&self) -> Result<Vec<Operator>, HubError>;
    /// Records the outcome of a login: wrong passwords in a row, and the pause they earned.
    fn set_login_state(&self, name: &str, failures: u32, paused_until: Option<Timestamp>) -> Result<(), HubError>;
    /// Stores a new session (only its token's hash) and forgets expired ones.
    fn add_session(
        &self,
        token_hash: &str,
        operator: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), HubError>;
    /// The live session whose token hashes to `token_hash`.
    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, HubError>;
    fn end_session(&self, token_hash: &str) -> Result<(), HubError>;
}
