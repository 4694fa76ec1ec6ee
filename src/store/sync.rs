//! The terminal's side of sync in the store: reading and trimming the outbox, and keeping the
//! catalog pulled from the hub (each page applied with its cursor in one transaction).

use super::{Result, Store, StoreError, time_from_sql, time_to_sql};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, ToSql, TransactionBehavior, params};
use std::collections::HashSet;
use warm_core::api::{CatalogChange, Event};
use warm_core::domain::{
    Catalog, Category, CategoryId, HouseholdId, LimitPeriod, PRODUCT_COLUMNS, Product, ProductId, ProductRow, Text,
};

impl Store {
    /// The oldest `limit` outbox events, in seq order, as they go on the wire.
    pub fn outbox_head(&self, limit: usize) -> Result<Vec<Event>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT seq, id, kind, payload, created_at FROM outbox ORDER BY seq LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, kind, payload, created_at) = row?;
            out.push(Event {
                id: uuid::Uuid::parse_str(&id).map_err(|e| StoreError::Decode(format!("outbox id {id}: {e}")))?,
                seq: seq as u64,
                kind,
                created_at,
                payload: serde_json::value::RawValue::from_string(payload)
                    .map_err(|e| StoreError::Decode(format!("outbox #{seq} payload: {e}")))?,
            });
        }
        Ok(out)
    }

    /// The next push: up to `limit` outbox events with `seq > after` (the batch before may still
    /// be on its way, so still in the outbox), written straight from their rows as the body
    /// `{"events": [...]}`, byte for byte what [`warm_core::api::encode_push`] makes of
    /// [`Store::outbox_head`]. Each payload is JSON this store wrote with serde in the same
    /// transaction as its change, so it goes out as stored, not parsed again here: the hub
    /// validates every byte it receives, and parsing twice cost the kiosk as much as the hub's
    /// insert. Returns the body and its last seq (`None`: nothing is waiting).
    pub fn outbox_push_body(&self, after: u64, limit: usize) -> Result<(Vec<u8>, Option<u64>)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, kind, payload, created_at FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let mut rows = stmt.query([after as i64, limit as i64])?;
        let mut body = Vec::with_capacity(64 * 1024);
        let json = |body: &mut Vec<u8>, text: &str| {
            serde_json::to_writer(body, text).map_err(|e| StoreError::Other(format!("encoding a push: {e}")))
        };
        body.extend_from_slice(b"{\"events\":[");
        let mut last = None;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let text = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_str()?));
            let payload = text(3)?.trim();
            if payload.is_empty() {
                return Err(StoreError::Decode(format!("outbox #{seq} has an empty payload")));
            }
            if last.is_some() {
                body.push(b',');
            }
            body.extend_from_slice(b"{\"id\":");
            json(&mut body, text(1)?)?;
            body.extend_from_slice(format!(",\"seq\":{seq},\"kind\":").as_bytes());
            json(&mut body, text(2)?)?;
            body.extend_from_slice(b",\"created_at\":");
            json(&mut body, text(4)?)?;
            body.extend_from_slice(b",\"payload\":");
            body.extend_from_slice(payload.as_bytes());
            body.push(b'}');
            last = Some(seq as u64);
        }
        body.extend_from_slice(b"]}");
        Ok((body, last))
    }

    /// Drops outbox rows the hub has acknowledged (`seq <= acked_upto`); returns how many.
    pub fn drop_acked(&self, acked_upto: u64) -> Result<usize> {
        Ok(self.conn.execute("DELETE FROM outbox WHERE seq <= ?1", [acked_upto as i64])?)
    }

    /// The newest event in the outbox (0: none). Cheap (the outbox's key): the sync loop asks it
    /// every second to notice events committed by anyone, even without a wake.
    pub fn outbox_max_seq(&self) -> Result<u64> {
        let seq: Option<i64> = self.conn.query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))?;
        Ok(seq.unwrap_or(0).max(0) as u64)
    }

    /// How many orders wait in the outbox (the other events are payments, prints, stock moves).
    pub fn orders_waiting(&self) -> Result<u64> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM outbox WHERE kind = 'order.placed'", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Sets (`Some`) or removes (`None`) sync state values and adds to counters, in one
    /// transaction, so what a sync pass did is recorded whole or not at all.
    pub fn update_sync_state(&mut self, set: &[(&str, Option<&str>)], add: &[(&str, u64)]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (key, value) in set {
            match value {
                Some(v) => tx.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
                    params![key, v],
                )?,
                None => tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])?,
            };
        }
        for (key, n) in add.iter().filter(|(_, n)| *n > 0) {
            let n = i64::try_from(*n).unwrap_or(i64::MAX);
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ?2",
                params![key, n],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A counter kept by [`Store::update_sync_state`] (0 if never counted).
    pub fn sync_counter(&self, key: &str) -> Result<u64> {
        Ok(self.sync_value(key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub fn sync_value(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_sync_value(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
            params![key, value],
        )?;
        Ok(())
    }

    /// When the last sync round with the hub succeeded.
    pub fn last_sync_ok(&self) -> Result<Option<Timestamp>> {
        self.sync_value("last_ok_at")?.map(|t| time_from_sql(&t)).transpose()
    }

    pub fn set_last_sync_ok(&self, at: Timestamp) -> Result<()> {
        self.set_sync_value("last_ok_at", &time_to_sql(at))
    }

    pub fn catalog_cursor(&self) -> Result<u64> {
        Ok(self.sync_value("catalog_cursor")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Applies one page of catalog changes and moves the cursor, in one transaction.
    pub fn apply_catalog_page(&mut self, changes: &[CatalogChange], next_cursor: u64) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let insert_product = format!(
            "INSERT OR REPLACE INTO synced_products ({PRODUCT_COLUMNS}, id, picture, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        );
        for change in changes {
            match change {
                CatalogChange::Market { name_zh, name_en, .. } => {
                    tx.execute(
                        "INSERT INTO synced_market (id, name_zh, name_en) VALUES ('*', ?1, ?2)
                         ON CONFLICT (id) DO UPDATE SET name_zh = ?1, name_en = ?2",
                        params![name_zh, name_en],
                    )?;
                }
                CatalogChange::Category { id, deleted: true, .. } => {
                    tx.execute("DELETE FROM synced_categories WHERE id = ?1", [id])?;
                }
                CatalogChange::Category { id, name_zh, name_en, picture, position, parent, .. } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO synced_categories (id, name_zh, name_en, picture, position, parent)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![id, name_zh, name_en, picture, position, parent],
                    )?;
                }
                CatalogChange::Product { id, deleted: true, .. } => {
                    tx.execute("DELETE FROM synced_products WHERE id = ?1", [id])?;
                }
                CatalogChange::Product { id, row, picture, position, .. } => {
                    // The row binds ?1 to ?10 (`ProductRow::sqlite_params`).
                    let mut params = row.sqlite_params().to_vec();
                    params.extend([id as &dyn ToSql, picture, position]);
                    tx.execute(&insert_product, params.as_slice())?;
                }
                CatalogChange::Assortment {
                    product,
                    listed,
                    price_fen,
                    limit_per_household,
                    limit_period,
                    position,
                    ..
                } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO synced_assortment (product, listed, price_fen, limit_per_household,
                            limit_period, position)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            product,
                            listed,
                            price_fen,
                            limit_per_household,
                            limit_period.map(LimitPeriod::as_str),
                            position
                        ],
                    )?;
                }
                CatalogChange::Household { id, deleted: true, .. } => {
                    let id = HouseholdId::parse(id).map(|h| h.to_string()).unwrap_or_else(|_| id.clone());
                    tx.execute("DELETE FROM synced_households WHERE id = ?1", [id])?;
                }
                CatalogChange::Household { id, building, surname, phone_last4, .. } => {
                    // An id the kiosk cannot read is skipped (a household nobody could type).
                    if let Ok(id) = HouseholdId::parse(id) {
                        tx.execute(
                            "INSERT OR REPLACE INTO synced_households (id, building, surname, phone_last4)
                             VALUES (?1, ?2, ?3, ?4)",
                            params![id.as_str(), building, surname, phone_last4],
                        )?;
                    }
                }
                CatalogChange::RestockCycle { days, from, .. } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO synced_restock_cycle (id, days, from_date) VALUES ('*', ?1, ?2)",
                        params![days, from],
                    )?;
                }
                CatalogChange::DailyList { items, .. } => {
                    // The whole list each time: the old one goes.
                    tx.execute("DELETE FROM synced_daily_list", [])?;
                    for (position, item) in items.iter().enumerate() {
                        tx.execute(
                            "INSERT OR IGNORE INTO synced_daily_list (position, product, available) VALUES (?1, ?2, ?3)",
                            params![position as i64, item.product, item.available],
                        )?;
                    }
                }
            }
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('catalog_cursor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = ?1",
            [next_cursor.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every picture the synced catalog names (sha256 hex).
    pub fn synced_picture_hashes(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT picture FROM synced_categories UNION SELECT picture FROM synced_products ORDER BY 1")?;
        let hashes = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(hashes)
    }

    /// The catalog as this market sells it, from the last pull; `None` if nothing was ever pulled.
    /// Pictures are named by their sha256 (hex), the file name in the picture cache.
    pub fn synced_catalog(&self) -> Result<Option<Catalog>> {
        let products: i64 = self.conn.query_row("SELECT count(*) FROM synced_products", [], |r| r.get(0))?;
        if products == 0 {
            return Ok(None);
        }
        let name = self
            .conn
            .query_row("SELECT name_zh, name_en FROM synced_market WHERE id = '*'", [], |r| {
                Ok(Text::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?
            .unwrap_or_default();
        let mut stmt = self
            .conn
            .prepare("SELECT id, name_zh, name_en, picture, parent FROM synced_categories ORDER BY position, id")?;
        let categories: Vec<Category> = stmt
            .query_map([], |r| {
                Ok(Category {
                    id: CategoryId(r.get(0)?),
                    name: Text::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    picture: r.get(3)?,
                    parent: r.get::<_, Option<String>>(4)?.map(CategoryId),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let known: HashSet<&str> = categories.iter().map(|c| c.id.0.as_str()).collect();
        // The market's own price and limit, where it set them, in the row's place.
        let mut stmt = self.conn.prepare(
            "SELECT p.category, p.name_zh, p.name_en, p.spec_zh, p.spec_en, p.unit_zh, p.unit_en,
                    coalesce(a.price_fen, p.price_fen), p.ean13, coalesce(a.limit_per_household, p.limit_per_household),
                    p.id, p.picture, CASE WHEN a.limit_per_household IS NOT NULL THEN a.limit_period END
             FROM synced_products p LEFT JOIN synced_assortment a ON a.product = p.id
             WHERE coalesce(a.listed, 1) = 1
             ORDER BY p.position, p.id",
        )?;
        let rows: Vec<Product> = stmt
            .query_map([], |r| {
                let period =
                    r.get::<_, Option<String>>(12)?.as_deref().and_then(LimitPeriod::parse).unwrap_or_default();
                Ok(ProductRow::from_sqlite(r, 0)?.into_product(ProductId(r.get(10)?), r.get(11)?, period))
            })?
            .collect::<rusqlite::Result<_>>()?;
        // A product whose category is gone, or whose barcode repeats, cannot be shown safely.
        let mut codes = HashSet::new();
        let products = rows
            .into_iter()
            .filter(|p| known.contains(p.category.0.as_str()) && codes.insert(p.ean13.clone()))
            .collect();
        // The co-op's own order for this market, where it set one.
        let mut stmt =
            self.conn.prepare("SELECT product, position FROM synced_assortment WHERE position IS NOT NULL")?;
        let pinned = stmt
            .query_map([], |r| Ok((ProductId(r.get(0)?), r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(Catalog::new(name, categories, products).with_pinned(pinned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_body_written_from_the_rows_is_what_encoding_the_events_makes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let (empty, last) = store.outbox_push_body(0, 10).unwrap();
        assert_eq!((empty.as_slice(), last), (&b"{\"events\":[]}"[..], None));
        let payloads = [
            serde_json::json!({"name": {"zh": "\"特价\" 大米\\5kg", "en": "Rice\n"}, "lines": [{"qty": 2}]})
                .to_string(),
            " {\"spaced\": true} ".to_owned(),
            "[1,2.5e3,null]".to_owned(),
        ];
        for (seq, payload) in payloads.iter().enumerate() {
            store
                .connection()
                .execute(
                    "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        seq as i64 + 1,
                        uuid::Uuid::now_v7().to_string(),
                        "odd \"kind\"",
                        payload,
                        "2026-11-29T08:00:00.000Z"
                    ],
                )
                .unwrap();
        }
        let (body, last) = store.outbox_push_body(0, 10).unwrap();
        assert_eq!(last, Some(3));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            String::from_utf8(warm_core::api::encode_push(&store.outbox_head(10).unwrap()).unwrap()).unwrap()
        );
        let (body, last) = store.outbox_push_body(1, 1).unwrap();
        let request: warm_core::api::PushRequest = serde_json::from_slice(&body).unwrap();
        assert_eq!((request.events.len(), request.events[0].seq, last), (1, 2, Some(2)));
        store.connection().execute("UPDATE outbox SET payload = '  ' WHERE seq = 3", []).unwrap();
        assert!(matches!(store.outbox_push_body(2, 10), Err(StoreError::Decode(_))));
    }
}
