//! The arithmetic behind the Apple boot clock and boot id, apart from the
//! system calls so it is unit-tested on every host: the CI machines have no
//! Apple standard library, so `apple.rs` itself is only type-checked there.

/// Milliseconds in `ticks` of a Mach clock whose timebase says one tick is
/// `numer / denom` nanoseconds (1/1 on Intel, 125/3 on Apple silicon).
/// `None` for a timebase that cannot be right (denominator zero).
pub(super) fn ticks_to_ms(ticks: u64, numer: u32, denom: u32) -> Option<u64> {
    if denom == 0 {
        return None;
    }
    // In 128 bits: ticks × numer overflows 64 bits after a few days of uptime on Apple silicon.
    let ns = u128::from(ticks) * u128::from(numer) / u128::from(denom);
    u64::try_from(ns / 1_000_000).ok()
}

/// The text of a string sysctl (bytes up to the first NUL), if it holds any.
pub(super) fn sysctl_text(buf: &[u8]) -> Option<String> {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let text = std::str::from_utf8(&buf[..end]).ok()?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A boot id from the boot time (`kern.boottime`), for a system without a
/// boot session UUID. The kernel moves the boot time when the wall clock is
/// set, so the id may change within a boot: anchors made before then stop
/// matching and captures are recorded unanchored, never anchored wrongly.
pub(super) fn boot_id_from_boot_time(sec: i64, usec: i64) -> String {
    format!("boottime-{sec}.{usec:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_become_milliseconds_with_either_timebase() {
        assert_eq!(ticks_to_ms(1_500_000_000, 1, 1), Some(1_500));
        // Apple silicon: 24 MHz ticks, 125/3 ns each.
        assert_eq!(ticks_to_ms(24_000_000, 125, 3), Some(1_000));
        // A year of uptime on Apple silicon overflows ticks × numer in 64 bits.
        let year_ticks = 24_000_000u64 * 3600 * 24 * 365;
        assert_eq!(ticks_to_ms(year_ticks, 125, 3), Some(1_000 * 3600 * 24 * 365));
        assert_eq!(ticks_to_ms(u64::MAX, u32::MAX, 1), None);
        assert_eq!(ticks_to_ms(5, 1, 0), None);
    }

    #[test]
    fn sysctl_text_stops_at_the_nul_and_refuses_empty_or_broken_text() {
        assert_eq!(sysctl_text(b"5B0C1E2A-0000-4000-8000-00000000ABCD\0").as_deref(), Some("5B0C1E2A-0000-4000-8000-00000000ABCD"));
        assert_eq!(sysctl_text(b"abc").as_deref(), Some("abc"));
        assert_eq!(sysctl_text(b"\0junk"), None);
        assert_eq!(sysctl_text(b""), None);
        assert_eq!(sysctl_text(b"\xff\xfe\0"), None);
    }

    #[test]
    fn boot_time_ids_keep_microseconds_apart() {
        assert_eq!(boot_id_from_boot_time(1_700_000_000, 42), "boottime-1700000000.000042");
        assert_ne!(boot_id_from_boot_time(1_700_000_000, 42), boot_id_from_boot_time(1_700_000_000, 420_000));
    }
}
