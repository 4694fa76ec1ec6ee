//! The terminal's HTTP client for the hub: blocking `ureq` on the sync thread.
//!
//! Why ureq and not reqwest/hyper: sync runs on its own thread and does one request at a time, in
//! order; a small blocking client keeps that code straight-line (no second async runtime next to
//! iced's), builds in seconds, and its timeouts are per call. The hub uses axum/tokio because a
//! server must serve many terminals at once; the terminal has no such need.
//!
//! HTTPS with rustls: the hub's certificate is checked against the system's roots, or only against
//! the CA certificate(s) in `[sync] ca_file` (a co-op's own CA). A certificate that does not check
//! out is [`SyncError::Untrusted`], said in words, never sent to silently.

use super::SyncError;
use crate::config::SyncConfig;
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider};
use warm_core::api::{self, ApiError, CatalogPage, PushResponse, RecoveryAnswer, RecoveryRequest};

pub struct Client {
    agent: Agent,
    base: String,
    terminal: String,
    auth: String,
    /// This kiosk copy's id, sent with every push (see `api::KIOSK_INSTANCE`).
    instance: String,
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

impl Client {
    pub fn new(config: &SyncConfig, terminal: &str) -> Result<Client, SyncError> {
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
        })
    }

    pub fn set_instance(&mut self, instance: String) {
        self.instance = instance;
    }

    /// A request that did not get an answer: the certificate refused, or the hub not reached.
    fn unreached(&self, e: ureq::Error) -> SyncError {
        match certificate_problem(&e) {
            Some(why) => SyncError::Untrusted(format!(
                "the hub at {} showed a certificate this kiosk does not trust ({why}); check hub_url, and [sync] ca_file if the co-op has its own CA",
                self.base
            )),
            None => SyncError::Offline(e.to_string()),
        }
    }

    fn answer(mut response: ureq::http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, SyncError> {
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| SyncError::Offline(format!("reading the hub's answer: {e}")))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        let refusal: Option<ApiError> = serde_json::from_slice(&body).ok();
        let (error, message, acked_upto) = match refusal {
            Some(r) => (r.error, r.message, r.acked_upto),
            None => (String::new(), String::from_utf8_lossy(&body).chars().take(200).collect(), None),
        };
        // 429: this terminal's earlier pushes are still being handled at the hub; it passes.
        if status >= 500 || status == 429 {
            Err(SyncError::Server { status, message })
        } else {
            Err(SyncError::Refused { status, error, message, acked_upto })
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
        let response = request.send(body).map_err(|e| self.unreached(e))?;
        let body = Self::answer(response, 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad answer: {e}") })
    }

    /// Asks whether this kiosk is one restored from an older backup (see `api::RecoveryRequest`).
    pub fn recover(&self, request: &RecoveryRequest) -> Result<RecoveryAnswer, SyncError> {
        let body = serde_json::to_vec(request).map_err(|e| SyncError::Local(format!("encoding a recovery: {e}")))?;
        let response = self
            .agent
            .post(format!("{}{}", self.base, api::recovery_path(&self.terminal)))
            .header("Authorization", &self.auth)
            .header("Content-Type", "application/json")
            .send(&body[..])
            .map_err(|e| self.unreached(e))?;
        let body = Self::answer(response, 1024 * 1024)?;
        serde_json::from_slice(&body)
            .map_err(|e| SyncError::Server { status: 200, message: format!("bad answer: {e}") })
    }

    pub fn catalog_page(&self, cursor: u64, limit: u32) -> Result<CatalogPage, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::catalog_path(&self.terminal, cursor, limit)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreached(e))?;
        let body = Self::answer(response, 64 * 1024 * 1024)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::Server { status: 200, message: format!("bad page: {e}") })
    }

    pub fn picture(&self, hash: &str) -> Result<Vec<u8>, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::picture_path(hash)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| self.unreached(e))?;
        Self::answer(response, MAX_PICTURE_BYTES)
    }
}
