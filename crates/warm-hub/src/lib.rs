//! `warm-hub`: the cooperative's server every terminal syncs with. axum on tokio; storage behind
//! [`store::HubStore`] (embedded SQLite by default, PostgreSQL when the config names one).
//! `app(state)` is the whole HTTP surface, so tests drive it with `tower::ServiceExt::oneshot` as
//! well as over a real socket; `server` runs it on real connections (HTTPS, timeouts, connection
//! caps).

pub mod auth;
pub mod config;
pub mod dashboard;
pub mod households;
pub mod import;
pub mod ingest;
pub mod pipeline;
pub mod postgres;
pub mod server;
pub mod sqlite;
pub mod store;
pub mod validate;
pub mod van;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use std::sync::Arc;
use store::{HubError, HubStore, PushOutcome, Recovery, Terminal};
use tokio::sync::Semaphore;
use warm_core::api::{self, ApiError, Health, RecoveryRequest};

pub use config::HubConfig;

/// The store the configuration names: PostgreSQL, or the embedded SQLite file.
pub fn open_store(database: &config::Database) -> Result<Arc<dyn HubStore>, HubError> {
    Ok(match database {
        config::Database::Sqlite(path) => Arc::new(sqlite::SqliteHub::open(path)?),
        config::Database::Postgres(url) => Arc::new(postgres::PgHub::open(url)?),
    })
}

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct HubState {
    pub store: Arc<dyn HubStore>,
    pub time_zone: jiff::tz::TimeZone,
    pub max_body_bytes: usize,
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    /// Which terminals have pushes on their way (see `pipeline`).
    pub pushing: Arc<pipeline::Pushing>,
    pub limits: config::Limits,
    pub login: config::LoginConfig,
    /// Session cookies say `Secure` when the hub serves HTTPS.
    pub secure_cookies: bool,
    /// Pushes being decoded or stored at once: the blocking threads they need stay bounded.
    pub ingest: Arc<Semaphore>,
    /// Password checks at once.
    pub logins: Arc<Semaphore>,
}

impl HubState {
    pub fn new(store: Arc<dyn HubStore>, config: &HubConfig) -> Result<HubState, config::ConfigError> {
        Ok(HubState {
            store,
            time_zone: config.time_zone()?,
            max_body_bytes: config.max_body_bytes,
            clock: Arc::new(Timestamp::now),
            pushing: Arc::default(),
            limits: config.limits.clone(),
            login: config.login.clone(),
            secure_cookies: config.tls.files().is_some(),
            ingest: Arc::new(Semaphore::new(config.limits.max_pushes_at_once)),
            logins: Arc::new(Semaphore::new(2)),
        })
    }
}

/// The hub's HTTP surface. The operator's pages need a signed-in operator; the kiosks' API a
/// terminal's bearer token; `/v1/health` and the login page nothing.
pub fn app(state: HubState) -> Router {
    let limit = state.max_body_bytes;
    Router::new()
        .route("/", get(dashboard_page))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/alarms/{id}/clear", post(clear_alarm))
        .route("/v1/health", get(health))
        .route("/v1/dashboard", get(dashboard_json))
        .route("/v1/terminals/{terminal}/events", post(push))
        .route("/v1/terminals/{terminal}/recovery", post(recovery))
        .route("/v1/terminals/{terminal}/catalog", get(catalog))
        .route("/v1/terminals/{terminal}/usage", get(usage))
        .route("/v1/terminals/{terminal}/dispatch", get(dispatch))
        .route("/v1/pictures/{hash}", get(picture))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), request_timeout))
        .with_state(state)
}

/// A request not answered within the limit is answered `503 timeout` (a kiosk retries). Work it
/// started on a blocking thread finishes on its own: a push then commits or rolls back whole.
async fn request_timeout(State(state): State<HubState>, request: Request, next: Next) -> Response {
    let limit = state.limits.request_timeout();
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request was not done within {} s; send it again", limit.as_secs()),
            None,
        ),
    }
}

/// A token for a new terminal: 256 random bits, shown once; only its hash is stored.
pub fn new_token() -> Result<String, auth::AuthError> {
    auth::random_token("wmt_")
}

pub fn token_hash(token: &str) -> String {
    sqlite::sha256_hex(token.as_bytes())
}

fn refuse(status: StatusCode, error: &str, message: impl Into<String>, acked_upto: Option<u64>) -> Response {
    let body = ApiError { error: error.into(), message: message.into(), acked_upto };
    (status, axum::Json(body)).into_response()
}

