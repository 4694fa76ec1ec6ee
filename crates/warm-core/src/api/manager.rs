//! The site manager's part of the wire contract: the events a kiosk sends about stock, cash,
//! restock requests and closed days, and the dispatch notes it pulls from the hub. The hub checks
//! every event of these kinds with [`validate`] before it stores a push.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A manager's stock movement (delivery, count, spoilage, return, correction):
/// `domain::stock::StockMoved`.
pub const STOCK_MOVED: &str = "stock.moved";
/// Cash put in or taken out of the box, or the opening float: [`CashMoved`].
pub const CASH_MOVED: &str = "cash.moved";
/// A restock request: [`RestockRequest`].
pub const RESTOCK_REQUESTED: &str = "restock.requested";
/// Goods off the van checked against a dispatch note (or without one): [`Received`].
pub const DELIVERY_RECEIVED: &str = "delivery.received";
/// An order not picked up, cancelled at the settlement: [`OrderCancelled`].
pub const ORDER_CANCELLED: &str = "order.cancelled";
/// The Z report of a closed day: `domain::day::DayReport`.
pub const DAY_CLOSED: &str = "day.closed";

/// The most units on one line of a request, note or movement: no market sells more in a season.
pub const MAX_UNITS: i64 = 1_000_000;
/// The most money in one cash movement, in fen (1,000,000 yuan).
pub const MAX_CASH_FEN: i64 = 100_000_000;

