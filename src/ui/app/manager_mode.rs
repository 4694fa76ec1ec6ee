//! The root's side of the site manager's mode: it opens the mode, checks the manager's PIN (its
//! wrong-try pause kept in the store, so a restart does not end it), loads what the manager's
//! screens show and runs what they save, all off the UI thread; and it locks volunteer and
//! manager modes after the configured quiet time.

use super::{App, Message, Volunteer, check_pin_kept, off_thread, screen_context};
use crate::store::StoreError;
use crate::store::day::{CLOSING_DRAFT, Closing, DayContext};
use crate::store::shelf::Shelf;
use crate::store::stock::{COUNT_DRAFT, receiving_key};
use crate::ui::screen::manager::{self, Action, Done, Loaded, Manager, Want, Work};
use crate::ui::screen::{manager_count, manager_parts, manager_settle};
use iced::Task;
use std::time::{Duration, Instant};
use warm_core::domain::pin::{PinGate, Role};
use warm_core::domain::{ProductId, Text};
use warm_core::i18n::ManagerMsg as M;
use warm_core::receipt::day_report::day_report;

impl App {
    pub(super) fn open_manager(&mut self) {
        self.volunteer = Some(Volunteer::Manager(Box::default()));
    }

    /// The manager's screen on show, if manager mode is on.
    pub fn manager_screen(&self) -> Option<&Manager> {
        match &self.volunteer {
            Some(Volunteer::Manager(m)) => Some(m),
            _ => None,
        }
    }

    pub(super) fn manager(&mut self, message: manager::Message) -> Task<Message> {
        if matches!(message, manager::Message::Scanned(_)) {
            // Scanning goods in is someone at the kiosk, like a touch.
            self.last_touch = Instant::now();
        }
        let wrote = matches!(message, manager::Message::Done(_));
        let ctx = lend_context!(self);
        let Some(Volunteer::Manager(m)) = &mut self.volunteer else { return Task::none() };
        match m.update(message, ctx) {
            // Stock may have changed: the seniors' tiles say so at once.
            Action::None if wrote => self.refresh_shelf(),
            Action::None => Task::none(),
            Action::Leave => {
                self.volunteer = None;
                self.refresh_shelf()
            }
            Action::Quit => iced::exit(),
            Action::CheckPin(entry) => self.check_manager_pin(entry),
            Action::Load(want) => self.manager_load(want),
            Action::Run(work) => self.manager_run(work),
            Action::SelfCheck => {
                let setup = crate::doctor::Setup {
                    config: (*self.ctx.config).clone(),
                    // The kiosk is running on this file: it loaded.
                    file: self.ctx.config_file.clone().map(|path| (path, None)),
                    data_dir: self.ctx.store().path().parent().map(Into::into).unwrap_or_default(),
                };
                let now = (self.ctx.clock)();
                off_thread(move || crate::doctor::examine(&setup, now))
                    .map(|found| Message::Manager(manager::Message::Examined(found)))
            }
        }
    }

    /// argon2 off the UI thread; the gate is read and written in the store around it.
    fn check_manager_pin(&mut self, entry: String) -> Task<Message> {
        let (store, hash, now) = (self.ctx.store.clone(), self.ctx.config.manager.pin_hash.clone(), (self.ctx.clock)());
        off_thread(move || check_pin_kept(&store, Role::Manager, &hash, &entry, now, PinGate::default()).0)
            .map(|r| Message::Manager(manager::Message::PinChecked(r)))
    }

    fn manager_load(&mut self, want: Want) -> Task<Message> {
        let (kiosk, now) = (self.ctx.clone(), (self.ctx.clock)());
        off_thread(move || -> Result<Box<Loaded>, StoreError> {
            let store = warm_core::process::lock(&kiosk.store);
            let loaded = match want {
                Want::Stock => Loaded::Stock(store.stock_levels()?),
                Want::Notes => {
                    let notes = store
                        .open_dispatch_notes()?
                        .into_iter()
                        .map(|n| Ok((store.draft(&receiving_key(Some(n.id)))?, n)))
                        .collect::<Result<Vec<_>, StoreError>>()?;
                    let notes = notes.into_iter().map(|(draft, n)| (n, draft)).collect();
                    Loaded::Notes(notes, store.draft(&receiving_key(None))?)
                }
                Want::Count => Loaded::Count(store.stock_levels()?, store.draft::<manager_count::Draft>(COUNT_DRAFT)?),
                Want::Restock => {
                    let products: Vec<ProductId> =
                        manager_parts::products_in_order(&kiosk.catalog).into_iter().map(|p| p.id.clone()).collect();
                    let m = &kiosk.config.manager;
                    Loaded::Restock(store.restock_suggestions(
                        &products,
                        now,
                        m.restock_cycle_days,
                        m.sales_window_days,
                        |p| m.pack(p),
                    )?)
                }
                Want::Settle => {
                    let draft = store.draft::<Closing>(CLOSING_DRAFT)?;
                    // Closed already today (a crash right after the close, a second visit): the
                    // settlement shows that day's Z; a second close waits for the next day.
                    if draft.is_none()
                        && let Some(closed) = store.z_report(Some(now.to_zoned(kiosk.time_zone.clone()).date()))?
                    {
                        return Ok(Box::new(Loaded::ClosedToday(Box::new(closed.report))));
                    }
                    let closing = draft.unwrap_or_else(|| Closing { id: uuid::Uuid::now_v7(), ..Closing::default() });
                    let preview = with_day(&kiosk, |ctx| store.settlement_preview(&closing, ctx, now))?;
                    let movers = store.fastest_movers(manager_settle::QUICK_COUNT)?;
                    Loaded::Settle { closing, preview: Box::new(preview), movers }
                }
            };
            Ok(Box::new(loaded))
        })
        .map(|r| Message::Manager(manager::Message::Loaded(r.unwrap_or_else(Err))))
    }

