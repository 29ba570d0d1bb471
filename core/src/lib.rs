//! Siteproof's evidence core: everything a worker's phone does with evidence,
//! in pure Rust and with blocking calls, so the Android and iOS apps and the
//! desktop CLI share one implementation (see ARCHITECTURE.md).
//!
//! Open a [`Device`] on a directory, capture photos, voice notes and notes
//! into its tamper-evident chain, and let the outbox carry them to the case
//! server. The evidence format ([`evidence`], [`packet`], [`vocab`], [`text`],
//! [`flags`]) lives in `siteproof-protocol`, shared with the server; it is
//! re-exported here so device callers keep one import path.

/// Declares a `Device` method that the sync engine uses and integration tests
/// drive directly (queue bookkeeping, receipts, anchors): public only with the
/// `test-support` feature, which only test crates enable, and crate-private
/// otherwise, so it is not part of the API the apps and the CLI see.
macro_rules! test_support_pub {
    ($(#[$meta:meta])* fn $($rest:tt)*) => {
        #[cfg(feature = "test-support")]
        $(#[$meta])*
        pub fn $($rest)*

        #[cfg(not(feature = "test-support"))]
        // Without `sync` (the fuzz build) only the tests would call these.
        #[cfg_attr(not(feature = "sync"), allow(dead_code))]
        $(#[$meta])*
        pub(crate) fn $($rest)*
    };
}

pub mod anchor;
pub mod capture;
pub mod derivatives;
pub mod device;
pub mod error;
pub mod items;
pub mod keys;
pub mod late_fix;
pub mod location_choice;
/// The media readers, their own crate (`siteproof-media`) since the server uses them too.
pub use siteproof_media as media;
pub mod orders;
pub mod packet;
pub mod platform;
pub mod queue;
pub mod retention;
pub mod share;
pub mod store;
#[cfg(feature = "sync")]
pub mod sync;
pub mod verify;
pub mod visits;

pub use siteproof_protocol::{evidence, flags, text, vocab};

pub use anchor::TimeAnchor;
pub use capture::{CaptureContext, EvidenceItem};
pub use derivatives::DerivativeInfo;
pub use device::{now_ms, Device, DeviceInfo, Enrollment};
pub use error::{Error, Result};
pub use evidence::LocationFix;
pub use late_fix::FixStatus;
pub use location_choice::{
    choose_location_provider, LocationAdvice, LocationChoice, LocationPermission, LocationPlatform, LocationProvider,
};
pub use orders::{NewOrder, OrderUpdate, WorkOrder};
pub use queue::{JobPart, JobState, OutboxJob, QueueStatus};
pub use retention::PruneReport;
#[cfg(feature = "sync")]
pub use sync::{SyncObserver, SyncOptions, SyncProgress, SyncReport};
pub use verify::{VerifyProblem, VerifyProblemKind, VerifyReport};
pub use visits::Visit;
