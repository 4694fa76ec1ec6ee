//! The root of the kiosk's GUI: it owns the basket, the screen on show and volunteer mode, maps
//! each screen's messages to it and acts on the `Action` it returns. It is the only part of the
//! GUI that does I/O, and it does all of it off the UI thread through `Task`s (committing an
//! order, checking a PIN, recalling a slip, committing a payment, drawing the slip's picture).

use super::devices;
use super::picture::{self, Decoding, Pictures};
use super::screen::{self, Screen, category, counter, done, home, household, leader, manager, modal, pin, review};
use super::sync_status::{self, SyncMsg};
use super::theme;
use super::widget::{Pager, basket, bold, label, tap};
use crate::config::Config;
use crate::device::printer::worker::{Printer, PrinterState};
use crate::device::scanner::wedge::Wedge;
use crate::device::scanner::{LineError, ScannerEvent, ScannerLink};
use crate::device::speech::{ReadAloud, Speaker};
use crate::store::payments::NewPayment;
use crate::store::sales::Sales;
use crate::store::{NewOrder, Store, StoreError};
use iced::widget::{column, container, image, opaque, row, space, stack};
use iced::{Alignment, Element, Event, Length, Subscription, Task, Theme, event, keyboard, mouse, touch, window};
use jiff::Timestamp;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The screens' read-only context lent from the root's parts while the root holds its screen (or
/// its volunteer mode) mutably; `self.screen_context()` would borrow the whole root. Defined
/// before the `mod`s below, so their files may use it too.
macro_rules! lend_context {
    ($app:ident) => {
        screen_context(&$app.ctx, &$app.pictures, &$app.cart, &$app.shelf, &$app.limits, $app.lang, $app.room())
    };
}

mod households;
mod leader_mode;
mod manager_mode;
use warm_core::domain::pin::{PinGate, PinOutcome, Role, matches as pin_matches};
use warm_core::domain::scan::{self, Scan};
use warm_core::domain::{Cart, Catalog, CategoryId, Lang, Order, OrderLine};
use warm_core::i18n::{Msg, SpeechWords};
use warm_core::receipt::preview;
use warm_core::receipt::receipt::sales_receipt;
use warm_core::receipt::slip::pickup_slip;

/// A screen that just changed ignores taps this long: the finger that changed it may still be
/// coming down (a double tap), and another button may now stand where the old one was.
pub const SETTLE: Duration = Duration::from_millis(350);
/// After the kiosk changed the screen by itself (a timer cleared the basket, the done screen
/// went home), longer: nobody at the screen expected the change.
pub const SETTLE_AFTER_TIMER: Duration = Duration::from_millis(1500);
/// The same target tapped again this soon counts once (a trembling or doubled finger).
pub const DOUBLE_TAP: Duration = Duration::from_millis(250);

/// Everything the kiosk needs from outside, made once by `main` (or a test). Cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub catalog: Arc<Catalog>,
    /// Where the catalog's pictures come from; the root decodes them a screen at a time.
    pub pictures: warm_core::catalog_file::PictureSource,
    /// In the background (the kiosk) or at once (tests: snapshots see every picture).
    pub picture_decoding: Decoding,
    pub store: Arc<Mutex<Store>>,
    /// The print worker (owns the printer on its own thread).
    pub printer: Printer,
    pub time_zone: jiff::tz::TimeZone,
    /// The wall clock; tests fix it so slots and slips are reproducible.
    pub clock: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    /// New ids (UUIDv7); tests make them deterministic.
    pub ids: Arc<dyn Fn() -> Uuid + Send + Sync>,
    /// The monotonic clock taps are timed by (settling, double taps); tests step it.
    pub now: Arc<dyn Fn() -> Instant + Send + Sync>,
    /// The kiosk's voice (espeak-ng on its own thread), started by `kiosk::run`; `None` keeps the
    /// screens silent (tests, and a kiosk whose config switches speech off for good).
    pub voice: Option<Arc<Speaker>>,
    /// The config file the kiosk started with (`None`: built-in defaults); the self-check names it.
    pub config_file: Option<std::path::PathBuf>,
}

impl Context {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        warm_core::process::lock(&self.store)
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    SwitchLanguage,
    /// 🔊: reading aloud on or off for this senior.
    ToggleSpeech,
    /// 大字: large text on or off for this senior.
    ToggleLargeText,
    /// ← 返回 in the title bar of a category.
    Home,
    HomeScreen(home::Message),
    Category(category::Message),
    Review(review::Message),
    Done(done::Message),
    Basket(basket::Message),
    Modal(modal::Message),
    Pin(pin::Message),
    Counter(counter::Message),
    /// The site manager's mode (issue 11): see `app/manager_mode.rs`.
    Manager(manager::Message),
    /// The household screen (issue 10): see `app/households.rs`.
    Household(household::Message),
    /// The household shown in the top bar, tapped: say another.
    ChangeHousehold,
    /// A household looked up: what it bought this period per limited product, or `None` when the
    /// market has no such household.
    HouseholdLooked(warm_core::domain::HouseholdId, households::Looked),
    /// Building-leader mode (issue 10): see `app/leader_mode.rs`.
    Leader(leader::Message),
    /// The order commit came back (from a task).
    Committed(Result<Box<Committed>, StoreError>),
    /// The PIN check came back: whether the PIN matched.
    /// The try's answer, and the volunteer's gate as the store now keeps it.
    PinChecked(PinOutcome, PinGate),
    /// What may still be ordered, read again from the stock ledger (issue 11).
    Shelf(Result<crate::store::shelf::Shelf, StoreError>),
    /// What sold lately, read again (the order of products, home's most-bought row).
    Sales(Result<Sales, StoreError>),
    /// A finger or mouse touched the screen anywhere.
    Touched,
    Tick(Instant),
    /// News from the print worker: status, queue length.
    Printer(PrinterState),
    /// From the background sync loop: its status, or a new catalog from the hub.
    Sync(SyncMsg),
    /// Pictures decoded off the UI thread for the screen in view and the pages beside it.
    Pictures(picture::Decoded),
    /// From the serial scanner's thread.
    Scanner(ScannerEvent),
    /// A key on a keyboard (a keyboard-wedge scanner types too).
    Key(KeyPress),
    /// The window's new size, in the logical pixels of the scale then in force.
    WindowResized(iced::Size),
}

impl Message {
    /// A message a finger made by tapping a target on screen.
    fn is_tap(&self) -> bool {
        match self {
            Message::SwitchLanguage
            | Message::ToggleSpeech
            | Message::ToggleLargeText
            | Message::Home
            | Message::HomeScreen(_)
            | Message::Category(_)
            | Message::Review(_)
            | Message::Done(_)
            | Message::Basket(_)
            | Message::Modal(_)
            | Message::Pin(_)
            | Message::Household(_)
            | Message::ChangeHousehold => true,
            Message::Counter(message) => message.is_tap(),
            Message::Manager(message) => message.is_tap(),
            Message::Leader(message) => message.is_tap(),
            _ => false,
        }
    }
}

