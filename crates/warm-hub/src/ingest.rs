//! A push is decoded while it is stored: one thread parses the body event by event and hands the
//! events on in chunks; the store's transaction inserts them as they come, so parsing and
//! inserting overlap instead of following each other. The transaction commits only once the
//! whole body has proved valid; a body that turns bad anywhere rolls it back: nothing is ever
//! partly stored.

use crate::validate;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::sync::mpsc::{self, Receiver, SyncSender, sync_channel};
use warm_core::api::{self, Event};

/// One event as the store receives it, with what the hub derives from it for the dashboard.
#[derive(Debug)]
pub struct Incoming {
    pub event: Event,
    /// The order total of an `order.placed` event.
    pub order_total: Option<i64>,
    /// What the event says a household bought (issue 10): `order.placed` with a household, and
    /// `order.amended` (whose household the store knows from the order).
    pub usage: Option<OrderUsage>,
}

/// The products and quantities of one order as they count against a household's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderUsage {
    Placed {
        order_id: uuid::Uuid,
        household: String,
        /// The order's pickup number's sequence (for alarms: `K1-0042`).
        seq: u64,
        created_at: String,
        lines: Vec<(String, u32)>,
    },
    /// The order's lines are now these; a product no longer among them counts 0.
    Amended { order_id: uuid::Uuid, lines: Vec<(String, u32)> },
}

#[derive(serde::Deserialize)]
struct UsageLine {
    product: String,
    qty: u32,
}

#[derive(serde::Deserialize)]
struct UsageNumber {
    seq: u64,
}

#[derive(serde::Deserialize)]
struct UsagePlaced {
    id: uuid::Uuid,
    household: Option<String>,
    number: UsageNumber,
    created_at: String,
    lines: Vec<UsageLine>,
}

#[derive(serde::Deserialize)]
struct UsageAmended {
    order_id: uuid::Uuid,
    after: Vec<UsageLine>,
}

/// Quantities per product (a product on two lines is added up).
fn per_product(lines: impl IntoIterator<Item = UsageLine>) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for l in lines {
        match out.iter_mut().find(|(p, _)| *p == l.product) {
            Some((_, q)) => *q = q.saturating_add(l.qty),
            None => out.push((l.product, l.qty)),
        }
    }
    out
}

/// What an event says a household bought (issue 10). An order without a household (a walk-in
/// sale) is not parsed again: the terminal writes `"household":"3-2-501"` for one that has one.
/// A payload of another shape has none: the hub stores every valid event, it only counts what
/// it understands.
pub fn order_usage(kind: &str, payload: &str) -> Option<OrderUsage> {
    match kind {
        validate::ORDER_PLACED if payload.contains("\"household\":\"") => {
            let order: UsagePlaced = serde_json::from_str(payload).ok()?;
            let household = warm_core::domain::HouseholdId::parse(order.household.as_deref()?).ok()?;
            Some(OrderUsage::Placed {
                order_id: order.id,
                household: household.to_string(),
                seq: order.number.seq,
                created_at: order.created_at,
                lines: per_product(order.lines),
            })
        }
        "order.amended" => {
            let amended: UsageAmended = serde_json::from_str(payload).ok()?;
            Some(OrderUsage::Amended { order_id: amended.order_id, lines: per_product(amended.after) })
        }
        _ => None,
    }
}

/// The order total of an `order.placed` payload (sum of unit price × qty), for the dashboard;
/// `None` for other kinds and for a payload the hub would refuse (see [`crate::validate`]).
pub fn order_total(kind: &str, payload: &str) -> Option<i64> {
    if kind != validate::ORDER_PLACED {
        return None;
    }
    validate::order_total(payload).ok()
}

/// Why a body is refused before anything of it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Malformed(String),
    TooLarge(String),
}

/// The decoding stopped before the end of a valid body: the store must roll back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aborted;

enum Piece {
    Events(Vec<Incoming>),
    /// The whole body was valid: no more events.
    End,
}

/// Events per hand-over: large enough that the channel costs nothing per event, small enough
/// that the store starts inserting almost at once.
const CHUNK: usize = 256;

/// The store's side: the batch's events in order, then the end, or `Err(Aborted)` if the body
/// turned out bad (or its decoder vanished) before its end.
pub struct Batch {
    pieces: Receiver<Piece>,
    current: std::vec::IntoIter<Incoming>,
    finished: bool,
}

