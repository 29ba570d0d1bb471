//! The one place the core asks the operating system something that differs
//! between the phones and the desktop: the boot clock (counts sleep) and the
//! boot id every capture and time anchor carry, and the store's process lock.
//! One file per target family behind `cfg`, so the core compiles for
//! Android, iOS and Linux alike and a target without a boot clock says so
//! instead of failing to build. A phone may also pass its own readings
//! ([`set_boot_clock`]); everything else reads them through [`boot_clock_ms`]
//! and [`boot_id`], so captures and anchors always use the same source.

mod readings;
mod store_lock;

#[cfg(any(target_os = "linux", target_os = "android"))]
#[path = "linux.rs"]
mod native;

#[cfg(target_vendor = "apple")]
#[path = "apple.rs"]
mod native;

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
#[path = "other.rs"]
mod native;

// The fallback is compiled into the tests too, so its honesty is checked on Linux.
#[cfg(all(test, any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
mod other;

// Pure arithmetic of the Apple clocks, unit-tested on every host.
#[cfg(any(target_vendor = "apple", test))]
mod mach_time;

pub use readings::{boot_clock_ms, boot_id, local_utc_offset_min, set_boot_clock, BootClock};
pub(crate) use store_lock::lock_exclusive;
