//! The PostgreSQL side of the site manager's loop (issue 11): the same rows as the SQLite store
//! reads, summed and planned by the same functions (`sqlite::manager`), so both engines answer
//! alike. Dispatch notes are numbered under an advisory lock held until commit, as catalog
//! versions are: a kiosk's dispatch cursor never passes a note committed late.

use super::{PgHub, u64_of};
use crate::sqlite::manager::{DayRow, RequestRow, check_date, days_of, parse_requests, plan_of};
use crate::sqlite::time_text;
use crate::store::{HubError, ManagerDay, RestockRow, Terminal, VanPlan};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use std::collections::BTreeMap;
use warm_core::api::manager::{self as wire, DispatchNote, DispatchPage, RestockRequest};

/// Advisory lock key: dispatch note versions are handed out one transaction at a time.
const DISPATCH_LOCK: i64 = 0x5741_524d_0000_0004;

/// Every restock request with its market and, once planned, its delivery day.
async fn requests(client: &impl GenericClient) -> Result<Vec<(RestockRow, RestockRequest)>, HubError> {
    let rows = client
        .query(
            "SELECT e.payload, t.market, e.terminal, e.created_at, p.date
             FROM events e JOIN terminals t ON t.id = e.terminal
             LEFT JOIN planned_requests p ON p.request_id = e.payload::jsonb ->> 'id'
             WHERE e.kind = $1 ORDER BY e.created_at, e.id",
            &[&wire::RESTOCK_REQUESTED],
        )
        .await?;
    let rows: Vec<RequestRow> = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
        .collect::<Result<_, HubError>>()?;
    parse_requests(rows)
}

