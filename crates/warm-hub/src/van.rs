//! The van plan as the desk prints it (a loading list per van and stop) and as CSV.

use super::store::{VanPlan, VanStop};
use std::fmt::Write as _;
use warm_core::api::manager::DispatchNote;

/// The plan the confirmed dispatch notes of `date` were made from.
pub fn plan_of(date: &str, notes: &[DispatchNote]) -> VanPlan {
    let stops = notes
        .iter()
        .map(|n| VanStop {
            van: n.van.clone(),
            stop: n.stop,
            market: n.market.clone(),
            lines: n.lines.clone(),
            requests: n.requests.iter().map(ToString::to_string).collect(),
        })
        .collect();
    VanPlan { date: date.to_owned(), stops }
}

/// A printable loading list: one block per van, its stops in order, each line's product and units.
pub fn loading_list(plan: &VanPlan) -> String {
    let mut out = format!("装车单 Loading list · {}\n", plan.date);
    if plan.stops.is_empty() {
        out.push_str("没有待配送的要货单 No open restock requests\n");
        return out;
    }
    let mut van = None;
    for stop in &plan.stops {
        if van != Some(&stop.van) {
            let _ = writeln!(out, "\n== 货车 Van {} ==", stop.van);
            van = Some(&stop.van);
        }
        let _ = writeln!(out, "第 {} 站 Stop {}: {}", stop.stop, stop.stop, stop.market);
        for l in &stop.lines {
            let _ = writeln!(out, "  [ ] {:<12} {} / {} × {}", l.product, l.name_zh, l.name_en, l.qty);
        }
        let units: i64 = stop.lines.iter().map(|l| l.qty).fold(0, i64::saturating_add);
        let _ = writeln!(out, "  合计 Total: {} 件 units, {} 个要货单 requests", units, stop.requests.len());
    }
    out
}

/// `van,stop,market,product,name_zh,name_en,qty`, one row per line; fields quoted where needed.
pub fn csv(plan: &VanPlan) -> String {
    let mut out = String::from("date,van,stop,market,product,name_zh,name_en,qty\n");
    for stop in &plan.stops {
        for l in &stop.lines {
            let fields = [
                plan.date.clone(),
                stop.van.clone(),
                stop.stop.to_string(),
                stop.market.clone(),
                l.product.clone(),
                l.name_zh.clone(),
                l.name_en.clone(),
                l.qty.to_string(),
            ];
            let row: Vec<String> = fields.iter().map(|f| quote(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warm_core::api::manager::DispatchLine;

    #[test]
    fn csv_quotes_and_lists_every_line() {
        let line = |p: &str, q| DispatchLine {
            product: p.into(),
            name_zh: "大米".into(),
            name_en: "Rice, 5 kg".into(),
            qty: q,
        };
        let plan = VanPlan {
            date: "2022-05-07".into(),
            stops: vec![VanStop {
                van: "V1".into(),
                stop: 1,
                market: "峨海小区".into(),
                lines: vec![line("rice", 20), line("oil", 6)],
                requests: vec!["r1".into()],
            }],
        };
        let csv = csv(&plan);
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.contains("2022-05-07,V1,1,峨海小区,rice,大米,\"Rice, 5 kg\",20"), "{csv}");
        assert!(loading_list(&plan).contains("合计 Total: 26 件 units, 1 个要货单 requests"));
    }
}
