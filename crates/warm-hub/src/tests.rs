//! The hub's HTTP surface driven in-process with `tower::ServiceExt::oneshot`, each scenario on
//! both engines: `NAME::sqlite` on a real SQLite file, `NAME::postgres` on a real PostgreSQL
//! database of its own (see `postgres::scratch`: `WARM_TEST_PG`, or a server started for the run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::postgres::scratch::ScratchDb;
use super::sqlite::SqliteHub;
use super::store::HubStore;
use super::*;
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use tower::ServiceExt;
use warm_core::api::{CatalogPage, Event, PushResponse};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// Each scenario runs on both engines, as `NAME::sqlite` and `NAME::postgres`.
macro_rules! on_both_engines {
    ($(#[$attr:meta])* async fn $name:ident($engine:ident: Engine) $body:block) => {
        $(#[$attr])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                scenario(Engine::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                scenario(Engine::Postgres).await
            }

            async fn scenario($engine: Engine) $body
        }
    };
}

/// A store of the engine's, empty. (Fields drop in order: the store before its database.)
struct Place {
    store: Arc<dyn HubStore>,
    _db: Option<ScratchDb>,
    _dir: tempfile::TempDir,
}

fn place(engine: Engine) -> Place {
    let dir = tempfile::tempdir().unwrap();
    match engine {
        Engine::Sqlite => {
            Place { store: Arc::new(SqliteHub::open(&dir.path().join("hub.sqlite")).unwrap()), _db: None, _dir: dir }
        }
        Engine::Postgres => {
            let db = ScratchDb::new().unwrap();
            Place { store: Arc::new(postgres::PgHub::open(&db.url).unwrap()), _db: Some(db), _dir: dir }
        }
    }
}

struct Hub {
    state: HubState,
    _place: Place,
}

fn hub(engine: Engine) -> (Hub, String, String) {
    hub_with_body_limit(engine, 64 * 1024)
}

fn hub_with_body_limit(engine: Engine, max_body_bytes: usize) -> (Hub, String, String) {
    let place = place(engine);
    let store = place.store.clone();
    let (a, b) = (new_token().unwrap(), new_token().unwrap());
    let now = Timestamp::now();
    store.add_terminal("K1", "M1", &token_hash(&a), now).unwrap();
    store.add_terminal("K2", "M1", &token_hash(&b), now).unwrap();
    let state = HubState::new(store, &HubConfig { max_body_bytes, ..HubConfig::default() }).unwrap();
    (Hub { state, _place: place }, a, b)
}

fn event(seq: u64, total: i64) -> Event {
    Event {
        id: uuid::Uuid::now_v7(),
        seq,
        kind: "order.placed".into(),
        created_at: super::sqlite::time_text(Timestamp::now()),
        payload: serde_json::value::to_raw_value(&json!({"lines": [{"unit_price": total, "qty": 1}]})).unwrap(),
    }
}

async fn send(h: &Hub, token: Option<&str>, terminal: &str, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
    send_following(&h.state, token, terminal, body, None).await
}

