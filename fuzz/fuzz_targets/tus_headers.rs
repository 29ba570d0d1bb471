//! Hostile tus header values: Upload-Metadata, Upload-Checksum, lengths and
//! offsets. The input is split at the first NUL byte into a metadata value
//! and a checksum value, so both parsers see structured bytes from the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siteproof_protocol::wire::tus::{parse_checksum, parse_metadata, parse_u64, version_supported};

fuzz_target!(|data: &[u8]| {
    let (meta, rest) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if let Ok(m) = parse_metadata(Some(meta)) {
        // What the server stores and parses again when an upload finishes.
        let again = parse_metadata(Some(m.raw.as_bytes())).expect("accepted metadata parses again");
        assert_eq!(again.sha256, m.sha256);
    }
    let _ = parse_checksum(rest);
    let _ = parse_u64(rest);
    let _ = version_supported(Some(rest));
    if let Ok(e) = parse_metadata(None) {
        unreachable!("metadata without sha256 was accepted: {e:?}");
    }
});
