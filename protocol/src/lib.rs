//! Siteproof's wire protocol without I/O: what the case server reads off the
//! wire, parsed and checked by pure functions over bytes and strings. No
//! sockets, no storage, no async runtime and no HTTP framework live here, so
//! the same rules can be fuzzed in isolation, reused by a client, and tested
//! without a server. This crate is the seed of the sans-I/O protocol layer
//! the architecture calls for: the server (and later the device) supply the
//! bytes and act on the typed results; every decision about what is valid
//! on the wire is made here once.
//!
//! - [`wire::tus`]: tus 1.0 request headers (lengths, offsets, metadata, checksums).
//! - [`wire::order_csv`]: the city platform's work-order CSV export.

pub mod wire;
