//! Product and category pictures, decoded and scaled once at start-up (never in `view()`), and
//! shared by content hash so two products with the same picture cost one decode.

use crate::catalog_file::PictureSource;
use crate::domain::Catalog;
use iced::widget::image::Handle;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Pictures are scaled so their longer side is at most this many pixels: enough for the biggest
/// tile at the reference size, small enough that a thousand of them stay light.
pub const MAX_SIDE: u32 = 256;

#[derive(Debug, Clone, Default)]
pub struct Pictures {
    by_path: HashMap<String, Handle>,
    /// Pictures that could not be had, with the reason; the screen shows a placeholder.
    pub missing: Vec<(String, String)>,
}

impl Pictures {
    pub fn load(catalog: &Catalog, source: &PictureSource) -> Pictures {
        let mut by_hash: HashMap<[u8; 32], Handle> = HashMap::new();
        let mut pictures = Pictures::default();
        let paths = catalog.categories.iter().map(|c| &c.picture).chain(catalog.products.iter().map(|p| &p.picture));
        for path in paths {
            if pictures.by_path.contains_key(path) {
                continue;
            }
            let loaded = source.read(path).and_then(|bytes| {
                let hash: [u8; 32] = Sha256::digest(&bytes).into();
                if let Some(handle) = by_hash.get(&hash) {
                    return Ok(handle.clone());
                }
                let handle = decode(&bytes)?;
                by_hash.insert(hash, handle.clone());
                Ok(handle)
            });
            match loaded {
                Ok(handle) => {
                    pictures.by_path.insert(path.clone(), handle);
                }
                Err(reason) => {
                    tracing::warn!(picture = %path, %reason, "picture missing or unreadable; showing a placeholder");
                    pictures.missing.push((path.clone(), reason));
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

fn decode(bytes: &[u8]) -> Result<Handle, String> {
    let image = image::load_from_memory(bytes).map_err(|e| format!("cannot decode: {e}"))?;
    let image = if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.into_rgba8();
    Ok(Handle::from_rgba(rgba.width(), rgba.height(), rgba.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_file;

    #[test]
    fn the_demo_pictures_all_load() {
        let loaded = catalog_file::demo().unwrap();
        let pictures = Pictures::load(&loaded.catalog, &loaded.pictures);
        assert!(pictures.missing.is_empty(), "{:?}", pictures.missing);
        for p in &loaded.catalog.products {
            assert!(pictures.get(&p.picture).is_some(), "{}", p.picture);
        }
    }

    #[test]
    fn missing_and_corrupt_pictures_are_listed_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.png"), b"not a png").unwrap();
        let mut catalog = catalog_file::demo().unwrap().catalog;
        catalog.products.truncate(2);
        catalog.categories.truncate(1);
        catalog.categories[0].picture = "bad.png".into();
        catalog.products[0].picture = "none.png".into();
        let pictures = Pictures::load(&catalog, &PictureSource::Folder(dir.path().to_owned()));
        let reasons: Vec<_> = pictures.missing.iter().map(|(p, r)| format!("{p}: {r}")).collect();
        assert!(reasons.iter().any(|r| r.starts_with("bad.png: cannot decode")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("none.png:")), "{reasons:?}");
        assert!(pictures.get("bad.png").is_none());
    }
}
