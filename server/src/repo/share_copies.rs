//! The `share_copies` table: each watermarked share copy a device registered
//! with a signed `share` entry, by the verification code printed on it.

use rusqlite::{params, Connection, OptionalExtension};

/// One registered copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareCopy {
    /// The code printed on the copy (stored form).
    pub code: String,
    /// Community of the registering device when the entry arrived.
    pub community_id: i64,
    /// The device that made the copy and signed the `share` entry.
    pub device_id: String,
    /// The `share` entry's manifest hash.
    pub share_manifest_hash: String,
    /// The photo the copy was made from.
    pub item_id: String,
    /// That photo's manifest hash, as the `share` entry names it.
    pub source_manifest_hash: String,
    /// SHA-256 of the copy's bytes.
    pub copy_sha256: String,
    /// When the server accepted the `share` entry, Unix ms.
    pub registered_at_ms: i64,
}

/// Records a copy. A code already taken keeps its first registration: codes
/// are 50 random bits, so a repeat is a replayed code, and the first copy
/// that carried it stays the one it resolves to.
pub fn insert(c: &Connection, s: &ShareCopy) -> rusqlite::Result<()> {
    c.execute(
        "INSERT OR IGNORE INTO share_copies (code, community_id, device_id, share_manifest_hash, item_id, source_manifest_hash,
            copy_sha256, registered_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.code,
            s.community_id,
            s.device_id,
            s.share_manifest_hash,
            s.item_id,
            s.source_manifest_hash,
            s.copy_sha256,
            s.registered_at_ms
        ],
    )?;
    Ok(())
}

/// The copy registered under a code.
pub fn by_code(c: &Connection, code: &str) -> rusqlite::Result<Option<ShareCopy>> {
    c.prepare_cached(
        "SELECT code, community_id, device_id, share_manifest_hash, item_id, source_manifest_hash, copy_sha256, registered_at_ms
         FROM share_copies WHERE code = ?1",
    )?
    .query_row([code], |r| {
        Ok(ShareCopy {
            code: r.get(0)?,
            community_id: r.get(1)?,
            device_id: r.get(2)?,
            share_manifest_hash: r.get(3)?,
            item_id: r.get(4)?,
            source_manifest_hash: r.get(5)?,
            copy_sha256: r.get(6)?,
            registered_at_ms: r.get(7)?,
        })
    })
    .optional()
}
