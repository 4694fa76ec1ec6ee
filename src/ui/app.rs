//! The root of the kiosk's GUI: state, routing between screens, and the only place that does I/O
//! (committing orders, printing).

use super::picture::Pictures;
use super::screen;
use super::widget::{Pager, bold, label, tap};
use super::{Element, theme};
use crate::config::Config;
use crate::device::printer::worker::{Printer, PrinterState};
use crate::store::{NewOrder, Store};
use iced::widget::{column, container, image, opaque, row, space, stack};
use iced::{Alignment, Event, Length, Subscription, Theme, event, mouse, touch, window};
use jiff::Timestamp;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use uuid::Uuid;
use warm_core::domain::{Cart, Catalog, CategoryId, Lang, Order, OrderLine, ProductId};
use warm_core::i18n::Msg;
use warm_core::receipt::preview;
use warm_core::receipt::slip::pickup_slip;

use super::volunteer::{self, Mode as VolunteerMode, VMsg};
use crate::device::scanner::wedge::Wedge;
use crate::device::scanner::{LineError, ScannerEvent, ScannerLink};
use iced::keyboard;
use warm_core::domain::pin::PinGate;
use warm_core::domain::scan::{self, Scan};

/// Products per page of a category's grid (3 columns × 2 rows) and lines per page elsewhere.
pub const GRID_PAGE: usize = 6;
pub const BASKET_PAGE: usize = 3;
pub const REVIEW_PAGE: usize = 4;

/// Everything the kiosk needs from outside, made once by `main` (or a test). Cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    pub pictures: Arc<Pictures>,
    pub store: Arc<Mutex<Store>>,
    /// The print worker (owns the printer on its own thread).
    pub printer: Printer,
    pub time_zone: jiff::tz::TimeZone,
    /// The wall clock; tests fix it so slots and slips are reproducible.
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    /// New order ids (UUIDv7); tests make them deterministic.
    pub ids: Arc<dyn Fn() -> Uuid + Send + Sync>,
}

impl Context {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A poisoned lock only means another thread panicked mid-call; SQLite's own
        // transaction kept the file consistent, so carry on with it.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    SwitchLanguage,
    Home,
    OpenCategory(CategoryId),
    Add(ProductId),
    Increase(ProductId),
    Decrease(ProductId),
    TurnGridPage(bool),
    TurnBasketPage(bool),
    TurnReviewPage(bool),
    AskEmpty,
    EmptyConfirmed,
    EmptyCancelled,
    Review,
    BackToShopping,
    PlaceOrder,
    /// From the done screen: ready for the next senior, in the default language.
    NextSenior,
    StillHere,
    StartOver,
    /// A finger or mouse touched the screen anywhere.
    Touched,
    Tick(Instant),
    /// News from the print worker: status, queue length.
    Printer(PrinterState),
    /// From the background sync loop: its status, or a new catalog from the hub.
    Sync(super::sync_status::SyncMsg),
    /// Volunteer mode (PIN and checkout counter): see `ui::volunteer`.
    Volunteer(VMsg),
    /// From the serial scanner's thread.
    Scanner(ScannerEvent),
    /// A key on a keyboard (a keyboard-wedge scanner types too).
    Key(KeyPress),
}

/// The part of a key press the kiosk uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPress {
    Text(String),
    Enter,
    /// Ctrl+Alt+V: the volunteer's way in from a keyboard.
    VolunteerShortcut,
}

pub enum Screen {
    Home,
    Category { id: CategoryId, pager: Pager },
    Review { pager: Pager, error: Option<String> },
    Done(Box<Done>),
}

pub struct Done {
    pub order: Order,
    /// The slip as it would come out of the printer, rendered from the stored bytes.
    pub slip: Option<image::Handle>,
    pub print_error: Option<String>,
    pub since: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modal {
    ConfirmEmpty,
    StillThere { since: Instant },
}

pub struct App {
    pub(crate) ctx: Context,
    pub(crate) lang: Lang,
    pub(crate) cart: Cart,
    pub(crate) basket_pager: Pager,
    pub(crate) screen: Screen,
    pub(crate) modal: Option<Modal>,
    /// Shown on the home screen after the idle timer cleared a basket, until the next touch.
    pub(crate) notice: Option<Msg>,
    /// The printer as last reported by its worker; a problem shows on every screen.
    pub(crate) printer: PrinterState,
    last_touch: Instant,
    /// The sync corner: online, events waiting, last successful sync.
    pub(crate) sync: crate::sync::SyncStatus,
    pub(crate) sync_ticks: u32,
    /// Volunteer mode, over the seniors' screens while it lasts.
    pub(crate) volunteer: Option<VolunteerMode>,
    pin_gate: PinGate,
    /// Whether the serial scanner is there; `None` with no `[scanner] port` configured.
    scanner: Option<ScannerLink>,
    wedge: Wedge,
}

impl App {
    pub fn new(ctx: Context) -> App {
        let sync = super::sync_status::initial(&ctx);
        let scanner = ctx.config.scanner.port.as_ref().map(|port| ScannerLink::Disconnected {
            port: port.clone(),
            reason: String::new(),
            retry_in: Duration::from_secs(ctx.config.scanner.retry_seconds),
        });
        let wedge = Wedge::new(Duration::from_millis(ctx.config.scanner.wedge_key_gap_ms));
        App {
            printer: ctx.printer.state(),
            lang: ctx.config.language,
            ctx,
            cart: Cart::default(),
            basket_pager: Pager::new(BASKET_PAGE),
            screen: Screen::Home,
            modal: None,
            notice: None,
            last_touch: Instant::now(),
            sync,
            sync_ticks: 0,
            volunteer: None,
            pin_gate: PinGate::default(),
            scanner,
            wedge,
        }
    }

