//! Reading aloud for one senior at a time: the 🔊 switch (on or off for this senior, back to the
//! market's default for the next) and one call per event of the seniors' screens. The screens only
//! call these; the sentences come from `warm_core::speech::events`.

use super::{Espeak, Output, Speaker, SpeechConfig};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::sync::Arc;
use warm_core::domain::{Cart, Catalog, Lang, OrderNumber, PickupSlot, Product};
use warm_core::speech::events;

pub struct ReadAloud {
    /// `None`: a kiosk built without a voice (screen tests), which only keeps the switch.
    speaker: Option<Arc<Speaker>>,
    default_on: bool,
    on: bool,
}

impl ReadAloud {
    /// The kiosk's voice on the sound device, switched as the config says.
    pub fn start(config: &SpeechConfig) -> ReadAloud {
        ReadAloud::with_speaker(Some(Arc::new(Speaker::start(Espeak::new(config), Output::Device))), config)
    }

    /// `speaker`: shared, so the kiosk's one voice outlives each screen's switch.
    pub fn with_speaker(speaker: Option<Arc<Speaker>>, config: &SpeechConfig) -> ReadAloud {
        ReadAloud { speaker, default_on: config.enabled_by_default, on: config.enabled_by_default }
    }

    /// A switch with no voice behind it (tests of the screens start no engine).
    pub fn silent(config: &SpeechConfig) -> ReadAloud {
        ReadAloud::with_speaker(None, config)
    }

    /// The voice behind the switch (its status tells what is being said).
    pub fn speaker(&self) -> Option<&Speaker> {
        self.speaker.as_deref()
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// The 🔊 button: switches reading for this senior; switching off stops at once.
    pub fn toggle(&mut self) -> bool {
        self.on = !self.on;
        if !self.on {
            self.stop();
        }
        self.on
    }

    /// After an order (or a cleared basket): the next senior starts with the market's default.
    pub fn next_senior(&mut self) {
        self.stop();
        self.on = self.default_on;
    }

    pub fn stop(&self) {
        if let Some(speaker) = &self.speaker {
            speaker.stop();
        }
    }

    /// Says a text already in words, if reading is on; it cuts off what was being said.
    pub fn say(&self, words: String, lang: Lang) {
        if let (true, Some(speaker)) = (self.on, &self.speaker) {
            speaker.say(words, lang);
        }
    }

    pub fn product(&self, product: &Product, lang: Lang) {
        self.say(events::product(product, lang), lang);
    }

    pub fn basket(&self, cart: &Cart, catalog: &Catalog, lang: Lang) {
        self.say(events::basket(cart, catalog, lang), lang);
    }

    pub fn review(&self, cart: &Cart, catalog: &Catalog, lang: Lang) {
        self.say(events::review(cart, catalog, lang), lang);
    }

    pub fn done(&self, number: &OrderNumber, slot: &PickupSlot, now: Timestamp, tz: &TimeZone, lang: Lang) {
        self.say(events::done(number, slot, now, tz, lang), lang);
    }

    /// An error or a warning, in the words the screen shows.
    pub fn notice(&self, text: &str, lang: Lang) {
        self.say(events::notice(text, lang), lang);
    }
}
