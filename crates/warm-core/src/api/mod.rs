//! The wire contract between a terminal and the cooperative's hub: JSON over HTTP under `/v1`,
//! documented in `docs/API.md`. Shared by both sides so they cannot drift apart.
//!
//! Events are carried generically (`kind` + JSON `payload`): a new kind (payments, stock
//! movements, settlements, ...) joins without any change to the hub, which stores every event and
//! interprets only the kinds its dashboard knows.

pub mod manager;

use crate::domain::{DailyItem, LimitPeriod, ProductRow};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The path prefix of this version of the API.
pub const PREFIX: &str = "/v1";
/// The largest body the hub accepts on a push; a terminal never builds a bigger batch.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The most events the hub accepts in one push.
pub const MAX_BATCH_EVENTS: usize = 5_000;
/// The most catalog changes in one page.
pub const MAX_PAGE: u32 = 1_000;

/// A push may carry this header, `Follows-Seq: S`, when events up to #S are in a push the
/// terminal has sent and not yet had answered: the hub stores this one only after those.
pub const FOLLOWS_SEQ: &str = "follows-seq";

/// Every push carries this header with the kiosk copy's own id (a UUID it keeps in its store). The
/// hub looks at it only for a terminal recovered from a backup: after that, only the copy that
/// recovered may push (see [`RecoveryRequest`]).
pub const KIOSK_INSTANCE: &str = "kiosk-instance";

/// What the hub checks in every event it is sent (docs/API.md, "What an event must be").
pub mod limits {
    /// `kind`: 1 to this many bytes of `a-z`, `0-9`, `.`, `_`, `-`.
    pub const MAX_KIND_BYTES: usize = 64;
    /// `created_at`: an RFC 3339 instant of at most this many bytes, in these years.
    pub const MAX_CREATED_AT_BYTES: usize = 40;
    pub const FIRST_YEAR: i16 = 1970;
    pub const LAST_YEAR: i16 = 2099;
    /// Arrays and objects inside a payload may nest this deep.
    pub const MAX_PAYLOAD_DEPTH: usize = 32;
    /// `order.placed`: lines per order, units per line, and the largest order total (fen).
    pub const MAX_ORDER_LINES: usize = 1_000;
    pub const MAX_QTY: i64 = 100_000;
    pub const MAX_ORDER_TOTAL_FEN: i64 = 1_000_000_000;
    /// A catalog cursor is a version the hub made: below 2^63.
    pub const MAX_CURSOR: u64 = i64::MAX as u64;
}

/// `POST /v1/terminals/{terminal}/events`
pub fn events_path(terminal: &str) -> String {
    format!("{PREFIX}/terminals/{terminal}/events")
}

/// `GET /v1/terminals/{terminal}/catalog?cursor=N&limit=M`
pub fn catalog_path(terminal: &str, cursor: u64, limit: u32) -> String {
    format!("{PREFIX}/terminals/{terminal}/catalog?cursor={cursor}&limit={limit}")
}

/// `GET /v1/terminals/{terminal}/usage?cursor=N&limit=M`: what the households of the terminal's
/// market bought, at every terminal of the market, after a cursor (issue 10).
pub fn usage_path(terminal: &str, cursor: u64, limit: u32) -> String {
    format!("{PREFIX}/terminals/{terminal}/usage?cursor={cursor}&limit={limit}")
}

/// `POST /v1/terminals/{terminal}/recovery`
pub fn recovery_path(terminal: &str) -> String {
    format!("{PREFIX}/terminals/{terminal}/recovery")
}

/// `GET /v1/pictures/{sha256 hex}`
pub fn picture_path(hash: &str) -> String {
    format!("{PREFIX}/pictures/{hash}")
}

/// One outbox event as the terminal recorded it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// UUIDv7 made when the event was recorded; unique across the cooperative.
    pub id: Uuid,
    /// The terminal's event sequence: 1, 2, 3, ... with no gaps.
    pub seq: u64,
    /// What happened, e.g. `order.placed`.
    pub kind: String,
    /// When it happened (UTC, RFC 3339).
    pub created_at: String,
    /// The event's body (any JSON); its shape depends on `kind`. Carried as the exact text the
    /// terminal stored, so a resend is byte-identical and the hub never re-encodes it.
    pub payload: Box<serde_json::value::RawValue>,
}

/// The body of a push: events in ascending, consecutive `seq` order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub events: Vec<Event>,
}

/// The body of a push encoded straight from borrowed events: the same JSON as [`PushRequest`],
/// without copying the batch first.
pub fn encode_push(events: &[Event]) -> serde_json::Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        events: &'a [Event],
    }
    serde_json::to_vec(&Borrowed { events })
}

