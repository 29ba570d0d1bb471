//! The server key fingerprint people compare by eye or read aloud: the one
//! rule for how it is derived, printed and read back. The street office
//! publishes it (console, `GET /v1/server-key`, the PDF cover); `siteproof
//! verify --server-key` accepts it as printed, with or without its spaces,
//! colons or hyphens and in either case, so copying it from any of those
//! places pins the same key.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::evidence::signing::public_key_from_hex;

/// Bytes of SHA-256 kept: 128 bits is beyond forging, and 32 hex digits can still be read aloud.
const FINGERPRINT_BYTES: usize = 16;
/// Hex digits per group when printed.
const GROUP: usize = 4;

/// First 16 bytes of the SHA-256 of a server's 32-byte Ed25519 public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyFingerprint([u8; FINGERPRINT_BYTES]);

impl KeyFingerprint {
    /// The fingerprint of a hex Ed25519 public key.
    pub fn of_key(key_hex: &str) -> Result<KeyFingerprint> {
        let key = public_key_from_hex(key_hex)?;
        let digest = Sha256::digest(key.as_bytes());
        let mut bytes = [0u8; FINGERPRINT_BYTES];
        bytes.copy_from_slice(&digest[..FINGERPRINT_BYTES]);
        Ok(KeyFingerprint(bytes))
    }

    /// Reads a fingerprint as a person copied it: 32 hex digits, any case, grouped by spaces, colons or hyphens.
    pub fn parse(text: &str) -> Result<KeyFingerprint> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | ':' | '-' | '\t')).collect::<String>().to_ascii_lowercase();
        let refused = || {
            Error::invalid(
                format!("服务器公钥指纹须为 32 位十六进制数字（可含空格或冒号），收到 {text:?}"),
                format!("a server key fingerprint is 32 hex digits (spaces or colons allowed), got {text:?}"),
            )
        };
        let decoded = hex::decode(&digits).map_err(|_| refused())?;
        let bytes: [u8; FINGERPRINT_BYTES] = decoded.try_into().map_err(|_| refused())?;
        Ok(KeyFingerprint(bytes))
    }
}

/// Lowercase hex in groups of four separated by spaces ("3f2a 9c01 ..."): the form printed everywhere.
impl std::fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = hex::encode(self.0);
        let groups: Vec<&str> = digits.as_bytes().chunks(GROUP).map(|g| std::str::from_utf8(g).unwrap_or_default()).collect();
        f.write_str(&groups.join(" "))
    }
}

/// The fingerprint of a hex key as printed for people to read aloud and compare (cover, console, verifier, guide).
pub fn key_fingerprint(key_hex: &str) -> Result<String> {
    Ok(KeyFingerprint::of_key(key_hex)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0ccf994beddd74c6617497b590b53a39b675103d3bb5e48fc62a1f2e28d1881c";

    #[test]
    fn printed_forms_read_back_to_the_same_fingerprint() {
        let fp = KeyFingerprint::of_key(KEY).unwrap();
        let printed = fp.to_string();
        assert_eq!(printed.len(), 39, "8 groups of 4 and 7 spaces: {printed}");
        let bare: String = printed.split(' ').collect();
        let colons = bare.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(":");
        for form in [printed.clone(), printed.to_uppercase(), bare.clone(), colons, format!("  {bare}\t")] {
            assert_eq!(KeyFingerprint::parse(&form).unwrap(), fp, "{form}");
        }
        assert_eq!(key_fingerprint(KEY).unwrap(), printed);
    }

    #[test]
    fn malformed_fingerprints_are_refused() {
        let bare: String = KeyFingerprint::of_key(KEY).unwrap().to_string().split(' ').collect();
        for bad in ["", &bare[..30], &format!("{bare}00"), &format!("g{}", &bare[1..]), KEY] {
            assert!(matches!(KeyFingerprint::parse(bad), Err(Error::InvalidInput { .. })), "{bad:?}");
        }
    }
}
