//! A full disk, a locked database or a broken printer: the senior is told in words, and nothing
//! already stored is lost.

use crate::support::{kiosk, kiosk_with};
use warm_kiosk::device::printer::transport::FileTransport;
use warm_kiosk::ui::screen::Screen;
use warm_kiosk::ui::widget::basket;

fn order_count(k: &crate::support::Kiosk) -> i64 {
    k.ctx.store().connection().query_row("SELECT count(*) FROM orders", [], |r| r.get(0)).unwrap()
}

fn place(k: &mut crate::support::Kiosk) {
    k.tap("蛋奶");
    k.tap("鲜牛奶");
    k.tap("下单");
    k.tap("确认");
}

#[test]
fn a_full_disk_keeps_the_basket_and_the_orders_already_placed() {
    let mut k = kiosk();
    place(&mut k);
    k.tap("回到首页");
    assert_eq!(order_count(&k), 1);
    {
        // The disk fills up: the file may not grow by one more page, and what free space it had
        // is taken by another table. SQLite then answers SQLITE_FULL exactly as on a full disk.
        let store = k.ctx.store();
        let c = store.connection();
        let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        c.pragma_update(None, "max_page_count", pages + 4).unwrap();
        c.execute_batch("CREATE TABLE filler (b BLOB)").unwrap();
        while c.execute("INSERT INTO filler VALUES (zeroblob(64))", []).is_ok() {}
    }
    // A big order: more lines than fit in the pages the file already has.
    let products: Vec<_> = k.ctx.catalog.products.iter().map(|p| p.id.clone()).collect();
    for product in products {
        k.update(warm_kiosk::ui::Message::Basket(basket::Message::Increase(product)));
    }
    k.tap("下单");
    k.tap("确认");
    assert!(matches!(k.app.screen(), Screen::Review(r) if r.failed()));
    assert!(k.shows("暂时无法下单，请找志愿者"));
    assert!(k.shows("您的购物篮已保留"));
    assert_eq!(k.app.cart().lines().len(), k.ctx.catalog.products.len(), "the basket is kept");
    assert_eq!(order_count(&k), 1, "no partial order");
    k.ctx.store().integrity_check().unwrap();

    // Space comes back (a volunteer cleared the disk): the same basket goes through.
    k.ctx.store().connection().pragma_update(None, "max_page_count", 1_073_741_823).unwrap();
    k.tap("确认");
    assert!(matches!(k.app.screen(), Screen::Done(_)));
    assert_eq!(order_count(&k), 2);
}

#[test]
fn a_locked_database_is_a_message_not_a_hang_or_a_loss() {
    let mut k = kiosk();
    let other = rusqlite::Connection::open(warm_kiosk::kiosk::store_path(k.dir.path())).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    place(&mut k);
    assert!(k.shows("暂时无法下单，请找志愿者"));
    assert_eq!(k.app.cart().item_count(), 1);
    other.execute_batch("ROLLBACK").unwrap();
    k.tap("确认");
    assert!(matches!(k.app.screen(), Screen::Done(_)));
}

#[test]
fn a_broken_printer_keeps_the_slip_queued_and_prints_it_at_the_next_start() {
    let mut k = kiosk();
    let blocker = k.dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    k.ctx.printer.replace_transport(Box::new(FileTransport::new(blocker.join("prints"))));
    place(&mut k);
    // The worker's report reaches the app as its subscription would deliver it.
    let state = k.ctx.printer.drain();
    assert!(state.problem.is_some());
    k.update(warm_kiosk::ui::Message::Printer(state));
    let Screen::Done(done) = k.app.screen() else { panic!("the order is placed even if the printer fails") };
    assert!(done.print_error.is_some());
    assert!(k.shows("取货单没有打印出来，请找志愿者"));
    let banner =
        |k: &crate::support::Kiosk| k.shows("打印机没有响应，请检查电源和连接线") && k.shows("还有 1 张单据等待打印");
    assert!(banner(&k), "the volunteer is told what to do");
    // The banner is on every screen while the printer has the problem (where ← 返回 and the
    // category's name take the top bar's room, what is wrong without the count of waiting slips).
    k.tap("回到首页");
    assert!(banner(&k));
    k.tap("粮油");
    assert!(k.shows("打印机没有响应，请检查电源和连接线"));
    assert_eq!(k.ctx.store().pending_print_jobs().unwrap().len(), 1);
    drop(k.app);
    drop(k.ctx);

    // Restart with a working printer: the queued slip prints once.
    let ctx = warm_kiosk::kiosk::context(crate::support::config(), k.dir.path()).unwrap();
    let _app = warm_kiosk::ui::App::new(ctx.clone());
    assert!(ctx.printer.drain().problem.is_none());
    assert!(ctx.store().pending_print_jobs().unwrap().is_empty());
    assert_eq!(std::fs::read_dir(warm_kiosk::kiosk::prints_dir(k.dir.path())).unwrap().count(), 1);
}

#[test]
fn a_missing_picture_shows_a_placeholder_with_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.toml");
    std::fs::write(&catalog, warm_kiosk::demo::CATALOG).unwrap();
    // No pictures folder at all: every picture is missing.
    let config = warm_kiosk::config::Config { catalog: Some(catalog), ..crate::support::config() };
    let mut k = kiosk_with(config);
    // Pictures are tried a screen at a time: home's six category pictures are missing.
    assert_eq!(k.app.pictures().missing().count(), 6);
    assert!(k.shows("暂无图片"));
    k.tap("粮油");
    k.tap("东北大米");
    assert_eq!(k.app.cart().item_count(), 1);
}
