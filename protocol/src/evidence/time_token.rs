//! The server's signed statement of the time, answering a device's nonce.
//! Devices keep these as time anchors; a dispute packet carries the one a
//! capture's anchored time rests on, so anyone can check the server said it.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::canonical::from_canonical_bytes;
use super::signing::{public_key_from_hex, sha256_hex, sign_canonical, verify_hex};
use crate::error::{Error, Result};

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
        let s: TimeStatement = from_canonical_bytes(self.statement.as_bytes())?;
        if s.format != TIME_FORMAT {
            return Err(Error::bad_format(format!("未知的时间格式 {:?}", s.format), format!("unknown time format {:?}", s.format)));
        }
        verify_hex(&public_key_from_hex(&s.server_key)?, self.statement.as_bytes(), &self.signature)?;
        if s.nonce != expected_nonce {
            return Err(Error::mismatch("时间应答针对的是另一个随机数", "time response answers a different nonce"));
        }
        Ok(s)
    }

    /// Hash of the statement text, recorded in anchored times.
    pub fn hash(&self) -> String {
        sha256_hex(self.statement.as_bytes())
    }
}
