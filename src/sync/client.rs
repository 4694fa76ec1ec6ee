//! The terminal's HTTP client for the hub: blocking `ureq` on the sync threads.
//!
//! Why ureq and not reqwest/hyper: sync runs on its own threads and each does one request at a
//! time, in order (pictures a few at a time); a small blocking client keeps that code
//! straight-line (no second async runtime next to iced's), builds in seconds, and its timeouts
//! are per call. The hub uses axum/tokio because a server must serve many terminals at once.
//!
//! Every request here is idempotent (pushes by design, pulls by cursor, pictures by hash), so a
//! failed one may simply be sent again: [`with_retries`]. Each request's body bytes and whether
//! it got through are counted in the loop's [`Meter`].
//!
//! HTTPS with rustls: the hub's certificate is checked against the system's roots, or only against
//! the CA certificate(s) in `[sync] ca_file` (a co-op's own CA). A certificate that does not check
//! out is [`SyncError::Untrusted`], said in words, never sent to silently (and never retried).

use super::SyncError;
use super::meter::Meter;
use crate::config::SyncConfig;
use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};
use warm_core::api::{self, ApiError, CatalogPage, PushResponse, RecoveryAnswer, RecoveryRequest, UsagePage};

pub struct Client {
    agent: Agent,
    base: String,
    terminal: String,
    auth: String,
    /// This kiosk copy's id, sent with every push (see `api::KIOSK_INSTANCE`).
    instance: String,
    meter: Arc<Meter>,
}

/// Pictures larger than this are refused (a product photo is a few hundred KB).
const MAX_PICTURE_BYTES: u64 = 16 * 1024 * 1024;

/// The roots an https hub's certificate must chain to.
fn roots(config: &SyncConfig) -> Result<RootCerts, SyncError> {
    let Some(path) = &config.ca_file else { return Ok(RootCerts::PlatformVerifier) };
    let bad = |why: String| SyncError::Local(format!("[sync] ca_file {}: {why}", path.display()));
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item.map_err(|e| bad(e.to_string()))? {
            PemItem::Certificate(cert) => certs.push(cert),
            _ => continue,
        }
    }
    if certs.is_empty() {
        return Err(bad("no certificate in it (PEM \"BEGIN CERTIFICATE\" expected)".into()));
    }
    Ok(RootCerts::new_with_certs(&certs))
}

/// Why the hub's certificate was refused, in words, if that is what went wrong.
fn certificate_problem(e: &ureq::Error) -> Option<String> {
    let rustls_error = match e {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    }?;
    use rustls::CertificateError as C;
    let why = match rustls_error {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => {
            "it is not signed by a CA this kiosk trusts".to_owned()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            "it is made out for another address".to_owned()
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => "it has expired".to_owned(),
        rustls::Error::InvalidCertificate(other) => format!("it is not valid: {other}"),
        _ => return None,
    };
    Some(why)
}

/// Tries of one request in a pass, while it fails for a reason that may pass (network, a hub in
/// trouble); a refusal is never retried.
pub const ATTEMPTS: u32 = 5;

/// The pause before try `attempt + 1` (attempt 0 is the first retry): 25 ms, doubling, at most
/// 2 s, each drawn from its upper half so kiosks that failed together do not retry together.
/// Short: on a lossy link the next try usually gets through (a lost answer is known at once when
/// the connection closes), and a hub that is away is left to the loop's back-off.
pub fn pause(attempt: u32) -> Duration {
    let full = Duration::from_millis(25).saturating_mul(1 << attempt.min(7)).min(Duration::from_secs(2));
    let half = full / 2;
    half + Duration::from_millis(getrandom::u64().unwrap_or(0) % (half.as_millis() as u64 + 1))
}

/// Runs `f` until it succeeds, fails for good, or has failed [`ATTEMPTS`] times in a row;
/// `f` returns whether the failed try still moved something (then the count starts again).
pub fn with_retries<T>(mut f: impl FnMut() -> Result<T, (SyncError, bool)>) -> Result<T, SyncError> {
    let mut failed = 0;
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err((e, progress)) => {
                failed = if progress { 1 } else { failed + 1 };
                if !e.is_transient() || failed >= ATTEMPTS {
                    return Err(e);
                }
                std::thread::sleep(pause(failed - 1));
            }
        }
    }
}