async fn plan(client: &impl GenericClient, date: &str) -> Result<VanPlan, HubError> {
    let mut routes: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for r in client.query("SELECT market, van, stop FROM van_routes", &[]).await? {
        let stop: i64 = r.try_get(2)?;
        routes.insert(r.try_get(0)?, (r.try_get(1)?, u32::try_from(stop).unwrap_or(u32::MAX)));
    }
    let requests = requests(client).await?;
    let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
    let wanted: Vec<String> = requests.iter().flat_map(|(_, r)| r.lines.iter().map(|l| l.product.clone())).collect();
    for r in client.query("SELECT id, name_zh, name_en FROM products WHERE id = ANY($1)", &[&wanted]).await? {
        names.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    plan_of(date, &routes, requests, |product| names.get(product).cloned())
}

impl PgHub {
    pub(super) async fn restock_requests_async(&self, open_only: bool) -> Result<Vec<RestockRow>, HubError> {
        let client = self.quick.get().await?;
        Ok(requests(&client)
            .await?
            .into_iter()
            .map(|(r, _)| r)
            .filter(|r| !open_only || r.planned_for.is_none())
            .collect())
    }

    pub(super) async fn set_route_async(&self, market: &str, van: &str, stop: u32) -> Result<(), HubError> {
        if van.trim().is_empty() {
            return Err(HubError::Invalid("a van needs a name".into()));
        }
        let client = self.pool.get().await?;
        let known: i64 =
            client.query_one("SELECT count(*) FROM terminals WHERE market = $1", &[&market]).await?.try_get(0)?;
        if known == 0 {
            return Err(HubError::NotFound(format!("market {market:?} (no terminal is registered for it)")));
        }
        client
            .execute(
                "INSERT INTO van_routes (market, van, stop) VALUES ($1, $2, $3)
                 ON CONFLICT (market) DO UPDATE SET van = $2, stop = $3",
                &[&market, &van.trim(), &i64::from(stop)],
            )
            .await?;
        Ok(())
    }

    pub(super) async fn van_plan_async(&self, date: &str) -> Result<VanPlan, HubError> {
        check_date(date)?;
        let client = self.quick.get().await?;
        plan(&client, date).await
    }

    pub(super) async fn confirm_van_plan_async(
        &self,
        date: &str,
        now: Timestamp,
    ) -> Result<Vec<DispatchNote>, HubError> {
        check_date(date)?;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One confirmation at a time across hub processes: the second plans after the first
        // committed, so it finds the requests planned and makes no second note for them.
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DISPATCH_LOCK]).await?;
        let plan = plan(&tx, date).await?;
        let mut notes = Vec::new();
        for stop in plan.stops {
            let version: i64 = tx
                .query_one(
                    "INSERT INTO counters (name, value) VALUES ('dispatch_version', 1)
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                    &[],
                )
                .await?
                .try_get(0)?;
            let id = uuid::Uuid::now_v7();
            let lines = serde_json::to_string(&stop.lines).map_err(|e| HubError::Db(e.to_string()))?;
            tx.execute(
                "INSERT INTO dispatch_notes (id, version, market, date, van, stop, lines, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &id.to_string(),
                    &version,
                    &stop.market,
                    &date,
                    &stop.van,
                    &i64::from(stop.stop),
                    &lines,
                    &time_text(now),
                ],
            )
            .await?;
            for request in &stop.requests {
                tx.execute(
                    "INSERT INTO planned_requests (request_id, note_id, date) VALUES ($1, $2, $3)",
                    &[request, &id.to_string(), &date],
                )
                .await?;
            }
            notes.push(DispatchNote {
                version: u64_of(version),
                id,
                market: stop.market,
                date: date.to_owned(),
                van: stop.van,
                stop: stop.stop,
                lines: stop.lines,
                requests: stop.requests.iter().filter_map(|r| r.parse().ok()).collect(),
            });
        }
        tx.commit().await?;
        Ok(notes)
    }

    pub(super) async fn dispatch_page_async(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<DispatchPage, HubError> {
        let limit = i64::from(limit.clamp(1, warm_core::api::MAX_PAGE));
        let cursor_i = i64::try_from(cursor).map_err(|_| HubError::Invalid("cursor is out of range".into()))?;
        let client = self.quick.get().await?;
        let rows = client
            .query(
                "SELECT n.version, n.id, n.market, n.date, n.van, n.stop, n.lines,
                        coalesce(array_agg(p.request_id ORDER BY p.n) FILTER (WHERE p.request_id IS NOT NULL), '{}')
                 FROM dispatch_notes n LEFT JOIN planned_requests p ON p.note_id = n.id
                 WHERE n.market = $1 AND n.version > $2
                 GROUP BY n.id ORDER BY n.version LIMIT $3",
                &[&terminal.market, &cursor_i, &(limit + 1)],
            )
            .await?;
        let more = rows.len() as i64 > limit;
        let mut notes = Vec::new();
        for r in rows.iter().take(limit as usize) {
            let (id, lines, requests): (String, String, Vec<String>) = (r.try_get(1)?, r.try_get(6)?, r.try_get(7)?);
            let stop: i64 = r.try_get(5)?;
            notes.push(DispatchNote {
                requests: requests
                    .iter()
                    .map(|r| r.parse().map_err(|e| HubError::Db(format!("planned request id {r:?}: {e}"))))
                    .collect::<Result<Vec<uuid::Uuid>, _>>()?,
                version: u64_of(r.try_get(0)?),
                id: id.parse().map_err(|e| HubError::Db(format!("dispatch note id: {e}")))?,
                market: r.try_get(2)?,
                date: r.try_get(3)?,
                van: r.try_get(4)?,
                stop: u32::try_from(stop).unwrap_or(u32::MAX),
                lines: serde_json::from_str(&lines).map_err(|e| HubError::Db(format!("dispatch note lines: {e}")))?,
            });
        }
        let next_cursor = notes.last().map_or(cursor, |n| n.version);
        Ok(DispatchPage { notes, next_cursor, more })
    }

    pub(super) async fn market_days_async(&self, from: Timestamp, to: Timestamp) -> Result<Vec<ManagerDay>, HubError> {
        let mut client = self.quick.get().await?;
        // One snapshot for the three reads, as SQLite's reader has.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let markets: Vec<String> = tx
            .query("SELECT DISTINCT market FROM terminals ORDER BY market", &[])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let rows: Vec<DayRow> = tx
            .query(
                "SELECT t.market, e.kind, e.payload, e.terminal FROM events e JOIN terminals t ON t.id = e.terminal
                 WHERE e.kind IN ('payment.recorded', 'day.closed', 'stock.moved')
                   AND e.created_at >= $1 AND e.created_at < $2
                 ORDER BY e.terminal, e.seq",
                &[&time_text(from), &time_text(to)],
            )
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect::<Result<_, HubError>>()?;
        let open: Vec<RestockRow> =
            requests(&tx).await?.into_iter().map(|(r, _)| r).filter(|r| r.planned_for.is_none()).collect();
        tx.commit().await?;
        days_of(markets, rows, &open)
    }
}