/// An internal failure: the details (database errors, file paths) go to the hub's log only; the
/// caller gets a reference to find them there.
fn internal(e: impl std::fmt::Display) -> Response {
    let reference = uuid::Uuid::now_v7().simple().to_string();
    let reference = &reference[reference.len() - 8..];
    tracing::error!(reference, "hub: {e}");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("the hub had an internal problem; its log says more under reference {reference}"),
        None,
    )
}

/// Runs blocking storage work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, HubError> + Send + 'static) -> Result<T, Response> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(HubError::NotFound(what))) => Err(refuse(StatusCode::NOT_FOUND, "not_found", what, None)),
        Ok(Err(HubError::Invalid(what))) => Err(refuse(StatusCode::BAD_REQUEST, "malformed", what, None)),
        Ok(Err(e)) => Err(internal(e)),
        Err(e) => Err(internal(e)),
    }
}

/// The terminal named in the path, if the bearer token is that terminal's.
async fn authenticate(state: &HubState, headers: &HeaderMap, terminal: &str) -> Result<Terminal, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "no terminal token (Authorization: Bearer ...)",
            None,
        ));
    };
    let hash = token_hash(token);
    let store = state.store.clone();
    match blocking(move || store.terminal_by_token(&hash)).await? {
        None => Err(refuse(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this token belongs to no registered terminal (or it was revoked or replaced)",
            None,
        )),
        Some(t) if t.id != terminal => Err(refuse(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this token belongs to terminal {}, not {terminal}", t.id),
            None,
        )),
        Some(t) => Ok(t),
    }
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok".into(), api: "v1".into(), version: env!("CARGO_PKG_VERSION").into() })
}

/// A request refused as malformed (`400`), before it becomes a response.
#[derive(Debug)]
struct Malformed(String);

impl IntoResponse for Malformed {
    fn into_response(self) -> Response {
        refuse(StatusCode::BAD_REQUEST, "malformed", self.0, None)
    }
}

/// The push's `Follows-Seq`, if any: one header holding one seq.
fn follows_seq(headers: &HeaderMap) -> Result<Option<u64>, Malformed> {
    let mut values = headers.get_all(api::FOLLOWS_SEQ).iter();
    let Some(value) = values.next() else { return Ok(None) };
    let bad = |m: &str| Malformed(m.to_owned());
    if values.next().is_some() {
        return Err(bad("Follows-Seq must be given once"));
    }
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| bad("Follows-Seq must be an event seq"))
}

/// Bodies are JSON as it is: a compressed one is refused, not stored as garbage.
fn plain_body(headers: &HeaderMap) -> Result<(), Malformed> {
    match headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase()) {
        None => Ok(()),
        Some(e) if e.is_empty() || e == "identity" => Ok(()),
        Some(e) => Err(Malformed(format!("Content-Encoding {e:?} is not accepted: send the JSON uncompressed"))),
    }
}

