//! Siteproof's protocol without I/O: the evidence format and the wire
//! formats, as pure functions over bytes, strings and readers the caller
//! supplies. No sockets, no storage, no async runtime and no HTTP framework
//! live here, so the same rules run on the phone (through `siteproof-core`),
//! on the case server and in an offline packet check, can be fuzzed in
//! isolation, and are tested without a server. Every decision about what is
//! valid evidence or valid on the wire is made here once.
//!
//! - [`evidence`]: manifests, canonical JSON, signatures, receipts, time
//!   statements, identifiers, and the one chain rule ([`evidence::ChainVerifier`]).
//! - [`packet`]: the dispute packet format: layout, ZIP structure checks, the
//!   signed index, the writer and the offline verifier.
//! - [`vocab`], [`text`], [`flags`]: the shared vocabularies, text rules and capture flags.
//! - [`wire`]: tus headers, the order CSV import, the order JSON of the
//!   order endpoints and the device's order exchange, and the receipt envelope.
//! - [`time`]: the one reading of the wall clock (bookkeeping time, not evidence time).
//! - [`Error`]: what can be wrong, as typed variants with zh-CN and English text.

pub mod error;
pub mod evidence;
pub mod flags;
pub mod packet;
pub mod text;
pub mod time;
pub mod vocab;
pub mod wire;

pub use error::{Error, Result};
