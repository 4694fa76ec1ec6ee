//! What the market sells: categories and products, in the order the screen shows them.

use super::{Limit, LimitPeriod, Money, Text};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductId(pub String);

impl ProductId {
    pub fn new(id: impl Into<String>) -> Self {
        ProductId(id.into())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: Text,
    /// Path of the picture, relative to the catalog's folder.
    pub picture: String,
    /// The category this one is a part of (粮油 → 米 / 面 / 油); `None` for one on the home screen.
    pub parent: Option<CategoryId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub category: CategoryId,
    pub name: Text,
    /// 规格, e.g. 5公斤/袋.
    pub spec: Text,
    pub unit: Text,
    pub price: Money,
    pub ean13: String,
    /// How many one household may buy per `limit_period`; `None` for no limit.
    pub limit_per_household: Option<u32>,
    /// Over what time `limit_per_household` counts (a day unless the market says otherwise).
    pub limit_period: LimitPeriod,
    pub picture: String,
}

impl Product {
    /// The product's purchase limit per household, if it has one.
    pub fn limit(&self) -> Option<Limit> {
        self.limit_per_household.map(|per_household| Limit { per_household, period: self.limit_period })
    }
}

/// A product's columns as every copy of the catalog holds them: the wire's `product` change
/// (flattened into it, so the JSON keeps its fields), the catalog file once checked, the hub's
/// import and both its stores, and the kiosk's synced copy. Not in it: the id (each copy's key,
/// beside the row), the picture (a path in the file, bytes on import, a sha256 elsewhere) and what
/// only some copies have (a position, a tombstone, a limit's period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub spec_zh: String,
    pub spec_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    /// The cooperative-wide price in fen.
    pub price_fen: i64,
    pub ean13: String,
    pub limit_per_household: Option<u32>,
}

/// The columns of a [`ProductRow`] in every store's products table, in the order each store's
/// one reader reads them and its one binder binds them.
pub const PRODUCT_COLUMNS: &str =
    "category, name_zh, name_en, spec_zh, spec_en, unit_zh, unit_en, price_fen, ean13, limit_per_household";

/// The SQLite stores' reader and binder (the hub's and the kiosk's; PostgreSQL has its own).
#[cfg(feature = "sqlite")]
impl ProductRow {
    /// The row read from the [`PRODUCT_COLUMNS`] (or what a query puts in their place), the first
    /// of them at column `at`.
    pub fn from_sqlite(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ProductRow> {
        Ok(ProductRow {
            category: r.get(at)?,
            name_zh: r.get(at + 1)?,
            name_en: r.get(at + 2)?,
            spec_zh: r.get(at + 3)?,
            spec_en: r.get(at + 4)?,
            unit_zh: r.get(at + 5)?,
            unit_en: r.get(at + 6)?,
            price_fen: r.get(at + 7)?,
            ean13: r.get(at + 8)?,
            limit_per_household: r.get(at + 9)?,
        })
    }

    /// The row bound as the [`PRODUCT_COLUMNS`], in their order.
    pub fn sqlite_params(&self) -> [&dyn rusqlite::ToSql; 10] {
        [
            &self.category,
            &self.name_zh,
            &self.name_en,
            &self.spec_zh,
            &self.spec_en,
            &self.unit_zh,
            &self.unit_en,
            &self.price_fen,
            &self.ean13,
            &self.limit_per_household,
        ]
    }
}

impl ProductRow {
    /// The product this row describes, with its id, picture and the period its limit counts over.
    pub fn into_product(self, id: ProductId, picture: String, limit_period: LimitPeriod) -> Product {
        Product {
            id,
            category: CategoryId(self.category),
            name: Text::new(self.name_zh, self.name_en),
            spec: Text::new(self.spec_zh, self.spec_en),
            unit: Text::new(self.unit_zh, self.unit_en),
            price: Money(self.price_fen),
            ean13: self.ean13,
            limit_per_household: self.limit_per_household,
            limit_period,
            picture,
        }
    }
}

impl From<&Product> for ProductRow {
    fn from(p: &Product) -> ProductRow {
        ProductRow {
            category: p.category.0.clone(),
            name_zh: p.name.zh.clone(),
            name_en: p.name.en.clone(),
            spec_zh: p.spec.zh.clone(),
            spec_en: p.spec.en.clone(),
            unit_zh: p.unit.zh.clone(),
            unit_en: p.unit.en.clone(),
            price_fen: p.price.as_fen(),
            ean13: p.ean13.clone(),
            limit_per_household: p.limit_per_household,
        }
    }
}

#[cfg(test)]
impl Product {
    /// A bare product for unit tests: in category `c`, named by its id, no EAN, limit or picture.
    pub(crate) fn for_test(id: &str, fen: i64) -> Product {
        Product {
            id: ProductId::new(id),
            category: CategoryId("c".into()),
            name: Text::new(id, id),
            spec: Text::default(),
            unit: Text::default(),
            price: Money(fen),
            ean13: String::new(),
            limit_per_household: None,
            limit_period: LimitPeriod::Day,
            picture: String::new(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub market_name: Text,
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    by_id: HashMap<ProductId, usize>,
    by_ean: HashMap<String, usize>,
    /// The market's own order of products, where the co-op set one: it comes before sales.
    pinned: HashMap<ProductId, i64>,
}

impl Catalog {
    /// Builds the lookups; callers have already checked ids and codes are unique.
    pub fn new(market_name: Text, categories: Vec<Category>, products: Vec<Product>) -> Self {
        let by_id = products.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        let by_ean = products.iter().enumerate().map(|(i, p)| (p.ean13.clone(), i)).collect();
        Catalog { market_name, categories, products, by_id, by_ean, pinned: HashMap::new() }
    }

    /// The co-op's order of products for this market (lower first), where it set one.
    pub fn with_pinned(mut self, pinned: HashMap<ProductId, i64>) -> Self {
        self.pinned = pinned;
        self
    }

    /// The product's place in the co-op's order for this market, if it has one.
    pub fn pinned(&self, id: &ProductId) -> Option<i64> {
        self.pinned.get(id).copied()
    }

    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.by_id.get(id).map(|&i| &self.products[i])
    }

    pub fn by_ean(&self, code: &str) -> Option<&Product> {
        self.by_ean.get(code).map(|&i| &self.products[i])
    }

    pub fn category(&self, id: &CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| &c.id == id)
    }

    pub fn in_category<'a>(&'a self, id: &'a CategoryId) -> impl Iterator<Item = &'a Product> + 'a {
        self.products.iter().filter(move |p| &p.category == id)
    }

    /// The categories on the home screen: those without a parent (or whose parent is unknown).
    pub fn top_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.parent.as_ref().is_none_or(|p| self.category(p).is_none()))
    }

    /// The sub-categories of `id`, in catalog order.
    pub fn children<'a>(&'a self, id: &'a CategoryId) -> impl Iterator<Item = &'a Category> + 'a {
        self.categories.iter().filter(move |c| c.parent.as_ref() == Some(id) && &c.id != id)
    }

    /// Every product in `id` and in its sub-categories, depth first (a cycle is walked once).
    pub fn under<'a>(&'a self, id: &'a CategoryId) -> Vec<&'a Product> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            if !seen.insert(c) {
                continue;
            }
            out.extend(self.in_category(c));
            let children: Vec<_> = self.children(c).map(|k| &k.id).collect();
            stack.extend(children.into_iter().rev());
        }
        out
    }
}
