//! The PostgreSQL side of each market's daily goods list for building leaders (issue 10): one
//! row per market (the whole list as JSON text, as on SQLite), a catalog row whose version is
//! handed out under the catalog lock.

use super::{PgHub, lock_catalog, next_version, u64_of};
use crate::sqlite::daily_list::{decode, encode};
use crate::store::HubError;
use deadpool_postgres::GenericClient;
use warm_core::api::CatalogChange;
use warm_core::domain::DailyItem;

/// The market's list, if it changed after the cursor (inside the catalog page's snapshot).
pub(super) async fn changes_after(
    tx: &impl GenericClient,
    after: i64,
    market: &str,
    changes: &mut Vec<CatalogChange>,
) -> Result<(), HubError> {
    let row = tx
        .query_opt("SELECT version, items FROM daily_lists WHERE market = $1 AND version > $2", &[&market, &after])
        .await?;
    if let Some(r) = row {
        let items: String = r.try_get(1)?;
        changes.push(CatalogChange::DailyList { version: u64_of(r.try_get(0)?), items: decode(&items)? });
    }
    Ok(())
}

impl PgHub {
    pub(super) async fn daily_list_async(&self, market: &str) -> Result<Vec<DailyItem>, HubError> {
        let client = self.quick.get().await?;
        let row = client.query_opt("SELECT items FROM daily_lists WHERE market = $1", &[&market]).await?;
        match row {
            Some(r) => decode(&r.try_get::<_, String>(0)?),
            None => Ok(Vec::new()),
        }
    }

    pub(super) async fn set_daily_list_async(&self, market: &str, items: &[DailyItem]) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        for item in items {
            let row = tx.query_opt("SELECT deleted FROM products WHERE id = $1", &[&item.product]).await?;
            let deleted: Option<bool> = row.map(|r| r.try_get(0)).transpose()?;
            if deleted != Some(false) {
                return Err(HubError::Invalid(format!(
                    "product {:?} is not in the catalog; nothing of the list was stored",
                    item.product
                )));
            }
            let listed = tx
                .query_opt(
                    "SELECT listed FROM assortment WHERE market = $1 AND product = $2",
                    &[&market, &item.product],
                )
                .await?;
            if listed.map(|r| r.try_get::<_, bool>(0)).transpose()? == Some(false) {
                return Err(crate::sqlite::daily_list::not_sold(market, &item.product));
            }
        }
        lock_catalog(&tx).await?;
        let version = next_version(&tx).await?;
        tx.execute(
            "INSERT INTO daily_lists (market, items, version) VALUES ($1, $2, $3)
             ON CONFLICT (market) DO UPDATE SET items = $2, version = $3",
            &[&market, &encode(items)?, &version],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
