//! The clock readings every capture and time anchor carry: the boot clock
//! (milliseconds since boot, counting sleep), the boot id, and the UTC
//! offset. The core reads them itself when it anchors time during sync, and a
//! capture is anchored only if it used the same boot clock, so both ask here.
//! By default the readings come from this machine (`native`, per target); a
//! phone app may instead pass its own, once, before it opens the store
//! (Android `SystemClock.elapsedRealtimeNanos()`, iOS `mach_continuous_time`).

use std::io;
use std::sync::OnceLock;

use super::native;
use crate::error::{Error, Result};

/// A boot clock the app supplies instead of the core's own reading.
pub trait BootClock: Send + Sync {
    /// Milliseconds since boot, counting time asleep, never going backwards within one boot.
    fn elapsed_ms(&self) -> u64;
    /// An identifier that is the same for the whole boot and differs after a restart.
    fn boot_id(&self) -> String;
}

/// The app's clock, when it passed one; chosen once per process so an anchor
/// and a later capture can never have read different clocks.
static APP_CLOCK: OnceLock<Box<dyn BootClock>> = OnceLock::new();

/// Makes every later boot-clock reading of this process come from `clock`.
/// Call it once, before opening the store; a second call is refused.
pub fn set_boot_clock(clock: Box<dyn BootClock>) -> Result<()> {
    APP_CLOCK.set(clock).map_err(|_| {
        Error::InvalidInput(
            "开机时钟已经设置过，每个进程只能设置一次 / the boot clock was already set; it can be set once per process".into(),
        )
    })
}

/// Milliseconds since boot, counting time asleep.
pub fn boot_clock_ms() -> Result<u64> {
    match APP_CLOCK.get() {
        Some(clock) => Ok(clock.elapsed_ms()),
        None => native::boot_clock_ms().map_err(|e| unreadable("无法读取开机时钟 / cannot read the boot clock", e)),
    }
}

/// This boot's id.
pub fn boot_id() -> Result<String> {
    match APP_CLOCK.get() {
        Some(clock) => Ok(clock.boot_id()),
        None => native::boot_id().map_err(|e| unreadable("无法读取开机标识 / cannot read the boot id", e)),
    }
}

/// The machine's current UTC offset in minutes east.
pub fn local_utc_offset_min() -> i32 {
    chrono::Local::now().offset().local_minus_utc() / 60
}

fn unreadable(what: &str, e: io::Error) -> Error {
    Error::Io(format!("{what}: {e}"))
}
