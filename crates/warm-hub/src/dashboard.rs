//! The operator's web page: every market's last sync, today's orders and sales, open alarms.
//! Plain server-rendered HTML (no script), refreshed by the browser every 15 seconds.

use super::store::{Dashboard, Session};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::fmt::Write as _;

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A stored UTC time shown in the hub's zone, e.g. `2026-11-29 16:05:09`.
fn local(text: Option<&str>, tz: &TimeZone) -> String {
    match text.and_then(|t| t.parse::<Timestamp>().ok()) {
        Some(t) => t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        None => "从未 never".into(),
    }
}

fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    // unsigned_abs: even i64::MIN has a magnitude, so no figure can make the page fail.
    let fen = fen.unsigned_abs();
    format!("￥{sign}{}.{:02}", fen / 100, fen % 100)
}

pub fn render(d: &Dashboard, tz: &TimeZone, now: Timestamp, viewer: &Session) -> String {
    let desk = viewer.may_change();
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<title>暖心市集 合作社总台 · Warm Market hub</title>
<style>body{{font:20px/1.4 sans-serif;margin:24px;color:#111;background:#fff}}table{{border-collapse:collapse;margin-bottom:24px}}
td,th{{border:1px solid #444;padding:6px 12px;text-align:left}}th{{background:#eee}}.alarm{{background:#fff3f3;border:3px solid #a00;padding:12px}}
.num{{text-align:right}}</style></head><body>
<h1>暖心市集 合作社总台 · Warm Market hub</h1><p id="now">{}</p>
<form id="logout" method="post" action="/logout"><p>{} ({}) <button type="submit">退出登录 Sign out</button></p></form>
<p>警报处理后清除 Clear an alarm once dealt with{}: <code>warm-hub alarm clear ID</code></p>"#,
        escape(&local(Some(&now.to_string()), tz)),
        escape(&viewer.operator),
        if desk { "合作社总台 co-op desk" } else { "只读 read-only" },
        if desk { " (按钮 the button, or)" } else { "" }
    );
    let _ = write!(h, r#"<h2>警报 Alarms ({})</h2>"#, d.alarms.len());
    if d.alarms.is_empty() {
        h.push_str(r#"<p id="no-alarms">没有警报 No alarms</p>"#);
    } else {
        h.push_str(r#"<table id="alarms"><tr><th>#</th><th>时间 Time</th><th>终端 Terminal</th><th>类型 Kind</th><th>内容 Message</th><th>次数 Times</th><th>最近 Last</th><th></th></tr>"#);
        for a in &d.alarms {
            let clear = if desk {
                format!(
                    r#"<form method="post" action="/alarms/{}/clear"><button type="submit">清除 Clear</button></form>"#,
                    a.id
                )
            } else {
                String::new()
            };
            let _ = write!(
                h,
                r#"<tr class="alarm"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td><td>{clear}</td></tr>"#,
                a.id,
                escape(&local(Some(&a.at), tz)),
                escape(a.terminal.as_deref().unwrap_or("-")),
                escape(&a.kind),
                escape(&a.message),
                a.repeats,
                escape(&local(Some(&a.last_at), tz))
            );
        }
        h.push_str("</table>");
    }
    h.push_str(r#"<h2>今日各市集 Today per market</h2><table id="markets"><tr><th>市集 Market</th><th>订单 Orders</th><th>销售额 Sales</th><th>最后同步 Last sync</th></tr>"#);
    for m in &d.markets {
        let _ = write!(
            h,
            r#"<tr data-market="{0}"><td>{0}</td><td class="num orders">{1}</td><td class="num sales">{2}</td><td>{3}</td></tr>"#,
            escape(&m.market),
            m.orders,
            yuan(m.sales_fen),
            escape(&local(m.last_sync.as_deref(), tz))
        );
    }
    h.push_str(r#"</table><h2>终端 Terminals</h2><table id="terminals"><tr><th>终端 Terminal</th><th>市集 Market</th><th>已收到事件 Events received</th><th>最后同步 Last sync</th></tr>"#);
    for t in &d.terminals {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td><td>{}</td></tr>"#,
            escape(&t.id),
            escape(&t.market),
            t.acked_upto,
            escape(&local(t.last_sync.as_deref(), tz))
        );
    }
    h.push_str("</table></body></html>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_figure_reads_as_yuan_even_the_extremes() {
        assert_eq!(yuan(1234), "￥12.34");
        assert_eq!(yuan(-5), "￥-0.05");
        assert_eq!(yuan(i64::MIN), "￥-92233720368547758.08");
        assert_eq!(yuan(i64::MAX), "￥92233720368547758.07");
    }
}
