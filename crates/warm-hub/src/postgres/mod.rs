//! The hub in PostgreSQL, for a cooperative beyond one machine: several `warm-hub` processes may
//! share one database behind any load balancer. What one process's memory cannot promise, the
//! database does:
//! - a terminal's pushes are serialised by a lock on its `terminals` row (`FOR UPDATE`, held
//!   until commit), so two pushes reaching two processes at once are stored once and in order;
//! - catalog versions are handed out only under a transaction-scoped advisory lock, held until
//!   commit, so versions become visible in the order they were given. A sequence alone would not
//!   do: numbers are taken in one order and committed in another, and a kiosk whose cursor
//!   passed version 51 would never see a version 50 committed a moment later.
//!
//! The trait is blocking (handlers call it on blocking threads, operator commands from `main`);
//! the connections live on the store's own small runtime, so a call works from any thread.

mod daily_list;
pub mod from_sqlite;
mod households;
mod manager;
pub mod scratch;

use super::ingest::{Aborted, Incoming};
use super::sqlite::{sha256_hex, time_text};
use super::store::{
    self, Alarm, CatalogImport, Census, Dashboard, HouseholdImport, HubError, HubStore, ImportSummary, ManagerDay,
    Operator, PRODUCT_COLUMNS, PushOutcome, Recovery, RestockRow, Role, Session, Terminal, TerminalCensus,
    TerminalInfo, TerminalRow, VanPlan, conflict,
};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{IsolationLevel, NoTls, Row};
use warm_core::api::{CatalogChange, CatalogPage, LimitAlarm, PushResponse, RecoveryAnswer, RecoveryEvent, UsagePage};
use warm_core::domain::{DailyItem, Household, HouseholdId, Limit, LimitPeriod, ProductRow, RestockCycle};

/// The schema, one file a version, applied in order; never edit one once shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_security.sql"),
    include_str!("../../migrations/postgres/0003_manager.sql"),
    include_str!("../../migrations/postgres/0004_households.sql"),
    include_str!("../../migrations/postgres/0005_assortment.sql"),
    include_str!("../../migrations/postgres/0006_daily_lists.sql"),
];

/// Connections per hub process: 16 in all (several processes share the server's
/// `max_connections`, PostgreSQL's default is 100). Pushes, imports and operator commands hold
/// theirs for a whole transaction; the short reads (a token, the dashboard, a catalog page, a
/// picture, a high-water mark) have a few of their own, so they never queue behind a burst of
/// pushes, and a push that must look something up while it holds its connection always can.
const POOL_SIZE: usize = 12;
const QUICK_POOL_SIZE: usize = 4;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Advisory lock keys (any 64-bit numbers, the same in every hub process).
const SCHEMA_LOCK: i64 = 0x5741_524d_0000_0001;
pub(crate) const CATALOG_LOCK: i64 = 0x5741_524d_0000_0002;
const ALARM_LOCK: i64 = 0x5741_524d_0000_0003;