    fn manager_run(&mut self, work: Work) -> Task<Message> {
        let (kiosk, now, lang) = (self.ctx.clone(), (self.ctx.clock)(), self.lang);
        off_thread(move || -> Result<Box<Done>, StoreError> {
            let mut store = warm_core::process::lock(&kiosk.store);
            let done = match work {
                Work::Movements(moves) => {
                    store.record_movements(&moves, Role::Manager, None, now)?;
                    Done::Saved(Some(M::SpoilSaved))
                }
                Work::Receive(delivery) => {
                    // Confirmed already (a second tap, a retry): the same delivery, booked once.
                    store.receive(&delivery, now)?;
                    Done::Saved(Some(M::Received))
                }
                Work::Count { id, counted } => {
                    store.record_count(id, &counted, Role::Manager, now)?;
                    Done::Saved(Some(M::CountDone))
                }
                Work::Restock(request) => {
                    store.send_restock(&request, now)?;
                    Done::Saved(Some(M::RequestSent))
                }
                Work::Cash { id, kind, amount, reason } => {
                    store.cash_move(kind, amount, &reason, id, now)?;
                    Done::Saved(Some(M::CashSaved))
                }
                Work::Draft { key, value } => {
                    store.save_draft(&key, &value, now)?;
                    Done::Saved(None)
                }
                Work::Closing(closing) => {
                    store.save_draft(CLOSING_DRAFT, &closing, now)?;
                    let preview = with_day(&kiosk, |ctx| store.settlement_preview(&closing, ctx, now))?;
                    Done::Preview(Box::new(preview))
                }
                Work::Close(closing) => {
                    let profile = kiosk.config.printer.profile();
                    let closed = with_day(&kiosk, |ctx| {
                        store.close_day(&closing, ctx, now, |r| day_report(r, lang, &profile, &kiosk.time_zone))
                    })?;
                    kiosk.printer.wake();
                    Done::Closed(Box::new(closed.report))
                }
                Work::PrintX => {
                    let report = with_day(&kiosk, |ctx| store.x_report(ctx, now))?;
                    let bytes = day_report(&report, lang, &kiosk.config.printer.profile(), &kiosk.time_zone);
                    store.add_print_job(None, "x_report", &bytes, now)?;
                    kiosk.printer.wake();
                    Done::Saved(Some(M::ReportQueued))
                }
            };
            Ok(Box::new(done))
        })
        .map(|r| Message::Manager(manager::Message::Done(r.unwrap_or_else(Err))))
    }

    /// Reads what may still be ordered off the UI thread.
    pub(super) fn refresh_shelf(&self) -> Task<Message> {
        let store = self.ctx.store.clone();
        off_thread(move || warm_core::process::lock(&store).stock_levels().map(|l| Shelf::from_levels(&l)))
            .map(|r| Message::Shelf(r.unwrap_or_else(Err)))
    }

    /// Every few seconds on the seniors' screens (a counter sale or an amendment changed it).
    pub(super) fn refresh_shelf_now_and_then(&self) -> Task<Message> {
        if self.volunteer.is_some() || !self.sync_ticks.is_multiple_of(5) {
            return Task::none();
        }
        // What sold lately changes slowly (sales at the counter too): read it every half minute.
        if self.sync_ticks.is_multiple_of(30) {
            Task::batch([self.refresh_shelf(), self.refresh_sales()])
        } else {
            self.refresh_shelf()
        }
    }

    pub(super) fn shelf_arrived(&mut self, shelf: Result<Shelf, StoreError>) {
        match shelf {
            Ok(shelf) => self.shelf = shelf,
            // The tiles keep what they knew; the next read tries again.
            Err(e) => tracing::warn!("stock not read: {e}"),
        }
    }

    /// Volunteer and manager modes lock themselves after the configured quiet time: the
    /// manager's screen waits behind the PIN (its work is in the store); the counter goes back
    /// to the PIN pad.
    pub(super) fn lock_when_quiet(&mut self, now: Instant) {
        let quiet = Duration::from_secs(self.ctx.config.manager.lock_after_seconds);
        let idle = now.saturating_duration_since(self.last_touch);
        if idle < quiet {
            return;
        }
        match &mut self.volunteer {
            Some(Volunteer::Manager(m)) if !m.locked() => m.lock(),
            Some(Volunteer::Counter(_)) => self.open_pin(),
            // A leader halfway through a building keeps it (the orders are not placed yet and
            // place nothing but pay-at-pickup orders); elsewhere the mode closes.
            Some(Volunteer::Leader(l)) if l.round().is_none() => self.volunteer = None,
            _ => {}
        }
    }
}

/// What may be ordered when the kiosk starts (a store that cannot be read: nothing is sold out).
pub(super) fn initial_shelf(ctx: &super::Context) -> Shelf {
    match ctx.store().stock_levels() {
        Ok(levels) => Shelf::from_levels(&levels),
        Err(e) => {
            tracing::warn!("stock not read: {e}");
            Shelf::default()
        }
    }
}

/// The day's context for the store's figures: this terminal, its market and product names.
fn with_day<T>(
    kiosk: &super::Context,
    f: impl FnOnce(&DayContext<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let catalog = &kiosk.catalog;
    let name_of = |p: &ProductId| catalog.product(p).map_or_else(|| Text::new(&p.0, &p.0), |p| p.name.clone());
    let tz = &kiosk.time_zone;
    let ctx = DayContext { terminal: &kiosk.config.terminal_id, market: &catalog.market_name, tz, name_of: &name_of };
    f(&ctx)
}