/// The part of a key press the kiosk uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPress {
    Text(String),
    Enter,
    /// Ctrl+Alt+V: the volunteer's way in from a keyboard.
    VolunteerShortcut,
    /// Ctrl+Alt+Q: the volunteer ends the kiosk (kiosk mode has no other way out but the
    /// manager's screen).
    QuitShortcut,
}

/// An order committed to the store, with the picture of its slip.
#[derive(Debug, Clone)]
pub struct Committed {
    pub order: Order,
    pub slip: Option<image::Handle>,
}

/// Volunteer mode, over the seniors' screens while it lasts.
pub enum Volunteer {
    Pin(pin::Pin),
    Counter(Box<counter::Counter>),
    Manager(Box<manager::Manager>),
    Leader(Box<leader::Leader>),
}

pub struct App {
    ctx: Context,
    /// Decoded pictures for what is on screen and a little ahead, bounded.
    pictures: Pictures,
    lang: Lang,
    cart: Cart,
    basket_pager: Pager,
    screen: Screen,
    modal: Option<modal::Modal>,
    /// Shown on the home screen after the idle timer cleared a basket, until the next touch.
    notice: Option<Msg>,
    /// The printer as last reported by its worker; a problem shows on every screen.
    printer: PrinterState,
    last_touch: Instant,
    /// The sync corner: online, events waiting, last successful sync.
    sync: crate::sync::SyncStatus,
    sync_ticks: u32,
    /// Free MB of the data folder when under `[kiosk] min_free_mb` (the volunteer's and the
    /// manager's screens say so), looked at every half minute.
    disk_low: Option<u64>,
    volunteer: Option<Volunteer>,
    /// The volunteer's wrong-try gate, kept in the store too: pulling the plug does not end a pause.
    pin_gate: PinGate,
    /// What the seniors may still order (sold out in words on the tiles).
    shelf: crate::store::shelf::Shelf,
    /// What sold lately: the order of products in a category and home's most-bought row.
    sales: Sales,
    /// Whether the serial scanner is there; `None` with no `[scanner] port` configured.
    scanner: Option<ScannerLink>,
    wedge: Wedge,
    /// Taps before this are ignored: the screen has just changed under the finger.
    settled_at: Instant,
    /// The tap clock's reading for the message being handled (the PIN gate's pauses run on it).
    now: Instant,
    /// The last tap taken, and when: the same one again within `DOUBLE_TAP` counts once.
    last_tap: Option<(String, Instant)>,
    /// Reading aloud for this senior (the 🔊 switch), back to the market's default after each order.
    read_aloud: ReadAloud,
    /// Purchase limits for this order (issue 10): on where the market keeps households.
    limits: crate::store::households::Limits,
    /// Where the household screen came from, and what it leads on to.
    after_household: Option<(Screen, households::Then)>,
    /// The reference layout scaled to the window (`theme::fit`), times the config's `scale`.
    fit: f32,
    /// The window in the system's pixels (the reference until the runtime says).
    window: iced::Size,
    /// 大字 for this senior (the seniors' screens ×1.25), back to the market's default after the order.
    large_text: bool,
}

/// What a finger sees where: when this changes, the screen settles before it takes taps again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Layout {
    screen: std::mem::Discriminant<Screen>,
    modal: Option<std::mem::Discriminant<modal::Modal>>,
    volunteer: Option<String>,
    /// A line that comes or goes moves the lines below it.
    basket_lines: usize,
    /// 大字 moves everything.
    large_text: bool,
}

impl App {
    pub fn new(ctx: Context) -> App {
        let read_aloud = ReadAloud::with_speaker(ctx.voice.clone(), &ctx.config.speech);
        let settled_at = (ctx.now)();
        let sync = sync_status::initial(&ctx.store(), &ctx.config);
        let scanner = ctx.config.scanner.port.as_ref().map(|port| ScannerLink::Disconnected {
            port: port.clone(),
            reason: String::new(),
            retry_in: Duration::from_secs(ctx.config.scanner.retry_seconds),
        });
        let wedge = Wedge::new(Duration::from_millis(ctx.config.scanner.wedge_key_gap_ms));
        let shelf = manager_mode::initial_shelf(&ctx);
        let limits = App::limits_for_next_order(&ctx);
        let (recent, today) = sales_window((ctx.clock)(), &ctx.time_zone);
        let sales = ctx.store().sales(&ctx.config.terminal_id, recent, today).unwrap_or_else(|e| {
            tracing::warn!("sales not read, products in catalog order: {e}");
            Sales::default()
        });
        let pin_gate = ctx.store().pin_gate(Role::Volunteer).unwrap_or_else(|e| {
            tracing::error!("the volunteer's PIN pause cannot be read, starting without one: {e}");
            PinGate::default()
        });
        let pictures = Pictures::new(ctx.pictures.clone(), ctx.config.scale, ctx.picture_decoding);
        let ctx_large_text = ctx.config.kiosk.large_text;
        let mut app = App {
            pictures,
            printer: ctx.printer.state(),
            lang: ctx.config.language,
            ctx,
            cart: Cart::default(),
            // Both laid out for the room below, once the app knows its size.
            basket_pager: Pager::new(1),
            screen: Screen::Home(home::Home::default()),
            sales,
            modal: None,
            notice: None,
            last_touch: Instant::now(),
            sync,
            sync_ticks: 0,
            disk_low: None,
            volunteer: None,
            pin_gate,
            shelf,
            scanner,
            wedge,
            settled_at,
            now: settled_at,
            last_tap: None,
            read_aloud,
            limits,
            after_household: None,
            fit: 1.0,
            window: theme::REFERENCE_SIZE,
            large_text: ctx_large_text,
        };
        app.screen = app.home_screen();
        app.basket_pager = Pager::new(basket::lines_page(app.room()));
        app.pictures.set_scale(app.scale_factor());
        // Inline (tests) decodes the first screen's pictures here; in the background `boot` does.
        if app.pictures.decoding() == Decoding::Inline {
            let _ = app.fetch_pictures();
        }
        app.look_at_disk();
        app
    }

    /// The kiosk at start, and the task that decodes the first screen's pictures.
    pub fn boot(ctx: Context) -> (App, Task<Message>) {
        let mut app = App::new(ctx);
        let task = app.fetch_pictures().unwrap_or_else(Task::none);
        (app, task)
    }

    /// The decoded pictures (the bounded cache).
    pub fn pictures(&self) -> &Pictures {
        &self.pictures
    }

