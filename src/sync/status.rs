//! What the sync corner (and `warm-kiosk sync status`) tells: the link, what waits, when orders
//! last reached the hub and when the catalog last changed, bytes on the wire, and a problem that
//! needs a person. Kept in the store's `sync_state` by the sync passes themselves, so a status
//! read by another process (or after a restart) says what the last pass found.

use crate::store::{Store, StoreError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use warm_core::domain::Lang;
use warm_core::i18n::{SyncWords, tr};

/// The keys of `sync_state` that sync writes (besides `catalog_cursor`).
pub(crate) mod keys {
    /// The last pass (push or pull) that finished with nothing left failing.
    pub const LAST_OK: &str = "last_ok_at";
    /// The last push the hub acknowledged events of.
    pub const DELIVERED: &str = "delivered_at";
    /// The last catalog page applied.
    pub const CATALOG_CHANGED: &str = "catalog_changed_at";
    pub const BYTES_SENT: &str = "wire_sent_bytes";
    pub const BYTES_RECEIVED: &str = "wire_received_bytes";
    /// The link as the last pass left it ([`super::LinkRecord`] as JSON).
    pub const LINK: &str = "link";
    /// Why the last push or pull failed ([`super::Problem`] as JSON); removed when one works.
    pub const PUSH_PROBLEM: &str = "push_problem";
    pub const PULL_PROBLEM: &str = "pull_problem";
}

/// How the network to the hub is doing, judged from recent requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Nothing tried yet.
    #[default]
    Unknown,
    /// Every recent request got an answer.
    Online,
    /// Some recent requests failed, others got through: work still moves.
    Unstable,
    /// No recent request got through.
    Offline,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Unknown => "unknown",
            Link::Online => "online",
            Link::Unstable => "unstable",
            Link::Offline => "offline",
        }
    }
}

/// The link as a pass recorded it, for a status read later or by another process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub link: Link,
    pub at: Timestamp,
    /// Requests in the window behind the verdict, and how many of them failed.
    pub tried: u32,
    pub failed: u32,
}

/// Why the last push or pull failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub at: Timestamp,
    pub message: String,
    /// The hub refused: retrying alone will not help; a person must.
    pub needs_help: bool,
    /// The hub's certificate did not check out (a wrong `ca_file`, or not the co-op's hub).
    #[serde(default)]
    pub untrusted: bool,
}

/// What the screen's corner shows (and `sync status` prints).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    /// A hub is configured (`[sync] hub_url`); false: the kiosk works stand-alone.
    pub configured: bool,
    /// Work reaches the hub: `link` is online or unstable. (What the corner of before issue 16
    /// reads; `link` tells which.)
    pub online: bool,
    pub link: Link,
    /// Events in the outbox (orders, payments, prints, stock moves), and the orders among them.
    pub waiting: u64,
    pub orders_waiting: u64,
    /// The last pass that finished with nothing left failing.
    pub last_ok: Option<Timestamp>,
    /// When orders last reached the hub (the hub acknowledged events).
    pub delivered_at: Option<Timestamp>,
    /// When a catalog change from the hub was last applied here.
    pub catalog_changed_at: Option<Timestamp>,
    /// Request and response bodies since the store was made.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// What failed last, push first, in English (for the log and the volunteer's status).
    pub problem: Option<String>,
    /// The hub refused our data (conflict, gap, token): retrying alone will not help; a person must.
    pub needs_help: bool,
    /// The hub's certificate is not one this kiosk trusts: nothing is sent until a person looks.
    pub untrusted: bool,
}

fn time(store: &Store, key: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(store.sync_value(key)?.and_then(|t| t.parse().ok()))
}

fn json<T: for<'de> Deserialize<'de>>(store: &Store, key: &str) -> Result<Option<T>, StoreError> {
    // A value this version cannot read (written by a newer one) is no status rather than no store.
    Ok(store.sync_value(key)?.and_then(|v| serde_json::from_str(&v).ok()))
}

