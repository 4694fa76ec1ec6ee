//! `warm-hub migrate --from-sqlite FILE`: an embedded hub's SQLite file copied into an empty
//! PostgreSQL database in one transaction, committed only if both then hold the same counts,
//! high-water marks and catalog version. Terminals keep their tokens and marks, events their
//! ids and payloads byte for byte, so kiosks go on syncing with no resend and no conflict.

use super::{PgHub, SCHEMA_LOCK, product_params};
use crate::sqlite::{SqliteHub, product_row};
use crate::store::{Census, HubError, HubStore, PRODUCT_COLUMNS};
use rusqlite::{OpenFlags, Row};
use std::path::Path;
use std::pin::pin;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

/// The tables a hub fills; migration goes only into a database where all are empty.
const TABLES: [&str; 17] = [
    "terminals",
    "events",
    "alarms",
    "market_names",
    "categories",
    "products",
    "assortment",
    "pictures",
    "operators",
    "sessions",
    "van_routes",
    "dispatch_notes",
    "planned_requests",
    "households",
    "restock_cycles",
    "usage",
    "daily_lists",
];

fn sqlite_err(e: rusqlite::Error) -> HubError {
    HubError::Db(format!("reading the SQLite hub: {e}"))
}

fn uuid_of(text: &str) -> Result<uuid::Uuid, HubError> {
    text.parse().map_err(|_| HubError::Db(format!("event id {text:?} in the SQLite hub is not a UUID")))
}

