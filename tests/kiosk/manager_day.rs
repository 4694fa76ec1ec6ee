//! A whole market day through the kiosk's real code paths, and kill -9 in the middle of the
//! settlement and of receiving the van.

use crate::support::Kiosk;
use warm_core::domain::{Order, ProductId};
use warm_kiosk::ui::Message;
use warm_kiosk::ui::screen::{Screen, category, done, home, review};
use warm_kiosk::ui::widget::basket;

/// A senior orders `lines` (product, how many) by tapping, as on the screen; the order placed.
pub fn senior_orders(k: &mut Kiosk, lines: &[(&ProductId, u32)]) -> Order {
    for (p, n) in lines {
        let category = k.ctx.catalog.product(p).map(|p| p.category.clone()).unwrap();
        k.update(Message::HomeScreen(home::Message::OpenCategory(category)));
        for _ in 0..*n {
            k.update(Message::Category(category::Message::Add((*p).clone())));
        }
    }
    k.update(Message::Basket(basket::Message::Review));
    k.update(Message::Review(review::Message::Confirm));
    let Screen::Done(d) = k.app.screen() else { panic!("the order was not placed") };
    let order = d.order.clone();
    k.update(Message::Done(done::Message::NextSenior));
    order
}

/// `n` seniors each order one bag of the first product.
pub fn sell_some(k: &mut Kiosk, n: usize) {
    let rice = k.ctx.catalog.products[0].id.clone();
    for _ in 0..n {
        senior_orders(k, &[(&rice, 1)]);
    }
}
