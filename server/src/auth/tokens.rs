//! Bearer tokens and one-time enrollment codes. Only their SHA-256 is stored,
//! so a copy of the database does not let anyone act as a device or a user.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// A fresh random token with a readable prefix (`sps_` session, `spd_` device).
pub fn new_token(prefix: &str) -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(b))
}

/// The stored form of a token or code.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time code a worker can type: 12 unambiguous characters in groups of four.
pub fn new_enroll_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..12).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A new enrollment code and the hash it is stored under.
pub fn new_enroll_code_with_hash() -> (String, String) {
    let code = new_enroll_code();
    let code_hash = hash(&normalize_code(&code));
    (code, code_hash)
}

/// Normalizes a typed code (case, dashes, spaces) before hashing.
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}