pub struct PgHub {
    pool: Pool,
    /// For short reads only (see [`QUICK_POOL_SIZE`]).
    quick: Pool,
    /// Drives the connections. `None` only while the store is dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for PgHub {
    fn drop(&mut self) {
        // A runtime may not be dropped where blocking is not allowed (a hub's state ends inside
        // an async task); this one needs no waiting for: its connections just close.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Wakes the thread that waits in [`PgHub::wait`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// A count, seq or version as read from the database (never negative there).
fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn limit_of(v: Option<i64>) -> Result<Option<u32>, HubError> {
    v.map(|l| u32::try_from(l).map_err(|_| HubError::Db(format!("a stored limit is out of range: {l}")))).transpose()
}

/// Text PostgreSQL cannot hold (it has no NUL character): refused as bad input, not a 500.
fn check_text(what: &str, text: &str) -> Result<(), HubError> {
    if text.contains('\0') {
        return Err(HubError::Invalid(format!("{what} contains a NUL character")));
    }
    Ok(())
}

async fn next_version(tx: &impl GenericClient) -> Result<i64, HubError> {
    let row = tx
        .query_one(
            "INSERT INTO counters (name, value) VALUES ('catalog_version', 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// Starts a catalog change: from here to commit no other hub process hands out versions.
async fn lock_catalog(tx: &impl GenericClient) -> Result<(), HubError> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CATALOG_LOCK]).await?;
    Ok(())
}

impl PgHub {
    /// Connects to `url` (`postgres://USER:PASSWORD@HOST:PORT/DBNAME`) and brings the schema up
    /// to date in one transaction; refuses a database whose schema is newer than this program.
    pub fn open(url: &str) -> Result<PgHub, HubError> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| HubError::Invalid(format!("the database URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("warm-hub");
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hub-postgres")
            .enable_all()
            .build()
            .map_err(|e| HubError::Db(format!("cannot start the database threads: {e}")))?;
        let pool = |size: usize| {
            let manager =
                Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
            Pool::builder(manager).max_size(size).build().map_err(|e| HubError::Db(e.to_string()))
        };
        let hub = PgHub { pool: pool(POOL_SIZE)?, quick: pool(QUICK_POOL_SIZE)?, runtime: Some(runtime) };
        hub.wait(hub.migrate())?;
        Ok(hub)
    }

    /// Runs `work` to its end on the calling thread, whatever thread that is (a handler's
    /// blocking thread, an operator command, a test's async task): the connections are driven
    /// by the store's own runtime, so this neither needs nor disturbs the caller's.
    fn wait<T>(&self, work: impl Future<Output = T>) -> T {
        let _context = self.runtime.as_ref().map(tokio::runtime::Runtime::enter);
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut work = pin!(work);
        loop {
            if let Poll::Ready(out) = work.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    async fn migrate(&self) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Hub processes starting together: one migrates, the others then find it done.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS warm_hub_schema (version INTEGER NOT NULL)").await?;
        let current: i32 =
            tx.query_one("SELECT coalesce(max(version), 0) FROM warm_hub_schema", &[]).await?.try_get(0)?;
        let known = MIGRATIONS.len() as i32;
        if current > known {
            return Err(HubError::Db(format!(
                "the hub database has schema {current}; this program knows {known}: run the newer warm-hub"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql).await?;
            tx.execute("INSERT INTO warm_hub_schema (version) VALUES ($1)", &[&(i as i32 + 1)]).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<i32, HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            Ok(client.query_one("SELECT coalesce(max(version), 0) FROM warm_hub_schema", &[]).await?.try_get(0)?)
        })
    }

    /// One statement, for tests that must put a database in a state no hub would.
    #[doc(hidden)]
    pub fn execute_for_test(&self, sql: &str) -> Result<(), HubError> {
        self.wait(async { Ok(self.pool.get().await?.batch_execute(sql).await?) })
    }

    async fn push_async(
        &self,
        terminal: &Terminal,
        events: &mut dyn Iterator<Item = Result<Incoming, Aborted>>,
        now: Timestamp,
    ) -> Result<PushOutcome, HubError> {
        let mut events = events.peekable();
        // Wait for the first events before taking the terminal's lock: others may push meanwhile.
        if let Some(Err(Aborted)) = events.peek() {
            return Ok(PushOutcome::Aborted);
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The terminal's row lock: this terminal's pushes, in whatever hub process, one at a time.
        let lock = tx.prepare_cached("SELECT high_seq FROM terminals WHERE id = $1 FOR UPDATE").await?;
        let Some(row) = tx.query_opt(&lock, &[&terminal.id]).await? else {
            return Err(HubError::NotFound(format!("terminal {:?}", terminal.id)));
        };
        let start = u64_of(row.try_get(0)?);
        // Events the hub has already (a resend) come first, as seq only grows: compare them all
        // with one query.
        let mut old = Vec::new();
        let mut first_new = None;
        for incoming in events.by_ref() {
            let Ok(incoming) = incoming else { return Ok(PushOutcome::Aborted) };
            if incoming.event.seq <= start {
                old.push(incoming);
            } else {
                first_new = Some(incoming);
                break;
            }
        }
        let mut last_seq = old.last().map(|i| i.event.seq);
        if let Some(detail) = compare_resent(&tx, terminal, &old).await? {
            return Ok(PushOutcome::Conflict { acked_upto: start, detail });
        }
        let duplicates = old.len() as u64;
        let mut high = start;
        // What the new events say households bought, recorded once the COPY is done.
        let mut usages = Vec::new();
        let received = time_text(now);
        if let Some(first) = first_new {
            let copy = tx
                .prepare_cached(
                    "COPY events (id, terminal, seq, kind, created_at, payload, received_at, amount_fen)
                     FROM STDIN (FORMAT binary)",
                )
                .await?;
            let copy = tx.copy_in(&copy).await?;
            let types =
                [Type::UUID, Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8];
            let mut writer = pin!(BinaryCopyInWriter::new(copy, &types));
            let mut new = Vec::new();
            for incoming in std::iter::once(Ok(first)).chain(events) {
                let Ok(Incoming { event: ev, order_total, usage }) = incoming else {
                    return Ok(PushOutcome::Aborted);
                };
                last_seq = Some(ev.seq);
                if ev.seq != high + 1 {
                    return Ok(PushOutcome::Gap { acked_upto: start, first_new: ev.seq });
                }
                check_text("an event's kind", &ev.kind)?;
                check_text("an event's created_at", &ev.created_at)?;
                let seq =
                    i64::try_from(ev.seq).map_err(|_| HubError::Invalid(format!("seq {} is too large", ev.seq)))?;
                let row: [&(dyn ToSql + Sync); 8] =
                    [&ev.id, &terminal.id, &seq, &ev.kind, &ev.created_at, &ev.payload.get(), &received, &order_total];
                let written = writer.as_mut().write(&row).await;
                if let Some(outcome) = unique_violation(&written, &new, terminal, start, &self.quick).await? {
                    return Ok(outcome);
                }
                written?;
                new.push((ev.id, ev.seq));
                usages.extend(usage);
                high = ev.seq;
            }
            let finished = writer.as_mut().finish().await;
            if let Some(outcome) = unique_violation(&finished, &new, terminal, start, &self.quick).await? {
                return Ok(outcome);
            }
            finished?;
        }
        households::record_usage(&tx, terminal, &usages).await?;
        let update = tx.prepare_cached("UPDATE terminals SET high_seq = $2, last_push_at = $3 WHERE id = $1").await?;
        tx.execute(&update, &[&terminal.id, &(high as i64), &received]).await?;
        tx.commit().await?;
        // Acknowledge what this batch proved, not more: events of an old copy beyond the batch
        // must still come and be compared before the terminal may drop them.
        let acked_upto = last_seq.map_or(high, |seq: u64| seq.min(high));
        Ok(PushOutcome::Accepted(PushResponse { acked_upto, stored: high - start, duplicates }))
    }
}

/// The conflict among resent events (seq at or below the high-water mark), if any: each must be
/// stored with the same id, terminal, seq, kind and payload.
async fn compare_resent(
    tx: &deadpool_postgres::Transaction<'_>,
    terminal: &Terminal,
    old: &[Incoming],
) -> Result<Option<String>, HubError> {
    if old.is_empty() {
        return Ok(None);
    }
    let ids: Vec<uuid::Uuid> = old.iter().map(|i| i.event.id).collect();
    let by_ids = tx.prepare_cached("SELECT id, terminal, seq, kind, payload FROM events WHERE id = ANY($1)").await?;
    let mut stored: HashMap<uuid::Uuid, (String, i64, String, String)> = HashMap::with_capacity(old.len());
    for r in tx.query(&by_ids, &[&ids]).await? {
        stored.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
    }
    for Incoming { event: ev, .. } in old {
        let id = ev.id.hyphenated().to_string();
        match stored.get(&ev.id) {
            Some((t, s, k, p))
                if *t == terminal.id && u64_of(*s) == ev.seq && *k == ev.kind && p == ev.payload.get() => {}
            Some((t, s, _, _)) if *t != terminal.id || u64_of(*s) != ev.seq => {
                return Ok(Some(conflict::moved(&id, &terminal.id, ev.seq, t, *s)));
            }
            Some(_) => return Ok(Some(conflict::changed(&id, &terminal.id, ev.seq))),
            None => {
                let other = tx
                    .query_opt(
                        "SELECT id FROM events WHERE terminal = $1 AND seq = $2",
                        &[&terminal.id, &(ev.seq as i64)],
                    )
                    .await?;
                return Ok(Some(match other {
                    Some(row) => {
                        let other: uuid::Uuid = row.try_get(0)?;
                        conflict::other_id(&id, &terminal.id, ev.seq, &other.hyphenated().to_string())
                    }
                    None => conflict::unknown(&id, &terminal.id, ev.seq),
                }));
            }
        }
    }
    Ok(None)
}

/// A new event whose id (or seq) is stored already stops the COPY with a unique violation: the
/// push is a conflict. Says which one, read outside the failed transaction.
async fn unique_violation<T>(
    result: &Result<T, tokio_postgres::Error>,
    new: &[(uuid::Uuid, u64)],
    terminal: &Terminal,
    start: u64,
    pool: &Pool,
) -> Result<Option<PushOutcome>, HubError> {
    let Err(e) = result else { return Ok(None) };
    if e.code() != Some(&SqlState::UNIQUE_VIOLATION) {
        return Ok(None);
    }
    let client = pool.get().await?;
    let ids: Vec<uuid::Uuid> = new.iter().map(|(id, _)| *id).collect();
    let rows = client.query("SELECT id, terminal, seq FROM events WHERE id = ANY($1)", &[&ids]).await?;
    let mut detail = None;
    for (id, seq) in new {
        if let Some(r) = rows.iter().find(|r| r.try_get::<_, uuid::Uuid>(0).is_ok_and(|stored| stored == *id)) {
            let (t, s): (String, i64) = (r.try_get(1)?, r.try_get(2)?);
            detail = Some(conflict::reused(&id.hyphenated().to_string(), &terminal.id, *seq, &t, s));
            break;
        }
    }
    // No id of this batch is stored: the event whose row broke the COPY was still on its way.
    let detail = detail.unwrap_or_else(|| conflict::seq_taken(&terminal.id, new.last().map_or(start + 1, |n| n.1 + 1)));
    Ok(Some(PushOutcome::Conflict { acked_upto: start, detail }))
}

fn catalog_change_product(r: &Row) -> Result<CatalogChange, HubError> {
    Ok(CatalogChange::Product {
        version: u64_of(r.try_get(0)?),
        id: r.try_get(1)?,
        deleted: r.try_get(2)?,
        picture: r.try_get(3)?,
        position: r.try_get(4)?,
        row: product_row(r, 5)?,
    })
}

/// A product's row read from the [`PRODUCT_COLUMNS`], the first of them at column `at`.
fn product_row(r: &Row, at: usize) -> Result<ProductRow, HubError> {
    Ok(ProductRow {
        category: r.try_get(at)?,
        name_zh: r.try_get(at + 1)?,
        name_en: r.try_get(at + 2)?,
        spec_zh: r.try_get(at + 3)?,
        spec_en: r.try_get(at + 4)?,
        unit_zh: r.try_get(at + 5)?,
        unit_en: r.try_get(at + 6)?,
        price_fen: r.try_get(at + 7)?,
        ean13: r.try_get(at + 8)?,
        limit_per_household: limit_of(r.try_get(at + 9)?)?,
    })
}

/// A product's row as values for the [`PRODUCT_COLUMNS`], in their order (the limit a BIGINT).
fn product_params(row: ProductRow) -> Vec<Box<dyn ToSql + Sync + Send>> {
    vec![
        Box::new(row.category),
        Box::new(row.name_zh),
        Box::new(row.name_en),
        Box::new(row.spec_zh),
        Box::new(row.spec_en),
        Box::new(row.unit_zh),
        Box::new(row.unit_en),
        Box::new(row.price_fen),
        Box::new(row.ean13),
        Box::new(row.limit_per_household.map(i64::from)),
    ]
}

impl PgHub {
    async fn assortment_upsert(
        &self,
        market: &str,
        product: &str,
        change: impl FnOnce(&mut (bool, Option<i64>, Option<u32>, Option<String>, Option<i64>)),
    ) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        lock_catalog(&tx).await?;
        if tx.query_opt("SELECT 1 FROM products WHERE id = $1", &[&product]).await?.is_none() {
            return Err(HubError::NotFound(format!("product {product:?}")));
        }
        let mut row = match tx
            .query_opt(
                "SELECT listed, price_fen, limit_per_household, limit_period, position FROM assortment
                 WHERE market = $1 AND product = $2",
                &[&market, &product],
            )
            .await?
        {
            Some(r) => (r.try_get(0)?, r.try_get(1)?, limit_of(r.try_get(2)?)?, r.try_get(3)?, r.try_get(4)?),
            None => (true, None, None, None, None),
        };
        change(&mut row);
        let version = next_version(&tx).await?;
        tx.execute(
            "INSERT INTO assortment (market, product, listed, price_fen, limit_per_household, limit_period, version, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (market, product) DO UPDATE SET listed = $3, price_fen = $4, limit_per_household = $5,
                limit_period = $6, version = $7, position = $8",
            &[&market, &product, &row.0, &row.1, &row.2.map(i64::from), &row.3, &version, &row.4],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn import_async(&self, catalog: &CatalogImport) -> Result<ImportSummary, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        lock_catalog(&tx).await?;
        let mut summary = ImportSummary::default();
        let (mut changed, mut unchanged) = (0u64, 0u64);
        let name = tx.query_opt("SELECT name_zh, name_en FROM market_names WHERE id = '*'", &[]).await?;
        let name: Option<(String, String)> =
            name.map(|r| Ok::<_, HubError>((r.try_get(0)?, r.try_get(1)?))).transpose()?;
        if name.as_ref() != Some(&(catalog.market_name_zh.clone(), catalog.market_name_en.clone())) {
            let v = next_version(&tx).await?;
            tx.execute(
                "INSERT INTO market_names (id, name_zh, name_en, version) VALUES ('*', $1, $2, $3)
                 ON CONFLICT (id) DO UPDATE SET name_zh = $1, name_en = $2, version = $3",
                &[&catalog.market_name_zh, &catalog.market_name_en, &v],
            )
            .await?;
        }
        let store_picture =
            tx.prepare_cached("INSERT INTO pictures (hash, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING").await?;
        for (pos, c) in catalog.categories.iter().enumerate() {
            let picture = sha256_hex(&c.picture);
            summary.pictures += tx.execute(&store_picture, &[&picture, &c.picture]).await?;
            let row = (c.name_zh.clone(), c.name_en.clone(), picture.clone(), pos as i64, false, c.parent.clone());
            let old = tx
                .query_opt(
                    "SELECT name_zh, name_en, picture, position, deleted, parent FROM categories WHERE id = $1",
                    &[&c.id],
                )
                .await?
                .map(|r| {
                    Ok::<_, HubError>((
                        r.try_get(0)?,
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        r.try_get(5)?,
                    ))
                })
                .transpose()?;
            if old.as_ref() == Some(&row) {
                unchanged += 1;
                continue;
            }
            let v = next_version(&tx).await?;
            tx.execute(
                "INSERT INTO categories (id, name_zh, name_en, picture, position, deleted, version, parent)
                 VALUES ($1, $2, $3, $4, $5, false, $6, $7)
                 ON CONFLICT (id) DO UPDATE SET name_zh = $2, name_en = $3, picture = $4, position = $5, deleted = false,
                    version = $6, parent = $7",
                &[&c.id, &c.name_zh, &c.name_en, &picture, &(pos as i64), &v, &c.parent],
            )
            .await?;
            changed += 1;
        }
        let select_product = tx
            .prepare_cached(&format!(
                "SELECT {PRODUCT_COLUMNS}, picture, position, deleted FROM products WHERE id = $1"
            ))
            .await?;
        // The row binds $1 to $10 ([`product_params`]).
        let upsert_product = tx
            .prepare_cached(&format!(
                "INSERT INTO products ({PRODUCT_COLUMNS}, picture, position, deleted, version, id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false, $13, $14)
                 ON CONFLICT (id) DO UPDATE SET ({PRODUCT_COLUMNS}, picture, position, deleted, version)
                    = ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, false, $13)"
            ))
            .await?;
        for (pos, p) in catalog.products.iter().enumerate() {
            let picture = sha256_hex(&p.picture);
            summary.pictures += tx.execute(&store_picture, &[&picture, &p.picture]).await?;
            let row = (p.row.clone(), picture.clone(), pos as i64, false);
            let old = match tx.query_opt(&select_product, &[&p.id]).await? {
                None => None,
                Some(r) => Some((product_row(&r, 0)?, r.try_get(10)?, r.try_get(11)?, r.try_get(12)?)),
            };
            if old.as_ref() == Some(&row) {
                unchanged += 1;
                continue;
            }
            let v = next_version(&tx).await?;
            let mut params = product_params(row.0);
            params.extend([
                Box::new(row.1) as Box<dyn ToSql + Sync + Send>,
                Box::new(row.2),
                Box::new(v),
                Box::new(p.id.clone()),
            ]);
            let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
            tx.execute(&upsert_product, &params).await?;
            changed += 1;
        }
        // Whatever the new catalog no longer has is withdrawn with a tombstone.
        let keep_products: HashSet<&str> = catalog.products.iter().map(|p| p.id.as_str()).collect();
        let keep_categories: HashSet<&str> = catalog.categories.iter().map(|c| c.id.as_str()).collect();
        let mut withdrawn = 0u64;
        for (table, keep) in [("products", &keep_products), ("categories", &keep_categories)] {
            let rows = tx.query(&format!("SELECT id FROM {table} WHERE NOT deleted ORDER BY id"), &[]).await?;
            for row in rows {
                let id: String = row.try_get(0)?;
                if keep.contains(id.as_str()) {
                    continue;
                }
                let v = next_version(&tx).await?;
                tx.execute(&format!("UPDATE {table} SET deleted = true, version = $2 WHERE id = $1"), &[&id, &v])
                    .await?;
                withdrawn += 1;
            }
        }
        tx.commit().await?;
        summary.changed = changed;
        summary.unchanged = unchanged;
        summary.withdrawn = withdrawn;
        Ok(summary)
    }

    async fn catalog_page_async(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<CatalogPage, HubError> {
        let limit = limit.max(1);
        // Each table is asked for one row more than a page, so `more` is known exactly.
        let fetch = i64::from(limit) + 1;
        let after = store::cursor_in_db(cursor)?;
        let mut client = self.quick.get().await?;
        let mut changes = Vec::new();
        {
            // One snapshot for the four tables: a change committed between two of the reads
            // could otherwise be skipped by the cursor.
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let rows = tx
                .query(
                    "SELECT version, name_zh, name_en FROM market_names WHERE id = '*' AND version > $1 ORDER BY version LIMIT $2",
                    &[&after, &fetch],
                )
                .await?;
            for r in rows {
                changes.push(CatalogChange::Market {
                    version: u64_of(r.try_get(0)?),
                    name_zh: r.try_get(1)?,
                    name_en: r.try_get(2)?,
                });
            }
            let rows = tx
                .query(
                    "SELECT version, id, deleted, name_zh, name_en, picture, position, parent FROM categories
                     WHERE version > $1 ORDER BY version LIMIT $2",
                    &[&after, &fetch],
                )
                .await?;
            for r in rows {
                changes.push(CatalogChange::Category {
                    version: u64_of(r.try_get(0)?),
                    id: r.try_get(1)?,
                    deleted: r.try_get(2)?,
                    name_zh: r.try_get(3)?,
                    name_en: r.try_get(4)?,
                    picture: r.try_get(5)?,
                    position: r.try_get(6)?,
                    parent: r.try_get(7)?,
                });
            }
            let rows = tx
                .query(
                    &format!(
                        "SELECT version, id, deleted, picture, position, {PRODUCT_COLUMNS}
                         FROM products WHERE version > $1 ORDER BY version LIMIT $2"
                    ),
                    &[&after, &fetch],
                )
                .await?;
            for r in rows {
                changes.push(catalog_change_product(&r)?);
            }
            let rows = tx
                .query(
                    "SELECT version, product, listed, price_fen, limit_per_household, limit_period, position FROM assortment
                     WHERE market = $3 AND version > $1 ORDER BY version LIMIT $2",
                    &[&after, &fetch, &terminal.market],
                )
                .await?;
            for r in rows {
                let period: Option<String> = r.try_get(5)?;
                changes.push(CatalogChange::Assortment {
                    version: u64_of(r.try_get(0)?),
                    product: r.try_get(1)?,
                    listed: r.try_get(2)?,
                    price_fen: r.try_get(3)?,
                    limit_per_household: limit_of(r.try_get(4)?)?,
                    limit_period: period.as_deref().and_then(LimitPeriod::parse),
                    position: r.try_get(6)?,
                });
            }
            let rows = tx
                .query(
                    "SELECT version, id, deleted, building, surname, phone_last4 FROM households
                     WHERE market = $3 AND version > $1 ORDER BY version LIMIT $2",
                    &[&after, &fetch, &terminal.market],
                )
                .await?;
            for r in rows {
                changes.push(CatalogChange::Household {
                    version: u64_of(r.try_get(0)?),
                    id: r.try_get(1)?,
                    deleted: r.try_get(2)?,
                    building: r.try_get(3)?,
                    surname: r.try_get(4)?,
                    phone_last4: r.try_get(5)?,
                });
            }
            let rows = tx
                .query(
                    "SELECT version, days, from_date FROM restock_cycles
                     WHERE market = $3 AND version > $1 ORDER BY version LIMIT $2",
                    &[&after, &fetch, &terminal.market],
                )
                .await?;
            for r in rows {
                let days: i64 = r.try_get(1)?;
                changes.push(CatalogChange::RestockCycle {
                    version: u64_of(r.try_get(0)?),
                    days: u32::try_from(days)
                        .map_err(|_| HubError::Db(format!("a stored cycle is out of range: {days}")))?,
                    from: r.try_get(2)?,
                });
            }
            daily_list::changes_after(&tx, after, &terminal.market, &mut changes).await?;
            tx.commit().await?;
        }
        // Never waits for a push of this terminal holding its row: that push notes its own time
        // as it commits, and a pull that waited would hold a connection of the short reads.
        client
            .execute(
                "UPDATE terminals SET last_pull_at = $2
                 WHERE id = (SELECT id FROM terminals WHERE id = $1 FOR UPDATE SKIP LOCKED)",
                &[&terminal.id, &time_text(now)],
            )
            .await?;
        Ok(store::catalog_page(changes, cursor, limit as usize))
    }

    async fn dashboard_async(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, HubError> {
        let client = self.quick.get().await?;
        let mut terminals = Vec::new();
        for r in client
            .query(
                "SELECT id, market, high_seq, greatest(coalesce(last_push_at, ''), coalesce(last_pull_at, ''))
                 FROM terminals ORDER BY market, id",
                &[],
            )
            .await?
        {
            let last: String = r.try_get(3)?;
            terminals.push(TerminalRow {
                id: r.try_get(0)?,
                market: r.try_get(1)?,
                acked_upto: u64_of(r.try_get(2)?),
                last_sync: (!last.is_empty()).then_some(last),
            });
        }
        // Orders placed and what they came to, and sales: what was paid (an order amended at the
        // counter counts at what was paid, one never collected not at all). A payment's amount
        // is read only where it is a JSON number, and the sum kept within 64 bits.
        let mut sold = Vec::new();
        for r in client
            .query(
                "SELECT t.market, count(e.amount_fen), coalesce(sum(e.amount_fen), 0)::bigint,
                        least(greatest(coalesce(sum(CASE WHEN e.kind = 'payment.recorded'
                                  AND jsonb_typeof(e.payload::jsonb -> 'amount') = 'number'
                                 THEN (e.payload::jsonb ->> 'amount')::numeric END), 0),
                            -9223372036854775808), 9223372036854775807)::bigint
                 FROM events e JOIN terminals t ON t.id = e.terminal
                 WHERE e.kind IN ('order.placed', 'payment.recorded') AND e.created_at >= $1 AND e.created_at < $2
                 GROUP BY t.market",
                &[&time_text(from), &time_text(to)],
            )
            .await?
        {
            sold.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
        }
        let alarms = alarms_of(&client, true).await?;
        Ok(Dashboard::assemble(terminals, &sold, alarms))
    }

    async fn recover_async(
        &self,
        terminal: &Terminal,
        instance: &str,
        new_instance: &str,
        events: &[RecoveryEvent],
    ) -> Result<Recovery, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The terminal's row lock, as a push takes it: no push of this terminal, in any hub
        // process, runs while its copies are judged.
        let Some(row) =
            tx.query_opt("SELECT high_seq, instance FROM terminals WHERE id = $1 FOR UPDATE", &[&terminal.id]).await?
        else {
            return Err(HubError::NotFound(format!("terminal {:?}", terminal.id)));
        };
        let high = u64_of(row.try_get(0)?);
        let current: Option<String> = row.try_get(1)?;
        let refuse = |reason: String| Ok(Recovery::Refused { acked_upto: high, reason });
        if let Some(current) = current.filter(|c| c != instance && c != new_instance) {
            return refuse(format!(
                "terminal {} was recovered from a backup by another kiosk copy ({current}); this copy ({instance}) may no longer send",
                terminal.id
            ));
        }
        // The first events the hub has exactly so (same id, seq, kind and payload) may be dropped.
        let ids: Vec<uuid::Uuid> = events.iter().map(|e| e.id).collect();
        let mut stored: HashMap<uuid::Uuid, (String, i64, String, String)> = HashMap::new();
        for r in tx.query("SELECT id, terminal, seq, kind, payload FROM events WHERE id = ANY($1)", &[&ids]).await? {
            stored.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?));
        }
        let mut known = 0usize;
        for (i, e) in events.iter().enumerate() {
            match stored.get(&e.id) {
                None => continue,
                Some((t, s, k, p))
                    if i == known
                        && *t == terminal.id
                        && u64_of(*s) == e.seq
                        && *k == e.kind
                        && sha256_hex(p.as_bytes()) == e.payload_sha256 =>
                {
                    known += 1;
                }
                Some((t, s, _, _)) => {
                    return refuse(format!(
                        "event {} (#{}) is stored at the hub as {t}#{s} with other contents: not a backup of this terminal",
                        e.id, e.seq
                    ));
                }
            }
        }
        let unknown = &events[known..];
        let answer = |renumber_from| {
            Ok(Recovery::Answer(RecoveryAnswer { acked_upto: high, known: known as u64, renumber_from }))
        };
        let Some(first) = unknown.first() else { return answer(None) };
        if first.seq > high {
            return refuse(format!("event #{} does not reuse a number the hub holds (#{high} is the last)", first.seq));
        }
        if unknown.windows(2).any(|w| w[1].seq != w[0].seq + 1) {
            return refuse("the events sent are not in consecutive seq order".into());
        }
        // A kiosk back from a backup made its unknown events after everything the hub holds at
        // those numbers (its own events from before the loss); a second live kiosk did not.
        let mut made_first: Option<Timestamp> = None;
        for e in unknown {
            let at = super::validate::created_at(&e.created_at).map_err(HubError::Invalid)?;
            made_first = Some(made_first.map_or(at, |m| m.min(at)));
        }
        let made_first = made_first.unwrap_or(Timestamp::MAX);
        let from =
            i64::try_from(first.seq).map_err(|_| HubError::Invalid(format!("seq {} is too large", first.seq)))?;
        for r in tx
            .query(
                "SELECT seq, created_at FROM events WHERE terminal = $1 AND seq >= $2 ORDER BY seq",
                &[&terminal.id, &from],
            )
            .await?
        {
            let (seq, at): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
            if at.parse::<Timestamp>().map_or(true, |at| at >= made_first) {
                return refuse(format!(
                    "the hub holds {}#{seq} made at {at}, not before this kiosk's unsent event #{} ({}): two kiosks are using terminal {} at once",
                    terminal.id, first.seq, first.created_at, terminal.id
                ));
            }
        }
        tx.execute("UPDATE terminals SET instance = $2 WHERE id = $1", &[&terminal.id, &new_instance]).await?;
        tx.commit().await?;
        answer(Some(high + 1))
    }
}

/// Alarms as `client` sees them, the open ones only or all, oldest first.
async fn alarms_of(client: &impl GenericClient, open_only: bool) -> Result<Vec<Alarm>, HubError> {
    let sql = if open_only {
        "SELECT id, at, terminal, kind, message, repeats, last_at, cleared_at FROM alarms WHERE cleared_at IS NULL ORDER BY id"
    } else {
        "SELECT id, at, terminal, kind, message, repeats, last_at, cleared_at FROM alarms ORDER BY id"
    };
    let mut alarms = Vec::new();
    for r in client.query(sql, &[]).await? {
        alarms.push(Alarm {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            terminal: r.try_get(2)?,
            kind: r.try_get(3)?,
            message: r.try_get(4)?,
            repeats: u64_of(r.try_get(5)?),
            last_at: r.try_get(6)?,
            cleared_at: r.try_get(7)?,
        });
    }
    Ok(alarms)
}

fn role_of(name: &str, role: &str) -> Result<Role, HubError> {
    Role::parse(role).ok_or_else(|| HubError::Db(format!("operator {name:?}: unknown role {role:?}")))
}

fn time_of(what: &str, text: &str) -> Result<Timestamp, HubError> {
    text.parse().map_err(|e| HubError::Db(format!("{what} {text:?}: {e}")))
}

fn operator_of(r: &Row) -> Result<Operator, HubError> {
    let name: String = r.try_get(0)?;
    let role: String = r.try_get(1)?;
    let failures: i64 = r.try_get(3)?;
    let paused: Option<String> = r.try_get(4)?;
    Ok(Operator {
        role: role_of(&name, &role)?,
        password_hash: r.try_get(2)?,
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        paused_until: paused.map(|t| time_of(&format!("operator {name:?}: pause"), &t)).transpose()?,
        name,
    })
}

/// What `client` sees of the hub (see [`Census`]); inside a transaction, what it would commit.
pub(crate) async fn census_of(client: &impl GenericClient) -> Result<Census, HubError> {
    let count = |table: &'static str| async move {
        let n: i64 = client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await?.try_get(0)?;
        Ok::<_, HubError>(u64_of(n))
    };
    let mut census = Census {
        events: count("events").await?,
        alarms: count("alarms").await?,
        market_names: count("market_names").await?,
        categories: count("categories").await?,
        products: count("products").await?,
        assortment: count("assortment").await?,
        pictures: count("pictures").await?,
        operators: count("operators").await?,
        sessions: count("sessions").await?,
        van_routes: count("van_routes").await?,
        dispatch_notes: count("dispatch_notes").await?,
        planned_requests: count("planned_requests").await?,
        households: count("households").await?,
        restock_cycles: count("restock_cycles").await?,
        daily_lists: count("daily_lists").await?,
        usage: count("usage").await?,
        ..Census::default()
    };
    let counter = |name: &'static str| async move {
        Ok::<_, HubError>(match client.query_opt("SELECT value FROM counters WHERE name = $1", &[&name]).await? {
            Some(r) => u64_of(r.try_get(0)?),
            None => 0,
        })
    };
    census.catalog_version = counter("catalog_version").await?;
    census.dispatch_version = counter("dispatch_version").await?;
    census.usage_version = counter("usage_version").await?;
    for r in client
        .query(
            "SELECT t.id, t.market, t.high_seq, count(e.id), count(DISTINCT e.id), coalesce(max(e.seq), 0),
                    coalesce(sum(e.amount_fen), 0)::bigint, t.revoked_at, t.instance
             FROM terminals t LEFT JOIN events e ON e.terminal = t.id GROUP BY t.id ORDER BY t.id",
            &[],
        )
        .await?
    {
        census.terminals.push(TerminalCensus {
            id: r.try_get(0)?,
            market: r.try_get(1)?,
            high_seq: u64_of(r.try_get(2)?),
            events: u64_of(r.try_get(3)?),
            distinct_ids: u64_of(r.try_get(4)?),
            max_seq: u64_of(r.try_get(5)?),
            amount_fen: r.try_get(6)?,
            revoked_at: r.try_get(7)?,
            instance: r.try_get(8)?,
        });
    }
    Ok(census)
}

impl HubStore for PgHub {
    fn terminal_by_token(&self, token_hash: &str) -> Result<Option<Terminal>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let stmt = client
                .prepare_cached(
                    "SELECT id, market, instance FROM terminals WHERE token_hash = $1 AND revoked_at IS NULL",
                )
                .await?;
            match client.query_opt(&stmt, &[&token_hash]).await? {
                Some(r) => Ok(Some(Terminal { id: r.try_get(0)?, market: r.try_get(1)?, instance: r.try_get(2)? })),
                None => Ok(None),
            }
        })
    }

    fn push(
        &self,
        terminal: &Terminal,
        events: &mut dyn Iterator<Item = Result<Incoming, Aborted>>,
        now: Timestamp,
    ) -> Result<PushOutcome, HubError> {
        self.wait(self.push_async(terminal, events, now))
    }

    fn raise_alarm(&self, terminal: Option<&str>, kind: &str, message: &str, now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            // Two hub processes raising the same alarm at once count it once, with two repeats.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&ALARM_LOCK]).await?;
            let at = time_text(now);
            // The same open alarm again (a terminal retrying) is counted, not listed twice.
            let again = tx
                .execute(
                    "UPDATE alarms SET repeats = repeats + 1, last_at = $1
                     WHERE cleared_at IS NULL AND terminal IS NOT DISTINCT FROM $2 AND kind = $3 AND message = $4",
                    &[&at, &terminal, &kind, &message],
                )
                .await?;
            if again == 0 {
                tx.execute(
                    "INSERT INTO alarms (at, last_at, terminal, kind, message) VALUES ($1, $1, $2, $3, $4)",
                    &[&at, &terminal, &kind, &message],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn clear_alarm(&self, id: i64, now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client
                .execute(
                    "UPDATE alarms SET cleared_at = $2 WHERE id = $1 AND cleared_at IS NULL",
                    &[&id, &time_text(now)],
                )
                .await?;
            if n == 0 { Err(HubError::NotFound(format!("open alarm {id}"))) } else { Ok(()) }
        })
    }

    fn catalog_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
        now: Timestamp,
    ) -> Result<CatalogPage, HubError> {
        self.wait(self.catalog_page_async(terminal, cursor, limit, now))
    }

    fn picture(&self, hash: &str) -> Result<Option<Vec<u8>>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            match client.query_opt("SELECT bytes FROM pictures WHERE hash = $1", &[&hash]).await? {
                Some(r) => Ok(Some(r.try_get(0)?)),
                None => Ok(None),
            }
        })
    }

    fn dashboard(&self, from: Timestamp, to: Timestamp) -> Result<Dashboard, HubError> {
        self.wait(self.dashboard_async(from, to))
    }

    fn add_terminal(&self, id: &str, market: &str, token_hash: &str, now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client
                .execute(
                    "INSERT INTO terminals (id, market, token_hash, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (id) DO NOTHING",
                    &[&id, &market, &token_hash, &time_text(now)],
                )
                .await?;
            if n == 0 { Err(HubError::Invalid(format!("terminal {id:?} is already registered"))) } else { Ok(()) }
        })
    }

    fn import_catalog(&self, catalog: &CatalogImport) -> Result<ImportSummary, HubError> {
        self.wait(self.import_async(catalog))
    }

    fn set_price(&self, market: &str, product: &str, price_fen: Option<i64>) -> Result<(), HubError> {
        if price_fen.is_some_and(|p| p < 0) {
            return Err(HubError::Invalid("a price cannot be negative".into()));
        }
        self.wait(self.assortment_upsert(market, product, |row| row.1 = price_fen))
    }

    fn set_household_limit(&self, market: &str, product: &str, limit: Option<Limit>) -> Result<(), HubError> {
        self.wait(self.assortment_upsert(market, product, |row| {
            row.2 = limit.map(|l| l.per_household);
            row.3 = limit.map(|l| l.period.as_str().to_owned());
        }))
    }

    fn restock_cycle(&self, market: &str) -> Result<Option<RestockCycle>, HubError> {
        self.wait(self.restock_cycle_async(market))
    }

    fn set_restock_cycle(&self, market: &str, cycle: Option<RestockCycle>) -> Result<(), HubError> {
        self.wait(self.set_restock_cycle_async(market, cycle))
    }

    fn daily_list(&self, market: &str) -> Result<Vec<DailyItem>, HubError> {
        self.wait(self.daily_list_async(market))
    }

    fn set_daily_list(&self, market: &str, items: &[DailyItem]) -> Result<(), HubError> {
        self.wait(self.set_daily_list_async(market, items))
    }

    fn import_households(&self, market: &str, households: &[Household]) -> Result<HouseholdImport, HubError> {
        self.wait(self.import_households_async(market, households))
    }

    fn remove_household(&self, market: &str, id: &HouseholdId) -> Result<(), HubError> {
        self.wait(self.remove_household_async(market, id))
    }

    fn households(&self, market: &str) -> Result<Vec<Household>, HubError> {
        self.wait(self.households_async(market))
    }

    fn usage_page(&self, terminal: &Terminal, cursor: u64, limit: u32) -> Result<UsagePage, HubError> {
        self.wait(self.usage_page_async(terminal, cursor, limit))
    }

    fn check_limits(&self, tz: &jiff::tz::TimeZone, now: Timestamp) -> Result<Vec<LimitAlarm>, HubError> {
        self.wait(self.check_limits_async(tz, now))
    }

    fn set_listed(&self, market: &str, product: &str, listed: bool) -> Result<(), HubError> {
        self.wait(self.assortment_upsert(market, product, |row| row.0 = listed))
    }

    fn set_position(&self, market: &str, product: &str, position: Option<i64>) -> Result<(), HubError> {
        self.wait(self.assortment_upsert(market, product, |row| row.4 = position))
    }

    fn high_seq(&self, terminal: &str) -> Result<u64, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let stmt = client.prepare_cached("SELECT high_seq FROM terminals WHERE id = $1").await?;
            match client.query_opt(&stmt, &[&terminal]).await? {
                Some(r) => Ok(u64_of(r.try_get(0)?)),
                None => Err(HubError::NotFound(format!("terminal {terminal:?}"))),
            }
        })
    }

    fn event_count(&self, terminal: Option<&str>) -> Result<u64, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let row = match terminal {
                Some(t) => client.query_one("SELECT count(*) FROM events WHERE terminal = $1", &[&t]).await?,
                None => client.query_one("SELECT count(*) FROM events", &[]).await?,
            };
            Ok(u64_of(row.try_get(0)?))
        })
    }

    fn census(&self) -> Result<Census, HubError> {
        self.wait(async { census_of(&self.quick.get().await?).await })
    }

    fn restock_requests(&self, open_only: bool) -> Result<Vec<RestockRow>, HubError> {
        self.wait(self.restock_requests_async(open_only))
    }

    fn set_route(&self, market: &str, van: &str, stop: u32) -> Result<(), HubError> {
        self.wait(self.set_route_async(market, van, stop))
    }

    fn van_plan(&self, date: &str) -> Result<VanPlan, HubError> {
        self.wait(self.van_plan_async(date))
    }

    fn confirm_van_plan(
        &self,
        date: &str,
        now: Timestamp,
    ) -> Result<Vec<warm_core::api::manager::DispatchNote>, HubError> {
        self.wait(self.confirm_van_plan_async(date, now))
    }

    fn dispatch_page(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<warm_core::api::manager::DispatchPage, HubError> {
        self.wait(self.dispatch_page_async(terminal, cursor, limit))
    }

    fn market_days(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ManagerDay>, HubError> {
        self.wait(self.market_days_async(from, to))
    }

    fn terminals(&self) -> Result<Vec<TerminalInfo>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let mut terminals = Vec::new();
            for r in client
                .query(
                    "SELECT id, market, high_seq,
                            nullif(greatest(coalesce(last_push_at, ''), coalesce(last_pull_at, '')), ''),
                            created_at, revoked_at
                     FROM terminals ORDER BY market, id",
                    &[],
                )
                .await?
            {
                terminals.push(TerminalInfo {
                    id: r.try_get(0)?,
                    market: r.try_get(1)?,
                    acked_upto: u64_of(r.try_get(2)?),
                    last_sync: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                });
            }
            Ok(terminals)
        })
    }

    fn revoke_terminal(&self, id: &str, now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client
                .execute(
                    "UPDATE terminals SET token_hash = 'revoked:' || id, revoked_at = $2 WHERE id = $1",
                    &[&id, &time_text(now)],
                )
                .await?;
            if n == 0 { Err(HubError::NotFound(format!("terminal {id:?}"))) } else { Ok(()) }
        })
    }

    fn rotate_terminal(&self, id: &str, token_hash: &str, _now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client
                .execute("UPDATE terminals SET token_hash = $2, revoked_at = NULL WHERE id = $1", &[&id, &token_hash])
                .await?;
            if n == 0 { Err(HubError::NotFound(format!("terminal {id:?}"))) } else { Ok(()) }
        })
    }

    fn markets(&self) -> Result<Vec<String>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let rows = client.query("SELECT DISTINCT market FROM terminals ORDER BY market", &[]).await?;
            rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
        })
    }

    fn alarms(&self, open_only: bool) -> Result<Vec<Alarm>, HubError> {
        self.wait(async { alarms_of(&self.quick.get().await?, open_only).await })
    }

    fn recover(
        &self,
        terminal: &Terminal,
        instance: &str,
        new_instance: &str,
        events: &[RecoveryEvent],
    ) -> Result<Recovery, HubError> {
        self.wait(self.recover_async(terminal, instance, new_instance, events))
    }

    fn add_operator(&self, name: &str, role: Role, password_hash: &str, now: Timestamp) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client
                .execute(
                    "INSERT INTO operators (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (name) DO NOTHING",
                    &[&name, &role.as_str(), &password_hash, &time_text(now)],
                )
                .await?;
            if n == 0 { Err(HubError::Invalid(format!("operator {name:?} exists already"))) } else { Ok(()) }
        })
    }

    fn set_operator_password(&self, name: &str, password_hash: &str) -> Result<(), HubError> {
        self.wait(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let n = tx
                .execute(
                    "UPDATE operators SET password_hash = $2, failures = 0, paused_until = NULL WHERE name = $1",
                    &[&name, &password_hash],
                )
                .await?;
            if n == 0 {
                return Err(HubError::NotFound(format!("operator {name:?}")));
            }
            tx.execute("DELETE FROM sessions WHERE operator = $1", &[&name]).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn remove_operator(&self, name: &str) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            let n = client.execute("DELETE FROM operators WHERE name = $1", &[&name]).await?;
            if n == 0 { Err(HubError::NotFound(format!("operator {name:?}"))) } else { Ok(()) }
        })
    }

    fn operator(&self, name: &str) -> Result<Option<Operator>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let row = client
                .query_opt(
                    "SELECT name, role, password_hash, failures, paused_until FROM operators WHERE name = $1",
                    &[&name],
                )
                .await?;
            row.as_ref().map(operator_of).transpose()
        })
    }

    fn operators(&self) -> Result<Vec<Operator>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let rows = client
                .query("SELECT name, role, password_hash, failures, paused_until FROM operators ORDER BY name", &[])
                .await?;
            rows.iter().map(operator_of).collect()
        })
    }

    fn set_login_state(&self, name: &str, failures: u32, paused_until: Option<Timestamp>) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            client
                .execute(
                    "UPDATE operators SET failures = $2, paused_until = $3 WHERE name = $1",
                    &[&name, &i64::from(failures), &paused_until.map(time_text)],
                )
                .await?;
            Ok(())
        })
    }

    fn add_session(
        &self,
        token_hash: &str,
        operator: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), HubError> {
        self.wait(async {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&time_text(now)]).await?;
            tx.execute(
                "INSERT INTO sessions (token_hash, operator, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&token_hash, &operator, &time_text(now), &time_text(expires_at)],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>, HubError> {
        self.wait(async {
            let client = self.quick.get().await?;
            let row = client
                .query_opt(
                    "SELECT s.operator, o.role, s.expires_at FROM sessions s JOIN operators o ON o.name = s.operator
                     WHERE s.token_hash = $1 AND s.expires_at > $2",
                    &[&token_hash, &time_text(now)],
                )
                .await?;
            let Some(r) = row else { return Ok(None) };
            let (operator, role, expires): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            Ok(Some(Session {
                role: role_of(&operator, &role)?,
                expires_at: time_of("session expiry", &expires)?,
                operator,
            }))
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<(), HubError> {
        self.wait(async {
            let client = self.pool.get().await?;
            client.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).await?;
            Ok(())
        })
    }
}