/// After a recovery only the kiosk copy that recovered may push for its terminal.
async fn check_instance(state: &HubState, terminal: &Terminal, headers: &HeaderMap) -> Result<(), Response> {
    let Some(owner) = &terminal.instance else { return Ok(()) };
    let sent = headers.get(api::KIOSK_INSTANCE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent == owner {
        return Ok(());
    }
    let detail = format!(
        "terminal {} was recovered from a backup by another kiosk copy; this one ({}) is an old copy or a clone and may no longer send",
        terminal.id,
        if sent.is_empty() { "unnamed" } else { sent }
    );
    alarm(state, &terminal.id, "conflict", &detail).await;
    Err(refuse(StatusCode::CONFLICT, "conflict", detail, None))
}

async fn push(
    State(state): State<HubState>,
    Path(terminal): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let terminal = match authenticate(&state, &headers, &terminal).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let follows = match follows_seq(&headers).and_then(|f| plain_body(&headers).map(|()| f)) {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    if let Err(r) = check_instance(&state, &terminal, &headers).await {
        return r;
    }
    // Counted from before its body arrives, so a push that follows this one waits for it.
    let Some(_running) = state.pushing.start(&terminal.id, state.limits.max_pushes_per_terminal) else {
        let message = format!(
            "terminal {} has {} pushes being handled already; send again when they are answered",
            terminal.id, state.limits.max_pushes_per_terminal
        );
        return refuse(StatusCode::TOO_MANY_REQUESTS, "busy", message, None);
    };
    let body = match axum::body::to_bytes(body, state.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some());
            return if too_large {
                refuse(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("the body is over the limit of {} bytes", state.max_body_bytes),
                    None,
                )
            } else {
                refuse(StatusCode::BAD_REQUEST, "malformed", format!("the body could not be read: {e}"), None)
            };
        }
    };
    let refused = |refusal: ingest::Refusal| match refusal {
        ingest::Refusal::Malformed(message) => refuse(StatusCode::BAD_REQUEST, "malformed", message, None),
        ingest::Refusal::TooLarge(message) => refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message, None),
    };
    let (decoded, stored) = match follows {
        // A follower is decoded whole first (its thread never waits for the store), then waits
        // for the push it follows holding nothing but memory, then is stored.
        Some(seq) => {
            let (feed, batch) = ingest::channel_unbounded();
            let decoded = {
                let Ok(_turn) = state.ingest.clone().acquire_owned().await else { return internal("ingest closed") };
                tokio::task::spawn_blocking(move || ingest::decode(&body, api::MAX_BATCH_EVENTS, feed)).await
            };
            match decoded {
                Ok(Ok(())) => {}
                Ok(Err(refusal)) => return refused(refusal),
                Err(e) => return internal(e),
            }
            match pipeline::wait_for(&state.pushing, state.store.clone(), &terminal.id, seq).await {
                Ok(Ok(())) => {}
                Ok(Err(high)) => {
                    let message = format!(
                        "events up to #{seq} are not stored (the push that carried them failed or did not come); send again from #{}",
                        high + 1
                    );
                    return refuse(StatusCode::SERVICE_UNAVAILABLE, "out_of_order", message, Some(high));
                }
                Err(e) => return internal(e),
            }
            let Ok(_turn) = state.ingest.clone().acquire_owned().await else { return internal("ingest closed") };
            let (store, now, t) = (state.store.clone(), (state.clock)(), terminal.clone());
            (Ok(Ok(())), blocking(move || store.push(&t, &mut { batch }, now)).await)
        }
        // Decoding and storing run side by side (see `ingest`); a bad body wins over anything
        // the store found, so it is answered as bad, and the store has rolled back. The decoder
        // is queued on the blocking pool before the store task, so a store task that runs (and
        // may wait for events holding the writer) always has its decoder running too.
        None => {
            let Ok(_turn) = state.ingest.clone().acquire_owned().await else { return internal("ingest closed") };
            let (feed, batch) = ingest::channel();
            let decoding = tokio::task::spawn_blocking(move || ingest::decode(&body, api::MAX_BATCH_EVENTS, feed));
            let (store, now, t) = (state.store.clone(), (state.clock)(), terminal.clone());
            let storing = blocking(move || store.push(&t, &mut { batch }, now));
            tokio::join!(decoding, storing)
        }
    };
    match decoded {
        Ok(Ok(())) => {}
        Ok(Err(refusal)) => return refused(refusal),
        Err(e) => return internal(e),
    }
    let outcome = match stored {
        Ok(o) => o,
        Err(r) => return r,
    };
    match outcome {
        PushOutcome::Accepted(response) => {
            if response.stored > 0 {
                check_limits(&state).await;
            }
            (StatusCode::OK, axum::Json(response)).into_response()
        }
        PushOutcome::Gap { acked_upto, first_new } => {
            let message = format!(
                "terminal {} sent event #{first_new} but the hub has only up to #{acked_upto}: events are missing",
                terminal.id
            );
            alarm(&state, &terminal.id, "gap", &message).await;
            refuse(StatusCode::UNPROCESSABLE_ENTITY, "gap", message, Some(acked_upto))
        }
        PushOutcome::Conflict { acked_upto, detail } => {
            alarm(&state, &terminal.id, "conflict", &detail).await;
            refuse(StatusCode::CONFLICT, "conflict", detail, Some(acked_upto))
        }
        // Only a decoder that stopped without saying why (it panicked) leaves the store here.
        PushOutcome::Aborted => internal("the push was cut short while it was decoded"),
    }
}

