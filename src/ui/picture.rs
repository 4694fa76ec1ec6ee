//! Product and category pictures, decoded off the UI thread for the pages in view and a little
//! ahead (never in `view()`, never all at start), kept in a bounded cache: start-up and memory
//! stay the same whether the catalog has 56 products or 1,000. Until a picture is ready its
//! place shows the product's name on a calm tile of the same size, so nothing moves when it comes.

use super::theme;
use crate::store::StoreError;
use iced::widget::image::Handle;
use std::collections::{HashMap, HashSet};
use warm_core::catalog_file::{PictureError, PictureSource};

/// The most decoded pictures kept at once: a screen shows at most ~30 (a page of 6 and the pages
/// beside it, the basket, the home row, up to 9 category tiles).
pub const CACHE_BOUND: usize = 48;

/// Pictures are scaled once to the largest size the screen shows them at (category tiles are
/// bigger than product tiles), so a picture in the cache stays light.
pub fn max_side(scale: f32) -> (u32, u32) {
    let px = |side: f32| (side * scale).ceil() as u32;
    (px(theme::CATEGORY_PICTURE), px(theme::TILE_PICTURE))
}

/// How pictures are decoded: on a worker thread through the root's `Task`s (the kiosk), or at
/// once on the calling thread (tests and snapshots, which must see every picture without waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    Background,
    Inline,
}

/// What a picture is of: it decides the side it is decoded at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Category,
    Product,
}

/// Pictures to decode, handed to a worker thread by [`Pictures::request`].
#[derive(Debug, Clone)]
pub struct Job {
    generation: u64,
    source: PictureSource,
    wants: Vec<(String, u32)>,
}

/// What a [`Job`] gave: each picture or why it cannot be had.
#[derive(Debug, Clone)]
pub struct Decoded {
    generation: u64,
    results: Vec<(String, Result<Handle, Unavailable>)>,
}

/// Why a picture cannot be shown (its place shows the placeholder with the name instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// Missing, outside the catalog's folder, unreadable, or not a picture.
    #[error(transparent)]
    Picture(#[from] PictureError),
    /// The worker thread that decodes pictures could not run.
    #[error(transparent)]
    NotRun(StoreError),
}

impl Job {
    /// Reads and decodes every picture of the job (blocking: call it off the UI thread).
    pub fn run(self) -> Decoded {
        let results = self
            .wants
            .into_iter()
            .map(|(path, side)| {
                let decoded = self
                    .source
                    .read(&path)
                    .and_then(|bytes| decode(&bytes, side).map_err(|e| PictureError::Decode(e.to_string())));
                (path, decoded.map_err(Unavailable::from))
            })
            .collect();
        Decoded { generation: self.generation, results }
    }

    /// The job's pictures as failed for `reason` (its worker thread could not run).
    pub fn failed(self, reason: StoreError) -> Decoded {
        let results =
            self.wants.into_iter().map(|(path, _)| (path, Err(Unavailable::NotRun(reason.clone())))).collect();
        Decoded { generation: self.generation, results }
    }
}

/// The decoded pictures the screens draw, by path in the catalog, with the least recently wanted
/// dropped beyond [`CACHE_BOUND`]. Owned by the root; screens only read it.
#[derive(Debug)]
pub struct Pictures {
    source: PictureSource,
    decoding: Decoding,
    sides: (u32, u32),
    bound: usize,
    /// Bumped when the catalog (and so the source) changes: late results of the old one are dropped.
    generation: u64,
    /// Path → picture and when it was last wanted (a tick of `clock`).
    ready: HashMap<String, (Handle, u64)>,
    /// Pictures that could not be had, with the reason: a placeholder, one log line, no retry.
    failed: HashMap<String, Unavailable>,
    pending: HashSet<String>,
    clock: u64,
    /// The most decoded pictures ever held at once.
    peak: usize,
    decodes: u64,
}

impl Pictures {
    /// An empty cache over `source`; `scale` is the config's screen scale factor.
    pub fn new(source: PictureSource, scale: f32, decoding: Decoding) -> Pictures {
        Pictures::with_bound(source, scale, decoding, CACHE_BOUND)
    }

