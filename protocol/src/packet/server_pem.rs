//! `keys/server.pem`: the server key as a PEM SubjectPublicKeyInfo, the form
//! `openssl pkeyutl -verify -pubin -inkey` reads, so the packet can be checked
//! by hand with openssl alone. The hex `keys/server.pub` stays the key the
//! verifier uses; a PEM that names another key is a problem it reports.

use base64::Engine;

use crate::error::{Error, Result};
use crate::evidence::signing::public_key_from_hex;

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33 bytes) }.
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const END: &str = "-----END PUBLIC KEY-----";

/// The PEM text of a hex Ed25519 public key (one base64 line: 44 DER bytes fit in 60 characters).
pub fn server_key_pem(key_hex: &str) -> Result<String> {
    let key = public_key_from_hex(key_hex)?;
    let mut der = ED25519_SPKI_PREFIX.to_vec();
    der.extend_from_slice(key.as_bytes());
    Ok(format!("{BEGIN}\n{}\n{END}\n", base64::engine::general_purpose::STANDARD.encode(der)))
}

/// Reads a PEM Ed25519 public key back to its hex key.
pub fn parse_server_key_pem(bytes: &[u8]) -> Result<String> {
    let refused = || Error::bad_format("不是 PEM 格式的 Ed25519 公钥", "not an Ed25519 public key in PEM form");
    let text = std::str::from_utf8(bytes).map_err(|_| refused())?;
    let body = text.trim().strip_prefix(BEGIN).and_then(|r| r.strip_suffix(END)).ok_or_else(refused)?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| refused())?;
    let key = der.strip_prefix(&ED25519_SPKI_PREFIX[..]).filter(|k| k.len() == 32).ok_or_else(refused)?;
    let key_hex = hex::encode(key);
    public_key_from_hex(&key_hex)?;
    Ok(key_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by `openssl genpkey -algorithm ed25519 | openssl pkey -pubout`.
    const OPENSSL_PEM: &str =
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEADM+ZS+3ddMZhdJe1kLU6ObZ1ED07teSPxiofLijRiBw=\n-----END PUBLIC KEY-----\n";
    const KEY: &str = "0ccf994beddd74c6617497b590b53a39b675103d3bb5e48fc62a1f2e28d1881c";

    #[test]
    fn matches_what_openssl_writes_and_reads_back() {
        assert_eq!(server_key_pem(KEY).unwrap(), OPENSSL_PEM);
        assert_eq!(parse_server_key_pem(OPENSSL_PEM.as_bytes()).unwrap(), KEY);
    }

    #[test]
    fn other_keys_and_garbage_are_refused() {
        let rsa_like = OPENSSL_PEM.replace("MCowBQYDK2VwAyEA", "MCowBQYDK2VxAyEA");
        for bad in [rsa_like.as_str(), "", "-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n", KEY] {
            assert!(parse_server_key_pem(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }
}
