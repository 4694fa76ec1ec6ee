//! Each market's daily goods list for building leaders (issue 10) in the SQLite hub: one row per
//! market holding the whole list (JSON, in the order set) under a catalog version, so a change
//! reaches the market's kiosks in their catalog pull as one `daily_list` row.

use crate::store::HubError;
use rusqlite::{Connection, OptionalExtension, params};
use warm_core::api::CatalogChange;
use warm_core::domain::DailyItem;

pub(super) const SCHEMA_6: &str = "CREATE TABLE daily_lists (
        market  TEXT PRIMARY KEY,
        items   TEXT NOT NULL,              -- JSON [{product, available?}], in the order set; [] none
        version INTEGER NOT NULL UNIQUE     -- from the catalog's counter: pulled with the catalog
    ) STRICT;";

pub(crate) fn encode(items: &[DailyItem]) -> Result<String, HubError> {
    serde_json::to_string(items).map_err(|e| HubError::Db(format!("a daily list cannot be encoded: {e}")))
}

pub(crate) fn decode(text: &str) -> Result<Vec<DailyItem>, HubError> {
    serde_json::from_str(text).map_err(|e| HubError::Db(format!("a stored daily list cannot be read: {e}")))
}

pub(super) fn read(conn: &Connection, market: &str) -> Result<Vec<DailyItem>, HubError> {
    let items: Option<String> = conn
        .prepare_cached("SELECT items FROM daily_lists WHERE market = ?1")?
        .query_row([market], |r| r.get(0))
        .optional()?;
    items.as_deref().map_or(Ok(Vec::new()), decode)
}

/// Refuses a product the hub does not sell (never listed, or withdrawn), naming it.
pub(super) fn check_products(conn: &Connection, market: &str, items: &[DailyItem]) -> Result<(), HubError> {
    for item in items {
        let known: Option<bool> = conn
            .prepare_cached("SELECT deleted FROM products WHERE id = ?1")?
            .query_row([&item.product], |r| r.get(0))
            .optional()?;
        if known != Some(false) {
            return Err(HubError::Invalid(format!(
                "product {:?} is not in the catalog; nothing of the list was stored",
                item.product
            )));
        }
        let listed: Option<bool> = conn
            .prepare_cached("SELECT listed FROM assortment WHERE market = ?1 AND product = ?2")?
            .query_row([market, &item.product], |r| r.get(0))
            .optional()?;
        if listed == Some(false) {
            return Err(not_sold(market, &item.product));
        }
    }
    Ok(())
}

/// A product the market does not sell (its assortment says so) has no place on its daily list:
/// its kiosks would leave it out, and the leader's paper sheet would not match the screen.
pub(crate) fn not_sold(market: &str, product: &str) -> HubError {
    HubError::Invalid(format!(
        "product {product:?} is not sold at market {market} (withdrawn there with `warm-hub assortment`); nothing of the list was stored"
    ))
}

pub(super) fn write(conn: &Connection, market: &str, items: &[DailyItem], version: i64) -> Result<(), HubError> {
    conn.execute(
        "INSERT INTO daily_lists (market, items, version) VALUES (?1, ?2, ?3)
         ON CONFLICT (market) DO UPDATE SET items = ?2, version = ?3",
        params![market, encode(items)?, version],
    )?;
    Ok(())
}

/// The market's list, if it changed after the cursor.
pub(super) fn changes_after(
    conn: &Connection,
    cursor: i64,
    fetch: i64,
    market: &str,
    changes: &mut Vec<CatalogChange>,
) -> Result<(), HubError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached("SELECT version, items FROM daily_lists WHERE market = ?1 AND version > ?2 LIMIT ?3")?
        .query_row(params![market, cursor, fetch], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((version, items)) = row {
        changes.push(CatalogChange::DailyList { version: version as u64, items: decode(&items)? });
    }
    Ok(())
}
