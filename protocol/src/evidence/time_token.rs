//! The server's signed statement of the time, answering a device's nonce.
//! Devices keep these as time anchors; a dispute packet carries the one a
//! capture's anchored time rests on, so anyone can check the server said it.
//! The arithmetic of an anchored time and the rule a reader holds it to
//! against its statement live here together, so device and verifier agree.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::canonical::from_canonical_bytes;
use super::manifest::AnchoredTime;
use super::signing::{public_key_from_hex, sha256_hex, sign_canonical, verify_hex};
use crate::error::{Error, Result};

/// Worst-case oscillator drift a phone's boot clock is allowed, in parts per million. Phone
/// crystals are specified around ±20-50 ppm; 200 leaves room for temperature.
pub const DRIFT_PPM: u64 = 200;

/// Format tag of a time token.
pub const TIME_FORMAT: &str = "siteproof/time-v1";

/// What the server attests about the time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeStatement {
    /// Always [`TIME_FORMAT`].
    pub format: String,
    /// Server UTC clock, Unix milliseconds.
    pub server_time_ms: i64,
    /// The caller's nonce, echoed so a response cannot be replayed to another request.
    pub nonce: String,
    /// The server's public key, hex.
    pub server_key: String,
}

/// A time statement's canonical text and signature, as `GET /v1/time` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedTime {
    /// Canonical JSON of the [`TimeStatement`].
    pub statement: String,
    /// Ed25519 signature over `statement`, hex.
    pub signature: String,
}

impl TimeStatement {
    /// Signs the statement with the server key.
    pub fn sign(&self, key: &SigningKey) -> Result<SignedTime> {
        let (statement, signature) = sign_canonical(self, key)?;
        Ok(SignedTime { statement, signature })
    }
}

impl SignedTime {
    /// Checks the signature (against the key named inside) and the nonce.
    pub fn open(&self, expected_nonce: &str) -> Result<TimeStatement> {
        let s = self.open_signed()?;
        if s.nonce != expected_nonce {
            return Err(Error::mismatch("时间应答针对的是另一个随机数", "time response answers a different nonce"));
        }
        Ok(s)
    }

    /// Checks that `server_key_hex` signed this statement and names itself in it: what a valid statement is
    /// for anyone holding it later (the server taking one back from a device, a packet's reader).
    pub fn open_from(&self, server_key_hex: &str) -> Result<TimeStatement> {
        let s = self.open_signed()?;
        if s.server_key != server_key_hex {
            return Err(Error::mismatch(
                format!("时间声明由另一把服务器密钥 {} 签发", crate::text::prefix(&s.server_key, 12)),
                format!("the time statement is signed by another server key {}", crate::text::prefix(&s.server_key, 12)),
            ));
        }
        Ok(s)
    }

    fn open_signed(&self) -> Result<TimeStatement> {
        let s: TimeStatement = from_canonical_bytes(self.statement.as_bytes())?;
        if s.format != TIME_FORMAT {
            return Err(Error::bad_format(format!("未知的时间格式 {:?}", s.format), format!("unknown time format {:?}", s.format)));
        }
        verify_hex(&public_key_from_hex(&s.server_key)?, self.statement.as_bytes(), &self.signature)?;
        Ok(s)
    }

    /// Hash of the statement text, recorded in anchored times.
    pub fn hash(&self) -> String {
        sha256_hex(self.statement.as_bytes())
    }
}

/// Milliseconds of drift the boot clock may gather over `elapsed_ms`.
fn drift_allowance_ms(elapsed_ms: u64) -> u64 {
    elapsed_ms.saturating_mul(DRIFT_PPM).div_ceil(1_000_000)
}

/// The anchored time of a reading `elapsed_ms` of boot clock after a statement of `server_time_ms` arrived
/// over a round trip of `rtt_ms`. The server stamped its time somewhere inside the round trip, so at arrival
/// the true time is `server_time + [0, rtt]`: the estimate is centred (`+ rtt/2`) and bounded by `rtt/2`,
/// widened by the drift over the elapsed time, +1 ms for the millisecond granularity of both clocks.
pub fn anchored_time(server_time_ms: i64, rtt_ms: u64, elapsed_ms: u64, statement_hash: &str) -> AnchoredTime {
    let half_rtt = rtt_ms.div_ceil(2);
    AnchoredTime {
        utc_ms: server_time_ms.saturating_add(half_rtt as i64).saturating_add(elapsed_ms as i64),
        bound_ms: half_rtt + drift_allowance_ms(elapsed_ms) + 1,
        anchor_hash: statement_hash.to_string(),
    }
}

