//! A push is decoded while it is stored: one thread parses the body event by event and hands the
//! events on in chunks; the store's transaction inserts them as they come, so parsing and
//! inserting overlap instead of following each other. The transaction commits only once the
//! whole body has proved valid; a body that turns bad anywhere rolls it back: nothing is ever
//! partly stored.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
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

#[derive(serde::Deserialize)]
struct PlacedOrder {
    lines: Vec<PlacedLine>,
    // What a household bought (issue 10). Read leniently: a payload of another shape still has
    // its total, as before these fields were read.
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    household: serde_json::Value,
    #[serde(default)]
    number: serde_json::Value,
    #[serde(default)]
    created_at: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct PlacedLine {
    unit_price: i64,
    qty: i64,
    #[serde(default)]
    product: Option<String>,
}

/// The order total of an `order.placed` payload (sum of unit price × qty), for the dashboard.
/// Other kinds, and payloads of another shape, have none.
pub fn order_total(kind: &str, payload: &str) -> Option<i64> {
    derive(kind, payload).0
}

/// The order total and what a household bought, from one parse of the payload.
pub fn derive(kind: &str, payload: &str) -> (Option<i64>, Option<OrderUsage>) {
    match kind {
        "order.placed" => {
            let Ok(order) = serde_json::from_str::<PlacedOrder>(payload) else { return (None, None) };
            let total = order.lines.iter().map(|l| l.unit_price.saturating_mul(l.qty)).sum();
            let household = order.household.as_str().and_then(|h| warm_core::domain::HouseholdId::parse(h).ok());
            let order_id = order.id.as_str().and_then(|id| uuid::Uuid::parse_str(id).ok());
            let seq = order.number.get("seq").and_then(serde_json::Value::as_u64);
            let usage = match (household, order_id, seq, order.created_at.as_str()) {
                (Some(household), Some(order_id), Some(seq), Some(created_at)) => {
                    let lines = order
                        .lines
                        .into_iter()
                        .filter_map(|l| Some(UsageLine { product: l.product?, qty: u32::try_from(l.qty).ok()? }));
                    Some(OrderUsage::Placed {
                        order_id,
                        household: household.to_string(),
                        seq,
                        created_at: created_at.to_owned(),
                        lines: per_product(lines),
                    })
                }
                _ => None,
            };
            (Some(total), usage)
        }
        "order.amended" => {
            let usage = serde_json::from_str::<UsageAmended>(payload)
                .ok()
                .map(|a| OrderUsage::Amended { order_id: a.order_id, lines: per_product(a.after) });
            (None, usage)
        }
        _ => (None, None),
    }
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
                let (order_total, usage) = derive(&event.kind, event.payload.get());
                Incoming { event, order_total, usage }
            })
            .collect();
        // The channel holds two pieces, so neither send can block.
        let _ = feed.0.send(Piece::Events(incoming));
        let _ = feed.0.send(Piece::End);
        batch
    }
}

/// The decoder's side of a batch.
pub struct Feed(SyncSender<Piece>);

pub fn channel() -> (Feed, Batch) {
    let (send, receive) = sync_channel(4);
    (Feed(send), Batch { pieces: receive, current: Vec::new().into_iter(), finished: false })
}

/// Decodes a push body `{"events": [...]}` into `feed` as it goes. Checks what needs no database:
/// the JSON and every event's shape, at most `max_events`, seq from 1 up and consecutive. If the
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
        if listening {
            let (order_total, usage) = derive(&event.kind, event.payload.get());
            chunk.push(Incoming { event, order_total, usage });
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                listening = feed.0.send(Piece::Events(full)).is_ok();
            }
        }
        Ok(())
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let decoded = Body(&mut on_event).deserialize(&mut de).and_then(|()| de.end());
    match decoded {
        Ok(()) => {
            if !chunk.is_empty() {
                let _ = feed.0.send(Piece::Events(chunk));
            }
            let _ = feed.0.send(Piece::End);
            Ok(())
        }
        Err(e) if too_large => Err(Refusal::TooLarge(format!("{e}; at most {}", api::MAX_BATCH_EVENTS))),
        Err(e) => Err(Refusal::Malformed(format!("the body is not a valid push: {e}"))),
    }
}

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
        while let Some(event) = seq.next_element::<Event>()? {
            (self.0)(event).map_err(de::Error::custom)?;
        }
        Ok(())
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
    fn a_store_that_stops_listening_still_gets_a_bad_body_called_bad() {
        let events: Vec<Event> = (1..=2000).map(event).collect();
        let mut body = api::encode_push(&events).unwrap();
        body.truncate(body.len() - 3);
        let (feed, batch) = channel();
        drop(batch);
        assert!(matches!(decode(&body, 5000, feed), Err(Refusal::Malformed(_))));
    }
}
