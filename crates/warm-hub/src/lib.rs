//! `warm-hub`: the cooperative's server every terminal syncs with. axum on tokio; storage behind
//! [`store::HubStore`] (embedded SQLite by default). `app(state)` is the whole HTTP surface, so
//! tests drive it with `tower::ServiceExt::oneshot` as well as over a real socket.

pub mod config;
pub mod dashboard;
pub mod households;
pub mod import;
pub mod ingest;
pub mod pipeline;
pub mod sqlite;
pub mod store;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use std::sync::Arc;
use store::{HubError, HubStore, PushOutcome, Terminal};
use warm_core::api::{self, ApiError, Health};

pub use config::HubConfig;

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct HubState {
    pub store: Arc<dyn HubStore>,
    pub time_zone: jiff::tz::TimeZone,
    pub max_body_bytes: usize,
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    /// Which terminals have pushes on their way (see `pipeline`).
    pub pushing: Arc<pipeline::Pushing>,
}

impl HubState {
    pub fn new(store: Arc<dyn HubStore>, config: &HubConfig) -> Result<HubState, String> {
        Ok(HubState {
            store,
            time_zone: config.time_zone()?,
            max_body_bytes: config.max_body_bytes,
            clock: Arc::new(Timestamp::now),
            pushing: Arc::default(),
        })
    }
}

/// The hub's HTTP surface.
pub fn app(state: HubState) -> Router {
    let limit = state.max_body_bytes;
    Router::new()
        .route("/", get(dashboard_page))
        .route("/v1/health", get(health))
        .route("/v1/dashboard", get(dashboard_json))
        .route("/v1/terminals/{terminal}/events", post(push))
        .route("/v1/terminals/{terminal}/catalog", get(catalog))
        .route("/v1/terminals/{terminal}/usage", get(usage))
        .route("/v1/pictures/{hash}", get(picture))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// A token for a new terminal: 256 random bits, shown once; only its hash is stored.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the system: {e}"))?;
    Ok(format!("wmt_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

pub fn token_hash(token: &str) -> String {
    sqlite::sha256_hex(token.as_bytes())
}

fn refuse(status: StatusCode, error: &str, message: impl Into<String>, acked_upto: Option<u64>) -> Response {
    let body = ApiError { error: error.into(), message: message.into(), acked_upto };
    (status, axum::Json(body)).into_response()
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!("hub: {e}");
    refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string(), None)
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
        None => {
            Err(refuse(StatusCode::UNAUTHORIZED, "unauthorized", "this token belongs to no registered terminal", None))
        }
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
    let follows = match headers
        .get(api::FOLLOWS_SEQ)
        .map(|v| v.to_str().ok().and_then(|v| v.trim().parse::<u64>().ok()))
    {
        None => None,
        Some(Some(seq)) => Some(seq),
        Some(None) => return refuse(StatusCode::BAD_REQUEST, "malformed", "Follows-Seq must be an event seq", None),
    };
    // Counted from before its body arrives, so a push that follows this one waits for it.
    let _running = state.pushing.start(&terminal.id);
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
    // Decoding and storing run side by side (see `ingest`); a bad body wins over anything the
    // store found, so it is answered as bad, and the store has rolled back.
    // The decoder is queued on the blocking pool before the store task, so a store task that
    // runs (and may wait for events holding the writer) always has its decoder running too.
    let (feed, batch) = ingest::channel();
    let decoding = tokio::task::spawn_blocking(move || ingest::decode(&body, api::MAX_BATCH_EVENTS, feed));
    if let Some(seq) = follows {
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
    }
    let store = state.store.clone();
    let now = (state.clock)();
    let t = terminal.clone();
    let storing = blocking(move || {
        let mut batch = batch;
        store.push(&t, &mut batch, now)
    });
    let (decoded, stored) = tokio::join!(decoding, storing);
    match decoded {
        Ok(Ok(())) => {}
        Ok(Err(ingest::Refusal::Malformed(message))) => {
            return refuse(StatusCode::BAD_REQUEST, "malformed", message, None);
        }
        Ok(Err(ingest::Refusal::TooLarge(message))) => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message, None);
        }
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

async fn catalog(
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
    let limit = q.limit.unwrap_or(api::MAX_PAGE).clamp(1, api::MAX_PAGE);
    let store = state.store.clone();
    let now = (state.clock)();
    match blocking(move || store.catalog_page(&terminal, q.cursor, limit, now)).await {
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

async fn dashboard_json(State(state): State<HubState>) -> Response {
    let (from, to) = today(&state);
    let store = state.store.clone();
    match blocking(move || store.dashboard(from, to)).await {
        Ok(d) => axum::Json(d).into_response(),
        Err(r) => r,
    }
}

async fn dashboard_page(State(state): State<HubState>) -> Response {
    let (from, to) = today(&state);
    let store = state.store.clone();
    match blocking(move || store.dashboard(from, to)).await {
        Ok(d) => Html(dashboard::render(&d, &state.time_zone, (state.clock)())).into_response(),
        Err(r) => r,
    }
}

/// Serves until ctrl-c / SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, state: HubState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
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

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_households;