    pub fn volunteer(&self) -> Option<&VolunteerMode> {
        self.volunteer.as_ref()
    }

    pub fn scanner_status(&self) -> Option<&ScannerLink> {
        self.scanner.as_ref()
    }

    /// A scanned line (serial or keyboard wedge): goes to the checkout counter; on the seniors'
    /// screens only the volunteer badge means something (it opens the PIN pad).
    fn scanned(&mut self, line: Result<String, LineError>) {
        match &mut self.volunteer {
            Some(mode) => volunteer::scanned(mode, &self.ctx, line, self.lang),
            None => {
                let config = &self.ctx.config;
                let badge = line.as_ref().is_ok_and(|text| {
                    scan::parse(text, &config.scanner.weighed, &config.volunteer.badge) == Scan::Badge
                });
                if badge {
                    self.volunteer = Some(VolunteerMode::Pin(Default::default()));
                } else {
                    tracing::info!("scan ignored outside volunteer mode: {line:?}");
                }
            }
        }
    }

    fn key(&mut self, key: KeyPress) {
        match key {
            KeyPress::VolunteerShortcut if self.volunteer.is_none() => {
                self.volunteer = Some(VolunteerMode::Pin(Default::default()));
            }
            KeyPress::Text(text) if matches!(self.volunteer, Some(VolunteerMode::Counter(_))) => {
                self.wedge.key(&text, Instant::now());
            }
            KeyPress::Enter if matches!(self.volunteer, Some(VolunteerMode::Counter(_))) => {
                if let Some(code) = self.wedge.enter(Instant::now()) {
                    self.scanned(Ok(code));
                }
            }
            _ => {}
        }
    }

    pub fn title(&self) -> String {
        format!("{} · {}", Msg::AppTitle.text(self.lang), self.ctx.catalog.market_name.get(self.lang))
    }

    pub fn theme(&self) -> Theme {
        theme::theme()
    }

    pub fn scale_factor(&self) -> f32 {
        self.ctx.config.scale
    }

    /// The catalog on screen now (replaced when the hub's catalog changes).
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.ctx.catalog
    }

