//! The picture cache: files named by their sha256 in the data folder, downloaded a few at a time.

use super::SyncError;
use super::client::{ATTEMPTS, Client, pause};
use sha2::{Digest, Sha256};
use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Instant;

/// Pictures on their way at once: enough to hide a slow or lossy link's round trips, few enough
/// not to crowd a market's uplink or the hub.
pub const AT_ONCE: usize = 4;

fn is_sha256(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The hashes of `wanted` not yet in the cache, each once, in order.
pub fn missing(dir: &Path, wanted: impl IntoIterator<Item = String>) -> Result<Vec<String>, SyncError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for hash in wanted {
        if !is_sha256(&hash) {
            return Err(SyncError::Server { status: 200, message: format!("picture name {hash:?} is not a sha256") });
        }
        if !dir.join(&hash).exists() && seen.insert(hash.clone()) {
            out.push(hash);
        }
    }
    Ok(out)
}

/// Downloads `hashes` into `dir`, [`AT_ONCE`] at a time, calling `arrived` (on the caller's
/// thread) with each as soon as it is in the cache. A picture that fails for a reason that may
/// pass goes back to the end of the queue (the others are fetched meanwhile, so a retry costs no
/// idle wait) until it has failed [`ATTEMPTS`] times; a refusal stops the rest. Every picture
/// that arrived stays in the cache whatever else failed. Returns how many arrived, and the first
/// failure.
pub fn fetch_all(
    client: &Client,
    dir: &Path,
    hashes: Vec<String>,
    mut arrived: impl FnMut(&str),
) -> (u64, Result<(), SyncError>) {
    if hashes.is_empty() {
        return (0, Ok(()));
    }
    let workers = AT_ONCE.min(hashes.len());
    let queue: Mutex<VecDeque<(String, u32, Instant)>> =
        Mutex::new(hashes.into_iter().map(|h| (h, 0, Instant::now())).collect());
    let failure: Mutex<Option<SyncError>> = Mutex::new(None);
    let mut fetched = 0;
    std::thread::scope(|scope| {
        let (tell, told) = mpsc::channel::<String>();
        for _ in 0..workers {
            let (queue, failure, tell) = (&queue, &failure, tell.clone());
            scope.spawn(move || {
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).pop_front();
                    let Some((hash, failed, not_before)) = next else { return };
                    std::thread::sleep(not_before.saturating_duration_since(Instant::now()));
                    match fetch_one(client, dir, &hash) {
                        Ok(()) => {
                            let _ = tell.send(hash);
                        }
                        Err(e) if e.is_transient() && failed + 1 < ATTEMPTS => {
                            let again = Instant::now() + pause(failed);
                            queue.lock().unwrap_or_else(PoisonError::into_inner).push_back((hash, failed + 1, again));
                        }
                        Err(e) => {
                            let refused = !e.is_transient();
                            failure.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(e);
                            if refused {
                                queue.lock().unwrap_or_else(PoisonError::into_inner).clear();
                            }
                        }
                    }
                }
            });
        }
        // The channel ends when the last worker does.
        drop(tell);
        for hash in told {
            fetched += 1;
            arrived(&hash);
        }
    });
    let failure = failure.into_inner().unwrap_or_else(PoisonError::into_inner);
    (fetched, failure.map_or(Ok(()), Err))
}

/// Downloads one picture, checks it is what its name says, and puts it in the cache durably
/// (written to a side file, synced, then renamed: the cache never holds half a picture).
fn fetch_one(client: &Client, dir: &Path, hash: &str) -> Result<(), SyncError> {
    let bytes = client.picture(hash)?;
    let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    if got != hash {
        return Err(SyncError::Offline(format!("picture {hash} arrived damaged (sha256 {got})")));
    }
    let io = |e: std::io::Error| SyncError::Local(format!("picture cache {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!("{hash}.part"));
    let mut file = File::create(&tmp).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&tmp, dir.join(hash)).map_err(io)?;
    Ok(())
}