/// The answer to an accepted push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every event of this terminal with `seq <= acked_upto` is durably stored at the hub: the
    /// terminal may delete those outbox rows. It is the batch's last seq (the hub's high-water mark
    /// for an empty push): never beyond what this push let the hub compare.
    pub acked_upto: u64,
    /// Events stored by this push.
    pub stored: u64,
    /// Events the hub already had (same id, seq and payload): acknowledged, not stored again.
    pub duplicates: u64,
}

/// Every refusal carries a machine-readable `error` and a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// `unauthorized`, `forbidden`, `malformed`, `too_large`, `gap`, `conflict`, `not_found`,
    /// `busy` (429: too many pushes of this terminal at once), `out_of_order`, `timeout`, `internal`.
    pub error: String,
    pub message: String,
    /// The hub's high-water mark for this terminal, where it is known (`gap`, `conflict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acked_upto: Option<u64>,
}

/// A kiosk restored from an older backup reuses event numbers the hub already holds, and every
/// push is refused `409`. It then sends the head of its outbox here: the hub says how many of
/// these events it already has (the first `known`, identical), and, if the rest were all made
/// after everything the hub holds at those numbers, lets the kiosk renumber them from
/// `renumber_from`. Two kiosks live at once under one terminal are refused (`409` and an alarm).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryRequest {
    /// The kiosk copy asking ([`KIOSK_INSTANCE`]).
    pub instance: String,
    /// The id this copy takes if it may renumber; from then on only it may push.
    pub new_instance: String,
    /// The oldest outbox events, in seq order (at most [`MAX_BATCH_EVENTS`]).
    pub events: Vec<RecoveryEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryEvent {
    pub id: Uuid,
    pub seq: u64,
    pub kind: String,
    pub created_at: String,
    /// sha256 (hex) of the payload as stored, so the hub compares contents without receiving them.
    pub payload_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryAnswer {
    /// The hub's high-water mark for this terminal.
    pub acked_upto: u64,
    /// The first `known` events sent are stored at the hub exactly so: the kiosk may drop them.
    pub known: u64,
    /// The kiosk renumbers the rest of its outbox from here (the hub's mark + 1), in order.
    pub renumber_from: Option<u64>,
}

/// One page of catalog changes after a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPage {
    /// The changes, in ascending `version` order.
    pub changes: Vec<CatalogChange>,
    /// Pass this as `cursor` next time; it equals the last change's version (or the cursor given).
    pub next_cursor: u64,
    /// True when more changes follow this page.
    pub more: bool,
}

/// A versioned catalog row. `deleted` rows are tombstones: remove the row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CatalogChange {
    /// The name the terminal's market shows in its title.
    Market { version: u64, name_zh: String, name_en: String },
    Category {
        version: u64,
        id: String,
        deleted: bool,
        name_zh: String,
        name_en: String,
        /// sha256 (hex) of the picture, fetched from `/v1/pictures/{hash}`.
        picture: String,
        position: i64,
        /// The category this one is part of (粮油 → 米 / 面 / 油); absent: shown on the home screen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<String>,
    },
    Product {
        version: u64,
        id: String,
        deleted: bool,
        /// `category`, `name_zh`, ..., `price_fen` (cooperative-wide), `ean13`,
        /// `limit_per_household`: fields of the change itself on the wire, in this order.
        #[serde(flatten)]
        row: ProductRow,
        picture: String,
        position: i64,
    },
    /// This terminal's market's own terms for a product: whether it is sold here, and the
    /// price and limit that replace the cooperative-wide ones (`None` keeps those).
    Assortment {
        version: u64,
        product: String,
        listed: bool,
        price_fen: Option<i64>,
        limit_per_household: Option<u32>,
        /// Over what time the market's limit counts; absent: a day (kiosks before issue 10).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_period: Option<LimitPeriod>,
        /// The market's own place for the product in its category (lower first), set by the
        /// co-op; it comes before the order of recent sales. Absent: none set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<i64>,
    },
    /// A household of this terminal's market (issue 10); `deleted`: removed (a tombstone).
    /// Never a full name or phone number.
    Household {
        version: u64,
        /// building-unit-room, e.g. `3-2-501` (see [`crate::domain::HouseholdId`]).
        id: String,
        deleted: bool,
        building: String,
        surname: Option<String>,
        phone_last4: Option<String>,
    },
    /// This terminal's market's restock cycle, for limits counted per cycle: every `days` days
    /// from the local date `from` (`YYYY-MM-DD`). `days = 0`: the market has none.
    RestockCycle { version: u64, days: u32, from: String },
    /// This terminal's market's daily goods list (每日货品清单) for building leaders (issue 10):
    /// the whole list each time, in the order the sheet prints it; `items: []` clears it.
    DailyList { version: u64, items: Vec<DailyItem> },
}

