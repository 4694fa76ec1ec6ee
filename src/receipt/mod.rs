// TEMP STUB until the encoder lands
pub mod slip;
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaperProfile { pub paper: String, pub chinese_mode: bool, pub native_qr: bool, pub cut_feed: u8 }
