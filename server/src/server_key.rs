//! The server's own Ed25519 identity. Receipts and time statements are only
//! worth something if the key is the same tomorrow, so it is created once in
//! the data directory (mode 0600) and loaded on every start.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ed25519_dalek::SigningKey;

/// Loads `DIR/server.key`, creating it on first start.
pub fn load_or_create(data_dir: &Path) -> std::io::Result<SigningKey> {
    let path = data_dir.join("server.key");
    // A key written by an older version or copied in by hand: only the server's user may read it.
    siteproof_fs::tighten_if_present(&path)?;
    match fs::read_to_string(&path) {
        Ok(text) => {
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "server.key is not 32 hex bytes"))?;
            Ok(SigningKey::from_bytes(&bytes))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(&mut rand::rngs::OsRng);
            let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path)?;
            f.write_all(hex::encode(key.to_bytes()).as_bytes())?;
            f.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e),
    }
}

/// The public half, hex, as receipts carry it.
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().as_bytes())
}