impl Iterator for Batch {
    type Item = Result<Incoming, Aborted>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(incoming) = self.current.next() {
                return Some(Ok(incoming));
            }
            if self.finished {
                return None;
            }
            match self.pieces.recv() {
                Ok(Piece::Events(chunk)) => self.current = chunk.into_iter(),
                Ok(Piece::End) => {
                    self.finished = true;
                    return None;
                }
                Err(_) => {
                    self.finished = true;
                    return Some(Err(Aborted));
                }
            }
        }
    }
}

impl Batch {
    /// A batch of events already in memory (the embedded tools, tests).
    pub fn of(events: Vec<Event>) -> Batch {
        let (feed, batch) = channel();
        let incoming = events
            .into_iter()
            .map(|event| {
                let order_total = order_total(&event.kind, event.payload.get());
                let usage = order_usage(&event.kind, event.payload.get());
                Incoming { event, order_total, usage }
            })
            .collect();
        // The channel holds two pieces, so neither send can block.
        feed.send(Piece::Events(incoming));
        feed.send(Piece::End);
        batch
    }
}

/// The decoder's side of a batch.
pub struct Feed(Sender);

enum Sender {
    /// The store takes the events as they come; the decoder waits if it falls behind.
    Bounded(SyncSender<Piece>),
    /// Nobody takes them yet (a push waiting for the one it follows): the decoder never waits.
    Unbounded(mpsc::Sender<Piece>),
}

impl Feed {
    /// Hands a piece on; false if the store stopped listening.
    fn send(&self, piece: Piece) -> bool {
        match &self.0 {
            Sender::Bounded(s) => s.send(piece).is_ok(),
            Sender::Unbounded(s) => s.send(piece).is_ok(),
        }
    }
}

fn batch(pieces: Receiver<Piece>) -> Batch {
    Batch { pieces, current: Vec::new().into_iter(), finished: false }
}

/// For a push stored while it is decoded: a few chunks in hand at most.
pub fn channel() -> (Feed, Batch) {
    let (send, receive) = sync_channel(4);
    (Feed(Sender::Bounded(send)), batch(receive))
}

/// For a push decoded before it may be stored: the decoding thread never blocks on the channel,
/// so a push waiting for another holds no thread (the body is bounded by `max_body_bytes`).
pub fn channel_unbounded() -> (Feed, Batch) {
    let (send, receive) = mpsc::channel();
    (Feed(Sender::Unbounded(send)), batch(receive))
}

/// Decodes a push body `{"events": [...]}` into `feed` as it goes. Checks what needs no database:
/// the JSON and every event's shape and contents (see [`crate::validate`]), at most `max_events`,
/// seq from 1 up and consecutive. If the
/// store stops listening (it found a conflict), the body is still read to its end, so a bad body
/// is always answered as bad.
pub fn decode(body: &[u8], max_events: usize, feed: Feed) -> Result<(), Refusal> {
    let mut listening = true;
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut count = 0usize;
    let mut last_seq: Option<u64> = None;
    let mut too_large = false;
    let mut on_event = |event: Event| -> Result<(), String> {
        count += 1;
        if count > max_events {
            too_large = true;
            return Err(format!("more than {max_events} events in one push"));
        }
        match last_seq {
            None if event.seq == 0 => return Err("seq starts at 1".into()),
            Some(last) if event.seq != last + 1 => {
                return Err(format!(
                    "events must come in consecutive seq order; #{last} is followed by #{}",
                    event.seq
                ));
            }
            _ => {}
        }
        last_seq = Some(event.seq);
        let order_total = validate::check_event(&event)?;
        if listening {
            let usage = order_usage(&event.kind, event.payload.get());
            chunk.push(Incoming { event, order_total, usage });
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                listening = feed.send(Piece::Events(full));
            }
        }
        Ok(())
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let decoded = Body(&mut on_event).deserialize(&mut de).and_then(|()| de.end());
    match decoded {
        Ok(()) => {
            if !chunk.is_empty() {
                feed.send(Piece::Events(chunk));
            }
            feed.send(Piece::End);
            Ok(())
        }
        Err(e) if too_large => Err(Refusal::TooLarge(format!("{e}; at most {}", api::MAX_BATCH_EVENTS))),
        Err(e) => Err(Refusal::Malformed(format!("the body is not a valid push: {e}"))),
    }
}

