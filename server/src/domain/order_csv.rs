//! Importing work orders from the city platform's CSV export. Reading the
//! file is `siteproof_protocol::wire::order_csv`; here each row read becomes
//! an order only if it passes the same validation as an order created by
//! hand, and a number twice in one file is refused. Every bad row is
//! reported with its line number; good rows are imported only when the
//! caller asks for a partial import, so a half-read file never slips in.

use std::collections::HashSet;

use siteproof_protocol::wire::error_code::ErrorCode;
pub use siteproof_protocol::wire::order_csv::RowError;
use siteproof_protocol::wire::order_csv::{self as wire, CsvOrder};

use crate::domain::orders::{validate_new, NewOrder};
use crate::domain::{DomainError, DomainResult};

/// Parsed rows and the bad ones.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Good rows with their line numbers.
    pub rows: Vec<(u64, NewOrder)>,
    /// Bad rows, in file order.
    pub errors: Vec<RowError>,
}

fn new_order(o: CsvOrder) -> NewOrder {
    NewOrder {
        number: o.number,
        kind: o.kind,
        category: o.category,
        address: o.address,
        complainant: o.complainant,
        content: o.content,
        dispatched_at_ms: o.dispatched_at_ms,
        deadline_ms: o.deadline_ms,
        spot_lat: o.spot_lat,
        spot_lon: o.spot_lon,
        ..NewOrder::default()
    }
}

/// Parses a UTF-8 CSV body into orders and per-line errors.
pub fn parse(body: &[u8]) -> DomainResult<Parsed> {
    let read = wire::parse(body).map_err(DomainError::CsvFile)?;
    let mut out = Parsed { rows: Vec::new(), errors: read.errors };
    let mut seen = HashSet::new();
    for (line, o) in read.rows {
        match validate_new(&new_order(o)) {
            Ok(v) if !seen.insert(v.number.clone()) => out.errors.push(RowError::new(
                line,
                ErrorCode::DuplicateInFile,
                format!("工单号 {} 在文件中重复 / order {} appears twice in the file", v.number, v.number),
            )),
            Ok(v) => out.rows.push((line, v)),
            Err(e) => out.errors.push(RowError::new(line, e.code(), e.message())),
        }
    }
    // Unreadable and invalid rows were found in two passes; report them in file order.
    out.errors.sort_by_key(|e| e.line);
    Ok(out)
}