impl Client {
    pub fn new(config: &SyncConfig, terminal: &str, meter: Arc<Meter>) -> Result<Client, SyncError> {
        let timeout = Duration::from_secs(config.timeout_seconds);
        let tls = TlsConfig::builder().provider(TlsProvider::Rustls).root_certs(roots(config)?).build();
        let agent = Agent::new_with_config(
            Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).tls_config(tls).build(),
        );
        Ok(Client {
            agent,
            base: config.hub_url.trim_end_matches('/').to_owned(),
            terminal: terminal.to_owned(),
            auth: api::bearer(&config.token),
            instance: String::new(),
            meter,
        })
    }

    /// Sets this kiosk copy's id, sent with every push.
    pub fn set_instance(&mut self, instance: String) {
        self.instance = instance;
    }

    pub fn meter(&self) -> &Arc<Meter> {
        &self.meter
    }

    /// The request got no answer: the hub's certificate refused (check the CA), or the hub not
    /// reached (check the hub and its address).
    fn unreachable(&self, e: &ureq::Error) -> SyncError {
        self.meter.outcome(false);
        match certificate_problem(e) {
            Some(why) => SyncError::Untrusted(format!(
                "the hub at {} showed a certificate this kiosk does not trust ({why}); check hub_url, and [sync] ca_file if the co-op has its own CA",
                self.base
            )),
            None => SyncError::Offline(format!(
                "{e} (is the hub running, and are the address and port in [sync] hub_url = \"{}\" right?)",
                self.base
            )),
        }
    }

    /// Reads the answer's body (counting every byte that arrived) and turns a refusal into words
    /// that name what to check.
    fn answer(&self, mut response: ureq::http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, SyncError> {
        let status = response.status();
        let mut reader = response.body_mut().with_config().limit(limit).reader();
        let mut body = Vec::new();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    self.meter.received(n as u64);
                    body.extend_from_slice(&chunk[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.meter.outcome(false);
                    return Err(SyncError::Offline(format!("reading the hub's answer: {e}")));
                }
            }
        }
        self.meter.outcome(true);
        if status.is_success() {
            return Ok(body);
        }
        let code = status.as_u16();
        let refusal: Option<ApiError> = serde_json::from_slice(&body).ok();
        let (error, message, acked_upto) = match refusal {
            Some(r) => (r.error, r.message, r.acked_upto),
            None => {
                let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                let reason = status.canonical_reason().unwrap_or("no reason given");
                (String::new(), if text.trim().is_empty() { reason.to_owned() } else { text }, None)
            }
        };
        let hint = match code {
            401 => {
                " (check [sync] token in the config file: it is the token `warm-hub terminal add` or `terminal rotate` printed for this terminal; a revoked terminal needs a new one)"
            }
            403 => " (this token is another terminal's: check terminal_id and [sync] token in the config file)",
            // Not the hub's own answer: the address leads somewhere else (a `/v1` too many?).
            404 if error.is_empty() => {
                " (check [sync] hub_url in the config file: the hub's address and port only, e.g. http://192.168.1.10:7878, without /v1)"
            }
            _ => "",
        };
        let message = format!("{message}{hint}");
        // 429: this terminal's earlier pushes are still being handled at the hub; it passes.
        if code >= 500 || code == 429 {
            Err(SyncError::Server { status: code, message })
        } else {
            Err(SyncError::Refused { status: code, error, message, acked_upto })
        }
    }

    /// Sends one push body (see [`crate::store::Store::outbox_push_body`]) and reads the hub's
    /// answer. `follows`: the last seq of a push sent before this one and not yet answered.
    pub fn push(&self, body: &[u8], follows: Option<u64>) -> Result<PushResponse, SyncError> {
        let mut request = self
            .agent
            .post(format!("{}{}", self.base, api::events_path(&self.terminal)))
            .header("Authorization", &self.auth)
            .header("Content-Type", "application/json")
            .header(api::KIOSK_INSTANCE, &self.instance);
        if let Some(seq) = follows {
            request = request.header(api::FOLLOWS_SEQ, seq.to_string());
        }
        // Counted as sent when it is handed to the network: a body lost on the way still cost it.
        self.meter.sent(body.len() as u64);
        let response = request.send(body).map_err(|e| self.unreachable(&e))?;
        let body = self.answer(response, 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad answer to a push: {e}") })
    }

    /// Asks whether this kiosk is one restored from an older backup (see `api::RecoveryRequest`).
    pub fn recover(&self, request: &RecoveryRequest) -> Result<RecoveryAnswer, SyncError> {
        let body = serde_json::to_vec(request).map_err(|e| SyncError::Local(format!("encoding a recovery: {e}")))?;
        self.meter.sent(body.len() as u64);
        let response = self
            .agent
            .post(format!("{}{}", self.base, api::recovery_path(&self.terminal)))
            .header("Authorization", &self.auth)
            .header("Content-Type", "application/json")
            .send(&body[..])
            .map_err(|e| self.unreachable(&e))?;
        let body = self.answer(response, 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad answer to a recovery: {e}") })
    }

    pub fn catalog_page(&self, cursor: u64, limit: u32) -> Result<CatalogPage, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::catalog_path(&self.terminal, cursor, limit)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreachable(&e))?;
        let body = self.answer(response, 64 * 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad catalog page: {e}") })
    }

    /// One page of what the market's households bought (issue 10).
    pub fn usage_page(&self, cursor: u64, limit: u32) -> Result<UsagePage, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::usage_path(&self.terminal, cursor, limit)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreachable(&e))?;
        let body = self.answer(response, 64 * 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad usage page: {e}") })
    }

    pub fn dispatch_page(&self, cursor: u64, limit: u32) -> Result<api::manager::DispatchPage, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::manager::dispatch_path(&self.terminal, cursor, limit)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreachable(&e))?;
        let body = self.answer(response, 16 * 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad dispatch page: {e}") })
    }

    pub fn picture(&self, hash: &str) -> Result<Vec<u8>, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::picture_path(hash)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreachable(&e))?;
        self.answer(response, MAX_PICTURE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_are_short_jittered_and_doubling() {
        for attempt in 0..10 {
            let full = Duration::from_millis(25 << attempt.min(7)).min(Duration::from_secs(2));
            let p = pause(attempt);
            assert!(p >= full / 2 && p <= full, "{attempt}: {p:?}");
        }
    }

    #[test]
    fn retries_stop_on_a_refusal_or_after_attempts_in_a_row_without_progress() {
        let offline = || SyncError::Offline("lost".into());
        let mut tries = 0;
        let r: Result<(), _> = with_retries(|| {
            tries += 1;
            Err((offline(), false))
        });
        assert!(r.is_err());
        assert_eq!(tries, ATTEMPTS);
        let mut tries = 0;
        let r: Result<(), _> = with_retries(|| {
            tries += 1;
            Err((
                SyncError::Refused { status: 409, error: "conflict".into(), message: String::new(), acked_upto: None },
                false,
            ))
        });
        assert!(r.is_err());
        assert_eq!(tries, 1, "a refusal is not retried");
        // A try that failed after moving something starts the count again.
        let mut tries = 0;
        let r = with_retries(|| {
            tries += 1;
            match tries {
                1..=3 => Err((offline(), false)),
                4 => Err((offline(), true)),
                5..=7 => Err((offline(), false)),
                _ => Ok(tries),
            }
        });
        assert_eq!(r.unwrap(), 8);
    }
}