/// A kiosk refused `409` asks whether it is one restored from an older backup (see
/// `warm_core::api::RecoveryRequest`).
async fn recovery(
    State(state): State<HubState>,
    Path(terminal): Path<String>,
    headers: HeaderMap,
    request: Result<axum::Json<RecoveryRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let terminal = match authenticate(&state, &headers, &terminal).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Err(r) = plain_body(&headers) {
        return r.into_response();
    }
    let axum::Json(request) = match request {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "malformed", e.body_text(), None),
    };
    let bad = |m: String| refuse(StatusCode::BAD_REQUEST, "malformed", m, None);
    if request.events.len() > api::MAX_BATCH_EVENTS {
        return bad(format!("at most {} events in one recovery request", api::MAX_BATCH_EVENTS));
    }
    let id_ok = |s: &str| !s.is_empty() && s.len() <= 64;
    if !id_ok(&request.instance) || !id_ok(&request.new_instance) || request.instance == request.new_instance {
        return bad("instance and new_instance: two different ids of at most 64 characters".into());
    }
    for e in &request.events {
        if let Err(m) = validate::check_kind(&e.kind).and_then(|()| validate::created_at(&e.created_at).map(|_| ())) {
            return bad(format!("event #{}: {m}", e.seq));
        }
    }
    let (store, t) = (state.store.clone(), terminal.clone());
    let outcome = blocking(move || store.recover(&t, &request.instance, &request.new_instance, &request.events)).await;
    match outcome {
        Err(r) => r,
        Ok(Recovery::Answer(answer)) => {
            if let Some(from) = answer.renumber_from {
                let message = format!(
                    "terminal {} came back from an older backup: {} events it had sent were already here; its unsent events are numbered again from #{from}",
                    terminal.id, answer.known
                );
                alarm(&state, &terminal.id, "restored", &message).await;
            }
            axum::Json(answer).into_response()
        }
        // No alarm of its own: the push refused just before this raised one already.
        Ok(Recovery::Refused { acked_upto, reason }) => {
            refuse(StatusCode::CONFLICT, "conflict", reason, Some(acked_upto))
        }
    }
}

async fn alarm(state: &HubState, terminal: &str, kind: &str, message: &str) {
    tracing::warn!(terminal, kind, message, "alarm");
    let store = state.store.clone();
    let (terminal, kind, message, now) = (terminal.to_owned(), kind.to_owned(), message.to_owned(), (state.clock)());
    if let Err(r) = blocking(move || store.raise_alarm(Some(&terminal), &kind, &message, now)).await {
        tracing::error!(status = %r.status(), "the alarm could not be recorded");
    }
}

/// Compares what was just stored with the market's limits (issue 10) and raises an alarm for a
/// household over its limit. The push is already acknowledged by then and stays so: a breach
/// never refuses an order. Rows not checked (the hub stopped in between) are checked next time.
pub async fn check_limits(state: &HubState) {
    let store = state.store.clone();
    let (tz, now) = (state.time_zone.clone(), (state.clock)());
    match blocking(move || store.check_limits(&tz, now)).await {
        Ok(alarms) => {
            for a in alarms {
                tracing::warn!(market = a.market, household = a.household, product = a.product, "limit exceeded");
            }
        }
        Err(r) => tracing::error!(status = %r.status(), "the limits could not be checked"),
    }
}

async fn usage(
    State(state): State<HubState>,
    Path(terminal): Path<String>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let terminal = match authenticate(&state, &headers, &terminal).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "malformed", e.body_text(), None),
    };
    if i64::try_from(q.cursor).is_err() {
        return refuse(StatusCode::BAD_REQUEST, "malformed", "cursor is beyond any version", None);
    }
    let limit = q.limit.unwrap_or(api::MAX_PAGE).clamp(1, api::MAX_PAGE);
    let store = state.store.clone();
    match blocking(move || store.usage_page(&terminal, q.cursor, limit)).await {
        Ok(page) => axum::Json(page).into_response(),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    #[serde(default)]
    cursor: u64,
    #[serde(default)]
    limit: Option<u32>,
}

/// A terminal's request for a page of a cursor feed: who asks, from where, how many. Refused in
/// words when the token, the query or the cursor is wrong.
async fn page_request(
    state: &HubState,
    headers: &HeaderMap,
    terminal: &str,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(Terminal, u64, u32), Response> {
    let terminal = authenticate(state, headers, terminal).await?;
    let Query(q) = query.map_err(|e| refuse(StatusCode::BAD_REQUEST, "malformed", e.body_text(), None))?;
    if q.cursor > api::limits::MAX_CURSOR {
        let message = format!("cursor {} is beyond any version (at most {})", q.cursor, api::limits::MAX_CURSOR);
        return Err(refuse(StatusCode::BAD_REQUEST, "malformed", message, None));
    }
    Ok((terminal, q.cursor, q.limit.unwrap_or(api::MAX_PAGE).clamp(1, api::MAX_PAGE)))
}

async fn catalog(
    State(state): State<HubState>,
    Path(terminal): Path<String>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (terminal, cursor, limit) = match page_request(&state, &headers, &terminal, query).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let store = state.store.clone();
    let now = (state.clock)();
    match blocking(move || store.catalog_page(&terminal, cursor, limit, now)).await {
        Ok(page) => axum::Json(page).into_response(),
        Err(r) => r,
    }
}

/// The dispatch notes for the terminal's market after a cursor: a second cursor feed beside the
/// catalog's, so a note is pulled exactly once and applied with its cursor.
async fn dispatch(
    State(state): State<HubState>,
    Path(terminal): Path<String>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (terminal, cursor, limit) = match page_request(&state, &headers, &terminal, query).await {
        Ok(request) => request,
        Err(r) => return r,
    };
    let store = state.store.clone();
    match blocking(move || store.dispatch_page(&terminal, cursor, limit)).await {
        Ok(page) => axum::Json(page).into_response(),
        Err(r) => r,
    }
}

async fn picture(State(state): State<HubState>, Path(hash): Path<String>, headers: HeaderMap) -> Response {
    // Any registered terminal may fetch pictures: they are the same for every market.
    let token =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "no terminal token", None);
    };
    let hash_of_token = token_hash(token.trim());
    let store = state.store.clone();
    match blocking(move || store.terminal_by_token(&hash_of_token)).await {
        Ok(Some(_)) => {}
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token", None),
        Err(r) => return r,
    }
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return refuse(StatusCode::BAD_REQUEST, "malformed", "a picture is named by its sha256 in hex", None);
    }
    let store = state.store.clone();
    match blocking(move || store.picture(&hash)).await {
        Ok(Some(bytes)) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "not_found", "no such picture", None),
        Err(r) => r,
    }
}

