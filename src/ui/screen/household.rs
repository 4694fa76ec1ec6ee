//! Who is buying (issue 10): where the market limits purchases per household, the senior says
//! their home number once per order — building, unit and room on a big number pad, no letters —
//! or scans their household card (the root hears the scanner and answers here). A number that
//! is not on the market's list is said in words and nothing else changes; a senior who cannot
//! go on asks a volunteer, or goes back to goods without a limit.

use super::Context;
use crate::ui::theme::{self, Tap};
use crate::ui::widget::numpad::{self, Key};
use crate::ui::widget::{bold, label, tap, tap_maybe};
use iced::widget::{Row, column, container, row, space};
use iced::{Alignment, Element, Length};
use warm_core::domain::HouseholdId;
use warm_core::i18n::{HouseholdWords as W, Msg, tr};

/// The most digits one part of a home number has (a room such as 1203 has four).
const PART_DIGITS: usize = 5;
const FIELD_W: f32 = 300.0;
const FIELD_H: f32 = 150.0;
/// The number pad's panel: three keys and their gaps, its padding and border.
const PAD_W: f32 = 3.0 * numpad::KEY_W + 2.0 * theme::GAP + 2.0 * (theme::PAD + theme::BORDER);

/// 请志愿者帮忙's width: 420 px where the room allows, else what ← 返回 and 就是我家 leave (大字).
fn ask_w(room: iced::Size) -> f32 {
    let left = room.width - 2.0 * theme::PAD - PAD_W - theme::PAD;
    (left - 240.0 - 420.0 - 3.0 * theme::PAD).min(420.0)
}
/// Room kept for the message under the fields: two lines of body text, so nothing below moves
/// when one comes or goes.
const MESSAGE_H: f32 = 2.0 * theme::BODY * 1.3 + 2.0 * theme::GAP;

/// Building, unit, room.
pub const FIELDS: [W; 3] = [W::Building, W::Unit, W::Room];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A field tapped: the digits go there from now on.
    Field(usize),
    Key(Key),
    /// 下一格 →: on to the next field.
    Next,
    /// 就是我家.
    Confirm,
    /// ← 返回: back to shopping; the order keeps the household it had.
    Back,
    AskVolunteer,
}

pub enum Action {
    None,
    /// Look this household up in the market's list (off the UI thread, by the root).
    Lookup(HouseholdId),
    Back,
}

/// What the line under the fields says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Said {
    Nothing,
    Looking,
    Unknown(String),
    BadShape,
    Failed,
    Help,
}

#[derive(Debug, Clone)]
pub struct Entry {
    fields: [String; 3],
    active: usize,
    said: Said,
}

impl Default for Entry {
    fn default() -> Self {
        Entry { fields: Default::default(), active: 0, said: Said::Nothing }
    }
}

impl Entry {
    /// The home number as typed so far: `3-2-501`, or `3-501` without a unit.
    pub fn typed(&self) -> String {
        self.fields.iter().filter(|f| !f.is_empty()).cloned().collect::<Vec<_>>().join("-")
    }

    /// The root looked `id` up and the market has no such household.
    pub fn unknown(&mut self, id: &HouseholdId) {
        self.said = Said::Unknown(id.to_string());
    }

    /// The look-up itself failed (the store could not be read).
    pub fn failed(&mut self) {
        self.said = Said::Failed;
    }

    pub fn update(&mut self, message: Message) -> Action {
        // A look-up on its way: the fields stay as they were asked about.
        if self.said == Said::Looking && message != Message::Back {
            return Action::None;
        }
        match message {
            Message::Field(i) => self.active = i.min(FIELDS.len() - 1),
            Message::Key(Key::Back) if self.fields[self.active].is_empty() && self.active > 0 => {
                // Erasing past the start of a field goes on in the field before.
                self.active -= 1;
                self.fields[self.active].pop();
            }
            Message::Key(Key::Clear) => {
                self.fields = Default::default();
                self.active = 0;
            }
            Message::Key(key) => key.apply(&mut self.fields[self.active], PART_DIGITS, false),
            Message::Next => self.active = (self.active + 1).min(FIELDS.len() - 1),
            Message::Back => return Action::Back,
            Message::AskVolunteer => {
                self.said = Said::Help;
                return Action::None;
            }
            Message::Confirm => {
                let [building, unit, room] = &self.fields;
                return match HouseholdId::from_parts(building, unit, room) {
                    Ok(id) => {
                        self.said = Said::Looking;
                        Action::Lookup(id)
                    }
                    Err(_) => {
                        self.said = Said::BadShape;
                        Action::None
                    }
                };
            }
        }
        // Typing again takes the old message away: it was about the number before.
        if matches!(self.said, Said::Unknown(_) | Said::BadShape) {
            self.said = Said::Nothing;
        }
        Action::None
    }

