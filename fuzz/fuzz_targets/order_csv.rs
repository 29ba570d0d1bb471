//! Hostile CSV bodies where the city platform's order export is expected:
//! every row is read or reported with its line, never a panic, and the
//! row count stays within the import limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siteproof_protocol::wire::order_csv::{parse, parse_time, MAX_ROWS};

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = parse(data) {
        assert!(rows.rows.len() <= MAX_ROWS);
        assert!(rows.rows.windows(2).all(|w| w[0].0 < w[1].0), "rows out of file order");
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_time(text);
    }
});
