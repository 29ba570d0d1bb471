//! Ed25519 helpers shared by devices and the server: key encoding, key ids
//! and hashing. Keys travel as lowercase hex so they read the same in JSON,
//! in logs and in a dispute packet's guide.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Lowercase hex SHA-256 of a byte string.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A device's stable id: the first 16 bytes of SHA-256 of its public key, in hex.
pub fn device_id_for_key(key: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(key.as_bytes())[..16])
}

/// Parses a hex-encoded Ed25519 public key.
pub fn public_key_from_hex(hex_key: &str) -> Result<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::bad_format("公钥不是 32 字节的十六进制", "public key is not 32 hex-encoded bytes"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| Error::bad_format(format!("公钥无效：{e}"), format!("bad public key: {e}")))
}

/// Signs bytes and returns the signature in hex.
pub fn sign_hex(key: &SigningKey, bytes: &[u8]) -> String {
    hex::encode(key.sign(bytes).to_bytes())
}

/// Checks a hex signature over bytes.
pub fn verify_hex(key: &VerifyingKey, bytes: &[u8], sig_hex: &str) -> Result<()> {
    let sig: [u8; 64] = hex::decode(sig_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::bad_format("签名不是 64 字节的十六进制", "signature is not 64 hex-encoded bytes"))?;
    key.verify(bytes, &Signature::from_bytes(&sig)).map_err(|_| Error::BadSignature)
}

/// Signs a value's canonical JSON (RFC 8785): returns the exact text signed and the hex signature.
/// Receipts, time statements and manifests all travel as this pair, so the
/// bytes a verifier checks are the bytes that were signed, never a re-encoding.
pub fn sign_canonical<T: serde::Serialize>(value: &T, key: &SigningKey) -> Result<(String, String)> {
    let bytes = super::canonical::to_canonical_bytes(value)?;
    let signature = sign_hex(key, &bytes);
    Ok((String::from_utf8(bytes).expect("canonical JSON is UTF-8"), signature))
}
