//! The `blobs` and `blob_owners` tables: one stored copy per hash, and which
//! device (in which community) uploaded it. Visibility follows the owners:
//! a blob is another community's only if one of its devices uploaded it.

use rusqlite::{params, Connection, OptionalExtension};

use super::id_list;

/// (size, media type) of a blob a device of one of the communities uploaded.
pub fn visible_to(c: &Connection, sha256: &str, communities: &[i64]) -> rusqlite::Result<Option<(i64, Option<String>)>> {
    if communities.is_empty() {
        return Ok(None);
    }
    c.prepare(&format!(
        "SELECT b.bytes, b.media_type FROM blobs b WHERE b.sha256 = ?1
           AND EXISTS (SELECT 1 FROM blob_owners o WHERE o.sha256 = b.sha256 AND o.community_id IN ({}))",
        id_list(communities)
    ))?
    .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

/// Size of a blob this device uploaded itself. A capture record may only
/// cover media its own device held: a colleague's upload in the same
/// community does not count, even when the bytes are identical.
pub fn held_by_device(c: &Connection, sha256: &str, device_id: &str) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached(
        "SELECT b.bytes FROM blobs b JOIN blob_owners o ON o.sha256 = b.sha256 WHERE b.sha256 = ?1 AND o.device_id = ?2 LIMIT 1",
    )?
    .query_row(params![sha256, device_id], |r| r.get(0))
    .optional()
}
