//! `SHA256SUMS` and `SHA256SUMS.sig`: the packet's file list once more, in
//! the form `sha256sum --check` reads, with the server's raw Ed25519
//! signature over it, the form `openssl pkeyutl -verify -rawin` reads. With
//! them a reader checks the whole packet with sha256sum and openssl alone,
//! no JSON or RFC 8785 needed (see `GUIDE.txt`). The list is derived from the
//! signed index and `packet.json` itself, so the verifier rebuilds it and
//! requires the same bytes: the hand check and the tool check see one truth.

use ed25519_dalek::{Signer, SigningKey};

use super::index::IndexedFile;
use super::layout::INDEX;
use crate::error::{Error, Result};
use crate::evidence::signing::{public_key_from_hex, verify_hex};

/// The `SHA256SUMS` text: every indexed file, `packet.json` and the files written after it (the TSA's token,
/// when there is one) as (name, sha256), sorted by name, one `<sha256>  <name>` line each.
pub fn checksums_text(indexed: &[IndexedFile], index_sha256: &str, after_index: &[(&str, &str)]) -> String {
    let mut lines: Vec<(&str, &str)> = indexed.iter().map(|f| (f.name.as_str(), f.sha256.as_str())).collect();
    lines.push((INDEX, index_sha256));
    lines.extend_from_slice(after_index);
    lines.sort();
    lines.into_iter().map(|(name, sha)| format!("{sha}  {name}\n")).collect()
}

/// The server's raw 64-byte Ed25519 signature over the `SHA256SUMS` bytes.
pub fn sign_checksums(text: &str, key: &SigningKey) -> [u8; 64] {
    key.sign(text.as_bytes()).to_bytes()
}

/// Checks a raw signature over the `SHA256SUMS` bytes with the server key.
pub fn verify_checksums(text: &[u8], signature: &[u8], server_key_hex: &str) -> Result<()> {
    if signature.len() != 64 {
        return Err(Error::bad_format(
            format!("签名须为 64 字节，实为 {} 字节", signature.len()),
            format!("the signature must be 64 bytes, it is {}", signature.len()),
        ));
    }
    verify_hex(&public_key_from_hex(server_key_hex)?, text, &hex::encode(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, c: char) -> IndexedFile {
        IndexedFile { name: name.into(), sha256: c.to_string().repeat(64), bytes: 1 }
    }

    #[test]
    fn lists_every_file_and_the_index_in_sha256sum_form_and_verifies_its_signature() {
        let text = checksums_text(&[file("report.pdf", 'b'), file("GUIDE.txt", 'a')], &"c".repeat(64), &[]);
        let expected = format!("{}  GUIDE.txt\n{}  packet.json\n{}  report.pdf\n", "a".repeat(64), "c".repeat(64), "b".repeat(64));
        assert_eq!(text, expected);
        let key = SigningKey::from_bytes(&[9u8; 32]);
        let key_hex = hex::encode(key.verifying_key().as_bytes());
        let sig = sign_checksums(&text, &key);
        verify_checksums(text.as_bytes(), &sig, &key_hex).unwrap();
        assert!(matches!(verify_checksums(text.replace("GUIDE", "GUIDF").as_bytes(), &sig, &key_hex), Err(Error::BadSignature)));
        assert!(verify_checksums(text.as_bytes(), &sig[..63], &key_hex).is_err());
    }
}