    pub fn view<'a>(&'a self, ctx: Context<'a>) -> Element<'a, Message> {
        let lang = ctx.lang;
        let looking = self.said == Said::Looking;
        let mut fields = Row::new().spacing(theme::GAP);
        for (i, name) in FIELDS.iter().enumerate() {
            let active = i == self.active;
            // The field being typed in says so with a cursor, not by its colour alone.
            let value = match (self.fields[i].as_str(), active) {
                ("", true) => "_".to_owned(),
                ("", false) => "—".to_owned(),
                (v, true) => format!("{v}_"),
                (v, false) => v.to_owned(),
            };
            let content = column![label(name.text(lang), theme::BODY), bold(value, theme::TOTAL)]
                .spacing(2)
                .align_x(Alignment::Center);
            let kind = if active { Tap::TileAdded } else { Tap::Secondary };
            fields = fields.push(tap_maybe(content, (!looking).then_some(Message::Field(i)), kind, FIELD_W, FIELD_H));
        }
        let words = match &self.said {
            Said::Nothing => None,
            Said::Looking => Some(W::Looking.text(lang).to_owned()),
            Said::Unknown(id) => Some(tr(W::HouseholdUnknown, lang, &[("id", id)])),
            Said::BadShape => Some(W::HouseholdBadShape.text(lang).to_owned()),
            Said::Failed => Some(W::LookupFailed.text(lang).to_owned()),
            Said::Help => Some(W::VolunteerHelps.text(lang).to_owned()),
        };
        let message: Element<'a, Message> = match words {
            Some(words) => container(bold(words, theme::BODY))
                .padding([theme::GAP / 2.0, theme::GAP])
                .width(Length::Fill)
                .style(if self.said == Said::Looking { theme::badge } else { theme::warning })
                .into(),
            None => space::vertical().into(),
        };
        let actions = row![
            tap(label(Msg::Back.text(lang), theme::BUTTON), Message::Back, Tap::Secondary, 240, theme::BIG_TARGET),
            tap(
                label(W::AskVolunteer.text(lang), theme::BUTTON),
                Message::AskVolunteer,
                Tap::Secondary,
                ask_w(ctx.room),
                theme::BIG_TARGET
            ),
            space::horizontal(),
            tap_maybe(
                bold(W::ThisIsMe.text(lang), theme::TITLE),
                (!looking).then_some(Message::Confirm),
                Tap::Primary,
                420,
                theme::BIG_TARGET
            ),
        ]
        .spacing(theme::PAD)
        .align_y(Alignment::Center);
        let left = column![
            bold(W::WhoAreYou.text(lang), theme::TITLE),
            label(W::ScanCardOrTap.text(lang), theme::BODY),
            fields,
            container(message).height(MESSAGE_H).width(Length::Fill),
            space::vertical(),
            actions,
        ]
        .spacing(theme::PAD)
        .width(Length::Fill);
        let pad = column![
            numpad::numpad(lang, false, !looking, Message::Key),
            tap_maybe(
                bold(W::NextField.text(lang), theme::BUTTON),
                (!looking && self.active + 1 < FIELDS.len()).then_some(Message::Next),
                Tap::Secondary,
                3.0 * numpad::KEY_W + 2.0 * theme::GAP,
                numpad::KEY_H
            ),
        ]
        .spacing(theme::GAP);
        row![left, container(pad).padding(theme::PAD).style(theme::panel)].spacing(theme::PAD).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_go_to_the_field_in_use_and_erasing_goes_back_a_field() {
        let mut e = Entry::default();
        for m in [
            Message::Key(Key::Digit(3)),
            Message::Next,
            Message::Key(Key::Digit(2)),
            Message::Next,
            Message::Key(Key::Digit(5)),
            Message::Key(Key::Digit(0)),
            Message::Key(Key::Digit(9)),
        ] {
            e.update(m);
        }
        assert_eq!(e.typed(), "3-2-509");
        for _ in 0..4 {
            e.update(Message::Key(Key::Back));
        }
        assert_eq!((e.typed(), e.active), ("3".to_owned(), 1), "three digits of the room, then the unit's 2");
        e.update(Message::Key(Key::Clear));
        assert_eq!((e.typed(), e.active), (String::new(), 0));
        assert!(matches!(e.update(Message::Confirm), Action::None));
        assert_eq!(e.said, Said::BadShape, "an empty number is said to be one, not looked up");
        e.update(Message::Field(0));
        e.update(Message::Key(Key::Digit(3)));
        e.update(Message::Field(2));
        e.update(Message::Key(Key::Digit(1)));
        match e.update(Message::Confirm) {
            Action::Lookup(id) => assert_eq!(id.as_str(), "3-1"),
            _ => panic!("a building and a room are a home number"),
        }
        // While it is looked up, taps on the pad do nothing.
        e.update(Message::Key(Key::Digit(7)));
        assert_eq!(e.typed(), "3-1");
    }
}
