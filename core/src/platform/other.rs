//! Targets with no known boot clock: the core still builds there, and says
//! plainly that the app has to pass its own readings (`set_boot_clock`)
//! rather than making up a clock that might not count sleep or survive
//! nothing across a restart.

use std::io;

fn no_boot_clock() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "此平台没有开机时钟，应用须自行提供读数 / this platform has no boot clock; the app must pass its own readings",
    )
}

/// There is no monotonic-since-boot clock to read here.
pub(super) fn boot_clock_ms() -> io::Result<u64> {
    Err(no_boot_clock())
}

/// There is no boot id to read here.
pub(super) fn boot_id() -> io::Result<String> {
    Err(no_boot_clock())
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_it_has_no_reading_instead_of_inventing_one() {
        assert_eq!(super::boot_clock_ms().unwrap_err().kind(), std::io::ErrorKind::Unsupported);
        assert_eq!(super::boot_id().unwrap_err().kind(), std::io::ErrorKind::Unsupported);
    }
}