    pub fn with_bound(source: PictureSource, scale: f32, decoding: Decoding, bound: usize) -> Pictures {
        Pictures {
            source,
            decoding,
            sides: max_side(scale),
            bound: bound.max(1),
            generation: 0,
            ready: HashMap::new(),
            failed: HashMap::new(),
            pending: HashSet::new(),
            clock: 0,
            peak: 0,
            decodes: 0,
        }
    }

    /// A new catalog's pictures: the old ones are forgotten, and results still on their way dropped.
    pub fn replace_source(&mut self, source: PictureSource) {
        self.source = source;
        self.generation += 1;
        self.ready.clear();
        self.failed.clear();
        self.pending.clear();
    }

    /// The screen's scale changed (the window was fitted): pictures are decoded again at the new
    /// size as they are wanted; results of the old size still on their way are dropped.
    pub fn set_scale(&mut self, scale: f32) {
        let sides = max_side(scale);
        if sides != self.sides {
            self.sides = sides;
            self.generation += 1;
            self.ready.clear();
            self.pending.clear();
        }
    }

    pub fn decoding(&self) -> Decoding {
        self.decoding
    }

    /// The picture at `path`, if it is decoded.
    pub fn get(&self, path: &str) -> Option<&Handle> {
        self.ready.get(path).map(|(handle, _)| handle)
    }

    /// Whether the picture at `path` could not be had (a missing or broken file).
    pub fn is_missing(&self, path: &str) -> bool {
        self.failed.contains_key(path)
    }

    /// Pictures that could not be had, with the reason.
    pub fn missing(&self) -> impl Iterator<Item = (&str, &Unavailable)> {
        self.failed.iter().map(|(path, reason)| (path.as_str(), reason))
    }

    /// Decoded pictures held now.
    pub fn len(&self) -> usize {
        self.ready.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ready.is_empty()
    }

    /// The most decoded pictures ever held at once (never above the bound).
    pub fn peak(&self) -> usize {
        self.peak
    }

    pub fn bound(&self) -> usize {
        self.bound
    }

    /// Pictures decoded since start (a picture dropped and wanted again counts again).
    pub fn decodes(&self) -> u64 {
        self.decodes
    }

    /// Whether no decode is on its way.
    pub fn is_idle(&self) -> bool {
        self.pending.is_empty()
    }

    /// Marks `wants` (in order of need: what is on screen first, then the pages ahead) as wanted
    /// now, and returns the decoding still to do for them, if any. Only the first `bound` count.
    pub fn request(&mut self, wants: &[(&str, Kind)]) -> Option<Job> {
        self.clock += 1;
        let mut todo = Vec::new();
        let mut seen = HashSet::new();
        for &(path, kind) in wants.iter().take(self.bound) {
            if !seen.insert(path) {
                continue;
            }
            if let Some((_, used)) = self.ready.get_mut(path) {
                *used = self.clock;
            } else if !self.failed.contains_key(path) && !self.pending.contains(path) {
                let side = match kind {
                    Kind::Category => self.sides.0,
                    Kind::Product => self.sides.1,
                };
                self.pending.insert(path.to_owned());
                todo.push((path.to_owned(), side));
            }
        }
        (!todo.is_empty()).then(|| Job { generation: self.generation, source: self.source.clone(), wants: todo })
    }

    /// Takes what a worker decoded; drops the least recently wanted pictures beyond the bound.
    pub fn receive(&mut self, decoded: Decoded) {
        if decoded.generation != self.generation {
            return;
        }
        self.clock += 1;
        for (path, result) in decoded.results {
            self.pending.remove(&path);
            match result {
                Ok(handle) => {
                    self.decodes += 1;
                    self.ready.insert(path, (handle, self.clock));
                }
                Err(reason) => {
                    tracing::warn!(picture = %path, %reason, "picture missing or unreadable; showing a placeholder");
                    self.failed.insert(path, reason);
                }
            }
        }
        while self.ready.len() > self.bound {
            let Some(oldest) = self.ready.iter().min_by_key(|(_, (_, used))| *used).map(|(path, _)| path.clone())
            else {
                break;
            };
            self.ready.remove(&oldest);
        }
        self.peak = self.peak.max(self.ready.len());
    }

