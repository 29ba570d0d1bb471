//! Hostile ZIPs where a dispute packet is expected: the structural check,
//! the streaming reader and every verification step must answer with a
//! report or a refusal, never a panic, and must not inflate past the bounds.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use siteproof_protocol::packet::verify_packet_from;

fuzz_target!(|data: &[u8]| {
    let _ = verify_packet_from(Cursor::new(data));
});