/// Copies the SQLite hub at `source` into `target`; returns what both now hold.
pub fn migrate(source: &Path, target: &PgHub) -> Result<Census, HubError> {
    if !source.is_file() {
        return Err(HubError::NotFound(format!("no SQLite hub at {}", source.display())));
    }
    // Opening brings an older file's schema up to date (and refuses a newer one), so its rows
    // have the shape read below; it also gives the census to check against.
    let expected = SqliteHub::open(source)?.census()?;
    let conn = rusqlite::Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sqlite_err)?;
    target.wait(async {
        let mut client = target.pool.get().await?;
        let tx = client.transaction().await?;
        // Two migrations at once: the second waits, then finds the database taken.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK]).await?;
        let mut held = 0i64;
        for table in TABLES {
            held += tx.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await?.try_get::<_, i64>(0)?;
        }
        if held > 0 {
            return Err(HubError::Invalid(format!(
                "the PostgreSQL database already holds a hub ({held} rows): migrate only into an empty database"
            )));
        }
        copy_rows(
            &conn,
            &tx,
            "SELECT id, market, token_hash, high_seq, last_push_at, last_pull_at, created_at, revoked_at, instance
             FROM terminals",
            "INSERT INTO terminals (id, market, token_hash, high_seq, last_push_at, last_pull_at, created_at,
                                    revoked_at, instance)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, i64>(3)?),
                    Box::new(r.get::<_, Option<String>>(4)?),
                    Box::new(r.get::<_, Option<String>>(5)?),
                    Box::new(r.get::<_, String>(6)?),
                    Box::new(r.get::<_, Option<String>>(7)?),
                    Box::new(r.get::<_, Option<String>>(8)?),
                ])
            },
        )
        .await?;
        // Operators keep their password hashes and pauses; signed-in sessions carry over.
        copy_rows(
            &conn,
            &tx,
            "SELECT name, role, password_hash, failures, paused_until, created_at FROM operators",
            "INSERT INTO operators (name, role, password_hash, failures, paused_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, i64>(3)?),
                    Box::new(r.get::<_, Option<String>>(4)?),
                    Box::new(r.get::<_, String>(5)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT token_hash, operator, created_at, expires_at FROM sessions",
            "INSERT INTO sessions (token_hash, operator, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, String>(3)?),
                ])
            },
        )
        .await?;
        copy_events(&conn, &tx).await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT id, at, last_at, repeats, terminal, kind, message, cleared_at FROM alarms",
            "INSERT INTO alarms (id, at, last_at, repeats, terminal, kind, message, cleared_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, i64>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, i64>(3)?),
                    Box::new(r.get::<_, Option<String>>(4)?),
                    Box::new(r.get::<_, String>(5)?),
                    Box::new(r.get::<_, String>(6)?),
                    Box::new(r.get::<_, Option<String>>(7)?),
                ])
            },
        )
        .await?;
        // New alarms are numbered after the copied ones.
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('alarms', 'id'), max(id)) FROM alarms HAVING count(*) > 0",
            &[],
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT name, value FROM counters",
            "INSERT INTO counters (name, value) VALUES ($1, $2)",
            |r| Ok(vec![Box::new(r.get::<_, String>(0)?), Box::new(r.get::<_, i64>(1)?)]),
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT id, name_zh, name_en, version FROM market_names",
            "INSERT INTO market_names (id, name_zh, name_en, version) VALUES ($1, $2, $3, $4)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, i64>(3)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT id, name_zh, name_en, picture, position, deleted, version, parent FROM categories",
            "INSERT INTO categories (id, name_zh, name_en, picture, position, deleted, version, parent)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, String>(3)?),
                    Box::new(r.get::<_, i64>(4)?),
                    Box::new(r.get::<_, bool>(5)?),
                    Box::new(r.get::<_, i64>(6)?),
                    Box::new(r.get::<_, Option<String>>(7)?),
                ])
            },
        )
        .await?;
        // Each product through the row both stores read and bind (`ProductRow`).
        copy_rows(
            &conn,
            &tx,
            &format!("SELECT {PRODUCT_COLUMNS}, picture, position, deleted, version, id FROM products"),
            &format!(
                "INSERT INTO products ({PRODUCT_COLUMNS}, picture, position, deleted, version, id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
            ),
            |r| {
                let mut row = product_params(product_row(r, 0)?);
                row.push(Box::new(r.get::<_, String>(10)?));
                row.push(Box::new(r.get::<_, i64>(11)?));
                row.push(Box::new(r.get::<_, bool>(12)?));
                row.push(Box::new(r.get::<_, i64>(13)?));
                row.push(Box::new(r.get::<_, String>(14)?));
                Ok(row)
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT market, product, listed, price_fen, limit_per_household, version, limit_period, position
             FROM assortment",
            "INSERT INTO assortment (market, product, listed, price_fen, limit_per_household, version, limit_period,
                                     position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, bool>(2)?),
                    Box::new(r.get::<_, Option<i64>>(3)?),
                    Box::new(r.get::<_, Option<i64>>(4)?),
                    Box::new(r.get::<_, i64>(5)?),
                    Box::new(r.get::<_, Option<String>>(6)?),
                    Box::new(r.get::<_, Option<i64>>(7)?),
                ])
            },
        )
        .await?;
        // Households (their tombstones too), restock cycles, and what households bought.
        copy_rows(
            &conn,
            &tx,
            "SELECT market, id, building, surname, phone_last4, deleted, version FROM households",
            "INSERT INTO households (market, id, building, surname, phone_last4, deleted, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, Option<String>>(3)?),
                    Box::new(r.get::<_, Option<String>>(4)?),
                    Box::new(r.get::<_, bool>(5)?),
                    Box::new(r.get::<_, i64>(6)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT market, items, version FROM daily_lists",
            "INSERT INTO daily_lists (market, items, version) VALUES ($1, $2, $3)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, i64>(2)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT market, days, from_date, version FROM restock_cycles",
            "INSERT INTO restock_cycles (market, days, from_date, version) VALUES ($1, $2, $3, $4)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, i64>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, i64>(3)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT order_id, product, market, terminal, seq, household, qty, at, version, checked FROM usage",
            "INSERT INTO usage (order_id, product, market, terminal, seq, household, qty, at, version, checked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, String>(3)?),
                    Box::new(r.get::<_, i64>(4)?),
                    Box::new(r.get::<_, String>(5)?),
                    Box::new(r.get::<_, i64>(6)?),
                    Box::new(r.get::<_, String>(7)?),
                    Box::new(r.get::<_, i64>(8)?),
                    Box::new(r.get::<_, bool>(9)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT hash, bytes FROM pictures",
            "INSERT INTO pictures (hash, bytes) VALUES ($1, $2)",
            |r| Ok(vec![Box::new(r.get::<_, String>(0)?), Box::new(r.get::<_, Vec<u8>>(1)?)]),
        )
        .await?;
        // The site manager's van routes and the dispatch notes made, with the requests each
        // answers in the order planned (SQLite's rowid).
        copy_rows(
            &conn,
            &tx,
            "SELECT market, van, stop FROM van_routes",
            "INSERT INTO van_routes (market, van, stop) VALUES ($1, $2, $3)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, i64>(2)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT id, version, market, date, van, stop, lines, created_at FROM dispatch_notes ORDER BY version",
            "INSERT INTO dispatch_notes (id, version, market, date, van, stop, lines, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, i64>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                    Box::new(r.get::<_, String>(3)?),
                    Box::new(r.get::<_, String>(4)?),
                    Box::new(r.get::<_, i64>(5)?),
                    Box::new(r.get::<_, String>(6)?),
                    Box::new(r.get::<_, String>(7)?),
                ])
            },
        )
        .await?;
        copy_rows(
            &conn,
            &tx,
            "SELECT request_id, note_id, date FROM planned_requests ORDER BY rowid",
            "INSERT INTO planned_requests (request_id, note_id, date) VALUES ($1, $2, $3)",
            |r| {
                Ok(vec![
                    Box::new(r.get::<_, String>(0)?),
                    Box::new(r.get::<_, String>(1)?),
                    Box::new(r.get::<_, String>(2)?),
                ])
            },
        )
        .await?;
        let copied = super::census_of(&tx).await?;
        if copied != expected {
            return Err(HubError::Db(format!(
                "the copy does not add up, nothing was kept: the SQLite hub has {expected:?}, the copy {copied:?}"
            )));
        }
        tx.commit().await?;
        Ok(copied)
    })
}