    /// Decodes `wants` now, on this thread ([`Decoding::Inline`]).
    pub fn decode_now(&mut self, wants: &[(&str, Kind)]) {
        if let Some(job) = self.request(wants) {
            self.receive(job.run());
        }
    }
}

fn decode(bytes: &[u8], side: u32) -> Result<Handle, image::ImageError> {
    let image = image::load_from_memory(bytes)?;
    let image = if image.width() > side || image.height() > side {
        image.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    let rgba = image.into_rgba8();
    Ok(Handle::from_rgba(rgba.width(), rgba.height(), rgba.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(catalog: &warm_core::domain::Catalog) -> Vec<(&str, Kind)> {
        catalog
            .categories
            .iter()
            .map(|c| (c.picture.as_str(), Kind::Category))
            .chain(catalog.products.iter().map(|p| (p.picture.as_str(), Kind::Product)))
            .collect()
    }

    #[test]
    fn the_demo_pictures_all_load() {
        let loaded = crate::demo::catalog().unwrap();
        let mut pictures = Pictures::with_bound(loaded.pictures, 1.0, Decoding::Inline, 100);
        pictures.decode_now(&wants(&loaded.catalog));
        assert_eq!(pictures.missing().count(), 0, "{:?}", pictures.missing().collect::<Vec<_>>());
        for p in &loaded.catalog.products {
            assert!(pictures.get(&p.picture).is_some(), "{}", p.picture);
        }
    }

    #[test]
    fn the_cache_keeps_the_most_recently_wanted_within_its_bound() {
        let loaded = crate::demo::catalog().unwrap();
        let mut pictures = Pictures::with_bound(loaded.pictures, 1.0, Decoding::Background, 8);
        let products: Vec<_> = loaded.catalog.products.iter().map(|p| (p.picture.as_str(), Kind::Product)).collect();
        for page in products.chunks(6) {
            let job = pictures.request(page).expect("a new page has pictures to decode");
            assert!(pictures.request(page).is_none(), "a picture on its way is not asked for twice");
            pictures.receive(job.run());
            assert!(pictures.len() <= 8);
            for (path, _) in page {
                assert!(pictures.get(path).is_some(), "the page in view stays: {path}");
            }
        }
        assert_eq!(pictures.peak(), 8);
        assert!(pictures.is_idle());
        // A result for a catalog replaced meanwhile is dropped.
        let job = pictures.request(&products[..2]).unwrap();
        pictures.replace_source(PictureSource::Embedded(&[]));
        pictures.receive(job.run());
        assert!(pictures.is_empty());
        // A window fitted at another scale decodes anew at the new size.
        let mut pictures = Pictures::with_bound(crate::demo::catalog().unwrap().pictures, 1.0, Decoding::Inline, 8);
        pictures.decode_now(&products[..1]);
        let width = |p: &Pictures| match p.get(products[0].0) {
            Some(Handle::Rgba { width, .. }) => *width,
            other => panic!("{other:?}"),
        };
        assert!(width(&pictures) > 80, "{}", width(&pictures));
        pictures.set_scale(0.5);
        assert!(pictures.is_empty());
        pictures.decode_now(&products[..1]);
        assert!(width(&pictures) <= 80, "{}", width(&pictures));
    }

    #[test]
    fn missing_and_corrupt_pictures_are_listed_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.png"), b"not a png").unwrap();
        let mut pictures = Pictures::new(PictureSource::Folder(dir.path().to_owned()), 1.0, Decoding::Inline);
        pictures.decode_now(&[("bad.png", Kind::Category), ("none.png", Kind::Product)]);
        let reasons: Vec<_> = pictures.missing().map(|(p, r)| format!("{p}: {r}")).collect();
        assert!(reasons.iter().any(|r| r.starts_with("bad.png: cannot decode")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("none.png:")), "{reasons:?}");
        assert!(pictures.get("bad.png").is_none() && pictures.is_missing("bad.png"));
        // Not tried again: one log line per picture.
        assert!(pictures.request(&[("bad.png", Kind::Category)]).is_none());
    }
}
