//! Sub-categories and a market's own order of products (issue 17), through the hub's HTTP
//! catalog pull in-process, on both engines (`NAME::sqlite`, `NAME::postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::store::{CatalogImport, HubError, ImportCategory, ImportProduct};
use super::tests::{Engine, place, plain_row};
use super::*;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;
use warm_core::api::{CatalogChange, CatalogPage};

fn category(id: &str, parent: Option<&str>) -> ImportCategory {
    ImportCategory {
        id: id.into(),
        name_zh: id.into(),
        name_en: id.into(),
        picture: id.as_bytes().to_vec(),
        parent: parent.map(Into::into),
    }
}

fn product(id: &str, category: &str) -> ImportProduct {
    ImportProduct { id: id.into(), row: plain_row(id, category, None), picture: id.as_bytes().to_vec() }
}

fn import(parent_of_rice: Option<&str>) -> CatalogImport {
    CatalogImport {
        market_name_zh: "测试".into(),
        market_name_en: "Test".into(),
        categories: vec![category("grain", None), category("rice", parent_of_rice)],
        products: vec![product("rice-5kg", "rice"), product("rice-10kg", "rice"), product("flour", "grain")],
    }
}

async fn page(state: &HubState, terminal: &str, token: &str, cursor: u64) -> CatalogPage {
    let req = Request::get(api::catalog_path(terminal, cursor, 1000))
        .header("authorization", api::bearer(token))
        .body(Body::empty())
        .unwrap();
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap()
}

on_both_engines! {
    async fn sub_categories_and_a_markets_own_order_reach_its_kiosks(engine: Engine) {
        let place = place(engine);
        let store = place.store.clone();
        let (k1, k3) = (new_token().unwrap(), new_token().unwrap());
        store.add_terminal("K1", "M1", &token_hash(&k1), Timestamp::now()).unwrap();
        store.add_terminal("K3", "M2", &token_hash(&k3), Timestamp::now()).unwrap();
        store.import_catalog(&import(Some("grain"))).unwrap();
        let state = HubState::new(store.clone(), &HubConfig::default()).unwrap();

        let first = page(&state, "K1", &k1, 0).await;
        let parents: Vec<(String, Option<String>)> = first
            .changes
            .iter()
            .filter_map(|c| match c {
                CatalogChange::Category { id, parent, .. } => Some((id.clone(), parent.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(parents, [("grain".into(), None), ("rice".into(), Some("grain".into()))]);

        // The co-op puts the 10 kg bag first in M1 only.
        store.set_position("M1", "rice-10kg", Some(1)).unwrap();
        let positions = |p: &CatalogPage| -> Vec<(String, Option<i64>)> {
            p.changes
                .iter()
                .filter_map(|c| match c {
                    CatalogChange::Assortment { product, position, .. } => Some((product.clone(), *position)),
                    _ => None,
                })
                .collect()
        };
        let m1 = page(&state, "K1", &k1, first.next_cursor).await;
        assert_eq!(positions(&m1), [("rice-10kg".into(), Some(1))]);
        assert!(positions(&page(&state, "K3", &k3, 0).await).is_empty(), "M2 keeps ordering by sales");
        // Back to the order of sales: a new version without a position.
        store.set_position("M1", "rice-10kg", None).unwrap();
        let back = page(&state, "K1", &k1, m1.next_cursor).await;
        assert_eq!(positions(&back), [("rice-10kg".into(), None)]);
        assert!(matches!(store.set_position("M1", "nothing", Some(1)), Err(HubError::NotFound(_))));

        // Moving the sub-category to the top is a change the kiosks pull; an unchanged import is not.
        assert_eq!(store.import_catalog(&import(Some("grain"))).unwrap().changed, 0);
        assert_eq!(store.import_catalog(&import(None)).unwrap().changed, 1);
        let moved = page(&state, "K1", &k1, back.next_cursor).await;
        assert!(matches!(&moved.changes[..], [CatalogChange::Category { id, parent: None, .. }] if id == "rice"));
    }
}
