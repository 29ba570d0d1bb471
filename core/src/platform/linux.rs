//! Boot clock and boot id on Linux and Android: `CLOCK_BOOTTIME` (the clock
//! behind Android's `SystemClock.elapsedRealtime`, which keeps counting while
//! the phone sleeps) and the kernel's per-boot random UUID.

use std::io;

/// Milliseconds since boot, counting time asleep (`CLOCK_BOOTTIME`).
pub(super) fn boot_clock_ms() -> io::Result<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000)
}

/// This boot's id (`/proc/sys/kernel/random/boot_id`).
pub(super) fn boot_id() -> io::Result<String> {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id").map(|s| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn boot_clock_advances_and_boot_id_is_the_kernels_uuid() {
        let a = super::boot_clock_ms().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = super::boot_clock_ms().unwrap();
        assert!(b >= a + 20, "{a} then {b}");
        let id = super::boot_id().unwrap();
        assert_eq!(id.len(), 36, "{id:?}");
        assert_eq!(id, super::boot_id().unwrap());
    }
}
