//! Households, limits with periods, usage by cursor and limit alarms (issue 10), through the
//! hub's HTTP surface in-process and its store, on both engines (`NAME::sqlite`, `NAME::postgres`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::store::{CatalogImport, ImportCategory, ImportProduct};
use super::tests::{Engine, Place, place, plain_row};
use super::*;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use tower::ServiceExt;
use warm_core::api::{CatalogChange, CatalogPage, Event, UsagePage};
use warm_core::domain::{Household, HouseholdId, Limit, LimitPeriod};

struct Hub {
    _place: Place,
    state: HubState,
    tokens: Vec<String>,
}

fn product(id: &str, limit: Option<u32>) -> ImportProduct {
    ImportProduct { id: id.into(), row: plain_row(id, "c", limit), picture: vec![1, 2, 3] }
}

/// K1 and K2 in market M1, K3 in M2; rice (no cooperative limit) and oil (cooperative limit 1 a day).
fn hub(engine: Engine) -> Hub {
    let place = place(engine);
    let store = place.store.clone();
    let now = Timestamp::now();
    let mut tokens = Vec::new();
    for (t, m) in [("K1", "M1"), ("K2", "M1"), ("K3", "M2")] {
        let token = new_token().unwrap();
        store.add_terminal(t, m, &token_hash(&token), now).unwrap();
        tokens.push(token);
    }
    store
        .import_catalog(&CatalogImport {
            market_name_zh: "测试".into(),
            market_name_en: "Test".into(),
            categories: vec![ImportCategory {
                id: "c".into(),
                name_zh: "c".into(),
                name_en: "c".into(),
                picture: vec![1],
                parent: None,
            }],
            products: vec![product("rice", None), product("oil", Some(1))],
        })
        .unwrap();
    let state = HubState::new(store, &HubConfig::default()).unwrap();
    Hub { _place: place, state, tokens }
}

fn household(id: &str) -> Household {
    Household::new(id, "", "王", "").unwrap()
}

fn order(seq: u64, household: Option<&str>, lines: &[(&str, u32)]) -> Event {
    let id = uuid::Uuid::now_v7();
    let lines: Vec<_> = lines.iter().map(|(p, q)| json!({"product": p, "unit_price": 100, "qty": q})).collect();
    let payload = json!({
        "id": id, "number": {"terminal": "K?", "seq": seq}, "household": household, "status": "placed",
        "created_at": super::sqlite::time_text(Timestamp::now()), "lines": lines,
    });
    Event {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "order.placed".into(),
        created_at: super::sqlite::time_text(Timestamp::now()),
        payload: serde_json::value::to_raw_value(&payload).unwrap(),
    }
}

fn order_id(event: &Event) -> String {
    serde_json::from_str::<serde_json::Value>(event.payload.get()).unwrap()["id"].as_str().unwrap().to_owned()
}

