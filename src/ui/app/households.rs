//! The root's part in households and purchase limits (issue 10). Limits apply only where the hub
//! sent this market's households; elsewhere the kiosk sells as before. The senior says their
//! home number once per order, before the first limited product goes in the basket; the
//! household is looked up off the UI thread together with what it bought this period (here and,
//! through the hub, at the market's other kiosks), and is forgotten with the order.

use super::{App, Message, off_thread};
use crate::store::StoreError;
use crate::store::households::Limits;
use crate::ui::screen::{Screen, household, modal};
use iced::Task;
use std::collections::HashMap;
use warm_core::domain::{HouseholdId, ProductId};
use warm_core::i18n::{HouseholdWords, limit_explained, tr};

/// What the household screen leads on to once the household is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Then {
    /// Back where the senior was.
    Nothing,
    /// The limited product whose tap asked for the household goes in.
    Add(ProductId),
    /// The review screen, which asked for it.
    Review,
}

/// The household's purchases this period per limited product, or `None`: no such household.
pub(super) type Looked = Result<Option<HashMap<ProductId, u32>>, StoreError>;

impl App {
    /// Whether the market keeps households, read from the store (a store that cannot be read:
    /// off, as the kiosk was before limits).
    pub(super) fn limits_for_next_order(ctx: &super::Context) -> Limits {
        match ctx.store().household_count() {
            Ok(n) => Limits::new(n > 0),
            Err(e) => {
                tracing::warn!("households not counted, limits off for this order: {e}");
                Limits::new(false)
            }
        }
    }

    /// Purchase limits for this order, as the screens see them.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Opens the household screen over the screen on show, to come back to it and go on.
    pub(super) fn ask_household(&mut self, then: Then) {
        if matches!(self.screen, Screen::Household(_)) {
            return;
        }
        let previous = std::mem::replace(&mut self.screen, Screen::Household(household::Entry::default()));
        self.after_household = Some((previous, then));
        self.read_aloud.notice(HouseholdWords::WhoAreYou.text(self.lang), self.lang);
    }

    /// Back from the household screen to where the senior was; what comes next, if anything.
    fn leave_household(&mut self) -> Then {
        match self.after_household.take() {
            Some((previous, then)) => {
                self.screen = previous;
                then
            }
            None => {
                self.screen = self.home_screen();
                Then::Nothing
            }
        }
    }

    pub(super) fn household_screen(&mut self, message: household::Message) -> Task<Message> {
        let Screen::Household(entry) = &mut self.screen else { return Task::none() };
        match entry.update(message) {
            household::Action::None => Task::none(),
            household::Action::Back => {
                self.leave_household();
                Task::none()
            }
            household::Action::Lookup(id) => self.look_up_household(id),
        }
    }

    /// The household and what it bought this period, off the UI thread.
    pub(super) fn look_up_household(&self, id: HouseholdId) -> Task<Message> {
        let (store, catalog, tz, now) =
            (self.ctx.store.clone(), self.ctx.catalog.clone(), self.ctx.time_zone.clone(), (self.ctx.clock)());
        let asked = id.clone();
        off_thread(move || {
            let store = warm_core::process::lock(&store);
            match store.household(&asked)? {
                None => Ok(None),
                Some(_) => Ok(Some(store.bought_this_period(&asked, &catalog.products, now, &tz)?)),
            }
        })
        .map(move |looked| Message::HouseholdLooked(id.clone(), looked.unwrap_or_else(Err)))
    }

