//! A TCP proxy in front of the hub that loses requests and responses, resets connections, fails
//! every request to one path (a catalog pull that keeps failing while pushes pass), and can cut
//! the link entirely. It records what it delivered, so a test can check that nothing was
//! downloaded twice and that the kiosk counted the bytes it was sent. Shared with
//! `benches/sync.rs`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Its upstream can be changed (the hub restarted on another port) while the kiosk keeps one URL.
/// With several upstreams it sends each request to the next one in turn (a round-robin load
/// balancer in front of several hub processes).
pub struct Proxy {
    pub addr: SocketAddr,
    pub upstream: Upstreams,
    stop: Arc<AtomicBool>,
    cut: Arc<AtomicBool>,
    pub stats: Arc<ProxyStats>,
}

#[derive(Default)]
pub struct ProxyStats {
    pub forwarded: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub resets: AtomicU64,
    /// Requests lost because their path has the failing part ([`Faults::fail_path`]).
    pub failed_path: AtomicU64,
    /// Request bodies read whole from the kiosk.
    pub request_body_bytes: AtomicU64,
    /// Responses the kiosk was given whole: (request path, body length).
    pub delivered: Mutex<Vec<(String, usize)>>,
}

impl ProxyStats {
    pub fn delivered(&self) -> Vec<(String, usize)> {
        self.delivered.lock().unwrap().clone()
    }

    pub fn delivered_body_bytes(&self) -> u64 {
        self.delivered().iter().map(|(_, n)| *n as u64).sum()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub drop_request: f64,
    pub drop_response: f64,
    pub reset: f64,
    /// Every request whose path contains this is lost.
    pub fail_path: Option<&'static str>,
}

impl Faults {
    pub const NONE: Faults = Faults { drop_request: 0.0, drop_response: 0.0, reset: 0.0, fail_path: None };
    /// The lossy link of issue 16: 10 % of requests and 30 % of responses lost, 5 % resets.
    pub const LOSSY: Faults = Faults { drop_request: 0.10, drop_response: 0.30, reset: 0.05, fail_path: None };
}

/// The hubs behind a proxy, and which one the next request goes to.
#[derive(Clone)]
pub struct Upstreams(Arc<Mutex<(Vec<SocketAddr>, usize)>>);

impl Upstreams {
    fn next(&self) -> SocketAddr {
        let mut u = self.0.lock().unwrap();
        u.1 = (u.1 + 1) % u.0.len();
        u.0[u.1]
    }
}

impl Proxy {
    pub fn start(upstream: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        Proxy::round_robin(vec![upstream], faults, seed)
    }

    pub fn round_robin(upstreams: Vec<SocketAddr>, faults: Faults, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let upstream = Upstreams(Arc::new(Mutex::new((upstreams, 0))));
        let stop = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ProxyStats::default());
        let (up, st, cut2, stats2) = (upstream.clone(), stop.clone(), cut.clone(), stats.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            for client in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                n += 1;
                let upstream = up.clone();
                let (stats, cut) = (stats2.clone(), cut2.clone());
                let rng = fastrand::Rng::with_seed(seed.wrapping_mul(1_000_003).wrapping_add(n));
                std::thread::spawn(move || relay(client, upstream, faults, rng, &stats, &cut));
            }
        });
        Proxy { addr, upstream, stop, cut, stats }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn point_to(&self, upstream: SocketAddr) {
        *self.upstream.0.lock().unwrap() = (vec![upstream], 0);
    }

    /// Upstream `i` has moved (its hub was restarted on another port).
    pub fn replace(&self, i: usize, upstream: SocketAddr) {
        self.upstream.0.lock().unwrap().0[i] = upstream;
    }

    /// Cuts the link (every request lost from now on) or mends it.
    pub fn cut(&self, cut: bool) {
        self.cut.store(cut, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads an HTTP/1.1 message head; returns it and the Content-Length.
fn read_head(reader: &mut BufReader<TcpStream>) -> Option<(Vec<u8>, usize)> {
    let mut head = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(line.as_bytes());
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
        if line == "\r\n" {
            return Some((head, length));
        }
    }
}

fn relay(
    client: TcpStream,
    upstream: Upstreams,
    faults: Faults,
    mut rng: fastrand::Rng,
    stats: &ProxyStats,
    cut: &AtomicBool,
) {
    // A head and a body written one after the other must not wait for a delayed ACK (Nagle):
    // that would add ~40 ms to every answer, a stall of the proxy's, not of the link it imitates.
    let _ = client.set_nodelay(true);
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    loop {
        let Some((head, length)) = read_head(&mut reader) else { return };
        let path = String::from_utf8_lossy(&head).split(' ').nth(1).unwrap_or("").to_owned();
        if length > 0 && rng.f64() < faults.reset {
            // Closing with the body unread makes the kernel answer with a TCP reset.
            stats.resets.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        stats.request_body_bytes.fetch_add(length as u64, Ordering::SeqCst);
        if faults.fail_path.is_some_and(|p| path.contains(p)) {
            stats.failed_path.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if cut.load(Ordering::SeqCst) || rng.f64() < faults.drop_request {
            stats.dropped_requests.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let Ok(up) = TcpStream::connect(upstream.next()) else { return };
        let _ = up.set_nodelay(true);
        let mut up_writer = up.try_clone().unwrap();
        if up_writer.write_all(&head).and_then(|()| up_writer.write_all(&body)).is_err() {
            return;
        }
        let mut up_reader = BufReader::new(up);
        let Some((rhead, rlength)) = read_head(&mut up_reader) else { return };
        let mut rbody = vec![0; rlength];
        if up_reader.read_exact(&mut rbody).is_err() {
            return;
        }
        stats.forwarded.fetch_add(1, Ordering::SeqCst);
        if cut.load(Ordering::SeqCst) || rng.f64() < faults.drop_response {
            // The hub did the work; the kiosk never hears of it.
            stats.dropped_responses.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if client.write_all(&rhead).and_then(|()| client.write_all(&rbody)).is_err() {
            return;
        }
        stats.delivered.lock().unwrap().push((path, rlength));
    }
}
