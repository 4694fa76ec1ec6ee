//! Operators of the co-op's dashboard: argon2 passwords, a login page, a session cookie
//! (`HttpOnly`, `SameSite=Strict`, `Secure` when the hub serves HTTPS) of which the hub keeps only
//! a hash, and a pause after repeated wrong passwords. Kiosks never log in: their API keeps its
//! bearer tokens.

use super::store::{HubError, Session};
use super::{HubState, blocking, internal};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use std::sync::OnceLock;

/// The session cookie's name.
pub const COOKIE: &str = "wm_session";
/// The shortest password `operator add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("a password has at least {MIN_PASSWORD_CHARS} characters")]
    Short,
    #[error("an operator name is 1 to 40 letters, digits, '-', '_' or '.'")]
    Name,
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error("no randomness from the system: {0}")]
    Random(String),
}

pub fn check_name(name: &str) -> Result<(), AuthError> {
    let ok = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.chars().count() > 40 || !name.chars().all(ok) {
        return Err(AuthError::Name);
    }
    Ok(())
}

/// The argon2id PHC string of a new password.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::Short);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` is the one `hash` was made from (argon2 compares in constant time).
pub fn verify(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, checked for unknown names so they take as long as known ones.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("no operator has this password").unwrap_or_default())
}

/// 256 random bits in hex after `prefix`: terminal tokens and session cookies.
pub fn random_token(prefix: &str) -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(format!("{prefix}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// The session cookie's value in a request, if any.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// The signed-in operator of this request, if any.
pub async fn session(state: &HubState, headers: &HeaderMap) -> Result<Option<Session>, Response> {
    let Some(token) = cookie(headers) else { return Ok(None) };
    let hash = super::token_hash(token);
    let (store, now) = (state.store.clone(), (state.clock)());
    blocking(move || store.session(&hash, now)).await
}

/// A form posted from another site must not act with the operator's cookie. `SameSite=Strict`
/// already keeps the cookie off such requests; this also refuses a browser that says so.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None | Some("null") => true,
        Some(origin) => host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, rest)| rest == h)),
    };
    let site_ok =
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_none_or(|v| matches!(v, "same-origin" | "none"));
    origin_ok && site_ok
}

/// The session cookie, answered after `/login` and (emptied) after `/logout`.
fn set_cookie(state: &HubState, value: &str, max_age_seconds: u64) -> Response {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}");
    let to = if value.is_empty() { "/login" } else { "/" };
    match HeaderValue::from_str(&cookie) {
        Ok(cookie) => ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response(),
        Err(e) => internal(e),
    }
}

const PAGE_STYLE: &str = "body{font:22px/1.4 sans-serif;margin:48px;color:#111;background:#fff}\
    label{display:block;margin:16px 0 4px}input{font-size:22px;padding:8px;width:18em}\
    button{font-size:22px;padding:10px 24px;margin-top:24px}.problem{border:3px solid #a00;background:#fff3f3;padding:12px}";

/// The login page, with a problem to say (wrong password, a pause) or none.
pub fn login_page(problem: Option<&str>) -> Html<String> {
    let problem = problem
        .map(|p| format!(r#"<p class="problem" role="alert">{}</p>"#, super::dashboard::escape(p)))
        .unwrap_or_default();
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>登录 · Sign in — 暖心市集 合作社总台</title><style>{PAGE_STYLE}</style></head><body>
<h1>暖心市集 合作社总台 · Warm Market hub</h1>{problem}
<form id="login" method="post" action="/login">
<label for="name">名字 Name</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">密码 Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<br><button type="submit">登录 Sign in</button></form></body></html>"#
    ))
}

pub async fn login_form(State(state): State<HubState>, headers: HeaderMap) -> Response {
    match session(&state, &headers).await {
        Ok(Some(_)) => Redirect::to("/").into_response(),
        Ok(None) => login_page(None).into_response(),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
}

/// Whole seconds until `until`, rounded up (a person reads "try again in 60 s").
fn seconds_until(until: jiff::Timestamp, now: jiff::Timestamp) -> u64 {
    let millis = until.duration_since(now).as_millis().max(1) as u64;
    millis.div_ceil(1000)
}

/// What a login attempt came to.
enum Outcome {
    In(String),
    Wrong,
    Paused(u64),
}

pub async fn login(State(state): State<HubState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, login_page(Some("请从本页登录 Sign in from this page"))).into_response();
    }
    // Few argon2 checks at once: each takes ~20 MB and most of a core for a moment.
    let Ok(_permit) = state.logins.clone().acquire_owned().await else {
        return internal("the login gate closed");
    };
    let (store, now, config) = (state.store.clone(), (state.clock)(), state.login.clone());
    let outcome = blocking(move || -> Result<Outcome, HubError> {
        let Some(op) = store.operator(&form.name)? else {
            verify(decoy(), &form.password);
            return Ok(Outcome::Wrong);
        };
        if let Some(until) = op.paused_until.filter(|until| *until > now) {
            return Ok(Outcome::Paused(seconds_until(until, now)));
        }
        if verify(&op.password_hash, &form.password) {
            if op.failures > 0 || op.paused_until.is_some() {
                store.set_login_state(&op.name, 0, None)?;
            }
            let token = random_token("wms_").map_err(|e| HubError::Db(e.to_string()))?;
            let expires = now + SignedDuration::from_hours(config.session_hours as i64);
            store.add_session(&super::token_hash(&token), &op.name, now, expires)?;
            return Ok(Outcome::In(token));
        }
        let failures = op.failures.saturating_add(1);
        let paused_until = (failures % config.tries == 0).then(|| {
            let rounds = (failures / config.tries).saturating_sub(1).min(20);
            let pause = config.pause_seconds.saturating_mul(1 << rounds).min(config.max_pause_seconds);
            now + SignedDuration::from_secs(pause as i64)
        });
        store.set_login_state(&op.name, failures, paused_until)?;
        tracing::warn!(operator = %op.name, failures, "wrong password at the dashboard");
        Ok(match paused_until {
            Some(until) => Outcome::Paused(seconds_until(until, now)),
            None => Outcome::Wrong,
        })
    })
    .await;
    match outcome {
        Err(r) => r,
        Ok(Outcome::Wrong) => {
            (StatusCode::UNAUTHORIZED, login_page(Some("名字或密码不对 Wrong name or password"))).into_response()
        }
        Ok(Outcome::Paused(seconds)) => {
            let text =
                format!("错误次数太多，请 {seconds} 秒后再试 Too many wrong passwords: try again in {seconds} s");
            (StatusCode::TOO_MANY_REQUESTS, login_page(Some(&text))).into_response()
        }
        Ok(Outcome::In(token)) => set_cookie(&state, &token, state.login.session_hours * 3600),
    }
}

pub async fn logout(State(state): State<HubState>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if let Some(token) = cookie(&headers) {
        let (store, hash) = (state.store.clone(), super::token_hash(token));
        if let Err(r) = blocking(move || store.end_session(&hash)).await {
            return r;
        }
    }
    set_cookie(&state, "", 0)
}
