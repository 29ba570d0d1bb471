//! The case server's signed acknowledgement that it holds a manifest. A
//! receipt is the device's proof that evidence left the phone, and the
//! coordinator's proof of when the community first held it.

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::canonical::from_canonical_bytes;
use super::signing::{public_key_from_hex, sign_canonical, verify_hex};
use crate::error::{Error, Result};

/// Format tag carried by every receipt.
pub const RECEIPT_FORMAT: &str = "siteproof/receipt-v1";

/// What the server attests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// Hash of the accepted manifest.
    pub manifest_hash: String,
    /// The device that signed the manifest.
    pub device_id: String,
    /// The manifest's sequence number in that device's chain.
    pub seq: u64,
    /// Server clock when the manifest was first accepted, Unix milliseconds.
    pub received_at_ms: i64,
    /// Position in the server's append-only receipt log, from 1.
    pub log_index: u64,
    /// Hash of the previous receipt in the server's log (None for the first).
    pub log_prev: Option<String>,
    /// The server's Ed25519 public key, hex.
    pub server_key: String,
}

/// A receipt's canonical text with the server's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReceipt {
    /// The receipt as canonical JSON text.
    pub receipt: String,
    /// Ed25519 signature over `receipt`, hex.
    pub signature: String,
}

impl Receipt {
    /// Signs the receipt with the server key.
    pub fn sign(&self, key: &SigningKey) -> Result<SignedReceipt> {
        let (receipt, signature) = sign_canonical(self, key)?;
        Ok(SignedReceipt { receipt, signature })
    }
}

impl SignedReceipt {
    /// Parses and checks the receipt against the server key it must come from.
    pub fn open(&self, server_key_hex: &str) -> Result<Receipt> {
        let r: Receipt = from_canonical_bytes(self.receipt.as_bytes())?;
        if r.format != RECEIPT_FORMAT {
            return Err(Error::bad_format(format!("未知的回执格式 {:?}", r.format), format!("unknown receipt format {:?}", r.format)));
        }
        if r.server_key != server_key_hex {
            return Err(Error::mismatch("回执来自另一把服务器密钥", "receipt is from a different server key"));
        }
        verify_hex(&public_key_from_hex(server_key_hex)?, self.receipt.as_bytes(), &self.signature)?;
        Ok(r)
    }

    /// Hash of the receipt text; the server's receipt log links by it.
    pub fn hash(&self) -> String {
        super::signing::sha256_hex(self.receipt.as_bytes())
    }
}
