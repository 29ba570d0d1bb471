//! The wall clock in Unix milliseconds, read in one place for the device,
//! the server and the tests alike. It is bookkeeping time (when a row was
//! written, when a token expires), never evidence time: a capture's time is
//! anchored by the device's `anchor` rules, not by this clock. Reading the
//! clock is the one effect this otherwise pure crate allows itself, so the
//! server need not borrow it from the device library.

/// Milliseconds since the Unix epoch by this machine's wall clock (negative before 1970).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_same_clock_as_the_standard_library() {
        let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        let now = now_ms();
        let after = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
        assert!(before <= now && now <= after, "{before} <= {now} <= {after}");
    }
}