    pub fn cart(&self) -> &Cart {
        &self.cart
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn modal(&self) -> Option<Modal> {
        self.modal
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn subscription(&self) -> Subscription<Message> {
        Subscription::batch([
            iced::time::every(Duration::from_secs(1)).map(Message::Tick),
            event::listen_with(touched),
            super::devices::printer(&self.ctx.printer).map(Message::Printer),
            super::sync_status::subscription(self),
            event::listen_with(keyed),
            super::devices::scanner(&self.ctx.config.scanner).map(Message::Scanner),
        ])
    }

    pub fn update(&mut self, message: Message) {
        // A scanner event is no sign of anyone at the screen (a scanner reconnecting, a stray scan).
        if !matches!(message, Message::Tick(_) | Message::Printer(_) | Message::Sync(_) | Message::Scanner(_)) {
            self.last_touch = Instant::now();
            self.notice = None;
        }
        match message {
            Message::SwitchLanguage => self.lang = self.lang.toggled(),
            Message::Home => self.screen = Screen::Home,
            Message::OpenCategory(id) => self.screen = Screen::Category { id, pager: Pager::new(GRID_PAGE) },
            Message::Add(product) | Message::Increase(product) => {
                self.cart.add(&product);
                // Show the page with the line just changed, so the senior sees the tap worked.
                if let Some(i) = self.cart.lines().iter().position(|l| l.product == product) {
                    self.basket_pager = self.basket_pager.showing(i);
                }
            }
            Message::Decrease(product) => self.cart.remove_one(&product),
            Message::TurnGridPage(forward) => {
                if let Screen::Category { id, pager } = &mut self.screen {
                    let len = self.ctx.catalog.in_category(id).count();
                    *pager = pager.turned(forward, len);
                }
            }
            Message::TurnBasketPage(forward) => {
                self.basket_pager = self.basket_pager.turned(forward, self.cart.lines().len());
            }
            Message::TurnReviewPage(forward) => {
                if let Screen::Review { pager, .. } = &mut self.screen {
                    *pager = pager.turned(forward, self.cart.lines().len());
                }
            }
            Message::AskEmpty => self.modal = Some(Modal::ConfirmEmpty),
            Message::EmptyConfirmed => {
                self.cart.clear();
                self.modal = None;
                self.screen = Screen::Home;
            }
            Message::EmptyCancelled | Message::StillHere => self.modal = None,
            Message::StartOver => self.start_over(),
            Message::Review if !self.cart.is_empty() => {
                self.screen = Screen::Review { pager: Pager::new(REVIEW_PAGE), error: None };
            }
            Message::Review => {}
            Message::BackToShopping => self.screen = Screen::Home,
            Message::PlaceOrder => self.place_order(),
            Message::NextSenior => self.go_home_for_next_senior(),
            Message::Touched => {}
            Message::Tick(_) if self.volunteer.is_some() => {}
            Message::Tick(now) => {
                self.tick(now);
                super::sync_status::on_tick(self);
            }
            Message::Sync(msg) => super::sync_status::apply(self, msg),
            Message::Printer(state) => {
                if let (Screen::Done(done), Some(problem)) = (&mut self.screen, state.problem) {
                    done.print_error = Some(problem.text(self.lang).to_owned());
                }
                self.printer = state;
            }
            Message::Volunteer(msg) => {
                if let Some(mode) = &mut self.volunteer {
                    let outcome = volunteer::update(mode, &mut self.pin_gate, &self.ctx, msg, self.lang);
                    if matches!(outcome, volunteer::Outcome::Leave) {
                        self.volunteer = None;
                    }
                }
            }
            Message::Scanner(ScannerEvent::Line(line)) => self.scanned(line),
            Message::Scanner(ScannerEvent::Link(link)) => {
                self.scanner = Some(link);
            }
            Message::Key(key) => self.key(key),
        }
    }

    /// Idle handling: ask first, clear only when nobody answers; never silently.
    fn tick(&mut self, now: Instant) {
        let idle = &self.ctx.config.idle;
        if let Screen::Done(done) = &self.screen {
            if now.saturating_duration_since(done.since) >= Duration::from_secs(idle.done_seconds) {
                self.go_home_for_next_senior();
            }
            return;
        }
        match self.modal {
            Some(Modal::StillThere { since }) => {
                if now.saturating_duration_since(since) >= Duration::from_secs(idle.clear_after_seconds) {
                    self.start_over();
                    self.notice = Some(Msg::BasketCleared);
                }
            }
            _ if self.cart.is_empty() => {}
            _ => {
                if now.saturating_duration_since(self.last_touch) >= Duration::from_secs(idle.ask_after_seconds) {
                    self.modal = Some(Modal::StillThere { since: now });
                }
            }
        }
    }

    /// Seconds left before an unanswered "还在吗？" clears the basket, for the prompt's countdown.
    pub fn seconds_until_clear(&self, now: Instant) -> u64 {
        match self.modal {
            Some(Modal::StillThere { since }) => {
                self.ctx.config.idle.clear_after_seconds.saturating_sub(now.saturating_duration_since(since).as_secs())
            }
            _ => self.ctx.config.idle.clear_after_seconds,
        }
    }

    fn start_over(&mut self) {
        self.cart.clear();
        self.modal = None;
        self.go_home_for_next_senior();
    }

    fn go_home_for_next_senior(&mut self) {
        self.screen = Screen::Home;
        self.lang = self.ctx.config.language;
        self.basket_pager = Pager::new(BASKET_PAGE);
    }

    /// Commits the order, then (and only then) prints its slip and shows the done screen. On a
    /// store failure the basket stays and the senior is told to ask a volunteer.
    fn place_order(&mut self) {
        let lines = OrderLine::from_cart(&self.cart, &self.ctx.catalog);
        if lines.is_empty() {
            self.screen = Screen::Home;
            return;
        }
        let config = &self.ctx.config;
        let new = NewOrder {
            id: (self.ctx.ids)(),
            terminal: config.terminal_id.clone(),
            lang: self.lang,
            household: None,
            lines,
        };
        let profile = &config.printer.profile();
        let (market, tz) = (&self.ctx.catalog.market_name, &self.ctx.time_zone);
        let placed = self.ctx.store().place_order(new, (self.ctx.clock)(), &config.slot_policy(), tz, |order| {
            pickup_slip(order, market, profile, tz)
        });
        let placed = match placed {
            Ok(placed) => placed,
            Err(e) => {
                tracing::error!("order not placed: {e}");
                self.screen = Screen::Review { pager: Pager::new(REVIEW_PAGE), error: Some(e.to_string()) };
                return;
            }
        };
        self.cart.clear();
        // Printed by the worker, after COMMIT returned; a problem comes back as Message::Printer.
        self.ctx.printer.wake();
        let print_error = self.printer.problem.map(|p| p.text(self.lang).to_owned());
        let store = self.ctx.store();
        let slip = match store.print_job(placed.print_job) {
            Ok(Some(job)) => slip_picture(&job.bytes, profile),
            _ => None,
        };
        drop(store);
        self.screen = Screen::Done(Box::new(Done { order: placed.order, slip, print_error, since: Instant::now() }));
    }

    pub fn view(&self) -> Element<'_> {
        let lang = self.lang;
        if let Some(mode) = &self.volunteer {
            let body = match mode {
                VolunteerMode::Pin(pin) => screen::checkout::pin_view(self, pin),
                VolunteerMode::Counter(counter) => screen::checkout::counter_view(self, counter),
            };
            return container(body).padding(theme::PAD).width(Length::Fill).height(Length::Fill).into();
        }
        let title: Element<'_> = match &self.screen {
            Screen::Category { id, .. } => row![
                tap(
                    label(Msg::Back.text(lang), theme::BUTTON),
                    Message::Home,
                    theme::Tap::Secondary,
                    220,
                    theme::TARGET
                ),
                bold(self.ctx.catalog.category(id).map(|c| c.name.get(lang)).unwrap_or_default(), theme::TITLE),
            ]
            .spacing(theme::PAD)
            .align_y(Alignment::Center)
            .into(),
            _ => row![
                bold(Msg::AppTitle.text(lang), theme::TITLE),
                label(self.ctx.catalog.market_name.get(lang), theme::BODY),
            ]
            .spacing(theme::PAD)
            .align_y(Alignment::Center)
            .into(),
        };
        let top = row![
            title,
            // The printer's problem, when it has one, in the top bar of every screen.
            screen::printer::banner(self).unwrap_or_else(|| space::horizontal().into()),
            super::sync_status::view(self),
            tap(
                label(Msg::SwitchLanguage.text(lang), theme::BUTTON),
                Message::SwitchLanguage,
                theme::Tap::Secondary,
                240,
                theme::TARGET
            ),
        ]
        .spacing(theme::PAD)
        .align_y(Alignment::Center);

        let body = match &self.screen {
            Screen::Home => screen::home::view(self),
            Screen::Category { id, pager } => screen::category::view(self, id, *pager),
            Screen::Review { pager, error } => screen::review::view(self, *pager, error.as_deref()),
            Screen::Done(done) => screen::done::view(self, done),
        };
        let content = column![top, body].spacing(theme::GAP);
        let page = container(content).padding(theme::PAD).width(Length::Fill).height(Length::Fill);

        match self.modal {
            None => page.into(),
            Some(modal) => stack![page, opaque(screen::modal::view(self, modal))].into(),
        }
    }
}

