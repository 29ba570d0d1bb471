//! Trusted time without trusting the phone's clock. A time anchor pairs a
//! server-signed time with the monotonic (boot) clock reading at the moment
//! the answer arrived. Later captures in the same boot get
//! `server_time + elapsed monotonic time`, with a bound that covers the
//! network delay and the worst drift of the phone's oscillator. A reboot
//! breaks the monotonic clock, so captures after one stay unanchored until
//! the next sync.

use serde::{Deserialize, Serialize};

use crate::evidence::AnchoredTime;

/// A stored time anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeAnchor {
    /// Server time in the signed response, Unix milliseconds.
    pub server_time_ms: i64,
    /// Monotonic clock when the response arrived.
    pub monotonic_ms: u64,
    /// Boot the monotonic reading belongs to.
    pub boot_id: String,
    /// Round trip of the request, milliseconds.
    pub rtt_ms: u64,
    /// Hash of the signed time statement.
    pub statement_hash: String,
}

impl TimeAnchor {
    /// The anchored time of a monotonic reading, or None if this anchor cannot speak for it
    /// (another boot, or a reading before the anchor). The arithmetic is the protocol's
    /// ([`crate::evidence::anchored_time`]), the one a packet's reader checks against.
    pub fn anchored_time(&self, boot_id: &str, monotonic_ms: u64) -> Option<AnchoredTime> {
        if boot_id != self.boot_id || monotonic_ms < self.monotonic_ms {
            return None;
        }
        Some(crate::evidence::anchored_time(self.server_time_ms, self.rtt_ms, monotonic_ms - self.monotonic_ms, &self.statement_hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> TimeAnchor {
        TimeAnchor { server_time_ms: 1_000_000, monotonic_ms: 5_000, boot_id: "b1".into(), rtt_ms: 80, statement_hash: "h".into() }
    }

    #[test]
    fn bound_grows_with_elapsed_time() {
        let a = anchor();
        let t = a.anchored_time("b1", 5_000).unwrap();
        assert_eq!((t.utc_ms, t.bound_ms), (1_000_040, 41));
        // One hour later: 3,600,000 ms * 200 ppm = 720 ms drift.
        let t = a.anchored_time("b1", 3_605_000).unwrap();
        assert_eq!((t.utc_ms, t.bound_ms), (4_600_040, 40 + 720 + 1));
    }

    #[test]
    fn other_boot_or_earlier_reading_is_unanchored() {
        let a = anchor();
        assert!(a.anchored_time("b2", 6_000).is_none());
        assert!(a.anchored_time("b1", 4_999).is_none());
    }

    #[test]
    fn true_time_inside_bound_for_any_server_stamp_within_rtt() {
        // Simulate: request sent at true time T0, server stamps at T0+d (0<=d<=rtt), reply at T0+rtt.
        for d in [0u64, 13, 40, 79, 80] {
            for drift_ppm in [-200i64, 0, 200] {
                let t0: i64 = 1_700_000_000_000;
                let rtt = 80u64;
                let a = TimeAnchor {
                    server_time_ms: t0 + d as i64,
                    monotonic_ms: 10_000,
                    boot_id: "b".into(),
                    rtt_ms: rtt,
                    statement_hash: String::new(),
                };
                let true_elapsed: i64 = 7_200_000;
                let measured = (true_elapsed + true_elapsed * drift_ppm / 1_000_000) as u64;
                let at = a.anchored_time("b", 10_000 + measured).unwrap();
                let truth = t0 + rtt as i64 + true_elapsed;
                assert!((at.utc_ms - truth).unsigned_abs() <= at.bound_ms, "d={d} ppm={drift_ppm}");
            }
        }
    }
}

mod storage {
    //! Keeping anchors in the device database (through `store/anchors.rs`).

    use super::TimeAnchor;
    use crate::device::Device;
    use crate::error::{Error, Result};
    use crate::evidence::{AnchoredTime, SignedTime};
    use crate::store::anchors;

    impl Device {
        test_support_pub! {
            /// Stores a server time response as an anchor, after checking its signature and nonce.
            ///
            /// `monotonic_ms` is the boot clock when the response arrived; `rtt_ms` the round trip.
            fn record_time_anchor(
                &self,
                signed: &SignedTime,
                nonce: &str,
                monotonic_ms: u64,
                boot_id: &str,
                rtt_ms: u64,
            ) -> Result<TimeAnchor> {
                let statement = signed.open(nonce)?;
                if let Some(expected) = self.server_key()? {
                    if statement.server_key != expected {
                        return Err(Error::Integrity("时间回答的签名密钥不是本服务器的 / time response is signed by an unknown server key".into()));
                    }
                }
                let anchor = TimeAnchor {
                    server_time_ms: statement.server_time_ms,
                    monotonic_ms,
                    boot_id: boot_id.to_string(),
                    rtt_ms,
                    statement_hash: signed.hash(),
                };
                anchors::put(&*self.db()?, &anchor, signed)?;
                Ok(anchor)
            }
        }

        /// The anchor that gives the tightest bound for a reading: among this boot's anchors
        /// taken at or before it, the one with the smallest resulting bound.
        pub fn anchored_time_for(&self, boot_id: &str, monotonic_ms: u64) -> Result<Option<AnchoredTime>> {
            let anchors = anchors::before(&*self.db()?, boot_id, monotonic_ms)?;
            Ok(anchors.iter().filter_map(|a| a.anchored_time(boot_id, monotonic_ms)).min_by_key(|t| t.bound_ms))
        }

        /// The signed time statement an anchored time rests on, by its hash.
        pub fn anchor_statement(&self, statement_hash: &str) -> Result<Option<SignedTime>> {
            Ok(anchors::statement(&*self.db()?, statement_hash)?)
        }
    }
}