    /// The pictures the screen in view shows and those of the pages beside it, in order of need.
    fn wanted_pictures(&self) -> Vec<(&str, picture::Kind)> {
        let catalog = &self.ctx.catalog;
        let mut wants = Vec::new();
        let product = |id: &warm_core::domain::ProductId| {
            catalog.product(id).map(|p| (p.picture.as_str(), picture::Kind::Product))
        };
        match &self.volunteer {
            Some(Volunteer::Counter(counter)) => {
                if let counter::Step::Pick { category, pager } = &counter.step {
                    match category {
                        None => {
                            let categories = counter::pick_categories(catalog);
                            wants.extend(
                                categories[pager.range(categories.len())]
                                    .iter()
                                    .map(|c| (c.picture.as_str(), picture::Kind::Category)),
                            )
                        }
                        Some(id) => {
                            let products: Vec<_> = catalog.in_category(id).collect();
                            let len = products.len();
                            for page in [*pager, pager.turned(true, len), pager.turned(false, len)] {
                                wants.extend(
                                    products[page.range(len)]
                                        .iter()
                                        .map(|p| (p.picture.as_str(), picture::Kind::Product)),
                                );
                            }
                        }
                    }
                }
                return wants;
            }
            Some(_) => return wants,
            None => {}
        }
        let lines = self.cart.lines();
        match &self.screen {
            Screen::Home(home) => wants.extend(home.pictures_ahead(self.screen_context())),
            Screen::Category(category) => wants.extend(category.pictures_ahead(self.screen_context())),
            Screen::Review(review) => {
                let pager = review.pager();
                for page in [pager, pager.turned(true, lines.len())] {
                    wants.extend(lines[page.range(lines.len())].iter().filter_map(|l| product(&l.product)));
                }
            }
            Screen::Done(_) | Screen::Household(_) => {}
        }
        if matches!(self.screen, Screen::Home(_) | Screen::Category(_)) {
            wants.extend(lines[self.basket_pager.range(lines.len())].iter().filter_map(|l| product(&l.product)));
        }
        wants
    }

    /// Starts decoding what the screen now wants and the cache lacks (at once when inline);
    /// `None` when there is nothing to start, so a message that needs no work returns no task.
    fn fetch_pictures(&mut self) -> Option<Task<Message>> {
        let wants: Vec<(String, picture::Kind)> =
            self.wanted_pictures().into_iter().map(|(path, kind)| (path.to_owned(), kind)).collect();
        let wants: Vec<(&str, picture::Kind)> = wants.iter().map(|(path, kind)| (path.as_str(), *kind)).collect();
        if self.pictures.decoding() == Decoding::Inline {
            self.pictures.decode_now(&wants);
            return None;
        }
        let job = self.pictures.request(&wants)?;
        let fallback = job.clone();
        Some(
            off_thread(move || job.run())
                .map(move |decoded| Message::Pictures(decoded.unwrap_or_else(|e| fallback.clone().failed(e)))),
        )
    }

