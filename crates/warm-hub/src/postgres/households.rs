//! The PostgreSQL side of households and purchase limits (issue 10): households and restock
//! cycles are catalog rows (versions under the catalog lock); what households bought is recorded
//! in the push's transaction and served by its own cursor. Usage versions are handed out under an
//! advisory lock held until commit, as catalog versions are, so a kiosk's usage cursor never
//! passes a row committed late; only pushes that carry a household's order take it.

use super::{CATALOG_LOCK, PgHub, next_version, u64_of};
use crate::ingest::OrderUsage;
use crate::sqlite::{household_order, limit_alarm_message, time_text};
use crate::store::{HouseholdImport, HubError, Terminal};
use deadpool_postgres::GenericClient;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use warm_core::api::{LimitAlarm, UsageEntry, UsagePage};
use warm_core::domain::household::{Purchase, breach, period_window};
use warm_core::domain::{Household, HouseholdId, Limit, LimitPeriod, RestockCycle};

/// Advisory lock keys: usage versions, and one limit check at a time across hub processes.
const USAGE_LOCK: i64 = 0x5741_524d_0000_0005;
const LIMITS_LOCK: i64 = 0x5741_524d_0000_0006;

async fn next_usage_version(tx: &impl GenericClient) -> Result<i64, HubError> {
    let row = tx
        .query_one(
            "INSERT INTO counters (name, value) VALUES ('usage_version', 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[],
        )
        .await?;
    Ok(row.try_get(0)?)
}

