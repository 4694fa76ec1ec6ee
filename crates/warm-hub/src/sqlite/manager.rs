//! The SQLite side of the site manager's loop: restock requests are read from their events, van
//! routes and dispatch notes are the hub's own tables, and a market's day is summed from its
//! payments, Z reports and stock movements.

use super::{SqliteHub, time_text};
use crate::store::{HubError, ManagerDay, RestockRow, Terminal, VanPlan, VanStop};
use jiff::Timestamp;
use rusqlite::{Connection, TransactionBehavior, params};
use std::collections::BTreeMap;
use warm_core::api::manager::{self as wire, DispatchLine, DispatchNote, DispatchPage, RestockRequest};
use warm_core::domain::day::DayReport;
use warm_core::domain::stock::StockMoved;
use warm_core::process::lock;

/// Migration 3 of the hub's schema.
pub(super) const SCHEMA_3: &str = "
    CREATE INDEX events_by_kind ON events (kind, created_at);
    CREATE TABLE van_routes (
        market TEXT PRIMARY KEY,
        van    TEXT NOT NULL,
        stop   INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE dispatch_notes (
        id         TEXT PRIMARY KEY,        -- UUIDv7
        version    INTEGER NOT NULL UNIQUE, -- the kiosks' cursor
        market     TEXT NOT NULL,
        date       TEXT NOT NULL,
        van        TEXT NOT NULL,
        stop       INTEGER NOT NULL,
        lines      TEXT NOT NULL,           -- JSON [DispatchLine]
        created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX dispatch_by_market ON dispatch_notes (market, version);
    CREATE TABLE planned_requests (
        request_id TEXT PRIMARY KEY,        -- the restock.requested event's request id
        note_id    TEXT NOT NULL REFERENCES dispatch_notes (id),
        date       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX planned_by_note ON planned_requests (note_id);";

fn bad_payload(kind: &str, e: impl std::fmt::Display) -> HubError {
    HubError::Db(format!("a stored {kind} event cannot be read: {e}"))
}

/// Every restock request with its market and, once planned, its delivery day.
fn requests(conn: &Connection) -> Result<Vec<(RestockRow, RestockRequest)>, HubError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.payload, t.market, e.terminal, e.created_at, p.date
         FROM events e JOIN terminals t ON t.id = e.terminal
         LEFT JOIN planned_requests p ON p.request_id = json_extract(e.payload, '$.id')
         WHERE e.kind = ?1 ORDER BY e.created_at, e.id",
    )?;
    let rows = stmt
        .query_map([wire::RESTOCK_REQUESTED], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, Option<String>>(4)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(payload, market, terminal, at, planned_for)| {
            let request: RestockRequest =
                serde_json::from_str(&payload).map_err(|e| bad_payload(wire::RESTOCK_REQUESTED, e))?;
            let row = RestockRow {
                id: request.id.to_string(),
                market,
                terminal,
                at,
                lines: request.lines.iter().map(|l| (l.product.clone(), l.qty)).collect(),
                planned_for,
            };
            Ok((row, request))
        })
        .collect()
}

fn plan(conn: &Connection, date: &str) -> Result<VanPlan, HubError> {
    let routes: BTreeMap<String, (String, u32)> = conn
        .prepare_cached("SELECT market, van, stop FROM van_routes")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    // market -> (product -> qty), and the requests it answers.
    let mut wanted: BTreeMap<String, (BTreeMap<String, i64>, Vec<String>)> = BTreeMap::new();
    for (row, request) in requests(conn)?.into_iter().filter(|(r, _)| r.planned_for.is_none()) {
        let (lines, ids) = wanted.entry(row.market).or_default();
        for l in request.lines {
            let q = lines.entry(l.product).or_default();
            *q = q.checked_add(l.qty).ok_or_else(|| HubError::Invalid("a requested quantity is too large".into()))?;
        }
        ids.push(row.id);
    }
    let mut name = conn.prepare_cached("SELECT name_zh, name_en FROM products WHERE id = ?1")?;
    // Markets without a route ride van V1 after its last routed stop, in name order.
    let mut next_unrouted = routes.values().filter(|(v, _)| v == "V1").map(|(_, s)| *s).max().unwrap_or(0);
    let mut stops = Vec::new();
    for (market, (lines, requests)) in wanted {
        let (van, stop) = match routes.get(&market) {
            Some(route) => route.clone(),
            None => {
                next_unrouted = next_unrouted.saturating_add(1);
                ("V1".to_owned(), next_unrouted)
            }
        };
        let mut out = Vec::new();
        for (product, qty) in lines {
            let (name_zh, name_en) = name
                .query_row([&product], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap_or_else(|_| (product.clone(), product.clone()));
            out.push(DispatchLine { product, name_zh, name_en, qty });
        }
        stops.push(VanStop { van, stop, market, lines: out, requests });
    }
    stops.sort_by(|a, b| (&a.van, a.stop, &a.market).cmp(&(&b.van, b.stop, &b.market)));
    Ok(VanPlan { date: date.to_owned(), stops })
}

fn check_date(date: &str) -> Result<(), HubError> {
    date.parse::<jiff::civil::Date>()
        .map(|_| ())
        .map_err(|e| HubError::Invalid(format!("date {date:?}: {e} (write it as 2022-05-07)")))
}

impl SqliteHub {
    pub(super) fn restock_requests_sqlite(&self, open_only: bool) -> Result<Vec<RestockRow>, HubError> {
        let conn = lock(&self.reader);
        Ok(requests(&conn)?.into_iter().map(|(r, _)| r).filter(|r| !open_only || r.planned_for.is_none()).collect())
    }

    pub(super) fn set_route_sqlite(&self, market: &str, van: &str, stop: u32) -> Result<(), HubError> {
        if van.trim().is_empty() {
            return Err(HubError::Invalid("a van needs a name".into()));
        }
        let conn = self.write();
        let known: i64 = conn.query_row("SELECT count(*) FROM terminals WHERE market = ?1", [market], |r| r.get(0))?;
        if known == 0 {
            return Err(HubError::NotFound(format!("market {market:?} (no terminal is registered for it)")));
        }
        conn.execute(
            "INSERT INTO van_routes (market, van, stop) VALUES (?1, ?2, ?3)
             ON CONFLICT (market) DO UPDATE SET van = ?2, stop = ?3",
            params![market, van.trim(), stop],
        )?;
        Ok(())
    }

    pub(super) fn van_plan_sqlite(&self, date: &str) -> Result<VanPlan, HubError> {
        check_date(date)?;
        plan(&lock(&self.reader), date)
    }

    pub(super) fn confirm_van_plan_sqlite(&self, date: &str, now: Timestamp) -> Result<Vec<DispatchNote>, HubError> {
        check_date(date)?;
        let mut conn = self.write();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let plan = plan(&tx, date)?;
        let mut notes = Vec::new();
        for stop in plan.stops {
            let version: i64 = tx.query_row(
                "INSERT INTO counters (name, value) VALUES ('dispatch_version', 1)
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                [],
                |r| r.get(0),
            )?;
            let id = uuid::Uuid::now_v7();
            let lines = serde_json::to_string(&stop.lines).map_err(|e| HubError::Db(e.to_string()))?;
            tx.execute(
                "INSERT INTO dispatch_notes (id, version, market, date, van, stop, lines, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![id.to_string(), version, stop.market, date, stop.van, stop.stop, lines, time_text(now)],
            )?;
            for request in &stop.requests {
                tx.execute(
                    "INSERT INTO planned_requests (request_id, note_id, date) VALUES (?1, ?2, ?3)",
                    params![request, id.to_string(), date],
                )?;
            }
            notes.push(DispatchNote {
                version: version as u64,
                id,
                market: stop.market,
                date: date.to_owned(),
                van: stop.van,
                stop: stop.stop,
                lines: stop.lines,
                requests: stop.requests.iter().filter_map(|r| r.parse().ok()).collect(),
            });
        }
        tx.commit()?;
        Ok(notes)
    }

    pub(super) fn dispatch_page_sqlite(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<DispatchPage, HubError> {
        let conn = lock(&self.reader);
        let limit = i64::from(limit.clamp(1, warm_core::api::MAX_PAGE));
        let cursor_i = i64::try_from(cursor).map_err(|_| HubError::Invalid("cursor is out of range".into()))?;
        let mut stmt = conn.prepare_cached(
            "SELECT version, id, market, date, van, stop, lines FROM dispatch_notes
             WHERE market = ?1 AND version > ?2 ORDER BY version LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![terminal.market, cursor_i, limit + 1], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = rows.len() as i64 > limit;
        let mut notes = Vec::new();
        let mut answered = conn.prepare_cached("SELECT request_id FROM planned_requests WHERE note_id = ?1")?;
        for (version, id, market, date, van, stop, lines) in rows.into_iter().take(limit as usize) {
            let requests = answered
                .query_map([&id], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?
                .iter()
                .map(|r| r.parse().map_err(|e| HubError::Db(format!("planned request id {r:?}: {e}"))))
                .collect::<Result<Vec<uuid::Uuid>, _>>()?;
            notes.push(DispatchNote {
                requests,
                version: version as u64,
                id: id.parse().map_err(|e| HubError::Db(format!("dispatch note id: {e}")))?,
                market,
                date,
                van,
                stop,
                lines: serde_json::from_str(&lines).map_err(|e| HubError::Db(format!("dispatch note lines: {e}")))?,
            });
        }
        let next_cursor = notes.last().map_or(cursor, |n| n.version);
        Ok(DispatchPage { notes, next_cursor, more })
    }

    pub(super) fn market_days_sqlite(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ManagerDay>, HubError> {
        let conn = lock(&self.reader);
        let (from, to) = (time_text(from), time_text(to));
        let mut days: BTreeMap<String, ManagerDay> = BTreeMap::new();
        let markets: Vec<String> = conn
            .prepare_cached("SELECT DISTINCT market FROM terminals ORDER BY market")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for market in markets {
            let day = ManagerDay {
                market: market.clone(),
                by_method: ["cash", "wechat", "alipay", "on_account"].iter().map(|m| ((*m).to_owned(), 0, 0)).collect(),
                ..ManagerDay::default()
            };
            days.insert(market, day);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT t.market, e.kind, e.payload, e.terminal FROM events e JOIN terminals t ON t.id = e.terminal
             WHERE e.kind IN ('payment.recorded', 'day.closed', 'stock.moved') AND e.created_at >= ?1 AND e.created_at < ?2
             ORDER BY e.terminal, e.seq",
        )?;
        let mut rows = stmt.query([&from, &to])?;
        let mut variances: BTreeMap<(String, String), i64> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            let (market, kind, payload, terminal): (String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let Some(day) = days.get_mut(&market) else { continue };
            match kind.as_str() {
                "payment.recorded" => {
                    let payment: warm_core::domain::Payment =
                        serde_json::from_str(&payload).map_err(|e| bad_payload(&kind, e))?;
                    if let Some(m) = day.by_method.iter_mut().find(|m| m.0 == payment.method.as_str()) {
                        m.1 += 1;
                        m.2 = m.2.saturating_add(payment.amount.0);
                    }
                    day.sales_fen = day.sales_fen.saturating_add(payment.amount.0);
                }
                "day.closed" => {
                    let report: DayReport = serde_json::from_str(&payload).map_err(|e| bad_payload(&kind, e))?;
                    day.closed.push(format!("{terminal} Z{}", report.z_number.unwrap_or(0)));
                    if let Ok(Some(diff)) = report.cash_difference() {
                        day.cash_variance_fen = Some(day.cash_variance_fen.unwrap_or(0).saturating_add(diff.0));
                    }
                }
                _ => {
                    let moved: StockMoved = serde_json::from_str(&payload).map_err(|e| bad_payload(&kind, e))?;
                    use warm_core::domain::stock::MovementKind as K;
                    if matches!(moved.kind, K::Count | K::Spoilage | K::Return | K::Correction) {
                        let v = variances.entry((market, moved.product.0)).or_default();
                        *v = v.saturating_add(moved.delta);
                    }
                }
            }
        }
        for ((market, product), units) in variances {
            if let Some(day) = days.get_mut(&market) {
                day.stock_variances.push((product, units));
            }
        }
        for (row, _) in requests(&conn)?.into_iter().filter(|(r, _)| r.planned_for.is_none()) {
            if let Some(day) = days.get_mut(&row.market) {
                day.open_requests += 1;
            }
        }
        Ok(days.into_values().collect())
    }
}
