//! What the hub checks in every event before any of a push is stored: the envelope of every kind
//! (a UUIDv7 id, a short kind, a real date, a payload of bounded depth), and the contents of the
//! kinds the hub interprets (`order.placed`: positive quantities, prices that are not negative,
//! a total summed with checked arithmetic and bounded; `payment.recorded`: a payment whose amounts
//! the dashboard and the manager's day can sum). A refusal names the event and the reason.
//!
//! The errors here are `String` by design: each is the sentence a refusal sends back to the kiosk
//! (the `message` of a `400`), and nothing matches on them; a typed error would only be turned
//! back into this text.

use jiff::Timestamp;
use warm_core::api::Event;
use warm_core::api::limits::*;

/// The kind whose payload the dashboard reads: orders and sales per market.
pub const ORDER_PLACED: &str = "order.placed";
/// The kind the dashboard's sales and the manager's day sum: one payment of one order.
pub const PAYMENT_RECORDED: &str = "payment.recorded";

/// Checks one event; returns the order total of an `order.placed`, `None` for other kinds.
pub fn check_event(event: &Event) -> Result<Option<i64>, String> {
    let at = |problem: String| format!("event #{} ({}): {problem}", event.seq, event.id);
    if event.id.get_version_num() != 7 || event.id.get_variant() != uuid::Variant::RFC4122 {
        return Err(at("the id must be a UUIDv7".into()));
    }
    check_kind(&event.kind).map_err(at)?;
    created_at(&event.created_at).map_err(at)?;
    check_depth(event.payload.get()).map_err(at)?;
    // The site manager's kinds are interpreted too (van plans, each market's day).
    warm_core::api::manager::validate(&event.kind, event.payload.get()).map_err(|e| at(e.to_string()))?;
    match event.kind.as_str() {
        ORDER_PLACED => order_total(event.payload.get()).map(Some).map_err(at),
        PAYMENT_RECORDED => payment(event.payload.get()).map(|_| None).map_err(at),
        _ => Ok(None),
    }
}

/// A `payment.recorded` payload as the kiosk writes it, its amounts within what an order may
/// come to: one stored unread would make every later dashboard and day summary fail.
pub fn payment(payload: &str) -> Result<warm_core::domain::Payment, String> {
    let payment: warm_core::domain::Payment =
        serde_json::from_str(payload).map_err(|e| format!("a payment.recorded payload is not a payment ({e})"))?;
    let fits = |what: &str, fen: i64| {
        if (0..=MAX_ORDER_TOTAL_FEN).contains(&fen) {
            Ok(())
        } else {
            Err(format!("the payment's {what} {fen} fen is not between 0 and {MAX_ORDER_TOTAL_FEN}"))
        }
    };
    fits("amount", payment.amount.as_fen())?;
    if let Some(tendered) = payment.tendered {
        fits("tendered", tendered.as_fen())?;
    }
    if payment.reference.as_ref().is_some_and(|r| r.len() > MAX_PAYMENT_REFERENCE_BYTES) {
        return Err(format!("the payment's reference is longer than {MAX_PAYMENT_REFERENCE_BYTES} bytes"));
    }
    Ok(payment)
}

/// A phone's payment reference or an account name: short text, never a document.
const MAX_PAYMENT_REFERENCE_BYTES: usize = 200;

pub fn check_kind(kind: &str) -> Result<(), String> {
    let fits = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-');
    if kind.is_empty() || kind.len() > MAX_KIND_BYTES || !kind.bytes().all(fits) {
        let shown: String = kind.chars().take(20).collect();
        return Err(format!("kind {shown:?} must be 1 to {MAX_KIND_BYTES} characters of a-z, 0-9, '.', '_' and '-'"));
    }
    Ok(())
}

/// The instant an event was made: RFC 3339, a real date, a plausible year.
pub fn created_at(text: &str) -> Result<Timestamp, String> {
    let shown: String = text.chars().take(40).collect();
    if text.len() > MAX_CREATED_AT_BYTES {
        return Err(format!("created_at {shown:?}… is not a date"));
    }
    let at: Timestamp = text.parse().map_err(|_| format!("created_at {shown:?} is not an RFC 3339 date and time"))?;
    let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(format!("created_at {shown:?} is not between {FIRST_YEAR} and {LAST_YEAR}"));
    }
    Ok(at)
}