/// A push sent while the one carrying events up to `follows` has not been answered yet.
async fn send_following(
    state: &HubState,
    token: Option<&str>,
    terminal: &str,
    body: Vec<u8>,
    follows: Option<u64>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::post(api::events_path(terminal)).header("content-type", "application/json");
    if let Some(seq) = follows {
        req = req.header(api::FOLLOWS_SEQ, seq.to_string());
    }
    if let Some(t) = token {
        req = req.header("authorization", api::bearer(t));
    }
    let resp = app(state.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

fn push_body(events: &[Event]) -> Vec<u8> {
    api::encode_push(events).unwrap()
}

on_both_engines! {
    async fn a_batch_is_stored_once_and_a_resend_is_acknowledged_as_duplicate(engine: Engine) {
        let (h, a, _) = hub(engine);
        let events: Vec<Event> = (1..=3).map(|s| event(s, 100)).collect();
        let (status, body) = send(&h, Some(&a), "K1", push_body(&events)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let r: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!((r.acked_upto, r.stored, r.duplicates), (3, 3, 0));
        let (status, body) = send(&h, Some(&a), "K1", push_body(&events)).await;
        assert_eq!(status, StatusCode::OK);
        let r: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!((r.acked_upto, r.stored, r.duplicates), (3, 0, 3));
        assert_eq!(h.state.store.event_count(None).unwrap(), 3);
    }
}

on_both_engines! {
    async fn a_gap_is_refused_and_nothing_is_stored(engine: Engine) {
        let (h, a, _) = hub(engine);
        let events = vec![event(2, 1), event(3, 1)];
        let (status, body) = send(&h, Some(&a), "K1", push_body(&events)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"], "gap");
        assert_eq!(h.state.store.event_count(None).unwrap(), 0);
    }
}

on_both_engines! {
    async fn a_changed_payload_gets_409_and_an_alarm_and_the_batch_is_not_partly_stored(engine: Engine) {
        let (h, a, _) = hub(engine);
        let mut events: Vec<Event> = (1..=2).map(|s| event(s, 100)).collect();
        assert_eq!(send(&h, Some(&a), "K1", push_body(&events)).await.0, StatusCode::OK);
        events[1].payload = serde_json::value::to_raw_value(&json!({"lines": [{"unit_price": 999, "qty": 1}]})).unwrap();
        events.push(event(3, 5));
        let (status, body) = send(&h, Some(&a), "K1", push_body(&events)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["acked_upto"], 2);
        assert_eq!(h.state.store.event_count(None).unwrap(), 2, "event 3 of the refused batch must not be stored");
        // The terminal retries: the same alarm is counted, not listed again.
        assert_eq!(send(&h, Some(&a), "K1", push_body(&events)).await.0, StatusCode::CONFLICT);
        let d = h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap();
        assert_eq!(d.alarms.len(), 1);
        assert_eq!((d.alarms[0].kind.as_str(), d.alarms[0].repeats), ("conflict", 2));
        h.state.store.clear_alarm(d.alarms[0].id, Timestamp::now()).unwrap();
        assert!(h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap().alarms.is_empty());
    }
}

on_both_engines! {
    /// Hundreds of events reach the store's transaction while the body is still being decoded (see
    /// `ingest`): a body that goes bad near its end must still leave nothing behind.
    async fn a_body_cut_short_after_hundreds_of_events_stores_none_of_them(engine: Engine) {
        let (h, a, _) = hub(engine);
        let events: Vec<Event> = (1..=300).map(|s| event(s, 100)).collect();
        let whole = push_body(&events);
        let (status, body) = send(&h, Some(&a), "K1", whole[..whole.len() - 5].to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "malformed");
        assert_eq!(h.state.store.event_count(None).unwrap(), 0);
        let (status, body) = send(&h, Some(&a), "K1", whole).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(h.state.store.event_count(None).unwrap(), 300);
    }
}

on_both_engines! {
    async fn a_conflict_inside_a_malformed_body_is_answered_as_malformed_without_an_alarm(engine: Engine) {
        let (h, a, _) = hub(engine);
        let mut events: Vec<Event> = (1..=2).map(|s| event(s, 100)).collect();
        assert_eq!(send(&h, Some(&a), "K1", push_body(&events)).await.0, StatusCode::OK);
        events[0].payload = serde_json::value::to_raw_value(&json!({"changed": true})).unwrap();
        let body = push_body(&events);
        let (status, refusal) = send(&h, Some(&a), "K1", body[..body.len() - 2].to_vec()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
        assert!(h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap().alarms.is_empty());
        assert_eq!(h.state.store.event_count(None).unwrap(), 2);
    }
}

on_both_engines! {
    async fn more_events_than_one_push_may_carry_get_413_and_nothing_is_stored(engine: Engine) {
        let (h, a, _) = hub_with_body_limit(engine, api::MAX_BODY_BYTES);
        let events: Vec<Event> = (1..=api::MAX_BATCH_EVENTS as u64 + 1).map(|s| event(s, 1)).collect();
        let (status, refusal) = send(&h, Some(&a), "K1", push_body(&events)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{refusal}");
        assert_eq!(refusal["error"], "too_large");
        assert_eq!(h.state.store.event_count(None).unwrap(), 0);
        let (status, _) = send(&h, Some(&a), "K1", push_body(&events[..api::MAX_BATCH_EVENTS])).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(h.state.store.event_count(None).unwrap(), api::MAX_BATCH_EVENTS as u64);
    }
}

on_both_engines! {
    async fn a_push_that_arrives_before_the_one_it_follows_waits_for_it(engine: Engine) {
        let (h, a, _) = hub(engine);
        let events: Vec<Event> = (1..=20).map(|s| event(s, 100)).collect();
        let (first, second) = (push_body(&events[..10]), push_body(&events[10..]));
        // The follower gets there first; stored straight away it would be a gap (and an alarm).
        let follower = {
            let (state, a) = (h.state.clone(), a.clone());
            tokio::spawn(async move { send_following(&state, Some(&a), "K1", second, Some(10)).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let (status, body) = send(&h, Some(&a), "K1", first).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = follower.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["acked_upto"], 20);
        assert_eq!(h.state.store.event_count(None).unwrap(), 20);
        assert!(h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap().alarms.is_empty());
    }
}

on_both_engines! {
    async fn a_push_following_one_that_failed_or_never_came_is_refused_without_an_alarm(engine: Engine) {
        let (h, a, _) = hub(engine);
        let events: Vec<Event> = (1..=4).map(|s| event(s, 100)).collect();
        // Nothing comes before it: refused once the wait for an arrival is over.
        let started = std::time::Instant::now();
        let (status, body) = send_following(&h.state, Some(&a), "K1", push_body(&events[2..]), Some(2)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!((body["error"].as_str(), body["acked_upto"].as_u64()), (Some("out_of_order"), Some(0)));
        assert!(started.elapsed() >= super::pipeline::ARRIVAL_WAIT);
        // The push before it comes but is refused (a gap): the follower is refused as soon as it is.
        let follower = {
            let (state, a, body) = (h.state.clone(), a.clone(), push_body(&events[2..]));
            tokio::spawn(async move { send_following(&state, Some(&a), "K1", body, Some(2)).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let started = std::time::Instant::now();
        assert_eq!(send(&h, Some(&a), "K1", push_body(&events[1..2])).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = follower.await.unwrap();
        assert_eq!((status, body["error"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("out_of_order")));
        assert!(started.elapsed() < super::pipeline::ARRIVAL_WAIT, "it waited for nothing: {:?}", started.elapsed());
        assert_eq!(h.state.store.event_count(None).unwrap(), 0);
        let alarms = h.state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap().alarms;
        assert_eq!(alarms.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(), ["gap"], "only the real gap is an alarm");
        // Sent again from the high-water mark, in order, everything is stored once.
        assert_eq!(send(&h, Some(&a), "K1", push_body(&events)).await.0, StatusCode::OK);
        assert_eq!(h.state.store.event_count(None).unwrap(), 4);
    }
}

on_both_engines! {
    async fn an_id_reused_by_another_terminal_is_a_conflict(engine: Engine) {
        let (h, a, b) = hub(engine);
        let e = event(1, 100);
        assert_eq!(send(&h, Some(&a), "K1", push_body(std::slice::from_ref(&e))).await.0, StatusCode::OK);
        let (status, _) = send(&h, Some(&b), "K2", push_body(&[e])).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(h.state.store.event_count(Some("K2")).unwrap(), 0);
    }
}

on_both_engines! {
    async fn tokens_are_checked_before_anything_is_stored(engine: Engine) {
        let (h, a, b) = hub(engine);
        let body = push_body(&[event(1, 1)]);
        assert_eq!(send(&h, None, "K1", body.clone()).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(send(&h, Some("wmt_nonsense"), "K1", body.clone()).await.0, StatusCode::UNAUTHORIZED);
        let (status, refusal) = send(&h, Some(&b), "K1", body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(refusal["message"].as_str().unwrap().contains("K2"), "{refusal}");
        assert_eq!(send(&h, Some(&a), "K1", b"{not json".to_vec()).await.0, StatusCode::BAD_REQUEST);
        let (status, refusal) = send(&h, Some(&a), "K1", vec![b' '; 100 * 1024]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{refusal}");
        assert_eq!(refusal["error"], "too_large");
        let mut shuffled = vec![event(1, 1), event(3, 1)];
        assert_eq!(send(&h, Some(&a), "K1", push_body(&shuffled)).await.0, StatusCode::BAD_REQUEST);
        shuffled[0].seq = 0;
        assert_eq!(send(&h, Some(&a), "K1", push_body(&shuffled[..1])).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(h.state.store.event_count(None).unwrap(), 0);
    }
}

on_both_engines! {
    async fn the_catalog_comes_in_pages_with_tombstones_and_market_terms(engine: Engine) {
        let (h, a, _) = hub(engine);
        let catalog =
            import::from_toml(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/catalog.toml")))
                .unwrap();
        let n_products = catalog.products.len();
        h.state.store.import_catalog(&catalog).unwrap();
        let first = catalog.products[0].id.clone();
        h.state.store.set_price("M1", &first, Some(1)).unwrap();
        h.state.store.set_price("M2", &first, Some(2)).unwrap();
        let mut cursor = 0;
        let mut all = Vec::new();
        loop {
            let req = Request::get(api::catalog_path("K1", cursor, 7))
                .header("authorization", api::bearer(&a))
                .body(Body::empty())
                .unwrap();
            let resp = app(h.state.clone()).oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let page: CatalogPage =
                serde_json::from_slice(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
            assert!(page.changes.len() <= 7);
            all.extend(page.changes);
            cursor = page.next_cursor;
            if !page.more {
                break;
            }
        }
        let products = all.iter().filter(|c| matches!(c, warm_core::api::CatalogChange::Product { .. })).count();
        assert_eq!(products, n_products);
        let terms: Vec<_> = all.iter().filter(|c| matches!(c, warm_core::api::CatalogChange::Assortment { .. })).collect();
        assert_eq!(terms.len(), 1, "only this market's terms: {terms:?}");
        let versions: Vec<u64> = all.iter().map(|c| c.version()).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        // `more` is exact: a page that holds everything says so; one row short says there is more.
        let terminal = Terminal { id: "K1".into(), market: "M1".into() };
        let n = all.len() as u32;
        assert!(!h.state.store.catalog_page(&terminal, 0, n, Timestamp::now()).unwrap().more);
        assert!(h.state.store.catalog_page(&terminal, 0, n - 1, Timestamp::now()).unwrap().more);
        let product_only = n - 1 - catalog.categories.len() as u32; // as many as the products alone
        let page = h.state.store.catalog_page(&terminal, 0, product_only, Timestamp::now()).unwrap();
        assert!(page.more && page.changes.len() == product_only as usize);

        // Re-importing without the first product withdraws it with a tombstone after the cursor.
        let mut smaller = catalog.clone();
        smaller.products.remove(0);
        let summary = h.state.store.import_catalog(&smaller).unwrap();
        assert_eq!(summary.withdrawn, 1);
        let page = h.state.store.catalog_page(&terminal, cursor, 100, Timestamp::now()).unwrap();
        // (The others moved up one place, so they come again with their new position.)
        let tombstones: Vec<&str> = page
            .changes
            .iter()
            .filter_map(|c| match c {
                warm_core::api::CatalogChange::Product { deleted: true, id, .. } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(tombstones, [first.as_str()]);
        assert!(page.changes.iter().all(|c| c.version() > cursor));
    }
}

#[test]
fn pushes_reach_the_database_file_through_the_background_checkpointer() {
    // Commits leave checkpoints to the checkpointer thread: if it did not run, everything would
    // stay in the WAL until the hub closed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    let store = SqliteHub::open(&path).unwrap();
    store.add_terminal("K1", "M1", "hash", Timestamp::now()).unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    let terminal = Terminal { id: "K1".into(), market: "M1".into() };
    let events: Vec<Event> = (1..=2000).map(|s| event(s, 100)).collect();
    let outcome = store.push(&terminal, &mut ingest::Batch::of(events), Timestamp::now()).unwrap();
    assert!(matches!(outcome, PushOutcome::Accepted(PushResponse { stored: 2000, .. })), "{outcome:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&path).unwrap().len() < before + 200 * 1024 {
        assert!(std::time::Instant::now() < deadline, "the database file never grew: no checkpoint ran");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

on_both_engines! {
    async fn health_and_dashboard_answer(engine: Engine) {
        let (h, a, _) = hub(engine);
        let resp = app(h.state.clone()).oneshot(Request::get("/v1/health").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        send(&h, Some(&a), "K1", push_body(&[event(1, 1234), event(2, 66)])).await;
        let resp = app(h.state.clone()).oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        let html = String::from_utf8(axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
        assert!(html.contains("￥13.00"), "{html}");
        assert!(html.contains(r#"<td class="num orders">2</td>"#), "{html}");
    }
}

/// A product the tests' catalogs hold: a tiny distinct picture each.
fn product(i: usize) -> store::ImportProduct {
    store::ImportProduct {
        id: format!("p{i:04}"),
        category: "c1".into(),
        name_zh: format!("商品{i}"),
        name_en: format!("Product {i}"),
        spec_zh: "1袋".into(),
        spec_en: "1 bag".into(),
        unit_zh: "袋".into(),
        unit_en: "bag".into(),
        price_fen: 100 + i as i64,
        ean13: "6900000000000".into(),
        limit_per_household: i.is_multiple_of(3).then_some(2),
        picture: format!("picture {i}").into_bytes(),
    }
}

fn catalog_of(products: usize) -> store::CatalogImport {
    store::CatalogImport {
        market_name_zh: "峨海小区".into(),
        market_name_en: "Ehai".into(),
        categories: vec![store::ImportCategory {
            id: "c1".into(),
            name_zh: "粮油".into(),
            name_en: "Grain".into(),
            picture: b"c1".to_vec(),
        }],
        products: (0..products).map(product).collect(),
    }
}

/// The catalog as a kiosk holds it after applying pages: the last change of each row.
type Held = std::collections::BTreeMap<String, warm_core::api::CatalogChange>;

fn apply(held: &mut Held, changes: Vec<warm_core::api::CatalogChange>) {
    use warm_core::api::CatalogChange as C;
    for change in changes {
        let key = match &change {
            C::Market { .. } => "market".to_owned(),
            C::Category { id, .. } => format!("category {id}"),
            C::Product { id, .. } => format!("product {id}"),
            C::Assortment { product, .. } => format!("assortment {product}"),
        };
        held.insert(key, change);
    }
}

/// Pulls from `cursor` until no page says more; returns the new cursor.
fn pull(store: &dyn HubStore, terminal: &Terminal, mut cursor: u64, held: &mut Held, page: u32) -> u64 {
    loop {
        let p = store.catalog_page(terminal, cursor, page, Timestamp::now()).unwrap();
        assert!(p.changes.iter().all(|c| c.version() > cursor), "a page went back before its cursor");
        apply(held, p.changes);
        cursor = p.next_cursor;
        if !p.more {
            return cursor;
        }
    }
}

on_both_engines! {
    /// Two operators change prices while three kiosks pull by cursor, all at once: a version
    /// handed out first but committed last must not be passed by a cursor, so every kiosk ends
    /// with exactly the hub's catalog.
    async fn kiosks_pulling_while_two_operators_change_prices_end_with_the_hubs_catalog(engine: Engine) {
        let place = place(engine);
        let store = place.store.as_ref();
        store.import_catalog(&catalog_of(60)).unwrap();
        let terminal = Terminal { id: "K1".into(), market: "M1".into() };
        let done = std::sync::atomic::AtomicUsize::new(0);
        let held: Vec<Held> = std::thread::scope(|s| {
            // One operator sets this market's prices product by product; the other re-imports
            // the cooperative's catalog with new prices: two tables change at once.
            let done = &done;
            s.spawn(move || {
                for round in 0..4i64 {
                    for i in 0..60 {
                        store.set_price("M1", &format!("p{i:04}"), Some(1000 * round + i)).unwrap();
                        if i % 7 == 0 {
                            store.set_price("M2", &format!("p{i:04}"), Some(1)).unwrap();
                        }
                    }
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
            s.spawn(move || {
                for round in 1..=8 {
                    let mut catalog = catalog_of(60);
                    catalog.products.iter_mut().for_each(|p| p.price_fen += 10_000 * round);
                    store.import_catalog(&catalog).unwrap();
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
            let kiosks: Vec<_> = (0..3u32)
                .map(|k| {
                    let terminal = &terminal;
                    s.spawn(move || {
                        let mut held = Held::new();
                        let mut cursor = 0;
                        loop {
                            let finished = done.load(std::sync::atomic::Ordering::SeqCst) == 2;
                            cursor = pull(store, terminal, cursor, &mut held, 3 + k * 5);
                            if finished {
                                return held;
                            }
                        }
                    })
                })
                .collect();
            kiosks.into_iter().map(|k| k.join().unwrap()).collect()
        });
        let mut hub = Held::new();
        pull(store, &terminal, 0, &mut hub, 1000);
        assert_eq!(hub.keys().filter(|k| k.starts_with("assortment")).count(), 60);
        assert!(matches!(hub.get("product p0000"), Some(warm_core::api::CatalogChange::Product { price_fen: 80_100, .. })));
        for (k, kiosk) in held.iter().enumerate() {
            let differ: Vec<&String> =
                hub.keys().filter(|key| kiosk.get(*key) != hub.get(*key)).collect();
            assert!(differ.is_empty(), "kiosk {k} differs from the hub in {} rows: {differ:?}", differ.len());
        }
    }
}

on_both_engines! {
    /// A cursor past every version there can be (2^63 and beyond) gets nothing, not everything.
    async fn a_cursor_beyond_every_version_gets_an_empty_page(engine: Engine) {
        let place = place(engine);
        place.store.import_catalog(&catalog_of(3)).unwrap();
        let terminal = Terminal { id: "K1".into(), market: "M1".into() };
        for cursor in [1u64 << 63, u64::MAX] {
            let page = place.store.catalog_page(&terminal, cursor, 10, Timestamp::now()).unwrap();
            assert!(page.changes.is_empty() && !page.more, "cursor {cursor}: {page:?}");
            assert_eq!(page.next_cursor, cursor);
        }
    }
}

#[test]
fn a_postgres_database_with_a_newer_schema_is_refused_and_hubs_starting_together_migrate_once() {
    let db = ScratchDb::new().unwrap();
    // Four hub processes starting at once on an empty database: one migrates, all start.
    let opened: Vec<Result<postgres::PgHub, store::HubError>> = std::thread::scope(|s| {
        let starting: Vec<_> = (0..4).map(|_| s.spawn(|| postgres::PgHub::open(&db.url))).collect();
        starting.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for hub in &opened {
        let hub = hub.as_ref().unwrap();
        assert_eq!(hub.schema_version().unwrap(), 1);
    }
    let hub = opened.into_iter().next().unwrap().unwrap();
    hub.add_terminal("K1", "M1", "hash", Timestamp::now()).unwrap();
    drop(hub);
    // A newer hub has been here: this one must not touch the database.
    let admin = postgres::PgHub::open(&db.url).unwrap();
    admin.execute_for_test("INSERT INTO warm_hub_schema (version) VALUES (2)").unwrap();
    drop(admin);
    let e = postgres::PgHub::open(&db.url).err().expect("a newer schema must be refused");
    assert!(e.to_string().contains("schema 2; this program knows 1"), "{e}");
}

#[test]
fn a_sqlite_file_with_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    drop(SqliteHub::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 9).unwrap();
    let e = SqliteHub::open(&path).err().expect("a newer schema must be refused");
    assert!(e.to_string().contains("schema 9; this program knows 1"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_postgres_cannot_hold_is_refused_as_malformed_and_nothing_is_stored() {
    let (h, a, _) = hub(Engine::Postgres);
    let mut events = vec![event(1, 100), event(2, 100)];
    events[1].kind = "order.placed\u{0}".into();
    let (status, body) = send(&h, Some(&a), "K1", push_body(&events)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("NUL"), "{body}");
    assert_eq!(h.state.store.event_count(None).unwrap(), 0);
}

/// Events of terminal `id` from `from` to `to`, as its kiosk would push them.
fn events_of(from: u64, to: u64) -> Vec<Event> {
    (from..=to).map(|s| event(s, (s % 500) as i64 + 1)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_hub_migrated_to_postgres_answers_the_same_and_kiosks_go_on_without_resending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite");
    let sqlite = SqliteHub::open(&path).unwrap();
    sqlite.import_catalog(&catalog_of(1000)).unwrap();
    sqlite.set_price("M1", "p0001", Some(1)).unwrap();
    sqlite.set_listed("M2", "p0002", false).unwrap();
    let mut catalog = catalog_of(1000);
    catalog.products.remove(3);
    sqlite.import_catalog(&catalog).unwrap();
    // Three kiosks, 100,000 events; the last batch of each is kept as if its answer was lost.
    let now = Timestamp::now();
    let terminals = ["K1", "K2", "K3"];
    let mut tokens = Vec::new();
    let mut last_batches = Vec::new();
    for (k, id) in terminals.iter().enumerate() {
        let token = new_token().unwrap();
        sqlite.add_terminal(id, &format!("M{}", k % 2 + 1), &token_hash(&token), now).unwrap();
        tokens.push(token);
        let terminal = Terminal { id: (*id).into(), market: format!("M{}", k % 2 + 1) };
        let total = [33_334u64, 33_333, 33_333][k];
        let mut seq = 0;
        let mut last = Vec::new();
        while seq < total {
            let batch = events_of(seq + 1, (seq + 5000).min(total));
            seq += batch.len() as u64;
            last = batch.clone();
            let outcome = sqlite.push(&terminal, &mut ingest::Batch::of(batch), now).unwrap();
            assert!(matches!(outcome, PushOutcome::Accepted(_)), "{outcome:?}");
        }
        last_batches.push(last);
    }
    sqlite.raise_alarm(Some("K1"), "conflict", "event x came back with a different content", now).unwrap();
    sqlite.raise_alarm(Some("K2"), "gap", "terminal K2 sent event #9", now).unwrap();
    sqlite.raise_alarm(Some("K2"), "gap", "terminal K2 sent event #9", now).unwrap();
    sqlite.raise_alarm(None, "note", "cleared before the move", now).unwrap();
    sqlite.clear_alarm(3, now).unwrap();
    let expected = sqlite.census().unwrap();
    assert_eq!(expected.events, 100_000);
    drop(sqlite);

    let db = ScratchDb::new().unwrap();
    let pg = postgres::PgHub::open(&db.url).unwrap();
    let copied = postgres::from_sqlite::migrate(&path, &pg).unwrap();
    assert_eq!(copied, expected, "counts, high-water marks, sums and the catalog version");
    assert_eq!(pg.census().unwrap(), expected);
    // Never twice: the database now holds a hub.
    let again = postgres::from_sqlite::migrate(&path, &pg).unwrap_err();
    assert!(again.to_string().contains("already holds a hub"), "{again}");
    assert_eq!(pg.census().unwrap(), expected);

    // The same answers from both engines: dashboard, catalog pages, marks, pictures.
    let sqlite = SqliteHub::open(&path).unwrap();
    assert_eq!(
        pg.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap(),
        sqlite.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap()
    );
    for (k, id) in terminals.iter().enumerate() {
        let terminal = Terminal { id: (*id).into(), market: format!("M{}", k % 2 + 1) };
        for cursor in [0, 17, 500] {
            assert_eq!(
                pg.catalog_page(&terminal, cursor, 97, now).unwrap(),
                sqlite.catalog_page(&terminal, cursor, 97, now).unwrap()
            );
        }
        assert_eq!(pg.high_seq(id).unwrap(), sqlite.high_seq(id).unwrap());
    }
    let hash = super::sqlite::sha256_hex(b"picture 7");
    assert_eq!(pg.picture(&hash).unwrap(), Some(b"picture 7".to_vec()));
    drop(sqlite);

    // Kiosks go on against the PostgreSQL hub: the batch whose answer was lost comes again and
    // is acknowledged as duplicate (no 409), then new events are stored, nothing resent.
    let state = HubState::new(Arc::new(pg), &HubConfig::default()).unwrap();
    for (k, id) in terminals.iter().enumerate() {
        let (status, body) = send_following(&state, Some(&tokens[k]), id, push_body(&last_batches[k]), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let r: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!((r.stored, r.duplicates), (0, last_batches[k].len() as u64));
        let high = expected.terminals[k].high_seq;
        let (status, body) =
            send_following(&state, Some(&tokens[k]), id, push_body(&events_of(high + 1, high + 10)), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let r: PushResponse = serde_json::from_value(body).unwrap();
        assert_eq!((r.acked_upto, r.stored, r.duplicates), (high + 10, 10, 0));
    }
    let after = state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap();
    assert_eq!(after.alarms.len(), 2, "no new alarm: {:?}", after.alarms);
    // A new alarm is numbered after the copied ones.
    state.store.raise_alarm(None, "note", "after the move", now).unwrap();
    let ids: Vec<i64> =
        state.store.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap().alarms.iter().map(|a| a.id).collect();
    assert_eq!(ids, [1, 2, 4]);
    drop(state);
    drop(db);
}

/// On PostgreSQL with several hub processes, a catalog change holds back every later one until
/// it commits: a version is never visible before the versions below it, so no cursor passes a
/// row that is still to come.
#[test]
fn on_postgres_a_catalog_change_still_open_elsewhere_holds_back_the_next_so_no_cursor_passes_it() {
    use warm_core::api::CatalogChange;
    let db = ScratchDb::new().unwrap();
    let hub = Arc::new(postgres::PgHub::open(&db.url).unwrap());
    hub.import_catalog(&catalog_of(2)).unwrap();
    let terminal = Terminal { id: "K1".into(), market: "M1".into() };
    let mut held = Held::new();
    let cursor = pull(hub.as_ref(), &terminal, 0, &mut held, 100);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (other, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        // Another hub process in the middle of a catalog change: version taken, not committed.
        other
            .batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({});
                 UPDATE products SET price_fen = 1, version = (
                     SELECT value FROM counters WHERE name = 'catalog_version') + 1 WHERE id = 'p0000';
                 UPDATE counters SET value = value + 1 WHERE name = 'catalog_version';",
                postgres::CATALOG_LOCK
            ))
            .await
            .unwrap();
        let setter = {
            let hub = hub.clone();
            std::thread::spawn(move || hub.set_price("M1", "p0001", Some(7)))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let waiting: i64 = other
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'warm-hub' AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
            assert!(!setter.is_finished(), "the second catalog change went ahead of the open one");
            assert!(std::time::Instant::now() < deadline, "the second catalog change never waited");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // A kiosk pulling now sees neither change, so its cursor stays before both.
        let page = hub.catalog_page(&terminal, cursor, 100, Timestamp::now()).unwrap();
        assert!(page.changes.is_empty(), "{page:?}");
        other.batch_execute("COMMIT").await.unwrap();
        setter.join().unwrap().unwrap();
    });
    let page = hub.catalog_page(&terminal, cursor, 100, Timestamp::now()).unwrap();
    let got: Vec<(u64, &str)> = page
        .changes
        .iter()
        .map(|c| match c {
            CatalogChange::Product { version, id, .. } => (*version, id.as_str()),
            CatalogChange::Assortment { version, product, .. } => (*version, product.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got, [(cursor + 1, "p0000"), (cursor + 2, "p0001")], "both, in the order they were given");
}

#[test]
fn on_postgres_a_pull_and_the_dashboard_go_ahead_while_a_push_elsewhere_holds_the_terminal() {
    let db = ScratchDb::new().unwrap();
    let hub = Arc::new(postgres::PgHub::open(&db.url).unwrap());
    hub.import_catalog(&catalog_of(2)).unwrap();
    hub.add_terminal("K1", "M1", "hash-k1", Timestamp::now()).unwrap();
    let terminal = Terminal { id: "K1".into(), market: "M1".into() };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (other, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        // Another hub process in the middle of a push of K1: the terminal's row is locked.
        other.batch_execute("BEGIN; SELECT high_seq FROM terminals WHERE id = 'K1' FOR UPDATE").await.unwrap();
        let reader = {
            let (hub, terminal) = (hub.clone(), terminal.clone());
            std::thread::spawn(move || {
                let page = hub.catalog_page(&terminal, 0, 100, Timestamp::now())?;
                let high = hub.high_seq("K1")?;
                let dashboard = hub.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX)?;
                Ok::<_, HubError>((page, high, dashboard))
            })
        };
        // A deadline for failing, not a measurement: a pull that waited for the push would
        // still be waiting when the push's transaction ends below.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !reader.is_finished() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(reader.is_finished(), "the pull waited for a push of its terminal in another process");
        let (page, high, dashboard) = reader.join().unwrap().unwrap();
        assert_eq!(page.changes.len(), 1 + 1 + 2, "the market name, a category, two products: {page:?}");
        assert_eq!(high, 0);
        assert_eq!(dashboard.terminals[0].last_sync, None, "the locked row was left alone");
        other.batch_execute("COMMIT").await.unwrap();
    });
    // With nothing holding the row, a pull notes its time.
    hub.catalog_page(&terminal, 0, 100, Timestamp::now()).unwrap();
    let dashboard = hub.dashboard(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap();
    assert!(dashboard.terminals[0].last_sync.is_some(), "{dashboard:?}");
}
