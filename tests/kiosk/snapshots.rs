//! Pictures of the four screens at the 1920×1080 reference, and of the shopping screens with 大字
//! (laid out in 1536×864, drawn 1.25 times as big on the panel), rendered by tiny-skia and
//! compared pixel for pixel with the committed PNGs under tests/snapshots/ (delete one to
//! re-record it).

use crate::support::{Kiosk, kiosk, simulator};
use warm_kiosk::ui::theme;

pub(crate) fn assert_snapshot(k: &Kiosk, name: &str) {
    let path = format!("{}/tests/snapshots/{name}.png", env!("CARGO_MANIFEST_DIR"));
    let snapshot = simulator(&k.app).snapshot(&theme::theme()).unwrap();
    assert!(snapshot.matches_image(&path).unwrap(), "{name} differs from {path}");
}

#[test]
fn screens_match_their_snapshots() {
    for large in [false, true] {
        let mut k = kiosk();
        let name = |screen: &str| if large { format!("{screen}-large") } else { screen.to_owned() };
        if large {
            k.tap("大字：关");
        }
        assert_snapshot(&k, &name("home"));
        k.tap("粮油");
        k.tap("东北大米");
        k.tap("东北大米");
        if large {
            // Two products to a page: 挂面 is on the next.
            k.tap("下一页");
        }
        k.tap("挂面");
        assert_snapshot(&k, &name("category"));
        k.tap("下单");
        assert_snapshot(&k, &name("review"));
        k.tap("确认");
        assert_snapshot(&k, &name("done"));
    }
}

/// The category screen with the printer's banner up, in target/printer-banner.png, to look at.
#[test]
#[ignore]
fn write_printer_banner_picture() {
    use warm_kiosk::device::printer::Problem;
    use warm_kiosk::device::printer::worker::PrinterState;
    let mut k = kiosk();
    k.ctx.printer.drain();
    let state = PrinterState { problem: Some(Problem::PaperOut), pending: 2, ..PrinterState::default() };
    k.update(warm_kiosk::ui::Message::Printer(state));
    k.tap("粮油");
    let snapshot = simulator(&k.app).snapshot(&theme::theme()).unwrap();
    let path = format!("{}/target/printer-banner.png", env!("CARGO_MANIFEST_DIR"));
    let _ = std::fs::remove_file(&path);
    let _ = snapshot.matches_image(&path); // records the picture when none exists
}