type Values = Vec<Box<dyn ToSql + Sync + Send>>;

/// Every row `select` finds in SQLite, inserted by `insert` (one prepared statement).
async fn copy_rows(
    conn: &rusqlite::Connection,
    tx: &deadpool_postgres::Transaction<'_>,
    select: &str,
    insert: &str,
    values: impl Fn(&Row<'_>) -> rusqlite::Result<Values>,
) -> Result<(), HubError> {
    let insert = tx.prepare(insert).await?;
    let mut stmt = conn.prepare(select).map_err(sqlite_err)?;
    let rows: Vec<Values> =
        stmt.query_map([], |r| values(r)).map_err(sqlite_err)?.collect::<Result<_, _>>().map_err(sqlite_err)?;
    for row in rows {
        let params: Vec<&(dyn ToSql + Sync)> = row.iter().map(|v| v.as_ref() as &(dyn ToSql + Sync)).collect();
        tx.execute(&insert, &params).await?;
    }
    Ok(())
}

/// The events, in seq order per terminal, by COPY: the bulk of any hub.
async fn copy_events(conn: &rusqlite::Connection, tx: &deadpool_postgres::Transaction<'_>) -> Result<(), HubError> {
    let sink = tx
        .copy_in(
            "COPY events (id, terminal, seq, kind, created_at, payload, received_at, amount_fen) FROM STDIN (FORMAT binary)",
        )
        .await?;
    let types = [Type::UUID, Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT, Type::TEXT, Type::TEXT, Type::INT8];
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &types));
    let mut stmt = conn
        .prepare(
            "SELECT id, terminal, seq, kind, created_at, payload, received_at, amount_fen FROM events ORDER BY terminal, seq",
        )
        .map_err(sqlite_err)?;
    let mut rows = stmt.query([]).map_err(sqlite_err)?;
    while let Some(r) = rows.next().map_err(sqlite_err)? {
        let id = uuid_of(&r.get::<_, String>(0).map_err(sqlite_err)?)?;
        let text = |i| r.get::<_, String>(i).map_err(sqlite_err);
        let (terminal, kind, created_at, payload, received_at) = (text(1)?, text(3)?, text(4)?, text(5)?, text(6)?);
        let seq: i64 = r.get(2).map_err(sqlite_err)?;
        let amount: Option<i64> = r.get(7).map_err(sqlite_err)?;
        for (what, t) in [("kind", &kind), ("created_at", &created_at)] {
            super::check_text(&format!("event {id}'s {what}"), t)?;
        }
        writer.as_mut().write(&[&id, &terminal, &seq, &kind, &created_at, &payload, &received_at, &amount]).await?;
    }
    writer.as_mut().finish().await?;
    Ok(())
}