impl SyncStatus {
    /// The status as the store has it. `link`: the live reading of a running loop; `None` takes
    /// the one the last pass recorded.
    pub fn read(store: &Store, configured: bool, link: Option<Link>) -> Result<SyncStatus, StoreError> {
        let link = match link {
            Some(l) => l,
            None => Self::link_record(store)?.map_or(Link::Unknown, |r| r.link),
        };
        let problems: Vec<Problem> = [keys::PUSH_PROBLEM, keys::PULL_PROBLEM]
            .into_iter()
            .map(|k| json::<Problem>(store, k))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        let problem =
            (!problems.is_empty()).then(|| problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("; "));
        Ok(SyncStatus {
            configured,
            online: matches!(link, Link::Online | Link::Unstable),
            link,
            waiting: store.outbox_len()?,
            orders_waiting: store.orders_waiting()?,
            last_ok: time(store, keys::LAST_OK)?,
            delivered_at: time(store, keys::DELIVERED)?,
            catalog_changed_at: time(store, keys::CATALOG_CHANGED)?,
            bytes_sent: store.sync_counter(keys::BYTES_SENT)?,
            bytes_received: store.sync_counter(keys::BYTES_RECEIVED)?,
            problem,
            needs_help: problems.iter().any(|p| p.needs_help),
            untrusted: problems.iter().any(|p| p.untrusted),
        })
    }

    /// Brings the counts of what waits up to date between the loop's reports (orders placed
    /// while the hub is away): cheap enough for the screen's tick.
    pub fn refresh_waiting(&mut self, store: &Store) -> Result<(), StoreError> {
        self.waiting = store.outbox_len()?;
        self.orders_waiting = store.orders_waiting()?;
        Ok(())
    }

    pub fn link_record(store: &Store) -> Result<Option<LinkRecord>, StoreError> {
        json(store, keys::LINK)
    }

    /// The problems the last passes recorded (push, then pull), with their times.
    pub fn problems(store: &Store) -> Result<Vec<(&'static str, Problem)>, StoreError> {
        let mut out = Vec::new();
        for (side, key) in [("sending orders", keys::PUSH_PROBLEM), ("catalog", keys::PULL_PROBLEM)] {
            if let Some(p) = json::<Problem>(store, key)? {
                out.push((side, p));
            }
        }
        Ok(out)
    }
}

/// A time in the corner: `10:42` today, `11-28 16:05` another day (in the kiosk's zone).
fn when(at: Timestamp, tz: &TimeZone, now: Timestamp) -> String {
    let (at, now) = (at.to_zoned(tz.clone()), now.to_zoned(tz.clone()));
    if at.date() == now.date() { at.strftime("%H:%M").to_string() } else { at.strftime("%m-%d %H:%M").to_string() }
}

