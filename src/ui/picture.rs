//! Product and category pictures, decoded and scaled once at start-up (never in `view()`), and
//! shared by content hash so two products with the same picture cost one decode.

use super::theme;
use iced::widget::image::Handle;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use warm_core::catalog_file::{PictureError, PictureSource};
use warm_core::domain::Catalog;

/// Pictures are scaled once to the largest size the screen shows them at (category tiles are
/// bigger than product tiles), so a thousand products stay light in memory.
pub fn max_side(scale: f32) -> (u32, u32) {
    let px = |side: f32| (side * scale).ceil() as u32;
    (px(theme::CATEGORY_PICTURE), px(theme::TILE_PICTURE))
}

#[derive(Debug, Clone, Default)]
pub struct Pictures {
    by_path: HashMap<String, Handle>,
    /// Pictures that could not be had, with the reason; the screen shows a placeholder.
    pub missing: Vec<(String, String)>,
}

impl Pictures {
    /// Loads every picture of the catalog; `scale` is the config's screen scale factor.
    pub fn load(catalog: &Catalog, source: &PictureSource, scale: f32) -> Pictures {
        let (category_side, product_side) = max_side(scale);
        let mut by_hash: HashMap<([u8; 32], u32), Handle> = HashMap::new();
        let mut pictures = Pictures::default();
        let paths = catalog
            .categories
            .iter()
            .map(|c| (&c.picture, category_side))
            .chain(catalog.products.iter().map(|p| (&p.picture, product_side)));
        for (path, side) in paths {
            if pictures.by_path.contains_key(path) {
                continue;
            }
            let loaded = source.read(path).and_then(|bytes| {
                let key = (Sha256::digest(&bytes).into(), side);
                if let Some(handle) = by_hash.get(&key) {
                    return Ok(handle.clone());
                }
                let handle = decode(&bytes, side).map_err(|e| PictureError::Decode(e.to_string()))?;
                by_hash.insert(key, handle.clone());
                Ok(handle)
            });
            match loaded {
                Ok(handle) => {
                    pictures.by_path.insert(path.clone(), handle);
                }
                Err(reason) => {
                    tracing::warn!(picture = %path, %reason, "picture missing or unreadable; showing a placeholder");
                    pictures.missing.push((path.clone(), reason.to_string()));
                }
            }
        }
        pictures
    }

    pub fn get(&self, path: &str) -> Option<&Handle> {
        self.by_path.get(path)
    }

    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}

fn decode(bytes: &[u8], side: u32) -> Result<Handle, image::ImageError> {
    let image = image::load_from_memory(bytes)?;
    let image = if image.width() > side || image.height() > side {
        image.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.into_rgba8();
    Ok(Handle::from_rgba(rgba.width(), rgba.height(), rgba.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pictures_all_load() {
        let loaded = crate::demo::catalog().unwrap();
        let pictures = Pictures::load(&loaded.catalog, &loaded.pictures, 1.0);
        assert!(pictures.missing.is_empty(), "{:?}", pictures.missing);
        for p in &loaded.catalog.products {
            assert!(pictures.get(&p.picture).is_some(), "{}", p.picture);
        }
    }

    #[test]
    fn missing_and_corrupt_pictures_are_listed_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.png"), b"not a png").unwrap();
        let mut catalog = crate::demo::catalog().unwrap().catalog;
        catalog.products.truncate(2);
        catalog.categories.truncate(1);
        catalog.categories[0].picture = "bad.png".into();
        catalog.products[0].picture = "none.png".into();
        let pictures = Pictures::load(&catalog, &PictureSource::Folder(dir.path().to_owned()), 1.0);
        let reasons: Vec<_> = pictures.missing.iter().map(|(p, r)| format!("{p}: {r}")).collect();
        assert!(reasons.iter().any(|r| r.starts_with("bad.png: cannot decode")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("none.png:")), "{reasons:?}");
        assert!(pictures.get("bad.png").is_none());
    }
}