impl CatalogChange {
    pub fn version(&self) -> u64 {
        match self {
            CatalogChange::Market { version, .. }
            | CatalogChange::Category { version, .. }
            | CatalogChange::Product { version, .. }
            | CatalogChange::Assortment { version, .. }
            | CatalogChange::Household { version, .. }
            | CatalogChange::RestockCycle { version, .. }
            | CatalogChange::DailyList { version, .. } => *version,
        }
    }
}

/// One page of what the market's households bought, after a cursor (issue 10). A kiosk counts
/// these together with its own orders (skipping its own, which come back here too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePage {
    /// In ascending `version` order.
    pub entries: Vec<UsageEntry>,
    /// Pass this as `cursor` next time; the last entry's version (or the cursor given).
    pub next_cursor: u64,
    pub more: bool,
}

/// How many of a product one order of a household holds now. An amended order comes again with
/// a higher version and its new quantity (0: the line was taken out), so the latest version of
/// `(order_id, product)` is what counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEntry {
    pub version: u64,
    pub order_id: Uuid,
    /// The terminal the order was placed at.
    pub terminal: String,
    pub household: String,
    pub product: String,
    pub qty: u32,
    /// When the order was placed (UTC, RFC 3339): the limit's period is the one containing it.
    pub at: String,
}

/// A household that bought more than its limit in one period, found by the hub after the
/// orders came in (kiosks cut off from each other). Shown on the dashboard; never a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitAlarm {
    pub market: String,
    pub household: String,
    pub product: String,
    pub limit: u32,
    pub period: LimitPeriod,
    pub bought: u32,
    /// Every order of the household with this product in that period: `terminal-seq (id)`.
    pub orders: Vec<String>,
}

/// `GET /v1/health`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub api: String,
    pub version: String,
}

/// `Authorization: Bearer <token>` — the token printed once by `warm-hub terminal add`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rice(deleted: bool, limit: Option<u32>) -> CatalogChange {
        CatalogChange::Product {
            version: 9,
            id: "rice-5kg".into(),
            deleted,
            row: ProductRow {
                category: "grain_oil".into(),
                name_zh: "大米".into(),
                name_en: "Rice".into(),
                spec_zh: "5公斤/袋".into(),
                spec_en: "5 kg bag".into(),
                unit_zh: "袋".into(),
                unit_en: "bag".into(),
                price_fen: 3280,
                ean13: "6901234567892".into(),
                limit_per_household: limit,
            },
            picture: "51ab".into(),
            position: 0,
        }
    }

    /// The product row is flattened into the change: the JSON is what it was when the change
    /// spelled every field out, to the byte (field order included), and reads back the same.
    #[test]
    fn a_product_change_is_the_same_json_as_before_the_row_type_and_round_trips() {
        let cases = [
            (
                rice(false, Some(2)),
                r#"{"type":"product","version":9,"id":"rice-5kg","deleted":false,"category":"grain_oil","name_zh":"大米","name_en":"Rice","spec_zh":"5公斤/袋","spec_en":"5 kg bag","unit_zh":"袋","unit_en":"bag","price_fen":3280,"ean13":"6901234567892","limit_per_household":2,"picture":"51ab","position":0}"#,
            ),
            (
                rice(true, None),
                r#"{"type":"product","version":9,"id":"rice-5kg","deleted":true,"category":"grain_oil","name_zh":"大米","name_en":"Rice","spec_zh":"5公斤/袋","spec_en":"5 kg bag","unit_zh":"袋","unit_en":"bag","price_fen":3280,"ean13":"6901234567892","limit_per_household":null,"picture":"51ab","position":0}"#,
            ),
        ];
        for (change, json) in cases {
            assert_eq!(serde_json::to_string(&change).unwrap(), json);
            assert_eq!(serde_json::from_str::<CatalogChange>(json).unwrap(), change);
        }
        // As docs/API.md shows it, in a page; a missing limit reads as none, as it always did.
        let page = r#"{ "changes": [
            { "type": "product", "version": 9, "id": "rice-5kg", "deleted": false, "category": "grain_oil",
              "name_zh": "大米", "name_en": "Rice", "spec_zh": "5公斤/袋", "spec_en": "5 kg bag",
              "unit_zh": "袋", "unit_en": "bag", "price_fen": 3280, "ean13": "6901234567892",
              "limit_per_household": 2, "picture": "51ab", "position": 0 } ],
            "next_cursor": 9, "more": false }"#;
        let page: CatalogPage = serde_json::from_str(page).unwrap();
        assert_eq!(page.changes, [rice(false, Some(2))]);
        let without_limit =
            serde_json::to_string(&rice(false, None)).unwrap().replace(r#""limit_per_household":null,"#, "");
        assert_eq!(serde_json::from_str::<CatalogChange>(&without_limit).unwrap(), rice(false, None));
    }
}
