//! The one FFI crate of Siteproof: `siteproof-core` as the Android (Kotlin)
//! and iOS (Swift) apps see it, through uniffi proc-macros.
//!
//! Every exported call is blocking, so the generated Kotlin needs only JNA
//! (no coroutines runtime) and the apps decide which thread waits: a
//! WorkManager worker, a background Task, never the main thread. Nothing here
//! decides anything about evidence; each call forwards to the core and maps
//! its error once (`error.rs`).

uniffi::setup_scaffolding!("siteproof");

mod capture;
mod clock;
mod device;
mod error;
mod location;
mod orders;
mod records;
mod share;
mod sync;
mod vocab;

pub use clock::{capture_context_now, use_phone_boot_clock, PhoneBootClock};
pub use device::SiteproofDevice;
pub use error::SiteproofError;
pub use location::choose_location_provider;
pub use sync::{default_sync_options, SyncListener};
pub use vocab::{describe_flag, tag_axes, vocabulary, FlagText, TagAxisText, VocabKind, VocabTerm};
