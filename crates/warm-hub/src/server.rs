//! The hub on real connections: its own accept loop around `app(state)`, so that no client can
//! hold the hub. Every connection must finish its TLS handshake and each request head within the
//! header timeout (hyper's timer is set; idle kept-alive connections are closed the same way);
//! connections are capped in total and per client address, and one over the cap is closed at
//! once; HTTPS with rustls when a certificate and key are configured.

use super::{HubState, app};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{
    self, ServerConfig, pki_types::CertificateDer, pki_types::PrivateKeyDer, pki_types::pem::PemObject,
};
use warm_core::process::lock;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("certificate file {path}: {reason}")]
    Cert { path: String, reason: String },
    #[error("key file {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("the certificate and key do not make a TLS setup: {0}")]
    Config(String),
}

/// The rustls setup for HTTPS from a PEM certificate chain and its PEM private key.
pub fn tls_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_err = |reason: String| TlsError::Cert { path: cert_file.display().to_string(), reason };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .map_err(|e| cert_err(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| cert_err(e.to_string()))?;
    if certs.is_empty() {
        return Err(cert_err("no certificate in it (PEM \"BEGIN CERTIFICATE\" expected)".into()));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| TlsError::Key { path: key_file.display().to_string(), reason: e.to_string() })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Connections open now, in total and per client address.
struct Connections {
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
    max_total: usize,
    max_per_client: usize,
    /// When a refused connection was last logged (one line a minute, not one per connection).
    last_warned: Mutex<Option<Instant>>,
    closed: tokio::sync::Notify,
}

/// One admitted connection; dropping it frees its place.
struct Place {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Connections {
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Place> {
        let mut open = lock(&self.open);
        let (total, per_client) = &mut *open;
        let mine = per_client.entry(ip).or_insert(0);
        if *total >= self.max_total || *mine >= self.max_per_client {
            let (total, mine) = (*total, *mine);
            if mine == 0 {
                per_client.remove(&ip);
            }
            drop(open);
            let mut last = lock(&self.last_warned);
            if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                *last = Some(Instant::now());
                tracing::warn!(%ip, total, from_this_client = mine, "connection refused: the hub's connection limits are reached");
            }
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Place { connections: self.clone(), ip })
    }

    fn total(&self) -> usize {
        lock(&self.open).0
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = lock(&self.connections.open);
        let (total, per_client) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = per_client.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_client.remove(&self.ip);
            }
        }
        drop(open);
        self.connections.closed.notify_waiters();
    }
}

/// Serves `app(state)` on `listener` until `shutdown` resolves, then lets open requests finish
/// (at most the request timeout). With `tls`, every connection is HTTPS.
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<ServerConfig>>,
    state: HubState,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = state.limits.clone();
    let connections = Arc::new(Connections {
        open: Mutex::new((0, HashMap::new())),
        max_total: limits.max_connections,
        max_per_client: limits.max_connections_per_client,
        last_warned: Mutex::new(None),
        closed: tokio::sync::Notify::new(),
    });
    let service = TowerToHyperService::new(app(state));
    let acceptor = tls.map(TlsAcceptor::from);
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was taken: wait a
                    // moment rather than spin, then go on serving those already connected.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Over a limit: closed at once, so a flood from one address cannot crowd out the others.
        let Some(place) = connections.admit(peer.ip()) else { continue };
        let _ = stream.set_nodelay(true);
        let (service, acceptor, stopping) = (service.clone(), acceptor.clone(), stopping.clone());
        let header_timeout = limits.header_timeout();
        tokio::spawn(async move {
            let _place = place;
            connection(stream, acceptor, service, header_timeout, stopping).await;
        });
    }
    let _ = stop.send(true);
    let deadline = Instant::now() + limits.request_timeout();
    while connections.total() > 0 && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(100), connections.closed.notified()).await;
    }
    Ok(())
}

type Service = TowerToHyperService<axum::Router>;

async fn connection(
    stream: TcpStream,
    acceptor: Option<TlsAcceptor>,
    service: Service,
    header_timeout: Duration,
    stopping: watch::Receiver<bool>,
) {
    match acceptor {
        None => http(TokioIo::new(stream), service, header_timeout, stopping).await,
        Some(acceptor) => match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => http(TokioIo::new(stream), service, header_timeout, stopping).await,
            Ok(Err(e)) => tracing::debug!("TLS handshake failed: {e}"),
            Err(_) => tracing::debug!("TLS handshake not finished within the header timeout"),
        },
    }
}

/// HTTP/1.1 on one connection, with hyper's header timeout running (it needs the timer).
async fn http<I>(io: TokioIo<I>, service: Service, header_timeout: Duration, mut stopping: watch::Receiver<bool>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!("connection ended: {e}");
            }
        }
        _ = stopping.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