/// The corner's two lines in `lang`: how the link is and what waits; when orders last reached
/// the hub and when the catalog last changed. E.g. "◐ 网络不稳 · 订单都已送达" and
/// "订单已送达 10:42 · 目录更新 09:15". Pure: the screen calls it with its status, language,
/// time zone and clock.
pub fn corner_lines(s: &SyncStatus, lang: Lang, tz: &TimeZone, now: Timestamp) -> [String; 2] {
    if !s.configured {
        return [SyncWords::Standalone.text(lang).to_owned(), SyncWords::KeptHere.text(lang).to_owned()];
    }
    let state = if s.untrusted {
        SyncWords::Untrusted
    } else if s.needs_help {
        SyncWords::Refused
    } else {
        match s.link {
            Link::Unknown => SyncWords::Connecting,
            Link::Online => SyncWords::Online,
            Link::Unstable => SyncWords::Unstable,
            Link::Offline => SyncWords::Offline,
        }
    };
    let count = |words: SyncWords, n: u64| tr(words, lang, &[("n", &n.to_string())]);
    let waiting = match (s.orders_waiting, s.waiting) {
        (1, _) => SyncWords::OneOrderWaiting.text(lang).to_owned(),
        (0, 0) => SyncWords::AllDelivered.text(lang).to_owned(),
        (0, 1) => SyncWords::OneRecordWaiting.text(lang).to_owned(),
        (0, events) => count(SyncWords::RecordsWaiting, events),
        (orders, _) => count(SyncWords::OrdersWaiting, orders),
    };
    let delivered = match s.delivered_at {
        // With orders waiting, the time is the last delivery, not a claim that all arrived.
        Some(t) if s.waiting > 0 => tr(SyncWords::LastDelivered, lang, &[("time", &when(t, tz, now))]),
        Some(t) => tr(SyncWords::Delivered, lang, &[("time", &when(t, tz, now))]),
        None => SyncWords::NeverDelivered.text(lang).to_owned(),
    };
    let second = match s.catalog_changed_at {
        Some(t) => format!("{delivered} · {}", tr(SyncWords::CatalogChanged, lang, &[("time", &when(t, tz, now))])),
        None => delivered,
    };
    [format!("{} · {waiting}", state.text(lang)), second]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn status(link: Link, orders: u64, events: u64) -> SyncStatus {
        SyncStatus {
            configured: true,
            online: matches!(link, Link::Online | Link::Unstable),
            link,
            waiting: events,
            orders_waiting: orders,
            delivered_at: Some(at("2026-11-29T02:42:00Z")),
            catalog_changed_at: Some(at("2026-11-28T01:15:00Z")),
            ..SyncStatus::default()
        }
    }

    #[test]
    fn the_corner_says_in_words_what_happened_in_shanghai_time() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now = at("2026-11-29T08:00:00Z");
        let zh = |s: &SyncStatus| corner_lines(s, Lang::Zh, &tz, now);
        let en = |s: &SyncStatus| corner_lines(s, Lang::En, &tz, now);
        assert_eq!(
            zh(&status(Link::Unstable, 0, 0)),
            ["◐ 网络不稳 · 订单都已送达", "订单已送达 10:42 · 目录更新 11-28 09:15"]
        );
        assert_eq!(
            en(&status(Link::Unstable, 0, 0)),
            ["◐ Network unstable · All orders sent", "Orders sent 10:42 · Catalog updated 11-28 09:15"]
        );
        assert_eq!(zh(&status(Link::Online, 3, 7))[0], "● 已联网 · 3 笔订单待送达");
        assert_eq!(zh(&status(Link::Online, 3, 7))[1], "上次送达 10:42 · 目录更新 11-28 09:15");
        assert_eq!(en(&status(Link::Offline, 1, 1))[0], "○ Offline · 1 order to send");
        assert_eq!(en(&status(Link::Online, 0, 2))[0], "● Online · 2 records to send");
        assert_eq!(zh(&status(Link::Unknown, 0, 0))[0], "… 正在连接合作社 · 订单都已送达");
        let mut refused = status(Link::Online, 2, 2);
        refused.needs_help = true;
        assert_eq!(zh(&refused)[0], "！合作社拒收，请联系云小二 · 2 笔订单待送达");
        refused.untrusted = true;
        assert_eq!(zh(&refused)[0], "！合作社证书不可信，请联系云小二 · 2 笔订单待送达");
        assert_eq!(en(&refused)[0], "! Hub certificate not trusted: call the co-op · 2 orders to send");
        let fresh = SyncStatus { configured: true, ..SyncStatus::default() };
        assert_eq!(zh(&fresh), ["… 正在连接合作社 · 订单都已送达", "尚无订单送达"]);
        assert_eq!(en(&SyncStatus::default()), ["Stand-alone", "Orders are kept on this terminal"]);
    }

    #[test]
    fn the_store_keeps_what_a_status_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let empty = SyncStatus::read(&store, true, None).unwrap();
        assert_eq!(empty, SyncStatus { configured: true, ..SyncStatus::default() });
        let problem = Problem {
            at: at("2026-11-29T02:42:00Z"),
            message: "token refused".into(),
            needs_help: true,
            untrusted: false,
        };
        let link = LinkRecord { link: Link::Unstable, at: at("2026-11-29T02:42:00Z"), tried: 9, failed: 2 };
        let (problem_json, link_json) =
            (serde_json::to_string(&problem).unwrap(), serde_json::to_string(&link).unwrap());
        store
            .update_sync_state(
                &[
                    (keys::PULL_PROBLEM, Some(&problem_json)),
                    (keys::LINK, Some(&link_json)),
                    (keys::DELIVERED, Some("2026-11-29T02:42:00Z")),
                ],
                &[(keys::BYTES_SENT, 10), (keys::BYTES_RECEIVED, 2000)],
            )
            .unwrap();
        store.update_sync_state(&[], &[(keys::BYTES_SENT, 5)]).unwrap();
        let s = SyncStatus::read(&store, true, None).unwrap();
        assert_eq!((s.link, s.online, s.needs_help), (Link::Unstable, true, true));
        assert_eq!((s.bytes_sent, s.bytes_received), (15, 2000));
        assert_eq!(s.problem.as_deref(), Some("token refused"));
        assert_eq!(s.delivered_at, Some(at("2026-11-29T02:42:00Z")));
        assert_eq!(SyncStatus::read(&store, true, Some(Link::Offline)).unwrap().link, Link::Offline);
        store.update_sync_state(&[(keys::PULL_PROBLEM, None)], &[]).unwrap();
        let mut s = SyncStatus::read(&store, true, None).unwrap();
        assert_eq!((s.problem.clone(), s.needs_help), (None, false));
        store
            .connection()
            .execute(
                "INSERT INTO outbox (seq, id, kind, payload, created_at) VALUES (1, 'x', 'order.placed', '{}', 'now')",
                [],
            )
            .unwrap();
        s.refresh_waiting(&store).unwrap();
        assert_eq!((s.waiting, s.orders_waiting), (1, 1));
    }
}