fn qty_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Records what the push's new events say households bought, in the push's transaction, in
/// their order: a placed order's lines as new usage rows, an amendment's quantities on the rows
/// of its order (the order's household and time stay those of the order).
pub(super) async fn record_usage(
    tx: &impl GenericClient,
    terminal: &Terminal,
    usages: &[OrderUsage],
) -> Result<(), HubError> {
    if usages.is_empty() {
        return Ok(());
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&USAGE_LOCK]).await?;
    let upsert = "INSERT INTO usage (order_id, product, market, terminal, seq, household, qty, at, version)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    for usage in usages {
        match usage {
            OrderUsage::Placed { order_id, household, seq, created_at, lines } => {
                let order = order_id.to_string();
                // One text form for every instant, so periods compare as text.
                let created_at = created_at.parse::<Timestamp>().map_or_else(|_| created_at.clone(), time_text);
                let seq = i64::try_from(*seq).unwrap_or(i64::MAX);
                for (product, qty) in lines {
                    let version = next_usage_version(tx).await?;
                    tx.execute(
                        &format!("{upsert} ON CONFLICT (order_id, product) DO NOTHING"),
                        &[
                            &order,
                            product,
                            &terminal.market,
                            &terminal.id,
                            &seq,
                            household,
                            &i64::from(*qty),
                            &created_at,
                            &version,
                        ],
                    )
                    .await?;
                }
            }
            OrderUsage::Amended { order_id, lines } => {
                let order = order_id.to_string();
                let rows = tx
                    .query(
                        "SELECT product, market, terminal, seq, household, at, qty FROM usage WHERE order_id = $1",
                        &[&order],
                    )
                    .await?;
                let mut stored = Vec::with_capacity(rows.len());
                for r in &rows {
                    let (product, qty): (String, i64) = (r.try_get(0)?, r.try_get(6)?);
                    stored.push((product, qty_of(qty)));
                }
                let Some(first) = rows.first() else { return Ok(()) };
                let (market, placed_at, seq, household, at): (String, String, i64, String, String) =
                    (first.try_get(1)?, first.try_get(2)?, first.try_get(3)?, first.try_get(4)?, first.try_get(5)?);
                let mut products: Vec<(&str, u32)> = stored.iter().map(|r| (r.0.as_str(), 0)).collect();
                for (product, qty) in lines {
                    match products.iter_mut().find(|(p, _)| p == product) {
                        Some((_, q)) => *q = *qty,
                        None => products.push((product, *qty)),
                    }
                }
                for (product, qty) in products {
                    let before = stored.iter().find(|r| r.0 == product).map(|r| r.1);
                    if before == Some(qty) {
                        continue;
                    }
                    let version = next_usage_version(tx).await?;
                    tx.execute(
                        &format!("{upsert} ON CONFLICT (order_id, product) DO UPDATE SET qty = $7, version = $9, checked = false"),
                        &[&order, &product, &market, &placed_at, &seq, &household, &i64::from(qty), &at, &version],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The limit a market's kiosks apply to a product: the market's own, else the cooperative's
/// (per day); `None` if neither.
async fn limit_of(client: &impl GenericClient, market: &str, product: &str) -> Result<Option<Limit>, HubError> {
    let row = client
        .query_opt(
            "SELECT a.limit_per_household, a.limit_period, p.limit_per_household
             FROM products p LEFT JOIN assortment a ON a.product = p.id AND a.market = $1 WHERE p.id = $2",
            &[&market, &product],
        )
        .await?;
    let Some(r) = row else { return Ok(None) };
    let (market_limit, period, coop): (Option<i64>, Option<String>, Option<i64>) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    Ok(match (market_limit, coop) {
        (Some(n), _) => Some(Limit {
            per_household: qty_of(n),
            period: period.as_deref().and_then(LimitPeriod::parse).unwrap_or_default(),
        }),
        (None, Some(n)) => Some(Limit { per_household: qty_of(n), period: LimitPeriod::Day }),
        _ => None,
    })
}

async fn restock_cycle_of(client: &impl GenericClient, market: &str) -> Result<Option<RestockCycle>, HubError> {
    let row = client.query_opt("SELECT days, from_date FROM restock_cycles WHERE market = $1", &[&market]).await?;
    let Some(r) = row else { return Ok(None) };
    let (days, from): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
    Ok(Some(days).filter(|d| *d > 0).and_then(|d| Some(RestockCycle { days: qty_of(d), from: from.parse().ok()? })))
}

impl PgHub {
    pub(super) async fn restock_cycle_async(&self, market: &str) -> Result<Option<RestockCycle>, HubError> {
        restock_cycle_of(&self.quick.get().await?, market).await
    }

    pub(super) async fn set_restock_cycle_async(
        &self,
        market: &str,
        cycle: Option<RestockCycle>,
    ) -> Result<(), HubError> {
        if cycle.is_some_and(|c| c.days == 0 || c.days > 366) {
            return Err(HubError::Invalid("a restock cycle is 1 to 366 days".into()));
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CATALOG_LOCK]).await?;
        let version = next_version(&tx).await?;
        let (days, from) = cycle.map_or((0, String::new()), |c| (i64::from(c.days), c.from.to_string()));
        tx.execute(
            "INSERT INTO restock_cycles (market, days, from_date, version) VALUES ($1, $2, $3, $4)
             ON CONFLICT (market) DO UPDATE SET days = $2, from_date = $3, version = $4",
            &[&market, &days, &from, &version],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn import_households_async(
        &self,
        market: &str,
        households: &[Household],
    ) -> Result<HouseholdImport, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CATALOG_LOCK]).await?;
        let mut summary = HouseholdImport::default();
        for h in households {
            for (what, text) in [("a household's building", Some(&h.building)), ("a surname", h.surname.as_ref())] {
                if let Some(text) = text {
                    super::check_text(what, text)?;
                }
            }
            let old = tx
                .query_opt(
                    "SELECT building, surname, phone_last4, deleted FROM households WHERE market = $1 AND id = $2",
                    &[&market, &h.id.as_str()],
                )
                .await?;
            let old: Option<(String, Option<String>, Option<String>, bool)> = match old {
                Some(r) => Some((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)),
                None => None,
            };
            let row = (h.building.clone(), h.surname.clone(), h.phone_last4.clone(), false);
            match &old {
                Some(old) if *old == row => {
                    summary.unchanged += 1;
                    continue;
                }
                Some(_) => summary.changed += 1,
                None => summary.added += 1,
            }
            let version = next_version(&tx).await?;
            tx.execute(
                "INSERT INTO households (market, id, building, surname, phone_last4, deleted, version)
                 VALUES ($1, $2, $3, $4, $5, false, $6)
                 ON CONFLICT (market, id) DO UPDATE SET building = $3, surname = $4, phone_last4 = $5, deleted = false,
                    version = $6",
                &[&market, &h.id.as_str(), &h.building, &h.surname, &h.phone_last4, &version],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(summary)
    }

    pub(super) async fn remove_household_async(&self, market: &str, id: &HouseholdId) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&CATALOG_LOCK]).await?;
        let version = next_version(&tx).await?;
        let n = tx
            .execute(
                "UPDATE households SET deleted = true, version = $3 WHERE market = $1 AND id = $2 AND NOT deleted",
                &[&market, &id.as_str(), &version],
            )
            .await?;
        if n == 0 {
            return Err(HubError::NotFound(format!("household {id} of market {market}")));
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn households_async(&self, market: &str) -> Result<Vec<Household>, HubError> {
        let client = self.quick.get().await?;
        let rows = client
            .query(
                "SELECT id, building, surname, phone_last4 FROM households WHERE market = $1 AND NOT deleted",
                &[&market],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.try_get(0)?;
            let id = HouseholdId::parse(&id).map_err(|e| HubError::Db(format!("stored household {id:?}: {e}")))?;
            out.push(Household { id, building: r.try_get(1)?, surname: r.try_get(2)?, phone_last4: r.try_get(3)? });
        }
        out.sort_by_key(|a| household_order(&a.id));
        Ok(out)
    }

    pub(super) async fn usage_page_async(
        &self,
        terminal: &Terminal,
        cursor: u64,
        limit: u32,
    ) -> Result<UsagePage, HubError> {
        let limit = i64::from(limit.max(1));
        let cursor_i = i64::try_from(cursor).unwrap_or(i64::MAX);
        let client = self.quick.get().await?;
        let rows = client
            .query(
                "SELECT version, order_id, terminal, household, product, qty, at FROM usage
                 WHERE market = $1 AND version > $2 ORDER BY version LIMIT $3",
                &[&terminal.market, &cursor_i, &(limit + 1)],
            )
            .await?;
        let more = rows.len() > limit as usize;
        let mut entries = Vec::with_capacity(rows.len());
        for r in rows.iter().take(limit as usize) {
            let order_id: String = r.try_get(1)?;
            let order_id = uuid::Uuid::parse_str(&order_id)
                .map_err(|e| HubError::Db(format!("stored usage order {order_id:?}: {e}")))?;
            entries.push(UsageEntry {
                version: u64_of(r.try_get(0)?),
                order_id,
                terminal: r.try_get(2)?,
                household: r.try_get(3)?,
                product: r.try_get(4)?,
                qty: qty_of(r.try_get(5)?),
                at: r.try_get(6)?,
            });
        }
        let next_cursor = entries.last().map_or(cursor, |e| e.version);
        Ok(UsagePage { entries, next_cursor, more })
    }

    /// See `HubStore::check_limits`. Rows a push records while this runs are left unchecked for
    /// the next run: only the rows read here are marked.
    pub(super) async fn check_limits_async(&self, tz: &TimeZone, now: Timestamp) -> Result<Vec<LimitAlarm>, HubError> {
        // Most pushes bring no household's order: nothing to check, no lock, no write.
        if self.quick.get().await?.query_opt("SELECT 1 FROM usage WHERE NOT checked LIMIT 1", &[]).await?.is_none() {
            return Ok(Vec::new());
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LIMITS_LOCK]).await?;
        let mut versions: Vec<i64> = Vec::new();
        let mut unchecked: Vec<(String, String, String, String)> = Vec::new();
        for r in tx
            .query(
                "SELECT version, market, household, product, at FROM usage WHERE NOT checked
                 ORDER BY market, household, product, at",
                &[],
            )
            .await?
        {
            versions.push(r.try_get(0)?);
            let key = (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
            if unchecked.last() != Some(&key) {
                unchecked.push(key);
            }
        }
        let mut raised: Vec<LimitAlarm> = Vec::new();
        for (market, household, product, at) in unchecked {
            let Some(limit) = limit_of(&tx, &market, &product).await? else { continue };
            let Ok(at) = at.parse::<Timestamp>() else { continue };
            let cycle = restock_cycle_of(&tx, &market).await?;
            let (start, end) = period_window(limit.period, at, tz, cycle);
            let rows = tx
                .query(
                    "SELECT terminal, seq, order_id, qty, at FROM usage
                     WHERE market = $1 AND household = $2 AND product = $3 AND at >= $4 AND at < $5 AND qty > 0
                     ORDER BY at, terminal, seq",
                    &[&market, &household, &product, &time_text(start), &time_text(end)],
                )
                .await?;
            let mut bought = Vec::with_capacity(rows.len());
            for r in &rows {
                let (t, seq, id, qty, at): (String, i64, String, i64, String) =
                    (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
                bought.push((t, seq, id, qty_of(qty), at));
            }
            let purchases = bought.iter().filter_map(|r| Some(Purchase { at: r.4.parse().ok()?, qty: r.3 }));
            let Some(found) = breach(limit, purchases, at, tz, cycle) else { continue };
            let orders: Vec<String> = bought.iter().map(|(t, seq, id, _, _)| format!("{t}-{seq:04} ({id})")).collect();
            let alarm = LimitAlarm {
                market: market.clone(),
                household: household.clone(),
                product: product.clone(),
                limit: limit.per_household,
                period: limit.period,
                bought: found.bought,
                orders,
            };
            // Two unchecked rows of one breach (both kiosks' orders came in one round) raise it once.
            if !raised.contains(&alarm) {
                raise_limit_alarm(&tx, &alarm, now).await?;
                raised.push(alarm);
            }
        }
        tx.execute("UPDATE usage SET checked = true WHERE NOT checked AND version = ANY($1)", &[&versions]).await?;
        tx.commit().await?;
        Ok(raised)
    }
}

/// A limit alarm for the market (no terminal: it takes two or more to break a limit offline).
async fn raise_limit_alarm(tx: &impl GenericClient, alarm: &LimitAlarm, now: Timestamp) -> Result<(), HubError> {
    let at = time_text(now);
    let message = limit_alarm_message(alarm);
    let again = tx
        .execute(
            "UPDATE alarms SET repeats = repeats + 1, last_at = $1
             WHERE cleared_at IS NULL AND terminal IS NULL AND kind = 'limit' AND message = $2",
            &[&at, &message],
        )
        .await?;
    if again == 0 {
        tx.execute(
            "INSERT INTO alarms (at, last_at, terminal, kind, message) VALUES ($1, $1, NULL, 'limit', $2)",
            &[&at, &message],
        )
        .await?;
    }
    Ok(())
}