async fn push(h: &Hub, k: usize, events: &[Event]) {
    let terminal = format!("K{}", k + 1);
    let req = Request::post(api::events_path(&terminal))
        .header("content-type", "application/json")
        .header("authorization", api::bearer(&h.tokens[k]))
        .body(Body::from(api::encode_push(events).unwrap()))
        .unwrap();
    let resp = app(h.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

async fn get<T: serde::de::DeserializeOwned>(h: &Hub, k: usize, path: String) -> T {
    let req = Request::get(path).header("authorization", api::bearer(&h.tokens[k])).body(Body::empty()).unwrap();
    let resp = app(h.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn limit_alarms(h: &Hub) -> Vec<String> {
    let (from, to) = (Timestamp::UNIX_EPOCH, Timestamp::MAX);
    let d = h.state.store.dashboard(from, to).unwrap();
    d.alarms.into_iter().filter(|a| a.kind == "limit").map(|a| a.message).collect()
}

on_both_engines! {
    async fn households_reach_only_their_market_through_the_catalog_pull_and_leave_with_a_tombstone(engine: Engine) {
        let h = hub(engine);
        let store = &h.state.store;
        let summary = store.import_households("M1", &[household("3-2-501"), household("3-2-502")]).unwrap();
        assert_eq!((summary.added, summary.changed, summary.unchanged), (2, 0, 0));
        let again =
            store.import_households("M1", &[household("3-2-501"), Household::new("3-2-502", "", "李", "").unwrap()]);
        assert_eq!(again.unwrap(), super::store::HouseholdImport { added: 0, changed: 1, unchanged: 1 });
        let page: CatalogPage = get(&h, 0, api::catalog_path("K1", 0, 1000)).await;
        let ids: Vec<&str> = page
            .changes
            .iter()
            .filter_map(|c| if let CatalogChange::Household { id, .. } = c { Some(id.as_str()) } else { None })
            .collect();
        assert_eq!(ids, ["3-2-501", "3-2-502"]);
        let other: CatalogPage = get(&h, 2, api::catalog_path("K3", 0, 1000)).await;
        assert!(!other.changes.iter().any(|c| matches!(c, CatalogChange::Household { .. })), "M2 sees no M1 household");
        store.remove_household("M1", &HouseholdId::parse("3-2-501").unwrap()).unwrap();
        let after: CatalogPage = get(&h, 0, api::catalog_path("K1", page.next_cursor, 1000)).await;
        assert!(matches!(&after.changes[..], [CatalogChange::Household { id, deleted: true, .. }] if id == "3-2-501"));
        assert_eq!(store.households("M1").unwrap().len(), 1);
        assert!(matches!(
            store.remove_household("M1", &HouseholdId::parse("9-9-9").unwrap()),
            Err(super::store::HubError::NotFound(_))
        ));
    }
}

on_both_engines! {
    async fn a_limit_carries_its_period_to_the_kiosks(engine: Engine) {
        let h = hub(engine);
        let week = Limit { per_household: 2, period: LimitPeriod::Week };
        h.state.store.set_household_limit("M1", "rice", Some(week)).unwrap();
        h.state.store.set_limit("M1", "oil", Some(3)).unwrap();
        let page: CatalogPage = get(&h, 0, api::catalog_path("K1", 0, 1000)).await;
        let terms: Vec<(String, Option<u32>, Option<LimitPeriod>)> = page
            .changes
            .into_iter()
            .filter_map(|c| match c {
                CatalogChange::Assortment { product, limit_per_household, limit_period, .. } => {
                    Some((product, limit_per_household, limit_period))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            terms,
            [("rice".into(), Some(2), Some(LimitPeriod::Week)), ("oil".into(), Some(3), Some(LimitPeriod::Day))]
        );
    }
}

on_both_engines! {
    async fn usage_is_served_by_cursor_to_the_market_and_amendments_replace_it(engine: Engine) {
        let h = hub(engine);
        let a = order(1, Some("03-2-501"), &[("rice", 1), ("oil", 1), ("rice", 1)]);
        let walk_in = order(2, None, &[("rice", 5)]);
        push(&h, 0, &[a.clone(), walk_in]).await;
        let page: UsagePage = get(&h, 1, api::usage_path("K2", 0, 1000)).await;
        let seen: Vec<(&str, &str, u32, &str)> =
            page.entries.iter().map(|e| (e.household.as_str(), e.product.as_str(), e.qty, e.terminal.as_str())).collect();
        assert_eq!(seen, [("3-2-501", "rice", 2, "K1"), ("3-2-501", "oil", 1, "K1")], "no household, no usage");
        assert!(!page.more);
        let none: UsagePage = get(&h, 2, api::usage_path("K3", 0, 1000)).await;
        assert!(none.entries.is_empty(), "another market's kiosk hears nothing of M1");
        let first: UsagePage = get(&h, 1, api::usage_path("K2", 0, 1)).await;
        assert_eq!((first.entries.len(), first.more), (1, true));

        // The volunteer took the oil out at the counter: the allowance is free again.
        let amended = Event {
            id: uuid::Uuid::now_v7(),
            seq: 3,
            kind: "order.amended".into(),
            created_at: super::sqlite::time_text(Timestamp::now()),
            payload: serde_json::value::to_raw_value(&json!({
                "order_id": order_id(&a), "before": [], "after": [{"product": "rice", "unit_price": 100, "qty": 2}],
            }))
            .unwrap(),
        };
        push(&h, 0, &[amended]).await;
        let next: UsagePage = get(&h, 1, api::usage_path("K2", page.next_cursor, 1000)).await;
        let seen: Vec<(&str, u32)> = next.entries.iter().map(|e| (e.product.as_str(), e.qty)).collect();
        assert_eq!(seen, [("oil", 0)], "only what changed comes again");
    }
}

on_both_engines! {
    async fn two_kiosks_within_the_limit_each_but_over_it_together_raise_one_alarm_naming_both_orders(engine: Engine) {
        let h = hub(engine);
        h.state
            .store
            .set_household_limit("M1", "rice", Some(Limit { per_household: 2, period: LimitPeriod::Week }))
            .unwrap();
        let at_k1 = order(1, Some("3-2-501"), &[("rice", 2)]);
        let at_k2 = order(1, Some("3-2-501"), &[("rice", 1)]);
        let other_home = order(2, Some("3-2-502"), &[("rice", 2)]);
        push(&h, 0, std::slice::from_ref(&at_k1)).await;
        assert!(limit_alarms(&h).is_empty(), "within the limit");
        push(&h, 1, &[at_k2.clone(), other_home]).await;
        let alarms = limit_alarms(&h);
        assert_eq!(alarms.len(), 1, "{alarms:?}");
        for needle in ["3-2-501", "rice", "K1-0001", "K2-0001", &order_id(&at_k1), &order_id(&at_k2)] {
            assert!(alarms[0].contains(needle), "{} should name {needle}", alarms[0]);
        }
        // Both orders are kept: a breach refuses nothing.
        assert_eq!(h.state.store.event_count(None).unwrap(), 3);
        // Checked rows are not checked again: another push raises nothing new.
        push(&h, 0, &[order(2, Some("3-2-9"), &[("oil", 1)])]).await;
        assert_eq!(limit_alarms(&h).len(), 1);
        let page = h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap();
        let session =
            super::store::Session { operator: "desk".into(), role: super::store::Role::Desk, expires_at: Timestamp::MAX };
        let html = dashboard::render(&page, &h.state.time_zone, Timestamp::now(), &session);
        assert!(html.contains("限购超出") && html.contains("K2-0001"), "the dashboard shows it");
    }
}

on_both_engines! {
    async fn the_cooperative_limit_counts_per_day_and_a_bigger_market_limit_allows_more(engine: Engine) {
        let h = hub(engine);
        // Oil: the cooperative allows 1 a day; two 1s in a day are over it.
        push(&h, 0, &[order(1, Some("1-101"), &[("oil", 1)])]).await;
        push(&h, 1, &[order(1, Some("1-101"), &[("oil", 1)])]).await;
        assert_eq!(limit_alarms(&h).len(), 1);
        h.state.store.set_limit("M1", "oil", Some(5)).unwrap();
        push(&h, 0, &[order(2, Some("1-102"), &[("oil", 3)])]).await;
        push(&h, 1, &[order(2, Some("1-102"), &[("oil", 2)])]).await;
        assert_eq!(limit_alarms(&h).len(), 1, "5 of 5 is within the market's limit");
    }
}

on_both_engines! {
    async fn a_daily_list_is_set_shown_and_cleared_and_reaches_only_its_market_by_the_catalog_pull(engine: Engine) {
        use warm_core::domain::DailyItem;
        let h = hub(engine);
        let store = &h.state.store;
        assert!(store.daily_list("M1").unwrap().is_empty(), "no list until one is set");
        let before: CatalogPage = get(&h, 0, api::catalog_path("K1", 0, 1000)).await;
        let list = vec![
            DailyItem { product: "oil".into(), available: Some(40) },
            DailyItem { product: "rice".into(), available: None },
        ];
        store.set_daily_list("M1", &list).unwrap();
        assert_eq!(store.daily_list("M1").unwrap(), list, "shown in the order set");
        let page: CatalogPage = get(&h, 0, api::catalog_path("K1", before.next_cursor, 1000)).await;
        assert!(
            matches!(&page.changes[..], [CatalogChange::DailyList { items, .. }] if *items == list),
            "{:?}",
            page.changes
        );
        let other: CatalogPage = get(&h, 2, api::catalog_path("K3", 0, 1000)).await;
        assert!(!other.changes.iter().any(|c| matches!(c, CatalogChange::DailyList { .. })), "M2 has no list");

        // A product the hub does not know refuses the whole list, in words naming it.
        let bad = [DailyItem { product: "rice".into(), available: Some(1) }, DailyItem { product: "caviar".into(), available: None }];
        let refused = store.set_daily_list("M1", &bad).unwrap_err().to_string();
        assert!(refused.contains("caviar") && refused.contains("nothing"), "{refused}");
        assert_eq!(store.daily_list("M1").unwrap(), list, "the refused list changed nothing");

        store.set_daily_list("M1", &[]).unwrap();
        assert!(store.daily_list("M1").unwrap().is_empty());
        let cleared: CatalogPage = get(&h, 0, api::catalog_path("K1", page.next_cursor, 1000)).await;
        assert!(matches!(&cleared.changes[..], [CatalogChange::DailyList { items, .. }] if items.is_empty()));
        let again: CatalogPage = get(&h, 0, api::catalog_path("K1", cleared.next_cursor, 1000)).await;
        assert!(again.changes.is_empty(), "nothing new after the cursor");

        // A product the market does not sell refuses the list too; a market that sells it may list it.
        store.set_listed("M1", "oil", false).unwrap();
        let refused = store.set_daily_list("M1", &list).unwrap_err().to_string();
        assert!(refused.contains("oil") && refused.contains("not sold at market M1"), "{refused}");
        assert!(store.daily_list("M1").unwrap().is_empty(), "the refused list changed nothing");
        store.set_daily_list("M2", &list).unwrap();
        store.set_listed("M1", "oil", true).unwrap();
        store.set_daily_list("M1", &list).unwrap();
    }
}