    /// A look-up came back: a household chosen (or its counts refreshed), or words on the
    /// household screen.
    pub(super) fn household_looked(&mut self, id: HouseholdId, looked: Looked) {
        let refresh = self.limits.household.as_ref() == Some(&id) && !matches!(self.screen, Screen::Household(_));
        match looked {
            Ok(Some(bought)) => {
                self.limits.household = Some(id);
                self.limits.bought = bought;
                if refresh {
                    return;
                }
                if let Screen::Household(_) = self.screen {
                    match self.leave_household() {
                        Then::Nothing => {}
                        Then::Add(product) => self.basket(crate::ui::widget::basket::Message::Increase(product)),
                        Then::Review => self.basket(crate::ui::widget::basket::Message::Review),
                    }
                }
            }
            // A refresh keeps what it knew: the household was said and checked this order.
            _ if refresh => {}
            Ok(None) => {
                if !matches!(self.screen, Screen::Household(_)) {
                    self.ask_household(Then::Nothing);
                }
                let words = tr(HouseholdWords::HouseholdUnknown, self.lang, &[("id", id.as_str())]);
                self.read_aloud.notice(&words, self.lang);
                if let Screen::Household(entry) = &mut self.screen {
                    entry.unknown(&id);
                }
            }
            Err(e) => {
                tracing::error!("household {id} not looked up: {e}");
                if let Screen::Household(entry) = &mut self.screen {
                    entry.failed();
                }
            }
        }
    }

    /// A household card scanned on the seniors' screens: that household, where limits apply.
    pub(super) fn household_card(&mut self, id: HouseholdId) -> Task<Message> {
        if !self.limits.on || matches!(self.screen, Screen::Review(_) | Screen::Done(_)) {
            tracing::info!("household card {id} ignored here");
            return Task::none();
        }
        self.look_up_household(id)
    }

    /// Whether `product` may go in now: asks for the household first, or explains the limit.
    pub(super) fn limit_allows(&mut self, product: &ProductId) -> bool {
        let Some(p) = self.ctx.catalog.product(product) else { return true };
        if self.limits.needs_household(p) {
            self.ask_household(Then::Add(product.clone()));
            return false;
        }
        let allowance = self.limits.allowance(p, self.cart.qty(product));
        if allowance.may_add_one() {
            return true;
        }
        let words = limit_explained(&allowance, p.unit.get(self.lang), self.lang).unwrap_or_default();
        self.read_aloud.notice(&words, self.lang);
        self.modal = Some(modal::Modal::AtLimit { words });
        false
    }

    /// Before the review: the household, if the basket holds limited goods and none was said.
    pub(super) fn household_before_review(&mut self) -> bool {
        if self.limits.missing_household(&self.cart, &self.ctx.catalog) {
            self.ask_household(Then::Review);
            return false;
        }
        true
    }

    /// After a sync round: what the household bought elsewhere, and whether the market now
    /// keeps households (only between orders, so limits never switch on under a basket).
    pub(super) fn limits_after_sync(&mut self) -> Task<Message> {
        if matches!(self.screen, Screen::Household(_)) {
            return Task::none();
        }
        if let Some(id) = self.limits.household.clone() {
            return self.look_up_household(id);
        }
        if self.cart.is_empty() && matches!(self.screen, Screen::Home(_)) {
            self.limits = App::limits_for_next_order(&self.ctx);
        }
        Task::none()
    }
}

impl App {
    /// The household in the top bar of the shopping screens ("3-2-501 户 · 换一户"), or the
    /// way to say it; nothing where limits are off.
    /// `narrow` (大字): the home alone, in less room.
    pub(super) fn household_chip(&self, narrow: bool) -> Option<iced::Element<'_, Message>> {
        use crate::ui::theme::{self, Tap};
        use crate::ui::widget::{label, tap};
        if !self.limits.on || !matches!(self.screen, Screen::Home(_) | Screen::Category(_)) {
            return None;
        }
        let chip = if narrow { HouseholdWords::HouseholdChipNarrow } else { HouseholdWords::HouseholdChip };
        let words = match &self.limits.household {
            Some(h) => tr(chip, self.lang, &[("id", h.as_str())]),
            None => HouseholdWords::SayHousehold.text(self.lang).to_owned(),
        };
        let width = if narrow { CHIP_W_NARROW } else { CHIP_W };
        Some(tap(label(words, theme::BODY), Message::ChangeHousehold, Tap::Secondary, width, theme::TARGET))
    }
}

/// Room for "12-3-1203 户 · 换一户" and "12-3-1203 · change" on one line; no more, so the
/// sync corner keeps its room beside an English category's name.
const CHIP_W: f32 = 380.0;
/// "12-3-1203 户" and "Home 12-3-1203".
const CHIP_W_NARROW: f32 = 250.0;