/// Today (in the hub's time zone) as a UTC range.
fn today(state: &HubState) -> (Timestamp, Timestamp) {
    let now = (state.clock)().to_zoned(state.time_zone.clone());
    let start = now.start_of_day().map(|z| z.timestamp()).unwrap_or_else(|_| now.timestamp());
    (start, start + jiff::SignedDuration::from_hours(24))
}

/// The JSON dashboard, for a signed-in operator; `401` otherwise.
async fn dashboard_json(State(state): State<HubState>, headers: HeaderMap) -> Response {
    match auth::session(&state, &headers).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return refuse(StatusCode::UNAUTHORIZED, "unauthorized", "sign in at /login first", None);
        }
        Err(r) => return r,
    }
    let (from, to) = today(&state);
    let store = state.store.clone();
    match blocking(move || full_dashboard(&*store, from, to)).await {
        Ok(d) => axum::Json(d).into_response(),
        Err(r) => r,
    }
}

/// The dashboard page, for a signed-in operator; the login page otherwise.
async fn dashboard_page(State(state): State<HubState>, headers: HeaderMap) -> Response {
    let session = match auth::session(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    let (from, to) = today(&state);
    let store = state.store.clone();
    match blocking(move || full_dashboard(&*store, from, to)).await {
        Ok(d) => Html(dashboard::render(&d, &state.time_zone, (state.clock)(), &session)).into_response(),
        Err(r) => r,
    }
}

/// The dashboard with each market's day (sales from payments, closes, variances, requests).
fn full_dashboard(store: &dyn HubStore, from: Timestamp, to: Timestamp) -> Result<store::Dashboard, HubError> {
    let mut d = store.dashboard(from, to)?;
    d.days = store.market_days(from, to)?;
    Ok(d)
}

/// The desk clears an alarm from the dashboard; a read-only operator may not.
async fn clear_alarm(State(state): State<HubState>, Path(id): Path<i64>, headers: HeaderMap) -> Response {
    let session = match auth::session(&state, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    if !auth::same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "form from another site").into_response();
    }
    if !session.may_change() {
        let page = "<!doctype html><meta charset=\"utf-8\"><p>只读账号不能清除警报 A read-only operator cannot clear alarms. <a href=\"/\">← 返回 Back</a></p>";
        return (StatusCode::FORBIDDEN, Html(page)).into_response();
    }
    let (store, now) = (state.store.clone(), (state.clock)());
    match blocking(move || store.clear_alarm(id, now)).await {
        Ok(()) => {
            tracing::info!(operator = %session.operator, alarm = id, "alarm cleared at the dashboard");
            Redirect::to("/").into_response()
        }
        Err(r) => r,
    }
}

/// Serves plain HTTP until ctrl-c / SIGTERM (see [`server::serve`] for HTTPS).
pub async fn serve(listener: tokio::net::TcpListener, state: HubState) -> std::io::Result<()> {
    server::serve(listener, None, state, shutdown()).await
}

/// Resolves on ctrl-c or SIGTERM.
pub async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

// `tests` first: its `on_both_engines!` and store places serve the other test modules too.
#[cfg(test)]
#[macro_use]
mod tests;
#[cfg(test)]
mod manager_tests;
#[cfg(test)]
mod tests_assortment;
#[cfg(test)]
mod tests_households;
