//! Clock readings of the machine the core runs on, for the desktop device.
//! Phones pass their own readings (elapsedRealtime, boot count) instead.

use crate::error::{Error, Result};

/// Milliseconds since boot, counting time asleep (Linux CLOCK_BOOTTIME).
pub fn boot_clock_ms() -> Result<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    if rc != 0 {
        return Err(Error::Io("cannot read the boot clock".into()));
    }
    Ok(ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000)
}

/// This boot's id (Linux `/proc/sys/kernel/random/boot_id`).
pub fn boot_id() -> Result<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").map(|s| s.trim().to_string()).map_err(|e| Error::from_io("read boot id", e))
}

/// The machine's current UTC offset in minutes east.
pub fn local_utc_offset_min() -> i32 {
    chrono::Local::now().offset().local_minus_utc() / 60
}
