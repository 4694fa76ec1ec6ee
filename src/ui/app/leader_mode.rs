//! The root's side of building-leader mode (楼长, issue 10): it opens the mode, checks the
//! leader's PIN (its wrong-try pause kept in the store, like the others'), reads a building's
//! households, the day's list and what each home bought this period, places the building's
//! orders with their slips and picking list in one transaction, and queues the daily list sheet;
//! all off the UI thread.

use super::{App, Message, Volunteer, check_pin_kept, off_thread, screen_context};
use crate::store::StoreError;
use crate::store::leader::NewBatch;
use crate::ui::screen::leader::{self, Action, Leader, Loaded};
use iced::Task;
use std::time::Instant;
use warm_core::domain::pin::{PinGate, Role};
use warm_core::domain::{Money, ProductId};
use warm_core::receipt::leader::{daily_sheet, picking_list};
use warm_core::receipt::slip::household_slip;

impl App {
    pub(super) fn open_leader(&mut self) {
        self.volunteer = Some(Volunteer::Leader(Box::default()));
    }

    /// The leader's screen on show, if leader mode is on.
    pub fn leader_screen(&self) -> Option<&Leader> {
        match &self.volunteer {
            Some(Volunteer::Leader(l)) => Some(l),
            _ => None,
        }
    }

    pub(super) fn leader(&mut self, message: leader::Message) -> Task<Message> {
        if message.is_tap() {
            self.last_touch = Instant::now();
        }
        let ctx = lend_context!(self);
        let Some(Volunteer::Leader(l)) = &mut self.volunteer else { return Task::none() };
        match l.update(message, ctx) {
            Action::None => Task::none(),
            Action::Leave => {
                self.volunteer = None;
                self.lang = self.ctx.config.language;
                self.refresh_shelf()
            }
            Action::CheckPin(entry) => {
                let (store, hash, now) =
                    (self.ctx.store.clone(), self.ctx.config.leader.pin_hash.clone(), (self.ctx.clock)());
                off_thread(move || check_pin_kept(&store, Role::Leader, &hash, &entry, now, PinGate::default()).0)
                    .map(|r| Message::Leader(leader::Message::PinChecked(r)))
            }
            Action::Load(building) => self.leader_load(building),
            Action::Place { building, orders } => self.leader_place(building, orders),
            Action::PrintSheet => {
                let (ctx, now, lang) = (self.ctx.clone(), (self.ctx.clock)(), self.lang);
                off_thread(move || -> Result<(), StoreError> {
                    let store = warm_core::process::lock(&ctx.store);
                    let (catalog, tz) = (&ctx.catalog, &ctx.time_zone);
                    let lines = store.sheet_lines(catalog, crate::store::start_of_day(now, tz))?;
                    let bytes = daily_sheet(&lines, &catalog.market_name, &ctx.config.printer.profile(), tz, now, lang);
                    store.add_print_job(None, "daily_sheet", &bytes, now)?;
                    ctx.printer.wake();
                    Ok(())
                })
                .map(|r| Message::Leader(leader::Message::SheetQueued(r.unwrap_or_else(Err))))
            }
        }
    }

    fn leader_load(&mut self, building: String) -> Task<Message> {
        let (store, catalog, tz, now) =
            (self.ctx.store.clone(), self.ctx.catalog.clone(), self.ctx.time_zone.clone(), (self.ctx.clock)());
        off_thread(move || -> Result<Box<Loaded>, StoreError> {
            let store = warm_core::process::lock(&store);
            let households = store.households_in_building(&building)?;
            // The day's list as this market sells it, with what earlier buildings left of each: a
            // product the catalog does not sell here is left out (the hub may list it before the
            // kiosk has pulled it).
            let items: Vec<_> = store
                .daily_list_left(crate::store::start_of_day(now, &tz))?
                .into_iter()
                .filter_map(|item| Some((catalog.product(&ProductId::new(item.product))?.clone(), item.available)))
                .collect();
            let mut bought = Vec::with_capacity(households.len());
            for h in &households {
                let mut row = Vec::with_capacity(items.len());
                for (product, _) in &items {
                    row.push(match store.allowance(h, product, 0, now, &tz)? {
                        warm_core::domain::Allowance::Limited { bought, .. } => bought,
                        warm_core::domain::Allowance::Free => 0,
                    });
                }
                bought.push(row);
            }
            Ok(Box::new(Loaded { building, households, items, bought }))
        })
        .map(|r| Message::Leader(leader::Message::Loaded(r.unwrap_or_else(Err))))
    }

    fn leader_place(
        &mut self,
        building: String,
        orders: Vec<(warm_core::domain::HouseholdId, Vec<warm_core::domain::OrderLine>)>,
    ) -> Task<Message> {
        let batch = NewBatch {
            id: (self.ctx.ids)(),
            terminal: self.ctx.config.terminal_id.clone(),
            lang: self.lang,
            building,
            orders: orders.into_iter().map(|(h, lines)| ((self.ctx.ids)(), h, lines)).collect(),
        };
        let (ctx, now, lang) = (self.ctx.clone(), (self.ctx.clock)(), self.lang);
        off_thread(move || -> Result<(usize, Money), StoreError> {
            let (profile, tz) = (ctx.config.printer.profile(), &ctx.time_zone);
            let market = &ctx.catalog.market_name;
            let placed = warm_core::process::lock(&ctx.store).place_batch(
                batch,
                &ctx.catalog,
                now,
                &ctx.config.slot_policy(),
                tz,
                |order| household_slip(order, market, &profile, tz),
                |list| picking_list(list, market, &profile, tz, lang),
            )?;
            // The print worker prints the stored slips and the picking list.
            ctx.printer.wake();
            Ok((placed.orders.len(), placed.picking.total()))
        })
        .map(|r| Message::Leader(leader::Message::Placed(r.unwrap_or_else(Err))))
    }
}
