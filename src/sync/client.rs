//! The terminal's HTTP client for the hub: blocking `ureq` on the sync thread.
//!
//! Why ureq and not reqwest/hyper: sync runs on its own thread and does one request at a time, in
//! order; a small blocking client keeps that code straight-line (no second async runtime next to
//! iced's), builds in seconds, and its timeouts are per call. The hub uses axum/tokio because a
//! server must serve many terminals at once; the terminal has no such need.

use super::SyncError;
use crate::config::SyncConfig;
use std::time::Duration;
use ureq::Agent;
use warm_core::api::{self, ApiError, CatalogPage, PushResponse};

pub struct Client {
    agent: Agent,
    base: String,
    terminal: String,
    auth: String,
}

/// Pictures larger than this are refused (a product photo is a few hundred KB).
const MAX_PICTURE_BYTES: u64 = 16 * 1024 * 1024;

impl Client {
    pub fn new(config: &SyncConfig, terminal: &str) -> Client {
        let timeout = Duration::from_secs(config.timeout_seconds);
        let agent = Agent::new_with_config(
            Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build(),
        );
        Client {
            agent,
            base: config.hub_url.trim_end_matches('/').to_owned(),
            terminal: terminal.to_owned(),
            auth: api::bearer(&config.token),
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
        if status >= 500 {
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
            .header("Content-Type", "application/json");
        if let Some(seq) = follows {
            request = request.header(api::FOLLOWS_SEQ, seq.to_string());
        }
        let response = request.send(body).map_err(|e| SyncError::Offline(e.to_string()))?;
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
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        let body = Self::answer(response, 64 * 1024 * 1024)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::Server { status: 200, message: format!("bad page: {e}") })
    }

    pub fn dispatch_page(&self, cursor: u64, limit: u32) -> Result<api::manager::DispatchPage, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::manager::dispatch_path(&self.terminal, cursor, limit)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        let body = Self::answer(response, 64 * 1024 * 1024)?;
        serde_json::from_slice(&body).map_err(|e| SyncError::Server { status: 200, message: format!("bad page: {e}") })
    }

    pub fn picture(&self, hash: &str) -> Result<Vec<u8>, SyncError> {
        let response = self
            .agent
            .get(format!("{}{}", self.base, api::picture_path(hash)))
            .header("Authorization", &self.auth)
            .call()
            .map_err(|e| SyncError::Offline(e.to_string()))?;
        Self::answer(response, MAX_PICTURE_BYTES)
    }
}