/// Any press on the screen counts as somebody being there.
fn touched(event: Event, _status: event::Status, _window: window::Id) -> Option<Message> {
    match event {
        Event::Mouse(mouse::Event::ButtonPressed(_)) | Event::Touch(touch::Event::FingerPressed { .. }) => {
            Some(Message::Touched)
        }
        _ => None,
    }
}

/// Keys for the volunteer: text and Enter (a keyboard-wedge scanner), and Ctrl+Alt+V.
fn keyed(event: Event, _status: event::Status, _window: window::Id) -> Option<Message> {
    let Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, text, .. }) = event else { return None };
    let key = match key.as_ref() {
        keyboard::Key::Named(keyboard::key::Named::Enter) => KeyPress::Enter,
        keyboard::Key::Character(c) if modifiers.control() && modifiers.alt() && c.eq_ignore_ascii_case("v") => {
            KeyPress::VolunteerShortcut
        }
        _ if modifiers.control() || modifiers.alt() => return None,
        _ => KeyPress::Text(text?.to_string()),
    };
    Some(Message::Key(key))
}

/// The slip picture shown on the done screen; a failure to render only loses the picture.
fn slip_picture(bytes: &[u8], profile: &warm_core::receipt::PaperProfile) -> Option<image::Handle> {
    match preview::render(bytes, profile) {
        Ok(gray) => {
            let rgba = image::Handle::from_rgba(
                gray.width(),
                gray.height(),
                gray.pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect::<Vec<u8>>(),
            );
            Some(rgba)
        }
        Err(e) => {
            tracing::warn!("slip preview not rendered: {e}");
            None
        }
    }
}