    /// Free space of the data folder against the threshold. A folder whose space cannot be read
    /// says nothing here (the doctor names it).
    fn look_at_disk(&mut self) {
        let min = self.ctx.config.kiosk.min_free_mb;
        let folder = self.ctx.store().path().parent().map(std::path::Path::to_owned);
        let folder = folder.filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| ".".into());
        self.disk_low = crate::doctor::free_mb(&folder).ok().filter(|free| *free < min);
    }

    /// Free MB of the data folder when it is under the threshold.
    pub fn disk_low(&self) -> Option<u64> {
        self.disk_low
    }

    fn layout(&self) -> Layout {
        Layout {
            screen: std::mem::discriminant(&self.screen),
            modal: self.modal.as_ref().map(std::mem::discriminant),
            volunteer: self.volunteer.as_ref().map(|v| match v {
                Volunteer::Pin(_) => "pin".to_owned(),
                Volunteer::Counter(counter) => counter.layout(),
                Volunteer::Manager(manager) => manager.layout(),
                Volunteer::Leader(leader) => leader.layout(),
            }),
            basket_lines: self.cart.lines().len(),
            large_text: self.large_text,
        }
    }

    /// Whether a tap may act now; remembers it for the double-tap check.
    fn take_tap(&mut self, message: &Message, now: Instant) -> bool {
        if now < self.settled_at {
            tracing::debug!(?message, "tap ignored: the screen has just changed");
            return false;
        }
        let key = format!("{message:?}");
        if let Some((last, at)) = &self.last_tap
            && *last == key
            && now.saturating_duration_since(*at) < DOUBLE_TAP
        {
            tracing::debug!(?message, "tap ignored: the same target again at once");
            return false;
        }
        self.last_tap = Some((key, now));
        true
    }

    pub fn volunteer(&self) -> Option<&Volunteer> {
        self.volunteer.as_ref()
    }

    pub fn scanner_status(&self) -> Option<&ScannerLink> {
        self.scanner.as_ref()
    }

    pub fn title(&self) -> String {
        format!("{} · {}", Msg::AppTitle.text(self.lang), self.ctx.catalog.market_name.get(self.lang))
    }

    pub fn theme(&self) -> Theme {
        theme::theme()
    }

    pub fn scale_factor(&self) -> f32 {
        // 大字 is the seniors' switch: the volunteer's, manager's and leader's screens keep theirs.
        let text = if self.large_text && self.volunteer.is_none() { theme::LARGE_TEXT } else { 1.0 };
        self.ctx.config.scale * self.fit * text
    }

    /// The room the screens lay out in, in their own pixels: the window at the scale in force.
    pub fn room(&self) -> iced::Size {
        let factor = self.scale_factor();
        iced::Size::new(self.window.width / factor, self.window.height / factor)
    }

    /// Whether 大字 is on for this senior.
    pub fn large_text(&self) -> bool {
        self.large_text
    }

    /// The seniors' screens put on a page what fits the room they have now (after 大字 or a new
    /// window size), the first thing on each page still in view.
    fn fit_screens_to_room(&mut self) {
        let room = self.room();
        self.basket_pager = self.basket_pager.per_page_kept(basket::lines_page(room));
        self.screen.fit_to(room);
        self.pictures.set_scale(self.scale_factor());
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

    pub fn modal(&self) -> Option<&modal::Modal> {
        self.modal.as_ref()
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// What the screens may read.
    fn screen_context(&self) -> screen::Context<'_> {
        screen::Context {
            lang: self.lang,
            config: &self.ctx.config,
            catalog: &self.ctx.catalog,
            pictures: &self.pictures,
            time_zone: &self.ctx.time_zone,
            cart: &self.cart,
            shelf: &self.shelf,
            limits: &self.limits,
            disk_low: self.disk_low,
            room: self.room(),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        Subscription::batch([
            iced::time::every(Duration::from_secs(1)).map(Message::Tick),
            event::listen_with(touched),
            devices::printer(&self.ctx.printer).map(Message::Printer),
            sync_status::subscription(&self.ctx.config, self.ctx.store().path()).map(Message::Sync),
            event::listen_with(keyed),
            devices::scanner(&self.ctx.config.scanner).map(Message::Scanner),
            iced::window::resize_events().map(|(_, size)| Message::WindowResized(size)),
        ])
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let now = (self.ctx.now)();
        self.now = now;
        if message.is_tap() && !self.take_tap(&message, now) {
            return Task::none();
        }
        let before = self.layout();
        let by_timer = matches!(message, Message::Tick(_));
        let task = self.handle(message);
        // Whatever changed, the screen's pictures (and the pages beside it) are asked for.
        let task = match self.fetch_pictures() {
            Some(pictures) => Task::batch([task, pictures]),
            None => task,
        };
        if self.layout() != before {
            self.settled_at = now + if by_timer { SETTLE_AFTER_TIMER } else { SETTLE };
        }
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        // Device and sync news, timers and tasks coming back are no sign of anyone at the screen.
        if message.is_tap() || matches!(message, Message::Touched | Message::Key(_)) {
            self.last_touch = Instant::now();
            self.notice = None;
        }
        match message {
            Message::SwitchLanguage => self.lang = self.lang.toggled(),
            Message::ToggleSpeech => {
                self.read_aloud.toggle();
            }
            Message::ToggleLargeText => {
                self.large_text = !self.large_text;
                self.fit_screens_to_room();
            }
            Message::Home => {
                // ← 返回 goes up one level: from a sub-category to its category, else home.
                let parent = match &self.screen {
                    Screen::Category(c) => self.ctx.catalog.category(&c.id).and_then(|c| c.parent.clone()),
                    _ => None,
                };
                match parent.filter(|p| self.ctx.catalog.category(p).is_some()) {
                    Some(parent) => self.open_category(parent),
                    None => self.screen = self.home_screen(),
                }
            }
            Message::HomeScreen(message) => {
                let ctx = lend_context!(self);
                let Screen::Home(home) = &mut self.screen else { return Task::none() };
                match home.update(message, ctx) {
                    home::Action::None => {}
                    home::Action::Open(id) => self.open_category(id),
                    home::Action::Add(product) => {
                        if let Some(p) = self.ctx.catalog.product(&product) {
                            self.read_aloud.product(p, self.lang);
                        }
                        self.basket(basket::Message::Increase(product));
                    }
                }
            }
            Message::Category(message) => {
                let ctx = lend_context!(self);
                let Screen::Category(category) = &mut self.screen else { return Task::none() };
                match category.update(message, ctx) {
                    category::Action::None => {}
                    category::Action::Open(id) => self.open_category(id),
                    category::Action::Add(product) => {
                        if let Some(p) = self.ctx.catalog.product(&product) {
                            self.read_aloud.product(p, self.lang);
                        }
                        self.basket(basket::Message::Increase(product));
                    }
                }
            }
            Message::Basket(message) => self.basket(message),
            Message::Review(message) => {
                let ctx = lend_context!(self);
                let Screen::Review(review) = &mut self.screen else { return Task::none() };
                match review.update(message, ctx) {
                    review::Action::None => {}
                    review::Action::BackToShopping => self.screen = self.home_screen(),
                    review::Action::Commit(order_id) => return self.commit(order_id),
                }
            }
            Message::Committed(result) => {
                self.committed(result);
                return Task::batch([self.refresh_shelf(), self.refresh_sales()]);
            }
            Message::Shelf(shelf) => self.shelf_arrived(shelf),
            Message::Done(message) => {
                let Screen::Done(done) = &mut self.screen else { return Task::none() };
                match done.update(message) {
                    done::Action::NextSenior => self.go_home_for_next_senior(),
                }
            }
            Message::Modal(answer) => self.answered(answer),
            Message::Touched => {}
            Message::WindowResized(logical) => {
                // Back to the system's pixels with the scale the runtime used, so the fit does not
                // feed on itself: the next report, at the new scale, gives the same fit.
                let factor = self.scale_factor();
                self.window = iced::Size::new(logical.width * factor, logical.height * factor);
                self.fit = theme::fit(self.window);
                // Pictures are decoded at the size they are drawn in the window's own pixels.
                self.fit_screens_to_room();
            }
            Message::Tick(now) if self.volunteer.is_some() => {
                self.refresh_sync_counts();
                // The PIN pad counts its pause down; volunteer and manager modes lock when quiet.
                if let Some(Volunteer::Pin(pin)) = &mut self.volunteer {
                    pin.lock(self.pin_gate.paused((self.ctx.clock)()));
                }
                // So does the building leaders' pad, from their gate in the store.
                if matches!(&self.volunteer, Some(Volunteer::Leader(l)) if l.pin_paused()) {
                    let now = (self.ctx.clock)();
                    let left = self.ctx.store().pin_gate(Role::Leader).ok().and_then(|gate| gate.paused(now));
                    if let Some(Volunteer::Leader(l)) = &mut self.volunteer {
                        l.lock(left);
                    }
                }
                self.lock_when_quiet(now);
            }
            Message::Tick(now) => {
                self.refresh_sync_counts();
                self.tick(now);
                return self.refresh_shelf_now_and_then();
            }
            Message::Sync(msg) => {
                let round = matches!(msg, SyncMsg::Status(_));
                self.synced(msg);
                if round {
                    return self.limits_after_sync();
                }
            }
            Message::Sales(Ok(sales)) => self.sales = sales,
            // The order stays as it was; the next read tries again.
            Message::Sales(Err(e)) => tracing::warn!("sales not read: {e}"),
            Message::Pictures(decoded) => self.pictures.receive(decoded),
            Message::Printer(state) => {
                if let (Screen::Done(done), Some(problem)) = (&mut self.screen, state.problem) {
                    done.print_error = Some(problem.text(self.lang).to_owned());
                }
                self.printer = state;
            }
            Message::Pin(message) => {
                let Some(Volunteer::Pin(pin)) = &mut self.volunteer else { return Task::none() };
                match pin.update(message) {
                    pin::Action::None => {}
                    pin::Action::Leave => self.volunteer = None,
                    pin::Action::Manager => self.open_manager(),
                    pin::Action::Check(entry) => return self.check_pin(entry),
                }
            }
            Message::PinChecked(outcome, gate) => {
                self.pin_gate = gate;
                match (&mut self.volunteer, outcome) {
                    (Some(Volunteer::Pin(_)), PinOutcome::Accepted) => self.open_counter(),
                    (Some(Volunteer::Pin(pin)), outcome) => pin.refused(outcome),
                    _ => {}
                }
            }
            Message::Counter(message) => return self.counter(message),
            Message::Manager(message) => return self.manager(message),
            Message::Household(message) => return self.household_screen(message),
            Message::ChangeHousehold if self.limits.on => self.ask_household(households::Then::Nothing),
            Message::ChangeHousehold => {}
            Message::HouseholdLooked(id, looked) => self.household_looked(id, looked),
            Message::Leader(message) => return self.leader(message),
            Message::Scanner(ScannerEvent::Line(line)) => return self.scanned(line),
            Message::Scanner(ScannerEvent::Link(link)) => self.scanner = Some(link),
            Message::Key(key) => return self.key(key),
        }
        Task::none()
    }

    fn open_category(&mut self, id: CategoryId) {
        let items = category::items(&self.ctx.catalog, &self.sales, &id);
        self.screen = Screen::Category(category::Category::new(id, items, self.room()));
    }

    /// Home, with today's daily goods or the day's most-bought products as they stand now.
    fn home_screen(&self) -> Screen {
        Screen::Home(home::Home::new(self.sales.home_row(&self.ctx.catalog, home::TOP), self.room()))
    }

    /// Reads what sold lately off the UI thread (after an order, and now and then).
    fn refresh_sales(&self) -> Task<Message> {
        let (store, terminal) = (self.ctx.store.clone(), self.ctx.config.terminal_id.clone());
        let (recent, today) = sales_window((self.ctx.clock)(), &self.ctx.time_zone);
        off_thread(move || warm_core::process::lock(&store).sales(&terminal, recent, today))
            .map(|r| Message::Sales(r.unwrap_or_else(Err)))
    }

    fn basket(&mut self, message: basket::Message) {
        match message {
            basket::Message::Increase(product) => {
                // Nothing more than is left: the tile says 已售完 and takes no tap.
                if !self.shelf.can_add(&product, self.cart.qty(&product)) {
                    return;
                }
                // The household's limit: asks who is buying first, or says why not in words.
                if !self.limit_allows(&product) {
                    return;
                }
                self.cart.add(&product);
                // Show the page with the line just changed, so the senior sees the tap worked.
                if let Some(i) = self.cart.lines().iter().position(|l| l.product == product) {
                    self.basket_pager = self.basket_pager.showing(i);
                }
            }
            // The last one would take the line away with no undo: ask first.
            basket::Message::Decrease(product) if self.cart.qty(&product) == 1 => {
                let name = self.ctx.catalog.product(&product).map(|p| p.name.clone()).unwrap_or_default();
                self.modal = Some(modal::Modal::ConfirmRemove { product, name });
            }
            basket::Message::Decrease(product) => {
                self.cart.remove_one(&product);
                self.read_aloud.basket(&self.cart, &self.ctx.catalog, self.lang);
            }
            basket::Message::TurnPage(forward) => {
                self.basket_pager = self.basket_pager.turned(forward, self.cart.lines().len());
            }
            basket::Message::AskEmpty => self.modal = Some(modal::Modal::ConfirmEmpty),
            basket::Message::Review if !self.cart.is_empty() && self.household_before_review() => {
                self.read_aloud.review(&self.cart, &self.ctx.catalog, self.lang);
                self.screen = Screen::Review(review::Review::new((self.ctx.ids)(), self.room()));
            }
            basket::Message::Review => {}
        }
    }

    fn answered(&mut self, answer: modal::Message) {
        match (self.modal.take(), answer) {
            (_, modal::Message::Keep) => {}
            (Some(modal::Modal::ConfirmRemove { product, .. }), modal::Message::Clear) => {
                self.cart.remove_one(&product)
            }
            (Some(modal::Modal::ConfirmEmpty), modal::Message::Clear) => {
                self.cart.clear();
                self.screen = self.home_screen();
            }
            (_, modal::Message::Clear) => self.start_over(),
        }
    }

    /// Keeps the corner's counts of what waits current between sync rounds (orders placed while
    /// the hub is away), every fifth second, on the seniors' screens and at the counter alike.
    fn refresh_sync_counts(&mut self) {
        self.sync_ticks = self.sync_ticks.wrapping_add(1);
        if self.sync_ticks.is_multiple_of(30) {
            self.look_at_disk();
        }
        if self.sync_ticks.is_multiple_of(5)
            && let Err(e) = self.sync.refresh_waiting(&self.ctx.store())
        {
            tracing::warn!("outbox not counted: {e}");
        }
    }

    /// Idle handling: ask first, clear only when nobody answers; never silently.
    fn tick(&mut self, now: Instant) {
        let idle = &self.ctx.config.idle;
        if let Screen::Done(done) = &mut self.screen {
            let shown = now.saturating_duration_since(done.since).as_secs();
            done.seconds_left = idle.done_seconds.saturating_sub(shown);
            if done.seconds_left == 0 {
                self.go_home_for_next_senior();
            }
            return;
        }
        match self.modal {
            Some(modal::Modal::StillThere { since }) => {
                if now.saturating_duration_since(since) >= Duration::from_secs(idle.clear_after_seconds) {
                    self.start_over();
                    self.notice = Some(Msg::BasketCleared);
                }
            }
            // Left on the household screen with nothing in the basket: home for the next senior.
            _ if self.cart.is_empty() && matches!(self.screen, Screen::Household(_)) => {
                if now.saturating_duration_since(self.last_touch) >= Duration::from_secs(idle.ask_after_seconds) {
                    self.go_home_for_next_senior();
                }
            }
            _ if self.cart.is_empty() => {}
            _ => {
                if now.saturating_duration_since(self.last_touch) >= Duration::from_secs(idle.ask_after_seconds) {
                    self.modal = Some(modal::Modal::StillThere { since: now });
                }
            }
        }
    }

    /// Seconds left before an unanswered "还在吗？" clears the basket, for the prompt's countdown.
    pub fn seconds_until_clear(&self, now: Instant) -> u64 {
        let clear_after = self.ctx.config.idle.clear_after_seconds;
        match self.modal {
            Some(modal::Modal::StillThere { since }) => {
                clear_after.saturating_sub(now.saturating_duration_since(since).as_secs())
            }
            _ => clear_after,
        }
    }

    fn start_over(&mut self) {
        self.cart.clear();
        self.modal = None;
        self.go_home_for_next_senior();
    }

    fn go_home_for_next_senior(&mut self) {
        self.read_aloud.next_senior();
        self.large_text = self.ctx.config.kiosk.large_text;
        self.screen = self.home_screen();
        self.lang = self.ctx.config.language;
        self.basket_pager = Pager::new(basket::lines_page(self.room()));
        self.pictures.set_scale(self.scale_factor());
        // The household goes with the order; the next senior says theirs.
        self.limits = App::limits_for_next_order(&self.ctx);
        self.after_household = None;
    }

    /// Commits the basket as order `order_id` off the UI thread; the slip prints only after the
    /// commit returned (the print worker takes it from the store).
    fn commit(&mut self, order_id: Uuid) -> Task<Message> {
        let lines = OrderLine::from_cart(&self.cart, &self.ctx.catalog);
        let household = self.limits.household.as_ref().map(|h| h.to_string());
        let config = &self.ctx.config;
        let new = NewOrder { id: order_id, terminal: config.terminal_id.clone(), lang: self.lang, household, lines };
        let (store, profile, slots) = (self.ctx.store.clone(), config.printer.profile(), config.slot_policy());
        let (market, tz, now) = (self.ctx.catalog.market_name.clone(), self.ctx.time_zone.clone(), (self.ctx.clock)());
        off_thread(move || {
            let placed = warm_core::process::lock(&store)
                .place_order(new, now, &slots, &tz, |order| pickup_slip(order, &market, &profile, &tz))?;
            let job = warm_core::process::lock(&store).print_job(placed.print_job);
            let slip = match job {
                Ok(Some(job)) => slip_picture(&job.bytes, &profile),
                _ => None,
            };
            Ok(Box::new(Committed { order: placed.order, slip }))
        })
        .map(|result| Message::Committed(result.unwrap_or_else(Err)))
    }

    /// The commit came back: the done screen, or the review screen saying it failed (the basket
    /// is kept).
    fn committed(&mut self, result: Result<Box<Committed>, StoreError>) {
        match result {
            Ok(committed) => {
                self.cart.clear();
                // Printed by the worker, after COMMIT returned; a problem comes back as Message::Printer.
                self.ctx.printer.wake();
                let print_error = self.printer.problem.map(|p| p.text(self.lang).to_owned());
                let Committed { order, slip } = *committed;
                self.read_aloud.done(&order.number, &order.slot, (self.ctx.clock)(), &self.ctx.time_zone, self.lang);
                let seconds_left = self.ctx.config.idle.done_seconds;
                self.screen = Screen::Done(Box::new(done::Done {
                    order,
                    slip,
                    print_error,
                    since: Instant::now(),
                    seconds_left,
                }));
            }
            Err(e) => {
                tracing::error!("order not placed: {e}");
                if let Screen::Review(review) = &mut self.screen {
                    review.commit_failed();
                    self.read_aloud.notice(Msg::OrderFailed.text(self.lang), self.lang);
                }
            }
        }
    }

    /// A catalog change from the hub, or the sync loop's status.
    fn synced(&mut self, msg: SyncMsg) {
        match msg {
            SyncMsg::Status(status) => self.sync = status,
            SyncMsg::Catalog(catalog, source) => {
                // Products no longer sold leave the basket; the review screen shows the new prices.
                self.cart.retain_known(&catalog);
                tracing::info!(products = catalog.products.len(), "catalog updated from the hub");
                self.ctx.catalog = catalog;
                // The tiles on show are laid out anew from the new catalog (a category gone: home).
                match &self.screen {
                    Screen::Category(category) if self.ctx.catalog.category(&category.id).is_some() => {
                        self.open_category(category.id.clone())
                    }
                    Screen::Category(_) | Screen::Home(_) => self.screen = self.home_screen(),
                    _ => {}
                }
                self.pictures.replace_source(source.clone());
                self.ctx.pictures = source;
            }
        }
    }

    /// Checks a PIN off the UI thread (argon2 takes a moment); a pause answers at once.
    fn check_pin(&mut self, entry: String) -> Task<Message> {
        let now = (self.ctx.clock)();
        if let Some(left) = self.pin_gate.paused(now) {
            if let Some(Volunteer::Pin(pin)) = &mut self.volunteer {
                pin.refused(PinOutcome::Paused { left });
            }
            return Task::none();
        }
        let (store, hash, gate) =
            (self.ctx.store.clone(), self.ctx.config.volunteer.pin_hash.clone(), self.pin_gate.clone());
        let fallback = gate.clone();
        off_thread(move || check_pin_kept(&store, Role::Volunteer, &hash, &entry, now, gate)).map(move |checked| {
            // Only a worker thread that could not start ends here: the try was not made.
            let (outcome, gate) =
                checked.unwrap_or((PinOutcome::Wrong { left: fallback.tries_left() }, fallback.clone()));
            Message::PinChecked(outcome, gate)
        })
    }

    /// The PIN pad, switched off at once while a pause after wrong tries is still running.
    fn open_pin(&mut self) {
        let mut pin = pin::Pin::default();
        pin.lock(self.pin_gate.paused((self.ctx.clock)()));
        self.volunteer = Some(Volunteer::Pin(pin));
    }

    fn open_counter(&mut self) {
        self.volunteer = Some(Volunteer::Counter(Box::new(counter::Counter::new((self.ctx.ids)()))));
    }

    fn counter(&mut self, message: counter::Message) -> Task<Message> {
        let ctx = lend_context!(self);
        let Some(Volunteer::Counter(counter)) = &mut self.volunteer else { return Task::none() };
        match counter.update(message, ctx) {
            counter::Action::None => Task::none(),
            counter::Action::SwitchLanguage => {
                self.lang = self.lang.toggled();
                Task::none()
            }
            counter::Action::Leave => {
                self.volunteer = None;
                // The next at the screen is a senior: the market's language, not the volunteer's.
                self.lang = self.ctx.config.language;
                Task::none()
            }
            counter::Action::NewSale(scan) => {
                self.open_counter();
                match scan {
                    Some(line) => self.counter(counter::Message::Scanned(line)),
                    None => Task::none(),
                }
            }
            counter::Action::Leader => {
                self.open_leader();
                Task::none()
            }
            counter::Action::RecallHousehold(household) => {
                let store = self.ctx.store.clone();
                let id = household.clone();
                off_thread(move || warm_core::process::lock(&store).waiting_orders_of(id.as_str())).map(move |found| {
                    Message::Counter(counter::Message::HouseholdRecalled(household.clone(), found.unwrap_or_else(Err)))
                })
            }
            counter::Action::RecallBatch(id) => {
                let store = self.ctx.store.clone();
                off_thread(move || warm_core::process::lock(&store).building_batch(id))
                    .map(|found| Message::Counter(counter::Message::BatchRecalled(found.unwrap_or_else(Err))))
            }
            counter::Action::PayBuilding { batch, account } => {
                let (store, printer, now, ids) =
                    (self.ctx.store.clone(), self.ctx.printer.clone(), (self.ctx.clock)(), self.ctx.ids.clone());
                let (market, profile, tz) = (
                    self.ctx.catalog.market_name.clone(),
                    self.ctx.config.printer.profile(),
                    self.ctx.time_zone.clone(),
                );
                off_thread(move || {
                    let paid = warm_core::process::lock(&store).pay_building_on_account(
                        batch,
                        &account,
                        || ids(),
                        now,
                        |order, payment| sales_receipt(order, payment, &market, &profile, &tz),
                    )?;
                    printer.wake();
                    let amount = paid.iter().map(|p| p.payment.amount).sum();
                    Ok((paid.into_iter().map(|p| p.order.id).collect(), amount))
                })
                .map(|paid| Message::Counter(counter::Message::BuildingPaid(paid.unwrap_or_else(Err))))
            }
            counter::Action::Recall(id) => {
                let store = self.ctx.store.clone();
                off_thread(move || warm_core::process::lock(&store).order(id))
                    .map(|found| Message::Counter(counter::Message::Recalled(found.unwrap_or_else(Err))))
            }
            counter::Action::Pay { sale, method, tendered, reference } => {
                let payment = NewPayment { id: (self.ctx.ids)(), method, tendered, reference };
                let (store, printer, now) = (self.ctx.store.clone(), self.ctx.printer.clone(), (self.ctx.clock)());
                let (market, profile, tz) = (
                    self.ctx.catalog.market_name.clone(),
                    self.ctx.config.printer.profile(),
                    self.ctx.time_zone.clone(),
                );
                off_thread(move || {
                    let paid = warm_core::process::lock(&store).pay(sale, payment, now, |order, payment| {
                        sales_receipt(order, payment, &market, &profile, &tz)
                    })?;
                    // The print worker prints the stored receipt; a problem shows in the banner.
                    printer.wake();
                    Ok(Box::new(paid))
                })
                .map(|paid| Message::Counter(counter::Message::Paid(paid.unwrap_or_else(Err))))
            }
        }
    }

    /// A scanned line (serial or keyboard wedge): goes to the checkout counter; on the seniors'
    /// screens only the volunteer badge means something (it opens the PIN pad).
    fn scanned(&mut self, line: Result<String, LineError>) -> Task<Message> {
        match &self.volunteer {
            Some(Volunteer::Counter(_)) => {
                self.last_touch = Instant::now();
                self.counter(counter::Message::Scanned(line))
            }
            Some(Volunteer::Manager(_)) => self.manager(manager::Message::Scanned(line)),
            Some(Volunteer::Pin(_) | Volunteer::Leader(_)) => Task::none(),
            None => {
                let config = &self.ctx.config;
                let badge = line.as_ref().is_ok_and(|text| {
                    scan::parse(text, &config.scanner.weighed, &config.volunteer.badge) == Scan::Badge
                });
                let card = line.as_ref().ok().and_then(|text| warm_core::domain::HouseholdId::from_card(text));
                if badge {
                    self.open_pin();
                } else if let Some(id) = card {
                    return self.household_card(id);
                } else {
                    tracing::info!("scan ignored outside volunteer mode: {line:?}");
                }
                Task::none()
            }
        }
    }

    fn key(&mut self, key: KeyPress) -> Task<Message> {
        let at_counter = matches!(self.volunteer, Some(Volunteer::Counter(_) | Volunteer::Manager(_)));
        match key {
            KeyPress::VolunteerShortcut if self.volunteer.is_none() => {
                self.open_pin();
            }
            KeyPress::QuitShortcut => return iced::exit(),
            KeyPress::Text(text) if at_counter => self.wedge.key(&text, Instant::now()),
            KeyPress::Enter if at_counter => {
                if let Some(code) = self.wedge.enter(Instant::now()) {
                    return self.scanned(Ok(code));
                }
            }
            _ => {}
        }
        Task::none()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let screens = self.screens();
        if self.ctx.config.kiosk.hide_pointer { super::widget::pointerless(screens).into() } else { screens }
    }

    fn screens(&self) -> Element<'_, Message> {
        let lang = self.lang;
        let ctx = self.screen_context();
        if let Some(volunteer) = &self.volunteer {
            let body = match volunteer {
                Volunteer::Pin(pin) => pin.view(ctx).map(Message::Pin),
                Volunteer::Counter(counter) => {
                    // The volunteer sees what the seniors' corner says: they are the ones who can act.
                    let sync = sync_status::view(&self.sync, &self.ctx.time_zone, lang, (self.ctx.clock)());
                    counter.view(ctx, self.scanner.as_ref(), sync).map(Message::Counter)
                }
                Volunteer::Manager(m) => m.view(ctx).map(Message::Manager),
                Volunteer::Leader(l) => l.view(ctx).map(Message::Leader),
            };
            return container(body).padding(theme::PAD).width(Length::Fill).height(Length::Fill).into();
        }
        // The top bar keeps the senior's own buttons and the printer's problem. Where the
        // household's button, a category's ← 返回 and name or a narrower room (大字) need their
        // room, the market's title and the count of waiting slips give it up; in a narrower room also the category's name (the
        // tiles say it) and the sync corner (the volunteer's counter shows them all).
        let narrow = self.room().width < theme::REFERENCE_SIZE.width;
        let chip = self.household_chip(narrow);
        let compact = narrow || chip.is_some() || matches!(self.screen, Screen::Category(_));
        let printer = screen::printer::banner(&self.printer, lang, compact);
        let title: Option<Element<'_, Message>> = match &self.screen {
            Screen::Category(category) => Some(
                row![tap(
                    label(Msg::Back.text(lang), theme::BUTTON),
                    Message::Home,
                    theme::Tap::Secondary,
                    220,
                    theme::TARGET
                )]
                // Where limits apply the household takes the name's room (the tiles show what the
                // category is): beside it an English name would squeeze the printer's banner.
                .push((!self.limits.on && !narrow).then(|| {
                    bold(
                        self.ctx.catalog.category(&category.id).map(|c| c.name.get(lang)).unwrap_or_default(),
                        theme::TITLE,
                    )
                }))
                .spacing(theme::PAD)
                .align_y(Alignment::Center)
                .into(),
            ),
            // The market's name is on the slip; the top bar's room goes to the printer, the sync
            // corner and the senior's switches.
            _ if compact => None,
            _ => Some(
                row![bold(Msg::AppTitle.text(lang), theme::TITLE)]
                    .spacing(theme::PAD)
                    .align_y(Alignment::Center)
                    .into(),
            ),
        };
        // The printer's problem, when it has one, in the top bar of every screen, in the room the
        // sync corner had: it is what the person at the kiosk needs now (the counter keeps the corner).
        let middle: Element<'_, Message> = match printer {
            Some(banner) => banner,
            None if narrow => space::horizontal().into(),
            None => {
                row![space::horizontal(), sync_status::view(&self.sync, &self.ctx.time_zone, lang, (self.ctx.clock)())]
                    .into()
            }
        };
        let top = row![]
            .push(title)
            .push(chip)
            .push(middle)
            .push(tap(
                label(
                    if self.read_aloud.is_on() { SpeechWords::ReadAloudOn } else { SpeechWords::ReadAloudOff }
                        .text(lang),
                    theme::BODY,
                ),
                Message::ToggleSpeech,
                theme::Tap::Secondary,
                170,
                theme::TARGET,
            ))
            .push(tap(
                label(if self.large_text { Msg::LargeTextOn } else { Msg::LargeTextOff }.text(lang), theme::BODY),
                Message::ToggleLargeText,
                theme::Tap::Secondary,
                220,
                theme::TARGET,
            ))
            .push(tap(
                label(Msg::SwitchLanguage.text(lang), theme::BUTTON),
                Message::SwitchLanguage,
                theme::Tap::Secondary,
                200,
                theme::TARGET,
            ))
            .spacing(if narrow { theme::GAP } else { theme::PAD })
            .align_y(Alignment::Center)
            // Fixed, so nothing below moves when the sync or printer words change.
            .height(theme::TARGET);

        let basket = || {
            basket::basket(&self.cart, &self.ctx.catalog, &self.pictures, self.basket_pager, lang, ctx.room)
                .map(Message::Basket)
        };
        let body: Element<'_, Message> = match &self.screen {
            Screen::Home(home) => {
                row![home.view(ctx, self.notice).map(Message::HomeScreen), basket()].spacing(theme::PAD).into()
            }
            Screen::Category(category) => {
                row![category.view(ctx).map(Message::Category), basket()].spacing(theme::PAD).into()
            }
            Screen::Review(review) => review.view(ctx).map(Message::Review),
            Screen::Done(done) => done.view(ctx).map(Message::Done),
            Screen::Household(entry) => entry.view(ctx).map(Message::Household),
        };
        let content = column![top, body].spacing(theme::GAP);
        let page = container(content).padding(theme::PAD).width(Length::Fill).height(Length::Fill);

        match &self.modal {
            None => page.into(),
            Some(question) => {
                let seconds = self.seconds_until_clear(Instant::now());
                stack![page, opaque(modal::view(question, lang, seconds).map(Message::Modal))].into()
            }
        }
    }
}

