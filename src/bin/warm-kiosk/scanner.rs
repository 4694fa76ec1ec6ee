//! `warm-kiosk scanner test`: reads the configured scanner and prints one line per scan — the
//! kind of code and what it means here, or why it was rejected — so a volunteer can check a
//! scanner (and the scale's label layout) before the market opens.

use warm_core::domain::scan::{self, Scan, Weighed};
use warm_core::domain::{Catalog, Lang};
use warm_core::i18n::{Msg, rejection, tr};
use warm_kiosk::device::scanner::serial::{Each, ScannerEvent, ScannerLink, run};
use warm_kiosk::device::scanner::{LineError, ScannerConfig};

/// One line describing a scanned line, in `lang`.
fn describe(
    line: &Result<String, LineError>,
    config: &ScannerConfig,
    badge: &str,
    catalog: &Catalog,
    lang: Lang,
) -> String {
    let text = match line {
        Ok(text) => text,
        Err(e) => return format!("REJECTED  {}", tr(Msg::RejectUnreadable, lang, &[("reason", &e.words(lang))])),
    };
    match scan::parse(text, &config.weighed, badge) {
        Scan::Goods { symbology, code, key } => match catalog.by_ean(&key) {
            Some(p) => format!("{}  {code}  {} {} {}", symbology.name(), p.name.get(lang), p.spec.get(lang), p.price),
            None => format!("{}  {code}  {}", symbology.name(), Msg::NotFound.text(lang)),
        },
        Scan::Weighed { code, item, value } => {
            let value_text = match value {
                Weighed::Price(m) => m.to_string(),
                Weighed::Grams(g) => tr(Msg::Grams, lang, &[("g", &g.to_string())]),
            };
            match scan::weighed_product(catalog, &item, &config.weighed) {
                Some(p) => format!(
                    "WEIGHED  {code}  item {item} = {}  {value_text}  → {}",
                    p.name.get(lang),
                    scan::weighed_price(p, value, &config.weighed)
                ),
                None => format!("WEIGHED  {code}  {value_text}  {}", tr(Msg::WeighedUnknown, lang, &[("item", &item)])),
            }
        }
        Scan::Slip(id) => format!("SLIP  {id}"),
        Scan::Batch(id) => format!("BATCH {id}"),
        Scan::Household(id) => format!("HOUSEHOLD  {id}"),
        Scan::Badge => format!("BADGE  {}", Msg::VolunteerMode.text(lang)),
        Scan::Rejected { code, reason } => format!("REJECTED  {code:?}  {}", rejection(reason, lang)),
    }
}

/// Reads the scanner at `port` until `limit` scans (or forever), printing with `print`.
pub fn run_test(
    config: &ScannerConfig,
    port: &str,
    badge: &str,
    catalog: &Catalog,
    lang: Lang,
    limit: Option<u64>,
    mut print: impl FnMut(&str),
) {
    let mut scans = 0u64;
    run(
        config,
        port,
        &mut Each(|event| {
            match event {
                ScannerEvent::Link(ScannerLink::Connected { port }) => {
                    print(&format!("# {} ({port})", Msg::ScannerConnected.text(lang)))
                }
                ScannerEvent::Link(ScannerLink::Disconnected { port, reason, retry_in }) => print(&format!(
                    "# {} ({port}: {reason})",
                    tr(Msg::ScannerDisconnected, lang, &[("s", &retry_in.as_secs().to_string())])
                )),
                ScannerEvent::Line(line) => {
                    print(&describe(&line, config, badge, catalog, lang));
                    scans += 1;
                }
            }
            limit.is_none_or(|l| scans < l)
        }),
    );
}
