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

fn method_words(method: &str) -> &'static str {
    match method {
        "cash" => "现金 Cash",
        "wechat" => "微信 WeChat",
        "alipay" => "支付宝 Alipay",
        _ => "记账 On account",
    }
}

/// A variance in words, never by colour alone.
fn variance(fen: Option<i64>) -> String {
    match fen {
        None => "未日结 not closed".into(),
        Some(0) => "相符 matches".into(),
        Some(f) if f < 0 => format!("短款 short {}", yuan(-f)),
        Some(f) => format!("长款 over {}", yuan(f)),
    }
}

/// Each market's day as its site manager runs it: sales by payment method (from payments and
/// amendments, never from placed orders), the close, the cash variance, stock variances and
/// open restock requests.
fn days(h: &mut String, d: &Dashboard) {
    h.push_str(r#"<h2>各市集日结 Each market's day</h2><table id="days"><tr><th>市集 Market</th><th>日结 Closed</th>"#);
    for m in ["cash", "wechat", "alipay", "on_account"] {
        let _ = write!(h, "<th>{}</th>", method_words(m));
    }
    h.push_str("<th>销售额 Sales</th><th>现金差额 Cash variance</th><th>库存差异 Stock variances</th><th>待配送要货单 Open requests</th></tr>");
    for day in &d.days {
        let closed = if day.closed.is_empty() {
            "未日结 open".to_owned()
        } else {
            format!("已日结 closed: {}", day.closed.join(", "))
        };
        let _ = write!(
            h,
            r#"<tr data-market="{0}"><td>{0}</td><td class="closed">{1}</td>"#,
            escape(&day.market),
            escape(&closed)
        );
        for (method, count, fen) in &day.by_method {
            let _ = write!(h, r#"<td class="num method-{}">{} ({} 笔)</td>"#, escape(method), yuan(*fen), count);
        }
        let stock = if day.stock_variances.is_empty() {
            "无 none".to_owned()
        } else {
            day.stock_variances.iter().map(|(p, n)| format!("{p} {n:+}")).collect::<Vec<_>>().join(", ")
        };
        let _ = write!(
            h,
            r#"<td class="num day-sales">{}</td><td class="variance">{}</td><td class="stock">{}</td><td class="num requests">{}</td></tr>"#,
            yuan(day.sales_fen),
            escape(&variance(day.cash_variance_fen)),
            escape(&stock),
            day.open_requests
        );
    }
    h.push_str("</table>");
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
    h.push_str(r#"<h2>今日各市集 Today per market</h2><table id="markets"><tr><th>市集 Market</th><th>订单 Orders</th><th>下单额 Ordered</th><th>销售额（已付款）Sales (paid)</th><th>最后同步 Last sync</th></tr>"#);
    for m in &d.markets {
        let _ = write!(
            h,
            r#"<tr data-market="{0}"><td>{0}</td><td class="num orders">{1}</td><td class="num ordered">{2}</td><td class="num sales">{3}</td><td>{4}</td></tr>"#,
            escape(&m.market),
            m.orders,
            yuan(m.ordered_fen),
            yuan(m.sales_fen),
            escape(&local(m.last_sync.as_deref(), tz))
        );
    }
    h.push_str("</table>");
    days(&mut h, d);
    h.push_str(r#"<h2>终端 Terminals</h2><table id="terminals"><tr><th>终端 Terminal</th><th>市集 Market</th><th>已收到事件 Events received</th><th>最后同步 Last sync</th></tr>"#);
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
