//! The senior's basket: product ids and quantities. Prices are looked up in the catalog, so a
//! basket never holds a stale copy of a product.

use super::{Catalog, Money, ProductId};

/// The most of one product a basket holds; guards against a stuck finger or a bouncing screen.
pub const MAX_QTY_PER_LINE: u32 = 99;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub product: ProductId,
    pub qty: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<CartLine>,
}

impl Cart {
    pub fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of items (not lines): two bags of rice and one milk are three.
    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.qty).sum()
    }

    pub fn qty(&self, product: &ProductId) -> u32 {
        self.lines.iter().find(|l| &l.product == product).map_or(0, |l| l.qty)
    }

    /// Adds one; a new product goes to the end so the basket reads in the order it was filled.
    pub fn add(&mut self, product: &ProductId) {
        match self.lines.iter_mut().find(|l| &l.product == product) {
            Some(line) => line.qty = (line.qty + 1).min(MAX_QTY_PER_LINE),
            None => self.lines.push(CartLine { product: product.clone(), qty: 1 }),
        }
    }

    /// Removes one; the line goes away at zero.
    pub fn remove_one(&mut self, product: &ProductId) {
        if let Some(i) = self.lines.iter().position(|l| &l.product == product) {
            self.lines[i].qty -= 1;
            if self.lines[i].qty == 0 {
                self.lines.remove(i);
            }
        }
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// Drops lines whose product the catalog no longer sells (e.g. withdrawn by the cooperative).
    pub fn retain_known(&mut self, catalog: &Catalog) {
        self.lines.retain(|l| catalog.product(&l.product).is_some());
    }

    pub fn total(&self, catalog: &Catalog) -> Money {
        self.lines.iter().filter_map(|l| catalog.product(&l.product).map(|p| p.price * l.qty)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, CategoryId, Product, Text};

    fn catalog() -> Catalog {
        let product = |id: &str, fen| Product { ean13: format!("ean-{id}"), ..Product::for_test(id, fen) };
        Catalog::new(
            Text::default(),
            vec![Category { id: CategoryId("c".into()), name: Text::default(), picture: String::new(), parent: None }],
            vec![product("rice", 3990), product("milk", 650)],
        )
    }

    #[test]
    fn add_remove_and_total() {
        let catalog = catalog();
        let (rice, milk) = (ProductId::new("rice"), ProductId::new("milk"));
        let mut cart = Cart::default();
        cart.add(&rice);
        cart.add(&milk);
        cart.add(&milk);
        assert_eq!(cart.item_count(), 3);
        assert_eq!(cart.total(&catalog), Money(3990 + 2 * 650));
        cart.remove_one(&rice);
        assert_eq!(cart.qty(&rice), 0);
        assert_eq!(cart.lines().len(), 1);
        cart.remove_one(&rice);
        assert_eq!(cart.item_count(), 2);
    }

    #[test]
    fn quantity_is_capped() {
        let mut cart = Cart::default();
        let rice = ProductId::new("rice");
        for _ in 0..150 {
            cart.add(&rice);
        }
        assert_eq!(cart.qty(&rice), MAX_QTY_PER_LINE);
    }

    #[test]
    fn unknown_products_are_dropped() {
        let mut cart = Cart::default();
        cart.add(&ProductId::new("gone"));
        cart.add(&ProductId::new("rice"));
        cart.retain_known(&catalog());
        assert_eq!(cart.lines().len(), 1);
    }
}
