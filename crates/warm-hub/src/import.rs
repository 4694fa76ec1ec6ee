//! The operator's catalog import: our catalog TOML format (see `assets/catalog.toml`) with its
//! pictures in the same folder, checked by the same parser the kiosk uses.

use super::store::{CatalogImport, ImportCategory, ImportProduct};
use std::path::Path;
use warm_core::catalog_file::{self, CatalogError, PictureError};
use warm_core::domain::ProductRow;

/// Why a catalog file cannot be imported; nothing of it is stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("picture {0}")]
    Picture(#[from] PictureError),
}

pub fn from_toml(path: &Path) -> Result<CatalogImport, ImportError> {
    let loaded = catalog_file::load(path)?;
    let (catalog, pictures) = (loaded.catalog, loaded.pictures);
    let read = |rel: &str| pictures.read(rel).map(|b| b.into_owned());
    let mut out = CatalogImport {
        market_name_zh: catalog.market_name.zh.clone(),
        market_name_en: catalog.market_name.en.clone(),
        ..CatalogImport::default()
    };
    for c in &catalog.categories {
        out.categories.push(ImportCategory {
            id: c.id.0.clone(),
            name_zh: c.name.zh.clone(),
            name_en: c.name.en.clone(),
            picture: read(&c.picture)?,
            parent: c.parent.as_ref().map(|p| p.0.clone()),
        });
    }
    for p in &catalog.products {
        out.products.push(ImportProduct { id: p.id.0.clone(), row: ProductRow::from(p), picture: read(&p.picture)? });
    }
    Ok(out)
}
