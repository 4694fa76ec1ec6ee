//! The site manager's loop at the hub, driven in-process: restock requests pushed by kiosks of
//! three markets, the van plan and its dispatch notes, the dispatch feed per market, each
//! market's day on the dashboard, and manager events of the wrong shape refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::sqlite::SqliteHub;
use super::*;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;
use uuid::Uuid;
use warm_core::api::Event;
use warm_core::api::manager::{self as wire, DispatchPage, RestockLine, RestockRequest};
use warm_core::domain::day::{DayReport, MethodTotal, OpenOrdersChoice, ReportKind};
use warm_core::domain::{Money, Payment, PaymentMethod, ProductId, Text};

struct Hub {
    _dir: tempfile::TempDir,
    state: HubState,
    /// Tokens of K1 (M1), K2 (M1), K3 (M2), K4 (M3).
    tokens: Vec<String>,
}

fn hub() -> Hub {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteHub::open(&dir.path().join("hub.sqlite")).unwrap();
    let mut tokens = Vec::new();
    for (id, market) in [("K1", "M1"), ("K2", "M1"), ("K3", "M2"), ("K4", "M3")] {
        let token = new_token().unwrap();
        store.add_terminal(id, market, &token_hash(&token), Timestamp::now()).unwrap();
        tokens.push(token);
    }
    let state = HubState::new(Arc::new(store), &HubConfig::default()).unwrap();
    Hub { _dir: dir, state, tokens }
}

fn event(seq: u64, kind: &str, payload: &impl serde::Serialize) -> Event {
    Event {
        id: Uuid::now_v7(),
        seq,
        kind: kind.into(),
        created_at: super::sqlite::time_text(Timestamp::now()),
        payload: serde_json::value::to_raw_value(payload).unwrap(),
    }
}

fn request(lines: &[(&str, i64)]) -> RestockRequest {
    RestockRequest {
        id: Uuid::now_v7(),
        cycle_days: 2,
        lines: lines.iter().map(|(p, q)| RestockLine { product: (*p).into(), qty: *q, suggested: *q }).collect(),
    }
}

