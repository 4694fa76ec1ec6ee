//! `warm-hub migrate --from-sqlite FILE`: an embedded hub's SQLite file copied into an empty
//! PostgreSQL database in one transaction, committed only if both then hold the same counts,
//! high-water marks and catalog version. Terminals keep their tokens and marks, events their
//! ids and payloads byte for byte, so kiosks go on syncing with no resend and no conflict.

use super::{PgHub, SCHEMA_LOCK, product_params};
use crate::sqlite::SqliteHub;
use crate::store::{Census, HubError, HubStore, PRODUCT_COLUMNS};
use rusqlite::{OpenFlags, Row};
use std::path::Path;
use std::pin::pin;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use warm_core::domain::ProductRow;

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
        for copied in BEFORE_EVENTS {
            copy_table(&conn, &tx, copied).await?;
        }
        copy_events(&conn, &tx).await?;
        for copied in BEFORE_PRODUCTS {
            copy_table(&conn, &tx, copied).await?;
        }
        // New alarms are numbered after the copied ones.
        tx.execute(
            "SELECT setval(pg_get_serial_sequence('alarms', 'id'), max(id)) FROM alarms HAVING count(*) > 0",
            &[],
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
                let mut row = product_params(ProductRow::from_sqlite(r, 0)?);
                row.push(Box::new(r.get::<_, String>(10)?));
                row.push(Box::new(r.get::<_, i64>(11)?));
                row.push(Box::new(r.get::<_, bool>(12)?));
                row.push(Box::new(r.get::<_, i64>(13)?));
                row.push(Box::new(r.get::<_, String>(14)?));
                Ok(row)
            },
        )
        .await?;
        for copied in AFTER_PRODUCTS {
            copy_table(&conn, &tx, copied).await?;
        }
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

/// How a column's value crosses from SQLite to PostgreSQL.
#[derive(Clone, Copy)]
enum Cell {
    Text,
    MaybeText,
    Int,
    MaybeInt,
    Bool,
    Bytes,
}
use Cell::*;

/// A table copied row for row: its columns in order, how each crosses, and the order its rows
/// are read in (empty: any).
struct Copied {
    table: &'static str,
    order_by: &'static str,
    columns: &'static [(&'static str, Cell)],
}

/// Copied before the events.
const BEFORE_EVENTS: &[Copied] = &[
    Copied {
        table: "terminals",
        order_by: "",
        columns: &[
            ("id", Text),
            ("market", Text),
            ("token_hash", Text),
            ("high_seq", Int),
            ("last_push_at", MaybeText),
            ("last_pull_at", MaybeText),
            ("created_at", Text),
            ("revoked_at", MaybeText),
            ("instance", MaybeText),
        ],
    },
    // Operators keep their password hashes and pauses; signed-in sessions carry over.
    Copied {
        table: "operators",
        order_by: "",
        columns: &[
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("failures", Int),
            ("paused_until", MaybeText),
            ("created_at", Text),
        ],
    },
    Copied {
        table: "sessions",
        order_by: "",
        columns: &[("token_hash", Text), ("operator", Text), ("created_at", Text), ("expires_at", Text)],
    },
];

/// Copied after the events, before the products (which go through `ProductRow`).
const BEFORE_PRODUCTS: &[Copied] = &[
    Copied {
        table: "alarms",
        order_by: "",
        columns: &[
            ("id", Int),
            ("at", Text),
            ("last_at", Text),
            ("repeats", Int),
            ("terminal", MaybeText),
            ("kind", Text),
            ("message", Text),
            ("cleared_at", MaybeText),
        ],
    },
    Copied { table: "counters", order_by: "", columns: &[("name", Text), ("value", Int)] },
    Copied {
        table: "market_names",
        order_by: "",
        columns: &[("id", Text), ("name_zh", Text), ("name_en", Text), ("version", Int)],
    },
    Copied {
        table: "categories",
        order_by: "",
        columns: &[
            ("id", Text),
            ("name_zh", Text),
            ("name_en", Text),
            ("picture", Text),
            ("position", Int),
            ("deleted", Bool),
            ("version", Int),
            ("parent", MaybeText),
        ],
    },
];

/// Copied after the products.
const AFTER_PRODUCTS: &[Copied] = &[
    Copied {
        table: "assortment",
        order_by: "",
        columns: &[
            ("market", Text),
            ("product", Text),
            ("listed", Bool),
            ("price_fen", MaybeInt),
            ("limit_per_household", MaybeInt),
            ("version", Int),
            ("limit_period", MaybeText),
            ("position", MaybeInt),
        ],
    },
    // Households (their tombstones too), restock cycles, and what households bought.
    Copied {
        table: "households",
        order_by: "",
        columns: &[
            ("market", Text),
            ("id", Text),
            ("building", Text),
            ("surname", MaybeText),
            ("phone_last4", MaybeText),
            ("deleted", Bool),
            ("version", Int),
        ],
    },
    Copied { table: "daily_lists", order_by: "", columns: &[("market", Text), ("items", Text), ("version", Int)] },
    Copied {
        table: "restock_cycles",
        order_by: "",
        columns: &[("market", Text), ("days", Int), ("from_date", Text), ("version", Int)],
    },
    Copied {
        table: "usage",
        order_by: "",
        columns: &[
            ("order_id", Text),
            ("product", Text),
            ("market", Text),
            ("terminal", Text),
            ("seq", Int),
            ("household", Text),
            ("qty", Int),
            ("at", Text),
            ("version", Int),
            ("checked", Bool),
        ],
    },
    Copied { table: "pictures", order_by: "", columns: &[("hash", Text), ("bytes", Bytes)] },
    // The site manager's van routes and the dispatch notes made, with the requests each
    // answers in the order planned (SQLite's rowid).
    Copied { table: "van_routes", order_by: "", columns: &[("market", Text), ("van", Text), ("stop", Int)] },
    Copied {
        table: "dispatch_notes",
        order_by: "version",
        columns: &[
            ("id", Text),
            ("version", Int),
            ("market", Text),
            ("date", Text),
            ("van", Text),
            ("stop", Int),
            ("lines", Text),
            ("created_at", Text),
        ],
    },
    Copied {
        table: "planned_requests",
        order_by: "rowid",
        columns: &[("request_id", Text), ("note_id", Text), ("date", Text)],
    },
];

/// Every row of a table as `copied` describes it.
async fn copy_table(
    conn: &rusqlite::Connection,
    tx: &deadpool_postgres::Transaction<'_>,
    copied: &Copied,
) -> Result<(), HubError> {
    let names: Vec<&str> = copied.columns.iter().map(|(name, _)| *name).collect();
    let order = if copied.order_by.is_empty() { String::new() } else { format!(" ORDER BY {}", copied.order_by) };
    let select = format!("SELECT {} FROM {}{order}", names.join(", "), copied.table);
    let places: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = format!("INSERT INTO {} ({}) VALUES ({})", copied.table, names.join(", "), places.join(", "));
    copy_rows(conn, tx, &select, &insert, |r| {
        copied
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, cell))| -> rusqlite::Result<Box<dyn ToSql + Sync + Send>> {
                Ok(match cell {
                    Text => Box::new(r.get::<_, String>(i)?),
                    MaybeText => Box::new(r.get::<_, Option<String>>(i)?),
                    Int => Box::new(r.get::<_, i64>(i)?),
                    MaybeInt => Box::new(r.get::<_, Option<i64>>(i)?),
                    Bool => Box::new(r.get::<_, bool>(i)?),
                    Bytes => Box::new(r.get::<_, Vec<u8>>(i)?),
                })
            })
            .collect()
    })
    .await
}

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