/// What to do with each event as it is parsed; its `String` error is the refusal text the kiosk is
/// sent (as in [`crate::validate`]), by design.
type OnEvent<'f> = &'f mut dyn FnMut(Event) -> Result<(), String>;

/// `{"events": [...]}`, with no other field, each event handed on as soon as it is parsed.
struct Body<'f>(OnEvent<'f>);

impl<'de> DeserializeSeed<'de> for Body<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Body<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object {\"events\": [...]}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Body(on_event) = self;
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != "events" {
                return Err(de::Error::unknown_field(&key, &["events"]));
            }
            if seen {
                return Err(de::Error::duplicate_field("events"));
            }
            seen = true;
            map.next_value_seed(Events(&mut *on_event))?;
        }
        if seen { Ok(()) } else { Err(de::Error::missing_field("events")) }
    }
}

struct Events<'f>(OnEvent<'f>);

impl<'de> DeserializeSeed<'de> for Events<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Events<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(event) = seq.next_element_seed(EventObject)? {
            (self.0)(event).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

/// One event, written as a JSON object only (a derived `Deserialize` would also take an array).
struct EventObject;

#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Id,
    Seq,
    Kind,
    CreatedAt,
    Payload,
}

impl<'de> DeserializeSeed<'de> for EventObject {
    type Value = Event;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Event, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EventObject {
    type Value = Event;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event object {\"id\", \"seq\", \"kind\", \"created_at\", \"payload\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
            if slot.replace(value).is_some() { Err(E::duplicate_field(name)) } else { Ok(()) }
        }
        let (mut id, mut seq, mut kind, mut created_at, mut payload) = (None, None, None, None, None);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => once(&mut id, map.next_value()?, "id")?,
                Field::Seq => once(&mut seq, map.next_value()?, "seq")?,
                Field::Kind => once(&mut kind, map.next_value()?, "kind")?,
                Field::CreatedAt => once(&mut created_at, map.next_value()?, "created_at")?,
                Field::Payload => once(&mut payload, map.next_value()?, "payload")?,
            }
        }
        Ok(Event {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            seq: seq.ok_or_else(|| de::Error::missing_field("seq"))?,
            kind: kind.ok_or_else(|| de::Error::missing_field("kind"))?,
            created_at: created_at.ok_or_else(|| de::Error::missing_field("created_at"))?,
            payload: payload.ok_or_else(|| de::Error::missing_field("payload"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64) -> Event {
        Event {
            id: uuid::Uuid::now_v7(),
            seq,
            kind: "order.placed".into(),
            created_at: "2026-11-29T08:00:00.000Z".into(),
            payload: serde_json::value::to_raw_value(&serde_json::json!({"lines": [{"unit_price": 250, "qty": 2}]}))
                .unwrap(),
        }
    }

    /// Decodes on this thread (the channel is deep enough for small bodies) and drains the batch.
    fn run(body: &[u8], max: usize) -> (Result<(), Refusal>, Vec<Result<u64, Aborted>>) {
        let (feed, batch) = channel();
        let (decoded, got) = std::thread::scope(|s| {
            let store = s.spawn(move || batch.map(|r| r.map(|i| i.event.seq)).collect::<Vec<_>>());
            (decode(body, max, feed), store.join().unwrap())
        });
        (decoded, got)
    }

    #[test]
    fn a_valid_body_arrives_whole_and_in_order_with_order_totals() {
        let events: Vec<Event> = (1..=600).map(event).collect();
        let body = api::encode_push(&events).unwrap();
        let (decoded, got) = run(&body, 5000);
        assert_eq!(decoded, Ok(()));
        assert_eq!(got, (1..=600).map(Ok).collect::<Vec<_>>());
        let first = Batch::of(vec![event(1)]).next().unwrap().unwrap();
        assert_eq!(first.order_total, Some(500));
    }

    #[test]
    fn a_body_that_turns_bad_late_aborts_the_batch() {
        let events: Vec<Event> = (1..=600).map(event).collect();
        let mut body = api::encode_push(&events).unwrap();
        body.truncate(body.len() - 10);
        let (decoded, got) = run(&body, 5000);
        assert!(matches!(decoded, Err(Refusal::Malformed(_))), "{decoded:?}");
        assert_eq!(got.last(), Some(&Err(Aborted)), "the store must be told to roll back");
    }

    #[test]
    fn order_count_and_fields_are_checked() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (api::encode_push(&[event(1), event(3)]).unwrap(), "consecutive"),
            (api::encode_push(&[event(0)]).unwrap(), "seq starts at 1"),
            (br#"{"events": [], "extra": 1}"#.to_vec(), "unknown field"),
            (br#"{}"#.to_vec(), "missing field"),
            (br#"{"events": [{"seq": 1}]}"#.to_vec(), "missing field"),
            (br#"[1, 2]"#.to_vec(), "events"),
            (
                br#"{"events": [["0193c7a4-0000-7000-8000-000000000001", 1, "k", "2026-11-29T08:00:00Z", {}]]}"#
                    .to_vec(),
                "an event object",
            ),
            (br#"{"events": [{"seq": 1, "seq": 2}]}"#.to_vec(), "duplicate field"),
            (br#"{"events": [{"sequence": 1}]}"#.to_vec(), "unknown field"),
            (b"{\"events\": []} trailing".to_vec(), "trailing"),
        ];
        for (body, says) in cases {
            let (decoded, got) = run(&body, 5000);
            match decoded {
                Err(Refusal::Malformed(m)) => assert!(m.contains(says), "{m:?} should say {says:?}"),
                other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(&body)),
            }
            assert_eq!(got.last().copied().unwrap_or(Err(Aborted)), Err(Aborted));
        }
        let events: Vec<Event> = (1..=11).map(event).collect();
        let (decoded, _) = run(&api::encode_push(&events).unwrap(), 10);
        assert!(matches!(decoded, Err(Refusal::TooLarge(_))), "{decoded:?}");
    }

    #[test]
    fn an_unbounded_feed_never_waits_for_the_store() {
        // Nobody reads the batch while the body is decoded: with a bounded channel this would
        // block after a few chunks (and hold its thread for as long as the push waits).
        let events: Vec<Event> = (1..=3000).map(event).collect();
        let (feed, batch) = channel_unbounded();
        assert_eq!(decode(&api::encode_push(&events).unwrap(), 5000, feed), Ok(()));
        assert_eq!(batch.map(|r| r.unwrap().event.seq).collect::<Vec<_>>(), (1..=3000).collect::<Vec<_>>());
    }

    /// Cases per fuzz property: `WARM_FUZZ_CASES` (the README's figure is from a long run).
    fn fuzz_cases() -> u32 {
        std::env::var("WARM_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: fuzz_cases(), ..Default::default() })]

        /// Any bytes at all are answered (valid or refused), never a panic; whatever passes is
        /// handed on whole, and every event passed the checks.
        #[test]
        fn fuzz_any_bytes(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            let (decoded, got) = run(&body, 5000);
            if decoded.is_ok() {
                proptest::prop_assert!(got.iter().all(Result::is_ok));
            } else {
                proptest::prop_assert_eq!(got.last().copied().unwrap_or(Err(Aborted)), Err(Aborted));
            }
        }

        /// A valid body with bytes changed, cut or repeated: the same.
        #[test]
        fn fuzz_mangled_bodies(
            n in 1u64..20,
            edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 0..8),
            cut in proptest::prelude::any::<usize>(),
        ) {
            let mut body = api::encode_push(&(1..=n).map(event).collect::<Vec<_>>()).unwrap();
            for (at, byte) in edits {
                let i = at % body.len();
                body[i] = byte;
            }
            let keep = body.len() - cut % (body.len() / 4 + 1);
            body.truncate(keep);
            let (decoded, got) = run(&body, 5000);
            if decoded.is_ok() {
                let (feed, batch) = channel_unbounded();
                proptest::prop_assert_eq!(decode(&body, 5000, feed), Ok(()));
                for incoming in batch {
                    let incoming = incoming.unwrap();
                    proptest::prop_assert!(validate::check_event(&incoming.event).is_ok());
                }
            } else {
                proptest::prop_assert_eq!(got.last().copied().unwrap_or(Err(Aborted)), Err(Aborted));
            }
        }
    }

    #[test]
    fn a_store_that_stops_listening_still_gets_a_bad_body_called_bad() {
        let events: Vec<Event> = (1..=2000).map(event).collect();
        let mut body = api::encode_push(&events).unwrap();
        body.truncate(body.len() - 3);
        let (feed, batch) = channel();
        drop(batch);
        assert!(matches!(decode(&body, 5000, feed), Err(Refusal::Malformed(_))));
    }
}