impl TimeStatement {
    /// Whether an anchored time can rest on this statement, judged with what a reader holds (the round trip and
    /// the elapsed boot clock stay on the phone). Every time [`anchored_time`] makes passes: its interval never
    /// starts before the server's time (less the 1 ms of granularity), and its bound covers at least the drift
    /// over the time that can have elapsed since the statement. A capture claimed before the server spoke, or a
    /// bound too tight for the time since, is refused.
    pub fn admits(&self, anchored: &AnchoredTime) -> Result<()> {
        let earliest = i128::from(anchored.utc_ms) - i128::from(anchored.bound_ms);
        if earliest < i128::from(self.server_time_ms) - 1 {
            return Err(Error::mismatch(
                format!("锚定时间 {} ± {} 毫秒早于服务器声明的时间 {}", anchored.utc_ms, anchored.bound_ms, self.server_time_ms),
                format!(
                    "the anchored time {} ± {} ms starts before the server's stated time {}",
                    anchored.utc_ms, anchored.bound_ms, self.server_time_ms
                ),
            ));
        }
        // The boot clock ran at least `earliest - server_time` since the statement arrived (the rest is the round trip).
        let elapsed = u64::try_from(earliest - i128::from(self.server_time_ms)).unwrap_or(0);
        let needed = drift_allowance_ms(elapsed) + 1;
        if anchored.bound_ms < needed {
            return Err(Error::mismatch(
                format!("锚定时间的误差 ±{} 毫秒小于距服务器声明 {} 毫秒所需的 ±{} 毫秒", anchored.bound_ms, elapsed, needed),
                format!(
                    "the anchored bound ±{} ms is tighter than the ±{} ms that {} ms after the statement needs",
                    anchored.bound_ms, needed, elapsed
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(server_time_ms: i64) -> TimeStatement {
        TimeStatement { format: TIME_FORMAT.into(), server_time_ms, nonce: "n".into(), server_key: "k".into() }
    }

    #[test]
    fn every_time_the_device_computes_is_admitted_by_its_statement() {
        let s = statement(1_700_000_000_000);
        for rtt in [0u64, 1, 79, 80, 5_000] {
            for elapsed in [0u64, 1, 999, 3_600_000, 86_400_000 * 30] {
                let t = anchored_time(s.server_time_ms, rtt, elapsed, "h");
                assert!(s.admits(&t).is_ok(), "rtt={rtt} elapsed={elapsed} {t:?}");
            }
        }
    }

    #[test]
    fn a_time_before_the_statement_or_a_bound_too_tight_is_refused() {
        let s = statement(1_700_000_000_000);
        let honest = anchored_time(s.server_time_ms, 80, 3_600_000, "h");
        let before = AnchoredTime { utc_ms: s.server_time_ms - 60_000, ..honest.clone() };
        assert!(matches!(s.admits(&before), Err(Error::Mismatch { .. })));
        // One hour after the statement needs 720 ms of drift; 41 ms is what a capture right after it gets.
        let tight = AnchoredTime { bound_ms: 41, ..honest };
        assert!(matches!(s.admits(&tight), Err(Error::Mismatch { .. })));
    }

    #[test]
    fn a_statement_signed_by_another_key_is_not_this_servers() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let key_hex = hex::encode(key.verifying_key().as_bytes());
        let signed = TimeStatement { server_key: key_hex.clone(), ..statement(5) }.sign(&key).unwrap();
        assert_eq!(signed.open_from(&key_hex).unwrap().server_time_ms, 5);
        assert!(matches!(signed.open_from(&"ab".repeat(32)), Err(Error::Mismatch { .. })));
        let mut forged = signed.clone();
        forged.statement = forged.statement.replace("\"server_time_ms\":5", "\"server_time_ms\":6");
        assert!(forged.open_from(&key_hex).is_err());
    }
}
