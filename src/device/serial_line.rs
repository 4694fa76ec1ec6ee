//! Serial line settings shared by the printer and the scanner, in one vocabulary: a config file
//! says `parity = "none" | "odd" | "even"` and `flow_control = "none" | "rts_cts" | "xon_xoff"`
//! for either device (`"hardware"` and `"software"`, the scanner's old words, still read).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    #[default]
    None,
    Odd,
    Even,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    None,
    /// Hardware handshake, done by the serial driver.
    #[serde(alias = "hardware")]
    RtsCts,
    /// Software handshake: the device sends XOFF (0x13) when its buffer fills and XON (0x11)
    /// when it has room.
    #[serde(alias = "software")]
    XonXoff,
}

/// A port opened with these settings; `flow` is what the driver itself does (the printer does
/// XON/XOFF on its own, see `printer::serial`).
pub fn builder(
    port: &str,
    baud: u32,
    data_bits: u8,
    parity: Parity,
    stop_bits: u8,
    flow: serialport::FlowControl,
) -> serialport::SerialPortBuilder {
    use serialport::{DataBits, StopBits};
    let data_bits = match data_bits {
        5 => DataBits::Five,
        6 => DataBits::Six,
        7 => DataBits::Seven,
        _ => DataBits::Eight,
    };
    let parity = match parity {
        Parity::None => serialport::Parity::None,
        Parity::Odd => serialport::Parity::Odd,
        Parity::Even => serialport::Parity::Even,
    };
    serialport::new(port, baud)
        .data_bits(data_bits)
        .parity(parity)
        .stop_bits(if stop_bits == 2 { StopBits::Two } else { StopBits::One })
        .flow_control(flow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Line {
        flow_control: FlowControl,
    }

    #[test]
    fn both_devices_read_one_vocabulary_and_the_old_words() {
        for (word, flow) in [
            ("none", FlowControl::None),
            ("rts_cts", FlowControl::RtsCts),
            ("xon_xoff", FlowControl::XonXoff),
            ("hardware", FlowControl::RtsCts),
            ("software", FlowControl::XonXoff),
        ] {
            let line: Line = toml::from_str(&format!("flow_control = \"{word}\"")).unwrap();
            assert_eq!(line.flow_control, flow, "{word}");
        }
    }
}