/// How deep arrays and objects nest in a JSON text that is already known to be valid.
pub fn check_depth(json: &str) -> Result<(), String> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_PAYLOAD_DEPTH {
                    return Err(format!("the payload nests deeper than {MAX_PAYLOAD_DEPTH} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct PlacedOrder {
    lines: Vec<PlacedLine>,
}

#[derive(serde::Deserialize)]
struct PlacedLine {
    unit_price: i64,
    qty: i64,
}

/// The total of an `order.placed` payload: every line at least one unit, no negative price, each
/// product and the sum checked, the total at most `MAX_ORDER_TOTAL_FEN`.
pub fn order_total(payload: &str) -> Result<i64, String> {
    let order: PlacedOrder = serde_json::from_str(payload)
        .map_err(|e| format!("an order.placed payload needs \"lines\" of integer unit_price and qty ({e})"))?;
    if order.lines.is_empty() || order.lines.len() > MAX_ORDER_LINES {
        return Err(format!("an order has 1 to {MAX_ORDER_LINES} lines, not {}", order.lines.len()));
    }
    let mut total = 0i64;
    for (i, line) in order.lines.iter().enumerate() {
        let n = i + 1;
        if !(1..=MAX_QTY).contains(&line.qty) {
            return Err(format!("line {n}: qty {} is not between 1 and {MAX_QTY}", line.qty));
        }
        if line.unit_price < 0 {
            return Err(format!("line {n}: unit_price {} is negative", line.unit_price));
        }
        total = line
            .unit_price
            .checked_mul(line.qty)
            .and_then(|amount| total.checked_add(amount))
            .filter(|t| *t <= MAX_ORDER_TOTAL_FEN)
            .ok_or_else(|| format!("line {n}: the order total is over {MAX_ORDER_TOTAL_FEN} fen"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, created_at: &str, payload: serde_json::Value) -> Event {
        Event {
            id: uuid::Uuid::now_v7(),
            seq: 1,
            kind: kind.into(),
            created_at: created_at.into(),
            payload: serde_json::value::to_raw_value(&payload).unwrap(),
        }
    }

    const AT: &str = "2026-11-29T08:00:00.000Z";

    #[test]
    fn an_order_is_summed_and_every_kind_passes_the_envelope() {
        let order = json!({"lines": [{"unit_price": 250, "qty": 2}, {"unit_price": 0, "qty": 1}], "x": 1});
        assert_eq!(check_event(&event("order.placed", AT, order)), Ok(Some(500)));
        assert_eq!(check_event(&event("note.added", "2026-11-29T16:00:00+08:00", json!([1]))), Ok(None));
    }

    #[test]
    fn payments_are_read_before_they_are_stored() {
        let paid = |amount: serde_json::Value, tendered: serde_json::Value| {
            json!({"id": uuid::Uuid::now_v7(), "order_id": uuid::Uuid::now_v7(), "method": "cash",
                   "amount": amount, "tendered": tendered, "reference": null, "at": AT})
        };
        assert_eq!(check_event(&event("payment.recorded", AT, paid(json!(590), json!(1000)))), Ok(None));
        let cases = [
            (json!([1]), "not a payment"),
            (paid(json!("590"), json!(null)), "not a payment"),
            (paid(json!(5.9), json!(null)), "not a payment"),
            (paid(json!(-590), json!(null)), "amount -590"),
            (paid(json!(590), json!(i64::MAX)), "tendered"),
            (paid(json!(MAX_ORDER_TOTAL_FEN + 1), json!(null)), "amount"),
        ];
        for (payload, says) in cases {
            let e = check_event(&event("payment.recorded", AT, payload.clone())).unwrap_err();
            assert!(e.contains(says), "{payload}: {e:?} should say {says:?}");
        }
    }

    #[test]
    fn bad_orders_are_refused_with_the_reason() {
        let cases = [
            (json!({"lines": [{"unit_price": -500, "qty": 1}]}), "negative"),
            (json!({"lines": [{"unit_price": 100, "qty": 0}]}), "qty 0"),
            (json!({"lines": [{"unit_price": 100, "qty": -3}]}), "qty -3"),
            (json!({"lines": [{"unit_price": i64::MAX, "qty": 1}, {"unit_price": 1, "qty": 1}]}), "over"),
            (json!({"lines": [{"unit_price": i64::MAX / 2, "qty": 3}]}), "over"),
            (json!({"lines": [{"unit_price": MAX_ORDER_TOTAL_FEN, "qty": 1}, {"unit_price": 1, "qty": 1}]}), "over"),
            (json!({"lines": []}), "1 to"),
            (json!({"changed": true}), "needs \"lines\""),
            (json!({"lines": [{"unit_price": 1.5, "qty": 1}]}), "needs \"lines\""),
        ];
        for (payload, says) in cases {
            let e = check_event(&event("order.placed", AT, payload.clone())).unwrap_err();
            assert!(e.contains(says), "{payload}: {e:?} should say {says:?}");
        }
        assert_eq!(
            order_total(&json!({"lines": [{"unit_price": MAX_ORDER_TOTAL_FEN, "qty": 1}]}).to_string()),
            Ok(MAX_ORDER_TOTAL_FEN)
        );
    }

    #[test]
    fn envelopes_are_checked() {
        let good = json!({"a": 1});
        for bad_date in ["", "not a date", "2026-02-30T08:00:00Z", "9999-01-01T00:00:00Z", "2026-11-29T08:00:00"] {
            let e = check_event(&event("x", bad_date, good.clone())).unwrap_err();
            assert!(e.contains("created_at"), "{bad_date:?}: {e}");
        }
        let long = format!("2026-11-29T08:00:00.{}Z", "0".repeat(1_000_000));
        assert!(check_event(&event("x", &long, good.clone())).unwrap_err().contains("not a date"));
        for bad_kind in ["", "Order", "a b", &"k".repeat(MAX_KIND_BYTES + 1)] {
            assert!(check_event(&event(bad_kind, AT, good.clone())).unwrap_err().contains("kind"), "{bad_kind:?}");
        }
        for id in
            [uuid::Uuid::nil(), uuid::Uuid::max(), uuid::Uuid::from_u128(0x0193_c7a4_0000_4000_8000_0000_0000_0001)]
        {
            let mut e = event("x", AT, good.clone());
            e.id = id;
            assert!(check_event(&e).unwrap_err().contains("UUIDv7"), "{id}");
        }
    }

    #[test]
    fn payload_depth_is_bounded_and_strings_do_not_count() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(check_depth(&deep(MAX_PAYLOAD_DEPTH)).is_ok());
        assert!(check_depth(&deep(MAX_PAYLOAD_DEPTH + 1)).is_err());
        assert!(check_depth(&deep(100_000)).is_err());
        let in_string = format!("{{\"a\": \"{}\\\"[\"}}", "[".repeat(1000));
        assert!(check_depth(&in_string).is_ok());
    }
}
