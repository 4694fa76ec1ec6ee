//! Reads a catalog from TOML (the built-in demo, or a file the market supplies) and its pictures.
//! A malformed file is refused with the file, line and field named.

use crate::domain::barcode::valid_ean13;
use crate::domain::{Catalog, Category, CategoryId, LimitPeriod, ProductId, ProductRow, Text};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

/// Where a catalog's pictures come from.
#[derive(Debug, Clone)]
pub enum PictureSource {
    /// Pictures built into the program (the kiosk's demo): (path in the catalog, PNG bytes).
    Embedded(&'static [(&'static str, &'static [u8])]),
    Folder(PathBuf),
}

impl PictureSource {
    /// The picture's bytes, or why they cannot be had.
    pub fn read(&self, rel: &str) -> Result<Cow<'static, [u8]>, PictureError> {
        match self {
            PictureSource::Embedded(pictures) => pictures
                .iter()
                .find(|(name, _)| *name == rel)
                .map(|(_, bytes)| Cow::Borrowed(*bytes))
                .ok_or_else(|| PictureError::NotBuiltIn(rel.to_owned())),
            PictureSource::Folder(dir) => {
                inside_folder(rel)?;
                let path = dir.join(rel);
                // A link inside the folder may still point out of it: the real path must be inside.
                let read_error = |path: &Path, e: std::io::Error| PictureError::Read {
                    path: path.to_owned(),
                    reason: e.to_string(),
                };
                let real = path.canonicalize().map_err(|e| read_error(&path, e))?;
                let folder = dir.canonicalize().map_err(|e| read_error(dir, e))?;
                if !real.starts_with(&folder) {
                    return Err(PictureError::LeadsOutside { name: rel.to_owned(), folder });
                }
                std::fs::read(&real).map(Cow::Owned).map_err(|e| read_error(&path, e))
            }
        }
    }
}

/// A picture is named by a path inside the catalog's folder: relative, with no `..`.
pub fn inside_folder(rel: &str) -> Result<(), PictureError> {
    use std::path::Component;
    let path = Path::new(rel);
    if rel.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(PictureError::NotInside(rel.to_owned()));
    }
    Ok(())
}

/// Why a catalog's picture cannot be had (the screen then shows a placeholder with the name).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("{0}: not in the built-in pictures")]
    NotBuiltIn(String),
    #[error("picture {0:?} must be a path inside the catalog's folder (relative, no \"..\")")]
    NotInside(String),
    #[error("{name}: leads outside the catalog's folder ({})", folder.display())]
    LeadsOutside { name: String, folder: PathBuf },
    #[error("{}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot decode: {0}")]
    Decode(String),
}

#[derive(Debug, Clone)]
pub struct LoadedCatalog {
    pub catalog: Catalog,
    pub pictures: PictureSource,
}

pub fn load(path: &Path) -> Result<LoadedCatalog, CatalogError> {
    let file = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| CatalogError { file: file.clone(), message: e.to_string() })?;
    let folder = path.parent().map(Path::to_owned).unwrap_or_default();
    Ok(LoadedCatalog { catalog: parse(&text, &file)?, pictures: PictureSource::Folder(folder) })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    market_name_zh: String,
    market_name_en: String,
    #[serde(default)]
    category: Vec<RawCategory>,
    #[serde(default)]
    product: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    name_zh: String,
    name_en: String,
    picture: Spanned<String>,
    /// The category this one is part of (a sub-category); none: shown on the home screen.
    #[serde(default)]
    parent: Option<Spanned<String>>,
}

/// A `[[product]]` as the file writes it: a [`ProductRow`] with its id and picture, some fields
/// with their place in the file so a refusal names the line. It spells the row's fields out
/// because serde's `flatten` cannot go with `deny_unknown_fields`; once checked it becomes a
/// `ProductRow`, and a `Product` through the row's one conversion.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    id: Spanned<String>,
    category: Spanned<String>,
    name_zh: String,
    name_en: String,
    spec_zh: String,
    spec_en: String,
    unit_zh: String,
    unit_en: String,
    price_fen: Spanned<Fen>,
    ean13: Spanned<String>,
    limit_per_household: Option<u32>,
    picture: Spanned<String>,
}

/// A price as the file writes it: whole fen. A decimal or a quoted price is most likely yuan, so
/// the refusal says how to write it rather than serde's "expected i64".
struct Fen(i64);

impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        struct Whole;
        impl serde::de::Visitor<'_> for Whole {
            type Value = Fen;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number of fen (3990 for ￥39.90)")
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Fen, E> {
                Ok(Fen(v))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Fen, E> {
                i64::try_from(v).map(Fen).map_err(|_| E::custom(format!("{v} fen is more than any price")))
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<Fen, E> {
                Err(E::custom(format!(
                    "a price is a whole number of fen: write {} for ￥{v:.2}, not {v}",
                    (v * 100.0).round() as i64
                )))
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Fen, E> {
                Err(E::custom(format!("a price is a whole number of fen without quotes (3990 for ￥39.90), not {v:?}")))
            }
        }
        deserializer.deserialize_any(Whole)
    }
}

/// Parses a catalog text; `file` names it in error messages.
pub fn parse(text: &str, file: &str) -> Result<Catalog, CatalogError> {
    let fail = |message: String| CatalogError { file: file.to_owned(), message };
    let raw: RawCatalog = toml::from_str(text).map_err(|e| fail(crate::toml_error::in_words(&e)))?;
    let at = |span: std::ops::Range<usize>, field: &str, problem: String| {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        fail(format!("line {line}, field `{field}`: {problem}"))
    };

    let mut category_ids = HashSet::new();
    let mut categories = Vec::new();
    let mut parents = Vec::new();
    let picture_at = |picture: &Spanned<String>| {
        inside_folder(picture.get_ref()).map_err(|problem| at(picture.span(), "picture", problem.to_string()))
    };
    for c in raw.category {
        picture_at(&c.picture)?;
        if !category_ids.insert(c.id.get_ref().clone()) {
            return Err(at(c.id.span(), "id", format!("category {:?} appears twice", c.id.get_ref())));
        }
        if let Some(parent) = &c.parent {
            parents.push((c.id.get_ref().clone(), parent.clone()));
        }
        categories.push(Category {
            id: CategoryId(c.id.into_inner()),
            name: Text::new(c.name_zh, c.name_en),
            picture: c.picture.into_inner(),
            parent: c.parent.map(|p| CategoryId(p.into_inner())),
        });
    }
    // A parent is another category of the file, and following parents never comes back round.
    for (id, parent) in &parents {
        if !category_ids.contains(parent.get_ref()) {
            return Err(at(parent.span(), "parent", format!("no category {:?}", parent.get_ref())));
        }
        let parent_of = |c: &str| parents.iter().find(|(k, _)| k == c).map(|(_, p)| p.get_ref().as_str());
        let mut at_now = Some(parent.get_ref().as_str());
        for _ in 0..=parents.len() {
            match at_now {
                Some(c) if c == id => {
                    return Err(at(parent.span(), "parent", format!("category {id:?} would be inside itself")));
                }
                Some(c) => at_now = parent_of(c),
                None => break,
            }
        }
    }

    let (mut ids, mut codes) = (HashSet::new(), HashSet::new());
    let mut products = Vec::new();
    for p in raw.product {
        if p.id.get_ref().is_empty() || !ids.insert(p.id.get_ref().clone()) {
            return Err(at(p.id.span(), "id", format!("product id {:?} is empty or appears twice", p.id.get_ref())));
        }
        if !category_ids.contains(p.category.get_ref()) {
            return Err(at(p.category.span(), "category", format!("no category {:?}", p.category.get_ref())));
        }
        if p.price_fen.get_ref().0 < 0 {
            return Err(at(p.price_fen.span(), "price_fen", "a price cannot be negative".into()));
        }
        if !valid_ean13(p.ean13.get_ref()) {
            return Err(at(
                p.ean13.span(),
                "ean13",
                format!("{:?} is not a valid EAN-13 (13 digits, last one the check digit)", p.ean13.get_ref()),
            ));
        }
        picture_at(&p.picture)?;
        if !codes.insert(p.ean13.get_ref().clone()) {
            return Err(at(p.ean13.span(), "ean13", format!("{:?} is used by two products", p.ean13.get_ref())));
        }
        let row = ProductRow {
            category: p.category.into_inner(),
            name_zh: p.name_zh,
            name_en: p.name_en,
            spec_zh: p.spec_zh,
            spec_en: p.spec_en,
            unit_zh: p.unit_zh,
            unit_en: p.unit_en,
            price_fen: p.price_fen.into_inner().0,
            ean13: p.ean13.into_inner(),
            limit_per_household: p.limit_per_household,
        };
        // A file's limit counts per day; a market's own period comes with the synced catalog.
        products.push(row.into_product(ProductId(p.id.into_inner()), p.picture.into_inner(), LimitPeriod::Day));
    }
    Ok(Catalog::new(Text::new(raw.market_name_zh, raw.market_name_en), categories, products))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Money;

    const ONE: &str = "market_name_zh = \"测试\"\nmarket_name_en = \"Test\"\n\
        [[category]]\nid = \"c\"\nname_zh = \"粮油\"\nname_en = \"Grain\"\npicture = \"c.png\"\n\
        [[product]]\nid = \"rice\"\ncategory = \"c\"\nname_zh = \"大米\"\nname_en = \"Rice\"\n\
        spec_zh = \"5公斤/袋\"\nspec_en = \"5 kg\"\nunit_zh = \"袋\"\nunit_en = \"bag\"\n\
        price_fen = 3990\nean13 = \"6901234567892\"\nlimit_per_household = 2\npicture = \"rice.png\"\n";

    #[test]
    fn sub_categories_name_a_parent_of_the_file_and_never_themselves() {
        let sub =
            "[[category]]\nid = \"rice\"\nname_zh = \"米\"\nname_en = \"Rice\"\npicture = \"r.png\"\nparent = \"c\"\n";
        let text = ONE
            .replacen("[[product]]", &format!("{sub}[[product]]"), 1)
            .replace("category = \"c\"", "category = \"rice\"");
        let catalog = parse(&text, "one.toml").unwrap();
        let c = CategoryId("c".into());
        assert_eq!(catalog.top_categories().map(|c| c.id.0.as_str()).collect::<Vec<_>>(), ["c"]);
        assert_eq!(catalog.children(&c).count(), 1);
        assert_eq!(catalog.under(&c).len(), 1, "the rice of the sub-category is under 粮油");
        let err = parse(&text.replace("parent = \"c\"", "parent = \"x\""), "one.toml").unwrap_err().to_string();
        assert!(err.contains("field `parent`") && err.contains("no category \"x\""), "{err}");
        let err = parse(&text.replace("parent = \"c\"", "parent = \"rice\""), "one.toml").unwrap_err().to_string();
        assert!(err.contains("inside itself"), "{err}");
    }

    #[test]
    fn a_good_file_parses() {
        let catalog = parse(ONE, "one.toml").unwrap();
        assert_eq!(catalog.by_ean("6901234567892").unwrap().price, Money(3990));
    }

    #[test]
    fn a_bad_check_digit_names_file_line_and_field() {
        let err = parse(&ONE.replace("6901234567892", "6901234567891"), "one.toml").unwrap_err().to_string();
        assert!(err.starts_with("one.toml: line 18, field `ean13`"), "{err}");
    }

    #[test]
    fn a_wrong_type_or_unknown_field_is_named() {
        let err = parse(&ONE.replace("price_fen = 3990", "price_fen = \"39.90\""), "one.toml").unwrap_err().to_string();
        assert!(err.contains("price_fen") && err.contains("line 17"), "{err}");
        // A price in yuan is answered with how to write it in fen, not serde's "expected i64".
        let err = parse(&ONE.replace("price_fen = 3990", "price_fen = 39.9"), "one.toml").unwrap_err().to_string();
        assert!(err.contains("line 17") && err.contains("write 3990 for ￥39.90, not 39.9"), "{err}");
        assert!(!err.contains("i64"), "{err}");
        let err = parse(&ONE.replace("unit_en", "unit_fr"), "one.toml").unwrap_err().to_string();
        assert!(err.contains("unit_fr"), "{err}");
        let err = parse(&ONE.replace("category = \"c\"", "category = \"x\""), "one.toml").unwrap_err().to_string();
        assert!(err.contains("line 10, field `category`"), "{err}");
    }

    #[test]
    fn a_picture_outside_the_catalog_folder_is_refused() {
        for bad in ["/etc/passwd", "../secret.png", "pictures/../../x.png", ""] {
            let text = ONE.replace("picture = \"rice.png\"", &format!("picture = {bad:?}"));
            let err = parse(&text, "one.toml").unwrap_err().to_string();
            assert!(err.contains("line 20, field `picture`") && err.contains("inside the catalog"), "{bad}: {err}");
        }
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.png"), b"secret").unwrap();
        std::fs::write(dir.path().join("ok.png"), b"png").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.png"), dir.path().join("link.png")).unwrap();
        let source = PictureSource::Folder(dir.path().to_owned());
        assert_eq!(&*source.read("ok.png").unwrap(), b"png");
        assert!(source.read("../secret.png").unwrap_err().to_string().contains("inside the catalog"));
        #[cfg(unix)]
        assert!(source.read("link.png").unwrap_err().to_string().contains("outside the catalog"));
    }

    #[test]
    fn a_missing_picture_is_reported_not_fatal() {
        let source = PictureSource::Folder(PathBuf::from("/nonexistent"));
        assert!(source.read("rice.png").unwrap_err().to_string().contains("/nonexistent/rice.png"));
        let built_in = PictureSource::Embedded(&[("pictures/one.png", b"png")]);
        assert!(built_in.read("pictures/none.png").is_err());
        assert_eq!(&*built_in.read("pictures/one.png").unwrap(), b"png");
    }
}
