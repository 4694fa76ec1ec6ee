//! A market's household list as the residents' committee keeps it: a CSV file with the header
//! `household,building,surname,phone_last4` (building, surname and phone may be empty). Read with
//! the `csv` crate (quoted fields, CRLF, a BOM-less UTF-8 file from a spreadsheet). The whole file
//! is checked before anything is stored: one bad row refuses it, with its line number.

use std::collections::HashMap;
use std::path::Path;
use warm_core::domain::Household;

pub const HEADER: [&str; 4] = ["household", "building", "surname", "phone_last4"];

#[derive(Debug, thiserror::Error)]
pub enum HouseholdFileError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("line {line}: {reason}; nothing of the file was stored")]
    Line { line: u64, reason: String },
    #[error("the file has no households; nothing was stored")]
    Empty,
}

fn at(line: u64, reason: impl Into<String>) -> HouseholdFileError {
    HouseholdFileError::Line { line, reason: reason.into() }
}

/// Reads and checks a whole household file.
pub fn from_csv_file(path: &Path) -> Result<Vec<Household>, HouseholdFileError> {
    let bytes =
        std::fs::read(path).map_err(|source| HouseholdFileError::Read { path: path.display().to_string(), source })?;
    from_csv(&bytes)
}

/// Checks every row: the column count, UTF-8, each household's fields, and ids that repeat
/// (after normalising, so `03-2-501` repeats `3-2-501`).
pub fn from_csv(bytes: &[u8]) -> Result<Vec<Household>, HouseholdFileError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(bytes);
    let mut out: Vec<Household> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    loop {
        let more = match reader.read_byte_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("{len} columns where the header has {expected_len}")
                    }
                    _ => e.to_string(),
                };
                return Err(at(line, reason));
            }
        };
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let mut fields = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field)
                .map_err(|_| at(line, format!("column {} is not UTF-8 text (save the file as UTF-8)", i + 1)))?;
            fields.push(text.trim());
        }
        if first {
            first = false;
            if fields != HEADER {
                return Err(at(line, format!("the header must be {}", HEADER.join(","))));
            }
            continue;
        }
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let [id, building, surname, phone] = fields[..] else {
            return Err(at(line, format!("{} columns where the header has {}", fields.len(), HEADER.len())));
        };
        let household = Household::new(id, building, surname, phone).map_err(|e| at(line, format!("{id:?}: {e}")))?;
        if let Some(before) = seen.insert(household.id.to_string(), line) {
            return Err(at(line, format!("household {} is already on line {before}", household.id)));
        }
        out.push(household);
    }
    if out.is_empty() {
        return Err(HouseholdFileError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(result: Result<Vec<Household>, HouseholdFileError>) -> (u64, String) {
        match result {
            Err(HouseholdFileError::Line { line, reason }) => (line, reason),
            other => panic!("expected a refused line, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_is_read_whole() {
        let file = "household,building,surname,phone_last4\r\n3-2-501,3号楼,王,1234\r\n\"03-2-502\",,,\r\n\r\n12-301,\"12号楼, 东\",李,\r\n";
        let got = from_csv(file.as_bytes()).unwrap();
        let ids: Vec<&str> = got.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["3-2-501", "3-2-502", "12-301"]);
        assert_eq!(got[1].building, "3");
        assert_eq!(got[2].building, "12号楼, 东");
    }

    #[test]
    fn a_bad_row_is_refused_with_its_line() {
        let head = "household,building,surname,phone_last4\n";
        let (line, reason) = line_of(from_csv(format!("{head}3-2-501,3,王,1234\n3-2-502,3,王\n").as_bytes()));
        assert_eq!(line, 3, "{reason}");
        assert!(reason.contains("columns"), "{reason}");
        let (line, reason) =
            line_of(from_csv(format!("{head}3-2-501,3,王,1234\n3-2-9,3,,\n03-2-501,3,,\n").as_bytes()));
        assert_eq!(line, 4);
        assert!(reason.contains("line 2"), "{reason}");
        let mut bytes = format!("{head}3-2-501,3,").into_bytes();
        bytes.extend_from_slice(&[0xcd, 0xf5, b',', b'\n']); // 王 in GBK
        let (line, reason) = line_of(from_csv(&bytes));
        assert_eq!(line, 2);
        assert!(reason.contains("UTF-8"), "{reason}");
        let (line, _) = line_of(from_csv(format!("{head}3-2-501,3,,13912345678\n").as_bytes()));
        assert_eq!(line, 2);
        let (line, _) = line_of(from_csv(b"id,building\n3-2-501,3\n"));
        assert_eq!(line, 1);
        assert!(matches!(from_csv(head.as_bytes()), Err(HouseholdFileError::Empty)));
    }
}
