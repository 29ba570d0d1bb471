//! The receipt envelope: what the server answers when it accepts a manifest
//! (`POST /v1/manifests`) and shows with an entry (`GET /v1/evidence/{item}`),
//! and what the device reads before storing the receipt. One type, so the
//! JSON keys are written once rather than as literals on both sides.

use serde::{Deserialize, Serialize};

use crate::evidence::SignedReceipt;

/// A signed receipt and the server key it is to be checked with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptEnvelope {
    /// Canonical receipt JSON text.
    pub receipt: String,
    /// Server signature over `receipt`, hex.
    pub signature: String,
    /// Server public key, hex.
    pub server_key: String,
}

impl ReceiptEnvelope {
    /// Wraps a signed receipt with the key of the server that signed it.
    pub fn new(signed: SignedReceipt, server_key: impl Into<String>) -> ReceiptEnvelope {
        ReceiptEnvelope { receipt: signed.receipt, signature: signed.signature, server_key: server_key.into() }
    }

    /// The signed receipt as the device stores it. Check it with
    /// [`SignedReceipt::open`] against the server key the device trusts,
    /// not the key this envelope names.
    pub fn signed(&self) -> SignedReceipt {
        SignedReceipt { receipt: self.receipt.clone(), signature: self.signature.clone() }
    }
}

impl From<ReceiptEnvelope> for SignedReceipt {
    fn from(e: ReceiptEnvelope) -> SignedReceipt {
        SignedReceipt { receipt: e.receipt, signature: e.signature }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_keys_are_receipt_signature_and_server_key() {
        let e = ReceiptEnvelope::new(SignedReceipt { receipt: "{}".into(), signature: "ab".into() }, "cd");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v, serde_json::json!({"receipt": "{}", "signature": "ab", "server_key": "cd"}));
        assert_eq!(SignedReceipt::from(serde_json::from_value::<ReceiptEnvelope>(v).unwrap()), e.signed());
    }
}