async fn push(h: &Hub, k: usize, events: &[Event]) -> (StatusCode, String) {
    let req = Request::post(api::events_path(&format!("K{}", k + 1)))
        .header("content-type", "application/json")
        .header("authorization", api::bearer(&h.tokens[k]))
        .body(Body::from(api::encode_push(events).unwrap()))
        .unwrap();
    let resp = app(h.state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    (status, String::from_utf8_lossy(&axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap()).into())
}

async fn get(h: &Hub, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(path).header("authorization", api::bearer(token)).body(Body::empty()).unwrap();
    let resp = app(h.state.clone()).oneshot(req).await.unwrap();
    (resp.status(), axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec())
}

async fn dispatch(h: &Hub, k: usize, cursor: u64) -> DispatchPage {
    let (status, body) = get(h, &wire::dispatch_path(&format!("K{}", k + 1), cursor, 10), &h.tokens[k]).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn requests_of_three_markets_make_one_van_plan_and_each_market_pulls_its_own_note() {
    let h = hub();
    let store = h.state.store.clone();
    let (m1a, m1b) = (request(&[("rice", 20), ("oil", 6)]), request(&[("rice", 10)]));
    let (m2, m3) = (request(&[("milk", 24)]), request(&[("eggs", 30), ("rice", 5)]));
    for (k, r) in [(0, &m1a), (1, &m1b), (2, &m2), (3, &m3)] {
        let (status, body) = push(&h, k, &[event(1, wire::RESTOCK_REQUESTED, r)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A resent push stores nothing twice.
    assert_eq!(push(&h, 0, &[event(1, wire::RESTOCK_REQUESTED, &m1a)]).await.0, StatusCode::CONFLICT);
    assert_eq!(store.restock_requests(true).unwrap().len(), 4);
    store.set_route("M2", "V1", 1).unwrap();
    store.set_route("M1", "V1", 2).unwrap();
    assert!(matches!(store.set_route("M9", "V1", 3), Err(HubError::NotFound(_))));
    assert!(matches!(store.van_plan("7 May"), Err(HubError::Invalid(_))));
    let plan = store.van_plan("2022-05-07").unwrap();
    let stops: Vec<(&str, u32, &str)> =
        plan.stops.iter().map(|s| (s.van.as_str(), s.stop, s.market.as_str())).collect();
    assert_eq!(stops, vec![("V1", 1, "M2"), ("V1", 2, "M1"), ("V1", 3, "M3")], "unrouted markets ride after");
    let m1: Vec<(&str, i64)> = plan.stops[1].lines.iter().map(|l| (l.product.as_str(), l.qty)).collect();
    assert_eq!(m1, vec![("oil", 6), ("rice", 30)], "both M1 requests in one stop");
    assert_eq!(plan.stops[1].requests.len(), 2);
    // Planning changes nothing; confirming makes one note per stop, once.
    assert_eq!(store.restock_requests(true).unwrap().len(), 4);
    let notes = store.confirm_van_plan("2022-05-07", Timestamp::now()).unwrap();
    assert_eq!(notes.len(), 3);
    assert!(store.confirm_van_plan("2022-05-07", Timestamp::now()).unwrap().is_empty(), "nothing left to plan");
    assert!(store.restock_requests(true).unwrap().is_empty());
    assert!(store.restock_requests(false).unwrap().iter().all(|r| r.planned_for.as_deref() == Some("2022-05-07")));
    // Each terminal pulls its market's note, and only that; both of M1's terminals see it.
    for k in [0, 1] {
        let page = dispatch(&h, k, 0).await;
        assert_eq!(page.notes.len(), 1);
        let note = &page.notes[0];
        assert_eq!((note.market.as_str(), note.stop), ("M1", 2));
        let mut answered = note.requests.clone();
        answered.sort();
        let mut want = vec![m1a.id, m1b.id];
        want.sort();
        assert_eq!(answered, want);
        assert_eq!(page.next_cursor, note.version);
        assert!(dispatch(&h, k, page.next_cursor).await.notes.is_empty(), "a note is pulled once");
    }
    assert_eq!(dispatch(&h, 2, 0).await.notes[0].lines[0].qty, 24);
    assert_eq!(dispatch(&h, 3, 0).await.notes[0].market, "M3");
    // K1's token does not open K3's feed.
    let (status, _) = get(&h, &wire::dispatch_path("K3", 0, 10), &h.tokens[0]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The loading list and the CSV say the same.
    let csv = van::csv(&plan);
    assert_eq!(csv.lines().count(), 1 + 5);
    assert!(csv.contains("2022-05-07,V1,2,M1,rice,rice,rice,30"), "{csv}");
}

#[tokio::test]
async fn a_manager_event_of_the_wrong_shape_refuses_the_whole_push() {
    let h = hub();
    let order = event(1, "order.placed", &serde_json::json!({"lines": [{"unit_price": 100, "qty": 1}]}));
    let cash = event(
        2,
        wire::CASH_MOVED,
        &serde_json::json!({"id": Uuid::now_v7(), "kind": "out", "amount_fen": -5, "reason": ""}),
    );
    let (status, body) = push(&h, 0, &[order, cash]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("event #2") && body.contains("out of range"), "{body}");
    assert_eq!(h.state.store.event_count(None).unwrap(), 0);
}

fn payment(method: PaymentMethod, fen: i64) -> Payment {
    Payment {
        id: Uuid::now_v7(),
        order_id: Uuid::now_v7(),
        method,
        amount: Money(fen),
        tendered: (method == PaymentMethod::Cash).then_some(Money(fen)),
        reference: None,
        at: Timestamp::now(),
    }
}

fn z_report(cash_fen: i64, counted: i64) -> DayReport {
    DayReport {
        kind: ReportKind::Z,
        terminal: "K1".into(),
        market: Text::new("M1", "M1"),
        date: jiff::civil::date(2022, 5, 6),
        z_number: Some(1),
        at: Timestamp::now(),
        orders_placed: 2,
        orders_paid: 2,
        orders_amended: 0,
        methods: vec![MethodTotal { method: PaymentMethod::Cash, count: 1, amount: Money(cash_fen) }],
        opening_float: Money(10_000),
        cash_tendered: Money(cash_fen),
        change_given: Money::ZERO,
        cash_moves: vec![],
        cash_counted: Some(Money(counted)),
        statements: vec![],
        on_account: vec![],
        not_picked_up: vec![],
        open_orders: OpenOrdersChoice::Keep,
        stock: vec![],
        late_entries: 0,
    }
}

#[tokio::test]
async fn each_markets_day_is_summed_from_payments_closes_and_movements() {
    let h = hub();
    let placed = |seq, fen| event(seq, "order.placed", &serde_json::json!({"lines": [{"unit_price": fen, "qty": 1}]}));
    let count = warm_core::domain::stock::StockMoved {
        id: Uuid::now_v7(),
        product: ProductId::new("rice"),
        delta: -2,
        kind: warm_core::domain::stock::MovementKind::Count,
        reason: String::new(),
        who: warm_core::domain::pin::Role::Manager,
        ref_id: None,
        expected: Some(12),
    };
    // M1: two orders placed at ￥30 and ￥20; the first amended at the counter to ￥25 and paid in
    // cash, the second never collected; a WeChat walk-in sale of ￥5; the day closed ￥0.50 short.
    let events = [
        placed(1, 3000),
        placed(2, 2000),
        event(3, "payment.recorded", &payment(PaymentMethod::Cash, 2500)),
        event(4, "payment.recorded", &payment(PaymentMethod::Wechat, 500)),
        event(5, wire::STOCK_MOVED, &count),
        event(6, wire::RESTOCK_REQUESTED, &request(&[("rice", 10)])),
        event(7, wire::DAY_CLOSED, &z_report(2500, 12_450)),
    ];
    let (status, body) = push(&h, 0, &events).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let days = h.state.store.market_days(Timestamp::UNIX_EPOCH, Timestamp::MAX).unwrap();
    assert_eq!(days.iter().map(|d| d.market.as_str()).collect::<Vec<_>>(), vec!["M1", "M2", "M3"]);
    let m1 = &days[0];
    assert_eq!(m1.sales_fen, 3000, "payments, not the ￥50 placed");
    assert_eq!(m1.by_method[0], ("cash".to_owned(), 1, 2500));
    assert_eq!(m1.by_method[1], ("wechat".to_owned(), 1, 500));
    assert_eq!(m1.closed, vec!["K1 Z1".to_owned()]);
    assert_eq!(m1.cash_variance_fen, Some(-50));
    assert_eq!(m1.stock_variances, vec![("rice".to_owned(), -2)]);
    assert_eq!(m1.open_requests, 1);
    assert_eq!(days[1].cash_variance_fen, None);
    // The dashboard, as a read-only operator signed in sees it.
    let password = "a long enough password";
    let hash = auth::hash_password(password).unwrap();
    h.state.store.add_operator("desk", super::store::Role::ReadOnly, &hash, Timestamp::now()).unwrap();
    let login = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("name=desk&password=a+long+enough+password"))
        .unwrap();
    let resp = app(h.state.clone()).oneshot(login).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()[axum::http::header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let page = Request::get("/").header(axum::http::header::COOKIE, cookie).body(Body::empty()).unwrap();
    let resp = app(h.state.clone()).oneshot(page).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(html.contains(r#"<td class="num ordered">￥50.00</td><td class="num sales">￥30.00</td>"#), "{html}");
    assert!(html.contains("短款 short ￥0.50"), "{html}");
    assert!(html.contains("已日结 closed: K1 Z1") && html.contains("未日结 open"), "{html}");
    assert!(html.contains("rice -2"), "{html}");
}