/// The screens' read-only context, from the parts of the root (a free function, so the root can
/// lend them while it holds its screen mutably).
fn screen_context<'a>(
    ctx: &'a Context,
    pictures: &'a Pictures,
    cart: &'a Cart,
    shelf: &'a crate::store::shelf::Shelf,
    limits: &'a crate::store::households::Limits,
    lang: Lang,
    room: iced::Size,
) -> screen::Context<'a> {
    screen::Context {
        lang,
        config: &ctx.config,
        catalog: &ctx.catalog,
        pictures,
        time_zone: &ctx.time_zone,
        cart,
        shelf,
        limits,
        disk_low: None,
        room,
    }
}

/// What "lately" and "today" mean for the order of products: the last 14 days, and since local
/// midnight in the kiosk's time zone.
pub const SALES_DAYS: u64 = 14;

fn sales_window(now: Timestamp, tz: &jiff::tz::TimeZone) -> (Timestamp, Timestamp) {
    let recent = now - Duration::from_secs(SALES_DAYS * 86_400);
    let today = crate::store::start_of_day(now, tz);
    (recent, today)
}

/// Runs blocking work on its own thread and gives its result back as a task. A panic there is
/// an error here, never a crash of the screen.
/// Checks a PIN (argon2: call it off the UI thread) through `role`'s wrong-try gate kept in the
/// store, so a pause outlives a restart. A store that cannot be read or written falls back to
/// `gate`, the one in memory: a failing disk must not lock a volunteer out, nor end a pause.
pub(crate) fn check_pin_kept(
    store: &Mutex<Store>,
    role: Role,
    hash: &str,
    entry: &str,
    now: Timestamp,
    gate: PinGate,
) -> (PinOutcome, PinGate) {
    let kept = |gate: PinGate| {
        warm_core::process::lock(store).pin_gate(role).unwrap_or_else(|e| {
            tracing::warn!("the PIN pause cannot be read, using the one in memory: {e}");
            gate
        })
    };
    let gate = kept(gate);
    if let Some(left) = gate.paused(now) {
        return (PinOutcome::Paused { left }, gate);
    }
    let matched = pin_matches(hash, entry);
    let mut gate = kept(gate);
    let outcome = gate.record(matched, now);
    if let Err(e) = warm_core::process::lock(store).save_pin_gate(role, &gate) {
        tracing::warn!("the PIN pause cannot be saved, it holds until the kiosk stops: {e}");
    }
    (outcome, gate)
}

fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Task<Result<T, StoreError>> {
    let (tx, rx) = futures_channel::oneshot::channel();
    let spawned = std::thread::Builder::new().name("ui-task".into()).spawn(move || {
        let _ = tx.send(work());
    });
    if let Err(e) = spawned {
        return Task::done(Err(StoreError::Other(format!("cannot start a worker thread: {e}"))));
    }
    Task::future(async move { rx.await.map_err(|_| StoreError::Other("the worker thread stopped".into())) })
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

/// Keys for the volunteer: text and Enter (a keyboard-wedge scanner), Ctrl+Alt+V and Ctrl+Alt+Q.
fn keyed(event: Event, _status: event::Status, _window: window::Id) -> Option<Message> {
    let Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, text, .. }) = event else { return None };
    let key = match key.as_ref() {
        keyboard::Key::Named(keyboard::key::Named::Enter) => KeyPress::Enter,
        keyboard::Key::Character(c) if modifiers.control() && modifiers.alt() && c.eq_ignore_ascii_case("v") => {
            KeyPress::VolunteerShortcut
        }
        keyboard::Key::Character(c) if modifiers.control() && modifiers.alt() && c.eq_ignore_ascii_case("q") => {
            KeyPress::QuitShortcut
        }
        _ if modifiers.control() || modifiers.alt() => return None,
        _ => KeyPress::Text(text?.to_string()),
    };
    Some(Message::Key(key))
}

/// The slip picture shown on the done screen; a failure to render only loses the picture.
fn slip_picture(bytes: &[u8], profile: &warm_core::receipt::PaperProfile) -> Option<image::Handle> {
    match preview::render(bytes, profile) {
        Ok(gray) => Some(image::Handle::from_rgba(
            gray.width(),
            gray.height(),
            gray.pixels().flat_map(|p| [p.0[0], p.0[0], p.0[0], 255]).collect::<Vec<u8>>(),
        )),
        Err(e) => {
            tracing::warn!("slip preview not rendered: {e}");
            None
        }
    }
}
