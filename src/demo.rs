//! The demo market built into the kiosk, so `cargo run` works from any folder with no files beside
//! it: `assets/catalog.toml` and its pictures, embedded at build time (`build.rs`).

use warm_core::catalog_file::{self, CatalogError, LoadedCatalog, PictureSource};

pub const CATALOG: &str = include_str!("../assets/catalog.toml");
const NAME: &str = "assets/catalog.toml (built in)";
include!(concat!(env!("OUT_DIR"), "/demo_pictures.rs"));

/// The demo catalog and its built-in pictures.
pub fn catalog() -> Result<LoadedCatalog, CatalogError> {
    Ok(LoadedCatalog { catalog: catalog_file::parse(CATALOG, NAME)?, pictures: PictureSource::Embedded(DEMO_PICTURES) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use warm_core::domain::barcode::is_china_prefix;

    #[test]
    fn the_demo_catalog_is_complete() {
        let LoadedCatalog { catalog, pictures } = catalog().unwrap();
        assert!(catalog.categories.len() >= 6);
        assert!(catalog.products.len() >= 40);
        for p in &catalog.products {
            assert!(is_china_prefix(&p.ean13), "{}: {}", p.id.0, p.ean13);
            assert!(p.price.as_fen() > 0, "{}", p.id.0);
            assert!(pictures.read(&p.picture).is_ok(), "{}: picture {}", p.id.0, p.picture);
            assert!(!p.name.zh.is_empty() && !p.name.en.is_empty() && !p.spec.zh.is_empty());
        }
        for c in &catalog.categories {
            assert!(catalog.in_category(&c.id).count() >= 3, "{} has too few products", c.id.0);
            assert!(pictures.read(&c.picture).is_ok(), "{}", c.picture);
        }
    }
}
