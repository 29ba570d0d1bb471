//! The device's signing key and other secrets at rest. Secrets are sealed
//! with XChaCha20-Poly1305 under a key derived from a caller-supplied secret:
//! the phone's keystore supplies it (Android Keystore, iOS Keychain), the
//! desktop CLI keeps it in a 0600 file. A copied database alone is useless.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

const SEAL_MAGIC: &[u8; 4] = b"SPS1";
const MIN_SECRET_LEN: usize = 16;

fn cipher(secret: &[u8]) -> Result<XChaCha20Poly1305> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(Error::Key(format!("sealing secret must be at least {MIN_SECRET_LEN} bytes")));
    }
    let mut h = Sha256::new();
    h.update(b"siteproof-seal-v1\0");
    h.update(secret);
    Ok(XChaCha20Poly1305::new(&h.finalize()))
}

/// Encrypts and authenticates `plain` under the secret.
pub fn seal(secret: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ct = cipher(secret)?.encrypt(XNonce::from_slice(&nonce), plain).map_err(|_| Error::Key("sealing failed".into()))?;
    let mut out = Vec::with_capacity(4 + 24 + ct.len());
    out.extend_from_slice(SEAL_MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts what [`seal`] produced; a wrong secret or altered bytes fail cleanly.
pub fn unseal(secret: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    if sealed.len() < 28 || &sealed[..4] != SEAL_MAGIC {
        return Err(Error::Key("sealed data is damaged".into()));
    }
    cipher(secret)?
        .decrypt(XNonce::from_slice(&sealed[4..28]), &sealed[28..])
        .map_err(|_| Error::Key("wrong sealing secret, or the sealed key was altered".into()))
}

/// Creates a fresh device signing key from the OS random source.
pub fn generate_signing_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

/// Unseals a stored device key.
pub fn unseal_signing_key(secret: &[u8], sealed: &[u8]) -> Result<SigningKey> {
    let bytes: [u8; 32] = unseal(secret, sealed)?.try_into().map_err(|_| Error::Key("sealed device key has the wrong length".into()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_wrong_secret() {
        let s = seal(b"0123456789abcdef", b"hello").unwrap();
        assert_eq!(unseal(b"0123456789abcdef", &s).unwrap(), b"hello");
        assert!(matches!(unseal(b"0123456789abcdeX", &s), Err(Error::Key(_))));
        let mut bad = s.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(unseal(b"0123456789abcdef", &bad).is_err());
        assert!(matches!(seal(b"short", b"x"), Err(Error::Key(_))));
    }
}
