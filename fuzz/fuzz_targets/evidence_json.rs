//! Hostile JSON where the server and the verifier expect a signed manifest,
//! a receipt or a time statement: parsing, canonical re-encoding, signature
//! checks must refuse with a typed error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siteproof_protocol::evidence::canonical::{from_canonical_bytes, to_canonical_bytes};
use siteproof_protocol::evidence::{Manifest, SignedManifest, SignedReceipt};

/// The server key of the sample evidence in the corpus (core/examples/sample_packet.rs), so signatures can verify.
const SERVER_KEY: &str = "fd1724385aa0c75b64fb78cd602fa1d991fdebf76b13c58ed702eac835e9f618";

fuzz_target!(|data: &[u8]| {
    if let Ok(signed) = serde_json::from_slice::<SignedManifest>(data) {
        let _ = signed.hash();
        if let Ok(m) = signed.open() {
            let _ = to_canonical_bytes(&m);
        }
        let _ = signed.open_from(SERVER_KEY);
    }
    if let Ok(m) = from_canonical_bytes::<Manifest>(data) {
        let _ = to_canonical_bytes(&m);
    }
    if let Ok(r) = serde_json::from_slice::<SignedReceipt>(data) {
        let _ = r.hash();
        let _ = r.open(SERVER_KEY);
    }
    if let Ok(t) = serde_json::from_slice::<siteproof_protocol::evidence::time_token::SignedTime>(data) {
        let _ = t.hash();
        let _ = t.open("nonce");
    }
});