/// `GET /v1/terminals/{terminal}/dispatch?cursor=N&limit=M`
pub fn dispatch_path(terminal: &str, cursor: u64, limit: u32) -> String {
    format!("{}/terminals/{terminal}/dispatch?cursor={cursor}&limit={limit}", super::PREFIX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CashKind {
    /// The float the box starts the day with.
    Float,
    In,
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CashMoved {
    pub id: Uuid,
    pub kind: CashKind,
    /// Always positive; `kind` says which way.
    pub amount_fen: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestockLine {
    pub product: String,
    /// What the manager asks for (after +/−).
    pub qty: i64,
    /// What the kiosk suggested.
    pub suggested: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestockRequest {
    pub id: Uuid,
    /// Days until the next van the suggestion counted with.
    pub cycle_days: u32,
    pub lines: Vec<RestockLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceivedLine {
    pub product: String,
    /// On the dispatch note (0 for goods without a note).
    pub expected: i64,
    pub received: i64,
    /// Why what arrived differs from the note (short, broken, ...); empty when it matches.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    pub id: Uuid,
    /// The dispatch note received against; `None` for goods without one.
    pub note: Option<Uuid>,
    pub lines: Vec<ReceivedLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderCancelled {
    pub order_id: Uuid,
    pub reason: String,
}

/// One page of dispatch notes for a terminal's market after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchPage {
    pub notes: Vec<DispatchNote>,
    pub next_cursor: u64,
    pub more: bool,
}

/// What the van brings to one stop (market), made when the desk confirms a van plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchNote {
    pub version: u64,
    pub id: Uuid,
    pub market: String,
    /// The delivery day (local), e.g. `2022-05-07`.
    pub date: String,
    pub van: String,
    pub stop: u32,
    pub lines: Vec<DispatchLine>,
    /// The restock requests this note answers: once it arrives, they are no longer on their way
    /// as requests (the note's lines are, until received).
    #[serde(default)]
    pub requests: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchLine {
    pub product: String,
    pub name_zh: String,
    pub name_en: String,
    pub qty: i64,
}

/// Why an event of a manager kind is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} event: {problem}")]
pub struct PayloadError {
    pub kind: String,
    pub problem: String,
}

/// Checks the payload of a manager event kind; other kinds pass (they are checked elsewhere).
pub fn validate(kind: &str, payload: &str) -> Result<(), PayloadError> {
    let bad = |problem: String| PayloadError { kind: kind.to_owned(), problem };
    let units = |what: &str, n: i64, min: i64| {
        if (min..=MAX_UNITS).contains(&n) { Ok(()) } else { Err(bad(format!("{what} {n} is out of range"))) }
    };
    let product = |id: &str| {
        if id.is_empty() || id.len() > 200 { Err(bad("a product id is empty or too long".into())) } else { Ok(()) }
    };
    let text = |what: &str, s: &str| {
        if s.len() > 500 { Err(bad(format!("{what} is longer than 500 bytes"))) } else { Ok(()) }
    };
    let parse_err = |e: serde_json::Error| bad(e.to_string());
    match kind {
        STOCK_MOVED => {
            let m: crate::domain::stock::StockMoved = serde_json::from_str(payload).map_err(parse_err)?;
            product(&m.product.0)?;
            units("delta", m.delta.checked_abs().unwrap_or(i64::MAX), 1)?;
            if !m.kind.allows(m.delta) || !crate::domain::stock::MovementKind::MANAGER.contains(&m.kind) {
                return Err(bad(format!("a {} movement cannot be {}", m.kind.as_str(), m.delta)));
            }
            text("reason", &m.reason)
        }
        CASH_MOVED => {
            let m: CashMoved = serde_json::from_str(payload).map_err(parse_err)?;
            if !(0..=MAX_CASH_FEN).contains(&m.amount_fen) {
                return Err(bad(format!("amount {} fen is out of range", m.amount_fen)));
            }
            text("reason", &m.reason)
        }
        RESTOCK_REQUESTED => {
            let r: RestockRequest = serde_json::from_str(payload).map_err(parse_err)?;
            if r.lines.is_empty() || r.lines.len() > 10_000 || !(1..=60).contains(&r.cycle_days) {
                return Err(bad("a request has 1 to 10,000 lines and a cycle of 1 to 60 days".into()));
            }
            r.lines.iter().try_for_each(|l| {
                product(&l.product)?;
                units("qty", l.qty, 1)?;
                units("suggested", l.suggested, 0)
            })
        }
        DELIVERY_RECEIVED => {
            let r: Received = serde_json::from_str(payload).map_err(parse_err)?;
            if r.lines.is_empty() || r.lines.len() > 10_000 {
                return Err(bad("a delivery has 1 to 10,000 lines".into()));
            }
            r.lines.iter().try_for_each(|l| {
                product(&l.product)?;
                units("expected", l.expected, 0)?;
                units("received", l.received, 0)?;
                text("reason", &l.reason)
            })
        }
        ORDER_CANCELLED => {
            let c: OrderCancelled = serde_json::from_str(payload).map_err(parse_err)?;
            text("reason", &c.reason)
        }
        DAY_CLOSED => {
            let d: crate::domain::day::DayReport = serde_json::from_str(payload).map_err(parse_err)?;
            if d.kind != crate::domain::day::ReportKind::Z || d.z_number.is_none() {
                return Err(bad("only a Z report closes a day".into()));
            }
            d.sales().map_err(|e| bad(e.to_string()))?;
            d.cash_difference().map_err(|e| bad(e.to_string()))?;
            d.methods.iter().try_for_each(|m| {
                if m.amount.0 < 0 { Err(bad("a method total cannot be negative".into())) } else { Ok(()) }
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_events_are_checked_and_others_pass() {
        let ok = r#"{"id":"0196a000-0000-7000-8000-000000000001","kind":"out","amount_fen":5000,"reason":"bank"}"#;
        assert_eq!(validate(CASH_MOVED, ok), Ok(()));
        let negative = ok.replace("5000", "-5");
        assert!(validate(CASH_MOVED, &negative).unwrap_err().to_string().contains("out of range"));
        assert!(validate(CASH_MOVED, &ok.replace("bank\"", "bank\",\"x\":1")).is_err(), "unknown field");
        let spoil = r#"{"id":"0196a000-0000-7000-8000-000000000001","product":"rice","delta":3,"kind":"spoilage","reason":"wet","who":"manager","ref_id":null,"expected":null}"#;
        assert!(validate(STOCK_MOVED, spoil).unwrap_err().to_string().contains("cannot be 3"));
        assert_eq!(validate(STOCK_MOVED, &spoil.replace("\"delta\":3", "\"delta\":-3")), Ok(()));
        let sale = spoil.replace("\"delta\":3", "\"delta\":-3").replace("spoilage", "sale");
        assert!(validate(STOCK_MOVED, &sale).is_err(), "sales travel inside orders");
        let request = r#"{"id":"0196a000-0000-7000-8000-000000000001","cycle_days":2,"lines":[{"product":"rice","qty":0,"suggested":4}]}"#;
        assert!(validate(RESTOCK_REQUESTED, request).is_err(), "qty 0");
        assert_eq!(validate(RESTOCK_REQUESTED, &request.replace("\"qty\":0", "\"qty\":4")), Ok(()));
        assert_eq!(validate("order.placed", "anything"), Ok(()));
    }
}
